package io.ferrite.transport.client;

import io.ferrite.transport.AeronDirectory;

import io.aeron.Aeron;
import io.ferrite.engine.config.Settings;

import java.util.concurrent.TimeUnit;

/**
 * Configuration of one {@link FerriteClient}: where the node listens, where responses come back, which
 * Aeron to use, timeouts, the in-flight bound and the retry budget. Built with fluent setters or
 * {@link #from(Settings)} (keys {@code ferrite.client.*}); printed by {@link #toString()}.
 * <p>
 * Channels: on one host use IPC ({@code aeron:ipc}, the default, through the node's media driver: set
 * {@link #aeronDir(String)} to the node's). Across hosts use UDP: request channel
 * {@code aeron:udp?endpoint=NODE_HOST:PORT} and response channel {@code aeron:udp?endpoint=MY_HOST:0}
 * (port 0 binds a free port, which the client then names in its ConnectRequest), usually with
 * {@link #embeddedDriver(boolean)} on the client's host.
 * <p>
 * Not thread-safe: configure, then pass to {@link FerriteClient#connect(ClientConfig)}, which does not change it.
 */
public final class ClientConfig
{
    /** Prefix of every client setting. */
    public static final String PREFIX = "ferrite.client.";
    /**
     * The shortest {@link #nodeSilenceTimeoutNs(long)}: ten of Aeron's idle-publication heartbeats (100 ms), so that
     * a few lost or late ones on a loaded host do not end a live session.
     */
    public static final long MIN_NODE_SILENCE_TIMEOUT_MS = 1000;
    /** The node's default request stream id. */
    public static final int DEFAULT_REQUEST_STREAM_ID = 1001;

    private String aeronDir = AeronDirectory.defaultName();
    private Aeron aeron;
    private boolean embeddedDriver;
    private String requestChannel = "aeron:ipc";
    private int requestStreamId = DEFAULT_REQUEST_STREAM_ID;
    private String responseChannel = "aeron:ipc";
    private int responseStreamId;
    private long connectTimeoutNs = TimeUnit.SECONDS.toNanos(5);
    private long requestTimeoutNs = TimeUnit.SECONDS.toNanos(5);
    private long tableTimeoutNs = TimeUnit.SECONDS.toNanos(60);
    private int maxInFlight = 4096;
    private int maxAttempts = 4;
    private long retryBaseBackoffNs = TimeUnit.MILLISECONDS.toNanos(1);
    private long retryMaxBackoffNs = TimeUnit.MILLISECONDS.toNanos(100);
    private long keepAliveIntervalNs;
    private long nodeSilenceTimeoutNs = TimeUnit.SECONDS.toNanos(5);
    private int fragmentLimit = 256;
    private int commandQueueCapacity = 1024;

    /**
     * Reads every {@code ferrite.client.*} key, keeping the defaults for the absent ones.
     *
     * @param settings the loaded settings.
     * @return a new config.
     */
    public static ClientConfig from(final Settings settings)
    {
        final ClientConfig config = new ClientConfig();
        config.aeronDir(settings.string(PREFIX + "aeronDir", config.aeronDir));
        config.embeddedDriver(Boolean.parseBoolean(settings.string(PREFIX + "embeddedDriver", "false")));
        config.requestChannel(settings.string(PREFIX + "requestChannel", config.requestChannel));
        config.requestStreamId(settings.intValue(PREFIX + "requestStreamId", config.requestStreamId, 1, Integer.MAX_VALUE));
        config.responseChannel(settings.string(PREFIX + "responseChannel", config.responseChannel));
        config.responseStreamId(settings.intValue(PREFIX + "responseStreamId", 0, 0, Integer.MAX_VALUE));
        config.connectTimeoutNs(TimeUnit.MILLISECONDS.toNanos(
            settings.longValue(PREFIX + "connectTimeoutMs", TimeUnit.NANOSECONDS.toMillis(config.connectTimeoutNs), 1, 3_600_000)));
        config.requestTimeoutNs(TimeUnit.MILLISECONDS.toNanos(
            settings.longValue(PREFIX + "requestTimeoutMs", TimeUnit.NANOSECONDS.toMillis(config.requestTimeoutNs), 1, 3_600_000)));
        config.tableTimeoutNs(TimeUnit.MILLISECONDS.toNanos(
            settings.longValue(PREFIX + "tableTimeoutMs", TimeUnit.NANOSECONDS.toMillis(config.tableTimeoutNs), 1, 3_600_000)));
        config.maxInFlight(settings.intValue(PREFIX + "maxInFlight", config.maxInFlight, 1, 1 << 20));
        config.maxAttempts(settings.intValue(PREFIX + "maxAttempts", config.maxAttempts, 1, 100));
        config.retryBaseBackoffNs(TimeUnit.MICROSECONDS.toNanos(settings.longValue(
            PREFIX + "retryBaseBackoffUs", TimeUnit.NANOSECONDS.toMicros(config.retryBaseBackoffNs), 1, 60_000_000)));
        config.retryMaxBackoffNs(TimeUnit.MICROSECONDS.toNanos(settings.longValue(
            PREFIX + "retryMaxBackoffUs", TimeUnit.NANOSECONDS.toMicros(config.retryMaxBackoffNs), 1, 600_000_000)));
        config.keepAliveIntervalNs(TimeUnit.MILLISECONDS.toNanos(settings.longValue(PREFIX + "keepAliveIntervalMs", 0, 0, 3_600_000)));
        config.nodeSilenceTimeoutNs(TimeUnit.MILLISECONDS.toNanos(settings.longValue(PREFIX + "nodeSilenceTimeoutMs",
            TimeUnit.NANOSECONDS.toMillis(config.nodeSilenceTimeoutNs), MIN_NODE_SILENCE_TIMEOUT_MS, 3_600_000)));
        return config;
    }

    /**
     * @return the Aeron directory of the media driver to use (ignored when an Aeron instance or an
     *     embedded driver is given).
     */
    public String aeronDir()
    {
        return aeronDir;
    }

    /**
     * @param aeronDir the Aeron directory of a running media driver (the node's, for IPC).
     * @return this.
     */
    public ClientConfig aeronDir(final String aeronDir)
    {
        this.aeronDir = aeronDir;
        return this;
    }

    /**
     * @return an Aeron instance the application owns, or null to connect one.
     */
    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * @param aeron an Aeron instance to use (the client does not close it), or null.
     * @return this.
     */
    public ClientConfig aeron(final Aeron aeron)
    {
        this.aeron = aeron;
        return this;
    }

    /**
     * @return true to start a media driver inside the client (SHARED threading, backoff idle) in
     *     {@link #aeronDir()}, which must not be in use.
     */
    public boolean embeddedDriver()
    {
        return embeddedDriver;
    }

    /**
     * @param embeddedDriver true to start a media driver inside the client (for UDP from a host with none).
     * @return this.
     */
    public ClientConfig embeddedDriver(final boolean embeddedDriver)
    {
        this.embeddedDriver = embeddedDriver;
        return this;
    }

    /**
     * @return the node's request channel.
     */
    public String requestChannel()
    {
        return requestChannel;
    }

    /**
     * @param requestChannel {@code aeron:ipc} or {@code aeron:udp?endpoint=host:port} (the node's).
     * @return this.
     */
    public ClientConfig requestChannel(final String requestChannel)
    {
        this.requestChannel = requestChannel;
        return this;
    }

    /**
     * @return the node's request stream id.
     */
    public int requestStreamId()
    {
        return requestStreamId;
    }

    /**
     * @param requestStreamId the node's request stream id (default 1001).
     * @return this.
     */
    public ClientConfig requestStreamId(final int requestStreamId)
    {
        this.requestStreamId = requestStreamId;
        return this;
    }

    /**
     * @return the channel this client receives responses on.
     */
    public String responseChannel()
    {
        return responseChannel;
    }

    /**
     * @param responseChannel {@code aeron:ipc}, or {@code aeron:udp?endpoint=my-host:port} (port 0: any free port).
     * @return this.
     */
    public ClientConfig responseChannel(final String responseChannel)
    {
        this.responseChannel = responseChannel;
        return this;
    }

    /**
     * @return the response stream id, or 0 to pick a random one (needed on IPC, where every client on
     *     the driver shares the channel and only the stream id tells them apart).
     */
    public int responseStreamId()
    {
        return responseStreamId;
    }

    /**
     * @param responseStreamId the response stream id, or 0 for a random one.
     * @return this.
     */
    public ClientConfig responseStreamId(final int responseStreamId)
    {
        this.responseStreamId = responseStreamId;
        return this;
    }

    /**
     * @return how long connecting may take before it fails, in nanoseconds.
     */
    public long connectTimeoutNs()
    {
        return connectTimeoutNs;
    }

    /**
     * @param connectTimeoutNs how long connecting may take before it fails.
     * @return this.
     */
    public ClientConfig connectTimeoutNs(final long connectTimeoutNs)
    {
        this.connectTimeoutNs = connectTimeoutNs;
        return this;
    }

    /**
     * @return the default time a request may take, retries included, in nanoseconds.
     */
    public long requestTimeoutNs()
    {
        return requestTimeoutNs;
    }

    /**
     * @param requestTimeoutNs the default time a request may take, retries included.
     * @return this.
     */
    public ClientConfig requestTimeoutNs(final long requestTimeoutNs)
    {
        this.requestTimeoutNs = requestTimeoutNs;
        return this;
    }

    /**
     * @return the timeout of the blocking API's CreateTable and DeleteTable, in nanoseconds (creating a
     *     table sizes and maps its stores, which takes seconds).
     */
    public long tableTimeoutNs()
    {
        return tableTimeoutNs;
    }

    /**
     * @param tableTimeoutNs the timeout of the blocking API's CreateTable and DeleteTable.
     * @return this.
     */
    public ClientConfig tableTimeoutNs(final long tableTimeoutNs)
    {
        this.tableTimeoutNs = tableTimeoutNs;
        return this;
    }

    /**
     * @return the most requests in flight at once.
     */
    public int maxInFlight()
    {
        return maxInFlight;
    }

    /**
     * @param maxInFlight the most requests in flight at once; a send beyond it returns
     *     {@link FerriteClient#IN_FLIGHT_LIMIT}.
     * @return this.
     */
    public ClientConfig maxInFlight(final int maxInFlight)
    {
        this.maxInFlight = maxInFlight;
        return this;
    }

    /**
     * @return attempts in all for a request that meets retryable errors.
     */
    public int maxAttempts()
    {
        return maxAttempts;
    }

    /**
     * @param maxAttempts attempts in all (1 = no retries).
     * @return this.
     */
    public ClientConfig maxAttempts(final int maxAttempts)
    {
        this.maxAttempts = maxAttempts;
        return this;
    }

    /**
     * @return the largest wait before a first retry, in nanoseconds.
     */
    public long retryBaseBackoffNs()
    {
        return retryBaseBackoffNs;
    }

    /**
     * @param retryBaseBackoffNs the largest wait before a first retry (doubling for each later one).
     * @return this.
     */
    public ClientConfig retryBaseBackoffNs(final long retryBaseBackoffNs)
    {
        this.retryBaseBackoffNs = retryBaseBackoffNs;
        return this;
    }

    /**
     * @return the cap on any one retry wait, in nanoseconds.
     */
    public long retryMaxBackoffNs()
    {
        return retryMaxBackoffNs;
    }

    /**
     * @param retryMaxBackoffNs the cap on any one retry wait.
     * @return this.
     */
    public ClientConfig retryMaxBackoffNs(final long retryMaxBackoffNs)
    {
        this.retryMaxBackoffNs = retryMaxBackoffNs;
        return this;
    }

    /**
     * @return the keep-alive interval, or 0 to use the one the node asks for in its ConnectResponse.
     */
    public long keepAliveIntervalNs()
    {
        return keepAliveIntervalNs;
    }

    /**
     * @param keepAliveIntervalNs send a KeepAlive after this long without sending anything; 0 = the node's.
     * @return this.
     */
    public ClientConfig keepAliveIntervalNs(final long keepAliveIntervalNs)
    {
        this.keepAliveIntervalNs = keepAliveIntervalNs;
        return this;
    }

    /**
     * @return how long the node's response stream may stay silent before the client decides the node is gone; see
     *     {@link #nodeSilenceTimeoutNs(long)}.
     */
    public long nodeSilenceTimeoutNs()
    {
        return nodeSilenceTimeoutNs;
    }

    /**
     * How long the node may stay silent before the client decides it is gone (dead, frozen, cut off) and fails every
     * request in flight with {@link ClientFailure#NODE_UNAVAILABLE}, through any media driver. The client sends a
     * KeepAlive when it has heard nothing from the node for a quarter of this, which the node answers at once (protocol
     * version 6 on), and ends the session when nothing at all, answers or KeepAlives, arrives for this long while an
     * answer is owed. It is also the image liveness timeout of the client's {@link #embeddedDriver(boolean) embedded}
     * media driver, so over UDP the node's stream goes away as soon when not even Aeron's 100 ms heartbeats come. A node
     * that stalls for longer (a long GC pause of its JVM) is taken as gone too: keep this above the node's longest
     * pause.
     *
     * @param nodeSilenceTimeoutNs at least {@link #MIN_NODE_SILENCE_TIMEOUT_MS} ms.
     * @return this.
     */
    public ClientConfig nodeSilenceTimeoutNs(final long nodeSilenceTimeoutNs)
    {
        if (nodeSilenceTimeoutNs < TimeUnit.MILLISECONDS.toNanos(MIN_NODE_SILENCE_TIMEOUT_MS))
        {
            throw new IllegalArgumentException(PREFIX + "nodeSilenceTimeoutMs must be at least " +
                MIN_NODE_SILENCE_TIMEOUT_MS + " ms (ten of Aeron's 100 ms heartbeats), got " +
                TimeUnit.NANOSECONDS.toMillis(nodeSilenceTimeoutNs) + " ms");
        }
        this.nodeSilenceTimeoutNs = nodeSilenceTimeoutNs;
        return this;
    }

    /**
     * @return the most response fragments read by one {@link FerriteClient#poll()}.
     */
    public int fragmentLimit()
    {
        return fragmentLimit;
    }

    /**
     * @param fragmentLimit the most response fragments read by one poll.
     * @return this.
     */
    public ClientConfig fragmentLimit(final int fragmentLimit)
    {
        this.fragmentLimit = fragmentLimit;
        return this;
    }

    /**
     * @return capacity of the queue of {@link FerriteClient#submit(ClientCommand) submitted} commands.
     */
    public int commandQueueCapacity()
    {
        return commandQueueCapacity;
    }

    /**
     * @param commandQueueCapacity capacity of the queue of submitted commands (background mode).
     * @return this.
     */
    public ClientConfig commandQueueCapacity(final int commandQueueCapacity)
    {
        this.commandQueueCapacity = commandQueueCapacity;
        return this;
    }

    /**
     * @return the retry policy these settings describe.
     */
    public RetryPolicy retryPolicy()
    {
        return new RetryPolicy(maxAttempts, retryBaseBackoffNs, retryMaxBackoffNs);
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "ClientConfig{" +
            (null != aeron ? "aeron=<given>" : "aeronDir=" + aeronDir + (embeddedDriver ? " (embedded driver)" : "")) +
            ", requestChannel=" + requestChannel + " stream " + requestStreamId +
            ", responseChannel=" + responseChannel + " stream " + (0 == responseStreamId ? "random" : responseStreamId) +
            ", connectTimeoutMs=" + TimeUnit.NANOSECONDS.toMillis(connectTimeoutNs) +
            ", requestTimeoutMs=" + TimeUnit.NANOSECONDS.toMillis(requestTimeoutNs) +
            ", tableTimeoutMs=" + TimeUnit.NANOSECONDS.toMillis(tableTimeoutNs) +
            ", maxInFlight=" + maxInFlight +
            ", maxAttempts=" + maxAttempts +
            ", retryBaseBackoffUs=" + TimeUnit.NANOSECONDS.toMicros(retryBaseBackoffNs) +
            ", retryMaxBackoffUs=" + TimeUnit.NANOSECONDS.toMicros(retryMaxBackoffNs) +
            ", keepAliveIntervalMs=" + (0 == keepAliveIntervalNs ? "node's" : TimeUnit.NANOSECONDS.toMillis(keepAliveIntervalNs)) +
            ", nodeSilenceTimeoutMs=" + TimeUnit.NANOSECONDS.toMillis(nodeSilenceTimeoutNs) +
            '}';
    }
}
