package io.ferrite.http;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * The HTTP front's counters: connections, answers by status class, and connections closed by each of the front's
 * rules. {@code ferrite server} allocates them in the node's counters file, so {@code ferrite stat} shows them with
 * the node's (labels start with {@value #PREFIX}); a front started without a counter allocator keeps them in memory
 * of its own.
 * <p>
 * Threading: allocated by the thread that starts the front; incremented by any of its event loops (atomic adds:
 * several loops share them; one per answer, none per byte); read from any thread or process.
 */
public final class HttpCounters
{
    /** What every label of the front's counters starts with. */
    public static final String PREFIX = "http: ";
    /** Label: connections open now. */
    public static final String CONNECTIONS_OPEN = PREFIX + "connections open";
    /** Label: connections accepted since the front started. */
    public static final String CONNECTIONS_ACCEPTED = PREFIX + "connections accepted";
    /** Label: answers with a 1xx-3xx status (100 Continue is not counted). */
    public static final String RESPONSES_OK = PREFIX + "responses 2xx";
    /** Label: answers with a 4xx status (DynamoDB's client errors: validation, throttling, ...). */
    public static final String RESPONSES_CLIENT_ERROR = PREFIX + "responses 4xx";
    /** Label: answers with a 5xx status (internal errors, timeouts, node session gone). */
    public static final String RESPONSES_SERVER_ERROR = PREFIX + "responses 5xx";
    /** Label: connections closed because a request did not arrive whole within ferrite.http.requestTimeoutMs. */
    public static final String CLOSED_SLOW_REQUEST = PREFIX + "closed: request not whole within requestTimeoutMs";
    /** Label: connections closed for being idle for ferrite.http.idleTimeoutMs. */
    public static final String CLOSED_IDLE = PREFIX + "closed: idle for idleTimeoutMs";
    /** Label: connections closed because their client left its answers unread for ferrite.http.writeStallTimeoutMs. */
    public static final String CLOSED_WRITE_STALL = PREFIX + "closed: answers unread for writeStallTimeoutMs";
    /** Label: connections closed after a 413 for a body over ferrite.http.maxRequestBytes. */
    public static final String CLOSED_BODY_TOO_LARGE = PREFIX + "closed: body over maxRequestBytes (413)";

    private static final int STANDALONE_COUNTERS = 16;

    final AtomicCounter connectionsOpen;
    final AtomicCounter connectionsAccepted;
    final AtomicCounter responsesOk;
    final AtomicCounter responsesClientError;
    final AtomicCounter responsesServerError;
    final AtomicCounter closedSlowRequest;
    final AtomicCounter closedIdle;
    final AtomicCounter closedWriteStall;
    final AtomicCounter closedBodyTooLarge;

    /**
     * @param allocator allocates one counter by label, e.g. in the node's counters file
     *                  ({@code NodeCounters::newFrontCounter}); called here, on the calling thread, once per counter.
     */
    public HttpCounters(final Function<String, AtomicCounter> allocator)
    {
        connectionsOpen = allocator.apply(CONNECTIONS_OPEN);
        connectionsAccepted = allocator.apply(CONNECTIONS_ACCEPTED);
        responsesOk = allocator.apply(RESPONSES_OK);
        responsesClientError = allocator.apply(RESPONSES_CLIENT_ERROR);
        responsesServerError = allocator.apply(RESPONSES_SERVER_ERROR);
        closedSlowRequest = allocator.apply(CLOSED_SLOW_REQUEST);
        closedIdle = allocator.apply(CLOSED_IDLE);
        closedWriteStall = allocator.apply(CLOSED_WRITE_STALL);
        closedBodyTooLarge = allocator.apply(CLOSED_BODY_TOO_LARGE);
    }

    /**
     * @return counters in memory of their own, for a front started without a node's counters file (tests, the perf
     *     harness).
     */
    public static HttpCounters standalone()
    {
        final UnsafeBuffer metadata = new UnsafeBuffer(
            ByteBuffer.allocateDirect(STANDALONE_COUNTERS * CountersReader.METADATA_LENGTH));
        final UnsafeBuffer values = new UnsafeBuffer(
            ByteBuffer.allocateDirect(STANDALONE_COUNTERS * CountersReader.COUNTER_LENGTH));
        final CountersManager manager = new CountersManager(metadata, values, StandardCharsets.US_ASCII);
        return new HttpCounters(manager::newCounter);
    }

    /**
     * Counts an answer by its status class.
     *
     * @param status the HTTP status code.
     */
    void answered(final int status)
    {
        if (status >= 500)
        {
            responsesServerError.increment();
        }
        else if (status >= 400)
        {
            responsesClientError.increment();
        }
        else
        {
            responsesOk.increment();
        }
    }

    /**
     * @return connections closed because their client left its answers unread for the write-stall timeout.
     */
    long writeStalledConnectionsClosed()
    {
        return closedWriteStall.get();
    }
}
