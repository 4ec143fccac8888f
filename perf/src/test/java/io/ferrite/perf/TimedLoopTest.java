package io.ferrite.perf;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The timed loop runs every operation it names over a small data set and records one latency per operation; an
 * operation it does not know is refused before anything is loaded. No latency is asserted (perf/README.md has the
 * figures).
 */
class TimedLoopTest
{
    @Test
    void everyOperationIsTimedOnePerRecord() throws Exception
    {
        for (final String op : new String[] { "getItem", "putItemNone", "putItemBatch", "query", "entryCopy" })
        {
            final Histogram histogram = TimedLoop.measure(op, 2_000, 0, TimeUnit.MILLISECONDS.toNanos(200));
            assertTrue(histogram.getTotalCount() > 100, op + ": " + histogram.getTotalCount() + " operations");
            assertTrue(histogram.getMinValue() > 0, op + ": min " + histogram.getMinValue());
        }
    }

    @Test
    void anUnknownOperationIsRefusedNamingTheKnownOnes()
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> TimedLoop.measure("scan", 2_000, 0, 1));
        assertEquals("unknown operation scan: getItem, putItemNone, putItemBatch, query or entryCopy", e.getMessage());
    }
}
