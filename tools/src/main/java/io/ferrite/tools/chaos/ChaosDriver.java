package io.ferrite.tools.chaos;

import io.ferrite.tools.chaos.history.HistoryCheck;
import io.ferrite.tools.chaos.history.LinearizabilityChecker;
import io.ferrite.tools.chaos.history.OpRecorder;
import io.ferrite.tools.chaos.history.RegisterOp;
import io.ferrite.tools.chaos.history.RegisterOp.Kind;
import io.ferrite.tools.chaos.history.RegisterOp.Outcome;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The game day: load at a fixed rate from several clients against a {@link ChaosTarget}, a killer that SIGKILLs a
 * member every K seconds (the leader half the time, when the target has one) and restarts it, then final reads
 * and the history check ({@link HistoryCheck}). A kill waits for the previous restart to finish and leaves the
 * restarted member at least K/2 seconds of service, so a slow restart stretches the schedule rather than stacking
 * kills.
 * <p>
 * <b>Load:</b> {@code clients} threads share the total rate, each on its own schedule of intended start times (open
 * loop: a slow answer does not slow the schedule). An operation is a write of a value unique in the run, a
 * conditional write expecting the value the client last saw for the key (when the target supports them), or a
 * strongly consistent read, on a key drawn uniformly from {@code keys}. An operation whose intended start passed by
 * more than the client timeout before its thread was free to send it is not sent and is recorded as failed
 * (it counts against availability, as a request that would have waited too long). Every operation goes into its
 * thread's {@link OpRecorder} (allocated up front, no lock).
 * <p>
 * <b>Output:</b> progress lines, the kills with the time to the first successful operation after each, the longest
 * gap without a successful operation, the problems found, then the last line
 * {@code acked=A lost=L duplicated=D linearizable=true|false availability=P%}.
 * <p>
 * <b>Threading:</b> {@link #run} is called from one thread; it starts and joins the client and killer threads.
 */
public final class ChaosDriver
{
    private static final long FINAL_READ_DEADLINE_MS = 60_000;
    private static final long CONNECT_WAIT_MS = 60_000;

    /**
     * The run's parameters.
     *
     * @param durationS     seconds of load.
     * @param killIntervalS seconds between kills (0: no kills).
     * @param rate          operations per second, all clients together.
     * @param clients       client threads.
     * @param keys          keys.
     * @param timeoutMs     the client's request timeout.
     * @param seed          seeds the load and the killer's choices.
     */
    public record Settings(long durationS, long killIntervalS, long rate, int clients, int keys, long timeoutMs,
        long seed)
    {
        /**
         * Checks the values, naming the option broken.
         */
        public Settings
        {
            require(durationS >= 1, "--duration must be at least 1 second, got " + durationS);
            require(killIntervalS >= 0, "--kill-interval must be 0 (no kills) or more seconds, got " + killIntervalS);
            require(rate >= 1 && rate <= 100_000, "--rate must be 1 to 100000 operations per second, got " + rate);
            require(clients >= 1 && clients <= 64, "--clients must be 1 to 64, got " + clients);
            require(keys >= 1 && keys <= 10_000, "--keys must be 1 to 10000, got " + keys);
            require(timeoutMs >= 10, "--timeout-ms must be at least 10, got " + timeoutMs);
            // divided, not multiplied: --duration 9223372036854775807 --rate 2 overflowed the product to below the limit
            require(durationS <= 20_000_000L / rate, "--rate times --duration must be at most 20,000,000 " +
                "operations (the history is kept in memory), got " + rate + " x " + durationS);
        }

        private static void require(final boolean condition, final String message)
        {
            if (!condition)
            {
                throw new IllegalArgumentException(message);
            }
        }
    }

    private final ChaosTarget target;
    private final Settings settings;
    private final PrintStream out;
    private final List<String> keyNames = new ArrayList<>();
    private final List<long[]> kills = new ArrayList<>();
    private volatile Throwable killerFailure;

    /**
     * @param target   what to run against (not started yet).
     * @param settings the run's parameters.
     * @param out      receives the output lines.
     */
    public ChaosDriver(final ChaosTarget target, final Settings settings, final PrintStream out)
    {
        this.target = target;
        this.settings = settings;
        this.out = out;
        for (int i = 0; i < settings.keys(); i++)
        {
            keyNames.add("r" + i);
        }
    }

    /**
     * Starts the target, runs the load and the killer, reads every key, stops the target and checks the history.
     *
     * @return the report; its summary line has been printed last.
     * @throws Exception when the target fails in a way that stops the run.
     */
    public HistoryCheck.Report run() throws Exception
    {
        final long timeoutNs = TimeUnit.MILLISECONDS.toNanos(settings.timeoutMs());
        final boolean conditional = target.supportsConditionalWrites();
        out.println("chaos: target=" + target.name() + " duration=" + settings.durationS() + "s kill-interval=" +
            settings.killIntervalS() + "s rate=" + settings.rate() + "/s clients=" + settings.clients() + " keys=" +
            settings.keys() + " timeout=" + settings.timeoutMs() + "ms seed=" + settings.seed());
        if (!conditional)
        {
            out.println("chaos: target " + target.name() + " does no conditional writes: the load is writes and " +
                "strongly consistent reads");
        }
        final int capacity = (int)Math.min(Integer.MAX_VALUE / (settings.clients() + 1),
            settings.rate() * settings.durationS() / settings.clients() * 2 + 1_000);
        final OpRecorder[] recorders = new OpRecorder[settings.clients()];
        for (int c = 0; c < recorders.length; c++)
        {
            recorders[c] = new OpRecorder(c * capacity, capacity);
        }
        final int firstFinalId = settings.clients() * capacity;
        final OpRecorder finalReads = new OpRecorder(firstFinalId, settings.keys());

        try
        {
            target.start(settings.keys());
        }
        catch (final Exception | Error ex)
        {
            // what did start (cell members that elected no leader, a node) must not outlive the run that gave up on it
            try
            {
                target.close();
            }
            catch (final Exception closeFailure)
            {
                ex.addSuppressed(closeFailure);
            }
            throw ex;
        }
        final long startNs;
        final long endNs;
        try
        {
            target.members().forEach(m -> out.println("chaos: member " + m));
            // Clients connect before the load starts, so the run measures failovers, not the first connections.
            final CountDownLatch connected = new CountDownLatch(settings.clients());
            final CountDownLatch go = new CountDownLatch(1);
            final long[] window = new long[2];
            final Thread[] threads = new Thread[settings.clients()];
            final Throwable[] failures = new Throwable[settings.clients()];
            for (int c = 0; c < threads.length; c++)
            {
                final int client = c;
                threads[c] = new Thread(() ->
                {
                    try
                    {
                        runClient(client, recorders[client], connected, go, window, timeoutNs, conditional);
                    }
                    catch (final Throwable ex)
                    {
                        failures[client] = ex;
                    }
                }, "chaos-client-" + c);
                threads[c].start();
            }
            if (!connected.await(CONNECT_WAIT_MS, TimeUnit.MILLISECONDS))
            {
                out.println("chaos: not every client connected within " + CONNECT_WAIT_MS + " ms; starting anyway");
            }
            startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            endNs = startNs + TimeUnit.SECONDS.toNanos(settings.durationS());
            window[0] = startNs;
            window[1] = endNs;
            go.countDown(); // publishes window[] to the client threads (they read it after await)
            final Thread killer = new Thread(() -> runKiller(startNs, endNs), "chaos-killer");
            killer.start();
            for (final Thread thread : threads)
            {
                thread.join();
            }
            killer.join();
            for (final Throwable failure : failures)
            {
                if (null != failure)
                {
                    throw new IllegalStateException("a client thread failed: " + failure, failure);
                }
            }
            if (null != killerFailure)
            {
                throw new IllegalStateException("the killer failed: " + killerFailure, killerFailure);
            }
            readEveryKey(finalReads, timeoutNs);
        }
        finally
        {
            target.close();
        }

        reportFailovers(recorders, startNs, endNs);
        final Map<String, List<RegisterOp>> opsByKey = new HashMap<>();
        for (final OpRecorder recorder : recorders)
        {
            recorder.addTo(keyNames, opsByKey);
        }
        finalReads.addTo(keyNames, opsByKey);
        final long checkStart = System.nanoTime();
        final HistoryCheck.Report report = HistoryCheck.check(opsByKey, firstFinalId, timeoutNs,
            LinearizabilityChecker.DEFAULT_BUDGET);
        out.println("chaos: checked " + report.keys() + " keys, " + (report.requests() + settings.keys()) +
            " operations in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - checkStart) + " ms" +
            (report.keysUndecided() > 0 ? "; the checker gave up on " + report.keysUndecided() + " keys" : ""));
        report.problems().forEach(p -> out.println("  " + p));
        out.println("chaos: requests=" + report.requests() + " answered in time=" + report.answered() + " kills=" +
            kills.size());
        final long[] byKind = new long[Kind.values().length * Outcome.values().length];
        opsByKey.values().forEach(ops -> ops.forEach(op -> byKind[op.kind().ordinal() * Outcome.values().length +
            op.outcome().ordinal()]++));
        final StringBuilder mix = new StringBuilder("chaos: operations by kind and outcome (final reads included):");
        for (final Kind kind : Kind.values())
        {
            mix.append(' ').append(kind).append('[');
            for (final Outcome outcome : Outcome.values())
            {
                mix.append(outcome).append('=').append(byKind[kind.ordinal() * Outcome.values().length + outcome.ordinal()])
                    .append(outcome.ordinal() + 1 < Outcome.values().length ? " " : "");
            }
            mix.append(']');
        }
        out.println(mix);
        out.println(report.summaryLine());
        return report;
    }

    private void runClient(final int client, final OpRecorder recorder, final CountDownLatch connected,
        final CountDownLatch go, final long[] window, final long timeoutNs, final boolean conditional)
        throws InterruptedException
    {
        final SplittableRandom random = new SplittableRandom(settings.seed() * 1_000_003L + client);
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) * settings.clients() / settings.rate();
        final long[] lastSeen = new long[settings.keys()];
        long sequence = 0;
        ChaosClient newClient = null;
        try
        {
            newClient = target.newClient(client, timeoutNs);
            newClient.connect();
        }
        finally
        {
            connected.countDown();
        }
        try (ChaosClient connection = newClient)
        {
            go.await();
            final long endNs = window[1];
            long intended = window[0] + TimeUnit.SECONDS.toNanos(1) * client / settings.rate();
            while (intended < endNs && !recorder.full())
            {
                long now = System.nanoTime();
                while (now < intended)
                {
                    LockSupport.parkNanos(intended - now);
                    now = System.nanoTime();
                }
                final int key = random.nextInt(settings.keys());
                final int dice = random.nextInt(10);
                final Kind kind = dice < 5 ? Kind.READ : conditional && dice < 7 ? Kind.CONDITIONAL_WRITE : Kind.WRITE;
                final long value = Kind.READ == kind ? RegisterOp.ABSENT : ((long)(client + 1) << 40) | ++sequence;
                final long expected = Kind.CONDITIONAL_WRITE == kind ? lastSeen[key] : RegisterOp.ABSENT;
                if (now - intended > timeoutNs)
                {
                    // Could not even be sent within the timeout of its intended start.
                    recorder.record(key, kind, expected, value, intended, intended, Outcome.FAILED);
                    intended += intervalNs;
                    continue;
                }
                final long requestId = ((long)(client + 1) << 40) | (recorder.size() + 1);
                final long invoke = System.nanoTime();
                final Outcome outcome;
                switch (kind)
                {
                    case READ:
                        outcome = connection.read(key, requestId);
                        break;
                    case CONDITIONAL_WRITE:
                        outcome = connection.conditionalWrite(key, expected, value, requestId);
                        break;
                    default:
                        outcome = connection.write(key, value, requestId);
                        break;
                }
                final long complete = System.nanoTime();
                final long recorded = Kind.READ == kind ? connection.lastValue() : value;
                recorder.record(key, kind, expected, Kind.READ == kind && Outcome.OK != outcome ? 0 : recorded, invoke,
                    complete, outcome);
                if (Outcome.OK == outcome)
                {
                    lastSeen[key] = recorded;
                }
                intended += intervalNs;
            }
        }
    }

    private void runKiller(final long startNs, final long endNs)
    {
        if (0 == settings.killIntervalS())
        {
            return;
        }
        final SplittableRandom random = new SplittableRandom(settings.seed() ^ 0x6b696c6cL);
        final long intervalNs = TimeUnit.SECONDS.toNanos(settings.killIntervalS());
        long next = startNs + intervalNs;
        try
        {
            while (next < endNs)
            {
                long now = System.nanoTime();
                while (now < next)
                {
                    LockSupport.parkNanos(next - now);
                    now = System.nanoTime();
                }
                final int leader = target.leader();
                final int member = leader >= 0 && random.nextBoolean() ? leader : random.nextInt(target.memberCount());
                final long killAt = System.nanoTime();
                target.kill(member);
                out.println(String.format(Locale.ROOT, "chaos: t=%.1fs SIGKILL member %d%s", seconds(killAt - startNs),
                    member, member == leader ? " (the leader)" : ""));
                target.restart(member);
                final long restartedAt = System.nanoTime();
                out.println(String.format(Locale.ROOT, "chaos: t=%.1fs member %d restarted (%d ms after the kill)",
                    seconds(restartedAt - startNs), member, TimeUnit.NANOSECONDS.toMillis(restartedAt - killAt)));
                synchronized (kills)
                {
                    kills.add(new long[]{ killAt, member });
                }
                next = Math.max(next + intervalNs, System.nanoTime() + intervalNs / 2);
            }
        }
        catch (final Throwable ex)
        {
            killerFailure = ex;
        }
    }

    private void readEveryKey(final OpRecorder finalReads, final long timeoutNs)
    {
        try (ChaosClient reader = target.newClient(settings.clients(), timeoutNs))
        {
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FINAL_READ_DEADLINE_MS);
            for (int key = 0; key < settings.keys(); key++)
            {
                while (true)
                {
                    final long invoke = System.nanoTime();
                    final Outcome outcome = reader.read(key, -1 - key);
                    if (Outcome.OK == outcome)
                    {
                        finalReads.record(key, Kind.READ, RegisterOp.ABSENT, reader.lastValue(), invoke,
                            System.nanoTime(), Outcome.OK);
                        break;
                    }
                    if (System.nanoTime() > deadline)
                    {
                        throw new IllegalStateException("the final read of key " + keyNames.get(key) +
                            " got no answer for " + FINAL_READ_DEADLINE_MS + " ms (last: " + outcome + "): the target " +
                            "did not recover");
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
            }
        }
    }

    private void reportFailovers(final OpRecorder[] recorders, final long startNs, final long endNs)
    {
        int count = 0;
        for (final OpRecorder recorder : recorders)
        {
            count += recorder.size();
        }
        final long[][] byInvoke = new long[count][];
        int n = 0;
        for (final OpRecorder recorder : recorders)
        {
            for (int i = 0; i < recorder.size(); i++)
            {
                final long at = recorder.answeredAt(i);
                if (at >= 0)
                {
                    byInvoke[n++] = new long[]{ recorder.invokedAt(i), at };
                }
            }
        }
        final long[][] answered = Arrays.copyOf(byInvoke, n);
        Arrays.sort(answered, (a, b) -> Long.compare(a[0], b[0]));
        // Earliest completion among the operations sent at or after each one.
        final long[] firstDoneFrom = new long[n + 1];
        firstDoneFrom[n] = Long.MAX_VALUE;
        for (int i = n - 1; i >= 0; i--)
        {
            firstDoneFrom[i] = Math.min(firstDoneFrom[i + 1], answered[i][1]);
        }
        for (final long[] kill : kills)
        {
            int from = 0;
            while (from < n && answered[from][0] < kill[0])
            {
                from++;
            }
            out.println(String.format(Locale.ROOT, "chaos: kill of member %d at t=%.1fs: %s", kill[1],
                seconds(kill[0] - startNs), Long.MAX_VALUE != firstDoneFrom[from] ? "first operation sent after it " +
                "succeeded " + TimeUnit.NANOSECONDS.toMillis(firstDoneFrom[from] - kill[0]) + " ms after it" :
                "no operation sent after it succeeded"));
        }
        final long[] done = new long[n];
        for (int i = 0; i < n; i++)
        {
            done[i] = answered[i][1];
        }
        Arrays.sort(done);
        long gap = 0;
        long gapFrom = startNs;
        long previous = startNs;
        for (final long at : done)
        {
            if (at - previous > gap)
            {
                gap = at - previous;
                gapFrom = previous;
            }
            previous = Math.max(previous, at);
        }
        if (endNs - previous > gap)
        {
            gap = endNs - previous;
            gapFrom = previous;
        }
        out.println(String.format(Locale.ROOT, "chaos: longest gap without a successful operation: %d ms (from " +
            "t=%.1fs); successful operations: %d", TimeUnit.NANOSECONDS.toMillis(gap), seconds(gapFrom - startNs), n));
    }

    private static double seconds(final long nanos)
    {
        return nanos / 1e9;
    }
}
