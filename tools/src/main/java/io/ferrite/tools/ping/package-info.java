/**
 * {@code ferrite ping}: an open-loop, coordinated-omission-corrected GetItem latency probe through the
 * SBE client.
 */
package io.ferrite.tools.ping;
