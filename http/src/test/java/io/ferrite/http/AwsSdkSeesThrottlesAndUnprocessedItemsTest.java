package io.ferrite.http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughput;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Admission control and full partitions reach the SDK as DynamoDB's shapes: ProvisionedThroughputExceededException
 * for a provisioned table over its rate (the HTTP front goes through the node's router like any client), and
 * UnprocessedItems for writes a full partition refused, which the caller can send again.
 */
final class AwsSdkSeesThrottlesAndUnprocessedItemsTest
{
    @TempDir
    static Path dataDir;
    private static HttpNodeFixture fixture;
    private static DynamoDbClient noRetries;

    @BeforeAll
    @SuppressWarnings("deprecation")
    static void start()
    {
        fixture = new HttpNodeFixture(dataDir, config -> { }, node ->
        {
            node.shardCount(1).admissionBurstSeconds(1);
            node.engine().partitionMaxItems(16);
        });
        noRetries = DynamoDbClient.builder()
            .endpointOverride(URI.create(fixture.front.endpoint()))
            .region(Region.US_EAST_1)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(o -> o.retryPolicy(RetryPolicy.none()))
            .build();
    }

    @AfterAll
    static void stop()
    {
        noRetries.close();
        fixture.close();
    }

    @Test
    void aProvisionedTableOverItsRateThrottles()
    {
        createTable("Slow", true);
        int throttled = 0;
        for (int i = 0; i < 20; i++)
        {
            final int n = i % 8;
            try
            {
                noRetries.putItem(b -> b.tableName("Slow").item(Map.of("k", AttributeValue.fromS("k" + n))));
            }
            catch (final ProvisionedThroughputExceededException expected)
            {
                assertEquals(400, expected.statusCode());
                throttled++;
            }
        }
        assertTrue(throttled > 0, "20 writes at once to a 1 WCU table with 1 s of burst were all admitted");
    }

    /**
     * A batch over a table without room and one with room: DynamoDB runs what each table's throughput allows and
     * hands the rest back, so the SDK finds the tight table's writes in UnprocessedItems and the other table's
     * applied; only a batch none of whose tables has room is ProvisionedThroughputExceeded. A table named with no
     * writes is DynamoDB's ValidationException.
     */
    @Test
    void aBatchHandsBackTheWritesOfATableWithoutRoomAndAppliesTheOthers()
    {
        createTable("Tight", true);
        createTable("Ample", false);
        // 25 deletes (1 WCU each) on a full 1-unit bucket: admitted, leaving Tight 24 units (24 s) in debt
        final List<WriteRequest> deletes = new ArrayList<>();
        for (int i = 0; i < 25; i++)
        {
            deletes.add(WriteRequest.builder().deleteRequest(DeleteRequest.builder()
                .key(Map.of("k", AttributeValue.fromS("gone" + i))).build()).build());
        }
        assertTrue(noRetries.batchWriteItem(b -> b.requestItems(Map.of("Tight", deletes))).unprocessedItems().isEmpty());

        final Map<String, List<WriteRequest>> both = new LinkedHashMap<>();
        both.put("Tight", List.of(put("t0")));
        both.put("Ample", List.of(put("a0"), put("a1")));
        final BatchWriteItemResponse response = noRetries.batchWriteItem(b -> b.requestItems(both));
        assertEquals(List.of("Tight"), List.copyOf(response.unprocessedItems().keySet()));
        assertEquals("t0", response.unprocessedItems().get("Tight").get(0).putRequest().item().get("k").s());
        for (final String k : List.of("a0", "a1"))
        {
            assertTrue(noRetries.getItem(b -> b.tableName("Ample").key(Map.of("k", AttributeValue.fromS(k)))).hasItem(),
                k + " applied");
        }
        assertFalse(noRetries.getItem(b -> b.tableName("Tight").key(Map.of("k", AttributeValue.fromS("t0")))).hasItem(),
            "the handed-back write was not applied");

        assertThrows(ProvisionedThroughputExceededException.class,
            () -> noRetries.batchWriteItem(b -> b.requestItems(Map.of("Tight", List.of(put("t1"))))));

        final Map<String, List<WriteRequest>> oneEmpty = new LinkedHashMap<>();
        oneEmpty.put("Ample", List.of(put("a2")));
        oneEmpty.put("Tight", List.of());
        final DynamoDbException empty =
            assertThrows(DynamoDbException.class, () -> noRetries.batchWriteItem(b -> b.requestItems(oneEmpty)));
        assertEquals("ValidationException", empty.awsErrorDetails().errorCode());
        assertEquals("1 validation error detected: Value '{Tight=[]}' at 'requestItems' failed to satisfy constraint: " +
            "Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have " +
            "length greater than or equal to 1]", empty.awsErrorDetails().errorMessage());
        assertNull(noRetries.getItem(b -> b.tableName("Ample").key(Map.of("k", AttributeValue.fromS("a2")))).item()
            .get("k"), "nothing of a refused batch is applied");
    }

    /** A table keyed by the string k: 1 RCU and 1 WCU provisioned, or on demand. */
    private static void createTable(final String name, final boolean provisionedAtOneUnit)
    {
        noRetries.createTable(b ->
        {
            b.tableName(name)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("k").attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("k").keyType(KeyType.HASH).build());
            if (provisionedAtOneUnit)
            {
                b.provisionedThroughput(ProvisionedThroughput.builder().readCapacityUnits(1L).writeCapacityUnits(1L).build());
            }
            else
            {
                b.billingMode(BillingMode.PAY_PER_REQUEST);
            }
        });
    }

    private static WriteRequest put(final String k)
    {
        return WriteRequest.builder().putRequest(PutRequest.builder().item(Map.of("k", AttributeValue.fromS(k))).build())
            .build();
    }

    /**
     * Keys left unread (the answer would pass the largest message the node sends) come back as UnprocessedKeys in
     * RequestItems' shape, with their ProjectionExpression and ExpressionAttributeNames: sent again as they are,
     * they read what was asked (they came back with the keys and ConsistentRead only, so a retry read whole items).
     */
    @Test
    void readsOverTheAnswersSizeComeBackAsUnprocessedKeysWithTheirProjection(@TempDir final Path ownDataDir)
    {
        try (HttpNodeFixture big = new HttpNodeFixture(ownDataDir))
        {
            big.dynamo.createTable(b -> b.tableName("Big")
                .attributeDefinitions(AttributeDefinition.builder().attributeName("k").attributeType(ScalarAttributeType.S)
                    .build())
                .keySchema(KeySchemaElement.builder().attributeName("k").keyType(KeyType.HASH).build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
            final String value = "v".repeat(300_000);
            final List<Map<String, AttributeValue>> keys = new ArrayList<>();
            for (int i = 0; i < 16; i++)
            {
                final String k = "item" + i;
                big.dynamo.putItem(b -> b.tableName("Big").item(Map.of("k", AttributeValue.fromS(k),
                    "v", AttributeValue.fromS(value), "other", AttributeValue.fromN("1"))));
                keys.add(Map.of("k", AttributeValue.fromS(k)));
            }
            final KeysAndAttributes asked = KeysAndAttributes.builder().keys(keys).consistentRead(true)
                .projectionExpression("k, #v").expressionAttributeNames(Map.of("#v", "v")).build();
            final BatchGetItemResponse response = big.dynamo.batchGetItem(b -> b.requestItems(Map.of("Big", asked)));
            final KeysAndAttributes unprocessed = response.unprocessedKeys().get("Big");
            assertTrue(null != unprocessed && unprocessed.hasKeys() && !unprocessed.keys().isEmpty(),
                "16 items of 300 KB fitted one answer");
            assertEquals(16, response.responses().get("Big").size() + unprocessed.keys().size());
            assertEquals("k, #v", unprocessed.projectionExpression());
            assertEquals(Map.of("#v", "v"), unprocessed.expressionAttributeNames());
            assertEquals(Boolean.TRUE, unprocessed.consistentRead());
            final BatchGetItemResponse retried = big.dynamo.batchGetItem(b -> b.requestItems(Map.of("Big", unprocessed)));
            for (final Map<String, AttributeValue> item : retried.responses().get("Big"))
            {
                assertEquals(Set.of("k", "v"), item.keySet(), "the retry read what was asked");
            }
        }
    }

    @Test
    void writesRefusedByAFullPartitionComeBackAsUnprocessedItems()
    {
        createTable("Small", false);
        final List<WriteRequest> writes = new ArrayList<>();
        for (int i = 0; i < 25; i++)
        {
            writes.add(WriteRequest.builder().putRequest(PutRequest.builder()
                .item(Map.of("k", AttributeValue.fromS("item" + i), "v", AttributeValue.fromN(Integer.toString(i))))
                .build()).build());
        }
        final BatchWriteItemResponse response = noRetries.batchWriteItem(b -> b.requestItems(Map.of("Small", writes)));
        final List<WriteRequest> unprocessed = response.unprocessedItems().getOrDefault("Small", List.of());
        assertFalse(unprocessed.isEmpty(), "25 items fitted a partition of 16");
        final Set<String> stored = new HashSet<>();
        noRetries.scanPaginator(b -> b.tableName("Small")).items().forEach(item -> stored.add(item.get("k").s()));
        assertEquals(25, stored.size() + unprocessed.size());
        for (final WriteRequest write : unprocessed)
        {
            final String key = write.putRequest().item().get("k").s();
            assertFalse(stored.contains(key), key + " is both stored and unprocessed");
            assertTrue(write.putRequest().item().containsKey("v"), "an unprocessed item came back without its attributes");
        }
    }
}
