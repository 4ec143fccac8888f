package io.ferrite.transport.node;

import io.aeron.Publication;

/**
 * Where a session's responses go, as the shard loops see it: immutable, published by the router in a
 * {@link java.util.concurrent.atomic.AtomicReferenceArray} slot before any request of the session is
 * handed to a shard (the ring buffer's release/acquire orders the two), and cleared when the session
 * closes. The token tells a later session in the same slot from this one.
 *
 * @param token          unique for the life of the node.
 * @param imageSessionId the client's Aeron session id.
 * @param publication    the response publication (concurrent: the router and every shard offer to it).
 */
record ResponseTarget(long token, int imageSessionId, Publication publication)
{
}
