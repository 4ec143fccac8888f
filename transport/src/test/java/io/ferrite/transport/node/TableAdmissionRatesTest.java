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
        admission.applyShare(50, 30);
        assertEquals(50, admission.reads.ratePerSecond());
        assertEquals(30, admission.writes.ratePerSecond());
        assertEquals(300 * 30, admission.writes.burstUnits());
        admission.reconfigure(TableCapacity.provisioned(100, 200));
        assertEquals(200, admission.writes.ratePerSecond());
        admission.reconfigure(TableCapacity.ON_DEMAND);
        admission.applyShare(5, 5);
        assertEquals(TableAdmission.ON_DEMAND_INITIAL_WRITE_UNITS, admission.writes.ratePerSecond(), "shares are for provisioned tables");
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
