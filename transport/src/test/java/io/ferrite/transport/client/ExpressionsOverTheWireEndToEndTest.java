package io.ferrite.transport.client;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.api.ConditionalCheckFailedException;
import io.ferrite.engine.api.Page;
import io.ferrite.engine.api.Query;
import io.ferrite.engine.api.ReturnValuesOnConditionCheckFailure;
import io.ferrite.engine.api.Scan;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DynamoDB's expression language end to end: the blocking and asynchronous clients over IPC to a node of two shards
 * started in this JVM (so a Query by KeyConditionExpression that the router sent to the wrong shard would find
 * nothing). Expected answers are written out from DynamoDB's documented semantics.
 */
class ExpressionsOverTheWireEndToEndTest
{
    private static final int CUSTOMERS = 12;
    private static final int ORDERS = 10;

    private ClientNodeFixture started;
    private FerriteBlockingClient client;

    @BeforeEach
    void start()
    {
        started = ClientNodeFixture.launch(2, node -> node.udpEndpoint("none"));
        client = started.connect();
        client.createTable(TableSpec.of("orders").partitionKey("customer", KeyType.S).sortKey("id", KeyType.N));
    }

    @AfterEach
    void stop()
    {
        CloseHelper.close(started);
    }

    private static Map<String, AttributeValue> key(final String customer, final int id)
    {
        return Map.of("customer", s(customer), "id", n(id));
    }

    private static FerriteException validation(final org.junit.jupiter.api.function.Executable call)
    {
        final FerriteException ex = assertThrows(FerriteException.class, call);
        assertEquals(ErrorCode.ValidationException, ex.code(), ex.getMessage());
        return ex;
    }

    @Test
    void conditionalPutAndDeleteAnswerConditionalCheckFailedWithTheItemForAllOld()
    {
        final Map<String, AttributeValue> first = Map.of("customer", s("ann"), "id", n(1), "state", s("new"));
        assertNull(client.putItem("orders", first, "attribute_not_exists(id)", null, null, ReturnValues.NONE,
            ReturnValuesOnConditionCheckFailure.NONE));
        assertEquals(first, client.getItem("orders", key("ann", 1)));

        final Map<String, AttributeValue> second = Map.of("customer", s("ann"), "id", n(1), "state", s("other"));
        final FerriteException plain = assertThrows(FerriteException.class, () -> client.putItem("orders", second,
            "attribute_not_exists(id)", null, null, ReturnValues.NONE, ReturnValuesOnConditionCheckFailure.NONE));
        assertEquals(ErrorCode.ConditionalCheckFailedException, plain.code());
        assertEquals("The conditional request failed", plain.getMessage());

        final ConditionalCheckFailedException withItem = assertThrows(ConditionalCheckFailedException.class, () ->
            client.putItem("orders", second, "attribute_not_exists(id)", null, null, ReturnValues.NONE,
                ReturnValuesOnConditionCheckFailure.ALL_OLD));
        assertEquals(first, withItem.item());
        assertEquals(first, client.getItem("orders", key("ann", 1)), "a failed condition writes nothing");

        // the condition holds: the put replaces, and ALL_OLD returns what it replaced
        assertEquals(first, client.putItem("orders", second, "#s = :new", Map.of("#s", "state"),
            Map.of(":new", s("new")), ReturnValues.ALL_OLD, ReturnValuesOnConditionCheckFailure.ALL_OLD));

        // deletes: a failing condition keeps the item and hands it back; a holding one deletes
        final ConditionalCheckFailedException deleteFailed = assertThrows(ConditionalCheckFailedException.class, () ->
            client.deleteItem("orders", key("ann", 1), "#s = :new", Map.of("#s", "state"), Map.of(":new", s("new")),
                ReturnValues.NONE, ReturnValuesOnConditionCheckFailure.ALL_OLD));
        assertEquals(second, deleteFailed.item());
        assertEquals(second, client.deleteItem("orders", key("ann", 1), "#s = :other", Map.of("#s", "state"),
            Map.of(":other", s("other")), ReturnValues.ALL_OLD, ReturnValuesOnConditionCheckFailure.NONE));
        assertNull(client.getItem("orders", key("ann", 1)));

        // no item: the condition sees a missing item, and ALL_OLD has nothing to return
        final FerriteException missing = assertThrows(FerriteException.class, () -> client.deleteItem("orders",
            key("ann", 1), "attribute_exists(id)", null, null, ReturnValues.NONE, ReturnValuesOnConditionCheckFailure.ALL_OLD));
        assertEquals(ErrorCode.ConditionalCheckFailedException, missing.code());
    }

    @Test
    void optimisticLockingWithAVersionCounter()
    {
        client.putItem("orders", Map.of("customer", s("bob"), "id", n(7), "version", n(0), "total", n(0)));
        for (int round = 0; round < 5; round++)
        {
            final AttributeValue version = client.getItem("orders", key("bob", 7)).get("version");
            final Map<String, AttributeValue> updated = client.updateItem("orders", key("bob", 7),
                "SET #v = #v + :one, #t = #t + :amount", "#v = :expected", Map.of("#v", "version", "#t", "total"),
                Map.of(":one", n(1), ":amount", n("2.5"), ":expected", version), ReturnValues.UPDATED_NEW,
                ReturnValuesOnConditionCheckFailure.NONE);
            assertEquals(Map.of("version", n(round + 1), "total", n(String.valueOf(2.5 * (round + 1)))), updated);
        }
        // a writer holding a stale version loses, and sees the current item when it asks
        final ConditionalCheckFailedException stale = assertThrows(ConditionalCheckFailedException.class, () ->
            client.updateItem("orders", key("bob", 7), "SET #v = #v + :one", "#v = :expected", Map.of("#v", "version"),
                Map.of(":one", n(1), ":expected", n(3)), ReturnValues.ALL_NEW, ReturnValuesOnConditionCheckFailure.ALL_OLD));
        assertEquals(Map.of("customer", s("bob"), "id", n(7), "version", n(5), "total", n("12.5")), stale.item());
        assertEquals(n(5), client.getItem("orders", key("bob", 7)).get("version"));
    }

    @Test
    void setRemoveAddAndDeleteReturnWhatTheyChanged()
    {
        client.putItem("orders", Map.of("customer", s("cy"), "id", n(1), "old", s("x"), "counter", n(1),
            "tags", AttributeValue.ss(Set.of("a", "b", "c")), "doc", AttributeValue.m(Map.of("qty", n(1)))));
        final Map<String, AttributeValue> updatedNew = client.updateItem("orders", key("cy", 1),
            "SET note = :n, doc.qty = doc.qty + :two REMOVE #o ADD #c :two DELETE tags :gone", null,
            Map.of("#c", "counter", "#o", "old"), Map.of(":n", s("hi"), ":two", n(2), ":gone", AttributeValue.ss(Set.of("b"))),
            ReturnValues.UPDATED_NEW, ReturnValuesOnConditionCheckFailure.NONE);
        assertEquals(Map.of("note", s("hi"), "counter", n(3), "tags", AttributeValue.ss(Set.of("a", "c")),
            "doc", AttributeValue.m(Map.of("qty", n(3)))), updatedNew);

        final Map<String, AttributeValue> updatedOld = client.updateItem("orders", key("cy", 1), "ADD #c :two", null,
            Map.of("#c", "counter"), Map.of(":two", n(2)), ReturnValues.UPDATED_OLD, ReturnValuesOnConditionCheckFailure.NONE);
        assertEquals(Map.of("counter", n(3)), updatedOld);
        assertEquals(Map.of("customer", s("cy"), "id", n(1), "counter", n(5), "note", s("hi"),
            "tags", AttributeValue.ss(Set.of("a", "c")), "doc", AttributeValue.m(Map.of("qty", n(3)))),
            client.updateItem("orders", key("cy", 1), "REMOVE nothing", null, null, null, ReturnValues.ALL_NEW,
                ReturnValuesOnConditionCheckFailure.NONE));

        // GetItem with a projection
        assertEquals(Map.of("counter", n(5), "doc", AttributeValue.m(Map.of("qty", n(3)))),
            client.getItem("orders", key("cy", 1), "#c, doc.qty", Map.of("#c", "counter")));
    }

    private void fillOrders()
    {
        for (int c = 0; c < CUSTOMERS; c++)
        {
            for (int id = 1; id <= ORDERS; id++)
            {
                client.putItem("orders", Map.of("customer", s("c" + c), "id", n(id), "total", n(id * 10),
                    "note", s("order " + id)));
            }
        }
    }

    private static List<Integer> ids(final Page page)
    {
        final List<Integer> ids = new ArrayList<>();
        page.items().forEach(item -> ids.add(Integer.parseInt(item.get("id").asNumber())));
        return ids;
    }

    private Page query(final String keyCondition, final Map<String, AttributeValue> values)
    {
        return client.query(Query.on("orders").keyCondition(keyCondition).names(Map.of("#c", "customer"))
            .values(values));
    }

    @Test
    void queryByKeyConditionExpressionRoutesByPartitionKeyAndAppliesEachOperator()
    {
        fillOrders();
        for (int c = 0; c < CUSTOMERS; c++)
        {
            // every customer, wherever its shard: the router found the partition key through :c
            assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), ids(query("#c = :c", Map.of(":c", s("c" + c)))), "c" + c);
        }
        final AttributeValue c5 = s("c5");
        assertEquals(List.of(4), ids(query("#c = :c AND id = :v", Map.of(":c", c5, ":v", n(4)))));
        assertEquals(List.of(1, 2, 3), ids(query("#c = :c AND id < :v", Map.of(":c", c5, ":v", n(4)))));
        assertEquals(List.of(1, 2, 3, 4), ids(query("#c = :c AND id <= :v", Map.of(":c", c5, ":v", n(4)))));
        assertEquals(List.of(9, 10), ids(query("#c = :c AND id > :v", Map.of(":c", c5, ":v", n(8)))));
        assertEquals(List.of(8, 9, 10), ids(query("id >= :v AND #c = :c", Map.of(":c", c5, ":v", n(8)))));
        assertEquals(List.of(3, 4, 5, 6), ids(query("#c = :c AND id BETWEEN :lo AND :hi",
            Map.of(":c", c5, ":lo", n(3), ":hi", n(6)))));

        client.createTable(TableSpec.of("events").partitionKey("device", KeyType.S).sortKey("at", KeyType.S));
        for (final String at : List.of("2026-01-30", "2026-02-01", "2026-02-14", "2026-03-01"))
        {
            client.putItem("events", Map.of("device", s("d1"), "at", s(at)));
        }
        final Page february = client.query(Query.on("events").keyCondition("device = :d AND begins_with(#at, :month)")
            .names(Map.of("#at", "at")).values(Map.of(":d", s("d1"), ":month", s("2026-02"))));
        assertEquals(List.of(s("2026-02-01"), s("2026-02-14")), february.items().stream().map(i -> i.get("at")).toList());

        // filter after the read: Count counts what is returned, ScannedCount what was read; projection trims items
        final Page filtered = client.query(Query.on("orders").keyCondition("customer = :c")
            .filter("#t > :min").projection("id, note").names(Map.of("#t", "total"))
            .values(Map.of(":c", s("c3"), ":min", n(70))));
        assertEquals(3, filtered.count());
        assertEquals(10, filtered.scannedCount());
        assertEquals(List.of(Map.of("id", n(8), "note", s("order 8")), Map.of("id", n(9), "note", s("order 9")),
            Map.of("id", n(10), "note", s("order 10"))), filtered.items());

        // the structured form still works, and both together are refused as DynamoDB does
        assertEquals(10, client.query(Query.on("orders").partitionKey(s("c7"))).count());
        assertEquals("Can not use both expression and non-expression parameters in the same request: Non-expression " +
            "parameters: {KeyConditions} Expression parameters: {KeyConditionExpression}",
            validation(() -> client.query(Query.on("orders").partitionKey(s("c7")).keyCondition("customer = :c")
                .values(Map.of(":c", s("c7"))))).getMessage());
        assertEquals("Query condition missed key schema element: customer", validation(() ->
            client.query(Query.on("orders").keyCondition("id = :v").values(Map.of(":v", n(1))))).getMessage());
    }

    @Test
    void scanWithAFilterAndAProjectionAcrossShards()
    {
        fillOrders();
        int count = 0;
        int scanned = 0;
        Map<String, AttributeValue> start = null;
        final List<Map<String, AttributeValue>> items = new ArrayList<>();
        do
        {
            final Scan scan = Scan.on("orders").filter("id BETWEEN :lo AND :hi AND begins_with(note, :p)")
                .projection("customer, id").values(Map.of(":lo", n(2), ":hi", n(3), ":p", s("order"))).limit(25);
            if (null != start)
            {
                scan.exclusiveStartKey(start);
            }
            final Page page = client.scan(scan);
            count += page.count();
            scanned += page.scannedCount();
            items.addAll(page.items());
            start = page.lastEvaluatedKey();
        }
        while (null != start);
        assertEquals(2 * CUSTOMERS, count);
        assertEquals(CUSTOMERS * ORDERS, scanned);
        for (final Map<String, AttributeValue> item : items)
        {
            assertEquals(Set.of("customer", "id"), item.keySet());
        }
    }

    @Test
    void batchGetItemProjectsEachTableByItsOwnExpression()
    {
        fillOrders();
        client.createTable(TableSpec.of("devices").partitionKey("device", KeyType.S));
        client.putItem("devices", Map.of("device", s("d1"), "model", s("m"), "firmware", n(3)));
        final List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (int c = 0; c < CUSTOMERS; c++)
        {
            keys.add(key("c" + c, 2));
        }
        final io.ferrite.engine.api.Ferrite.BatchGet result = client.batchGetItem(
            Map.of("orders", keys, "devices", List.of(Map.of("device", s("d1")))),
            Map.of("orders", "#t, id"), Map.of("orders", Map.of("#t", "total")));
        assertEquals(CUSTOMERS, result.responses().get("orders").size());
        for (final Map<String, AttributeValue> item : result.responses().get("orders"))
        {
            assertEquals(Map.of("total", n(20), "id", n(2)), item);
        }
        assertEquals(List.of(Map.of("device", s("d1"), "model", s("m"), "firmware", n(3))),
            result.responses().get("devices"));
        assertEquals("Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}", validation(() ->
            client.batchGetItem(Map.of("orders", keys), Map.of("orders", "id"), Map.of("orders", Map.of("#x", "x"))))
            .getMessage());
    }

    @Test
    void invalidExpressionsAreValidationExceptionsInDynamoDbsWords()
    {
        client.putItem("orders", Map.of("customer", s("dee"), "id", n(1)));
        assertEquals("Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status",
            validation(() -> client.updateItem("orders", key("dee", 1), "SET status = :s", null, null,
                Map.of(":s", s("x")), ReturnValues.NONE, ReturnValuesOnConditionCheckFailure.NONE)).getMessage());
        assertEquals("Invalid ConditionExpression: An expression attribute value used in expression is not defined; " +
            "attribute value: :missing", validation(() -> client.putItem("orders", Map.of("customer", s("dee"), "id", n(1)),
            "id = :missing", null, null, ReturnValues.NONE, ReturnValuesOnConditionCheckFailure.NONE)).getMessage());
        assertEquals("Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}",
            validation(() -> client.updateItem("orders", key("dee", 1), "SET #a = :v", null,
                Map.of("#a", "a", "#unused", "b"), Map.of(":v", n(1)), ReturnValues.NONE,
                ReturnValuesOnConditionCheckFailure.NONE)).getMessage());
        assertEquals("Invalid FilterExpression: Syntax error; token: \"<EOF>\", near: \"=\"",
            validation(() -> client.scan(Scan.on("orders").filter("id ="))).getMessage());
        assertEquals("ExpressionAttributeValues can only be specified when using expressions", validation(() ->
            client.putItem("orders", Map.of("customer", s("dee"), "id", n(1)), null, null, Map.of(":v", n(1)),
                ReturnValues.NONE, ReturnValuesOnConditionCheckFailure.NONE)).getMessage());
        assertEquals(Map.of("customer", s("dee"), "id", n(1)), client.getItem("orders", key("dee", 1)),
            "nothing was written by the refused requests");
    }

    @Test
    void asyncClientCarriesExpressionsAndHandsOverTheFailedItem()
    {
        final FerriteClient async = client.async();
        final byte[] item = ItemCodec.encode(Map.of("customer", s("eve"), "id", n(1), "v", n(1)));
        final byte[] values = ExpressionParams.encodeValues(Map.of(":v", n(2)));
        final ExpressionParams expressions = new ExpressionParams().conditionExpression("v = :v")
            .expressionAttributeValues(new UnsafeBuffer(values), 0, values.length)
            .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        client.putItem("orders", ItemCodec.decode(new UnsafeBuffer(item), 0, item.length));

        final List<String> answers = new ArrayList<>();
        final ResponseHandler handler = new ResponseHandler()
        {
            public void onItem(final long requestId, final boolean found, final DirectBuffer buffer, final int offset,
                final int length)
            {
                answers.add("item");
            }

            public void onConditionalCheckFailed(
                final long requestId, final String message, final DirectBuffer failed, final int offset, final int length)
            {
                answers.add(message + " " + ItemCodec.decode(failed, offset, length).get("v"));
            }

            public void onError(final long requestId, final ErrorCode code, final String message)
            {
                answers.add(code + " " + message);
            }

            public void onFailure(final long requestId, final ClientFailure failure, final String message)
            {
                answers.add(failure + " " + message);
            }
        };
        assertTrue(async.putItem("orders", new UnsafeBuffer(item), 0, item.length, ReturnValues.NONE, expressions,
            handler) > 0);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (answers.isEmpty() && System.nanoTime() < deadline)
        {
            async.poll();
        }
        assertEquals(List.of("The conditional request failed " + n(1)), answers);
    }
}
