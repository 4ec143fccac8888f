package io.ferrite.transport.node;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.ferrite.codecs.sbe.TableStatus;
import io.ferrite.transport.AeronDirectory;
import io.ferrite.transport.CpuAffinity;
import io.ferrite.engine.shard.Shard;
import io.ferrite.engine.table.TableSpec;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.OffsetEpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A Ferrite node: an Aeron media driver (embedded by default), a router agent taking SBE requests on an
 * IPC and a UDP channel, and N shard loops each owning one engine shard of the data directory
 * (docs/decisions/0004-client-protocol.md, 0005-node.md).
 * <pre>{@code
 * try (Node node = Node.launch(new NodeConfig().dataDir(dir).aeronDir(aeronDir).udpEndpoint("127.0.0.1:0")))
 * {
 *     System.out.println(node.readyLine());   // ferrite: node ready ipc=aeron:ipc/1001 udp=127.0.0.1:40123 ...
 *     // clients publish to node.ipcChannel() or node.udpChannel(), stream node.requestStreamId()
 * }
 * }</pre>
 * <b>Threading:</b> {@link #launch} and {@link #close} from one thread; the accessors from any thread.
 * The node runs its own threads: the router, one per shard, the embedded driver's and Aeron's client
 * conductor.
 * <p>
 * <b>Durability:</b> a write is answered after its shard appended it to the WAL (per the engine's fsync
 * policy). {@link #close} stops taking requests, answers what is in flight, checkpoints every shard
 * (syncing the WAL), closes the sessions and the driver. Restart recovers every answered write and
 * completes a CreateTable or DeleteTable that a crash left done on some shards only.
 */
public final class Node implements AutoCloseable
{
    /** The IPC request channel. */
    public static final String IPC_CHANNEL = "aeron:ipc";
    private static final long UDP_BIND_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final NodeConfig config;
    private final List<String> startupReport = new ArrayList<>();
    private final Shard[] shards;
    private final String aeronDir;
    private NodeCounters counters;
    private MediaDriver driver;
    private Aeron aeron;
    private Router router;
    private AgentRunner routerRunner;
    private AgentRunner admissionRunner;
    private AdmissionService admissionService;
    private String admissionServiceChannel;
    private final AgentRunner[] shardRunners;
    private String udpEndpoint;
    private boolean agentsShareOneThread;
    private boolean closed;

    private Node(final NodeConfig config)
    {
        this.config = config.validate();
        this.aeronDir = config.resolvedAeronDir();
        final int shardCount = config.shardCount();
        shards = new Shard[shardCount];
        shardRunners = new AgentRunner[shardCount];
        try
        {
            Files.createDirectories(config.dataDir());
            for (int i = 0; i < shardCount; i++)
            {
                // System.nanoTime plus a sampled offset: SystemEpochNanoClock builds an Instant per call
                shards[i] = Shard.open(config.engineConfigFor(i), new OffsetEpochNanoClock());
                startupReport.add("shard " + i + " recovered: " + shards[i].recoveryReport());
            }
            final RoutingMetadata metadata = RoutingMetadata.load(config.dataDir(), shardCount);
            reconcile(metadata);

            counters = new NodeCounters(config.dataDir(), shardCount);
            final RingBuffer[] toShards = new RingBuffer[shardCount];
            for (int i = 0; i < shardCount; i++)
            {
                toShards[i] = new OneToOneRingBuffer(ring(config.shardQueueBytes()));
            }
            final RingBuffer replies = new ManyToOneRingBuffer(ring(config.shardQueueBytes()));
            final AtomicReferenceArray<ResponseTarget> slots = new AtomicReferenceArray<>(config.maxSessions());
            final AtomicReferenceArray<TableAdmission> admissions = new AtomicReferenceArray<>(RoutingMetadata.MAX_ROUTES);
            final ShardLoop[] loops = new ShardLoop[shardCount];
            for (int i = 0; i < shardCount; i++)
            {
                loops[i] = new ShardLoop(i, shards[i], toShards[i], replies, slots, admissions, counters,
                    config.responseBackPressureTimeoutNs(), config.dataDir().resolve("histograms"));
                for (final TableRoute route : metadata.tables())
                {
                    loops[i].bind(route.routeId, shards[i].table(route.name()));
                }
                // This thread opened the shard, reconciled its tables and took their handles, so it owns it: hand it
                // over to the thread that runs its loop, which owns it from its first call (this thread calls it
                // again only to close it when that loop never started).
                shards[i].releaseOwnership();
            }

            if (NodeConfig.DriverMode.EMBEDDED == config.driverMode())
            {
                final MediaDriver.Context driverContext = driverContext();
                final long deadPid = AeronDirectory.deadDriverPid(aeronDir);
                if (deadPid > 0)
                {
                    // Killed (SIGKILL, a crash): its heartbeat reads as alive for 10 s more, which refused this start.
                    startupReport.add("the media driver that used " + aeronDir + " (process " + deadPid +
                        ") is gone: its directory was replaced");
                    driverContext.dirDeleteOnStart(true);
                }
                driver = MediaDriver.launch(driverContext);
            }
            final Aeron.Context aeronContext = new Aeron.Context().aeronDirectoryName(aeronDir);
            final AgentInvoker driverInvoker = null == driver ? null : driver.sharedAgentInvoker();
            if (null != driverInvoker)
            {
                // until the router's thread runs it, the driver is invoked by whoever waits on it
                aeronContext.useConductorAgentInvoker(true).driverAgentInvoker(driverInvoker);
            }
            aeron = Aeron.connect(aeronContext);
            final List<String> channels = new ArrayList<>();
            channels.add(IPC_CHANNEL);
            if (null != config.udpEndpoint())
            {
                channels.add("aeron:udp?endpoint=" + config.udpEndpoint());
            }
            String admissionChannel = config.admissionServiceChannel();
            if (config.admissionService())
            {
                admissionService = new AdmissionService(aeron,
                    null == admissionChannel ? "aeron:udp?endpoint=127.0.0.1:0" : admissionChannel,
                    config.admissionIntervalNs());
                admissionChannel = "aeron:udp?endpoint=" + awaitBound(admissionService.subscription(), driverInvoker);
                admissionServiceChannel = admissionChannel;
            }
            router = new Router(config, counters, metadata, toShards, replies, slots, admissions, aeron, channels,
                admissionChannel);
            if (null != config.udpEndpoint())
            {
                udpEndpoint = awaitBound(router.subscription(1), driverInvoker);
            }

            // on the router's thread, in order: the shard loops when shared (they close, so checkpoint, their
            // shards before the router closes the sessions), the router, the driver when invoked
            final List<Agent> routerThread = new ArrayList<>();
            if (NodeConfig.AgentThreading.SHARED == config.agentThreading())
            {
                routerThread.addAll(List.of(loops));
                agentsShareOneThread = true;
            }
            else
            {
                for (int i = 0; i < shardCount; i++)
                {
                    shardRunners[i] = new AgentRunner(idleStrategy(), Node::onAgentError, null, pinned(loops[i]));
                    AgentRunner.startOnThread(shardRunners[i]);
                }
            }
            routerThread.add(router);
            if (null != admissionService)
            {
                if (agentsShareOneThread)
                {
                    routerThread.add(admissionService);
                }
                else
                {
                    admissionRunner = new AgentRunner(idleStrategy(), Node::onAgentError, null, pinned(admissionService));
                    AgentRunner.startOnThread(admissionRunner);
                }
            }
            if (null != driverInvoker)
            {
                routerThread.add(new InvokedAgent(driverInvoker, "ferrite-driver"));
                routerThread.add(new InvokedAgent(aeron.conductorAgentInvoker(), "ferrite-aeron-client"));
            }
            routerRunner = new AgentRunner(idleStrategy(), Node::onAgentError, null,
                pinned(1 == routerThread.size() ? router : new CompositeAgent(routerThread)));
            AgentRunner.startOnThread(routerRunner);
        }
        catch (final IOException ex)
        {
            closeAfterFailure();
            throw new UncheckedIOException("cannot start node on " + config.dataDir(), ex);
        }
        catch (final RuntimeException | Error ex)
        {
            closeAfterFailure();
            throw ex;
        }
    }

    /**
     * Starts a node: opens (recovering) every shard, repairs the routing metadata, starts the driver (if
     * embedded), binds the request channels and starts the router and shard loops.
     *
     * @param config the node's configuration.
     * @return the running node; close it to shut it down cleanly.
     */
    public static Node launch(final NodeConfig config)
    {
        return new Node(config);
    }

    /**
     * @return the configuration the node runs with.
     */
    public NodeConfig config()
    {
        return config;
    }

    Router router()
    {
        return router;
    }

    /**
     * @return the IPC request channel ({@value #IPC_CHANNEL}), on {@link #requestStreamId()}.
     */
    public String ipcChannel()
    {
        return IPC_CHANNEL;
    }

    /**
     * @return the channel this node's global admission service listens on (its bound port), or null when the node
     *     does not host one ({@code ferrite.node.admissionService}); other nodes set it as their
     *     {@code ferrite.node.admissionServiceChannel}.
     */
    public String admissionServiceChannel()
    {
        return admissionServiceChannel;
    }

    /**
     * @return the UDP request channel, e.g. {@code aeron:udp?endpoint=127.0.0.1:40123} (the bound port when
     * port 0 was configured), or null when UDP is disabled.
     */
    public String udpChannel()
    {
        return null == udpEndpoint ? null : "aeron:udp?endpoint=" + udpEndpoint;
    }

    /**
     * @return host:port the UDP request channel is bound to, or null when UDP is disabled.
     */
    public String udpEndpoint()
    {
        return udpEndpoint;
    }

    /**
     * @return the stream id of the request channels.
     */
    public int requestStreamId()
    {
        return config.requestStreamId();
    }

    /**
     * @return the Aeron directory of the driver the node uses (IPC clients connect to it).
     */
    public String aeronDirectoryName()
    {
        return aeronDir;
    }

    /**
     * @param index a shard's index.
     * @return that shard, for fault injection in tests (its owner is its loop's thread: do not call it otherwise).
     */
    Shard shardForTesting(final int index)
    {
        return shards[index];
    }

    /**
     * @return the node's counters (read them with {@link NodeCounters#reader()}).
     */
    public NodeCounters counters()
    {
        return counters;
    }

    /**
     * @return what start-up found and did: each shard's recovery and every routing repair.
     */
    public List<String> startupReport()
    {
        return Collections.unmodifiableList(startupReport);
    }

    /**
     * @return the line printed once the node serves:
     * {@code ferrite: node ready ipc=aeron:ipc/<stream> udp=<host:port|none> aeronDir=<dir> shards=<n> dataDir=<dir>}.
     */
    public String readyLine()
    {
        return "ferrite: node ready ipc=" + IPC_CHANNEL + "/" + config.requestStreamId() +
            " udp=" + (null == udpEndpoint ? "none" : udpEndpoint) +
            " aeronDir=" + aeronDir +
            " shards=" + config.shardCount() +
            " dataDir=" + config.dataDir().toAbsolutePath();
    }

    /**
     * Shuts down cleanly: stops taking requests, waits (up to {@code ferrite.node.drainTimeoutMs}) for the
     * requests in flight to be answered, checkpoints and closes every shard (WAL synced), closes the
     * sessions, the Aeron client and the embedded driver. The counters file stays, with its last values.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (null != router && null != routerRunner)
        {
            router.beginDrain();
            final long deadlineNs = System.nanoTime() + config.drainTimeoutNs();
            while (!router.isDrained() && System.nanoTime() - deadlineNs < 0)
            {
                sleepMs(1);
            }
        }
        for (final AgentRunner runner : shardRunners)
        {
            CloseHelper.quietClose(runner);
        }
        CloseHelper.quietClose(routerRunner);
        CloseHelper.quietClose(admissionRunner);
        closeShardsNotRunning();
        CloseHelper.quietClose(aeron);
        CloseHelper.quietClose(driver);
        CloseHelper.quietClose(counters);
    }

    private void closeAfterFailure()
    {
        closed = true;
        for (final AgentRunner runner : shardRunners)
        {
            CloseHelper.quietClose(runner);
        }
        CloseHelper.quietClose(routerRunner);
        CloseHelper.quietClose(admissionRunner);
        closeShardsNotRunning();
        CloseHelper.quietClose(aeron);
        CloseHelper.quietClose(driver);
        CloseHelper.quietClose(counters);
    }

    private void closeShardsNotRunning()
    {
        for (int i = 0; i < shards.length; i++)
        {
            if (null == shardRunners[i] && !agentsShareOneThread && null != shards[i])
            {
                CloseHelper.quietClose(shards[i]);
            }
        }
    }

    /**
     * Makes every shard agree with the routing metadata before anything is served: completes a CreateTable
     * or DeleteTable that was in flight at a crash, and adopts tables the metadata does not know.
     */
    private void reconcile(final RoutingMetadata metadata)
    {
        final List<Map<String, TableSpec>> onShards = new ArrayList<>();
        final Map<String, TableSpec> union = new LinkedHashMap<>();
        for (int i = 0; i < shards.length; i++)
        {
            final Map<String, TableSpec> tables = new LinkedHashMap<>();
            String start = null;
            do
            {
                final List<String> names = new ArrayList<>();
                start = shards[i].listTables(start, 100, names);
                for (final String name : names)
                {
                    final TableSpec spec = shards[i].describeTable(name).spec();
                    tables.put(name, spec);
                    final TableSpec other = union.putIfAbsent(name, spec);
                    if (null != other && !other.equals(spec))
                    {
                        throw new IllegalStateException("table " + name + " has key schema " + spec + " on shard " + i +
                            " but " + other + " on another shard: refusing to start");
                    }
                }
            }
            while (null != start);
            onShards.add(tables);
        }

        for (final TableRoute route : new ArrayList<>(metadata.tables()))
        {
            final String name = route.name();
            if (TableStatus.DELETING == route.status)
            {
                for (int i = 0; i < shards.length; i++)
                {
                    if (null != onShards.get(i).remove(name))
                    {
                        shards[i].deleteTable(name);
                    }
                }
                union.remove(name);
                metadata.remove(name);
                startupReport.add("completed DeleteTable " + name + " (interrupted by a crash)");
                continue;
            }
            final List<Integer> created = createWhereMissing(route.spec, onShards);
            if (TableStatus.CREATING == route.status)
            {
                metadata.status(route, TableStatus.ACTIVE);
                startupReport.add("completed CreateTable " + name + " (interrupted by a crash) on shards " + created);
            }
            else if (!created.isEmpty())
            {
                startupReport.add("re-created table " + name + " missing on shards " + created);
            }
        }
        for (final Map.Entry<String, TableSpec> entry : union.entrySet())
        {
            if (null == metadata.lookup(entry.getKey()))
            {
                final List<Integer> created = createWhereMissing(entry.getValue(), onShards);
                metadata.put(new TableRoute(metadata.nextRouteId(), entry.getValue(), TableStatus.ACTIVE,
                    System.currentTimeMillis(), 0));
                startupReport.add("adopted table " + entry.getKey() + " found on shards but not in the routing " +
                    "metadata" + (created.isEmpty() ? "" : "; created on shards " + created));
            }
        }
        metadata.persist();
    }

    private List<Integer> createWhereMissing(final TableSpec spec, final List<Map<String, TableSpec>> onShards)
    {
        final List<Integer> created = new ArrayList<>();
        for (int i = 0; i < shards.length; i++)
        {
            if (!onShards.get(i).containsKey(spec.tableName()))
            {
                shards[i].createTable(spec);
                onShards.get(i).put(spec.tableName(), spec);
                created.add(i);
            }
        }
        return created;
    }

    private MediaDriver.Context driverContext()
    {
        final MediaDriver.Context context = new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true)
            .ipcTermBufferLength(16 * 1024 * 1024)
            .publicationTermBufferLength(16 * 1024 * 1024);
        if (NodeConfig.DriverThreading.DEDICATED == config.driverThreading())
        {
            context.threadingMode(ThreadingMode.DEDICATED)
                .conductorIdleStrategy(idleStrategy())
                .senderIdleStrategy(idleStrategy())
                .receiverIdleStrategy(idleStrategy());
        }
        else if (NodeConfig.DriverThreading.INVOKER == config.driverThreading())
        {
            context.threadingMode(ThreadingMode.INVOKER);
        }
        else
        {
            context.threadingMode(ThreadingMode.SHARED).sharedIdleStrategy(idleStrategy());
        }
        return context;
    }

    /** The embedded driver's or the Aeron client's duty cycle as one of the agents on the router's thread. */
    private static final class InvokedAgent implements Agent
    {
        private final AgentInvoker invoker;
        private final String roleName;

        InvokedAgent(final AgentInvoker invoker, final String roleName)
        {
            this.invoker = invoker;
            this.roleName = roleName;
        }

        public int doWork()
        {
            return invoker.invoke();
        }

        public String roleName()
        {
            return roleName;
        }
    }

    /** The agent, confined at start to the configured CPUs ({@link NodeConfig#cpus(String)}), or as is when none are. */
    private Agent pinned(final Agent agent)
    {
        return null == config.cpus() ? agent : new PinnedAgent(agent, CpuAffinity.parse(NodeConfig.PREFIX + "cpus", config.cpus()));
    }

    /** Confines its runner's thread to some CPUs when the runner starts, then is the agent it wraps. */
    private static final class PinnedAgent implements Agent
    {
        private final Agent agent;
        private final BitSet cpus;

        PinnedAgent(final Agent agent, final BitSet cpus)
        {
            this.agent = agent;
            this.cpus = cpus;
        }

        public void onStart()
        {
            CpuAffinity.pinCurrentThread(cpus, NodeConfig.PREFIX + "cpus");
            agent.onStart();
        }

        public int doWork() throws Exception
        {
            return agent.doWork();
        }

        public void onClose()
        {
            agent.onClose();
        }

        public String roleName()
        {
            return agent.roleName();
        }
    }

    private IdleStrategy idleStrategy()
    {
        switch (config.idle())
        {
            case SPIN:
                return new BusySpinIdleStrategy();
            case YIELD:
                return new YieldingIdleStrategy();
            default:
                return new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100));
        }
    }

    private static UnsafeBuffer ring(final int capacity)
    {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH));
    }

    private static String awaitBound(final Subscription subscription, final AgentInvoker driverInvoker)
    {
        final long deadlineNs = System.nanoTime() + UDP_BIND_TIMEOUT_NS;
        while (System.nanoTime() - deadlineNs < 0)
        {
            final List<String> addresses = subscription.localSocketAddresses();
            if (!addresses.isEmpty())
            {
                return addresses.get(0);
            }
            if (null != driverInvoker)
            {
                driverInvoker.invoke();
            }
            sleepMs(1);
        }
        throw new IllegalStateException("UDP request channel " + subscription.channel() + " did not bind within " +
            TimeUnit.NANOSECONDS.toSeconds(UDP_BIND_TIMEOUT_NS) + " s");
    }

    private static void sleepMs(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void onAgentError(final Throwable throwable)
    {
        System.err.println("ferrite node: agent error: " + throwable);
        throwable.printStackTrace(System.err);
    }
}
