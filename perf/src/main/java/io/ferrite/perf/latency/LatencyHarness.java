package io.ferrite.perf.latency;

import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code ferrite-perf}: the open-loop latency harness (see perf/README.md, "Latency harness"). Runs a workload
 * at a fixed offered rate against a target and reports each operation's latency distribution from the
 * intended send times, as text, a JSON summary and .hgrm files; compares several targets; sweeps the rate;
 * checks that a run allocates nothing; renders a report of saved runs.
 */
public final class LatencyHarness
{
    static final String USAGE = String.join("\n",
        "usage: ferrite-perf [options]            run a workload against a target",
        "       ferrite-perf report DIR [--out FILE]   render DIR's *.json and *.hgrm runs as HTML + PNG",
        "  --target embedded|ipc|udp|http|dynalite|redis|chronicle-map|cell|cell-eventual   (default embedded; http:",
        "                     a node's DynamoDB JSON API; dynalite: its Node.js peer, installed with npm on first use;",
        "                     cell: a three-member replicated cell, reads strongly consistent; cell-eventual: reads",
        "                     from one member)",
        "  --workload " + Workload.NAMES + "   (default get)",
        "  --records N        records loaded first, a multiple of 10 (default 100000)",
        "  --rate OPS_PER_S   offered rate, all threads together (default 10000)",
        "  --duration S       measured seconds (default 10)",
        "  --warmup S         seconds at the same rate before measuring (default 3)",
        "  --warmup-ops N     before that, N operations of the workload in a closed loop, once per target (default 0):",
        "                     warms the JIT for a low-rate run, where S seconds are too few calls",
        "  --threads N        load threads, each its own session at rate/N (default 1)",
        "  --fsync none|batch|every-write   the WAL's fsync policy in the embedded, ipc, udp and http targets",
        "                     (default none: a deployment that replicates rather than fsyncs; batch is the engine's",
        "                     own default)",
        "  --fsync-interval-us US   with --fsync batch, the longest an acknowledged write waits for its fdatasync",
        "                     (default 2000, the engine's)",
        "  --fsync-batch-records N   with --fsync batch, unsynced records that start an fdatasync sooner (default 256,",
        "                     the engine's)",
        "  --late-us US       list the measured requests later than US microseconds, grouped into bursts (late",
        "                     requests under 5 ms apart), from the run's System.nanoTime() origin",
        "                     (perf/bin/thread-runs lineup reads it)",
        "  --json FILE        write the JSON summary (one object per target and operation)",
        "  --hgrm FILE        write the percentile distribution (one file per target and operation when several:",
        "                     FILE's name with -TARGET-OP, or -TARGET-RATE-OP in a sweep, before .hgrm)",
        "  --compare T1,T2..  run each target in turn on the same workload and rate; print the ratios to T1",
        "  --rounds N         with --compare, alternate the targets N times (default 1)",
        "  --sweep            raise the rate from --rate by --sweep-factor (default 2) up to --sweep-max-rate",
        "                     (default 64 x --rate) while p99 stays under --p99-bound-us (default 1000)",
        "  --alloc-check      re-run in a child JVM under Epsilon GC with --alloc-heap (default 256m): did it finish?");

    private LatencyHarness()
    {
    }

    /**
     * @param args the command line.
     */
    public static void main(final String[] args)
    {
        try
        {
            System.exit(run(args));
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("ferrite-perf: " + ex.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        }
    }

    /**
     * @param args the command line.
     * @return the exit status.
     */
    public static int run(final String[] args)
    {
        if (args.length > 0 && "report".equals(args[0]))
        {
            return Report.run(java.util.Arrays.copyOfRange(args, 1, args.length));
        }
        final Map<String, String> options = parse(args);
        if (options.containsKey("help"))
        {
            System.out.println(USAGE);
            return 0;
        }
        final Settings settings = new Settings(options);
        if (options.containsKey("alloc-check"))
        {
            return AllocCheck.run(args, options.getOrDefault("alloc-heap", "256m"));
        }
        if (options.containsKey("sweep"))
        {
            return sweep(settings, options);
        }
        final List<String> targets = new ArrayList<>();
        final int rounds;
        if (options.containsKey("compare"))
        {
            for (final String name : options.get("compare").split(","))
            {
                targets.add(name.trim());
            }
            rounds = intOption(options, "rounds", 1, 1, 100);
        }
        else
        {
            targets.add(settings.target);
            rounds = 1;
        }
        final Map<String, RunResult> results = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++)
        {
            for (final String name : targets)
            {
                try (Target target = Targets.open(name, settings.records, settings.wal))
                {
                    final RunResult result = measure(target, settings, settings.rate);
                    System.out.print(result.describe());
                    results.merge(name, result, (a, b) ->
                    {
                        a.add(b);
                        return a;
                    });
                }
            }
        }
        if (targets.size() > 1)
        {
            System.out.print(compareTable(new ArrayList<>(results.values())));
        }
        write(settings, new ArrayList<>(results.values()));
        return 0;
    }

    /**
     * Warms up, then measures one run against an open target.
     *
     * @param target   the target.
     * @param settings the run's settings.
     * @param rate     the offered rate.
     * @return what was measured.
     */
    static RunResult measure(final Target target, final Settings settings, final long rate)
    {
        if (settings.threads > target.maxThreads())
        {
            throw new IllegalArgumentException("--threads " + settings.threads + " is more than target " +
                target.name() + " supports (" + target.maxThreads() + ")");
        }
        final RunResult result = new RunResult(target.name(), settings.workload, rate);
        final boolean prime = settings.warmupOps > 0 && firstRun(target);
        final AtomicLong inserted = new AtomicLong(settings.records);
        final CyclicBarrier measuring = new CyclicBarrier(settings.threads);
        final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        final Recorder[] recorders = new Recorder[settings.threads];
        final long[] missed = new long[settings.threads];
        final Thread[] threads = new Thread[settings.threads];
        for (int t = 0; t < settings.threads; t++)
        {
            final int index = t;
            final Runnable load = () ->
            {
                try
                {
                    recorders[index] = loadThread(target, settings, rate / settings.threads, inserted, index,
                        measuring, missed, prime);
                }
                catch (final RuntimeException ex)
                {
                    failure.compareAndSet(null, ex);
                    measuring.reset();
                }
            };
            if (t > 0)
            {
                threads[t] = new Thread(load, "ferrite-perf-load-" + t);
                threads[t].start();
            }
            else
            {
                threads[0] = null;
            }
        }
        // The main thread is load thread 0: the embedded target's shard belongs to the thread that opened it.
        try
        {
            recorders[0] = loadThread(target, settings, rate / settings.threads, inserted, 0, measuring, missed, prime);
        }
        catch (final RuntimeException ex)
        {
            failure.compareAndSet(null, ex);
            measuring.reset();
        }
        for (final Thread thread : threads)
        {
            if (null != thread)
            {
                try
                {
                    thread.join();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted waiting for the load threads", ex);
                }
            }
        }
        if (null != failure.get())
        {
            throw failure.get();
        }
        for (int t = 0; t < settings.threads; t++)
        {
            result.add(recorders[t], missed[t]);
            if (settings.lateUs > 0)
            {
                System.out.printf(Locale.ROOT, "%s load thread %d at %d/s, later than %d us: %s", target.name(), t,
                    rate, settings.lateUs, recorders[t].lateRequests().bursts(TimeUnit.MILLISECONDS.toNanos(5)));
            }
        }
        return result;
    }

    private static Recorder loadThread(
        final Target target,
        final Settings settings,
        final long rate,
        final AtomicLong inserted,
        final int index,
        final CyclicBarrier measuring,
        final long[] missed,
        final boolean prime)
    {
        final SystemNanoClock clock = SystemNanoClock.INSTANCE;
        final Recorder recorder = new Recorder(clock);
        if (settings.lateUs > 0)
        {
            recorder.lateRequests().thresholdNs(TimeUnit.MICROSECONDS.toNanos(settings.lateUs));
        }
        try (Session session = target.newSession(recorder, 1000 + index))
        {
            final Workload workload = Workload.of(settings.workload, settings.records, target.capacity(), inserted,
                31L * (index + 1));
            final OpenLoop loop = new OpenLoop(session, workload, clock, new YieldingIdleStrategy(), recorder);
            final long drainNs = TimeUnit.SECONDS.toNanos(5);
            if (prime)
            {
                loop.closedLoop(Math.max(1, settings.warmupOps / settings.threads), TimeUnit.MINUTES.toNanos(10));
            }
            if (settings.warmupSeconds > 0)
            {
                loop.run(Math.max(1, rate), TimeUnit.SECONDS.toNanos(settings.warmupSeconds), drainNs);
            }
            await(measuring);
            recorder.reset();
            final Runtime runtime = Runtime.getRuntime();
            final long heapBefore = runtime.totalMemory() - runtime.freeMemory();
            loop.run(Math.max(1, rate), TimeUnit.SECONDS.toNanos(settings.durationSeconds), drainNs);
            final long heapGrowth = runtime.totalMemory() - runtime.freeMemory() - heapBefore;
            // Never sent, or sent and still unanswered after the drain: either way the rate was not served.
            missed[index] = loop.missed() + session.inFlight();
            if (0 == index)
            {
                System.out.printf(Locale.ROOT, "%s: heap used grew %,d bytes during the measured run (every byte " +
                    "this JVM allocated in it under --alloc-check's Epsilon GC; with a collecting GC only a hint)%n",
                    target.name(), heapGrowth);
            }
        }
        return recorder;
    }

    /** Targets already warmed by --warmup-ops (a sweep or a comparison measures one target several times). */
    private static final Set<Target> PRIMED = Collections.newSetFromMap(new IdentityHashMap<>());

    private static synchronized boolean firstRun(final Target target)
    {
        return PRIMED.add(target);
    }

    private static void await(final CyclicBarrier barrier)
    {
        try
        {
            barrier.await();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("another load thread failed", ex);
        }
    }

    private static int sweep(final Settings settings, final Map<String, String> options)
    {
        final long boundNs = TimeUnit.MICROSECONDS.toNanos(longOption(options, "p99-bound-us", 1000, 1, Long.MAX_VALUE));
        final double factor = Double.parseDouble(options.getOrDefault("sweep-factor", "2"));
        if (!(factor > 1.0))
        {
            throw new IllegalArgumentException("--sweep-factor must be above 1, got " + factor);
        }
        final long maxRate = longOption(options, "sweep-max-rate", settings.rate * 64, settings.rate, Long.MAX_VALUE);
        final List<RunResult> steps = new ArrayList<>();
        long best = 0;
        try (Target target = Targets.open(settings.target, settings.records, settings.wal))
        {
            for (long rate = settings.rate; rate <= maxRate; rate = Math.max(rate + 1, (long)(rate * factor)))
            {
                final RunResult result = measure(target, settings, rate);
                steps.add(result);
                final long p99 = result.worstP99();
                final boolean held = p99 <= boundNs && 0 == result.missed();
                System.out.printf(Locale.ROOT, "sweep: %s %s rate=%d/s worst p99=%s us missed=%d -> %s%n",
                    target.name(), settings.workload, rate, RunResult.us(p99), result.missed(),
                    held ? "within bound" : "over the bound");
                if (!held)
                {
                    break;
                }
                best = rate;
            }
        }
        System.out.printf(Locale.ROOT, "sweep: highest rate with p99 <= %d us: %s%n",
            TimeUnit.NANOSECONDS.toMicros(boundNs), 0 == best ? "none (the first step was over)" : best + "/s");
        write(settings, steps);
        return 0;
    }

    static String compareTable(final List<RunResult> results)
    {
        final StringBuilder out = new StringBuilder();
        final RunResult base = results.get(0);
        out.append(String.format(Locale.ROOT, "%n%-13s %-17s %9s %9s %9s %9s %9s %9s  %s%n", "target", "op", "ops",
            "p50 us", "p90 us", "p99 us", "p99.9 us", "max us", "p50 / p99 ratio to " + base.target()));
        for (final RunResult result : results)
        {
            for (final Op op : result.ops())
            {
                final long p50 = result.histogram(op).getValueAtPercentile(50);
                final long p99 = result.histogram(op).getValueAtPercentile(99);
                final long baseP50 = base.histogram(op).getValueAtPercentile(50);
                final long baseP99 = base.histogram(op).getValueAtPercentile(99);
                out.append(String.format(Locale.ROOT, "%-13s %-17s %9d %9s %9s %9s %9s %9s  %s / %s%n",
                    result.target(), op.label(), result.histogram(op).getTotalCount(), RunResult.us(p50),
                    RunResult.us(result.histogram(op).getValueAtPercentile(90)), RunResult.us(p99),
                    RunResult.us(result.histogram(op).getValueAtPercentile(99.9)),
                    RunResult.us(result.histogram(op).getMaxValue()), ratio(p50, baseP50), ratio(p99, baseP99)));
            }
        }
        return out.toString();
    }

    private static String ratio(final long value, final long base)
    {
        if (0 == base)
        {
            return "-";
        }
        final double ratio = (double)value / base;
        return String.format(Locale.ROOT, ratio >= 0.1 ? "%.2fx" : "%.2gx", ratio);
    }

    private static void write(final Settings settings, final List<RunResult> results)
    {
        if (null != settings.json)
        {
            final StringBuilder json = new StringBuilder("[\n");
            boolean first = true;
            for (final RunResult result : results)
            {
                first = result.appendJson(json, first);
            }
            json.append("\n]\n");
            try
            {
                Files.writeString(settings.json, json, StandardCharsets.UTF_8);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            System.out.println("wrote " + settings.json);
        }
        if (null != settings.hgrm)
        {
            int files = 0;
            for (final RunResult result : results)
            {
                files += result.ops().size();
            }
            boolean sweptRates = false;
            for (final RunResult result : results)
            {
                sweptRates |= result.rate() != results.get(0).rate();
            }
            for (final RunResult result : results)
            {
                for (final Op op : result.ops())
                {
                    final Path file = 1 == files ? settings.hgrm : suffixed(settings.hgrm,
                        "-" + result.target() + "-" + (sweptRates ? result.rate() + "-" : "") + op.label());
                    result.writeHgrm(op, file);
                    System.out.println("wrote " + file);
                }
            }
        }
    }

    private static Path suffixed(final Path file, final String suffix)
    {
        final String name = file.getFileName().toString();
        final int dot = name.endsWith(".hgrm") ? name.length() - ".hgrm".length() : name.length();
        return file.resolveSibling(name.substring(0, dot) + suffix + ".hgrm");
    }

    static Map<String, String> parse(final String[] args)
    {
        final Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if (!arg.startsWith("--"))
            {
                throw new IllegalArgumentException("unexpected argument '" + arg + "': options start with --");
            }
            final String name = arg.substring(2);
            switch (name)
            {
                case "help":
                case "sweep":
                case "alloc-check":
                    options.put(name, "true");
                    break;
                case "target":
                case "workload":
                case "records":
                case "rate":
                case "duration":
                case "warmup":
                case "warmup-ops":
                case "threads":
                case "json":
                case "hgrm":
                case "compare":
                case "rounds":
                case "p99-bound-us":
                case "sweep-factor":
                case "sweep-max-rate":
                case "alloc-heap":
                case "late-us":
                case "fsync":
                case "fsync-interval-us":
                case "fsync-batch-records":
                    if (i + 1 >= args.length)
                    {
                        throw new IllegalArgumentException("option --" + name + " needs a value");
                    }
                    options.put(name, args[++i]);
                    break;
                default:
                    throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
        return options;
    }

    static long longOption(
        final Map<String, String> options, final String name, final long defaultValue, final long min, final long max)
    {
        final String text = options.get(name);
        if (null == text)
        {
            return defaultValue;
        }
        final long value;
        try
        {
            value = Long.parseLong(text.replace("_", ""));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("option --" + name + " must be an integer, got '" + text + "'");
        }
        if (value < min || value > max)
        {
            throw new IllegalArgumentException("option --" + name + " must be in [" + min + ", " + max + "], got " +
                value);
        }
        return value;
    }

    static int intOption(
        final Map<String, String> options, final String name, final int defaultValue, final int min, final int max)
    {
        return (int)longOption(options, name, defaultValue, min, max);
    }

    /** A run's settings, validated. */
    static final class Settings
    {
        final String target;
        final String workload;
        final int records;
        final long rate;
        final long durationSeconds;
        final long warmupSeconds;
        final long warmupOps;
        final int threads;
        final long lateUs;
        final WalChoice wal;
        final Path json;
        final Path hgrm;

        Settings(final Map<String, String> options)
        {
            target = options.getOrDefault("target", "embedded");
            Targets.check(target);
            workload = options.getOrDefault("workload", "get");
            Workload.of(workload, 10, 20, new AtomicLong(10), 1);
            records = intOption(options, "records", 100_000, 10, 10_000_000);
            if (0 != records % 10)
            {
                throw new IllegalArgumentException("option --records must be a multiple of 10, got " + records);
            }
            rate = longOption(options, "rate", 10_000, 1, 100_000_000);
            durationSeconds = longOption(options, "duration", 10, 1, 3600);
            warmupSeconds = longOption(options, "warmup", 3, 0, 3600);
            warmupOps = longOption(options, "warmup-ops", 0, 0, 100_000_000);
            threads = intOption(options, "threads", 1, 1, 64);
            lateUs = longOption(options, "late-us", 0, 0, TimeUnit.MINUTES.toMicros(1));
            json = options.containsKey("json") ? Path.of(options.get("json")) : null;
            hgrm = options.containsKey("hgrm") ? Path.of(options.get("hgrm")) : null;
            wal = WalChoice.of(options.get("fsync"), longOption(options, "fsync-interval-us", 0, 1, 10_000_000),
                intOption(options, "fsync-batch-records", 0, 1, 1 << 20));
            final List<String> names = new ArrayList<>();
            names.add(target);
            if (options.containsKey("compare"))
            {
                names.clear();
                for (final String name : options.get("compare").split(","))
                {
                    Targets.check(name.trim());
                    names.add(name.trim());
                }
            }
            if (options.containsKey("fsync"))
            {
                for (final String name : names)
                {
                    if (!Targets.hasWal(name))
                    {
                        throw new IllegalArgumentException("option --fsync applies to the targets " + Targets.WITH_WAL +
                            " (a Ferrite engine the harness starts itself), not to " + name);
                    }
                }
            }
        }
    }
}
