package io.ferrite.http;

import io.ferrite.engine.config.Settings;

/**
 * Settings of the DynamoDB-compatible HTTP front ({@code ferrite.http.*}): where it listens, how big a request
 * may be, how long a request may take to arrive, how long a connection may sit idle or leave its answers unread, and
 * how many event loops serve it.
 * <p>
 * The front verifies no signature (any SigV4 {@code Authorization} header is accepted), so it listens on
 * 127.0.0.1 unless told otherwise.
 * <p>
 * Threading: build and validate on one thread before {@link HttpFront#start}; read-only after.
 */
public final class HttpConfig
{
    /** Prefix of every key. */
    public static final String PREFIX = "ferrite.http.";
    /** Default port: DynamoDB Local's, so tools that assume it find Ferrite. */
    public static final int DEFAULT_PORT = 8000;
    /** DynamoDB's request size limit. */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024;

    private boolean enabled = true;
    private String host = "127.0.0.1";
    private int port = DEFAULT_PORT;
    private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
    private long requestTimeoutMs = 10_000;
    private long idleTimeoutMs = 120_000;
    private long writeStallTimeoutMs = 30_000;
    private int eventLoops = 1;
    private String region = "us-east-1";

    /**
     * @param settings the loaded settings.
     * @return the config they describe (defaults for keys not set).
     */
    public static HttpConfig from(final Settings settings)
    {
        final HttpConfig config = new HttpConfig();
        config.host = settings.string(PREFIX + "host", config.host);
        final String port = settings.string(PREFIX + "port", Integer.toString(DEFAULT_PORT));
        config.port(port);
        config.maxRequestBytes = (int)settings.longValue(PREFIX + "maxRequestBytes", DEFAULT_MAX_REQUEST_BYTES, 1024,
            Integer.MAX_VALUE);
        config.requestTimeoutMs = settings.longValue(PREFIX + "requestTimeoutMs", config.requestTimeoutMs, 1, 3_600_000);
        config.idleTimeoutMs = settings.longValue(PREFIX + "idleTimeoutMs", config.idleTimeoutMs, 1, 86_400_000);
        config.writeStallTimeoutMs = settings.longValue(PREFIX + "writeStallTimeoutMs", config.writeStallTimeoutMs, 1,
            86_400_000);
        config.eventLoops = (int)settings.longValue(PREFIX + "eventLoops", config.eventLoops, 1, 64);
        config.region = settings.string(PREFIX + "region", config.region);
        return config;
    }

    /**
     * @param port a port number (0 picks a free one) or {@code none} to turn the front off.
     * @return this.
     */
    public HttpConfig port(final String port)
    {
        if ("none".equalsIgnoreCase(port))
        {
            enabled = false;
            return this;
        }
        try
        {
            final int value = Integer.parseInt(port.trim());
            if (value < 0 || value > 65535)
            {
                throw new NumberFormatException();
            }
            this.port = value;
            enabled = true;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(PREFIX + "port (--http-port) must be a port number 0-65535 (0: any free " +
                "port) or none: " + port);
        }
        return this;
    }

    /**
     * @return false when the front is off ({@code --http-port none}).
     */
    public boolean enabled()
    {
        return enabled;
    }

    /**
     * @return the address to bind (default 127.0.0.1).
     */
    public String host()
    {
        return host;
    }

    /**
     * @param host the address to bind.
     * @return this.
     */
    public HttpConfig host(final String host)
    {
        this.host = host;
        return this;
    }

    /**
     * @return the port to bind; 0 means any free port.
     */
    public int port()
    {
        return port;
    }

    /**
     * @return the largest request body accepted (default 16 MiB, DynamoDB's); larger ones get 413.
     */
    public int maxRequestBytes()
    {
        return maxRequestBytes;
    }

    /**
     * @param maxRequestBytes the largest request body accepted.
     * @return this.
     */
    public HttpConfig maxRequestBytes(final int maxRequestBytes)
    {
        this.maxRequestBytes = maxRequestBytes;
        return this;
    }

    /**
     * @return how long a request may take from its first byte to its last before the connection is closed
     *     (slow-loris defence; default 10 s).
     */
    public long requestTimeoutMs()
    {
        return requestTimeoutMs;
    }

    /**
     * @param requestTimeoutMs how long a request may take to arrive.
     * @return this.
     */
    public HttpConfig requestTimeoutMs(final long requestTimeoutMs)
    {
        this.requestTimeoutMs = requestTimeoutMs;
        return this;
    }

    /**
     * @return how long a keep-alive connection may sit with nothing read or written before it is closed.
     */
    public long idleTimeoutMs()
    {
        return idleTimeoutMs;
    }

    /**
     * @param idleTimeoutMs idle connection timeout.
     * @return this.
     */
    public HttpConfig idleTimeoutMs(final long idleTimeoutMs)
    {
        this.idleTimeoutMs = idleTimeoutMs;
        return this;
    }

    /**
     * @return how long a connection's unsent answers may stay over its write buffer's high water mark (its client
     *     is not reading them) before the connection is closed (default 30 s).
     */
    public long writeStallTimeoutMs()
    {
        return writeStallTimeoutMs;
    }

    /**
     * @param writeStallTimeoutMs how long a connection may leave its answers unread before it is closed.
     * @return this.
     */
    public HttpConfig writeStallTimeoutMs(final long writeStallTimeoutMs)
    {
        this.writeStallTimeoutMs = writeStallTimeoutMs;
        return this;
    }

    /**
     * @return Netty event loops; each owns one client session with the node (default 1).
     */
    public int eventLoops()
    {
        return eventLoops;
    }

    /**
     * @return the region named in table ARNs (default us-east-1).
     */
    public String region()
    {
        return region;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return enabled ? "HttpConfig{host=" + host + ", port=" + port + ", maxRequestBytes=" + maxRequestBytes +
            ", requestTimeoutMs=" + requestTimeoutMs + ", idleTimeoutMs=" + idleTimeoutMs + ", writeStallTimeoutMs=" +
            writeStallTimeoutMs + ", eventLoops=" + eventLoops + ", region=" + region + "}" : "HttpConfig{off}";
    }
}
