package io.ferrite.transport.client;

/**
 * Why a request ended without an answer from the node: failures decided on the client side. Answers
 * from the node, including its errors, carry the node's {@link io.ferrite.codecs.sbe.ErrorCode} instead.
 */
public enum ClientFailure
{
    /** No response within the request's timeout (retries included). */
    TIMEOUT,
    /** The node went away: its response stream closed or the request publication lost its subscriber. */
    NODE_UNAVAILABLE,
    /** The client was closed with the request still in flight. */
    CLIENT_CLOSED,
    /** Aeron back-pressured every attempt to send the request until its timeout or retry budget ran out. */
    BACK_PRESSURED,
    /** The node answered with a message the client cannot read (wrong schema, unknown template). */
    BAD_RESPONSE,
    /**
     * The thread waiting in a {@link FerriteBlockingClient} call was interrupted: the call stopped waiting, and the
     * thread keeps its interrupt status. A request already sent stays in flight: the node may still apply it, and
     * its answer is dropped when it comes.
     */
    INTERRUPTED
}
