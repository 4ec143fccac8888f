package io.ferrite.engine.api;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.shard.WriteRequest;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static io.ferrite.engine.api.Expect.error;
import static io.ferrite.engine.api.Expect.validation;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BatchGetItem and BatchWriteItem: their size limits, duplicate keys, unknown tables, all-or-nothing
 * validation, and writes to a full partition coming back as unprocessed rather than failing the batch.
 */
class BatchTest
{
    @TempDir
    Path dir;

    @Test
    void batchGetOf100KeysIsServedAnd101DuplicatesOrUnknownTablesAreRejected()
    {
        try (Ferrite db = Ferrite.open(new EngineConfig().dataDir(dir).partitionMaxItems(10_000)))
        {
            db.createTable(TableSpec.of("nums").partitionKey("id", KeyType.N));
            for (int batch = 0; batch < 4; batch++)
            {
                final List<WriteRequest> writes = new ArrayList<>();
                for (int i = batch * 25; i < batch * 25 + 25; i++)
                {
                    writes.add(Ferrite.put(Map.of("id", n(i), "v", s("v" + i))));
                }
                assertEquals(Map.of(), db.batchWriteItem(Map.of("nums", writes)));
            }

            final Ferrite.BatchGet all = db.batchGetItem(Map.of("nums", keys(0, 100)));
            assertEquals(100, all.responses().get("nums").size());
            assertEquals(Map.of(), all.unprocessedKeys());
            final Set<AttributeValue> ids = new HashSet<>();
            all.responses().get("nums").forEach(item -> ids.add(item.get("id")));
            assertEquals(100, ids.size());

            final Ferrite.BatchGet some = db.batchGetItem(Map.of("nums", keys(95, 105)));
            assertEquals(5, some.responses().get("nums").size());
            some.responses().get("nums").forEach(item ->
                assertEquals(s("v" + item.get("id").asNumber()), item.get("v")));

            validation(() -> db.batchGetItem(Map.of("nums", keys(0, 101))),
                "Too many items requested for the BatchGetItem call", "101 keys");
            final List<Map<String, AttributeValue>> twice = new ArrayList<>(keys(0, 3));
            twice.add(Map.of("id", n("1.0")));
            validation(() -> db.batchGetItem(Map.of("nums", twice)), "Provided list of item keys contains duplicates");
            validation(() -> db.batchGetItem(Map.of("nums", List.of())), "requestItems", "greater than or equal to 1");
            final Map<String, List<Map<String, AttributeValue>>> oneEmpty = new LinkedHashMap<>();
            oneEmpty.put("nums", keys(0, 1));
            oneEmpty.put("empty", List.of());
            validation(() -> db.batchGetItem(oneEmpty), "1 validation error detected: Value '[]' at " +
                "'requestItems.empty.member.keys' failed to satisfy constraint: Member must have length greater than " +
                "or equal to 1");
            validation(() -> db.batchGetItem(Map.of("nums", List.of(Map.of("id", s("1"))))),
                "The provided key element does not match the schema");
            error(ErrorCode.ResourceNotFoundException, () -> db.batchGetItem(Map.of("nums", keys(0, 1),
                "nope", keys(0, 1))), "Table: nope not found");
        }
    }

    @Test
    void batchWriteTakes1To25WritesAndAppliesNothingWhenAnyWriteIsInvalid()
    {
        try (Ferrite db = Ferrite.open(new EngineConfig().dataDir(dir).partitionMaxItems(10_000)))
        {
            db.createTable(TableSpec.of("nums").partitionKey("id", KeyType.N));
            db.createTable(TableSpec.of("names").partitionKey("name", KeyType.S).sortKey("n", KeyType.N));

            validation(() -> db.batchWriteItem(Map.of("nums", puts(0, 26))),
                "Member must have length less than or equal to 25", "the request has 26 writes");
            validation(() -> db.batchWriteItem(Map.of("nums", puts(0, 13), "names", namePuts(0, 13))),
                "the request has 26 writes");
            validation(() -> db.batchWriteItem(Map.of("nums", List.of())), "the request has 0 writes");
            validation(() -> db.batchWriteItem(Map.of()), "the request has 0 writes");
            final Map<String, List<WriteRequest>> oneEmpty = new LinkedHashMap<>();
            oneEmpty.put("nums", puts(0, 1));
            oneEmpty.put("names", List.of());
            validation(() -> db.batchWriteItem(oneEmpty), "1 validation error detected: Value '{names=[]}' at " +
                "'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have " +
                "length less than or equal to 25, Member must have length greater than or equal to 1]");
            assertEquals(0, db.scan(Scan.on("nums")).count());

            assertEquals(Map.of(), db.batchWriteItem(Map.of("nums", puts(0, 25))));
            assertEquals(25, db.scan(Scan.on("nums")).count());

            final List<WriteRequest> duplicate = new ArrayList<>(puts(100, 110));
            duplicate.add(Ferrite.delete(Map.of("id", n(105))));
            validation(() -> db.batchWriteItem(Map.of("nums", duplicate)),
                "Provided list of item keys contains duplicates");

            final List<WriteRequest> oneBad = new ArrayList<>(puts(200, 224));
            oneBad.add(Ferrite.put(Map.of("v", n(1))));
            validation(() -> db.batchWriteItem(Map.of("nums", oneBad)), "Missing the key id in the item");
            final List<WriteRequest> badDelete = new ArrayList<>(puts(300, 310));
            badDelete.add(Ferrite.delete(Map.of("id", n(1), "v", n(1))));
            validation(() -> db.batchWriteItem(Map.of("nums", badDelete)),
                "The provided key element does not match the schema");
            final Map<String, List<WriteRequest>> badTable = new LinkedHashMap<>();
            badTable.put("nums", puts(400, 405));
            badTable.put("nope", puts(0, 1));
            error(ErrorCode.ResourceNotFoundException, () -> db.batchWriteItem(badTable), "Table: nope not found");
            assertEquals(25, db.scan(Scan.on("nums")).count());

            final List<WriteRequest> mixedNums = new ArrayList<>();
            for (int i = 0; i < 10; i++)
            {
                mixedNums.add(Ferrite.delete(Map.of("id", n(i))));
            }
            mixedNums.add(Ferrite.delete(Map.of("id", n(999))));
            mixedNums.addAll(puts(25, 30));
            assertEquals(Map.of(), db.batchWriteItem(Map.of("nums", mixedNums, "names", namePuts(0, 9))));
            assertEquals(20, db.scan(Scan.on("nums")).count());
            assertNull(db.getItem("nums", Map.of("id", n(0))));
            assertEquals(9, db.scan(Scan.on("names")).count());
        }
    }

    @Test
    void writesToAFullPartitionComeBackUnprocessedAndSucceedOnRetryOnceThereIsRoom()
    {
        try (Ferrite db = Ferrite.open(new EngineConfig().dataDir(dir).partitionMaxItems(16)))
        {
            db.createTable(TableSpec.of("tiny").partitionKey("id", KeyType.N));
            final List<WriteRequest> writes = puts(0, 20);
            final Map<String, List<WriteRequest>> unprocessed = db.batchWriteItem(Map.of("tiny", writes));
            assertEquals(16, db.scan(Scan.on("tiny")).count());
            assertEquals(4, unprocessed.get("tiny").size());
            for (int i = 0; i < 4; i++)
            {
                assertArrayEquals(writes.get(16 + i).bytes(), unprocessed.get("tiny").get(i).bytes());
            }

            error(ErrorCode.ItemCollectionSizeLimitExceededException,
                () -> db.putItem("tiny", Map.of("id", n(50))), "is full", "partitionMaxItems=16");
            db.putItem("tiny", Map.of("id", n(3), "replaced", n(1)));

            final List<WriteRequest> retry = new ArrayList<>();
            for (int i = 0; i < 4; i++)
            {
                retry.add(Ferrite.delete(Map.of("id", n(i))));
            }
            retry.addAll(unprocessed.get("tiny"));
            assertEquals(Map.of(), db.batchWriteItem(Map.of("tiny", retry)));
            final Set<AttributeValue> ids = new HashSet<>();
            db.scan(Scan.on("tiny")).items().forEach(item -> ids.add(item.get("id")));
            final Set<AttributeValue> expected = new HashSet<>();
            for (int i = 4; i < 20; i++)
            {
                expected.add(n(i));
            }
            assertEquals(expected, ids);
        }
        try (Ferrite db = Ferrite.open(new EngineConfig().dataDir(dir).partitionMaxItems(16)))
        {
            assertEquals(16, db.scan(Scan.on("tiny")).count());
            assertTrue(null != db.getItem("tiny", Map.of("id", n(19))));
        }
    }

    @Test
    void batchGetStopsBefore16MegabytesAndReturnsTheRestAsUnprocessedKeys()
    {
        final int items = 45;
        final String payload = "x".repeat(390_000);
        try (Ferrite db = Ferrite.open(new EngineConfig().dataDir(dir).partitionMaxItems(300).averageItemBytes(65_536)))
        {
            db.createTable(TableSpec.of("big").partitionKey("id", KeyType.N));
            for (int i = 0; i < items; i++)
            {
                db.putItem("big", Map.of("id", n(i), "payload", s(payload)));
            }

            final Ferrite.BatchGet first = db.batchGetItem(Map.of("big", keys(0, items)));
            final List<Map<String, AttributeValue>> served = first.responses().get("big");
            final List<Map<String, AttributeValue>> left = first.unprocessedKeys().get("big");
            // 45 items of ~390 KB are ~17.5 MB: 43 fit under 16 MB, the last 2 keys come back unprocessed
            assertEquals(43, served.size());
            assertEquals(2, left.size());
            long servedBytes = 0;
            final Set<AttributeValue> ids = new HashSet<>();
            for (final Map<String, AttributeValue> item : served)
            {
                assertEquals(s(payload), item.get("payload"));
                ids.add(item.get("id"));
                servedBytes += payload.length();
            }
            assertTrue(servedBytes <= 16 * 1024 * 1024, "response of " + servedBytes + " bytes is over 16 MB");
            left.forEach(key -> assertTrue(ids.add(key.get("id")), "unprocessed key was also served: " + key));

            final Ferrite.BatchGet retry = db.batchGetItem(Map.of("big", left));
            assertEquals(Map.of(), retry.unprocessedKeys());
            assertEquals(2, retry.responses().get("big").size());
            assertEquals(items, ids.size());
        }
    }

    private static List<Map<String, AttributeValue>> keys(final int from, final int to)
    {
        final List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (int i = from; i < to; i++)
        {
            keys.add(Map.of("id", n(i)));
        }
        return keys;
    }

    private static List<WriteRequest> puts(final int from, final int to)
    {
        final List<WriteRequest> writes = new ArrayList<>();
        for (int i = from; i < to; i++)
        {
            writes.add(Ferrite.put(Map.of("id", n(i), "v", s("v" + i))));
        }
        return writes;
    }

    private static List<WriteRequest> namePuts(final int from, final int to)
    {
        final List<WriteRequest> writes = new ArrayList<>();
        for (int i = from; i < to; i++)
        {
            writes.add(Ferrite.put(Map.of("name", s("x"), "n", n(i))));
        }
        return writes;
    }
}
