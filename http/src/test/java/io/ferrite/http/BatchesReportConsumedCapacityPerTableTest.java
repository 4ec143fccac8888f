package io.ferrite.http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BatchGetItem and BatchWriteItem asked for ReturnConsumedCapacity TOTAL or INDEXES answer DynamoDB's
 * {@code ConsumedCapacity} list, one entry per table, by DynamoDB's per-item rule: a read rounded up to 4 KB on the
 * whole item (whatever its projection returns), one block for a key not found, half price for an eventually
 * consistent table; a write rounded up to 1 KB. The keys of one table land on both of the node's shards, so the
 * router's sum of the shards' figures is what is checked. Seen through the AWS SDK for Java v2 and as raw JSON.
 */
final class BatchesReportConsumedCapacityPerTableTest
{
    private static final String TARGET = "DynamoDB_20120810.";

    @TempDir
    static Path dataDir;
    private static HttpNodeFixture fixture;
    private static DynamoDbClient dynamo;

    @BeforeAll
    static void start()
    {
        fixture = new HttpNodeFixture(dataDir);
        dynamo = fixture.dynamo;
        for (final String table : List.of("Left", "Right", "Raw"))
        {
            dynamo.createTable(b -> b.tableName(table)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("k")
                    .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("k").keyType(KeyType.HASH).build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
        }
    }

    @AfterAll
    static void stop()
    {
        fixture.close();
    }

    private static AttributeValue s(final String value)
    {
        return AttributeValue.fromS(value);
    }

    private static WriteRequest put(final String key, final int payloadBytes)
    {
        return WriteRequest.builder().putRequest(PutRequest.builder()
            .item(Map.of("k", s(key), "p", s("x".repeat(payloadBytes)))).build()).build();
    }

    private static WriteRequest delete(final String key)
    {
        return WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(Map.of("k", s(key))).build()).build();
    }

    private static Map<String, ConsumedCapacity> byTable(final List<ConsumedCapacity> consumed)
    {
        final Map<String, ConsumedCapacity> tables = new TreeMap<>();
        consumed.forEach(entry -> assertNull(tables.put(entry.tableName(), entry), "a table twice: " + consumed));
        return tables;
    }

    @Test
    void batchWriteReportsEachTablesWriteUnits()
    {
        final List<WriteRequest> left = new ArrayList<>();
        for (int i = 0; i < 6; i++)
        {
            left.add(put("w" + i, 10)); // 1 WCU each
        }
        final List<WriteRequest> right = List.of(put("big", 2_500), delete("absent")); // 3 WCU + 1 WCU
        final BatchWriteItemResponse written = dynamo.batchWriteItem(b -> b
            .requestItems(Map.of("Left", left, "Right", right)).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        assertTrue(written.unprocessedItems().isEmpty(), written.toString());
        final Map<String, ConsumedCapacity> tables = byTable(written.consumedCapacity());
        assertEquals(List.of("Left", "Right"), List.copyOf(tables.keySet()), written.toString());
        assertEquals(6.0, tables.get("Left").capacityUnits());
        assertEquals(6.0, tables.get("Left").writeCapacityUnits());
        assertNull(tables.get("Left").readCapacityUnits());
        assertNull(tables.get("Left").table(), "TOTAL has no per-table Capacity");
        assertEquals(4.0, tables.get("Right").capacityUnits());
        assertEquals(4.0, tables.get("Right").writeCapacityUnits());

        // a write of a batch costs what the same single write reports (an unconditional delete is not read first:
        // Shard#lastWriteChargeBytes)
        dynamo.batchWriteItem(b -> b.requestItems(Map.of("Right", List.of(put("big2", 2_500)))));
        final double single = dynamo.deleteItem(b -> b.tableName("Right").key(Map.of("k", s("big2")))
            .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).consumedCapacity().capacityUnits();
        final BatchWriteItemResponse deleted = dynamo.batchWriteItem(b -> b.requestItems(Map.of("Right",
            List.of(delete("big")))).returnConsumedCapacity(ReturnConsumedCapacity.INDEXES));
        final ConsumedCapacity right1 = byTable(deleted.consumedCapacity()).get("Right");
        assertEquals(single, right1.capacityUnits(), deleted.toString());
        assertNotNull(right1.table(), "INDEXES names the table's own Capacity: " + deleted);
        assertEquals(single, right1.table().capacityUnits());
    }

    @Test
    void batchGetReportsEachTablesReadUnitsAtItsOwnConsistency()
    {
        dynamo.batchWriteItem(b -> b.requestItems(Map.of(
            "Left", List.of(put("small", 10), put("nine", 9_000)),
            "Right", List.of(put("r1", 10), put("r2", 10)))));

        final BatchGetItemResponse got = dynamo.batchGetItem(b -> b.returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)
            .requestItems(Map.of(
                // eventually consistent: 1 + 3 (a ~9 KB item, charged whole though only k comes back) + 1 (not found)
                // blocks, half a unit each
                "Left", KeysAndAttributes.builder().projectionExpression("k")
                    .keys(Map.of("k", s("small")), Map.of("k", s("nine")), Map.of("k", s("missing"))).build(),
                // strongly consistent: 2 blocks, a unit each
                "Right", KeysAndAttributes.builder().consistentRead(true)
                    .keys(Map.of("k", s("r1")), Map.of("k", s("r2"))).build())));
        assertTrue(got.unprocessedKeys().isEmpty(), got.toString());
        assertEquals(2, got.responses().get("Left").size(), got.toString());
        got.responses().get("Left").forEach(item -> assertEquals(List.of("k"), List.copyOf(item.keySet())));
        final Map<String, ConsumedCapacity> tables = byTable(got.consumedCapacity());
        assertEquals(List.of("Left", "Right"), List.copyOf(tables.keySet()), got.toString());
        assertEquals(2.5, tables.get("Left").capacityUnits());
        assertEquals(2.5, tables.get("Left").readCapacityUnits());
        assertNull(tables.get("Left").writeCapacityUnits());
        assertEquals(2.0, tables.get("Right").capacityUnits());
        assertEquals(2.0, tables.get("Right").readCapacityUnits());
    }

    @Test
    void batchesNotAskingGetNoConsumedCapacity()
    {
        final BatchWriteItemResponse written = dynamo.batchWriteItem(b -> b.requestItems(Map.of("Left",
            List.of(put("quiet", 10)))).returnConsumedCapacity(ReturnConsumedCapacity.NONE));
        assertFalse(written.hasConsumedCapacity(), written.toString());
        final BatchGetItemResponse got = dynamo.batchGetItem(b -> b.requestItems(Map.of("Left",
            KeysAndAttributes.builder().keys(Map.of("k", s("quiet"))).build())));
        assertFalse(got.hasConsumedCapacity(), got.toString());
    }

    @Test
    void rawJsonHasDynamoDbsShape() throws Exception
    {
        try (RawHttp http = new RawHttp(fixture.front.port()))
        {
            final RawHttp.Response written = http.exchange(TARGET + "BatchWriteItem",
                "{\"RequestItems\":{\"Raw\":[{\"PutRequest\":{\"Item\":{\"k\":{\"S\":\"a\"}}}}," +
                "{\"PutRequest\":{\"Item\":{\"k\":{\"S\":\"b\"}}}}]},\"ReturnConsumedCapacity\":\"TOTAL\"}");
            assertEquals(200, written.status(), written.body());
            assertEquals("{\"UnprocessedItems\":{},\"ConsumedCapacity\":[{\"TableName\":\"Raw\"," +
                "\"CapacityUnits\":2.0,\"WriteCapacityUnits\":2.0}]}", written.body());

            final RawHttp.Response got = http.exchange(TARGET + "BatchGetItem",
                "{\"RequestItems\":{\"Raw\":{\"Keys\":[{\"k\":{\"S\":\"a\"}}],\"ConsistentRead\":true}}," +
                "\"ReturnConsumedCapacity\":\"INDEXES\"}");
            assertEquals(200, got.status(), got.body());
            assertEquals("{\"Responses\":{\"Raw\":[{\"k\":{\"S\":\"a\"}}]},\"UnprocessedKeys\":{}," +
                "\"ConsumedCapacity\":[{\"TableName\":\"Raw\",\"CapacityUnits\":1.0,\"ReadCapacityUnits\":1.0," +
                "\"Table\":{\"CapacityUnits\":1.0}}]}", got.body());

            final RawHttp.Response quiet = http.exchange(TARGET + "BatchGetItem",
                "{\"RequestItems\":{\"Raw\":{\"Keys\":[{\"k\":{\"S\":\"a\"}}]}},\"ReturnConsumedCapacity\":\"NONE\"}");
            assertEquals("{\"Responses\":{\"Raw\":[{\"k\":{\"S\":\"a\"}}]},\"UnprocessedKeys\":{}}", quiet.body());
        }
    }

    @Test
    void anUnknownReturnConsumedCapacityIsRefusedAsForSingleItems() throws Exception
    {
        final String refusal = "{\"__type\":\"com.amazon.coral.validate#ValidationException\"," +
            "\"message\":\"1 validation error detected: Value 'SOME' at 'returnConsumedCapacity' failed to satisfy " +
            "constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]\"}";
        try (RawHttp http = new RawHttp(fixture.front.port()))
        {
            final RawHttp.Response single = http.exchange(TARGET + "GetItem", "{\"TableName\":\"Raw\",\"Key\":" +
                "{\"k\":{\"S\":\"a\"}},\"ReturnConsumedCapacity\":\"SOME\"}");
            assertEquals(400, single.status(), single.body());
            assertEquals(refusal, single.body());
            final RawHttp.Response get = http.exchange(TARGET + "BatchGetItem",
                "{\"RequestItems\":{\"Raw\":{\"Keys\":[{\"k\":{\"S\":\"a\"}}]}},\"ReturnConsumedCapacity\":\"SOME\"}");
            assertEquals(400, get.status(), get.body());
            assertEquals(refusal, get.body());
            final RawHttp.Response write = http.exchange(TARGET + "BatchWriteItem",
                "{\"ReturnConsumedCapacity\":\"SOME\",\"RequestItems\":{\"Raw\":[" +
                "{\"DeleteRequest\":{\"Key\":{\"k\":{\"S\":\"a\"}}}}]}}");
            assertEquals(400, write.status(), write.body());
            assertEquals(refusal, write.body());
        }
    }
}
