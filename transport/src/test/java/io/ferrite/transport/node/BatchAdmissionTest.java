package io.ferrite.transport.node;

import io.ferrite.codecs.sbe.TableStatus;
import io.ferrite.engine.admission.TableCapacity;
import io.ferrite.engine.admission.TokenBucket;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A batch over several tables on a deterministic clock ({@link Router#admitBatch}): each table admitted or refused on
 * its own bucket (a refused table's part goes back unprocessed, as DynamoDB does), the batch throttled whole only when
 * every table is refused, and a refused table's units still counted as its demand for global admission (decision 0009).
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
    void aTableWithoutRoomIsRefusedAloneAndTheBatchIsThrottledOnlyWhenNoTableHasRoom()
    {
        final TableRoute roomy = route(0, "roomy", 1_000);
        final TableRoute tight = route(1, "tight", 5);
        final Map<TableRoute, Long> charges = new LinkedHashMap<>();
        charges.put(roomy, 3L);
        charges.put(tight, 10L);
        assertEquals(List.of(), Router.admitBatch(charges, true, 0), "10 WCU on a full 5-unit bucket: admitted into debt");
        assertEquals(1_000 - 3, roomy.admission.writes.availableUnits(0));
        assertEquals(3 + 10, roomy.admission.writeDemand + tight.admission.writeDemand);

        assertEquals(List.of(tight), Router.admitBatch(charges, true, 0), "the tight table is in debt: refused alone");
        assertEquals(1_000 - 6, roomy.admission.writes.availableUnits(0), "the roomy table's part is admitted");
        assertEquals(3 + 3, roomy.admission.writeDemand);
        assertEquals(10 + 10, tight.admission.writeDemand, "a refused part is still demand");

        final Map<TableRoute, Long> tightOnly = new LinkedHashMap<>();
        tightOnly.put(tight, 1L);
        assertEquals(List.of(tight), Router.admitBatch(tightOnly, true, 0), "no table has room: throttled whole");
        assertEquals(10 + 10 + 1, tight.admission.writeDemand);
        // 5 units in debt, refilled at 5 a second: full (5) two seconds later only if the refused parts took nothing
        assertEquals(5, tight.admission.writes.availableUnits(2_000_000_000L), "the refused parts took nothing");

        final Map<TableRoute, Long> reads = new LinkedHashMap<>();
        reads.put(roomy, 4L);
        reads.put(tight, 100L);
        assertEquals(List.of(), Router.admitBatch(reads, false, 0), "100 half units on a full 10-unit bucket: into debt");
        assertEquals(List.of(tight), Router.admitBatch(reads, false, 0));
        assertEquals(4 + 4, roomy.admission.readDemand);
        assertEquals(2_000 - 8, roomy.admission.reads.availableUnits(0));
        assertEquals(TokenBucket.ADMITTED, roomy.admission.tryRead(0, 1));
    }
}
