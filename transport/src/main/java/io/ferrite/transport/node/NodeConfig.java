package io.ferrite.transport.node;

import io.ferrite.engine.admission.TokenBucket;
import io.ferrite.transport.AeronDirectory;
import io.ferrite.transport.CpuAffinity;

import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.config.Settings;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Configuration of a {@link Node}: where its data lives, how it runs Aeron, where it takes requests, how
 * many shard loops it runs and how it treats sessions. Built with the fluent setters or
 * {@link #from(Settings)} (keys {@code ferrite.node.*}; the shards' engine settings are the
 * {@code ferrite.engine.*} keys), checked by {@link #validate()}, printed at start-up by {@link #toString()}.
 * <p>
 * Not thread-safe: configure, then hand to {@link Node#launch(NodeConfig)}, which does not change it.
 */
public final class NodeConfig
{
    /** Prefix of every node setting. */
    public static final String PREFIX = "ferrite.node.";
    static final int MAX_PARTITION_UNITS = 40_000;
    static final int MAX_NODE_UNITS = 100_000_000;
    /** The request stream id of 0004. */
    public static final int DEFAULT_REQUEST_STREAM_ID = 1001;
    /** Default UDP request endpoint. */
    public static final String DEFAULT_UDP_ENDPOINT = "127.0.0.1:40123";

    /** Where the Aeron media driver runs. */
    public enum DriverMode
    {
        /** A media driver inside the node's process (the default). */
        EMBEDDED,
        /** A media driver already running, found through {@link #aeronDir()}. */
        EXTERNAL
    }

    /** Threading of the embedded media driver. */
    public enum DriverThreading
    {
        /** One thread for the conductor, sender and receiver (the default; fits small machines). */
        SHARED,
        /** A thread each for the conductor, sender and receiver (needs cores to spare). */
        DEDICATED,
        /**
         * No thread of its own: the driver's duty cycle runs on the router's thread (with {@code agentThreading}
         * SHARED the whole node is one thread). Only with an embedded driver.
         */
        INVOKER
    }

    /** How the router and the shard loops are given threads. */
    public enum AgentThreading
    {
        /** A thread for the router and one per shard loop (the default; a core each under load). */
        DEDICATED,
        /**
         * The router and every shard loop take turns on one thread: fewer threads competing for few cores
         * (a 2-core host running the node, its driver and clients), at the cost of the shards' parallelism.
         */
        SHARED
    }

    /** What the node's threads (router, shard loops, embedded driver) do when they have no work. */
    public enum Idle
    {
        /** Spin briefly, yield, then park up to 100 us (the default). */
        BACKOFF,
        /** Thread.yield(). */
        YIELD,
        /** Busy spin: lowest latency, one full core per thread; opt-in for dedicated cores only. */
        SPIN
    }

    private Path dataDir = Path.of("data");
    private DriverMode driverMode = DriverMode.EMBEDDED;
    private String aeronDir;
    private DriverThreading driverThreading = DriverThreading.SHARED;
    private Idle idle = Idle.BACKOFF;
    private AgentThreading agentThreading = AgentThreading.DEDICATED;
    private int requestStreamId = DEFAULT_REQUEST_STREAM_ID;
    private String udpEndpoint = DEFAULT_UDP_ENDPOINT;
    private String cpus;
    private int shardCount = 1;
    private long sessionTimeoutNs = TimeUnit.SECONDS.toNanos(10);
    private long keepAliveIntervalNs = TimeUnit.SECONDS.toNanos(1);
    private long connectTimeoutNs = TimeUnit.SECONDS.toNanos(5);
    private long responseBackPressureTimeoutNs = TimeUnit.MILLISECONDS.toNanos(10);
    private long drainTimeoutNs = TimeUnit.SECONDS.toNanos(5);
    private int maxFrameBytes = 1024 * 1024;
    private int shardQueueBytes = 16 * 1024 * 1024;
    private int maxSessions = 1024;
    private int admissionBurstSeconds = 300;
    private int admissionPartitionReadUnits = 3_000;
    private int admissionPartitionWriteUnits = 1_000;
    private int admissionNodeReadUnits = 120_000;
    private int admissionNodeWriteUnits = 40_000;
    private boolean admissionService;
    private String admissionServiceChannel;
    private String admissionGrantChannel = "aeron:udp?endpoint=127.0.0.1:0";
    private long admissionIntervalNs = TimeUnit.MILLISECONDS.toNanos(250);
    private EngineConfig engine = new EngineConfig();

    /**
     * Reads every {@code ferrite.node.*} key, and the {@code ferrite.engine.*} keys for the shards,
     * keeping the defaults for the absent ones.
     *
     * @param settings the loaded settings.
     * @return a new config.
     */
    public static NodeConfig from(final Settings settings)
    {
        final NodeConfig config = new NodeConfig();
        config.dataDir(Path.of(settings.string(PREFIX + "dataDir", config.dataDir.toString())));
        config.driverMode(settings.enumValue(PREFIX + "driver", DriverMode.class, config.driverMode));
        config.aeronDir(settings.string(PREFIX + "aeronDir", null));
        config.driverThreading(settings.enumValue(PREFIX + "driverThreading", DriverThreading.class, config.driverThreading));
        config.idle(settings.enumValue(PREFIX + "idleStrategy", Idle.class, config.idle));
        config.agentThreading(settings.enumValue(PREFIX + "agentThreading", AgentThreading.class, config.agentThreading));
        config.requestStreamId(settings.intValue(PREFIX + "requestStreamId", config.requestStreamId, 1, Integer.MAX_VALUE));
        config.udpEndpoint(settings.string(PREFIX + "udpEndpoint", config.udpEndpoint));
        config.cpus(settings.string(PREFIX + "cpus", null));
        config.shardCount(settings.intValue(PREFIX + "shards", config.shardCount, 1, 64));
        config.sessionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(settings.longValue(
            PREFIX + "sessionTimeoutMs", TimeUnit.NANOSECONDS.toMillis(config.sessionTimeoutNs), 100, 86_400_000)));
        config.keepAliveIntervalNs(TimeUnit.MILLISECONDS.toNanos(settings.longValue(
            PREFIX + "keepAliveIntervalMs", TimeUnit.NANOSECONDS.toMillis(config.keepAliveIntervalNs), 10, 86_400_000)));
        config.connectTimeoutNs(TimeUnit.MILLISECONDS.toNanos(settings.longValue(
            PREFIX + "connectTimeoutMs", TimeUnit.NANOSECONDS.toMillis(config.connectTimeoutNs), 10, 600_000)));
        config.responseBackPressureTimeoutNs(TimeUnit.MICROSECONDS.toNanos(settings.longValue(
            PREFIX + "responseBackPressureTimeoutUs", TimeUnit.NANOSECONDS.toMicros(config.responseBackPressureTimeoutNs),
            0, 60_000_000)));
        config.drainTimeoutNs(TimeUnit.MILLISECONDS.toNanos(settings.longValue(
            PREFIX + "drainTimeoutMs", TimeUnit.NANOSECONDS.toMillis(config.drainTimeoutNs), 0, 600_000)));
        config.maxFrameBytes(settings.intValue(PREFIX + "maxFrameBytes", config.maxFrameBytes, 1024, 64 * 1024 * 1024));
        config.shardQueueBytes(settings.intValue(PREFIX + "shardQueueBytes", config.shardQueueBytes, 64 * 1024, 1 << 30));
        config.maxSessions(settings.intValue(PREFIX + "maxSessions", config.maxSessions, 1, 65_536));
        config.admissionBurstSeconds(settings.intValue(
            PREFIX + "admissionBurstSeconds", config.admissionBurstSeconds, 1, (int)TokenBucket.MAX_BURST_SECONDS));
        config.admissionPartitionReadUnits(settings.intValue(PREFIX + "admissionPartitionReadUnits",
            config.admissionPartitionReadUnits, 1, MAX_PARTITION_UNITS));
        config.admissionPartitionWriteUnits(settings.intValue(PREFIX + "admissionPartitionWriteUnits",
            config.admissionPartitionWriteUnits, 1, MAX_PARTITION_UNITS));
        config.admissionNodeReadUnits(settings.intValue(PREFIX + "admissionNodeReadUnits",
            config.admissionNodeReadUnits, 1, MAX_NODE_UNITS));
        config.admissionNodeWriteUnits(settings.intValue(PREFIX + "admissionNodeWriteUnits",
            config.admissionNodeWriteUnits, 1, MAX_NODE_UNITS));
        config.admissionService(Boolean.parseBoolean(settings.string(PREFIX + "admissionService", "false")));
        config.admissionServiceChannel(settings.string(PREFIX + "admissionServiceChannel", null));
        config.admissionGrantChannel(settings.string(PREFIX + "admissionGrantChannel", config.admissionGrantChannel));
        config.admissionIntervalNs(TimeUnit.MILLISECONDS.toNanos(settings.intValue(
            PREFIX + "admissionIntervalMs", (int)TimeUnit.NANOSECONDS.toMillis(config.admissionIntervalNs), 10, 60_000)));
        config.engine(EngineConfig.from(settings));
        return config;
    }

    /**
     * Checks the combination of values.
     *
     * @return this.
     * @throws IllegalStateException naming the setting that is wrong.
     */
    public NodeConfig validate()
    {
        if (null == dataDir)
        {
            throw new IllegalStateException(PREFIX + "dataDir is not set: the node needs a data directory");
        }
        if (DriverMode.EXTERNAL == driverMode && null == aeronDir)
        {
            throw new IllegalStateException(PREFIX + "driver=EXTERNAL needs " + PREFIX + "aeronDir (the running driver's directory)");
        }
        if (Integer.bitCount(shardQueueBytes) != 1)
        {
            throw new IllegalStateException(PREFIX + "shardQueueBytes=" + shardQueueBytes + " must be a power of two");
        }
        if ((long)maxFrameBytes + RingLayout.HEADER_LENGTH + 64 > shardQueueBytes / 8)
        {
            throw new IllegalStateException(PREFIX + "maxFrameBytes=" + maxFrameBytes + " does not fit the shard queue: a " +
                "request must fit in an eighth of " + PREFIX + "shardQueueBytes=" + shardQueueBytes);
        }
        if (keepAliveIntervalNs >= sessionTimeoutNs)
        {
            throw new IllegalStateException(PREFIX + "keepAliveIntervalMs=" + TimeUnit.NANOSECONDS.toMillis(keepAliveIntervalNs) +
                " must be shorter than " + PREFIX + "sessionTimeoutMs=" + TimeUnit.NANOSECONDS.toMillis(sessionTimeoutNs));
        }
        if (null != cpus)
        {
            CpuAffinity.parse(PREFIX + "cpus", cpus);
        }
        if (null != udpEndpoint)
        {
            final int colon = udpEndpoint.lastIndexOf(':');
            if (colon <= 0 || colon == udpEndpoint.length() - 1)
            {
                throw new IllegalStateException(PREFIX + "udpEndpoint=" + udpEndpoint + " is not host:port (or 'none')");
            }
            try
            {
                final int port = Integer.parseInt(udpEndpoint.substring(colon + 1));
                if (port < 0 || port > 65535)
                {
                    throw new NumberFormatException();
                }
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalStateException(PREFIX + "udpEndpoint=" + udpEndpoint + " has no port in [0, 65535]");
            }
        }
        return this;
    }

    /**
     * @return the node's data directory: shard {@code i} lives in {@code shard-i}, beside the routing
     * metadata ({@code routing.sbe}) and the counters file ({@code node-counters.dat}).
     */
    public Path dataDir()
    {
        return dataDir;
    }

    /**
     * @param dataDir the node's data directory.
     * @return this.
     */
    public NodeConfig dataDir(final Path dataDir)
    {
        this.dataDir = dataDir;
        return this;
    }

    /**
     * @return embedded (default) or external media driver.
     */
    public DriverMode driverMode()
    {
        return driverMode;
    }

    /**
     * @param driverMode embedded or external media driver.
     * @return this.
     */
    public NodeConfig driverMode(final DriverMode driverMode)
    {
        this.driverMode = driverMode;
        return this;
    }

    /**
     * @return the Aeron directory set, or null for the default ({@link #resolvedAeronDir()}).
     */
    public String aeronDir()
    {
        return aeronDir;
    }

    /**
     * @param aeronDir the Aeron directory: where the embedded driver is created, or where the external one runs.
     * @return this.
     */
    public NodeConfig aeronDir(final String aeronDir)
    {
        this.aeronDir = aeronDir;
        return this;
    }

    /**
     * @return the Aeron directory the node uses: the one set, else {@code /dev/shm/ferrite-aeron-<user>}
     * (or under java.io.tmpdir where there is no /dev/shm).
     */
    public String resolvedAeronDir()
    {
        if (null != aeronDir)
        {
            return aeronDir;
        }
        return AeronDirectory.defaultName();
    }

    /**
     * @return the embedded driver's threading.
     */
    public DriverThreading driverThreading()
    {
        return driverThreading;
    }

    /**
     * @param driverThreading the embedded driver's threading.
     * @return this.
     */
    public NodeConfig driverThreading(final DriverThreading driverThreading)
    {
        this.driverThreading = driverThreading;
        return this;
    }

    /**
     * @return whether the router and the shard loops have a thread each or share one.
     */
    public AgentThreading agentThreading()
    {
        return agentThreading;
    }

    /**
     * @param agentThreading whether the router and the shard loops have a thread each or share one.
     * @return this.
     */
    public NodeConfig agentThreading(final AgentThreading agentThreading)
    {
        this.agentThreading = agentThreading;
        return this;
    }

    /**
     * @return the CPUs (kernel list notation, e.g. {@code 0} or {@code 0-1}) the node's agent threads (router,
     *     shard loops, admission service) are confined to, or null: not confined.
     */
    public String cpus()
    {
        return cpus;
    }

    /**
     * Confines the node's agent threads to some CPUs, leaving the others to everything else (the JVM's compiler and
     * GC threads, the kernel's threads, other processes): on a small machine with polling (yield or spin) agents,
     * that work otherwise takes a CPU from a polling thread mid-request. The embedded driver's own threads (driver
     * threading SHARED or DEDICATED) are not confined; with {@code driverThreading=INVOKER} the driver runs on the
     * router's thread, so it is.
     *
     * @param cpus a CPU list such as {@code 0}, {@code 0-1} or {@code 0,2-3}; null or "none" for no confinement.
     * @return this.
     */
    public NodeConfig cpus(final String cpus)
    {
        this.cpus = null == cpus || "none".equalsIgnoreCase(cpus.trim()) ? null : cpus.trim();
        return this;
    }

    /**
     * @return the idle strategy of the router, the shard loops and the embedded driver.
     */
    public Idle idle()
    {
        return idle;
    }

    /**
     * @param idle the idle strategy of the router, the shard loops and the embedded driver.
     * @return this.
     */
    public NodeConfig idle(final Idle idle)
    {
        this.idle = idle;
        return this;
    }

    /**
     * @return the stream id of the request channels (IPC and UDP).
     */
    public int requestStreamId()
    {
        return requestStreamId;
    }

    /**
     * @param requestStreamId the stream id of the request channels.
     * @return this.
     */
    public NodeConfig requestStreamId(final int requestStreamId)
    {
        this.requestStreamId = requestStreamId;
        return this;
    }

    /**
     * @return host:port of the UDP request endpoint (port 0: any free port, reported by
     * {@link Node#udpChannel()}), or null when UDP is disabled.
     */
    public String udpEndpoint()
    {
        return udpEndpoint;
    }

    /**
     * @param udpEndpoint host:port of the UDP request endpoint, or null / "none" to disable UDP.
     * @return this.
     */
    public NodeConfig udpEndpoint(final String udpEndpoint)
    {
        this.udpEndpoint = null == udpEndpoint || udpEndpoint.isBlank() || "none".equalsIgnoreCase(udpEndpoint.trim()) ?
            null : udpEndpoint.trim();
        return this;
    }

    /**
     * @return how many shard loops (each owning an engine shard and a contiguous hash range) the node runs.
     */
    public int shardCount()
    {
        return shardCount;
    }

    /**
     * @param shardCount how many shard loops the node runs (fixed for the life of a data directory).
     * @return this.
     */
    public NodeConfig shardCount(final int shardCount)
    {
        this.shardCount = shardCount;
        return this;
    }

    /**
     * @return how long a session may stay silent before the node closes it.
     */
    public long sessionTimeoutNs()
    {
        return sessionTimeoutNs;
    }

    /**
     * @param sessionTimeoutNs how long a session may stay silent before the node closes it.
     * @return this.
     */
    public NodeConfig sessionTimeoutNs(final long sessionTimeoutNs)
    {
        this.sessionTimeoutNs = sessionTimeoutNs;
        return this;
    }

    /**
     * @return the keep-alive interval the node tells clients to use.
     */
    public long keepAliveIntervalNs()
    {
        return keepAliveIntervalNs;
    }

    /**
     * @param keepAliveIntervalNs the keep-alive interval the node tells clients to use.
     * @return this.
     */
    public NodeConfig keepAliveIntervalNs(final long keepAliveIntervalNs)
    {
        this.keepAliveIntervalNs = keepAliveIntervalNs;
        return this;
    }

    /**
     * @return how long a new session's response publication may take to connect to the client.
     */
    public long connectTimeoutNs()
    {
        return connectTimeoutNs;
    }

    /**
     * @param connectTimeoutNs how long a new session's response publication may take to connect.
     * @return this.
     */
    public NodeConfig connectTimeoutNs(final long connectTimeoutNs)
    {
        this.connectTimeoutNs = connectTimeoutNs;
        return this;
    }

    /**
     * @return how long a loop retries a back-pressured response before it closes that session instead.
     */
    public long responseBackPressureTimeoutNs()
    {
        return responseBackPressureTimeoutNs;
    }

    /**
     * @param responseBackPressureTimeoutNs how long a loop retries a back-pressured response.
     * @return this.
     */
    public NodeConfig responseBackPressureTimeoutNs(final long responseBackPressureTimeoutNs)
    {
        this.responseBackPressureTimeoutNs = responseBackPressureTimeoutNs;
        return this;
    }

    /**
     * @return how long {@link Node#close()} waits for requests in flight to be answered.
     */
    public long drainTimeoutNs()
    {
        return drainTimeoutNs;
    }

    /**
     * @param drainTimeoutNs how long close waits for requests in flight.
     * @return this.
     */
    public NodeConfig drainTimeoutNs(final long drainTimeoutNs)
    {
        this.drainTimeoutNs = drainTimeoutNs;
        return this;
    }

    /**
     * @return the largest request frame accepted; larger ones get a ValidationException.
     */
    public int maxFrameBytes()
    {
        return maxFrameBytes;
    }

    /**
     * @param maxFrameBytes the largest request frame accepted.
     * @return this.
     */
    public NodeConfig maxFrameBytes(final int maxFrameBytes)
    {
        this.maxFrameBytes = maxFrameBytes;
        return this;
    }

    /**
     * @return capacity of each router-to-shard ring buffer (a power of two, at least 8 max frames).
     */
    public int shardQueueBytes()
    {
        return shardQueueBytes;
    }

    /**
     * @param shardQueueBytes capacity of each router-to-shard ring buffer.
     * @return this.
     */
    public NodeConfig shardQueueBytes(final int shardQueueBytes)
    {
        this.shardQueueBytes = shardQueueBytes;
        return this;
    }

    /**
     * @return the most sessions open at once.
     */
    public int maxSessions()
    {
        return maxSessions;
    }

    /**
     * @param maxSessions the most sessions open at once.
     * @return this.
     */
    public NodeConfig maxSessions(final int maxSessions)
    {
        this.maxSessions = maxSessions;
        return this;
    }

    /**
     * @return the seconds of unused capacity a table's admission buckets keep (DynamoDB: 300).
     */
    public int admissionBurstSeconds()
    {
        return admissionBurstSeconds;
    }

    /**
     * @param admissionBurstSeconds seconds of unused capacity a table may burst on, 1 to 3600.
     * @return this.
     */
    public NodeConfig admissionBurstSeconds(final int admissionBurstSeconds)
    {
        if (admissionBurstSeconds < 1 || admissionBurstSeconds > TokenBucket.MAX_BURST_SECONDS)
        {
            throw new IllegalArgumentException("admissionBurstSeconds must be 1 to " + TokenBucket.MAX_BURST_SECONDS +
                ": " + admissionBurstSeconds);
        }
        this.admissionBurstSeconds = admissionBurstSeconds;
        return this;
    }

    /**
     * @return each partition's read ceiling in RCU per second (DynamoDB: 3,000), decision 0009.
     */
    public int admissionPartitionReadUnits()
    {
        return admissionPartitionReadUnits;
    }

    /**
     * @param units each partition's read ceiling in RCU per second, 1 to 40,000.
     * @return this.
     */
    public NodeConfig admissionPartitionReadUnits(final int units)
    {
        this.admissionPartitionReadUnits = checkUnits("admissionPartitionReadUnits", units, MAX_PARTITION_UNITS);
        return this;
    }

    /**
     * @return each partition's write ceiling in WCU per second (DynamoDB: 1,000), decision 0009.
     */
    public int admissionPartitionWriteUnits()
    {
        return admissionPartitionWriteUnits;
    }

    /**
     * @param units each partition's write ceiling in WCU per second, 1 to 40,000.
     * @return this.
     */
    public NodeConfig admissionPartitionWriteUnits(final int units)
    {
        this.admissionPartitionWriteUnits = checkUnits("admissionPartitionWriteUnits", units, MAX_PARTITION_UNITS);
        return this;
    }

    /**
     * @return the node's read capacity in RCU per second: partitions burst only while it has room (decision 0009).
     */
    public int admissionNodeReadUnits()
    {
        return admissionNodeReadUnits;
    }

    /**
     * @param units the node's read capacity in RCU per second, 1 to 100,000,000.
     * @return this.
     */
    public NodeConfig admissionNodeReadUnits(final int units)
    {
        this.admissionNodeReadUnits = checkUnits("admissionNodeReadUnits", units, MAX_NODE_UNITS);
        return this;
    }

    /**
     * @return the node's write capacity in WCU per second: partitions burst only while it has room (decision 0009).
     */
    public int admissionNodeWriteUnits()
    {
        return admissionNodeWriteUnits;
    }

    /**
     * @param units the node's write capacity in WCU per second, 1 to 100,000,000.
     * @return this.
     */
    public NodeConfig admissionNodeWriteUnits(final int units)
    {
        this.admissionNodeWriteUnits = checkUnits("admissionNodeWriteUnits", units, MAX_NODE_UNITS);
        return this;
    }

    private static int checkUnits(final String name, final int units, final int max)
    {
        if (units < 1 || units > max)
        {
            throw new IllegalArgumentException(name + " must be 1 to " + max + " units per second: " + units);
        }
        return units;
    }

    /**
     * @return true when this node hosts the global admission service (decision 0009).
     */
    public boolean admissionService()
    {
        return admissionService;
    }

    /**
     * @param admissionService host the global admission service, on {@link #admissionServiceChannel()} (default
     *                         {@code aeron:udp?endpoint=127.0.0.1:0}, an ephemeral port: see
     *                         {@link Node#admissionServiceChannel()}).
     * @return this.
     */
    public NodeConfig admissionService(final boolean admissionService)
    {
        this.admissionService = admissionService;
        return this;
    }

    /**
     * @return where the admission service listens (hosting node) or is reached (other nodes); null: none, each
     *     router admits its tables' whole rate alone.
     */
    public String admissionServiceChannel()
    {
        return admissionServiceChannel;
    }

    /**
     * @param admissionServiceChannel an Aeron channel, e.g. {@code aeron:udp?endpoint=10.0.0.1:40200}.
     * @return this.
     */
    public NodeConfig admissionServiceChannel(final String admissionServiceChannel)
    {
        this.admissionServiceChannel = admissionServiceChannel;
        return this;
    }

    /**
     * @return the channel the router receives its grants on (port 0: ephemeral, reported to the service).
     */
    public String admissionGrantChannel()
    {
        return admissionGrantChannel;
    }

    /**
     * @param admissionGrantChannel a UDP channel on an address the service can reach.
     * @return this.
     */
    public NodeConfig admissionGrantChannel(final String admissionGrantChannel)
    {
        this.admissionGrantChannel = admissionGrantChannel;
        return this;
    }

    /**
     * @return how often a router reports its demand and receives its share.
     */
    public long admissionIntervalNs()
    {
        return admissionIntervalNs;
    }

    /**
     * @param admissionIntervalNs report interval in nanoseconds (default 250 ms).
     * @return this.
     */
    public NodeConfig admissionIntervalNs(final long admissionIntervalNs)
    {
        this.admissionIntervalNs = admissionIntervalNs;
        return this;
    }

    /**
     * @return the engine settings every shard uses (its data directory is set per shard).
     */
    public EngineConfig engine()
    {
        return engine;
    }

    /**
     * @param engine the engine settings every shard uses (its dataDir is ignored).
     * @return this.
     */
    public NodeConfig engine(final EngineConfig engine)
    {
        this.engine = engine;
        return this;
    }

    /**
     * @param shardIndex a shard.
     * @return the engine configuration of that shard: the template's values, data in {@code shard-<i>}.
     */
    public EngineConfig engineConfigFor(final int shardIndex)
    {
        return engine.copy().dataDir(dataDir.resolve("shard-" + shardIndex));
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "NodeConfig{" +
            "dataDir=" + dataDir.toAbsolutePath() +
            ", driver=" + driverMode +
            ", aeronDir=" + resolvedAeronDir() +
            ", driverThreading=" + driverThreading +
            ", idleStrategy=" + idle +
            ", agentThreading=" + agentThreading +
            ", cpus=" + (null == cpus ? "any" : cpus) +
            ", requestStreamId=" + requestStreamId +
            ", udpEndpoint=" + (null == udpEndpoint ? "none" : udpEndpoint) +
            ", shards=" + shardCount +
            ", sessionTimeoutMs=" + TimeUnit.NANOSECONDS.toMillis(sessionTimeoutNs) +
            ", keepAliveIntervalMs=" + TimeUnit.NANOSECONDS.toMillis(keepAliveIntervalNs) +
            ", connectTimeoutMs=" + TimeUnit.NANOSECONDS.toMillis(connectTimeoutNs) +
            ", responseBackPressureTimeoutUs=" + TimeUnit.NANOSECONDS.toMicros(responseBackPressureTimeoutNs) +
            ", drainTimeoutMs=" + TimeUnit.NANOSECONDS.toMillis(drainTimeoutNs) +
            ", maxFrameBytes=" + maxFrameBytes +
            ", shardQueueBytes=" + shardQueueBytes +
            ", maxSessions=" + maxSessions +
            ", admissionBurstSeconds=" + admissionBurstSeconds +
            ", admissionPartitionReadUnits=" + admissionPartitionReadUnits +
            ", admissionPartitionWriteUnits=" + admissionPartitionWriteUnits +
            ", admissionNodeReadUnits=" + admissionNodeReadUnits +
            ", admissionNodeWriteUnits=" + admissionNodeWriteUnits +
            ", admissionService=" + admissionService +
            ", admissionServiceChannel=" + admissionServiceChannel +
            ", admissionIntervalMs=" + TimeUnit.NANOSECONDS.toMillis(admissionIntervalNs) +
            ", engine=" + engine +
            '}';
    }
}
