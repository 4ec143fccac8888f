package io.ferrite.perf.latency;

import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * One load thread's open loop. Operation {@code i} of a run has a fixed intended send time,
 * {@code start + i * 10^9 / rate}, set before the run starts; the loop sends every operation whose time has
 * come, whether or not earlier ones have been answered, and latency is measured from that intended time.
 * A stall anywhere (target, transport, this thread, a GC) therefore counts against every operation that was
 * due during it, not only the one it hit: coordinated omission is corrected by construction. When the target
 * refuses an operation (back-pressure, in-flight bound) the operation is retried and its intended time
 * stands, so the wait is measured too.
 * <p>
 * If the target falls so far behind that operations are still unsent a full {@code duration} after the
 * schedule ended, the run gives up on them and counts them as {@link #missed()}: a run with misses did not
 * hold its rate.
 * <p>
 * Between sends the loop yields while answers it must poll for are in flight, and sleeps when none are (or the
 * session times its answers on its own threads, {@link Session#needsPolling()}) and the next send is more than
 * {@value #SLEEP_MIN_NS} ns away.
 * <p>
 * <b>Threading:</b> one thread. The loop allocates nothing.
 */
public final class OpenLoop
{
    /** Shortest wait the loop sleeps through instead of yielding. */
    static final long SLEEP_MIN_NS = 250_000;
    /** How much earlier than the next send the loop asks to be woken. */
    static final long SLEEP_MARGIN_NS = 120_000;

    private final Session session;
    private final Workload workload;
    private final NanoClock clock;
    private final IdleStrategy idle;
    private final Recorder recorder;
    private final LongConsumer sleeper;
    private long missed;

    /**
     * @param session  the target session.
     * @param workload the operation mix and key chooser.
     * @param clock    the clock the schedule and the latencies are on.
     * @param idle     what to do when nothing is due and nothing arrived.
     * @param recorder the session's recorder (the loop counts throttles into it).
     */
    public OpenLoop(
        final Session session, final Workload workload, final NanoClock clock, final IdleStrategy idle,
        final Recorder recorder)
    {
        this(session, workload, clock, idle, recorder, LockSupport::parkNanos);
    }

    /**
     * @param session  the target session.
     * @param workload the operation mix and key chooser.
     * @param clock    the clock the schedule and the latencies are on.
     * @param idle     what to do when nothing is due and nothing arrived.
     * @param recorder the session's recorder (the loop counts throttles into it).
     * @param sleeper  sleeps for about the given nanoseconds of {@code clock} (a park, for the system clock).
     */
    public OpenLoop(
        final Session session, final Workload workload, final NanoClock clock, final IdleStrategy idle,
        final Recorder recorder, final LongConsumer sleeper)
    {
        this.session = session;
        this.workload = workload;
        this.clock = clock;
        this.idle = idle;
        this.recorder = recorder;
        this.sleeper = sleeper;
    }

    /**
     * Runs the schedule, then waits (up to {@code drainTimeoutNs}) for answers still in flight; how many are
     * still unanswered then, {@link Session#inFlight()} tells.
     *
     * @param ratePerSecond  operations per second.
     * @param durationNs     how long the schedule lasts.
     * @param drainTimeoutNs how long to wait for the last answers.
     * @return operations sent.
     */
    public long run(final long ratePerSecond, final long durationNs, final long drainTimeoutNs)
    {
        if (ratePerSecond < 1 || durationNs < 1)
        {
            throw new IllegalArgumentException("rate and duration must be positive: rate=" + ratePerSecond +
                " durationNs=" + durationNs);
        }
        final long total = Math.max(1, (long)((double)durationNs * ratePerSecond / TimeUnit.SECONDS.toNanos(1)));
        final long start = clock.nanoTime();
        final long giveUpNs = start + 2 * durationNs + TimeUnit.SECONDS.toNanos(1);
        long sent = 0;
        boolean drawn = false;
        boolean refused = false;
        Op op = null;
        int record = 0;
        int scanLength = 0;
        missed = 0;
        idle.reset();
        while (sent < total)
        {
            final long now = clock.nanoTime();
            if (now - giveUpNs > 0)
            {
                missed = total - sent;
                break;
            }
            int work = 0;
            long waitNs = 0;
            while (sent < total)
            {
                final long intendedNs = start + (long)((double)sent * TimeUnit.SECONDS.toNanos(1) / ratePerSecond);
                if (intendedNs - now > 0)
                {
                    waitNs = intendedNs - now;
                    break;
                }
                if (!drawn)
                {
                    op = workload.nextOp();
                    record = workload.nextRecord(op);
                    scanLength = workload.nextScanLength();
                    drawn = true;
                    refused = false;
                }
                if (!session.submit(op, record, scanLength, intendedNs))
                {
                    if (!refused)
                    {
                        recorder.throttled();
                        refused = true;
                    }
                    break;
                }
                drawn = false;
                sent++;
                work++;
            }
            work += session.poll();
            if (0 == work && waitNs > SLEEP_MIN_NS && (0 == session.inFlight() || !session.needsPolling()))
            {
                // Nothing to send for a while and nothing this thread must watch: sleep instead of yielding, so a
                // low rate does not cost the target a CPU. The wake-up is early by a margin larger than a park's
                // usual overshoot (the kernel's 50 us timer slack); yielding covers the rest.
                sleeper.accept(waitNs - SLEEP_MARGIN_NS);
                idle.reset();
            }
            else
            {
                idle.idle(work);
            }
        }
        drain(drainTimeoutNs);
        return sent;
    }

    /**
     * Runs {@code operations} operations of the workload in a closed loop, each sent as soon as the session takes it
     * (pipelined up to the session's bound), then waits for the answers; nothing is kept of their latencies (the
     * measured run resets the recorder). It warms the target's code paths before a low-rate run, which would
     * otherwise measure interpreted or partly compiled code: the JIT compiles a method after some thousands of calls.
     *
     * @param operations how many.
     * @param timeoutNs  how long it may take in all.
     * @throws IllegalStateException when they were not all answered in time.
     */
    public void closedLoop(final long operations, final long timeoutNs)
    {
        final long deadline = clock.nanoTime() + timeoutNs;
        long sent = 0;
        boolean drawn = false;
        Op op = null;
        int record = 0;
        int scanLength = 0;
        idle.reset();
        while (sent < operations)
        {
            if (clock.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("warm-up: " + sent + " of " + operations + " operations sent within " +
                    TimeUnit.NANOSECONDS.toSeconds(timeoutNs) + " s");
            }
            if (!drawn)
            {
                op = workload.nextOp();
                record = workload.nextRecord(op);
                scanLength = workload.nextScanLength();
                drawn = true;
            }
            int work = session.poll();
            if (session.submit(op, record, scanLength, clock.nanoTime()))
            {
                drawn = false;
                sent++;
                work++;
            }
            idle.idle(work);
        }
        drain(deadline - clock.nanoTime());
        if (session.inFlight() > 0)
        {
            throw new IllegalStateException("warm-up: " + session.inFlight() + " operations unanswered within " +
                TimeUnit.NANOSECONDS.toSeconds(timeoutNs) + " s");
        }
    }

    /**
     * @return operations of the last run never sent because the target fell too far behind.
     */
    public long missed()
    {
        return missed;
    }

    private void drain(final long timeoutNs)
    {
        final long deadline = clock.nanoTime() + timeoutNs;
        while (session.inFlight() > 0 && clock.nanoTime() - deadline < 0)
        {
            idle.idle(session.poll());
        }
    }

    /**
     * Loads records {@code [0, records)} through a session as fast as it takes them (a closed loop, pipelined
     * up to the session's bound), inserting each one.
     *
     * @param session the session.
     * @param records how many.
     */
    public static void load(final Session session, final int records)
    {
        final IdleStrategy idle = new YieldingIdleStrategy();
        for (int i = 0; i < records; i++)
        {
            while (!session.submit(Op.INSERT, i, 0, System.nanoTime()))
            {
                idle.idle(session.poll());
            }
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (session.inFlight() > 0)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("loading: " + session.inFlight() + " writes unanswered after 30 s");
            }
            idle.idle(session.poll());
        }
    }
}
