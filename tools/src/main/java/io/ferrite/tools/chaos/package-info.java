/**
 * Fault injection with a check: kill a writer at random moments, recover, and count what was lost or invented.
 */
package io.ferrite.tools.chaos;
