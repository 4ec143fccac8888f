/**
 * Ferrite's SBE client over Aeron (docs/decisions/0004-client-protocol.md and 0006-client-library.md).
 * <ul>
 *   <li>{@link io.ferrite.transport.client.FerriteClient}: asynchronous and pipelined; item bytes in,
 *   flyweights and primitives out through a {@link io.ferrite.transport.client.ResponseHandler}; send
 *   methods return at once with a request id or a back-pressure status; one owning thread that also
 *   calls {@code poll()}. Garbage-free in steady state for items, Query and Scan.</li>
 *   <li>{@link io.ferrite.transport.client.FerriteBlockingClient}: every operation over Java values, for
 *   tools and the CLI; errors are thrown as {@link io.ferrite.codecs.error.FerriteException} (node) or
 *   {@link io.ferrite.transport.client.FerriteClientException} (no answer).</li>
 *   <li>{@link io.ferrite.transport.client.ClientConfig}: channels, Aeron, timeouts, in-flight bound,
 *   retry budget ({@code ferrite.client.*}).</li>
 * </ul>
 */
package io.ferrite.transport.client;
