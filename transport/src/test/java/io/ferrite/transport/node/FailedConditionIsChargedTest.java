package io.ferrite.transport.node;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.admission.TableCapacity;
import io.ferrite.engine.api.ReturnValuesOnConditionCheckFailure;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.transport.client.ClientNodeFixture;
import io.ferrite.transport.client.FerriteBlockingClient;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * DynamoDB still charges a conditional write whose condition fails, on the size of the existing item (at least one
 * unit); the router takes only the new item's units (PutItem) or one unit (UpdateItem, DeleteItem) up front, so the
 * shard charges the rest (decision 0009). A table at 1 WCU holds 300 units (300 s of burst, refilling 1/s): a 60 KB
 * item is put (60 units), then an UpdateItem, a DeleteItem and a small PutItem on it fail their conditions (60 units
 * each, 180), leaving about 60: a 100 KB put must be throttled. Charged one unit each, 237 would remain and it would
 * be admitted.
 */
class FailedConditionIsChargedTest
{
    private ClientNodeFixture started;
    private FerriteBlockingClient client;

    @AfterEach
    void closeAll()
    {
        CloseHelper.closeAll(started);
    }

    @Test
    void aWriteWhoseConditionFailsIsChargedTheExistingItem()
    {
        started = ClientNodeFixture.launch(1);
        client = started.connect(started.ipcClientConfig().maxAttempts(1));
        client.createTable(TableSpec.of("charged").partitionKey("pk", KeyType.S).capacity(TableCapacity.provisioned(1, 1)));
        final Map<String, io.ferrite.codecs.item.AttributeValue> key = Map.of("pk", s("big"));
        client.putItem("charged", Map.of("pk", s("big"), "blob", s("x".repeat(60 * 1024))));

        final String absent = "attribute_not_exists(pk)";
        assertEquals(ErrorCode.ConditionalCheckFailedException, assertThrows(FerriteException.class,
            () -> client.updateItem("charged", key, "SET tag = :t", absent, null, Map.of(":t", s("t")),
                ReturnValues.NONE, ReturnValuesOnConditionCheckFailure.NONE)).code());
        assertEquals(ErrorCode.ConditionalCheckFailedException, assertThrows(FerriteException.class,
            () -> client.deleteItem("charged", key, absent, null, null, ReturnValues.NONE,
                ReturnValuesOnConditionCheckFailure.NONE)).code());
        assertEquals(ErrorCode.ConditionalCheckFailedException, assertThrows(FerriteException.class,
            () -> client.putItem("charged", Map.of("pk", s("big")), absent, null, null, ReturnValues.NONE,
                ReturnValuesOnConditionCheckFailure.NONE)).code());

        final FerriteException throttled = assertThrows(FerriteException.class,
            () -> client.putItem("charged", Map.of("pk", s("other"), "blob", s("y".repeat(100 * 1024)))),
            "about 60 units left after three failed conditions on a 60 KB item");
        assertEquals(ErrorCode.ProvisionedThroughputExceededException, throttled.code());
        client.putItem("charged", Map.of("pk", s("small")));
    }
}
