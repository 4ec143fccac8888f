package io.ferrite.engine.api;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.shard.ItemCondition;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static io.ferrite.engine.api.Expect.error;
import static io.ferrite.engine.api.Expect.validation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The ItemCondition seam and ReturnValues: a false condition fails the write and writes nothing, and each
 * ReturnValues option returns exactly the attributes DynamoDB returns.
 */
class ConditionAndReturnValuesTest
{
    private static final ItemCondition NEVER = (buffer, offset, length) -> false;
    private static final ItemCondition NOT_EXISTS = (buffer, offset, length) -> length < 0;

    @TempDir
    Path dir;

    @Test
    void falseConditionFailsPutDeleteAndUpdateAndWritesNothing()
    {
        try (Ferrite db = Ferrite.open(new EngineConfig().dataDir(dir).partitionMaxItems(10_000)))
        {
            db.createTable(TableSpec.of("cond").partitionKey("pk", KeyType.S));
            final Map<String, AttributeValue> key = Map.of("pk", s("a"));
            final Map<String, AttributeValue> item = Map.of("pk", s("a"), "v", n(1));
            db.putItem("cond", item, NOT_EXISTS, ReturnValues.NONE);

            final String failed = "The conditional request failed";
            error(ErrorCode.ConditionalCheckFailedException,
                () -> db.putItem("cond", Map.of("pk", s("a"), "v", n(2)), NOT_EXISTS, ReturnValues.ALL_OLD), failed);
            error(ErrorCode.ConditionalCheckFailedException,
                () -> db.deleteItem("cond", key, NEVER, ReturnValues.ALL_OLD), failed);
            error(ErrorCode.ConditionalCheckFailedException,
                () -> db.updateItem("cond", key, Map.of("v", n(3)), List.of(), NEVER, ReturnValues.ALL_NEW), failed);
            error(ErrorCode.ConditionalCheckFailedException,
                () -> db.updateItem("cond", Map.of("pk", s("new")), Map.of("v", n(3)), List.of(), NEVER,
                    ReturnValues.NONE), failed);
            error(ErrorCode.ConditionalCheckFailedException,
                () -> db.deleteItem("cond", Map.of("pk", s("new")), NEVER, ReturnValues.NONE), failed);
            assertEquals(item, db.getItem("cond", key));
            assertNull(db.getItem("cond", Map.of("pk", s("new"))));
            assertEquals(1, db.scan(Scan.on("cond")).count());

            final List<Map<String, AttributeValue>> seen = new ArrayList<>();
            final ItemCondition recording = (buffer, offset, length) ->
            {
                seen.add(length < 0 ? null : ItemCodec.decode(buffer, offset, length));
                return true;
            };
            db.updateItem("cond", key, Map.of("v", n(4)), List.of(), recording, ReturnValues.NONE);
            db.deleteItem("cond", Map.of("pk", s("missing")), recording, ReturnValues.NONE);
            assertEquals(item, seen.get(0));
            assertNull(seen.get(1));
        }
    }

    @Test
    void returnValuesGiveTheOldOrNewItemOrTheUpdatedAttributesAndPutRefusesTheUpdateOnlyOptions()
    {
        try (Ferrite db = Ferrite.open(new EngineConfig().dataDir(dir).partitionMaxItems(10_000)))
        {
            db.createTable(TableSpec.of("ret").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N));
            final Map<String, AttributeValue> key = Map.of("pk", s("a"), "sk", n(1));
            final Map<String, AttributeValue> original =
                Map.of("pk", s("a"), "sk", n(1), "a", n(1), "b", n(2), "c", n(3));
            final Map<String, AttributeValue> updated =
                Map.of("pk", s("a"), "sk", n(1), "a", n(10), "c", n(3), "d", n(4));
            final Map<String, AttributeValue> set = Map.of("a", n(10), "d", n(4));
            final List<String> remove = List.of("b", "never-there");

            assertNull(db.putItem("ret", original, null, ReturnValues.ALL_OLD));
            assertEquals(original, db.putItem("ret", original, null, ReturnValues.ALL_OLD));
            assertNull(db.putItem("ret", original, null, ReturnValues.NONE));
            for (final ReturnValues updateOnly : List.of(ReturnValues.ALL_NEW, ReturnValues.UPDATED_OLD,
                ReturnValues.UPDATED_NEW))
            {
                validation(() -> db.putItem("ret", original, null, updateOnly), "ReturnValues can only be ALL_OLD or NONE");
                validation(() -> db.deleteItem("ret", key, null, updateOnly), "ReturnValues can only be ALL_OLD or NONE");
            }

            assertEquals(original, db.updateItem("ret", key, set, remove, null, ReturnValues.ALL_OLD));
            assertEquals(updated, db.getItem("ret", key));
            db.putItem("ret", original);
            assertEquals(updated, db.updateItem("ret", key, set, remove, null, ReturnValues.ALL_NEW));
            db.putItem("ret", original);
            assertEquals(Map.of("a", n(1), "b", n(2)), db.updateItem("ret", key, set, remove, null,
                ReturnValues.UPDATED_OLD));
            db.putItem("ret", original);
            assertEquals(Map.of("a", n(10), "d", n(4)), db.updateItem("ret", key, set, remove, null,
                ReturnValues.UPDATED_NEW));
            db.putItem("ret", original);
            assertNull(db.updateItem("ret", key, set, remove, null, ReturnValues.NONE));
            assertEquals(updated, db.getItem("ret", key));

            assertEquals(updated, db.deleteItem("ret", key, null, ReturnValues.ALL_OLD));
            assertNull(db.deleteItem("ret", key, null, ReturnValues.ALL_OLD));
            assertNull(db.getItem("ret", key));
        }
    }

    @Test
    void updateOfAMissingItemCreatesItOnlyWhenItSetsSomething()
    {
        try (Ferrite db = Ferrite.open(new EngineConfig().dataDir(dir).partitionMaxItems(10_000)))
        {
            db.createTable(TableSpec.of("upd").partitionKey("pk", KeyType.S));
            final Map<String, AttributeValue> key = Map.of("pk", s("a"));

            assertNull(db.updateItem("upd", key, Map.of(), List.of("x"), null, ReturnValues.ALL_NEW));
            assertNull(db.updateItem("upd", key, Map.of(), List.of("x"), null, ReturnValues.UPDATED_OLD));
            assertNull(db.getItem("upd", key));
            assertEquals(0, db.scan(Scan.on("upd")).count());

            assertNull(db.updateItem("upd", key, Map.of("v", n(1)), List.of(), null, ReturnValues.ALL_OLD));
            assertEquals(Map.of("pk", s("a"), "v", n(1)), db.getItem("upd", key));
            assertNull(db.updateItem("upd", Map.of("pk", s("b")), Map.of("v", n(2)), List.of("w"), null,
                ReturnValues.UPDATED_OLD));
            assertEquals(Map.of("v", n(3)), db.updateItem("upd", Map.of("pk", s("c")), Map.of("v", n(3)), List.of(),
                null, ReturnValues.UPDATED_NEW));

            assertEquals(Map.of("pk", s("a")), db.updateItem("upd", key, Map.of(), List.of("v"), null,
                ReturnValues.ALL_NEW));
            assertEquals(Map.of("pk", s("a")), db.getItem("upd", key));
        }
    }
}
