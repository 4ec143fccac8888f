package io.ferrite.transport.node;

import io.ferrite.engine.admission.TableCapacity;
import io.ferrite.engine.admission.TokenBucket;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The router's per-table buckets on a deterministic clock: provisioned rates in half RCUs and WCUs with the burst
 * kept, on-demand's "twice the previous peak", a global admission share, and the service's division of a rate.
 */
class TableAdmissionRatesTest
{
    private static final long SECOND = 1_000_000_000L;

    @Test
    void provisionedTableAdmitsItsBurstThenItsRate()
    {
        final TableAdmission admission = new TableAdmission(TableCapacity.provisioned(10, 4), 2, 0);
        assertEquals(40, admission.reads.burstUnits(), "2 s of 10 RCU = 40 half units");
        int admitted = 0;
        for (int i = 0; i < 100; i++)
        {
            if (TokenBucket.ADMITTED == admission.tryWrite(0, 1))
            {
                admitted++;
            }
        }
        assertEquals(8, admitted, "2 s of 4 WCU");
        assertNotEquals(TokenBucket.ADMITTED, admission.tryWrite(SECOND / 8, 1), "a quarter unit refilled is not a unit");
        assertEquals(TokenBucket.ADMITTED, admission.tryWrite(SECOND / 4, 1), "one unit refilled after 1/4 s");
        assertEquals(100 + 2, admission.writeDemand, "demand counts throttled units too");
    }

    @Test
    void onDemandTableRisesToTwiceItsPreviousPeak()
    {
        final TableAdmission admission = new TableAdmission(TableCapacity.ON_DEMAND, 1, 0);
        assertEquals(TableAdmission.ON_DEMAND_INITIAL_WRITE_UNITS, admission.writes.ratePerSecond());
        // one second of 3,000 writes, more than half the initial 4,000: the next window rolls the peak to 3,000
        long now = 0;
        for (int i = 0; i < 3_000; i++)
        {
            assertEquals(TokenBucket.ADMITTED, admission.tryWrite(now, 1));
            now += SECOND / 3_000;
        }
        admission.tryWrite(SECOND, 1);
        assertEquals(6_000, admission.writes.ratePerSecond(), "twice the previous peak of 3,000");
        assertEquals(TableAdmission.ON_DEMAND_INITIAL_READ_HALF_UNITS, admission.reads.ratePerSecond(),
            "reads stay at the initial rate");
    }

    @Test
    void aGlobalShareReplacesTheProvisionedRateAndUpdateTableRestoresIt()
    {
        final TableAdmission admission = new TableAdmission(TableCapacity.provisioned(100, 100), 300, 0);
        admission.applyShare(0, 50, 30);
        assertEquals(50, admission.reads.ratePerSecond());
        assertEquals(30, admission.writes.ratePerSecond());
        assertEquals(300 * 30, admission.writes.burstUnits());
        admission.reconfigure(0, TableCapacity.provisioned(100, 200));
        assertEquals(200, admission.writes.ratePerSecond());
        admission.reconfigure(0, TableCapacity.ON_DEMAND);
        admission.applyShare(0, 5, 5);
        assertEquals(TableAdmission.ON_DEMAND_INITIAL_WRITE_UNITS, admission.writes.ratePerSecond(), "shares are for provisioned tables");
    }

    @Test
    void updateTableRaisingTheRateKeepsTheBurstThatWentUnusedNotThreeHundredSecondsOfTheNewRate()
    {
        // idle at 1 WCU for 300 s: 300 units saved; UpdateTable to 40,000 WCU must not hand out 12,000,000 at once
        final TableAdmission admission = new TableAdmission(TableCapacity.provisioned(1, 1), 300, 0);
        admission.attach(new PartitionAdmission(2, 2 * 3_000, 1_000, 300, 0));
        final long now = 300 * SECOND;
        admission.reconfigure(now, TableCapacity.provisioned(1, 40_000));
        assertEquals(40_000, admission.writes.ratePerSecond());
        assertEquals(300, admission.writes.availableUnits(now), "the table's 300 saved units");
        assertEquals(300 * 1_000, admission.partitions.burst(0, true).availableUnits(now),
            "a partition's saved 300 s at its old 1,000 WCU ceiling, not 300 s of its new 20,000");
        final NodeAdmission node = new NodeAdmission(1_000_000, 1_000_000, now);
        long admitted = 0;
        for (int i = 0; i < 1_000; i++)
        {
            if (TokenBucket.ADMITTED == admission.tryAt(now, true, 100, 0, node))
            {
                admitted += 100;
            }
        }
        assertEquals(300, admitted, "the saved units, then the new rate's refill");
        assertEquals(TokenBucket.ADMITTED, admission.tryAt(now + SECOND / 400, true, 100, 0, node), "100 units refill in 2.5 ms");
    }

    @Test
    void aGrantNeverLiftsATableAboveItsOwnProvisionedRate()
    {
        // the service computes grants from the rate routers last reported: a grant sent before this router's report
        // of an UpdateTable (or for a deleted table of the same name) carries the old, higher rate
        final TableAdmission admission = new TableAdmission(TableCapacity.provisioned(20_000, 40_000), 300, 0);
        admission.reconfigure(SECOND, TableCapacity.provisioned(10, 5));
        admission.applyShare(2 * SECOND, 2 * 20_000, 40_000);
        assertEquals(5, admission.writes.ratePerSecond(), "a stale grant of the old 40,000 WCU");
        assertEquals(2 * 10, admission.reads.ratePerSecond());
        admission.applyShare(3 * SECOND, 12, 3);
        assertEquals(3, admission.writes.ratePerSecond(), "a share under the rate is applied");
        assertEquals(12, admission.reads.ratePerSecond());
    }

    @Test
    void anOnDemandPeakBeyondTheBucketsLimitsKeepsTheRouterAdmitting()
    {
        // a peak over half the bucket's maximum rate must not ask the bucket for a rate it refuses (an exception on
        // the router thread, in the middle of admitting a request)
        final TableAdmission admission = new TableAdmission(TableCapacity.ON_DEMAND, TokenBucket.MAX_BURST_SECONDS, 0);
        long now = 0;
        for (int window = 0; window < 20; window++)
        {
            final long units = Math.min(admission.writes.availableUnits(now), 700_000_000L);
            for (long taken = 0; taken < units; taken += TokenBucket.MAX_UNITS_PER_CALL)
            {
                assertEquals(TokenBucket.ADMITTED,
                    admission.tryWrite(now, Math.min(TokenBucket.MAX_UNITS_PER_CALL, units - taken)), "window " + window);
            }
            now += SECOND;
        }
        admission.tryWrite(now, 1);
        assertEquals(TokenBucket.MAX_RATE_PER_SECOND, admission.writes.ratePerSecond(), "twice the peak, at most the most a bucket takes");
    }

    @Test
    void theServiceDividesARateByDemandWithAFloor()
    {
        assertEquals(133, AdmissionService.share(200, 400, 600, 2));
        assertEquals(66, AdmissionService.share(200, 200, 600, 2));
        assertEquals(2, AdmissionService.share(200, 0, 600, 2), "1% floor for an idle router");
        assertEquals(100, AdmissionService.share(200, 0, 0, 2), "no demand anywhere: an equal split");
        assertEquals(1, AdmissionService.share(10, 0, 50, 3), "at least one unit");
    }
}
