package io.ferrite.perf.latency;

import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A target that stalls once for 100 ms under a 1000/s open loop delays the ~100 requests scheduled during the
 * stall, and the histogram must show all of them, not just the one request the stall hit (which is what a
 * closed loop, or latency measured from the actual send time, would show). The clock is a deterministic one
 * that only the fake target and the idle strategy move, so the counts are exact and nothing real is timed.
 */
class CoordinatedOmissionTest
{
    private static final long SERVICE_NS = TimeUnit.MICROSECONDS.toNanos(10);
    private static final long STALL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int STALL_AT = 300;

    /** Time moves only when someone says so. */
    private static final class ManualClock implements NanoClock
    {
        long now = TimeUnit.SECONDS.toNanos(1000);

        public long nanoTime()
        {
            return now;
        }
    }

    /** Answers every request in 10 us, except one that takes 100 ms; records actual-send latency too. */
    private static final class StallingSession implements Session
    {
        private final ManualClock clock;
        private final Recorder recorder;
        private final Recorder fromActualSend;
        private int submitted;

        StallingSession(final ManualClock clock, final Recorder recorder, final Recorder fromActualSend)
        {
            this.clock = clock;
            this.recorder = recorder;
            this.fromActualSend = fromActualSend;
        }

        public boolean submit(final Op op, final int record, final int scanLength, final long intendedNs)
        {
            final long actualSendNs = clock.now;
            clock.now += submitted++ == STALL_AT ? STALL_NS : SERVICE_NS;
            recorder.success(op, intendedNs);
            fromActualSend.success(op, actualSendNs);
            return true;
        }

        public int poll()
        {
            return 0;
        }

        public int inFlight()
        {
            return 0;
        }
    }

    @Test
    void stallOfOneHundredMillisecondsAtOneThousandPerSecondDelaysAboutOneHundredSamples()
    {
        final ManualClock clock = new ManualClock();
        final Recorder recorder = new Recorder(clock);
        final Recorder fromActualSend = new Recorder(clock);
        final IdleStrategy idle = new IdleStrategy()
        {
            public void idle(final int workCount)
            {
                if (0 == workCount)
                {
                    clock.now += TimeUnit.MICROSECONDS.toNanos(1);
                }
            }

            public void idle()
            {
                idle(0);
            }

            public void reset()
            {
            }
        };
        final Workload workload = Workload.of("get", 1000, 2000, new AtomicLong(1000), 1);
        // the loop sleeps between sends (nothing in flight most of the time): on this clock, a sleep moves it on
        final OpenLoop loop = new OpenLoop(new StallingSession(clock, recorder, fromActualSend), workload, clock, idle,
            recorder, sleepNs -> clock.now += sleepNs);

        final long sent = loop.run(1000, TimeUnit.SECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(1));

        assertEquals(1000, sent);
        assertEquals(0, loop.missed());
        final long overOneMs = countAbove(recorder, TimeUnit.MILLISECONDS.toNanos(1));
        final long overFiftyMs = countAbove(recorder, TimeUnit.MILLISECONDS.toNanos(50));
        // The stalled request waited 100 ms; the 99 scheduled behind it (one per ms) waited 99, 98 ... 1 ms.
        assertTrue(overOneMs >= 95 && overOneMs <= 101, "samples over 1 ms: " + overOneMs);
        assertTrue(overFiftyMs >= 48 && overFiftyMs <= 52, "samples over 50 ms: " + overFiftyMs);
        assertTrue(recorder.histogram(Op.GET).getMaxValue() >= STALL_NS, "max " + recorder.histogram(Op.GET).getMaxValue());
        // Measured from the actual send time, the same run shows a single slow sample: the omission corrected here.
        assertEquals(1, countAbove(fromActualSend, TimeUnit.MILLISECONDS.toNanos(1)));
    }

    private static long countAbove(final Recorder recorder, final long thresholdNs)
    {
        final org.HdrHistogram.Histogram histogram = recorder.histogram(Op.GET);
        return histogram.getTotalCount() - histogram.getCountBetweenValues(0, thresholdNs);
    }
}
