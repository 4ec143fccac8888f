package io.ferrite.transport.node;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.engine.admission.ConsumedCapacity;
import io.ferrite.engine.admission.ReturnConsumedCapacity;
import io.ferrite.engine.admission.TableCapacity;
import io.ferrite.engine.api.Ferrite;
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
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A BatchGetItem whose items do not all fit its response hands the rest back as UnprocessedKeys, and neither reports
 * nor charges their reads: DynamoDB charges a batch for the items it returns, and a client resends the unprocessed
 * keys (the CLI's BatchRunner does, summing what each request reports), so a key is paid for once, on the request
 * that returns it (decision 0009). Before, the router reported and charged every item the shards had read, returned
 * or not, and the up-front estimate of one half unit per key stayed charged for the keys handed back; the resends
 * paid for them again.
 * <p>
 * Both places that cut are covered: the router, to the session's largest message (a response channel of 1 MiB terms:
 * 128 KiB), and a shard, to the reply ring's largest message (rings of 2 MiB: 256 KiB). Items are 20,007 bytes by
 * DynamoDB's count (five 4 KB blocks, 2.5 RCU read eventually consistently); with a projection the item returned is
 * half of it and still costs its whole item's five blocks, which the router cannot tell from the bytes it gets. Two
 * absent keys cost one block each, on the request that answers them. The table is provisioned at 1 RCU (100 WCU for
 * the puts), so its read bucket holds 600 half units and refills 2 a second: what each request took from it is read
 * off the bucket.
 */
class KeysHandedBackUnprocessedArePaidForOnceTest
{
    private static final int ITEMS = 20;
    private static final int MISSES = 2;
    private static final long ITEM_HALF_UNITS = 5;
    /** A response channel whose largest message (128 KiB) holds six of the items, not twenty. */
    private static final String SMALL_TERMS = "aeron:ipc?term-length=1048576";

    private ClientNodeFixture started;

    @AfterEach
    void closeAll()
    {
        CloseHelper.closeAll(started);
    }

    @Test
    void itemsCutToTheSessionsLargestMessageAreNeitherReportedNorCharged()
    {
        started = ClientNodeFixture.launch(2, config -> config.udpEndpoint("none"));
        final FerriteBlockingClient client = started.connect(started.ipcClientConfig().maxAttempts(1)
            .responseChannel(SMALL_TERMS));
        resendUntilAllAreRead(client, null);
    }

    @Test
    void projectedItemsCutToTheSessionsLargestMessageAreTakenOffAtTheirWholeItemsCost()
    {
        started = ClientNodeFixture.launch(2, config -> config.udpEndpoint("none"));
        final FerriteBlockingClient client = started.connect(started.ipcClientConfig().maxAttempts(1)
            .responseChannel(SMALL_TERMS));
        resendUntilAllAreRead(client, "pk, a");
    }

    @Test
    void itemsCutToTheReplyRingsLargestMessageAreNeitherReportedNorCharged()
    {
        started = ClientNodeFixture.launch(1, config -> config.udpEndpoint("none").maxFrameBytes(240 * 1024)
            .shardQueueBytes(2 * 1024 * 1024));
        final FerriteBlockingClient client = started.connect(started.ipcClientConfig().maxAttempts(1));
        resendUntilAllAreRead(client, null);
    }

    private void resendUntilAllAreRead(final FerriteBlockingClient client, final String projection)
    {
        client.createTable(TableSpec.of("cut").partitionKey("pk", KeyType.S).capacity(TableCapacity.provisioned(1, 100)));
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (int i = 0; i < ITEMS; i++)
        {
            final String pk = String.format("k%02d", i);
            client.putItem("cut", Map.of("pk", s(pk), "a", s("x".repeat(10_000)), "b", s("y".repeat(10_000))));
            keys.add(Map.of("pk", s(pk)));
        }
        for (int i = 0; i < MISSES; i++)
        {
            keys.add(Map.of("pk", s("absent" + i)));
        }
        client.returnConsumedCapacity(ReturnConsumedCapacity.TOTAL);
        final Router router = started.node().router();

        int requests = 0;
        int found = 0;
        long reportedHalfUnits = 0;
        long spentHalfUnits = 0;
        while (!keys.isEmpty())
        {
            final long before = router.unitsAvailable("cut", false);
            final long startNs = System.nanoTime();
            final Ferrite.BatchGet result = null == projection ? client.batchGetItem(Map.of("cut", keys)) :
                client.batchGetItem(Map.of("cut", keys), Map.of("cut", projection), null);
            final long after = router.unitsAvailable("cut", false);
            final double elapsedSeconds = (System.nanoTime() - startNs) / 1e9;
            requests++;

            final int returned = result.responses().getOrDefault("cut", List.of()).size();
            final List<Map<String, AttributeValue>> rest = result.unprocessedKeys().getOrDefault("cut", List.of());
            final int missesAnswered = keys.size() - returned - rest.size();
            final long answered = returned * ITEM_HALF_UNITS + missesAnswered;
            final List<ConsumedCapacity> consumed = client.lastBatchConsumedCapacity();
            assertEquals(1, consumed.size(), consumed.toString());
            final long reported = Math.round(consumed.get(0).readCapacityUnits() * 2);
            // the bucket refills 2 half units a second while the request runs
            final long spent = before - after;
            final long refill = 2 + (long)Math.ceil(2 * elapsedSeconds);
            final int request = requests;
            assertAll(
                () -> assertEquals(answered, reported, "request " + request + ": " + returned + " items and " +
                    missesAnswered + " misses answered, " + rest.size() + " keys handed back; reported " + consumed),
                () -> assertTrue(spent <= answered && spent >= answered - refill, "request " + request + " took " +
                    spent + " half units from the bucket for " + answered + " answered (" + rest.size() +
                    " keys handed back)"));

            found += returned;
            reportedHalfUnits += reported;
            spentHalfUnits += spent;
            keys = rest;
            assertTrue(requests <= ITEMS + MISSES, "no progress: " + keys.size() + " keys left");
        }
        assertTrue(requests > 1, "the test needs a cut: one request answered everything");
        assertEquals(ITEMS, found);
        assertEquals(ITEMS * ITEM_HALF_UNITS + MISSES, reportedHalfUnits, "over " + requests + " requests");
        assertTrue(spentHalfUnits <= ITEMS * ITEM_HALF_UNITS + MISSES, spentHalfUnits + " over " + requests);
    }
}
