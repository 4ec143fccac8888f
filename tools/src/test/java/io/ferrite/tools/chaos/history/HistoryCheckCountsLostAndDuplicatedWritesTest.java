package io.ferrite.tools.chaos.history;

import io.ferrite.tools.chaos.history.HistoryCheck.Report;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.ferrite.tools.chaos.history.RegisterOp.ABSENT;
import static io.ferrite.tools.chaos.history.RegisterOp.Outcome.CONDITION_FAILED;
import static io.ferrite.tools.chaos.history.RegisterOp.Outcome.FAILED;
import static io.ferrite.tools.chaos.history.RegisterOp.Outcome.OK;
import static io.ferrite.tools.chaos.history.RegisterOp.Outcome.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The game day's counts: acknowledged writes rolled back are lost, a write that reappears after being overwritten
 * is duplicated, timeouts and errors cut availability, and a clean history counts nothing.
 */
class HistoryCheckCountsLostAndDuplicatedWritesTest
{
    private static final int FINAL = 1_000_000;
    private static final long TIMEOUT = 100;

    private final List<RegisterOp> ops = new ArrayList<>();
    private int finalId = FINAL;

    private Report check()
    {
        return HistoryCheck.check(Map.of("k", ops), FINAL, TIMEOUT, LinearizabilityChecker.DEFAULT_BUDGET);
    }

    private void finalRead(final long value, final long at)
    {
        ops.add(RegisterOp.read(finalId++, value, at, at + 1, OK));
    }

    @Test
    void cleanHistoryCountsNothing()
    {
        ops.add(RegisterOp.write(0, 1, 0, 10, OK));
        ops.add(RegisterOp.write(1, 2, 20, 30, OK));
        ops.add(RegisterOp.read(2, 2, 40, 50, OK));
        ops.add(RegisterOp.conditionalWrite(3, 2, 3, 60, 70, OK));
        ops.add(RegisterOp.conditionalWrite(4, 2, 4, 80, 90, CONDITION_FAILED));
        finalRead(3, 1_000);
        final Report report = check();
        assertEquals(3, report.acked());
        assertEquals(0, report.lost());
        assertEquals(0, report.duplicated());
        assertTrue(report.linearizable());
        assertEquals(100.0, report.availabilityPercent());
        assertTrue(report.passed());
        assertEquals("acked=3 lost=0 duplicated=0 linearizable=true availability=100.00%", report.summaryLine());
    }

    @Test
    void acknowledgedWritesRolledBackAreLost()
    {
        ops.add(RegisterOp.write(0, 1, 0, 10, OK));
        ops.add(RegisterOp.write(1, 2, 20, 30, OK));
        ops.add(RegisterOp.write(2, 3, 40, 50, OK));
        finalRead(1, 1_000);
        final Report report = check();
        assertEquals(2, report.lost(), report.problems()::toString);
        assertFalse(report.linearizable());
        assertEquals(0, report.duplicated());
        assertTrue(report.problems().get(0).startsWith("LOST key k: #1 "), report.problems()::toString);
    }

    @Test
    void noItemAfterAnAcknowledgedWriteIsLost()
    {
        ops.add(RegisterOp.write(0, 1, 0, 10, OK));
        finalRead(ABSENT, 1_000);
        assertEquals(1, check().lost());
    }

    @Test
    void writeConcurrentWithTheOneSeenIsNotLost()
    {
        ops.add(RegisterOp.write(0, 1, 0, 100, OK));
        ops.add(RegisterOp.write(1, 2, 10, 90, OK));
        ops.add(RegisterOp.write(2, 3, 20, 25, UNKNOWN));
        ops.add(RegisterOp.read(3, 3, 200, 210, OK));
        finalRead(3, 1_000);
        final Report report = check();
        assertEquals(0, report.lost(), report.problems()::toString);
        assertTrue(report.linearizable(), report.problems()::toString);
    }

    @Test
    void writeReappearingAfterBeingOverwrittenIsDuplicated()
    {
        ops.add(RegisterOp.write(0, 1, 0, 10, OK));
        ops.add(RegisterOp.write(1, 2, 20, 30, OK));
        ops.add(RegisterOp.read(2, 2, 40, 50, OK));
        ops.add(RegisterOp.read(3, 1, 60, 70, OK));
        finalRead(1, 1_000);
        final Report report = check();
        assertEquals(1, report.duplicated(), report.problems()::toString);
        assertTrue(report.problems().toString().contains("DUPLICATED key k: #0 "), report.problems()::toString);
        assertFalse(report.linearizable());
    }

    @Test
    void unknownWriteSeenLateIsNeitherLostNorDuplicated()
    {
        ops.add(RegisterOp.write(0, 1, 0, 10, OK));
        ops.add(RegisterOp.write(1, 2, 20, 25, UNKNOWN));
        ops.add(RegisterOp.read(2, 1, 40, 50, OK));
        ops.add(RegisterOp.read(3, 2, 60, 70, OK));
        finalRead(2, 1_000);
        final Report report = check();
        assertEquals(0, report.duplicated());
        assertEquals(0, report.lost());
        assertTrue(report.linearizable(), report.problems()::toString);
    }

    @Test
    void timeoutsErrorsAndSlowAnswersCutAvailability()
    {
        ops.add(RegisterOp.write(0, 1, 0, 10, OK));
        ops.add(RegisterOp.write(1, 2, 20, 20 + TIMEOUT + 1, OK));
        ops.add(RegisterOp.write(2, 3, 300, 400, UNKNOWN));
        ops.add(RegisterOp.write(3, 4, 500, 510, FAILED));
        ops.add(RegisterOp.read(4, 2, 600, 610, OK));
        finalRead(2, 1_000);
        final Report report = check();
        assertEquals(5, report.requests());
        assertEquals(2, report.answered());
        assertEquals(40.0, report.availabilityPercent());
        assertEquals(2, report.acked());
    }

    @Test
    void simulatedLinearizableHistoriesCountNothing()
    {
        for (long seed = 1; seed <= 4; seed++)
        {
            ops.clear();
            ops.addAll(SimulatedRegisterHistoriesTest.simulate(new SplittableRandom(seed)));
            assertEquals(0, HistoryCheck.lostWrites(ops, FINAL).size(), "seed " + seed);
            assertEquals(0, HistoryCheck.duplicatedWrites(ops).size(), "seed " + seed);
        }
    }
}
