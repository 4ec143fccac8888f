package io.ferrite.transport.node;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.engine.admission.ConsumedCapacity;
import io.ferrite.engine.admission.ReturnConsumedCapacity;
import io.ferrite.engine.admission.TableCapacity;
import io.ferrite.engine.api.Ferrite;
import io.ferrite.engine.shard.WriteRequest;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.transport.client.ClientNodeFixture;
import io.ferrite.transport.client.FerriteBlockingClient;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A BatchWriteItem whose writes do not all fit hands the rest back as UnprocessedItems and is charged only for the
 * writes it did (decision 0009): the router takes each write's units up front as an estimate and gives back what the
 * writes handed back were estimated at, so a client that resends them pays for each write once.
 * <p>
 * The table's one partition holds 10 items (ItemCollectionSizeLimitExceeded past that, which a batch reports as
 * unprocessed writes); 25 puts of 3,507 bytes by DynamoDB's count (4 WCU each) are estimated at 100 WCU, and 10 are
 * done. The table is provisioned at 1 WCU a second, so its write bucket holds 300 units and refills 1 a second:
 * what the request took from it is read off the bucket.
 */
class WritesHandedBackUnprocessedGetTheirEstimateBackTest
{
    private static final int WRITES = 25;
    private static final int FITS = 10;
    private static final long UNITS_PER_WRITE = 4;

    private ClientNodeFixture started;

    @AfterEach
    void closeAll()
    {
        CloseHelper.closeAll(started);
    }

    @Test
    void writesHandedBackAreNotCharged()
    {
        started = ClientNodeFixture.launch(1, config ->
        {
            config.udpEndpoint("none");
            config.engine().initialPartitions(1).partitionMaxItems(FITS);
        });
        final FerriteBlockingClient client = started.connect(started.ipcClientConfig().maxAttempts(1));
        client.createTable(TableSpec.of("full").partitionKey("pk", KeyType.S).capacity(TableCapacity.provisioned(1, 1)));
        final List<WriteRequest> puts = new ArrayList<>();
        for (int i = 0; i < WRITES; i++)
        {
            // pk (2 + 3) and v (1 + 3,500): 3,506 bytes, 4 WCU
            final Map<String, AttributeValue> item = Map.of("pk", s(String.format("k%02d", i)), "v", s("x".repeat(3_500)));
            puts.add(Ferrite.put(item));
        }
        client.returnConsumedCapacity(ReturnConsumedCapacity.TOTAL);
        final Router router = started.node().router();

        final long before = router.unitsAvailable("full", true);
        final long startNs = System.nanoTime();
        final Map<String, List<WriteRequest>> unprocessed = client.batchWriteItem(Map.of("full", puts));
        final long after = router.unitsAvailable("full", true);
        final double elapsedSeconds = (System.nanoTime() - startNs) / 1e9;

        final int handedBack = unprocessed.getOrDefault("full", List.of()).size();
        assertEquals(WRITES - FITS, handedBack, "the partition holds " + FITS + " items: " + unprocessed.keySet());
        final long done = (WRITES - handedBack) * UNITS_PER_WRITE;
        final List<ConsumedCapacity> consumed = client.lastBatchConsumedCapacity();
        assertEquals(1, consumed.size(), consumed.toString());
        assertEquals(done, Math.round(consumed.get(0).writeCapacityUnits()), consumed.toString());
        // the bucket refills 1 unit a second while the request runs
        final long spent = before - after;
        final long refill = 1 + (long)Math.ceil(elapsedSeconds);
        assertTrue(spent <= done && spent >= done - refill, "the request took " + spent + " units from the bucket for " +
            (WRITES - handedBack) + " writes done (" + done + " units) and " + handedBack + " handed back (estimated at " +
            handedBack * UNITS_PER_WRITE + ")");
    }
}
