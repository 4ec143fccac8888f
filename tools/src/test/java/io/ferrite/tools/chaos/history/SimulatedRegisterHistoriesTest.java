package io.ferrite.tools.chaos.history;

import io.ferrite.tools.chaos.history.LinearizabilityChecker.Result;
import io.ferrite.tools.chaos.history.LinearizabilityChecker.Verdict;
import io.ferrite.tools.chaos.history.RegisterOp.Kind;
import io.ferrite.tools.chaos.history.RegisterOp.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

import static io.ferrite.tools.chaos.history.RegisterOp.ABSENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Histories produced by a simulated linearizable register (several clients, random overlaps, writes, conditional
 * writes and reads, some outcomes unknown: taking effect late or never) pass the checker; the same histories with
 * one read corrupted so that no order can explain it (a value never written, or no item after an acknowledged
 * write) fail it. Seeded, so a failure names its seed.
 */
class SimulatedRegisterHistoriesTest
{
    private static final int CLIENTS = 5;
    private static final int OPS = 3_000;

    @ParameterizedTest
    @ValueSource(longs = { 1, 2, 3, 4, 5, 6, 7, 8 })
    void simulatedLinearizableHistoriesPassAndOneCorruptedReadFails(final long seed)
    {
        final List<RegisterOp> history = simulate(new SplittableRandom(seed));
        final Result good = LinearizabilityChecker.check(history);
        assertEquals(Verdict.LINEARIZABLE, good.verdict(), () -> "seed " + seed + ": " + good.witness());

        final SplittableRandom random = new SplittableRandom(seed * 31);
        final List<Integer> okReads = new ArrayList<>();
        for (final RegisterOp op : history)
        {
            if (Kind.READ == op.kind() && Outcome.OK == op.outcome() && op.invokeNs() > firstAckedWriteEnd(history))
            {
                okReads.add(op.id());
            }
        }
        assertTrue(okReads.size() > 100, "seed " + seed + ": reads to corrupt: " + okReads.size());

        final int neverWritten = okReads.get(random.nextInt(okReads.size()));
        final Result invented = LinearizabilityChecker.check(corrupt(history, neverWritten, 999_999_999L));
        assertEquals(Verdict.NOT_LINEARIZABLE, invented.verdict(), "seed " + seed + ": read #" + neverWritten);
        assertEquals(neverWritten, invented.stuckOp(), invented::witness);

        final int emptied = okReads.get(random.nextInt(okReads.size()));
        final Result lost = LinearizabilityChecker.check(corrupt(history, emptied, ABSENT));
        assertEquals(Verdict.NOT_LINEARIZABLE, lost.verdict(), "seed " + seed + ": read #" + emptied);
    }

    @Test
    void tenThousandOperationsOnOneKeyAreDecidedBothWays()
    {
        final List<RegisterOp> history = simulate(new SplittableRandom(99), 10_000);
        final Result good = LinearizabilityChecker.check(history);
        assertEquals(Verdict.LINEARIZABLE, good.verdict(), good::witness);

        int late = -1;
        for (final RegisterOp op : history)
        {
            if (Kind.READ == op.kind() && Outcome.OK == op.outcome() && op.id() > 9_000)
            {
                late = op.id();
                break;
            }
        }
        final Result bad = LinearizabilityChecker.check(corrupt(history, late, 999_999_999L));
        assertEquals(Verdict.NOT_LINEARIZABLE, bad.verdict(), bad::witness);
        assertEquals(late, bad.stuckOp(), bad::witness);
    }

    private static long firstAckedWriteEnd(final List<RegisterOp> history)
    {
        long end = Long.MAX_VALUE;
        for (final RegisterOp op : history)
        {
            if (Kind.READ != op.kind() && Outcome.OK == op.outcome())
            {
                end = Math.min(end, op.completeNs());
            }
        }
        return end;
    }

    private static List<RegisterOp> corrupt(final List<RegisterOp> history, final int id, final long value)
    {
        final List<RegisterOp> copy = new ArrayList<>(history);
        final RegisterOp read = copy.get(id);
        copy.set(id, RegisterOp.read(id, value, read.invokeNs(), read.completeNs(), Outcome.OK));
        return copy;
    }

    /**
     * Each client runs its operations one after another with random gaps; each operation takes effect at a random
     * instant inside its interval (or, for an unknown outcome, at a random instant after its invoke, or never), and
     * the register applies them in the order of those instants, which decides what reads return and whether
     * conditional writes succeed.
     */
    static List<RegisterOp> simulate(final SplittableRandom random)
    {
        return simulate(random, OPS);
    }

    static List<RegisterOp> simulate(final SplittableRandom random, final int count)
    {
        final long[] clientFree = new long[CLIENTS];
        final long[] lastRead = new long[CLIENTS];
        final List<long[]> planned = new ArrayList<>(); // {id, kind, expected, value, invoke, effect, complete, outcome}
        long nextValue = 1;
        final List<Long> written = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final int client = random.nextInt(CLIENTS);
            final long invoke = clientFree[client] + random.nextLong(0, 20);
            final long effect = invoke + random.nextLong(0, 30);
            final long complete = effect + random.nextLong(0, 30);
            final int dice = random.nextInt(10);
            final Kind kind = dice < 4 ? Kind.WRITE : dice < 6 ? Kind.CONDITIONAL_WRITE : Kind.READ;
            long value = ABSENT;
            long expected = ABSENT;
            if (Kind.READ != kind)
            {
                value = nextValue++;
                written.add(value);
            }
            boolean expectLastRead = false;
            if (Kind.CONDITIONAL_WRITE == kind && random.nextInt(4) > 0)
            {
                // As a client does: expect what it last read (decided below), or now and then an older value.
                expectLastRead = random.nextInt(3) > 0;
                expected = written.get(Math.max(0, written.size() - 5));
            }
            final int fate = random.nextInt(100);
            Outcome outcome = Outcome.OK;
            long effectAt = effect;
            long completeAt = complete;
            if (fate < 4)
            {
                outcome = Outcome.UNKNOWN;
                completeAt = invoke + 100;
                effectAt = random.nextBoolean() ? Long.MAX_VALUE : invoke + random.nextLong(0, 400);
            }
            else if (fate < 6 && Kind.READ != kind)
            {
                outcome = Outcome.FAILED;
                effectAt = Long.MAX_VALUE;
            }
            clientFree[client] = completeAt;
            planned.add(new long[]{ i, kind.ordinal(), expected, value, invoke, effectAt, completeAt, outcome.ordinal(),
                client, expectLastRead ? 1 : 0 });
        }

        final List<long[]> byEffect = new ArrayList<>(planned);
        byEffect.sort(Comparator.<long[]>comparingLong(p -> p[5]).thenComparingLong(p -> p[0]));
        long register = ABSENT;
        for (final long[] p : byEffect)
        {
            if (1 == p[9])
            {
                p[2] = lastRead[(int)p[8]];
            }
            if (Long.MAX_VALUE == p[5])
            {
                continue;
            }
            switch (Kind.values()[(int)p[1]])
            {
                case WRITE:
                    register = p[3];
                    break;
                case CONDITIONAL_WRITE:
                    if (register == p[2])
                    {
                        register = p[3];
                    }
                    else if (Outcome.OK.ordinal() == p[7])
                    {
                        p[7] = Outcome.CONDITION_FAILED.ordinal();
                    }
                    break;
                default:
                    p[3] = register;
                    if (Outcome.OK.ordinal() == p[7])
                    {
                        lastRead[(int)p[8]] = register;
                    }
                    break;
            }
        }
        final List<RegisterOp> history = new ArrayList<>(count);
        for (final long[] p : planned)
        {
            history.add(new RegisterOp((int)p[0], Kind.values()[(int)p[1]], p[2], p[3], p[4], p[6],
                Outcome.values()[(int)p[7]]));
        }
        return history;
    }
}
