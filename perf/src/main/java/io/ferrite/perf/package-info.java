/**
 * Ferrite perf.
 */
package io.ferrite.perf;
