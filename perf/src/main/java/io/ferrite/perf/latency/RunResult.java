package io.ferrite.perf.latency;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The measured part of one run (or of several rounds of the same target, merged): per-operation latency
 * histograms from the intended send time, completions, errors, throttles and misses.
 * <p>
 * <b>Threading:</b> built by the harness's main thread after the load threads finished.
 */
public final class RunResult
{
    private final String target;
    private final String workload;
    private final long rate;
    private final Histogram[] histograms = new Histogram[Op.count()];
    private final long[] errors = new long[Op.count()];
    private long throttles;
    private long missed;

    /**
     * @param target   target name.
     * @param workload workload name.
     * @param rate     offered rate, operations per second (all threads together).
     */
    public RunResult(final String target, final String workload, final long rate)
    {
        this.target = target;
        this.workload = workload;
        this.rate = rate;
        for (int i = 0; i < histograms.length; i++)
        {
            histograms[i] = new Histogram(Recorder.HIGHEST_NS, 3);
        }
    }

    /**
     * Adds a load thread's recordings.
     *
     * @param recorder the thread's recorder.
     * @param missedOps operations the thread never sent.
     */
    public void add(final Recorder recorder, final long missedOps)
    {
        for (final Op op : Op.values())
        {
            histograms[op.ordinal()].add(recorder.histogram(op));
            errors[op.ordinal()] += recorder.errors(op);
        }
        throttles += recorder.throttles();
        missed += missedOps;
    }

    /**
     * Adds another result of the same target (another round).
     *
     * @param other the other result.
     */
    public void add(final RunResult other)
    {
        for (int i = 0; i < histograms.length; i++)
        {
            histograms[i].add(other.histograms[i]);
            errors[i] += other.errors[i];
        }
        throttles += other.throttles;
        missed += other.missed;
    }

    /**
     * @return the target's name.
     */
    public String target()
    {
        return target;
    }

    /**
     * @return the workload's name.
     */
    public String workload()
    {
        return workload;
    }

    /**
     * @return the offered rate.
     */
    public long rate()
    {
        return rate;
    }

    /**
     * @param op which.
     * @return its latency histogram, nanoseconds.
     */
    public Histogram histogram(final Op op)
    {
        return histograms[op.ordinal()];
    }

    /**
     * @param op which.
     * @return its errors.
     */
    public long errors(final Op op)
    {
        return errors[op.ordinal()];
    }

    /**
     * @return throttles (refused sends and throttling errors).
     */
    public long throttles()
    {
        return throttles;
    }

    /**
     * @return operations never sent because the target fell behind, or never answered.
     */
    public long missed()
    {
        return missed;
    }

    /**
     * @return the operations this run issued, in {@link Op} order.
     */
    public List<Op> ops()
    {
        final List<Op> ops = new ArrayList<>();
        for (final Op op : Op.values())
        {
            if (histograms[op.ordinal()].getTotalCount() > 0 || errors[op.ordinal()] > 0)
            {
                ops.add(op);
            }
        }
        return ops;
    }

    /**
     * @return the p99 of the worst operation, nanoseconds.
     */
    public long worstP99()
    {
        long worst = 0;
        for (final Op op : ops())
        {
            worst = Math.max(worst, histogram(op).getValueAtPercentile(99));
        }
        return worst;
    }

    /**
     * Appends one JSON object per operation, with exactly the keys of the summary format.
     *
     * @param out receives {@code {...}} objects separated by commas and new lines (no brackets).
     * @param first whether nothing was written before (no leading comma).
     * @return false once something was written.
     */
    public boolean appendJson(final StringBuilder out, final boolean first)
    {
        boolean none = first;
        for (final Op op : ops())
        {
            final Histogram h = histogram(op);
            if (!none)
            {
                out.append(",\n");
            }
            none = false;
            out.append("  {");
            Json.field(out, "target", target).append(',');
            Json.field(out, "workload", workload).append(',');
            Json.field(out, "op", op.label()).append(',');
            Json.field(out, "rate", rate).append(',');
            Json.field(out, "ops", h.getTotalCount()).append(',');
            Json.field(out, "errors", errors(op)).append(',');
            Json.field(out, "p50_ns", h.getValueAtPercentile(50)).append(',');
            Json.field(out, "p90_ns", h.getValueAtPercentile(90)).append(',');
            Json.field(out, "p99_ns", h.getValueAtPercentile(99)).append(',');
            Json.field(out, "p999_ns", h.getValueAtPercentile(99.9)).append(',');
            Json.field(out, "p9999_ns", h.getValueAtPercentile(99.99)).append(',');
            Json.field(out, "max_ns", h.getMaxValue()).append(',');
            Json.field(out, "jdk", System.getProperty("java.runtime.name") + " " +
                System.getProperty("java.runtime.version")).append(',');
            Json.field(out, "cpus", Runtime.getRuntime().availableProcessors());
            out.append('}');
        }
        return none;
    }

    /**
     * Writes an operation's percentile distribution in HdrHistogram's .hgrm text format, values in
     * microseconds.
     *
     * @param op   which.
     * @param file where.
     */
    public void writeHgrm(final Op op, final Path file)
    {
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, "UTF-8"))
        {
            histogram(op).outputPercentileDistribution(out, 1000.0);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return human-readable lines, one per operation.
     */
    public String describe()
    {
        final StringBuilder out = new StringBuilder();
        for (final Op op : ops())
        {
            final Histogram h = histogram(op);
            out.append(String.format(Locale.ROOT,
                "%-13s %-7s %-17s rate=%d/s ops=%d errors=%d  us: p50=%s p90=%s p99=%s p99.9=%s p99.99=%s max=%s%n",
                target, workload, op.label(), rate, h.getTotalCount(), errors(op),
                us(h.getValueAtPercentile(50)), us(h.getValueAtPercentile(90)), us(h.getValueAtPercentile(99)),
                us(h.getValueAtPercentile(99.9)), us(h.getValueAtPercentile(99.99)), us(h.getMaxValue())));
        }
        out.append(String.format(Locale.ROOT, "%-13s throttles=%d missed=%d%s%n", target, throttles, missed,
            missed > 0 ? " (never sent, or unanswered 5 s after the schedule ended: the offered rate was not held)" : ""));
        return out.toString();
    }

    static String us(final long nanos)
    {
        return nanos >= 10_000_000 ? String.format(Locale.ROOT, "%.0f", nanos / 1000.0) :
            String.format(Locale.ROOT, "%.1f", nanos / 1000.0);
    }
}
