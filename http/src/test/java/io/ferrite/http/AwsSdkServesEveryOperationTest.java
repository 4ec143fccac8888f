package io.ferrite.http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.CreateTableResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughput;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The AWS SDK for Java v2, unchanged, against a node's HTTP front: every operation, DynamoDB's shapes (numbers as
 * strings, binary, sets, nested maps and lists), pagination with Limit and ExclusiveStartKey, batches, consumed
 * capacity, and the error types the SDK maps to exceptions.
 */
final class AwsSdkServesEveryOperationTest
{
    @TempDir
    static Path dataDir;
    private static HttpNodeFixture fixture;
    private static DynamoDbClient dynamo;

    @BeforeAll
    static void start()
    {
        fixture = new HttpNodeFixture(dataDir);
        dynamo = fixture.dynamo;
        final CreateTableResponse created = dynamo.createTable(b -> b.tableName("Music")
            .attributeDefinitions(
                AttributeDefinition.builder().attributeName("Artist").attributeType(ScalarAttributeType.S).build(),
                AttributeDefinition.builder().attributeName("Year").attributeType(ScalarAttributeType.N).build())
            .keySchema(
                KeySchemaElement.builder().attributeName("Artist").keyType(KeyType.HASH).build(),
                KeySchemaElement.builder().attributeName("Year").keyType(KeyType.RANGE).build())
            .billingMode(BillingMode.PAY_PER_REQUEST));
        assertEquals(TableStatus.ACTIVE, created.tableDescription().tableStatus());
    }

    @AfterAll
    static void stop()
    {
        fixture.close();
    }

    private static Map<String, AttributeValue> key(final String artist, final int year)
    {
        return Map.of("Artist", s(artist), "Year", n(year));
    }

    private static AttributeValue s(final String value)
    {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(final long value)
    {
        return AttributeValue.fromN(Long.toString(value));
    }

    @Test
    void describeTableAnswersWhatTheSdkReads()
    {
        final DescribeTableResponse response = dynamo.describeTable(b -> b.tableName("Music"));
        final TableDescription table = response.table();
        assertEquals("Music", table.tableName());
        assertEquals(TableStatus.ACTIVE, table.tableStatus());
        assertEquals(List.of(
            KeySchemaElement.builder().attributeName("Artist").keyType(KeyType.HASH).build(),
            KeySchemaElement.builder().attributeName("Year").keyType(KeyType.RANGE).build()), table.keySchema());
        assertEquals(Set.of(
            AttributeDefinition.builder().attributeName("Artist").attributeType(ScalarAttributeType.S).build(),
            AttributeDefinition.builder().attributeName("Year").attributeType(ScalarAttributeType.N).build()),
            new HashSet<>(table.attributeDefinitions()));
        assertEquals(BillingMode.PAY_PER_REQUEST, table.billingModeSummary().billingMode());
        assertTrue(table.tableArn().endsWith(":table/Music"), table.tableArn());
        assertTrue(table.creationDateTime().getEpochSecond() > 1_600_000_000L, table.creationDateTime().toString());
        assertTrue(table.itemCount() >= 0);
    }

    @Test
    void putGetUpdateDeleteRoundTripEveryAttributeType()
    {
        final Map<String, AttributeValue> item = new HashMap<>(key("Types", 1));
        item.put("s", s("héllo \"quoted\""));
        item.put("n", AttributeValue.fromN("-12.500"));
        item.put("b", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[]{ 0, 1, (byte)0xFF })));
        item.put("bool", AttributeValue.fromBool(true));
        item.put("null", AttributeValue.fromNul(true));
        item.put("m", AttributeValue.fromM(Map.of("inner", s("x"), "deep", AttributeValue.fromL(List.of(n(1), s("two"))))));
        item.put("ss", AttributeValue.fromSs(List.of("a", "b")));
        item.put("ns", AttributeValue.fromNs(List.of("1", "2.5")));
        item.put("bs", AttributeValue.fromBs(List.of(SdkBytes.fromUtf8String("x"))));
        dynamo.putItem(b -> b.tableName("Music").item(item));

        final GetItemResponse got = dynamo.getItem(b -> b.tableName("Music").key(key("Types", 1)).consistentRead(true));
        final Map<String, AttributeValue> expected = new HashMap<>(item);
        expected.put("n", AttributeValue.fromN("-12.5"));
        assertEquals(expected, got.item());

        final var updated = dynamo.updateItem(b -> b.tableName("Music").key(key("Types", 1))
            .updateExpression("SET #g = :g REMOVE bs").expressionAttributeNames(Map.of("#g", "Genre"))
            .expressionAttributeValues(Map.of(":g", s("Rock"))).returnValues(ReturnValue.UPDATED_NEW));
        assertEquals(Map.of("Genre", s("Rock")), updated.attributes());
        final var projected = dynamo.getItem(b -> b.tableName("Music").key(key("Types", 1))
            .projectionExpression("Genre, bs, s"));
        assertEquals(Map.of("Genre", s("Rock"), "s", item.get("s")), projected.item());

        final var deleted = dynamo.deleteItem(b -> b.tableName("Music").key(key("Types", 1))
            .returnValues(ReturnValue.ALL_OLD));
        assertEquals(s("Rock"), deleted.attributes().get("Genre"));
        assertFalse(dynamo.getItem(b -> b.tableName("Music").key(key("Types", 1))).hasItem());
    }

    @Test
    void putReturnsOldItemAndConsumedCapacityWhenAsked()
    {
        dynamo.putItem(b -> b.tableName("Music").item(Map.of("Artist", s("Cap"), "Year", n(1), "v", n(1))));
        final var response = dynamo.putItem(b -> b.tableName("Music")
            .item(Map.of("Artist", s("Cap"), "Year", n(1), "v", n(2)))
            .returnValues(ReturnValue.ALL_OLD).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        assertEquals(n(1), response.attributes().get("v"));
        assertEquals("Music", response.consumedCapacity().tableName());
        assertEquals(1.0, response.consumedCapacity().capacityUnits());
        final var read = dynamo.getItem(b -> b.tableName("Music").key(key("Cap", 1))
            .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        assertEquals(0.5, read.consumedCapacity().capacityUnits());
    }

    @Test
    void queryPagesWithLimitAndExclusiveStartKeyInBothDirections()
    {
        for (int year = 1; year <= 25; year++)
        {
            final int y = year;
            dynamo.putItem(b -> b.tableName("Music").item(Map.of("Artist", s("Paged"), "Year", n(y), "pad", s("p" + y))));
        }
        for (final boolean forward : new boolean[]{ true, false })
        {
            final List<Long> years = new ArrayList<>();
            Map<String, AttributeValue> start = null;
            int pages = 0;
            do
            {
                final Map<String, AttributeValue> from = start;
                final QueryResponse page = dynamo.query(b -> b.tableName("Music")
                    .keyConditionExpression("Artist = :a AND #y BETWEEN :lo AND :hi")
                    .expressionAttributeNames(Map.of("#y", "Year"))
                    .expressionAttributeValues(Map.of(":a", s("Paged"), ":lo", n(3), ":hi", n(22)))
                    .scanIndexForward(forward).limit(7).exclusiveStartKey(from));
                page.items().forEach(item -> years.add(Long.parseLong(item.get("Year").n())));
                start = page.hasLastEvaluatedKey() ? page.lastEvaluatedKey() : null;
                pages++;
            }
            while (null != start && pages < 10);
            final List<Long> expected = new ArrayList<>();
            for (long y = 3; y <= 22; y++)
            {
                expected.add(forward ? y : 25 - y);
            }
            assertEquals(expected, years);
        }
        final QueryResponse count = dynamo.query(b -> b.tableName("Music").keyConditionExpression("Artist = :a")
            .expressionAttributeValues(Map.of(":a", s("Paged"))).select(Select.COUNT));
        assertEquals(25, count.count());
        assertFalse(count.hasItems() && !count.items().isEmpty());
        final long viaPaginator = dynamo.queryPaginator(b -> b.tableName("Music").limit(4)
            .keyConditionExpression("Artist = :a AND #y > :y").expressionAttributeNames(Map.of("#y", "Year"))
            .expressionAttributeValues(Map.of(":a", s("Paged"), ":y", n(5)))).items().stream().count();
        assertEquals(20, viaPaginator);
    }

    @Test
    void scanPagesOverEveryShardAndSegment()
    {
        dynamo.createTable(b -> b.tableName("ScanMe")
            .attributeDefinitions(AttributeDefinition.builder().attributeName("id").attributeType(ScalarAttributeType.N).build())
            .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
            .billingMode(BillingMode.PAY_PER_REQUEST));
        for (int i = 0; i < 40; i++)
        {
            final int id = i;
            dynamo.putItem(b -> b.tableName("ScanMe").item(Map.of("id", n(id))));
        }
        final Set<String> seen = new HashSet<>();
        dynamo.scanPaginator(b -> b.tableName("ScanMe").limit(6)).items().forEach(item ->
            assertTrue(seen.add(item.get("id").n()), "twice: " + item));
        assertEquals(40, seen.size());
        final Set<String> segmented = new HashSet<>();
        for (int segment = 0; segment < 3; segment++)
        {
            final int s = segment;
            dynamo.scanPaginator(b -> b.tableName("ScanMe").segment(s).totalSegments(3)).items()
                .forEach(item -> assertTrue(segmented.add(item.get("id").n())));
        }
        assertEquals(seen, segmented);
        // A Scan page that returns items ends on the shard that has them (decision 0005), so a COUNT takes one page
        // per shard, as DynamoDB's may.
        final int counted = dynamo.scanPaginator(b -> b.tableName("ScanMe").select(Select.COUNT)).stream()
            .mapToInt(ScanResponse::count).sum();
        assertEquals(40, counted);
        // One that finds nothing walks on through the shards within one page, and counts every item it evaluated.
        final ScanResponse none = dynamo.scan(b -> b.tableName("ScanMe").select(Select.COUNT)
            .filterExpression("attribute_not_exists(id)").returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        assertEquals(0, none.count());
        assertEquals(40, none.scannedCount(), none.toString());
        assertFalse(none.hasLastEvaluatedKey(), none.toString());
        assertEquals(0.5, none.consumedCapacity().capacityUnits(), "40 small items: one 4 KB block, eventually consistent");
        final ScanResponse limited = dynamo.scan(b -> b.tableName("ScanMe").select(Select.COUNT).limit(40)
            .filterExpression("attribute_not_exists(id)"));
        assertEquals(40, limited.scannedCount(), "Limit counts the items evaluated on every shard: " + limited);
    }

    @Test
    void batchWriteThenBatchGetAcrossTables()
    {
        final List<WriteRequest> writes = new ArrayList<>();
        for (int i = 0; i < 25; i++)
        {
            writes.add(WriteRequest.builder().putRequest(PutRequest.builder()
                .item(Map.of("Artist", s("Batch"), "Year", n(i), "v", s("v" + i))).build()).build());
        }
        final BatchWriteItemResponse written = dynamo.batchWriteItem(b -> b.requestItems(Map.of("Music", writes)));
        assertTrue(written.unprocessedItems().isEmpty(), written.unprocessedItems().toString());
        dynamo.batchWriteItem(b -> b.requestItems(Map.of("Music", List.of(WriteRequest.builder()
            .deleteRequest(DeleteRequest.builder().key(key("Batch", 0)).build()).build()))));

        final List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            keys.add(key("Batch", i));
        }
        final BatchGetItemResponse got = dynamo.batchGetItem(b -> b.requestItems(Map.of("Music",
            KeysAndAttributes.builder().keys(keys).projectionExpression("v").build())));
        final Set<String> values = new HashSet<>();
        got.responses().get("Music").forEach(item -> values.add(item.get("v").s()));
        assertEquals(9, values.size(), got.toString());
        assertFalse(values.contains("v0"));
        got.responses().get("Music").forEach(item -> assertEquals(Set.of("v"), item.keySet()));
        assertTrue(got.unprocessedKeys().isEmpty());
    }

    @Test
    void listUpdateAndDeleteTables()
    {
        dynamo.createTable(b -> b.tableName("Provisioned")
            .attributeDefinitions(AttributeDefinition.builder().attributeName("k").attributeType(ScalarAttributeType.B).build())
            .keySchema(KeySchemaElement.builder().attributeName("k").keyType(KeyType.HASH).build())
            .provisionedThroughput(ProvisionedThroughput.builder().readCapacityUnits(5L).writeCapacityUnits(7L).build()));
        final TableDescription provisioned = dynamo.describeTable(b -> b.tableName("Provisioned")).table();
        assertEquals(BillingMode.PROVISIONED, provisioned.billingModeSummary().billingMode());
        assertEquals(5L, provisioned.provisionedThroughput().readCapacityUnits());
        assertEquals(7L, provisioned.provisionedThroughput().writeCapacityUnits());
        final TableDescription updated = dynamo.updateTable(b -> b.tableName("Provisioned")
            .provisionedThroughput(ProvisionedThroughput.builder().readCapacityUnits(50L).writeCapacityUnits(70L).build()))
            .tableDescription();
        assertEquals(50L, updated.provisionedThroughput().readCapacityUnits());
        // DynamoDB refuses an UpdateTable that changes nothing, so a tool that re-sends its settings finds out
        final DynamoDbException unchanged = assertThrows(DynamoDbException.class, () -> dynamo.updateTable(b -> b
            .tableName("Provisioned").billingMode(BillingMode.PROVISIONED)
            .provisionedThroughput(ProvisionedThroughput.builder().readCapacityUnits(50L).writeCapacityUnits(70L).build())));
        assertEquals("ValidationException", unchanged.awsErrorDetails().errorCode());
        assertEquals(400, unchanged.statusCode());
        assertEquals("The provisioned throughput for the table will not change. The requested value equals the " +
            "current value. Current ReadCapacityUnits provisioned for the table: 50. Requested ReadCapacityUnits: 50. " +
            "Current WriteCapacityUnits provisioned for the table: 70. Requested WriteCapacityUnits: 70. Refer to the " +
            "Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
            unchanged.awsErrorDetails().errorMessage());
        // Both units are required members: one alone is refused, not read as "keep the other"
        final DynamoDbException half = assertThrows(DynamoDbException.class, () -> dynamo.updateTable(b -> b
            .tableName("Provisioned").provisionedThroughput(ProvisionedThroughput.builder().readCapacityUnits(9L).build())));
        assertEquals("1 validation error detected: Value null at 'provisionedThroughput.writeCapacityUnits' failed to " +
            "satisfy constraint: Member must not be null", half.awsErrorDetails().errorMessage());
        assertEquals(50L, dynamo.describeTable(b -> b.tableName("Provisioned")).table().provisionedThroughput()
            .readCapacityUnits());
        final DynamoDbException nothing = assertThrows(DynamoDbException.class,
            () -> dynamo.updateTable(b -> b.tableName("Provisioned")));
        assertEquals("ValidationException", nothing.awsErrorDetails().errorCode());
        assertTrue(nothing.awsErrorDetails().errorMessage().startsWith("At least one of ProvisionedThroughput, " +
            "BillingMode"), nothing.awsErrorDetails().errorMessage());

        final List<String> names = dynamo.listTables().tableNames();
        assertTrue(names.containsAll(List.of("Music", "Provisioned")), names.toString());
        final var firstPage = dynamo.listTables(b -> b.limit(1));
        assertEquals(1, firstPage.tableNames().size());
        assertEquals(firstPage.tableNames().get(0), firstPage.lastEvaluatedTableName());
        final var secondPage = dynamo.listTables(b -> b.limit(1).exclusiveStartTableName(firstPage.lastEvaluatedTableName()));
        assertFalse(secondPage.tableNames().contains(firstPage.tableNames().get(0)));

        dynamo.deleteTable(b -> b.tableName("Provisioned"));
        assertFalse(dynamo.listTables().tableNames().contains("Provisioned"));
        assertThrows(ResourceNotFoundException.class, () -> dynamo.describeTable(b -> b.tableName("Provisioned")));
    }

    @Test
    void errorsArriveAsTheSdksExceptionTypes()
    {
        final ResourceNotFoundException missing = assertThrows(ResourceNotFoundException.class,
            () -> dynamo.getItem(b -> b.tableName("NoSuchTable").key(key("a", 1))));
        assertEquals(400, missing.statusCode());
        assertNull(missing.awsErrorDetails().errorMessage() == null ? "no message" : null);

        final DynamoDbException wrongKeyType = assertThrows(DynamoDbException.class,
            () -> dynamo.getItem(b -> b.tableName("Music").key(Map.of("Artist", s("a"), "Year", s("not a number")))));
        assertEquals("ValidationException", wrongKeyType.awsErrorDetails().errorCode());
        assertEquals(400, wrongKeyType.statusCode());

        final DynamoDbException legacy = assertThrows(DynamoDbException.class,
            () -> dynamo.getItem(b -> b.tableName("Music").key(key("a", 1)).attributesToGet("x")));
        assertEquals("ValidationException", legacy.awsErrorDetails().errorCode());
        assertTrue(legacy.getMessage().contains("AttributesToGet"), legacy.getMessage());

        final DynamoDbException badQuery = assertThrows(DynamoDbException.class,
            () -> dynamo.query(b -> b.tableName("Music").keyConditionExpression("Year = :y")
                .expressionAttributeValues(Map.of(":y", n(1)))));
        assertEquals("ValidationException", badQuery.awsErrorDetails().errorCode());

        final DynamoDbException unused = assertThrows(DynamoDbException.class,
            () -> dynamo.query(b -> b.tableName("Music").keyConditionExpression("Artist = :a")
                .expressionAttributeValues(Map.of(":a", s("x"), ":unused", s("y")))));
        assertTrue(unused.getMessage().contains("unused"), unused.getMessage());

    }

    @Test
    void expressionsTravelToTheNode()
    {
        dynamo.putItem(b -> b.tableName("Music").item(Map.of("Artist", s("Expr"), "Year", n(1), "plays", n(1),
            "doc", AttributeValue.fromM(Map.of("a", n(1), "b", s("x"))))));
        final ConditionalCheckFailedException failed = assertThrows(ConditionalCheckFailedException.class,
            () -> dynamo.putItem(b -> b.tableName("Music").item(key("Expr", 1))
                .conditionExpression("attribute_not_exists(Artist)")
                .returnValuesOnConditionCheckFailure(software.amazon.awssdk.services.dynamodb.model
                    .ReturnValuesOnConditionCheckFailure.ALL_OLD)));
        assertEquals(400, failed.statusCode());
        assertEquals(n(1), failed.item().get("plays"));

        final var counted = dynamo.updateItem(b -> b.tableName("Music").key(key("Expr", 1))
            .updateExpression("ADD plays :one SET doc.c = if_not_exists(doc.c, :zero)")
            .conditionExpression("plays < :ten")
            .expressionAttributeValues(Map.of(":one", n(1), ":zero", n(0), ":ten", n(10)))
            .returnValues(ReturnValue.ALL_NEW));
        assertEquals(n(2), counted.attributes().get("plays"));
        assertEquals(n(0), counted.attributes().get("doc").m().get("c"));

        dynamo.putItem(b -> b.tableName("Music").item(Map.of("Artist", s("Expr"), "Year", n(2), "plays", n(50))));
        final QueryResponse filtered = dynamo.query(b -> b.tableName("Music")
            .keyConditionExpression("Artist = :a").filterExpression("plays > :min")
            .projectionExpression("#y, doc.b").expressionAttributeNames(Map.of("#y", "Year"))
            .expressionAttributeValues(Map.of(":a", s("Expr"), ":min", n(1))));
        assertEquals(2, filtered.scannedCount());
        assertEquals(2, filtered.count());
        assertEquals(Map.of("Year", n(1), "doc", AttributeValue.fromM(Map.of("b", s("x")))), filtered.items().get(0));
        final QueryResponse fewer = dynamo.query(b -> b.tableName("Music")
            .keyConditionExpression("Artist = :a").filterExpression("plays > :min")
            .expressionAttributeValues(Map.of(":a", s("Expr"), ":min", n(10))));
        assertEquals(1, fewer.count());

        final DynamoDbException badSyntax = assertThrows(DynamoDbException.class,
            () -> dynamo.deleteItem(b -> b.tableName("Music").key(key("Expr", 1)).conditionExpression("plays >")));
        assertEquals("ValidationException", badSyntax.awsErrorDetails().errorCode());
        assertTrue(badSyntax.getMessage().contains("Syntax error"), badSyntax.getMessage());
    }

    @Test
    void expressionsApplicationsWriteGetDynamoDbsAnswers()
    {
        dynamo.putItem(b -> b.tableName("Music").item(Map.of("Artist", s("Forms"), "Year", n(1), "plays", n(10),
            "title", s("\u00e9\ud834\udd1e"))));
        // a parenthesised SET value, and size() counting UTF-16 code units as DynamoDB does ("é𝄞" has size 3)
        final var updated = dynamo.updateItem(b -> b.tableName("Music").key(key("Forms", 1))
            .updateExpression("SET #p = (#p - :v)").conditionExpression("size(title) = :three")
            .expressionAttributeNames(Map.of("#p", "plays"))
            .expressionAttributeValues(Map.of(":v", n(3), ":three", n(3)))
            .returnValues(ReturnValue.UPDATED_NEW));
        assertEquals(Map.of("plays", n(7)), updated.attributes());

        // a name starting with "_" is DynamoDB's syntax error, with its token and near text
        final DynamoDbException underscore = assertThrows(DynamoDbException.class,
            () -> dynamo.updateItem(b -> b.tableName("Music").key(key("Forms", 1))
                .updateExpression("SET _version = :v").expressionAttributeValues(Map.of(":v", n(1)))));
        assertEquals("ValidationException", underscore.awsErrorDetails().errorCode());
        assertEquals("Invalid UpdateExpression: Syntax error; token: \"_\", near: \"SET _version\"",
            underscore.awsErrorDetails().errorMessage());
        final DynamoDbException nested = assertThrows(DynamoDbException.class,
            () -> dynamo.updateItem(b -> b.tableName("Music").key(key("Forms", 1))
                .updateExpression("SET l = list_append(list_append(:a, :b), :a)")
                .expressionAttributeValues(Map.of(":a", AttributeValue.fromL(List.of(n(1))),
                    ":b", AttributeValue.fromL(List.of(n(2)))))));
        assertEquals("Invalid UpdateExpression: The function is not allowed to be used this way in an expression; " +
            "function: list_append", nested.awsErrorDetails().errorMessage());
    }
}
