package io.ferrite.perf.admission;

import io.ferrite.engine.admission.TokenBucket;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The cost of admission (issue 6's target: an uncontended acquire in at most 20 ns), uncontended and with two
 * threads contending on one bucket. The bucket's rate is far above what the benchmark can take, so every acquire
 * is admitted and the figure is the cost of the check and the compare-and-set, with {@code System.nanoTime()} as the
 * clock a router would pass (also measured alone, since it is most of the cost on some machines).
 * Run: {@code perf/bin/bench TokenBucketBenchmark}.
 * <p>
 * Threading: JMH's; the bucket is shared by the benchmark's threads (Scope.Benchmark / Scope.Group).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1)
public class TokenBucketBenchmark
{
    /**
     * One bucket, shared.
     */
    @State(Scope.Group)
    public static class SharedBucket
    {
        final TokenBucket bucket = new TokenBucket(TokenBucket.MAX_RATE_PER_SECOND, TokenBucket.MAX_RATE_PER_SECOND,
            System.nanoTime());
    }

    /**
     * One bucket per thread, and the thread's duty-cycle clock: a router reads the clock once per duty cycle and
     * passes that reading to every admission of the cycle, so this is the bucket's own cost.
     */
    @State(Scope.Thread)
    public static class OwnBucket
    {
        final TokenBucket bucket = new TokenBucket(TokenBucket.MAX_RATE_PER_SECOND, TokenBucket.MAX_RATE_PER_SECOND,
            System.nanoTime());
        long cycleNs = System.nanoTime();
    }

    /**
     * A thread's duty-cycle clock (for the contended case).
     */
    @State(Scope.Thread)
    public static class CycleClock
    {
        long cycleNs = System.nanoTime();
    }

    /**
     * @return the clock alone, for comparison.
     */
    @Benchmark
    public long nanoTime()
    {
        return System.nanoTime();
    }

    /**
     * @param state a bucket no other thread touches.
     * @return the outcome (admitted).
     */
    @Benchmark
    public long acquireUncontended(final OwnBucket state)
    {
        return state.bucket.tryAcquire(System.nanoTime(), 1);
    }

    /**
     * @param state a bucket no other thread touches, and a clock advanced 10 ns per call (no clock read).
     * @return the outcome (admitted).
     */
    @Benchmark
    public long acquireUncontendedCycleClock(final OwnBucket state)
    {
        state.cycleNs += 10;
        return state.bucket.tryAcquire(state.cycleNs, 1);
    }

    /**
     * @param state a bucket two threads take from at once.
     * @param clock this thread's duty-cycle clock, advanced 10 ns per call.
     * @return the outcome (admitted).
     */
    @Benchmark
    @Group("contendedCycleClock")
    @GroupThreads(2)
    public long acquireTwoThreadsContendingCycleClock(final SharedBucket state, final CycleClock clock)
    {
        clock.cycleNs += 10;
        return state.bucket.tryAcquire(clock.cycleNs, 1);
    }

    /**
     * @param state a bucket two threads take from at once.
     * @return the outcome (admitted).
     */
    @Benchmark
    @Group("contended")
    @GroupThreads(2)
    public long acquireTwoThreadsContending(final SharedBucket state)
    {
        return state.bucket.tryAcquire(System.nanoTime(), 1);
    }
}
