/**
 * Ferrite tools.
 */
package io.ferrite.tools;
