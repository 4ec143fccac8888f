package io.ferrite.perf.latency;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The key choosers and mixes keep YCSB's shapes: a wrong zipfian would silently turn YCSB A-F into uniform
 * workloads and flatter every cache.
 */
class ZipfianTest
{
    @Test
    void zipfianFavoursItemZeroAsTheFormulaPredicts()
    {
        final int n = 1000;
        final Zipfian zipfian = new Zipfian(n, Zipfian.THETA, 5);
        final int[] counts = new int[n];
        final int draws = 200_000;
        for (int i = 0; i < draws; i++)
        {
            final long value = zipfian.next();
            assertTrue(value >= 0 && value < n, "out of range: " + value);
            counts[(int)value]++;
        }
        final double zeta = Zipfian.zeta(n, Zipfian.THETA);
        final double expectedZero = 1.0 / zeta;
        assertEquals(expectedZero, counts[0] / (double)draws, 0.01, "share of item 0");
        assertEquals(expectedZero / Math.pow(2, Zipfian.THETA), counts[1] / (double)draws, 0.01, "share of item 1");
        assertTrue(counts[0] > 10 * counts[500], "item 0 " + counts[0] + " vs item 500 " + counts[500]);
    }

    @Test
    void ycsbMixesHaveYcsbProportions()
    {
        final Workload a = Workload.of("ycsb-a", 1000, 2000, new AtomicLong(1000), 3);
        final Workload e = Workload.of("ycsb-e", 1000, 2000, new AtomicLong(1000), 3);
        int reads = 0;
        int scans = 0;
        int inserts = 0;
        for (int i = 0; i < 100_000; i++)
        {
            reads += Op.GET == a.nextOp() ? 1 : 0;
            final Op op = e.nextOp();
            scans += Op.QUERY == op ? 1 : 0;
            inserts += Op.INSERT == op ? 1 : 0;
        }
        assertEquals(50_000, reads, 1_000);
        assertEquals(95_000, scans, 1_000);
        assertEquals(5_000, inserts, 1_000);
    }

    @Test
    void insertsTakeNewRecordNumbersAndLatestFavoursThem()
    {
        final AtomicLong inserted = new AtomicLong(1000);
        final Workload d = Workload.of("ycsb-d", 1000, 2000, inserted, 9);
        assertEquals(1000, d.nextRecord(Op.INSERT));
        assertEquals(1001, d.nextRecord(Op.INSERT));
        int recent = 0;
        for (int i = 0; i < 10_000; i++)
        {
            recent += d.nextRecord(Op.GET) >= 990 ? 1 : 0;
        }
        assertTrue(recent > 3_000, "reads of the 11 newest records: " + recent);
    }

    @Test
    void unknownWorkloadIsRejectedWithTheValidNames()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> Workload.of("ycsb-z", 10, 20, new AtomicLong(10), 1));
        assertTrue(ex.getMessage().contains("ycsb-a"), ex.getMessage());
    }
}
