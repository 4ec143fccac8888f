package io.ferrite.engine.api;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.ferrite.codecs.item.AttributeValue.l;
import static io.ferrite.codecs.item.AttributeValue.m;
import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static io.ferrite.engine.api.Expect.error;
import static io.ferrite.engine.api.Expect.validation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Expressions wired through the embedded engine: conditional writes (with the item returned on failure
 * when asked), UpdateItem's five ReturnValues, Query by KeyConditionExpression with a FilterExpression
 * applied after the page is read (Count against ScannedCount, Limit counting items read), Scan filters,
 * and projections on every read.
 */
class ExpressionsThroughTheEngineTest
{
    private static final ReturnValuesOnConditionCheckFailure NO_ITEM = ReturnValuesOnConditionCheckFailure.NONE;

    @TempDir
    Path dir;

    private Ferrite open()
    {
        final Ferrite db = Ferrite.open(new EngineConfig().dataDir(dir).partitionMaxItems(10_000));
        db.createTable(TableSpec.of("tbl").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N));
        return db;
    }

    @Test
    void conditionalWritesFailWithConditionalCheckFailedAndCanReturnTheItem()
    {
        try (Ferrite db = open())
        {
            final Map<String, AttributeValue> item = Map.of("pk", s("a"), "sk", n(1), "v", n(1));
            db.putItem("tbl", item, "attribute_not_exists(pk)", null, null, ReturnValues.NONE, NO_ITEM);
            error(ErrorCode.ConditionalCheckFailedException, () -> db.putItem("tbl", item, "attribute_not_exists(pk)",
                null, null, ReturnValues.NONE, NO_ITEM), "The conditional request failed");

            final ConditionalCheckFailedException failed = assertThrows(ConditionalCheckFailedException.class,
                () -> db.putItem("tbl", Map.of("pk", s("a"), "sk", n(1), "v", n(2)), "v = :two", null,
                    Map.of(":two", n(2)), ReturnValues.NONE, ReturnValuesOnConditionCheckFailure.ALL_OLD));
            assertEquals(item, failed.item());
            assertEquals(ErrorCode.ConditionalCheckFailedException, failed.code());

            final Map<String, AttributeValue> key = Map.of("pk", s("a"), "sk", n(1));
            assertEquals(item, db.putItem("tbl", Map.of("pk", s("a"), "sk", n(1), "v", n(2)), "v = :one", null,
                Map.of(":one", n(1)), ReturnValues.ALL_OLD, NO_ITEM));
            error(ErrorCode.ConditionalCheckFailedException, () -> db.deleteItem("tbl", key, "v < :two", null,
                Map.of(":two", n(2)), ReturnValues.NONE, NO_ITEM));
            assertThrows(ConditionalCheckFailedException.class, () -> db.updateItem("tbl", key, "SET v = :one",
                "v = :one", null, Map.of(":one", n(1)), ReturnValues.NONE, ReturnValuesOnConditionCheckFailure.ALL_OLD));
            assertEquals(n(2), db.getItem("tbl", key).get("v"));
            assertEquals(Map.of("pk", s("a"), "sk", n(1), "v", n(2)),
                db.deleteItem("tbl", key, "v = :two", null, Map.of(":two", n(2)), ReturnValues.ALL_OLD, NO_ITEM));
            assertNull(db.getItem("tbl", key));

            validation(() -> db.putItem("tbl", item, "attribute_not_exists(pk)", Map.of("#x", "x"), null,
                ReturnValues.NONE, NO_ITEM), "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}");
            validation(() -> db.putItem("tbl", item, null, null, Map.of(":v", n(1)), ReturnValues.NONE, NO_ITEM),
                "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}");
        }
    }

    @Test
    void updateItemReturnsEachReturnValuesOption()
    {
        try (Ferrite db = open())
        {
            final Map<String, AttributeValue> key = Map.of("pk", s("a"), "sk", n(1));
            db.putItem("tbl", Map.of("pk", s("a"), "sk", n(1), "c", n(1), "keep", s("k"),
                "doc", m(Map.of("x", n(1), "y", n(2)))));
            final String update = "SET c = c + :one, doc.x = :ten, fresh = :one";
            final Map<String, AttributeValue> values = Map.of(":one", n(1), ":ten", n(10));

            assertNull(db.updateItem("tbl", key, update, null, null, values, ReturnValues.NONE, NO_ITEM));
            assertEquals(Map.of("c", n(2), "doc", m(Map.of("x", n(10))), "fresh", n(1)),
                db.updateItem("tbl", key, update, null, null, values, ReturnValues.UPDATED_OLD, NO_ITEM));
            assertEquals(Map.of("c", n(4), "doc", m(Map.of("x", n(10))), "fresh", n(1)),
                db.updateItem("tbl", key, update, null, null, values, ReturnValues.UPDATED_NEW, NO_ITEM));
            assertEquals(Map.of("pk", s("a"), "sk", n(1), "c", n(4), "keep", s("k"), "fresh", n(1),
                    "doc", m(Map.of("x", n(10), "y", n(2)))),
                db.updateItem("tbl", key, update, null, null, values, ReturnValues.ALL_OLD, NO_ITEM));
            assertEquals(Map.of("pk", s("a"), "sk", n(1), "c", n(6), "keep", s("k"), "fresh", n(1),
                    "doc", m(Map.of("x", n(10), "y", n(2)))),
                db.updateItem("tbl", key, update, null, null, values, ReturnValues.ALL_NEW, NO_ITEM));

            validation(() -> db.updateItem("tbl", key, "SET pk = :one", null, null, Map.of(":one", n(1)),
                ReturnValues.NONE, NO_ITEM), "Cannot update attribute pk. This attribute is part of the key");
            assertEquals(Map.of("pk", s("new"), "sk", n(9), "l", l(List.of(s("x")))),
                db.updateItem("tbl", Map.of("pk", s("new"), "sk", n(9)), "SET l = list_append(if_not_exists(l, :e), :x)",
                    "attribute_not_exists(pk)", null, Map.of(":e", l(List.of()), ":x", l(List.of(s("x")))),
                    ReturnValues.ALL_NEW, NO_ITEM));
        }
    }

    @Test
    void queryFiltersAfterReadingSoCountAndScannedCountDiffer()
    {
        try (Ferrite db = open())
        {
            for (int i = 0; i < 10; i++)
            {
                db.putItem("tbl", Map.of("pk", s("p"), "sk", n(i), "even", AttributeValue.bool(i % 2 == 0),
                    "payload", s("x" + i)));
            }
            db.putItem("tbl", Map.of("pk", s("other"), "sk", n(1)));

            final Page all = db.query(Query.on("tbl").keyCondition("pk = :p AND sk BETWEEN :lo AND :hi")
                .filter("even = :t").projection("sk, #p").names(Map.of("#p", "payload"))
                .values(Map.of(":p", s("p"), ":lo", n(2), ":hi", n(7), ":t", AttributeValue.bool(true))));
            assertEquals(3, all.count());
            assertEquals(6, all.scannedCount());
            assertEquals(List.of(Map.of("sk", n(2), "payload", s("x2")), Map.of("sk", n(4), "payload", s("x4")),
                Map.of("sk", n(6), "payload", s("x6"))), all.items());

            // Limit counts items read, before the filter: 3 read (0, 1, 2), 2 returned
            final Page limited = db.query(Query.on("tbl").keyCondition("pk = :p").filter("even = :t").limit(3)
                .values(Map.of(":p", s("p"), ":t", AttributeValue.bool(true))));
            assertEquals(2, limited.count());
            assertEquals(3, limited.scannedCount());
            assertEquals(Map.of("pk", s("p"), "sk", n(2)), limited.lastEvaluatedKey());

            validation(() -> db.query(Query.on("tbl").keyCondition("pk = :p AND begins_with(sk, :x)")
                .values(Map.of(":p", s("p"), ":x", n(1)))), "Invalid KeyConditionExpression: Incorrect operand " +
                "type for operator or function; operator or function: begins_with, operand type: N");
        }
    }

    @Test
    void keyConditionErrors()
    {
        try (Ferrite db = open())
        {
            validation(() -> db.query(Query.on("tbl").keyCondition("sk = :v").values(Map.of(":v", n(1)))),
                "Query condition missed key schema element: pk");
            validation(() -> db.query(Query.on("tbl").keyCondition("pk = :v OR sk = :w")
                .values(Map.of(":v", s("a"), ":w", n(1)))), "Invalid operator used in KeyConditionExpression: OR");
            validation(() -> db.query(Query.on("tbl").keyCondition("pk < :v").values(Map.of(":v", s("a")))),
                "Query key condition not supported");
            validation(() -> db.query(Query.on("tbl").keyCondition("pk = :v AND sk > :w AND sk < :w")
                .values(Map.of(":v", s("a"), ":w", n(1)))), "KeyConditionExpressions must only contain one condition");
            validation(() -> db.query(Query.on("tbl").keyCondition("pk = :v").values(Map.of(":v", n(1)))),
                "Condition parameter type does not match schema type");
            validation(() -> db.query(Query.on("tbl").keyCondition("pk = :v").partitionKey(s("a"))
                .values(Map.of(":v", s("a")))), "Can not use both expression and non-expression parameters");
            validation(() -> db.query(Query.on("tbl").keyCondition("pk = :v").filter("x = :v")
                .values(Map.of(":v", s("a"), ":w", s("b")))), "unused in expressions: keys: {:w}");
        }
    }

    @Test
    void queryFilterMayNotReadKeyAttributes()
    {
        // DynamoDB: "A filter expression cannot contain partition key or sort key attributes" (Query only)
        try (Ferrite db = open())
        {
            db.putItem("tbl", Map.of("pk", s("a"), "sk", n(1), "doc", m(Map.of("pk", n(1)))));
            final Map<String, AttributeValue> values = Map.of(":v", s("a"), ":w", n(0));
            validation(() -> db.query(Query.on("tbl").keyCondition("pk = :v").filter("#s > :w")
                .names(Map.of("#s", "sk")).values(values)),
                "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk");
            validation(() -> db.query(Query.on("tbl").keyCondition("pk = :v").filter("sk > :w OR size(pk) > :w")
                .values(values)), "Filter Expression can only contain non-primary key attributes: Primary key attribute: pk");
            // a nested attribute of the same name is not a key attribute, and Scan may filter on keys
            assertEquals(1, db.query(Query.on("tbl").keyCondition("pk = :v").filter("doc.pk > :w").values(values))
                .count());
            assertEquals(1, db.scan(Scan.on("tbl").filter("pk = :v AND sk > :w").values(values)).count());
        }
    }

    @Test
    void scanFiltersAndProjectsAndGetAndBatchGetProject()
    {
        try (Ferrite db = open())
        {
            for (int i = 0; i < 20; i++)
            {
                db.putItem("tbl", Map.of("pk", s("p" + i), "sk", n(i), "n", n(i), "doc", m(Map.of("a", n(i), "b", n(0)))));
            }
            final Page page = db.scan(Scan.on("tbl").filter("n >= :ten AND doc.a < :fifteen").projection("doc.a")
                .values(Map.of(":ten", n(10), ":fifteen", n(15))));
            assertEquals(5, page.count());
            assertEquals(20, page.scannedCount());
            page.items().forEach(item -> assertEquals(1, item.size()));

            assertEquals(Map.of("doc", m(Map.of("b", n(0))), "n", n(3)),
                db.getItem("tbl", Map.of("pk", s("p3"), "sk", n(3)), "doc.b, #n", Map.of("#n", "n")));
            final Ferrite.BatchGet batch = db.batchGetItem(
                Map.of("tbl", List.of(Map.of("pk", s("p1"), "sk", n(1)), Map.of("pk", s("p2"), "sk", n(2)))),
                Map.of("tbl", "sk"), null);
            assertEquals(2, batch.responses().get("tbl").size());
            batch.responses().get("tbl").forEach(item -> assertEquals(1, item.size()));
        }
    }
}
