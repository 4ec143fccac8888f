package io.ferrite.transport.node;

import io.aeron.Publication;

/**
 * Where a session's responses go, as the shard loops see it: published by the router in a
 * {@link java.util.concurrent.atomic.AtomicReferenceArray} slot before any request of the session is
 * handed to a shard (the ring buffer's release/acquire orders the two), and cleared when the session
 * closes. The token tells a later session in the same slot from this one.
 * <p>
 * <b>Threading:</b> the fields are immutable; {@link #abandon()} and {@link #isAbandoned()} may be called from any
 * loop. A loop that gives up on the session (a response back-pressured past the bound) abandons it, so that every
 * loop drops the session's further responses at once instead of spending the bound on each while the router has not
 * yet cleared the slot (with {@code agentThreading=SHARED} it cannot before the shard's duty cycle ends).
 */
final class ResponseTarget
{
    private final long token;
    private final int imageSessionId;
    private final Publication publication;
    /** Written once (false to true) by any loop, read by all: volatile, so another shard sees it on its next response. */
    private volatile boolean abandoned;

    /**
     * @param token          unique for the life of the node.
     * @param imageSessionId the client's Aeron session id.
     * @param publication    the response publication (concurrent: the router and every shard offer to it).
     */
    ResponseTarget(final long token, final int imageSessionId, final Publication publication)
    {
        this.token = token;
        this.imageSessionId = imageSessionId;
        this.publication = publication;
    }

    long token()
    {
        return token;
    }

    int imageSessionId()
    {
        return imageSessionId;
    }

    Publication publication()
    {
        return publication;
    }

    /**
     * Marks the session as being closed: its responses are dropped from now on.
     */
    void abandon()
    {
        abandoned = true;
    }

    boolean isAbandoned()
    {
        return abandoned;
    }
}
