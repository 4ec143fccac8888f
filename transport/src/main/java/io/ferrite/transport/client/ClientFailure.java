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
    /**
     * The node's answer to the request could not be read: a frame cut short, a block, var-data or group length that
     * runs past the frame's end, a block shorter than its fields, or an unknown template. Reported as soon as the
     * frame arrives (the message names what was wrong) and counted in {@link ClientCounters#malformedResponses()}.
     */
    BAD_RESPONSE,
    /**
     * The thread waiting in a {@link FerriteBlockingClient} call was interrupted: the call stopped waiting, and the
     * thread keeps its interrupt status. A request already sent stays in flight: the node may still apply it, and
     * its answer is dropped when it comes.
     */
    INTERRUPTED
}
