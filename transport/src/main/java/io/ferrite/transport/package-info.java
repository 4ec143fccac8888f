/**
 * Ferrite transport.
 */
package io.ferrite.transport;
