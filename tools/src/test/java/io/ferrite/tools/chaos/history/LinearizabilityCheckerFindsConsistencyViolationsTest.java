package io.ferrite.tools.chaos.history;

import io.ferrite.tools.chaos.history.LinearizabilityChecker.Result;
import io.ferrite.tools.chaos.history.LinearizabilityChecker.Verdict;
import io.ferrite.tools.chaos.history.RegisterOp.Outcome;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.ferrite.tools.chaos.history.RegisterOp.ABSENT;
import static io.ferrite.tools.chaos.history.RegisterOp.Outcome.CONDITION_FAILED;
import static io.ferrite.tools.chaos.history.RegisterOp.Outcome.FAILED;
import static io.ferrite.tools.chaos.history.RegisterOp.Outcome.OK;
import static io.ferrite.tools.chaos.history.RegisterOp.Outcome.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hand-written histories of one key, each a known case: the checker accepts the linearizable ones and rejects the
 * others with a witness naming the operation that cannot be placed.
 */
class LinearizabilityCheckerFindsConsistencyViolationsTest
{
    private final List<RegisterOp> ops = new ArrayList<>();

    private int write(final long value, final long invoke, final long complete, final Outcome outcome)
    {
        ops.add(RegisterOp.write(ops.size(), value, invoke, complete, outcome));
        return ops.size() - 1;
    }

    private int cas(final long expected, final long value, final long invoke, final long complete,
        final Outcome outcome)
    {
        ops.add(RegisterOp.conditionalWrite(ops.size(), expected, value, invoke, complete, outcome));
        return ops.size() - 1;
    }

    private int read(final long value, final long invoke, final long complete)
    {
        ops.add(RegisterOp.read(ops.size(), value, invoke, complete, OK));
        return ops.size() - 1;
    }

    private void assertLinearizable()
    {
        final Result result = LinearizabilityChecker.check(ops);
        assertEquals(Verdict.LINEARIZABLE, result.verdict(), () -> ops + "\n" + result.witness());
    }

    private void assertViolation(final int stuckOp)
    {
        final Result result = LinearizabilityChecker.check(ops);
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict(), ops::toString);
        assertEquals(stuckOp, result.stuckOp(), result::witness);
        assertTrue(result.witness().contains("#" + stuckOp + " "), result::witness);
    }

    @Test
    void sequentialWritesAndReadsOfTheLatestValueAreLinearizable()
    {
        read(ABSENT, 0, 5);
        write(1, 10, 20, OK);
        read(1, 30, 40);
        write(2, 50, 60, OK);
        read(2, 70, 80);
        assertLinearizable();
    }

    @Test
    void staleReadAfterAnAcknowledgedWriteIsAViolation()
    {
        write(1, 0, 10, OK);
        write(2, 20, 30, OK);
        final int stale = read(1, 40, 50);
        assertViolation(stale);
    }

    @Test
    void lostAcknowledgedWriteIsAViolation()
    {
        write(1, 0, 10, OK);
        final int lost = read(ABSENT, 20, 30);
        assertViolation(lost);
    }

    @Test
    void readOfAValueNeverWrittenIsAViolation()
    {
        write(1, 0, 10, OK);
        final int invented = read(7, 20, 30);
        assertViolation(invented);
    }

    @Test
    void readOfAWriteThatFailedIsAViolation()
    {
        write(1, 0, 10, OK);
        write(2, 20, 30, FAILED);
        final int phantom = read(2, 40, 50);
        assertViolation(phantom);
    }

    @Test
    void duplicatedWriteReappearingAfterBeingOverwrittenIsAViolation()
    {
        write(1, 0, 10, OK);
        write(2, 20, 30, OK);
        read(2, 40, 50);
        final int reappeared = read(1, 60, 70);
        assertViolation(reappeared);
    }

    @Test
    void concurrentWritesMayTakeEffectInEitherOrder()
    {
        write(1, 0, 100, OK);
        write(2, 10, 90, OK);
        read(1, 95, 120);
        read(1, 130, 140);
        assertLinearizable();

        ops.clear();
        write(1, 0, 100, OK);
        write(2, 10, 90, OK);
        read(2, 110, 120);
        assertLinearizable();
    }

    @Test
    void readsConcurrentWithAWriteMaySeeTheOldOrTheNewValueButNotNewThenOld()
    {
        write(1, 0, 10, OK);
        write(2, 20, 100, OK);
        read(1, 30, 40);
        read(2, 50, 60);
        read(2, 70, 80);
        assertLinearizable();

        ops.clear();
        write(1, 0, 10, OK);
        write(2, 20, 100, OK);
        read(2, 30, 40);
        final int backwards = read(1, 50, 60);
        assertViolation(backwards);
    }

    @Test
    void touchingIntervalsOverlap()
    {
        write(1, 0, 10, OK);
        read(ABSENT, 10, 20);
        assertLinearizable();
    }

    @Test
    void unknownWriteMayHaveTakenEffectOrNot()
    {
        write(1, 0, 10, OK);
        write(2, 20, 25, UNKNOWN);
        read(2, 30, 40);
        assertLinearizable();

        ops.clear();
        write(1, 0, 10, OK);
        write(2, 20, 25, UNKNOWN);
        read(1, 30, 40);
        read(1, 50, 60);
        assertLinearizable();
    }

    @Test
    void unknownWriteMayTakeEffectLongAfterItsTimeout()
    {
        write(1, 0, 10, OK);
        write(2, 20, 25, UNKNOWN);
        read(1, 30, 40);
        write(3, 50, 60, OK);
        read(3, 70, 80);
        read(2, 90, 100);
        assertLinearizable();
    }

    @Test
    void unknownWriteTakesEffectOnlyOnce()
    {
        write(1, 0, 10, OK);
        write(2, 20, 25, UNKNOWN);
        read(2, 30, 40);
        write(3, 50, 60, OK);
        read(3, 70, 80);
        final int again = read(2, 90, 100);
        assertViolation(again);
    }

    @Test
    void unknownWritesNobodyObservedDoNotSlowTheSearch()
    {
        long t = 0;
        for (int i = 1; i <= 2_000; i++)
        {
            write(i, t, t + 5, 0 == i % 3 ? UNKNOWN : OK);
            if (0 != i % 3)
            {
                read(i, t + 6, t + 8);
            }
            t += 10;
        }
        final Result result = LinearizabilityChecker.check(ops);
        assertEquals(Verdict.LINEARIZABLE, result.verdict(), result::witness);
        assertTrue(result.steps() < 20_000, "steps " + result.steps());
    }

    @Test
    void conditionalWritesThatSucceedAndFailConsistently()
    {
        cas(ABSENT, 1, 0, 10, OK);
        cas(ABSENT, 2, 20, 30, CONDITION_FAILED);
        cas(1, 3, 40, 50, OK);
        cas(1, 4, 60, 70, CONDITION_FAILED);
        read(3, 80, 90);
        assertLinearizable();
    }

    @Test
    void twoConditionalWritesBothSucceedingOnTheSameExpectedValueIsAViolation()
    {
        write(1, 0, 10, OK);
        cas(1, 2, 20, 30, OK);
        final int second = cas(1, 3, 40, 50, OK);
        assertViolation(second);
    }

    @Test
    void conditionFailureWhenTheConditionCertainlyHeldIsAViolation()
    {
        write(1, 0, 10, OK);
        final int refused = cas(1, 2, 20, 30, CONDITION_FAILED);
        assertViolation(refused);
    }

    @Test
    void concurrentConditionalWritesOnTheSameValueMayOnlyOneWin()
    {
        write(1, 0, 10, OK);
        cas(1, 2, 20, 60, OK);
        cas(1, 3, 25, 55, CONDITION_FAILED);
        read(2, 70, 80);
        assertLinearizable();

        ops.clear();
        write(1, 0, 10, OK);
        cas(1, 2, 20, 60, CONDITION_FAILED);
        cas(1, 3, 25, 55, CONDITION_FAILED);
        final int nobodyWon = read(1, 70, 80);
        final Result result = LinearizabilityChecker.check(ops);
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict(), ops::toString);
        assertTrue(result.stuckOp() >= 1 && result.stuckOp() <= nobodyWon, result::witness);
    }

    @Test
    void unknownConditionalWriteAppliesOnlyWhenItsConditionHolds()
    {
        write(1, 0, 10, OK);
        cas(1, 2, 20, 25, UNKNOWN);
        read(2, 30, 40);
        assertLinearizable();

        ops.clear();
        write(1, 0, 10, OK);
        write(5, 12, 18, OK);
        final int impossible = cas(1, 2, 20, 25, UNKNOWN);
        read(2, 30, 40);
        assertViolation(impossible);
    }

    @Test
    void conditionFailureCanBeExplainedByAnUnknownWriteNobodyRead()
    {
        write(1, 0, 10, OK);
        write(2, 20, 25, UNKNOWN);
        cas(1, 3, 30, 40, CONDITION_FAILED);
        assertLinearizable();
    }

    @Test
    void failedOperationsCarryNoInformation()
    {
        write(1, 0, 10, OK);
        ops.add(RegisterOp.read(ops.size(), 99, 20, 30, FAILED));
        ops.add(RegisterOp.read(ops.size(), 98, 20, 30, UNKNOWN));
        cas(7, 8, 20, 30, FAILED);
        read(1, 40, 50);
        assertLinearizable();
    }

    @Test
    void budgetExceededAnswersUnknownInsteadOfHanging()
    {
        for (int i = 0; i < 200; i++)
        {
            write(i + 1, i, 1_000_000, OK);
        }
        read(ABSENT, 1_000_001, 1_000_002);
        final Result result = LinearizabilityChecker.check(ops, 10_000);
        assertEquals(Verdict.UNKNOWN, result.verdict());
        assertTrue(result.witness().contains("10000 search steps"), result.witness());
    }
}
