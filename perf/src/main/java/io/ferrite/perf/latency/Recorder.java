package io.ferrite.perf.latency;

import io.ferrite.transport.LateRequests;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.TimeUnit;

/**
 * One load thread's latency histograms, one per {@link Op}, in nanoseconds from each operation's intended
 * send time, with counts of completed operations, errors and throttles.
 * <p>
 * <b>Threading:</b> one load thread records; read after the run. Recording allocates nothing.
 */
public final class Recorder
{
    /** Largest latency tracked: one minute (larger values are clamped to it). */
    public static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(60);

    private final NanoClock clock;
    private final Histogram[] histograms = new Histogram[Op.count()];
    private final long[] errors = new long[Op.count()];
    private final LateRequests late = new LateRequests();
    private long throttles;
    private long completed;

    /**
     * @param clock the clock latency is measured with (the same one the schedule is on).
     */
    public Recorder(final NanoClock clock)
    {
        this.clock = clock;
        for (int i = 0; i < histograms.length; i++)
        {
            histograms[i] = new Histogram(HIGHEST_NS, 3);
        }
    }

    /**
     * An operation completed successfully now.
     *
     * @param op         which.
     * @param intendedNs its intended send time.
     */
    public void success(final Op op, final long intendedNs)
    {
        success(op, intendedNs, clock.nanoTime());
    }

    /**
     * An operation completed successfully at a time another thread took (a worker that made the call), on the same
     * clock.
     *
     * @param op          which.
     * @param intendedNs  its intended send time.
     * @param completedNs when it completed.
     */
    public void success(final Op op, final long intendedNs, final long completedNs)
    {
        final long latency = completedNs - intendedNs;
        histograms[op.ordinal()].recordValue(Math.min(HIGHEST_NS, Math.max(0, latency)));
        late.record(intendedNs, latency);
        completed++;
    }

    /**
     * An operation failed (the target answered with an error, or never answered).
     *
     * @param op which.
     */
    public void error(final Op op)
    {
        errors[op.ordinal()]++;
        completed++;
    }

    /**
     * The target refused an operation for now (back-pressure, in-flight bound or a throttling error).
     */
    public void throttled()
    {
        throttles++;
    }

    /**
     * @return operations completed (successfully or not) since the last reset.
     */
    public long completed()
    {
        return completed;
    }

    /**
     * @param op which.
     * @return its histogram.
     */
    public Histogram histogram(final Op op)
    {
        return histograms[op.ordinal()];
    }

    /**
     * @param op which.
     * @return its error count.
     */
    public long errors(final Op op)
    {
        return errors[op.ordinal()];
    }

    /**
     * @return throttles counted.
     */
    public long throttles()
    {
        return throttles;
    }

    /**
     * @return the requests later than its threshold (none is late until
     * {@link LateRequests#thresholdNs(long) a threshold is set}), kept since the last {@link #reset()}.
     */
    public LateRequests lateRequests()
    {
        return late;
    }

    /**
     * Forgets everything recorded (after the warm-up); late requests are timed from now.
     */
    public void reset()
    {
        late.start(clock.nanoTime());
        for (int i = 0; i < histograms.length; i++)
        {
            histograms[i].reset();
            errors[i] = 0;
        }
        throttles = 0;
        completed = 0;
    }
}
