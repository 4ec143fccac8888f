package io.ferrite.cell;

import io.aeron.Aeron;
import io.aeron.AeronCounters;
import io.aeron.RethrowingErrorHandler;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.wal.FsyncPolicy;
import io.ferrite.engine.config.Settings;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpLock;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One member of a cell, as its own process: an embedded media driver, an archive and a consensus module on one
 * thread ({@link MemberAgent}) and a service container running {@link CellService} on another, with back-off idle
 * strategies (busy-spin starves a small machine, STACK.md). Writes
 * {@code member.pid} and, every 200 ms, {@code status.properties} (role, commit and applied positions, election
 * state, leader, a heartbeat) into its directory; SIGTERM closes it.
 * <p>
 * Usage: {@code CellMember --dir CELL_DIR --member-id I [--members 3] [--base-port P]}; settings
 * {@code ferrite.cell.*} and {@code ferrite.engine.*} as system properties.
 */
public final class CellMember
{
    /**
     * Snapshot every ten minutes unless told otherwise ({@code ferrite.cell.snapshotIntervalMs}, 0 = only on request):
     * log retention purges only after snapshots, so without them the log would grow without bound.
     */
    static final long DEFAULT_SNAPSHOT_INTERVAL_MS = 600_000;

    /** Leader heartbeat timeout: with the election timeout, a failover of about two seconds here. */
    public static final long DEFAULT_HEARTBEAT_TIMEOUT_MS = 1000;
    /** Election timeout. */
    public static final long DEFAULT_ELECTION_TIMEOUT_MS = 300;
    /** A client session with nothing (not even a keep-alive) for this long is closed by the cell. */
    public static final long DEFAULT_SESSION_TIMEOUT_MS = 10_000;

    /**
     * The exit status of a member that stopped itself on a local failure (CellState.LocalFailure: a failed WAL sync,
     * an I/O error, a store full only by its own history, an unexpected exception while applying the log).
     */
    public static final int EXIT_LOCAL_FAILURE = 70;

    /**
     * With {@code ferrite.cell.faultInjection=true}, a member that finds this file in its directory deletes it and
     * makes its shard's next WAL fdatasync fail (tests and game days; run the members with
     * {@code ferrite.engine.fsync=every_write} so that a write syncs).
     */
    static final String FAIL_WAL_SYNC_REQUEST = "fail-wal-sync.request";

    private CellMember()
    {
    }

    /**
     * @param args {@code --dir D --member-id I [--members N] [--base-port P]}.
     * @throws Exception when the member cannot start.
     */
    public static void main(final String[] args) throws Exception
    {
        Path dir = null;
        int memberId = -1;
        int members = 3;
        int basePort = CellLayout.DEFAULT_BASE_PORT;
        for (int i = 0; i < args.length; i++)
        {
            final String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--dir" -> dir = Path.of(value);
                case "--member-id" -> memberId = Integer.parseInt(value);
                case "--members" -> members = Integer.parseInt(value);
                case "--base-port" -> basePort = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
            i++;
        }
        if (null == dir || memberId < 0 || memberId >= members)
        {
            throw new IllegalArgumentException("usage: CellMember --dir D --member-id I [--members N] [--base-port P]");
        }
        final CellLayout layout = new CellLayout(dir, members, basePort);
        final String overlap = layout.ephemeralOverlapWarning(CellLayout.ephemeralPortRange());
        if (null != overlap)
        {
            System.out.println("ferrite cell member " + memberId + ": " + overlap);
        }
        final Running running = start(layout, memberId, Settings.fromSystemProperties());
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "cell-member-shutdown"));
        System.out.println("ferrite cell member " + memberId + " started: ingress=" + layout.ingressEndpoint(memberId) +
            " dir=" + layout.memberDir(memberId) + " pid=" + ProcessHandle.current().pid());
        while (!running.closed)
        {
            try
            {
                running.writeStatus();
            }
            catch (final IllegalStateException ex)
            {
                ex.printStackTrace();
                System.exit(1); // the shutdown hook closes what did start
            }
            Thread.sleep(200);
        }
    }

    /**
     * A started member (in this process).
     */
    static final class Running implements AutoCloseable
    {
        final int memberId;
        final Path memberDir;
        final MemberAgent member;
        final AgentRunner memberRunner;
        final ClusteredServiceContainer container;
        final CellService service;
        volatile boolean closed;
        long snapshotIntervalMs;
        long lastSnapshotRequestMs = System.currentTimeMillis();
        final long startedEpochMs = System.currentTimeMillis();
        LogRetention retention;
        boolean faultInjection;
        private long lastRetentionRunMs;
        private long lastRetentionSnapshots = -1;

        Running(
            final int memberId, final Path memberDir, final MemberAgent member, final AgentRunner memberRunner,
            final ClusteredServiceContainer container, final CellService service)
        {
            this.memberId = memberId;
            this.memberDir = memberDir;
            this.member = member;
            this.memberRunner = memberRunner;
            this.container = container;
            this.service = service;
        }

        void writeStatus()
        {
            if (closed)
            {
                return;
            }
            if (!member.launched())
            {
                if (null != member.failure())
                {
                    throw new IllegalStateException("member " + memberId + ": the consensus module did not start: " +
                        member.failure(), member.failure());
                }
                CellService.writeAtomically(memberDir.resolve("status.properties"), "memberId=" + memberId + "\n" +
                    "pid=" + ProcessHandle.current().pid() + "\n" + "role=STARTING\n" +
                    "startingForMs=" + (System.currentTimeMillis() - startedEpochMs) + "\n" +
                    "heartbeatEpochMs=" + System.currentTimeMillis() + "\n");
                return;
            }
            final Cluster.Role role = member.role();
            if (null == role || member.ended())
            {
                // nothing published yet; or the consensus module has ended, and the status stops: its heartbeat
                // going stale is what `ferrite cell status` then shows
                return;
            }
            requestSnapshotIfDue(role);
            runRetentionIfDue(member.snapshots());
            injectFaultIfAsked();
            final String text =
                "memberId=" + memberId + "\n" +
                "pid=" + ProcessHandle.current().pid() + "\n" +
                "role=" + role + "\n" +
                "electionState=" + member.electionState() + "\n" +
                "leaderMemberId=" + service.leaderMemberId + "\n" +
                "leadershipTermId=" + member.leadershipTermId() + "\n" +
                "commitPosition=" + member.commitPosition() + "\n" +
                "appliedPosition=" + service.appliedPosition + "\n" +
                "appliedMessages=" + service.appliedMessages + "\n" +
                "deduplicated=" + service.deduplicated + "\n" +
                "serviceAllocatedBytes=" + service.allocatedBytes() + "\n" +
                "readsServed=" + service.readsServed + "\n" +
                "readsDropped=" + service.readsDropped + "\n" +
                "snapshots=" + member.snapshots() + "\n" +
                "snapshotLoadedItems=" + service.snapshotLoadedItems + "\n" +
                "settingsFingerprint=" + service.ownSettingsFingerprint() + "\n" +
                "cellSettingsFingerprint=" + service.cellSettingsFingerprint + "\n" +
                "droppedBeforeSettings=" + service.droppedBeforeSettings + "\n" +
                "errors=" + member.errors() + "\n" +
                "memberThreadSilentMs=" + (System.currentTimeMillis() - member.publishedEpochMs()) + "\n" +
                (null == retention ? "" : retention.status()) +
                "heartbeatEpochMs=" + System.currentTimeMillis() + "\n";
            CellService.writeAtomically(memberDir.resolve("status.properties"), text);
        }

        /**
         * The leader asks its consensus module for a snapshot (Aeron's control toggle, set by the member thread) when
         * {@code snapshot.request} appears in its directory ({@code ferrite cell snapshot}) or every
         * {@code ferrite.cell.snapshotIntervalMs}; every member then snapshots at the same log position.
         */
        private void requestSnapshotIfDue(final Cluster.Role role)
        {
            final Path request = memberDir.resolve("snapshot.request");
            final boolean asked = Files.exists(request);
            final long now = System.currentTimeMillis();
            final boolean due = snapshotIntervalMs > 0 && now - lastSnapshotRequestMs >= snapshotIntervalMs;
            if (Cluster.Role.LEADER == role && (asked || due))
            {
                member.requestSnapshot(); // the member thread toggles the consensus module's control counter
                lastSnapshotRequestMs = now;
                deleteQuietly(request);
            }
            else if (asked && Cluster.Role.LEADER != role)
            {
                deleteQuietly(request); // only the leader starts a snapshot
            }
        }

        private void injectFaultIfAsked()
        {
            final Path request = memberDir.resolve(FAIL_WAL_SYNC_REQUEST);
            if (faultInjection && Files.exists(request))
            {
                deleteQuietly(request);
                service.failNextWalSync();
                System.out.println("ferrite cell member " + memberId + ": fault injection: the next WAL fdatasync fails");
            }
        }

        /**
         * Log retention runs after each snapshot and every 2 s (a peer that was behind may have caught up).
         */
        private void runRetentionIfDue(final long snapshots)
        {
            final long now = System.currentTimeMillis();
            if (null != retention && (snapshots != lastRetentionSnapshots || now - lastRetentionRunMs >= 2_000))
            {
                lastRetentionSnapshots = snapshots;
                lastRetentionRunMs = now;
                retention.run();
            }
        }

        private static void deleteQuietly(final Path file)
        {
            try
            {
                Files.deleteIfExists(file);
            }
            catch (final java.io.IOException ignore)
            {
                // asked again next time
            }
        }

        public void close()
        {
            if (!closed)
            {
                closed = true;
                // the member thread closes the consensus module, the archive and the driver as it stops
                CloseHelper.quietCloseAll(retention, container, memberRunner);
            }
        }
    }

    /**
     * Holds {@code member.lock} for the life of this process, so two processes never run one member's directory.
     */
    private static void lockMemberDir(final Path memberDir) throws java.io.IOException
    {
        final java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(memberDir.resolve("member.lock"),
            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        final java.nio.channels.FileLock lock = channel.tryLock();
        if (null == lock)
        {
            channel.close();
            throw new IllegalStateException("member directory " + memberDir + " is in use by another process (member.lock)");
        }
        LOCKS.add(lock); // released when the process exits
    }

    private static final java.util.List<java.nio.channels.FileLock> LOCKS = new java.util.ArrayList<>();

    /**
     * After a SIGKILL the archive's and consensus module's mark files still look active for a while (their
     * heartbeat is recent) and Aeron refuses to start on them; holding the member lock, we know nothing else runs
     * here, so they are stale and are removed.
     */
    private static void removeStaleMarkFiles(final Path memberDir) throws java.io.IOException
    {
        for (final String dir : new String[] { "archive", "cluster" })
        {
            final Path path = memberDir.resolve(dir);
            if (Files.isDirectory(path))
            {
                try (java.util.stream.Stream<Path> files = Files.list(path))
                {
                    for (final Path file : files.filter(f -> f.getFileName().toString().endsWith("-mark.dat") ||
                        f.getFileName().toString().matches(".*-mark-service-\\d+\\.dat")).toList())
                    {
                        Files.delete(file);
                    }
                }
            }
        }
    }

    static Running start(final CellLayout layout, final int memberId, final Settings settings) throws Exception
    {
        final Path memberDir = layout.memberDir(memberId);
        Files.createDirectories(memberDir);
        lockMemberDir(memberDir);
        removeStaleMarkFiles(memberDir);
        Files.writeString(memberDir.resolve("member.pid"), ProcessHandle.current().pid() + "\n");
        Files.deleteIfExists(memberDir.resolve("status.properties"));
        final long heartbeatMs = settings.longValue("ferrite.cell.heartbeatTimeoutMs", DEFAULT_HEARTBEAT_TIMEOUT_MS, 100, 600_000);
        final long electionMs = settings.longValue("ferrite.cell.electionTimeoutMs", DEFAULT_ELECTION_TIMEOUT_MS, 50, 600_000);
        final long sessionMs = settings.longValue("ferrite.cell.sessionTimeoutMs", DEFAULT_SESSION_TIMEOUT_MS, 1000, 3_600_000);
        final String logTermLength = settings.string("ferrite.cell.logTermLength", "8m");
        final int segmentLength = (int)settings.longValue("ferrite.cell.logSegmentLength", 32 << 20, 64 << 10, 1 << 30);
        final int keepSnapshots = settings.intValue("ferrite.cell.logRetentionSnapshots", 2, 0, 1000);

        final EngineConfig engine = EngineConfig.from(settings);
        // A cell's shard defaults to smaller stores than a node's: three members share one machine here.
        if (null == System.getProperty("ferrite.engine.partitionMaxItems"))
        {
            engine.partitionMaxItems(200_000);
        }
        if (null == System.getProperty("ferrite.engine.averageItemBytes"))
        {
            engine.averageItemBytes(256);
        }
        // The shard's directory is derived state (deleted at every start, rebuilt from the cluster's snapshot and log,
        // never read back), so forcing its WAL to disk protects nothing: a write is durable once the cluster's log on a
        // majority has it. Under the engine's default (BATCH) each member's WAL syncer thread would fdatasync every
        // 2 ms while writes arrive, three threads doing disk flushes on the cores the members need.
        if (null == System.getProperty("ferrite.engine.fsync"))
        {
            engine.fsyncPolicy(FsyncPolicy.NONE);
        }
        engine.dataDir(memberDir.resolve("engine"));
        CellState.requireHashStore(engine); // before anything starts: the error names the setting

        final String aeronDir = memberDir.resolve("aeron").toString();
        final File clusterDir = memberDir.resolve("cluster").toFile();
        final long maxParkNs = TimeUnit.MICROSECONDS.toNanos(settings.longValue("ferrite.cell.idleMaxParkUs", 100, 1, 100_000));
        // No spins or yields before the parks by default: on two vCPUs shared by three members they only take a core
        // from a thread that has work (put at 50/s: p99 3.1-3.3 ms without, 3.6-3.7 ms with 10 spins and 20 yields).
        final long spins = settings.longValue("ferrite.cell.idleSpins", 0, 0, 1_000_000);
        final long yields = settings.longValue("ferrite.cell.idleYields", 0, 0, 1_000_000);
        final Supplier<IdleStrategy> idle = () -> new BackoffIdleStrategy(spins, yields, 1_000, maxParkNs);

        final Supplier<MediaDriver.Context> driverContexts = () -> new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(idle.get())
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true);

        final Supplier<Archive.Context> archiveContexts = () -> new Archive.Context()
            .aeronDirectoryName(aeronDir)
            .archiveDir(memberDir.resolve("archive").toFile())
            .archiveId(memberId)
            .controlChannel("aeron:udp?endpoint=" + layout.archiveEndpoint(memberId))
            .localControlChannel("aeron:ipc?term-length=64k")
            .replicationChannel("aeron:udp?endpoint=" + CellLayout.HOST + ":0")
            .archiveClientContext(new AeronArchive.Context()
                .controlResponseChannel("aeron:udp?endpoint=" + CellLayout.HOST + ":0"))
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(idle)
            .segmentFileLength(segmentLength)
            .deleteArchiveOnStart(false);
        final Archive.Context archiveContext = archiveContexts.get();

        final AeronArchive.Context localArchive = new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .controlRequestChannel(archiveContext.localControlChannel())
            .controlRequestStreamId(archiveContext.localControlStreamId())
            .controlResponseChannel(archiveContext.localControlChannel())
            .aeronDirectoryName(aeronDir);

        if (CellSeed.seedIfRequested(layout, memberId, driverContexts.get(), archiveContexts.get(), localArchive, clusterDir,
            settings.longValue("ferrite.cell.seedTimeoutMs", 60_000, 1_000, 3_600_000)))
        {
            removeStaleMarkFiles(memberDir);
        }

        final ConsensusModule.Context consensusContext = new ConsensusModule.Context()
            .clusterMemberId(memberId)
            .clusterMembers(layout.clusterMembers())
            .clusterDir(clusterDir)
            .aeronDirectoryName(aeronDir)
            .ingressChannel("aeron:udp")
            .logChannel("aeron:udp?term-length=" + logTermLength)
            .replicationChannel("aeron:udp?endpoint=" + CellLayout.HOST + ":0")
            .leaderHeartbeatTimeoutNs(TimeUnit.MILLISECONDS.toNanos(heartbeatMs))
            .leaderHeartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(Math.max(20, heartbeatMs / 10)))
            .electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(electionMs))
            .startupCanvassTimeoutNs(TimeUnit.MILLISECONDS.toNanos(Math.max(2 * heartbeatMs, 2000)))
            .sessionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(sessionMs))
            .deleteDirOnStart(false);

        // the dedupe table's byte bound: like every bound on replicated state, the same on every member
        final long dedupeMaxBytes = settings.longValue(
            "ferrite.cell.dedupeMaxBytes", CellState.DEFAULT_DEDUPE_MAX_BYTES, 1L << 20, 1L << 40);
        final CellService service = new CellService(
            engine, memberDir, "aeron:udp?endpoint=" + layout.readEndpoint(memberId), dedupeMaxBytes);
        // Fail fast: a member whose state may no longer be the log's must apply and answer nothing more. The process
        // halts (as a SIGKILL would leave it, which a cell survives); the cell goes on without it, and started again it
        // rebuilds its state from its snapshot and the cluster's log, and catches up from the leader.
        service.localFailureHandler((reason, cause) ->
        {
            System.out.println("ferrite cell member " + memberId + ": STOPPING on a local failure (not an outcome of " +
                "the log; started again, the member rebuilds from its snapshot and the cluster's log): " + reason);
            cause.printStackTrace(System.out);
            System.out.flush();
            Runtime.getRuntime().halt(EXIT_LOCAL_FAILURE);
        });
        final ClusteredServiceContainer.Context serviceContext = new ClusteredServiceContainer.Context()
            .aeronDirectoryName(aeronDir)
            .archiveContext(localArchive.clone())
            .clusterDir(clusterDir)
            .clusteredService(service)
            .idleStrategySupplier(idle)
            .serviceId(0);

        // The driver, the archive and the consensus module share one thread (MemberAgent); the service has its own.
        // The consensus module (on the member thread) and the service container (here) conclude at the same time,
        // and both create the cluster directory if it is missing: create it first, or one of them can find the
        // other's mkdir in between its own check and mkdir and fail to start.
        Files.createDirectories(clusterDir.toPath());
        final MediaDriver driver = MediaDriver.launch(driverContexts.get().threadingMode(ThreadingMode.INVOKER));
        Archive archive = null;
        Aeron consensusAeron = null;
        AgentRunner memberRunner = null;
        ClusteredServiceContainer container = null;
        try
        {
            archive = Archive.launch(archiveContext
                .threadingMode(ArchiveThreadingMode.INVOKER)
                .mediaDriverAgentInvoker(driver.sharedAgentInvoker()));
            final MemberAgent member = new MemberAgent(memberId, driver, archive, service);
            consensusAeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(aeronDir)
                .useConductorAgentInvoker(true)
                .driverAgentInvoker(driver.sharedAgentInvoker())
                .subscriberErrorHandler(RethrowingErrorHandler.INSTANCE)
                .awaitingIdleStrategy(YieldingIdleStrategy.INSTANCE)
                .clientLock(NoOpLock.INSTANCE)
                .clientName("consensus-module-" + memberId));
            consensusContext
                .useAgentInvoker(true)
                .aeron(consensusAeron)
                .errorCounter(consensusAeron.addCounter(AeronCounters.CLUSTER_CONSENSUS_MODULE_ERROR_COUNT_TYPE_ID,
                    "Cluster Errors - memberId=" + memberId))
                .idleStrategySupplier(() -> member.idleStrategy(idle.get()))
                .archiveContext(localArchive.clone().agentInvoker(member.driverAndArchive()));
            member.consensusModule(consensusContext, consensusAeron);
            memberRunner = new AgentRunner(idle.get(), Throwable::printStackTrace, null, member);
            AgentRunner.startOnThread(memberRunner);
            container = ClusteredServiceContainer.launch(serviceContext);
            // the consensus module recovers on the member thread; until it has, the status says so (writeStatus)
            final Running running = new Running(memberId, memberDir, member, memberRunner, container, service);
            running.snapshotIntervalMs = settings.longValue(
                "ferrite.cell.snapshotIntervalMs", DEFAULT_SNAPSHOT_INTERVAL_MS, 0, Long.MAX_VALUE);
            running.faultInjection = "true".equals(settings.string("ferrite.cell.faultInjection", "false"));
            running.retention = new LogRetention(layout, memberId, clusterDir, localArchive.clone(), keepSnapshots);
            return running;
        }
        catch (final RuntimeException ex)
        {
            // the member thread closes the consensus module, its client, the archive and the driver; without it,
            // they are closed here
            CloseHelper.quietClose(container);
            if (null != memberRunner)
            {
                CloseHelper.quietClose(memberRunner);
            }
            else
            {
                CloseHelper.quietCloseAll(consensusAeron, archive, driver);
            }
            throw ex;
        }
    }
}
