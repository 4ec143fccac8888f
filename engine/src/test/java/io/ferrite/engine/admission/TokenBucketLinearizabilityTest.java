package io.ferrite.engine.admission;

import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.paramgen.LongGen;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.jetbrains.kotlinx.lincheck.strategy.stress.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Lincheck checks that every concurrent history of the bucket's operations equals some sequential order of them:
 * in model-checking mode it explores thread interleavings at each shared-memory access (the atomic word and the
 * volatile limits), and in stress mode it runs them on real threads. The operations: tryAcquire, consume, refund (a
 * batch's estimate given back) and availableUnits. {@link TokenBucket#reconfigure} is not among
 * the operations: it is documented as taking effect for calls that begin after it returns, not as linearizable with
 * calls in flight (Lincheck showed why: an acquire that read the old limits may complete after a read that saw the
 * new ones), which is what its single caller, the thread that owns the bucket's configuration, needs. The clock is a parameter of each operation,
 * so every operation is deterministic given its arguments and the bucket's state, as linearizability needs.
 * A small rate and burst make refusals, waits and debt all reachable within a few operations. (Public, with a public
 * constructor: Lincheck instantiates the class itself, once per scenario.)
 */
@Param(name = "now", gen = LongGen.class, conf = "0:40")
@Param(name = "units", gen = LongGen.class, conf = "0:4")
public class TokenBucketLinearizabilityTest
{
    private static final long TICK_NS = 100_000_000L; // 0.1 s: one unit of the 10/s rate per tick

    private final TokenBucket bucket = new TokenBucket(10, 3, 0);

    @Operation
    public long tryAcquire(@Param(name = "now") final long now, @Param(name = "units") final long units)
    {
        return bucket.tryAcquire(now * TICK_NS, units);
    }

    @Operation
    public void consume(@Param(name = "now") final long now, @Param(name = "units") final long units)
    {
        bucket.consume(now * TICK_NS, units);
    }

    @Operation
    public void refund(@Param(name = "now") final long now, @Param(name = "units") final long units)
    {
        bucket.refund(now * TICK_NS, units);
    }

    @Operation
    public long availableUnits(@Param(name = "now") final long now)
    {
        return bucket.availableUnits(now * TICK_NS);
    }

    @Test
    void modelChecking()
    {
        LinChecker.check(TokenBucketLinearizabilityTest.class, new ModelCheckingOptions()
            .iterations(20)
            .invocationsPerIteration(300)
            .threads(2)
            .actorsPerThread(3)
            .actorsBefore(2)
            .actorsAfter(1));
    }

    @Test
    void stress()
    {
        LinChecker.check(TokenBucketLinearizabilityTest.class, new StressOptions()
            .iterations(10)
            .invocationsPerIteration(1_000)
            .threads(2)
            .actorsPerThread(3));
    }
}
