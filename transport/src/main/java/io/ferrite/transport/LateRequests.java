package io.ferrite.transport;

import java.util.Locale;

/**
 * The requests of a measured run that were later than a threshold, kept with their intended send times so that they
 * can be grouped into bursts and lined up with other events of the machine (a thread's runs, the kernel's writeback):
 * a percentile says how many requests were late, this says when. Used by {@code ferrite ping --late-us} and the perf
 * harness's {@code --late-us}; {@code perf/bin/thread-runs lineup} reads the report.
 * <p>
 * Up to {@value #CAPACITY} late requests per run are kept, in arrays made up front: recording allocates nothing.
 * <p>
 * <b>Threading:</b> one thread records; the report is read after the run.
 */
public final class LateRequests
{
    /** Late requests kept per run; later ones are counted in {@link #count()} but not kept. */
    public static final int CAPACITY = 1 << 16;

    private final long[] atNs = new long[CAPACITY];
    private final long[] latencyNs = new long[CAPACITY];
    private long thresholdNs = Long.MAX_VALUE;
    private long runStartNs;
    private long count;

    /**
     * @param thresholdNs the latency above which a request counts as late (none is, until this is set).
     * @return this.
     */
    public LateRequests thresholdNs(final long thresholdNs)
    {
        if (thresholdNs < 0)
        {
            throw new IllegalArgumentException("late threshold must not be negative: " + thresholdNs);
        }
        this.thresholdNs = thresholdNs;
        return this;
    }

    /**
     * Starts a run: forgets the last one's late requests.
     *
     * @param runStartNs the run's start on the clock the intended times are on ({@code System.nanoTime()}).
     */
    public void start(final long runStartNs)
    {
        this.runStartNs = runStartNs;
        count = 0;
    }

    /**
     * Counts a request as late if its latency is above the threshold.
     *
     * @param intendedNs when it was meant to be sent (same clock as {@link #start}).
     * @param latencyNs  its latency.
     */
    public void record(final long intendedNs, final long latencyNs)
    {
        if (latencyNs > thresholdNs)
        {
            if (count < CAPACITY)
            {
                atNs[(int)count] = intendedNs - runStartNs;
                this.latencyNs[(int)count] = latencyNs;
            }
            count++;
        }
    }

    /**
     * @return late requests in the run, including any past {@link #CAPACITY}.
     */
    public long count()
    {
        return count;
    }

    /**
     * The run's late requests grouped into bursts: requests whose intended send times lie within {@code gapNs} of
     * each other belong to one burst. A first line with the count and the run's start on {@code System.nanoTime()},
     * then one line per burst: when it started (ms from the run's start), the gap since the previous burst's start
     * (ms), how long it lasted (ms), how many requests were late and the worst latency (us). Allocates (call after
     * the run).
     *
     * @param gapNs the largest gap between two late requests of one burst.
     * @return the report.
     */
    public String bursts(final long gapNs)
    {
        final StringBuilder out = new StringBuilder();
        out.append("late requests: ").append(count).append(" (run started at System.nanoTime() ").append(runStartNs)
            .append(')');
        if (count > CAPACITY)
        {
            out.append(", the first ").append(CAPACITY).append(" kept");
        }
        out.append(System.lineSeparator());
        final int kept = (int)Math.min(count, CAPACITY);
        int i = 0;
        long previousStartNs = -1;
        while (i < kept)
        {
            final long burstStartNs = atNs[i];
            long lastNs = burstStartNs;
            long worstNs = 0;
            int late = 0;
            while (i < kept && atNs[i] - lastNs <= gapNs)
            {
                lastNs = atNs[i];
                worstNs = Math.max(worstNs, latencyNs[i]);
                late++;
                i++;
            }
            out.append(String.format(Locale.ROOT,
                "late burst at %9.3f ms (+%8.3f ms) for %7.3f ms: %5d late, worst %8.1f us%n",
                burstStartNs / 1e6, previousStartNs < 0 ? 0.0 : (burstStartNs - previousStartNs) / 1e6,
                (lastNs - burstStartNs) / 1e6, late, worstNs / 1e3));
            previousStartNs = burstStartNs;
        }
        return out.toString();
    }
}
