package io.ferrite.transport.client;

import io.ferrite.codecs.sbe.ErrorCode;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A client's counters: requests sent, completed, failed by node error code, timed out, retried,
 * back-pressured, responses that matched no request (late answers to timed-out requests), keep-alives, and the
 * node lost (its stream gone, or silent).
 * <p>
 * Threading: written only by the client's polling thread with ordered (lazy) stores, so any thread may
 * read them at any time and sees values at most a moment old. Incrementing allocates nothing.
 */
public final class ClientCounters
{
    private static final int SENT = 0;
    private static final int COMPLETED = 1;
    private static final int TIMEOUTS = 2;
    private static final int RETRIES = 3;
    private static final int BACK_PRESSURED = 4;
    private static final int IN_FLIGHT_LIMIT = 5;
    private static final int UNMATCHED = 6;
    private static final int NODE_UNAVAILABLE = 7;
    private static final int KEEP_ALIVES = 8;
    private static final int ERRORS_BASE = 9;
    private static final int ERROR_CODES = 16;

    private static final int THROTTLED = ERRORS_BASE + ERROR_CODES;
    private static final int MALFORMED_RESPONSES = THROTTLED + 1;
    private static final int NODES_LOST = MALFORMED_RESPONSES + 1;
    private static final int SILENT_NODES = NODES_LOST + 1;
    private static final int KEEP_ALIVES_ANSWERED = SILENT_NODES + 1;

    private final AtomicLongArray values = new AtomicLongArray(KEEP_ALIVES_ANSWERED + 1);

    ClientCounters()
    {
    }

    private void increment(final int index)
    {
        values.lazySet(index, values.get(index) + 1);
    }

    void onSent()
    {
        increment(SENT);
    }

    void onCompleted()
    {
        increment(COMPLETED);
    }

    void onTimedOut()
    {
        increment(TIMEOUTS);
    }

    void onRetried()
    {
        increment(RETRIES);
    }

    void onBackPressured()
    {
        increment(BACK_PRESSURED);
    }

    void onInFlightLimitReached()
    {
        increment(IN_FLIGHT_LIMIT);
    }

    void onUnmatched()
    {
        increment(UNMATCHED);
    }

    void onNodeUnavailable()
    {
        increment(NODE_UNAVAILABLE);
    }

    void onKeepAlive()
    {
        increment(KEEP_ALIVES);
    }

    void onNodeLost(final boolean silent)
    {
        increment(NODES_LOST);
        if (silent)
        {
            increment(SILENT_NODES);
        }
    }

    void onKeepAliveAnswered()
    {
        increment(KEEP_ALIVES_ANSWERED);
    }

    void onThrottled()
    {
        increment(THROTTLED);
    }

    void onMalformedResponse()
    {
        increment(MALFORMED_RESPONSES);
    }

    /**
     * @return response frames the client could not read (cut short, a block or var-data length past the frame's end,
     *     another schema, an unknown template): each one either failed its request at once with
     *     {@link ClientFailure#BAD_RESPONSE}, or, when its correlation id was unreadable or matched no request in
     *     flight, was dropped (and logged, at most once a second).
     */
    public long malformedResponses()
    {
        return values.get(MALFORMED_RESPONSES);
    }

    /**
     * @return throttling answers received (ProvisionedThroughputExceeded, Throttling, RequestLimitExceeded), each
     *     one whether it was then retried or handed to the caller.
     */
    public long throttled()
    {
        return values.get(THROTTLED);
    }

    void onError(final ErrorCode code)
    {
        final int value = code.value();
        increment(ERRORS_BASE + (value >= 0 && value < ERROR_CODES ? value : 0));
    }

    /**
     * @return requests sent (first attempts; retries are counted by {@link #retries()}).
     */
    public long sent()
    {
        return values.get(SENT);
    }

    /**
     * @return requests answered with a success response.
     */
    public long completed()
    {
        return values.get(COMPLETED);
    }

    /**
     * @return requests that got no response before their timeout.
     */
    public long timeouts()
    {
        return values.get(TIMEOUTS);
    }

    /**
     * @return re-sends of a request after a retryable error or back-pressure.
     */
    public long retries()
    {
        return values.get(RETRIES);
    }

    /**
     * @return sends that Aeron refused for back-pressure (reported to the caller or retried).
     */
    public long backPressured()
    {
        return values.get(BACK_PRESSURED);
    }

    /**
     * @return sends refused because the most requests allowed in flight were already in flight.
     */
    public long inFlightLimitReached()
    {
        return values.get(IN_FLIGHT_LIMIT);
    }

    /**
     * @return responses whose correlation id matched no request in flight (late answers).
     */
    public long unmatched()
    {
        return values.get(UNMATCHED);
    }

    /**
     * @return requests failed because the node went away.
     */
    public long nodeUnavailable()
    {
        return values.get(NODE_UNAVAILABLE);
    }

    /**
     * @return keep-alive messages sent.
     */
    public long keepAlives()
    {
        return values.get(KEEP_ALIVES);
    }

    /**
     * @return keep-alive answers received from the node (a node of protocol version 6 or later answers each one).
     */
    public long keepAlivesAnswered()
    {
        return values.get(KEEP_ALIVES_ANSWERED);
    }

    /**
     * @return sessions that ended because the node went away (0 or 1 per client: a client does not reconnect), however
     *     it was noticed; the requests it had in flight are counted in {@link #nodeUnavailable()}.
     */
    public long nodesLost()
    {
        return values.get(NODES_LOST);
    }

    /**
     * @return of {@link #nodesLost()}, those noticed because the node sent nothing at all for
     *     {@link ClientConfig#nodeSilenceTimeoutNs()}, not even an answer to KeepAlive (a node dead or frozen behind a
     *     media driver that outlived it or that Aeron had not yet timed out).
     */
    public long silentNodes()
    {
        return values.get(SILENT_NODES);
    }

    /**
     * @param code an error code.
     * @return requests that ended with this error from the node (after any retries).
     */
    public long errors(final ErrorCode code)
    {
        final int value = code.value();
        return value >= 0 && value < ERROR_CODES ? values.get(ERRORS_BASE + value) : 0;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        final StringBuilder text = new StringBuilder()
            .append("sent=").append(sent())
            .append(" completed=").append(completed())
            .append(" timeouts=").append(timeouts())
            .append(" retries=").append(retries())
            .append(" throttled=").append(throttled())
            .append(" backPressured=").append(backPressured())
            .append(" inFlightLimit=").append(inFlightLimitReached())
            .append(" unmatched=").append(unmatched())
            .append(" nodeUnavailable=").append(nodeUnavailable())
            .append(" nodesLost=").append(nodesLost())
            .append(" silentNodes=").append(silentNodes())
            .append(" malformedResponses=").append(malformedResponses());
        for (final ErrorCode code : ErrorCode.values())
        {
            if (ErrorCode.NULL_VAL != code && ErrorCode.OK != code && errors(code) > 0)
            {
                text.append(' ').append(code.name()).append('=').append(errors(code));
            }
        }
        return text.toString();
    }
}
