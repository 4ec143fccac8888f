package io.ferrite.tools.chaos;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.engine.api.Ferrite;
import io.ferrite.engine.api.Page;
import io.ferrite.engine.api.Scan;
import io.ferrite.engine.shard.RecoveryReport;
import io.ferrite.engine.wal.FsyncPolicy;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Crash recovery of the embedded engine, checked: a writer child JVM ({@link EmbeddedChaosWriter}) writes through
 * the embedded API and reports every write before it starts it (INTENT) and after it returned (ACK); this class
 * SIGKILLs it at a random moment, reopens the data directory (recovering it) and checks every key:
 * <ul>
 *   <li>lost: a key does not hold its last acknowledged state (the item of the last acknowledged put or update,
 *   or no item after an acknowledged delete), nor the state the write in flight at the kill would have left;
 *   or getItem and Scan disagree about it;</li>
 *   <li>phantom: an item, version or content that no write ever intended.</li>
 * </ul>
 * The same data directory is used across cycles, so each recovery starts from the previous ones' state. On about
 * a third of the cycles the check is deferred: the next writer recovers the killed one's directory itself and
 * writes on top of it (so replay over a torn WAL tail, appends after it, and a second crash before any clean
 * checkpoint are exercised), and a later check covers both. The model therefore keeps, per key, the set of
 * states the writes so far allow (more than one only while a write that was in flight at a kill is undecided).
 * The last cycle is always checked. Zero lost and zero phantom is the pass.
 * <p>
 * Used by {@code ferrite chaos --target embedded} and by the tools module's tests.
 * <p>
 * <b>Threading:</b> {@link #run} is called from one thread; it owns a stdout reader thread per child.
 */
public final class EmbeddedChaos
{
    /** Longest wait for a writer to open the data directory. */
    private static final long READY_TIMEOUT_MS = 60_000;
    /** Problems printed per cycle; all are counted. */
    private static final int MAX_PROBLEMS_PRINTED = 20;
    /** Checkpoint intervals a cycle's writer is given, so kills land before, between and after checkpoints. */
    private static final long[] CHECKPOINT_INTERVALS = { 500, 5_000, 1_000_000 };
    private static final List<Map<String, AttributeValue>> NO_ITEM = Collections.singletonList(null);

    private final Path dataDir;
    private final PrintStream out;
    /** Per key, the states the acknowledged (and undecided in-flight) writes allow; absent means "no item". */
    private final Map<String, List<Map<String, AttributeValue>>> allowed = new HashMap<>();
    private final Map<Long, String> intendedKeyByVersion = new HashMap<>();
    private long nextVersion = 1;
    private long acked;
    private long lost;
    private long phantom;
    private int problemsPrinted;

    /**
     * What a run found.
     *
     * @param cycles  kill-and-recover cycles run.
     * @param acked   writes acknowledged by the writers, in all.
     * @param lost    keys found without their acknowledged state (each counted in the cycle it was found).
     * @param phantom items, versions or contents found that no write intended.
     */
    public record Result(int cycles, long acked, long lost, long phantom)
    {
        /**
         * @return true when nothing was lost and nothing appeared.
         */
        public boolean passed()
        {
            return 0 == lost && 0 == phantom;
        }

        /**
         * @return {@code cycles=N acked=A lost=L phantom=P}.
         */
        public String summaryLine()
        {
            return "cycles=" + cycles + " acked=" + acked + " lost=" + lost + " phantom=" + phantom;
        }
    }

    EmbeddedChaos(final Path dataDir, final PrintStream out)
    {
        this.dataDir = dataDir;
        this.out = out;
    }

    /**
     * Runs kill-and-recover cycles on a fresh data directory, printing one line per cycle to {@code out} (and
     * a line per problem found).
     *
     * @param cycles        how many cycles, at least 1.
     * @param dataDir       the data directory: absent or empty; it is left in place.
     * @param seed          seeds the workload and the kill times.
     * @param fsyncPolicies the WAL fsync policy of each cycle, in turn.
     * @param minRunMs      shortest time a writer writes before it is killed.
     * @param maxRunMs      longest time.
     * @param out           receives the progress lines.
     * @return the counts.
     * @throws IllegalArgumentException on a bad argument, naming it.
     * @throws IllegalStateException    when a writer fails on its own (it must only die by the kill).
     * @throws IOException              when a child cannot be started or the data directory is unusable.
     * @throws InterruptedException     when interrupted; the writer is killed.
     */
    public static Result run(
        final int cycles,
        final Path dataDir,
        final long seed,
        final List<FsyncPolicy> fsyncPolicies,
        final long minRunMs,
        final long maxRunMs,
        final PrintStream out) throws IOException, InterruptedException
    {
        if (cycles < 1)
        {
            throw new IllegalArgumentException("cycles must be at least 1, got " + cycles);
        }
        if (minRunMs < 1 || maxRunMs < minRunMs)
        {
            throw new IllegalArgumentException("run time must satisfy 1 <= min-run-ms <= max-run-ms, got min-run-ms=" +
                minRunMs + " max-run-ms=" + maxRunMs);
        }
        if (fsyncPolicies.isEmpty())
        {
            throw new IllegalArgumentException("at least one fsync policy is needed");
        }
        requireFresh(dataDir);

        final EmbeddedChaos chaos = new EmbeddedChaos(dataDir, out);
        final SplittableRandom random = new SplittableRandom(seed);
        for (int cycle = 1; cycle <= cycles; cycle++)
        {
            chaos.cycle(cycle, cycles, fsyncPolicies.get((cycle - 1) % fsyncPolicies.size()),
                random.nextLong(minRunMs, maxRunMs + 1),
                CHECKPOINT_INTERVALS[random.nextInt(CHECKPOINT_INTERVALS.length)], random.nextLong(),
                cycle == cycles || 0 != random.nextInt(3));
        }
        return chaos.result(cycles);
    }

    private void cycle(
        final int cycle,
        final int cycles,
        final FsyncPolicy fsyncPolicy,
        final long runMs,
        final long checkpointIntervalRecords,
        final long writerSeed,
        final boolean checkNow) throws IOException, InterruptedException
    {
        final long startNs = System.nanoTime();
        final WriterRun run = runWriterAndKill(fsyncPolicy, nextVersion, writerSeed, checkpointIntervalRecords, runMs);

        final long ackedBefore = acked;
        final Intent inFlight = replayProtocol(run.lines);
        final long lostBefore = lost;
        final long phantomBefore = phantom;
        problemsPrinted = 0;

        final StringBuilder line = new StringBuilder(512);
        line.append("cycle ").append(cycle).append('/').append(cycles).append(" fsync=").append(fsyncPolicy)
            .append(" ran=").append(runMs).append("ms checkpointEvery=").append(checkpointIntervalRecords)
            .append(" acked=").append(acked - ackedBefore)
            .append(" inFlight=").append(null == inFlight ? "none" : inFlight.toString());
        if (checkNow)
        {
            final RecoveryReport report;
            final int items;
            final String verdictOnInFlight;
            try (Ferrite db = Ferrite.open(ChaosWorkload.engineConfig(dataDir, fsyncPolicy)))
            {
                report = db.recoveryReport();
                final Map<String, Map<String, AttributeValue>> scanned = scanAll(db);
                items = scanned.size();
                verdictOnInFlight = check(db, scanned, inFlight);
            }
            line.append(null == inFlight ? "" : "(" + verdictOnInFlight + ")")
                .append(" items=").append(items)
                .append(" lost=").append(lost - lostBefore).append(" phantom=").append(phantom - phantomBefore)
                .append(" | writer opened: ").append(run.readyReport)
                .append(" | recovery: ").append(describe(report));
        }
        else
        {
            line.append("(undecided) check=deferred: the next writer recovers this crash")
                .append(" | writer opened: ").append(run.readyReport)
                .append(" | recovery: by the next writer");
        }
        line.append(" | ").append(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs)).append("ms");
        out.println(line);
        out.flush();
    }

    Result result(final int cycles)
    {
        return new Result(cycles, acked, lost, phantom);
    }

    /**
     * Applies the writer's protocol lines to the model of acknowledged state.
     *
     * @return the write in flight at the kill (an INTENT without its ACK), or null.
     */
    Intent replayProtocol(final List<String> lines)
    {
        Intent pending = null;
        for (final String line : lines)
        {
            final String[] parts = line.split(" ");
            if (line.startsWith("READY "))
            {
                continue;
            }
            if (4 != parts.length || !("INTENT".equals(parts[0]) || "ACK".equals(parts[0])))
            {
                throw new IllegalStateException("writer printed an unexpected line: '" + line + "'");
            }
            final Intent intent = new Intent(ChaosWorkload.Op.valueOf(parts[1]), parts[2], Long.parseLong(parts[3]));
            if ("INTENT".equals(parts[0]))
            {
                if (null != pending || intent.version != nextVersion)
                {
                    throw new IllegalStateException("writer protocol broken: '" + line + "' while " + pending +
                        " is in flight and version " + nextVersion + " is next");
                }
                intendedKeyByVersion.put(intent.version, intent.key);
                nextVersion++;
                pending = intent;
            }
            else
            {
                if (!intent.equals(pending))
                {
                    throw new IllegalStateException("writer protocol broken: '" + line + "' acknowledges what is " +
                        "not in flight (" + pending + ")");
                }
                final List<Map<String, AttributeValue>> after = new ArrayList<>(2);
                for (final Map<String, AttributeValue> before : allowed(intent.key))
                {
                    addDistinct(after, ChaosWorkload.apply(intent.op, intent.key, intent.version, before));
                }
                setAllowed(intent.key, after);
                acked++;
                pending = null;
            }
        }

        if (null != pending)
        {
            // Undecided until a check sees the key: it may or may not have reached the WAL.
            final List<Map<String, AttributeValue>> either = new ArrayList<>(allowed(pending.key));
            for (final Map<String, AttributeValue> before : allowed(pending.key))
            {
                addDistinct(either, ChaosWorkload.apply(pending.op, pending.key, pending.version, before));
            }
            setAllowed(pending.key, either);
        }
        return pending;
    }

    /**
     * Checks every key the model or the recovered table knows, counts what is lost or phantom, then adopts what
     * was found as the state the next cycle starts from (so that each problem is counted once).
     *
     * @return whether the write in flight at the last kill took effect.
     */
    String check(
        final Ferrite db, final Map<String, Map<String, AttributeValue>> scanned, final Intent inFlight)
    {
        final TreeSet<String> keys = new TreeSet<>(allowed.keySet());
        keys.addAll(scanned.keySet());

        String verdictOnInFlight = "n/a";
        for (final String key : keys)
        {
            final List<Map<String, AttributeValue>> states = allowed(key);
            final Map<String, AttributeValue> found = db.getItem(ChaosWorkload.TABLE, ChaosWorkload.key(key));
            if (null != inFlight && inFlight.key.equals(key))
            {
                final boolean applied = ChaosWorkload.Op.DELETE == inFlight.op ? null == found :
                    null != found && inFlight.version == ChaosWorkload.versionOf(found);
                verdictOnInFlight = applied ? "applied" : "not applied";
            }
            if (!states.contains(found))
            {
                classify(key, found, states);
            }
            if (!Objects.equals(found, scanned.get(key)))
            {
                lost++;
                problem("LOST " + key + ": getItem finds " + found + " but Scan finds " + scanned.get(key));
            }
            setAllowed(key, Collections.singletonList(found));
        }
        return verdictOnInFlight;
    }

    private void classify(
        final String key, final Map<String, AttributeValue> found, final List<Map<String, AttributeValue>> states)
    {
        final String wanted = "allowed: " + states;
        if (null == found)
        {
            lost++;
            problem("LOST " + key + ": no item; " + wanted);
            return;
        }

        final long version = ChaosWorkload.versionOf(found);
        boolean allowedVersion = false;
        for (final Map<String, AttributeValue> state : states)
        {
            allowedVersion |= null != state && ChaosWorkload.versionOf(state) == version;
        }
        if (!key.equals(intendedKeyByVersion.get(version)))
        {
            phantom++;
            problem("PHANTOM " + key + ": found " + found + ", a version never written to this key; " + wanted);
        }
        else if (allowedVersion)
        {
            phantom++;
            problem("PHANTOM " + key + ": found " + found + ", contents never written; " + wanted);
        }
        else
        {
            lost++;
            problem("LOST " + key + ": found the older " + found + "; " + wanted);
        }
    }

    private void problem(final String text)
    {
        if (problemsPrinted++ < MAX_PROBLEMS_PRINTED)
        {
            out.println("  " + text);
        }
    }

    private List<Map<String, AttributeValue>> allowed(final String key)
    {
        return allowed.getOrDefault(key, NO_ITEM);
    }

    private void setAllowed(final String key, final List<Map<String, AttributeValue>> states)
    {
        if (NO_ITEM.equals(states))
        {
            allowed.remove(key);
        }
        else
        {
            allowed.put(key, states);
        }
    }

    private static void addDistinct(
        final List<Map<String, AttributeValue>> states, final Map<String, AttributeValue> state)
    {
        if (!states.contains(state))
        {
            states.add(state);
        }
    }

    static Map<String, Map<String, AttributeValue>> scanAll(final Ferrite db)
    {
        final Map<String, Map<String, AttributeValue>> items = new HashMap<>();
        Map<String, AttributeValue> start = null;
        do
        {
            final Scan scan = Scan.on(ChaosWorkload.TABLE);
            if (null != start)
            {
                scan.exclusiveStartKey(start);
            }
            final Page page = db.scan(scan);
            for (final Map<String, AttributeValue> item : page.items())
            {
                items.put(item.get(ChaosWorkload.KEY).asString(), item);
            }
            start = page.lastEvaluatedKey();
        }
        while (null != start);
        return items;
    }

    static String describe(final RecoveryReport report)
    {
        return "checkpointSequence=" + report.checkpointSequence() + " replayed=" + report.recordsReplayed() +
            " skipped=" + report.recordsSkipped() + " torn=" + report.tornRecords() +
            (report.tornDescription().isEmpty() ? "" : " (" + report.tornDescription() + ")") +
            " lastSequence=" + report.lastSequence() + " items=" + report.items() + " in " + report.durationMs() + "ms";
    }

    // ---------------------------------------------------------------------------------------------
    // The writer child
    // ---------------------------------------------------------------------------------------------

    private WriterRun runWriterAndKill(
        final FsyncPolicy fsyncPolicy,
        final long firstVersion,
        final long seed,
        final long checkpointIntervalRecords,
        final long runMs) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags());
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        // C1 only: the writer's start (Chronicle's runtime code generation runs javac) takes about half as long
        // on this 2-core box, and what is checked does not depend on how hot the writer's code is.
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(EmbeddedChaosWriter.class.getName());
        command.add(dataDir.toString());
        command.add(fsyncPolicy.name());
        command.add(Long.toString(firstVersion));
        command.add(Long.toString(seed));
        command.add(Long.toString(checkpointIntervalRecords));

        final Path stderr = Files.createTempFile("ferrite-chaos-writer-", ".err");
        final Process child = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        final LineCollector collector = new LineCollector(child.getInputStream());
        collector.start();
        try
        {
            if (!collector.ready.await(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                throw new IllegalStateException((child.isAlive() ? "writer did not open " + dataDir + " within " +
                    READY_TIMEOUT_MS + " ms" : "writer exited with " + child.exitValue() + " before opening " + dataDir) +
                    "; its stderr: " + tail(stderr));
            }
            Thread.sleep(runMs);
            if (!child.isAlive())
            {
                throw new IllegalStateException("writer exited with " + child.exitValue() + " before it was killed; " +
                    "its stderr: " + tail(stderr));
            }
            // SIGKILL through the handle: Process.destroyForcibly would also close our end of the pipe, and the
            // last lines the child wrote before it died are acknowledgements too.
            child.toHandle().destroyForcibly();
            if (!child.waitFor(30, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("writer pid " + child.pid() + " survived SIGKILL for 30 s");
            }
            collector.join(TimeUnit.SECONDS.toMillis(30));
            if (collector.isAlive())
            {
                throw new IllegalStateException("writer's stdout did not close after it died");
            }
            if (null != collector.failure)
            {
                throw new UncheckedIOException("reading the writer's stdout", collector.failure);
            }
            final String ready = collector.lines.stream().filter(l -> l.startsWith("READY ")).findFirst().orElseThrow();
            return new WriterRun(collector.lines, ready.substring("READY ".length()));
        }
        finally
        {
            if (child.isAlive())
            {
                child.destroyForcibly();
                child.waitFor(30, TimeUnit.SECONDS);
            }
            collector.join(TimeUnit.SECONDS.toMillis(5));
            Files.deleteIfExists(stderr);
        }
    }

    /**
     * The JVM flags every Ferrite JVM needs: the {@code ferrite.jvm.flags} system property when the build
     * passes it (tests), else the launcher properties the build writes from the same pom property.
     */
    static List<String> jvmFlags() throws IOException
    {
        String flags = System.getProperty("ferrite.jvm.flags");
        if (null == flags)
        {
            final Properties launcher = new Properties();
            try (InputStream in = EmbeddedChaos.class.getResourceAsStream("/io/ferrite/tools/launcher.properties"))
            {
                if (null == in)
                {
                    throw new IllegalStateException("io/ferrite/tools/launcher.properties is not on the class path " +
                        "and the ferrite.jvm.flags system property is not set: cannot start a Ferrite JVM");
                }
                launcher.load(in);
            }
            flags = launcher.getProperty("jvm.flags", "");
        }
        final List<String> list = new ArrayList<>(Arrays.asList(flags.trim().split("\\s+")));
        list.removeIf(String::isEmpty);
        return list;
    }

    private static String tail(final Path file)
    {
        try
        {
            final String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.isEmpty() ? "(empty)" : "\n" + text.substring(Math.max(0, text.length() - 4_000));
        }
        catch (final IOException ex)
        {
            return "(unreadable: " + ex + ")";
        }
    }

    private static void requireFresh(final Path dataDir) throws IOException
    {
        if (Files.exists(dataDir))
        {
            if (!Files.isDirectory(dataDir))
            {
                throw new IllegalArgumentException("data directory " + dataDir + " is a file");
            }
            try (Stream<Path> entries = Files.list(dataDir))
            {
                if (entries.findAny().isPresent())
                {
                    throw new IllegalArgumentException("data directory " + dataDir + " is not empty: chaos checks " +
                        "every item against what its writers wrote, so it needs a fresh directory");
                }
            }
        }
        Files.createDirectories(dataDir);
    }

    /** What a killed writer printed: its protocol lines, and its recovery report from opening the directory. */
    private record WriterRun(List<String> lines, String readyReport)
    {
    }

    /** One write: its operation, key and version. */
    record Intent(ChaosWorkload.Op op, String key, long version)
    {
        public String toString()
        {
            return op + " " + key + " v" + version;
        }
    }

    /**
     * Reads the writer's stdout on its own thread (so the writer never blocks on a full pipe), keeping complete
     * lines only: a line cut by the kill is dropped, never misread.
     */
    private static final class LineCollector extends Thread
    {
        final List<String> lines = new ArrayList<>();
        final CountDownLatch ready = new CountDownLatch(1);
        final InputStream in;
        volatile IOException failure;

        LineCollector(final InputStream in)
        {
            super("chaos-writer-stdout");
            setDaemon(true);
            this.in = in;
        }

        public void run()
        {
            final StringBuilder line = new StringBuilder(64);
            try (InputStream stream = new BufferedInputStream(in, 64 * 1024))
            {
                int b;
                while (-1 != (b = stream.read()))
                {
                    if ('\n' == b)
                    {
                        final String text = line.toString();
                        line.setLength(0);
                        lines.add(text);
                        if (text.startsWith("READY"))
                        {
                            ready.countDown();
                        }
                    }
                    else
                    {
                        line.append((char)b);
                    }
                }
            }
            catch (final IOException ex)
            {
                failure = ex;
            }
        }
    }
}
