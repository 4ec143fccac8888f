package io.ferrite.engine.api;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.SortKeyCondition;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EmbeddedRoundTripTest
{
    @TempDir
    Path dir;

    @Test
    void writesAreReadBackQueriedInOrderAndSurviveACleanRestart()
    {
        final EngineConfig config = new EngineConfig().dataDir(dir).partitionMaxItems(10_000).initialPartitions(4);
        try (Ferrite db = Ferrite.open(config))
        {
            db.createTable(TableSpec.of("orders").partitionKey("customer", KeyType.S).sortKey("id", KeyType.N));
            for (int i = -5; i <= 5; i++)
            {
                db.putItem("orders", Map.of("customer", s("alice"), "id", n(i + ".5"), "note", s("n" + i)));
            }
            db.putItem("orders", Map.of("customer", s("bob"), "id", n("1")));

            assertEquals(s("n3"), db.getItem("orders", Map.of("customer", s("alice"), "id", n("3.5"))).get("note"));
            assertNull(db.getItem("orders", Map.of("customer", s("alice"), "id", n("3"))));

            final Page all = db.query(Query.on("orders").partitionKey(s("alice")));
            assertEquals(11, all.count());
            assertEquals(n("-5.5"), all.items().get(0).get("id"));
            assertEquals(n("5.5"), all.items().get(10).get("id"));
            assertNull(all.lastEvaluatedKey());

            final Page between = db.query(Query.on("orders").partitionKey(s("alice"))
                .sortKey(SortKeyCondition.BETWEEN, n("-1"), n("2")).scanIndexForward(false).limit(2));
            assertEquals(List.of(n("1.5"), n("0.5")), List.of(between.items().get(0).get("id"), between.items().get(1).get("id")));
            assertEquals(Map.of("customer", s("alice"), "id", n("0.5")), between.lastEvaluatedKey());

            final Page rest = db.query(Query.on("orders").partitionKey(s("alice"))
                .sortKey(SortKeyCondition.BETWEEN, n("-1"), n("2")).scanIndexForward(false)
                .exclusiveStartKey(between.lastEvaluatedKey()));
            assertEquals(0, rest.count());
            assertNull(rest.lastEvaluatedKey());

            assertEquals(12, db.scan(Scan.on("orders")).count());

            final Map<String, AttributeValue> updated = db.updateItem("orders",
                Map.of("customer", s("bob"), "id", n("1")), Map.of("total", n("12.50")), List.of(), null,
                ReturnValues.ALL_NEW);
            assertEquals(n("12.5"), updated.get("total"));

            final FerriteException keyUpdate = assertThrows(FerriteException.class, () -> db.updateItem("orders",
                Map.of("customer", s("bob"), "id", n("1")), Map.of("id", n("2")), List.of(), null, ReturnValues.NONE));
            assertEquals(ErrorCode.ValidationException, keyUpdate.code());

            final Map<String, AttributeValue> old = db.deleteItem("orders",
                Map.of("customer", s("alice"), "id", n("0.5")), null, ReturnValues.ALL_OLD);
            assertEquals(s("n0"), old.get("note"));
        }

        try (Ferrite db = Ferrite.open(config))
        {
            assertEquals(11, db.scan(Scan.on("orders")).count());
            assertEquals(n("12.5"), db.getItem("orders", Map.of("customer", s("bob"), "id", n("1"))).get("total"));
            final FerriteException missing = assertThrows(FerriteException.class, () -> db.scan(Scan.on("nope")));
            assertEquals(ErrorCode.ResourceNotFoundException, missing.code());
        }
    }
}
