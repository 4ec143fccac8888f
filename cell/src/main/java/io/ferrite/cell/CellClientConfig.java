package io.ferrite.cell;

import java.security.SecureRandom;

/**
 * Settings of a {@link CellClient}. Mutable until handed to {@link CellClient#connect}; not thread-safe.
 */
public final class CellClientConfig
{
    /** A call's default timeout: covers one failover (about two seconds here) with room to spare. */
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
    /** An unanswered request is sent again (same request id) this often, and at once on a new leader. */
    public static final long DEFAULT_RESEND_INTERVAL_MS = 1_000;

    /** An unanswered eventually consistent read is sent to the next member after this long. */
    public static final long DEFAULT_READ_RETRY_MS = 100;

    private String ingressEndpoints;
    private String readEndpoints;
    private long readRetryMs = DEFAULT_READ_RETRY_MS;
    private String aeronDir;
    private DriverWaker driverWaker;
    private long requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
    private long resendIntervalMs = DEFAULT_RESEND_INTERVAL_MS;
    private long clientId = new SecureRandom().nextLong() & Long.MAX_VALUE;
    private long idleMaxParkUs = Long.getLong("ferrite.cell.clientIdleMaxParkUs", DEFAULT_IDLE_MAX_PARK_US);

    /**
     * The longest a call waiting for its answer parks between two polls of egress (it spins, then yields, then parks
     * from 1 us doubling up to this): an answer waits up to this long to be seen, and a shorter park costs wake-ups.
     */
    public static final long DEFAULT_IDLE_MAX_PARK_US = 200;

    /**
     * @param idleMaxParkUs the longest park between two polls of egress while a call waits (1 to 100,000 us; default
     *                      {@link #DEFAULT_IDLE_MAX_PARK_US}, or the system property
     *                      {@code ferrite.cell.clientIdleMaxParkUs}).
     * @return this.
     */
    public CellClientConfig idleMaxParkUs(final long idleMaxParkUs)
    {
        if (idleMaxParkUs < 1 || idleMaxParkUs > 100_000)
        {
            throw new IllegalArgumentException("idleMaxParkUs must be 1 to 100000 us, got " + idleMaxParkUs);
        }
        this.idleMaxParkUs = idleMaxParkUs;
        return this;
    }

    public long idleMaxParkUs()
    {
        return idleMaxParkUs;
    }

    /**
     * @param ingressEndpoints the members' ingress endpoints, {@code 0=127.0.0.1:p0,1=127.0.0.1:p1,...}
     *                         ({@link CellLayout#ingressEndpoints()}).
     * @return this.
     */
    public CellClientConfig ingressEndpoints(final String ingressEndpoints)
    {
        this.ingressEndpoints = ingressEndpoints;
        return this;
    }

    public String ingressEndpoints()
    {
        return ingressEndpoints;
    }

    /**
     * @param readEndpoints the members' read endpoints, {@code 127.0.0.1:r0,127.0.0.1:r1,...}
     *                      ({@link CellLayout#readEndpoints()}), for eventually consistent reads served by one member
     *                      outside the log; null (the default) sends those through the log too.
     * @return this.
     */
    public CellClientConfig readEndpoints(final String readEndpoints)
    {
        this.readEndpoints = readEndpoints;
        return this;
    }

    public String readEndpoints()
    {
        return readEndpoints;
    }

    /**
     * @param readRetryMs how long an eventually consistent read waits for one member before asking the next.
     * @return this.
     */
    public CellClientConfig readRetryMs(final long readRetryMs)
    {
        if (readRetryMs < 1)
        {
            throw new IllegalArgumentException("readRetryMs must be positive, got " + readRetryMs);
        }
        this.readRetryMs = readRetryMs;
        return this;
    }

    public long readRetryMs()
    {
        return readRetryMs;
    }

    /**
     * @param aeronDir a running media driver's directory, or null (the default) for an embedded driver of the
     *                 client's own.
     * @return this.
     */
    public CellClientConfig aeronDir(final String aeronDir)
    {
        this.aeronDir = aeronDir;
        return this;
    }

    public String aeronDir()
    {
        return aeronDir;
    }

    /**
     * @param driverWaker the waker of the running media driver named by {@link #aeronDir(String)}, when that driver
     *                    was configured with it ({@link DriverWaker#configure}); null (the default) for none. A client
     *                    that starts its own driver makes its own waker.
     * @return this.
     */
    public CellClientConfig driverWaker(final DriverWaker driverWaker)
    {
        this.driverWaker = driverWaker;
        return this;
    }

    public DriverWaker driverWaker()
    {
        return driverWaker;
    }

    /**
     * @param requestTimeoutMs the default timeout of a call (connecting included).
     * @return this.
     */
    public CellClientConfig requestTimeoutMs(final long requestTimeoutMs)
    {
        if (requestTimeoutMs < 1)
        {
            throw new IllegalArgumentException("requestTimeoutMs must be positive, got " + requestTimeoutMs);
        }
        this.requestTimeoutMs = requestTimeoutMs;
        return this;
    }

    public long requestTimeoutMs()
    {
        return requestTimeoutMs;
    }

    /**
     * @param resendIntervalMs how long to wait for an answer before sending a request again.
     * @return this.
     */
    public CellClientConfig resendIntervalMs(final long resendIntervalMs)
    {
        if (resendIntervalMs < 1)
        {
            throw new IllegalArgumentException("resendIntervalMs must be positive, got " + resendIntervalMs);
        }
        this.resendIntervalMs = resendIntervalMs;
        return this;
    }

    public long resendIntervalMs()
    {
        return resendIntervalMs;
    }

    /**
     * @param clientId this client's id, under which the cell remembers its recent writes (random by default; give
     *                 a restarted client its old id to retry its old request ids; new ids from
     *                 {@link CellClient#newRequestId()} start above any it gave out before, being clock based).
     * @return this.
     */
    public CellClientConfig clientId(final long clientId)
    {
        this.clientId = clientId;
        return this;
    }

    public long clientId()
    {
        return clientId;
    }
}
