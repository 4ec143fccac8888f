package io.ferrite.transport.node;

import io.ferrite.engine.admission.ConsumedCapacity;
import io.ferrite.engine.admission.ReturnConsumedCapacity;
import io.ferrite.engine.admission.TableCapacity;
import io.ferrite.engine.api.Query;
import io.ferrite.engine.api.Scan;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.transport.client.ClientNodeFixture;
import io.ferrite.transport.client.FerriteBlockingClient;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * DynamoDB charges a read on what it read, not on what it returned: a GetItem on the whole item's size whatever its
 * ProjectionExpression, a Query or Scan page on the items it read before its FilterExpression (and projection),
 * rounded up once (decision 0009). Seen through ReturnConsumedCapacity, which reports what the table's bucket was
 * charged.
 */
class ReadsAreChargedOnWhatTheyReadTest
{
    private ClientNodeFixture started;
    private FerriteBlockingClient client;

    @AfterEach
    void closeAll()
    {
        CloseHelper.closeAll(started);
    }

    @Test
    void projectionsAndFiltersDoNotMakeAReadCheaper()
    {
        started = ClientNodeFixture.launch(2);
        client = started.connect();
        client.createTable(TableSpec.of("read").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N)
            .capacity(TableCapacity.provisioned(1_000, 1_000)));
        for (int i = 0; i < 3; i++)
        {
            client.putItem("read", Map.of("pk", s("a"), "sk", n(i), "payload", s("x".repeat(5_000))));
        }
        client.returnConsumedCapacity(ReturnConsumedCapacity.TOTAL);

        client.getItem("read", Map.of("pk", s("a"), "sk", n(0)), "sk", null);
        assertEquals(new ConsumedCapacity("read", 1.0, 1.0, 0.0), client.lastConsumedCapacity(),
            "a ~5 KB item is two 4 KB blocks, eventually consistent: 1 RCU, though only sk came back");

        client.query(Query.on("read").partitionKey(s("a")).filter("attribute_not_exists(payload)"));
        assertEquals(new ConsumedCapacity("read", 2.0, 2.0, 0.0), client.lastConsumedCapacity(),
            "three ~5 KB items read (~15 KB: four blocks, eventually consistent), none returned: 2 RCU");

        client.query(Query.on("read").partitionKey(s("a")).projection("sk"));
        assertEquals(new ConsumedCapacity("read", 2.0, 2.0, 0.0), client.lastConsumedCapacity(),
            "the same three items read for their sort keys only: 2 RCU");

        client.query(Query.on("read").partitionKey(s("a")).projection("sk"), true);
        assertEquals(new ConsumedCapacity("read", 4.0, 4.0, 0.0), client.lastConsumedCapacity(),
            "the same page read strongly consistently (ConsistentRead reaches the node): 4 RCU");

        client.scan(Scan.on("read"), true);
        assertEquals(new ConsumedCapacity("read", 4.0, 4.0, 0.0), client.lastConsumedCapacity(),
            "a strongly consistent Scan page of the same items: 4 RCU");
        client.scan(Scan.on("read"));
        assertEquals(new ConsumedCapacity("read", 2.0, 2.0, 0.0), client.lastConsumedCapacity(),
            "and eventually consistent, the default: 2 RCU");
    }
}
