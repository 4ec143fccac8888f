package io.ferrite.transport;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The late list: only requests over the threshold count, times are from the run's start, late requests close
 * together form one burst, a new run forgets the last one, and past its capacity it still counts.
 */
class LateRequestsTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void groupsLateRequestsIntoBurstsFromTheRunsStart()
    {
        final LateRequests late = new LateRequests().thresholdNs(2 * MS);
        final long start = 1_000 * MS;
        late.start(start);
        late.record(start + 10 * MS, 2 * MS); // not over the threshold
        late.record(start + 100 * MS, 3 * MS);
        late.record(start + 103 * MS, 5 * MS);
        late.record(start + 107 * MS, 4 * MS); // within 5 ms of the previous: same burst
        late.record(start + 300 * MS, 2 * MS + 1);
        assertEquals(4, late.count());

        final String report = late.bursts(5 * MS);
        final String[] lines = report.split(System.lineSeparator());
        assertEquals(3, lines.length, report);
        assertEquals("late requests: 4 (run started at System.nanoTime() " + start + ")", lines[0]);
        final String first = "late burst at   100.000 ms (+   0.000 ms) for   7.000 ms:     3 late, worst   5000.0 us";
        final String second = "late burst at   300.000 ms (+ 200.000 ms) for   0.000 ms:     1 late, worst   2000.0 us";
        assertEquals(first, lines[1]);
        assertEquals(second, lines[2]);

        late.start(start + 1_000 * MS);
        assertEquals(0, late.count(), "a new run forgets the last one's");
        assertEquals(1, late.bursts(5 * MS).split(System.lineSeparator()).length);
    }

    @Test
    void countsPastItsCapacityAndSaysHowManyItKept()
    {
        final LateRequests late = new LateRequests().thresholdNs(0);
        late.start(0);
        for (int i = 0; i < LateRequests.CAPACITY + 10; i++)
        {
            late.record(i * 100 * MS, 1);
        }
        assertEquals(LateRequests.CAPACITY + 10, late.count());
        final String report = late.bursts(MS);
        assertTrue(report.startsWith("late requests: " + (LateRequests.CAPACITY + 10) + " (run started at " +
            "System.nanoTime() 0), the first " + LateRequests.CAPACITY + " kept"), report.substring(0, 120));
        assertEquals(LateRequests.CAPACITY + 1, report.split(System.lineSeparator()).length);
    }

    @Test
    void noneIsLateUntilAThresholdIsSetAndANegativeOneIsRefused()
    {
        final LateRequests late = new LateRequests();
        late.start(0);
        late.record(0, Long.MAX_VALUE - 1);
        assertEquals(0, late.count());
        assertThrows(IllegalArgumentException.class, () -> late.thresholdNs(-1));
    }
}
