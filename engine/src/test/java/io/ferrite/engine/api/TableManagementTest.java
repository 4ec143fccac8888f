package io.ferrite.engine.api;

import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.Shard;
import io.ferrite.engine.shard.Table;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableDescription;
import io.ferrite.engine.table.TableSpec;
import org.agrona.concurrent.UnsafeBuffer;
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
 * CreateTable, DescribeTable, DeleteTable and ListTables: DynamoDB's name rules, key schema rules, the
 * errors for missing and duplicate tables, paging, and what a delete, a recreate and a restart leave.
 */
class TableManagementTest
{
    @TempDir
    Path dir;

    private EngineConfig config()
    {
        return new EngineConfig().dataDir(dir).partitionMaxItems(10_000);
    }

    @Test
    void the257thTableIsLimitExceededUntilOneIsDeleted()
    {
        try (Ferrite db = Ferrite.open(new EngineConfig().dataDir(dir).partitionMaxItems(16).initialPartitions(1)))
        {
            for (int i = 0; i < Shard.MAX_TABLES; i++)
            {
                db.createTable(TableSpec.of("t" + (1000 + i)).partitionKey("pk", KeyType.S));
            }
            assertEquals(Shard.MAX_TABLES, db.listTables().size());
            error(ErrorCode.LimitExceededException,
                () -> db.createTable(TableSpec.of("one-too-many").partitionKey("pk", KeyType.S)),
                "at most " + Shard.MAX_TABLES + " tables");

            db.deleteTable("t1000");
            db.createTable(TableSpec.of("one-too-many").partitionKey("pk", KeyType.S));
            db.putItem("one-too-many", Map.of("pk", s("fits")));
            assertEquals(Map.of("pk", s("fits")), db.getItem("one-too-many", Map.of("pk", s("fits"))));
        }
    }

    @Test
    void tableNamesOutsideDynamoDbsLengthAndCharacterRulesAreRejected()
    {
        try (Ferrite db = Ferrite.open(config()))
        {
            validation(() -> db.createTable(TableSpec.of("ab").partitionKey("pk", KeyType.S)),
                "Value 'ab' at 'tableName'", "Member must have length greater than or equal to 3");
            validation(() -> db.createTable(TableSpec.of("a".repeat(256)).partitionKey("pk", KeyType.S)),
                "at 'tableName'", "Member must have length less than or equal to 255");
            validation(() -> db.createTable(TableSpec.of(null).partitionKey("pk", KeyType.S)),
                "Value null at 'tableName'", "Member must not be null");
            for (final String bad : List.of("a b c", "t\u00e4b", "a/bc", "abc!", "ab:c"))
            {
                validation(() -> db.createTable(TableSpec.of(bad).partitionKey("pk", KeyType.S)),
                    "Value '" + bad + "' at 'tableName'", "regular expression pattern: [a-zA-Z0-9_.-]+");
            }

            db.createTable(TableSpec.of("abc").partitionKey("pk", KeyType.S));
            db.createTable(TableSpec.of("a".repeat(255)).partitionKey("pk", KeyType.S));
            db.createTable(TableSpec.of("Az09_.-").partitionKey("pk", KeyType.S));
            assertEquals(List.of("Az09_.-", "a".repeat(255), "abc"), db.listTables());
        }
    }

    @Test
    void keySchemaWithBadAttributeNamesOrOneNameTwiceIsRejected()
    {
        try (Ferrite db = Ferrite.open(config()))
        {
            validation(() -> db.createTable(TableSpec.of("t1").partitionKey("pk", KeyType.S)), "tableName");
            validation(() -> db.createTable(TableSpec.of("nokey")), "keySchema", "Member must not be null");
            validation(() -> db.createTable(TableSpec.of("empty").partitionKey("", KeyType.S)),
                "keySchema.HASH.attributeName", "greater than or equal to 1");
            validation(() -> db.createTable(TableSpec.of("long").partitionKey("k".repeat(256), KeyType.S)),
                "keySchema.HASH.attributeName", "less than or equal to 255", "it is 256 bytes");
            validation(() -> db.createTable(TableSpec.of("wide").partitionKey("pk", KeyType.S)
                .sortKey("\u00e9".repeat(128), KeyType.N)), "keySchema.RANGE.attributeName", "it is 256 bytes");
            validation(() -> db.createTable(TableSpec.of("twice").partitionKey("id", KeyType.S).sortKey("id", KeyType.N)),
                "listed twice", "id is both the HASH and the RANGE key");
            validation(() -> db.createTable(TableSpec.of("half").partitionKey("id", KeyType.S).sortKey("sk", null)),
                "RANGE key needs both a name and a type");
            assertEquals(List.of(), db.listTables());

            final String longest = "k".repeat(255);
            final String longestUtf8 = "\u00e9".repeat(127) + "x";
            db.createTable(TableSpec.of("longest").partitionKey(longest, KeyType.S).sortKey(longestUtf8, KeyType.B));
            db.putItem("longest", Map.of(longest, s("a"), longestUtf8, io.ferrite.codecs.item.AttributeValue.b(
                new byte[]{ 1 }), "v", n(1)));
            assertEquals(1, db.scan(Scan.on("longest")).count());
        }
    }

    @Test
    void duplicateTableIsResourceInUseAndUnknownTableIsResourceNotFound()
    {
        try (Ferrite db = Ferrite.open(config()))
        {
            final TableDescription created = db.createTable(TableSpec.of("orders").partitionKey("pk", KeyType.S));
            assertEquals("ACTIVE", created.status());
            error(ErrorCode.ResourceInUseException,
                () -> db.createTable(TableSpec.of("orders").partitionKey("other", KeyType.N)),
                "Table already exists: orders");
            assertEquals(KeyType.S, db.describeTable("orders").spec().partitionKeyType());

            final String notFound = "Requested resource not found: Table: nope not found";
            error(ErrorCode.ResourceNotFoundException, () -> db.describeTable("nope"), notFound);
            error(ErrorCode.ResourceNotFoundException, () -> db.deleteTable("nope"), notFound);
            error(ErrorCode.ResourceNotFoundException, () -> db.putItem("nope", Map.of("pk", s("a"))), notFound);
            error(ErrorCode.ResourceNotFoundException, () -> db.getItem("nope", Map.of("pk", s("a"))), notFound);
            error(ErrorCode.ResourceNotFoundException, () -> db.query(Query.on("nope").partitionKey(s("a"))),
                notFound);
            validation(() -> db.describeTable("no"), "Value 'no' at 'tableName'");
        }
    }

    @Test
    void listTablesPagesByLimitAndExclusiveStartNameAndRejectsLimitsOutside1To100()
    {
        try (Ferrite db = Ferrite.open(config()))
        {
            final List<String> all = List.of("t01", "t02", "t03", "t04", "t05");
            for (int i = all.size() - 1; i >= 0; i--)
            {
                db.createTable(TableSpec.of(all.get(i)).partitionKey("pk", KeyType.S));
            }
            final Shard shard = db.shard();

            final List<String> paged = new ArrayList<>();
            final List<String> lastNames = new ArrayList<>();
            String start = null;
            do
            {
                final List<String> page = new ArrayList<>();
                start = shard.listTables(start, 2, page);
                assertEquals(true, page.size() <= 2);
                paged.addAll(page);
                lastNames.add(start);
            }
            while (null != start);
            assertEquals(all, paged);
            assertEquals(java.util.Arrays.asList("t02", "t04", null), lastNames);

            final List<String> afterMiddle = new ArrayList<>();
            assertNull(shard.listTables("t03", 100, afterMiddle));
            assertEquals(List.of("t04", "t05"), afterMiddle);
            final List<String> afterUnknown = new ArrayList<>();
            assertEquals("t03", shard.listTables("t02a", 1, afterUnknown));
            assertEquals(List.of("t03"), afterUnknown);
            final List<String> afterLast = new ArrayList<>();
            assertNull(shard.listTables("t05", 5, afterLast));
            assertEquals(List.of(), afterLast);

            validation(() -> shard.listTables(null, 0, new ArrayList<>()),
                "Value '0' at 'limit'", "greater than or equal to 1");
            validation(() -> shard.listTables(null, 101, new ArrayList<>()),
                "Value '101' at 'limit'", "less than or equal to 100");
            validation(() -> shard.listTables("x", 10, new ArrayList<>()), "exclusiveStartTableName");
        }
    }

    @Test
    void deletedTableHandleFailsAndARecreatedTableStartsEmpty()
    {
        try (Ferrite db = Ferrite.open(config()))
        {
            db.createTable(TableSpec.of("gone").partitionKey("pk", KeyType.S));
            db.putItem("gone", Map.of("pk", s("a"), "v", n(1)));
            final Shard shard = db.shard();
            final Table handle = shard.table("gone");

            final TableDescription deleted = db.deleteTable("gone");
            assertEquals("DELETING", deleted.status());
            assertEquals(1, deleted.itemCount());
            final byte[] key = io.ferrite.codecs.item.ItemCodec.encode(Map.of("pk", s("a")));
            final String notFound = "Requested resource not found: Table: gone not found";
            error(ErrorCode.ResourceNotFoundException,
                () -> shard.getItem(handle, new UnsafeBuffer(key), 0, key.length, (b, o, l) -> { }), notFound);
            error(ErrorCode.ResourceNotFoundException,
                () -> shard.putItem(handle, new UnsafeBuffer(key), 0, key.length, null, ReturnValues.NONE, null),
                notFound);
            error(ErrorCode.ResourceNotFoundException, () -> db.scan(Scan.on("gone")), notFound);
            assertEquals(List.of(), db.listTables());

            db.createTable(TableSpec.of("gone").partitionKey("pk", KeyType.S));
            assertNull(db.getItem("gone", Map.of("pk", s("a"))));
            assertEquals(0, db.scan(Scan.on("gone")).count());
            assertEquals(0, db.describeTable("gone").itemCount());
            error(ErrorCode.ResourceNotFoundException,
                () -> shard.getItem(handle, new UnsafeBuffer(key), 0, key.length, (b, o, l) -> { }), notFound);
        }
        try (Ferrite db = Ferrite.open(config()))
        {
            assertNull(db.getItem("gone", Map.of("pk", s("a"))));
        }
    }

    @Test
    void tablesTheirSchemasAndItemsSurviveARestartAndADeleteStaysDeleted()
    {
        final TableSpec orders = TableSpec.of("orders").partitionKey("customer", KeyType.S).sortKey("id", KeyType.N);
        final TableSpec blobs = TableSpec.of("blobs").partitionKey("hash", KeyType.B);
        try (Ferrite db = Ferrite.open(config()))
        {
            db.createTable(orders);
            db.createTable(blobs);
            db.createTable(TableSpec.of("dropped").partitionKey("pk", KeyType.S));
            db.putItem("orders", Map.of("customer", s("a"), "id", n(1)));
            db.deleteTable("dropped");
        }
        try (Ferrite db = Ferrite.open(config()))
        {
            assertEquals(List.of("blobs", "orders"), db.listTables());
            assertEquals(orders, db.describeTable("orders").spec());
            assertEquals(blobs, db.describeTable("blobs").spec());
            assertEquals(1, db.describeTable("orders").itemCount());
            error(ErrorCode.ResourceNotFoundException, () -> db.describeTable("dropped"), "dropped");
        }
    }
}
