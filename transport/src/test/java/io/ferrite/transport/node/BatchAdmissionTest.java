package io.ferrite.transport.node;

import io.ferrite.codecs.sbe.TableStatus;
import io.ferrite.engine.admission.TableCapacity;
import io.ferrite.engine.admission.TokenBucket;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A batch over several tables on a deterministic clock ({@link Router#admitBatch}): admitted whole or throttled
 * whole, the throttle counted against the table that lacked the units, and a throttled batch's units still counted
 * as every table's demand for global admission (decision 0009).
 */
class BatchAdmissionTest
{
    private static TableRoute route(final int routeId, final String name, final long units)
    {
        final TableRoute route = new TableRoute(routeId, TableSpec.of(name).partitionKey("pk", KeyType.S)
            .capacity(TableCapacity.provisioned(units, units)), TableStatus.ACTIVE, 0, 0);
        route.admission = new TableAdmission(route.spec.capacity(), 1, 0);
        return route;
    }

    @Test
    void aThrottledBatchNamesTheTableThatLackedTheUnitsAndCountsEveryTablesDemand()
    {
        final TableRoute roomy = route(0, "roomy", 1_000);
        final TableRoute tight = route(1, "tight", 5);
        final Map<TableRoute, Long> charges = new LinkedHashMap<>();
        charges.put(roomy, 3L);
        charges.put(tight, 10L);
        assertNull(Router.admitBatch(charges, true, 0), "10 WCU on a full 5-unit bucket: admitted into debt");
        assertEquals(3 + 10, roomy.admission.writeDemand + tight.admission.writeDemand);

        assertSame(tight, Router.admitBatch(charges, true, 0), "the tight table is in debt: the throttle is its");
        assertEquals(1_000 - 3, roomy.admission.writes.availableUnits(0), "a throttled batch takes nothing");
        assertEquals(3 + 3, roomy.admission.writeDemand, "a throttled batch is still demand");
        assertEquals(10 + 10, tight.admission.writeDemand);

        final Map<TableRoute, Long> reads = new LinkedHashMap<>();
        reads.put(roomy, 4L);
        reads.put(tight, 100L);
        assertNull(Router.admitBatch(reads, false, 0), "100 half units on a full 10-unit bucket: into debt");
        assertSame(tight, Router.admitBatch(reads, false, 0));
        assertEquals(4 + 4, roomy.admission.readDemand);
        assertEquals(TokenBucket.ADMITTED, roomy.admission.tryRead(0, 1));
    }
}
