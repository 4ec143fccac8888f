package io.ferrite.perf.latency;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.ferrite.cell.CellClient;
import io.ferrite.cell.CellClientConfig;
import io.ferrite.cell.CellLauncher;
import io.ferrite.cell.CellLayout;
import io.ferrite.cell.CellResult;
import io.ferrite.cell.DriverWaker;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.engine.shard.SortKeyCondition;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.perf.Dataset;
import io.ferrite.perf.EngineFixture;
import io.ferrite.perf.ExitCleanup;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A replicated cell (decision 0013): three member JVMs started by {@link CellLauncher} as {@code ferrite cell start}
 * starts them, on a run of free 127.0.0.1 ports, in a temporary directory; each member's shard sized for the data
 * set ({@code ferrite.engine.partitionMaxItems}, {@code averageItemBytes}). Every request goes through cluster
 * ingress to the leader; writes and strongly consistent reads ({@code --target cell}) are committed to a majority's
 * log before they are answered; {@code --target cell-eventual} sends GetItem and Query with ConsistentRead=false
 * straight to one member's read endpoint instead (no log).
 * <p>
 * The {@link CellClient} is blocking, one request at a time, so a session is a pool of worker threads, each with its
 * own cell client (all on one media driver in this process): {@link Session#submit} hands the operation to an idle
 * worker (refusing it, i.e. back-pressure, when all are busy: the open loop keeps its intended time) and
 * {@link Session#poll} records the operations the workers finished, on the load thread, timed from their intended
 * send times. Workers per session: {@code -Dferrite.perf.cellClients} (default 16); each holds a cluster session, so
 * the members are started with {@code aeron.cluster.max.sessions} raised to match (Aeron's default is 10). The cell client allocates per
 * call (decoded maps), so this target is measured for latency, not for garbage.
 * <p>
 * <b>Threading:</b> each session is used by one load thread; its workers only touch their own cell client.
 */
final class CellTarget implements Target
{
    private static final int MEMBERS = 3;
    private static final long TIMEOUT_MS = 5_000;
    private static final long READY_TIMEOUT_MS = 120_000;
    private static final long CONNECT_TIMEOUT_MS = 60_000;
    private static final int LOAD_ATTEMPTS = 5;

    private final boolean consistentRead;
    private final int records;
    private final int clientsPerSession;
    private final Path dir;
    private final CellLauncher launcher;
    private final ExitCleanup.Step dirCleanup;
    private final ExitCleanup.Step membersCleanup;
    private final ExitCleanup.Step driverCleanup;
    private final MediaDriver clientDriver;
    /** Wakes the client driver after a worker offers, and the waiting workers after the driver received. */
    private final DriverWaker waker = new DriverWaker();

    CellTarget(final boolean consistentRead, final int records)
    {
        this.consistentRead = consistentRead;
        this.records = records;
        this.clientsPerSession = Integer.getInteger("ferrite.perf.cellClients", 16);
        if (clientsPerSession < 1 || clientsPerSession > 256)
        {
            throw new IllegalArgumentException("-Dferrite.perf.cellClients must be 1 to 256, got " + clientsPerSession);
        }
        try
        {
            dir = Files.createTempDirectory("ferrite-perf-cell-");
            dirCleanup = ExitCleanup.deleteAtExit(dir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final long startNs = System.nanoTime();
        launcher = CellLauncher.create(dir.resolve("cell"), MEMBERS, CellLayout.freeBasePort(MEMBERS),
            memberJvmArgs(List.of("-Dferrite.engine.partitionMaxItems=" + (long)EngineFixture.HEADROOM * records,
                "-Dferrite.engine.averageItemBytes=" + Dataset.ITEM_BYTES,
                // Aeron Cluster admits 10 client sessions by default; every worker holds one.
                "-Daeron.cluster.max.sessions=" + ((maxThreads() + 1) * clientsPerSession + 4),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")), null);
        // members are other processes: a harness stopped by a signal stops them too (they would run on, polling)
        membersCleanup = ExitCleanup.register("stop the cell's members in " + dir, () -> launcher.stop(10_000));
        MediaDriver driver = null;
        try
        {
            launcher.start(READY_TIMEOUT_MS);
            final BackoffIdleStrategy driverIdle = new BackoffIdleStrategy(10, 20, 1_000, 100_000);
            driver = MediaDriver.launch(waker.configure(new MediaDriver.Context(), driverIdle)
                .aeronDirectoryName(dir.resolve("aeron-client").toString())
                .threadingMode(ThreadingMode.SHARED)
                .termBufferSparseFile(true)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            membersCleanup.runNow();
            dirCleanup.runNow();
            throw new IllegalStateException("interrupted while starting the cell", ex);
        }
        catch (final RuntimeException ex)
        {
            membersCleanup.runNow();
            CloseHelper.quietClose(driver);
            dirCleanup.runNow();
            throw ex;
        }
        clientDriver = driver;
        // the workers' clients go on while the JVM exits: without their driver they cannot make files in the
        // directory after it was deleted
        driverCleanup = ExitCleanup.register("close the cell client's media driver",
            () -> CloseHelper.quietClose(clientDriver));
        try
        {
            try (CellClient admin = CellClient.connect(clientConfig()))
            {
                final CellResult created = admin.createTable(TableSpec.of(Dataset.TABLE)
                    .partitionKey(Dataset.PK, KeyType.S).sortKey(Dataset.SK, KeyType.N), 30_000);
                if (!created.ok())
                {
                    throw new IllegalStateException("the cell did not create table " + Dataset.TABLE + ": " + created);
                }
            }
            final Recorder loadRecorder = new Recorder(System::nanoTime);
            String problem;
            try (CellSession loader = newSession(loadRecorder, 7, LOAD_ATTEMPTS))
            {
                OpenLoop.load(loader, records);
                problem = loader.lastProblem;
            }
            if (loadRecorder.errors(Op.INSERT) > 0)
            {
                throw new IllegalStateException("loading " + records + " records into the cell failed " +
                    loadRecorder.errors(Op.INSERT) + " times; the last: " + problem);
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
        System.out.printf("started a %d-member cell and loaded %,d records of %d B through cell clients in %.1f s " +
            "(%d clients per session)%n", MEMBERS, records, Dataset.ITEM_BYTES, (System.nanoTime() - startNs) / 1e9,
            clientsPerSession);
    }

    /**
     * The members' JVM arguments, plus those in {@code FERRITE_CELL_JAVA_OPTS} (as {@code ferrite cell start} takes them),
     * e.g. to compare member settings with the same harness.
     */
    private static List<String> memberJvmArgs(final List<String> args)
    {
        final String extra = System.getenv("FERRITE_CELL_JAVA_OPTS");
        if (null == extra || extra.isBlank())
        {
            return args;
        }
        final List<String> all = new java.util.ArrayList<>(args);
        all.addAll(List.of(extra.trim().split("\\s+")));
        return all;
    }

    private CellClientConfig clientConfig()
    {
        return new CellClientConfig()
            .ingressEndpoints(launcher.layout().ingressEndpoints())
            .readEndpoints(launcher.layout().readEndpoints())
            .aeronDir(clientDriver.aeronDirectoryName())
            .driverWaker(waker)
            .requestTimeoutMs(TIMEOUT_MS);
    }

    public String name()
    {
        return consistentRead ? "cell" : "cell-eventual";
    }

    public long capacity()
    {
        return (long)EngineFixture.HEADROOM * records;
    }

    public int maxThreads()
    {
        return 4;
    }

    public Session newSession(final Recorder recorder, final long seed)
    {
        return newSession(recorder, seed, 1);
    }

    /**
     * @param putAttempts how many times a worker sends a PutItem that timed out, with the same request id (the cell
     *                    applies it once): the load retries (a loaded machine can starve a member into an election),
     *                    a measured run does not (a timeout is an error).
     */
    private CellSession newSession(final Recorder recorder, final long seed, final int putAttempts)
    {
        final Worker[] workers = new Worker[clientsPerSession];
        try
        {
            for (int i = 0; i < workers.length; i++)
            {
                workers[i] = new Worker(CellClient.connect(clientConfig()), new Dataset(records, seed + i,
                    Dataset.Layout.YCSB), consistentRead, putAttempts);
            }
        }
        catch (final RuntimeException ex)
        {
            for (final Worker worker : workers)
            {
                if (null != worker)
                {
                    worker.close();
                }
            }
            throw ex;
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONNECT_TIMEOUT_MS);
        for (final Worker worker : workers)
        {
            while (Worker.CONNECTING == worker.state)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    break;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            if (Worker.IDLE != worker.state)
            {
                final String problem = worker.problem;
                for (final Worker w : workers)
                {
                    w.close();
                }
                throw new IllegalStateException("a cell client did not connect within " + CONNECT_TIMEOUT_MS + " ms: " +
                    problem);
            }
        }
        return new CellSession(workers, recorder);
    }

    public void close()
    {
        try
        {
            membersCleanup.runNow();
        }
        finally
        {
            driverCleanup.runNow();
            dirCleanup.runNow();
        }
    }

    /**
     * One load thread's pool of workers: hands operations to idle ones, records finished ones.
     */
    private static final class CellSession implements Session
    {
        private final Worker[] workers;
        private final Recorder recorder;
        private int next;
        private int inFlight;
        /** What the last failed operation's call returned. */
        String lastProblem;

        CellSession(final Worker[] workers, final Recorder recorder)
        {
            this.workers = workers;
            this.recorder = recorder;
        }

        public boolean submit(final Op op, final int record, final int scanLength, final long intendedNs)
        {
            for (int i = 0; i < workers.length; i++)
            {
                final Worker worker = workers[next];
                next = next + 1 == workers.length ? 0 : next + 1;
                if (Worker.IDLE == worker.state)
                {
                    worker.start(op, record, scanLength, intendedNs);
                    inFlight++;
                    return true;
                }
            }
            return false;
        }

        public int poll()
        {
            int work = 0;
            for (final Worker worker : workers)
            {
                final int state = worker.state;
                if (Worker.SUCCEEDED == state || Worker.FAILED == state)
                {
                    if (Worker.SUCCEEDED == state)
                    {
                        recorder.success(worker.op, worker.intendedNs, worker.completedNs);
                    }
                    else
                    {
                        recorder.error(worker.op);
                        lastProblem = worker.problem;
                    }
                    worker.state = Worker.IDLE;
                    inFlight--;
                    work++;
                }
            }
            return work;
        }

        public int inFlight()
        {
            return inFlight;
        }

        /**
         * Workers time their own calls ({@link Worker#completedNs}), so the load thread need not wait on them.
         */
        public boolean needsPolling()
        {
            return false;
        }

        public void close()
        {
            for (final Worker worker : workers)
            {
                worker.close();
            }
        }
    }

    /**
     * A thread with its own cell client, doing one operation at a time: the load thread writes the operation then
     * sets {@link #state} BUSY (the volatile write publishes it) and unparks the thread; the worker sets SUCCEEDED or
     * FAILED when the call returns, and the load thread sets IDLE once it has recorded it. While idle it keeps its
     * cluster session alive.
     */
    private static final class Worker implements Runnable
    {
        static final int IDLE = 0;
        static final int BUSY = 1;
        static final int SUCCEEDED = 2;
        static final int FAILED = 3;
        static final int CONNECTING = 4;
        private static final long KEEP_ALIVE_PARK_NS = TimeUnit.MILLISECONDS.toNanos(200);

        private final CellClient client;
        private final Dataset dataset;
        private final boolean consistentRead;
        private final int putAttempts;
        private final Thread thread;
        volatile int state = CONNECTING;
        private volatile boolean running = true;
        Op op;
        private int record;
        private int scanLength;
        long intendedNs;
        /** When the last call returned (System.nanoTime, the harness's clock), written before {@link #state}. */
        long completedNs;
        /** The last failed call's result (written before {@link #state}, read after it). */
        String problem;
        private long version;

        Worker(final CellClient client, final Dataset dataset, final boolean consistentRead, final int putAttempts)
        {
            this.client = client;
            this.dataset = dataset;
            this.consistentRead = consistentRead;
            this.putAttempts = putAttempts;
            thread = new Thread(this, "perf-cell-worker");
            thread.setDaemon(true);
            thread.start();
        }

        void start(final Op op, final int record, final int scanLength, final long intendedNs)
        {
            this.op = op;
            this.record = record;
            this.scanLength = scanLength;
            this.intendedNs = intendedNs;
            state = BUSY;
            LockSupport.unpark(thread);
        }

        public void run()
        {
            connect();
            while (running)
            {
                if (BUSY != state)
                {
                    LockSupport.parkNanos(this, KEEP_ALIVE_PARK_NS);
                    if (BUSY != state && running)
                    {
                        client.poll();
                    }
                    continue;
                }
                boolean ok;
                try
                {
                    ok = execute();
                }
                catch (final RuntimeException ex)
                {
                    problem = ex.toString();
                    ok = false;
                }
                completedNs = System.nanoTime();
                state = ok ? SUCCEEDED : FAILED;
            }
        }

        /**
         * Opens the cluster session (and, for eventually consistent reads, the read path) with reads that need not
         * find anything, so that the measured run does not pay for sixteen connects; then goes IDLE, or FAILED.
         */
        private void connect()
        {
            try
            {
                final Map<String, AttributeValue> key = ItemCodec.decode(dataset.key(0), 0, dataset.keyLength(0));
                CellResult result = client.getItem(Dataset.TABLE, key, true, CONNECT_TIMEOUT_MS);
                if (result.ok() && !consistentRead)
                {
                    result = client.getItem(Dataset.TABLE, key, false, CONNECT_TIMEOUT_MS);
                }
                problem = result.toString();
                state = result.ok() ? IDLE : FAILED;
            }
            catch (final RuntimeException ex)
            {
                problem = ex.toString();
                state = FAILED;
            }
        }

        private boolean execute()
        {
            switch (op)
            {
                case GET:
                    return get();
                case PUT:
                case INSERT:
                    return put();
                case RMW:
                    return get() && put();
                case QUERY:
                {
                    final CellResult result = client.query(Dataset.TABLE,
                        AttributeValue.s(dataset.partitionKeyText(record / Dataset.ITEMS_PER_PARTITION).toString()),
                        SortKeyCondition.NONE, null, null, scanLength, null, consistentRead, TIMEOUT_MS);
                    problem = result.toString();
                    return result.ok() && !result.items().isEmpty();
                }
                default:
                    throw new IllegalStateException("unknown op " + op);
            }
        }

        private boolean get()
        {
            // the client's allocation-free calls: the item bytes as the dataset holds them, the answer kept in the client
            final CellResult.Outcome outcome = client.getItem(Dataset.TABLE, dataset.key(record), 0,
                dataset.keyLength(record), consistentRead, TIMEOUT_MS);
            return check(outcome, true);
        }

        private boolean put()
        {
            final org.agrona.DirectBuffer item = dataset.item(record, ++version);
            final int length = dataset.itemLength(record);
            final long requestId = client.newRequestId();
            CellResult.Outcome outcome = client.putItem(Dataset.TABLE, item, 0, length, requestId, TIMEOUT_MS);
            for (int attempt = 1; attempt < putAttempts && CellResult.Outcome.TIMED_OUT == outcome; attempt++)
            {
                outcome = client.putItem(Dataset.TABLE, item, 0, length, requestId, TIMEOUT_MS);
            }
            return check(outcome, false);
        }

        private boolean check(final CellResult.Outcome outcome, final boolean mustFind)
        {
            if (CellResult.Outcome.OK == outcome && (!mustFind || client.answerFound()))
            {
                return true;
            }
            problem = CellResult.Outcome.OK == outcome ? "no item for record " + record :
                outcome + " " + client.answerErrorCode() + ": " + client.answerMessage();
            return false;
        }

        void close()
        {
            running = false;
            LockSupport.unpark(thread);
            try
            {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            client.close();
        }
    }
}
