package io.ferrite.engine.model;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.engine.api.Ferrite;
import io.ferrite.engine.api.Page;
import io.ferrite.engine.api.Query;
import io.ferrite.engine.api.Scan;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.model.ReferenceModel.ModelPage;
import io.ferrite.engine.model.ReferenceModel.Refused;
import io.ferrite.engine.model.ReferenceModel.TableModel;
import io.ferrite.engine.model.ReferenceModel.UpdateOutcome;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.Shard;
import io.ferrite.engine.shard.SortKeyCondition;
import io.ferrite.engine.shard.WriteRequest;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.engine.wal.FsyncPolicy;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.stream.LongStream;

import static io.ferrite.codecs.item.AttributeValue.b;
import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Thousands of seeded random operations run on the engine and on {@link ReferenceModel} side by side;
 * every answer (items, ReturnValues, each Query page's items, count and LastEvaluatedKey, Scan segments,
 * batch results, and the error code of every refused call) must agree, across clean restarts.
 * <p>
 * Keys are chosen to break a wrong key encoding or order: negative, zero, fractional, exponent, 38-digit
 * and extreme-magnitude numbers written several ways ({@code 1}, {@code 1.0}, {@code 10E-1}); strings with
 * multi-byte UTF-8, surrogate pairs, U+E000 (which sorts differently in UTF-16 and UTF-8) and U+0000; binary
 * with 0x00 and 0xFF; values that are prefixes of each other. Partition key pools are small so partitions
 * hold many items. A few ~200 KB items in one partition make Query and Scan pages end on the 1 MB rule.
 * <p>
 * A failure names the seed and the operation; rerun one seed with {@code -Dferrite.model.seeds=<seed>}
 * and more operations with {@code -Dferrite.model.ops=<n>}.
 */
class EngineMatchesReferenceModelTest
{
    private static final int OPS_PER_SEED = Integer.getInteger("ferrite.model.ops", 2000);
    private static final int RESTART_EVERY = 500;

    private static final TableSpec ORDERS =
        TableSpec.of("orders").partitionKey("customer", KeyType.S).sortKey("id", KeyType.N);
    private static final TableSpec EVENTS =
        TableSpec.of("events").partitionKey("zone", KeyType.N).sortKey("at", KeyType.S);
    private static final TableSpec BLOBS =
        TableSpec.of("blobs").partitionKey("h", KeyType.B).sortKey("r", KeyType.B);
    private static final TableSpec USERS = TableSpec.of("users").partitionKey("user", KeyType.S);
    private static final List<TableSpec> TABLES = List.of(ORDERS, EVENTS, BLOBS, USERS);

    /** Order customers; every item of "ab" carries a ~200 KB blob, so its Query pages end on the 1 MB rule. */
    private static final String[] CUSTOMERS = {"a", "ab", "é", "日本", "😀"};
    private static final String HEAVY_CUSTOMER = "ab";
    /** Event zones, each as several spellings of one number. */
    private static final String[][] ZONES = {
        {"-1.5E+3", "-1500", "-15e2", "-1500.000"},
        {"0", "-0", "0.0", "0E+5"},
        {"2E-5", "0.00002", "20e-6"},
        {"0.000123", "1.23E-4", "+123E-6"},
        {"123456789012345678901234567890123.45", "12345678901234567890123456789012345E-2"},
    };
    private static final byte[][] BLOB_PARTITIONS = {{0x00}, {(byte)0xFF}, {0x00, (byte)0xFF}, {0x00, 0x00}};
    /** Sort key numbers that sit at the edges of the number encoding. */
    private static final String[] NUMBER_POOL = {
        "0", "-0", "1", "1.0", "10E-1", "+1", "-1", "-1.0", "0.5", "-0.5", "0.05", "-0.05", "99", "100", "1E2",
        "101", "-99", "-100", "-101", "-1.5E+3", "2E-5", "0.000123", "-0.000123", "123456789012345678901234567890123.45",
        "-123456789012345678901234567890123.45", "12345678901234567890123456789012345678",
        "-0.12345678901234567890123456789012345678", "1E+125", "-1E+125", "9.9999999999999999999999999999999999999E+125",
        "1E-130", "-1E-130", "1.000000000000000000000000000000000001", "0.999999999999999999999999999999999999",
    };
    /** String sort key letters: ASCII, 2-, 3- and 4-byte UTF-8, a private-use char and NUL. */
    private static final String[] LETTERS = {"a", "b", "é", "日本", "😀", "\uE000", "\u0000"};
    private static final byte[] BYTES = {0x00, 0x01, 0x7F, (byte)0x80, (byte)0xFF};
    private static final String[] ATTRIBUTE_NAMES = {"a", "b", "note", "é", "日本", "count", "tags"};
    private static final String[] EXTRA_NAMES = {"a0", "b9", "c", "d", "n", "note2", "p", "tag", "z", "zz", "é2", "日"};
    private static final ReturnValues[] UPDATE_RETURNS = ReturnValues.values();
    private static final SortKeyCondition[] CONDITIONS = SortKeyCondition.values();
    private static final int[] SEGMENT_COUNTS = {1, 2, 3, 4, 7, 16, 100};

    @TempDir
    Path dir;

    private long seed;
    private SplittableRandom random;
    private EngineConfig config;
    private Ferrite db;
    private final ReferenceModel model = new ReferenceModel();
    private final Map<String, Integer> coverage = new TreeMap<>();
    private int op;
    private String current = "setup";

    static LongStream seeds()
    {
        final String seeds = System.getProperty("ferrite.model.seeds");
        if (null != seeds)
        {
            return Arrays.stream(seeds.split(",")).mapToLong(text -> Long.parseLong(text.trim()));
        }
        return LongStream.of(1L, 0x5EEDL, 20_240_611L);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyOperationAgreesWithTheReferenceModelAcrossRestarts(final long seed)
    {
        this.seed = seed;
        final long startNs = System.nanoTime();
        random = new SplittableRandom(seed);
        // fsync guards against losing the OS, which a clean restart does not do; on a slow disk it was most of the run
        config = new EngineConfig().dataDir(dir).partitionMaxItems(50_000).initialPartitions(4)
            .fsyncPolicy(FsyncPolicy.NONE);
        db = Ferrite.open(config);
        try
        {
            for (final TableSpec spec : TABLES)
            {
                db.createTable(spec);
                model.createTable(spec);
            }

            for (op = 1; op <= OPS_PER_SEED; op++)
            {
                randomOperation();
                if (0 == op % RESTART_EVERY)
                {
                    restart();
                }
            }
            current = "final comparison";
            compareEverything();
        }
        finally
        {
            db.close();
        }

        System.out.println("seed " + seed + ": " + OPS_PER_SEED + " ops in " +
            (System.nanoTime() - startNs) / 1_000_000 + " ms, coverage " + coverage);
        requireCovered("query.page.endedByLimit", "query.page.endedByBytes", "query.page.last", "query.esk.random",
            "scan.page.endedByBytes", "scan.segments", "update.created", "update.removeOnlyOfMissing",
            "batchGet", "batchWrite", "restart", "error.ValidationException", "error.ResourceNotFoundException");
        for (final SortKeyCondition condition : CONDITIONS)
        {
            requireCovered("query." + condition + ".nonEmpty");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The operation mix
    // ---------------------------------------------------------------------------------------------

    private void randomOperation()
    {
        final int dice = random.nextInt(100);
        if (dice < 26)
        {
            putItem();
        }
        else if (dice < 34)
        {
            getItem();
        }
        else if (dice < 43)
        {
            deleteItem();
        }
        else if (dice < 58)
        {
            updateItem();
        }
        else if (dice < 80)
        {
            query();
        }
        else if (dice < 83)
        {
            scan();
        }
        else if (dice < 88)
        {
            batchGet();
        }
        else if (dice < 94)
        {
            batchWrite();
        }
        else
        {
            refusedOperation();
        }
    }

    private void putItem()
    {
        final TableModel table = randomTable();
        final Map<String, AttributeValue> item = randomItem(table);
        final ReturnValues returnValues = random.nextBoolean() ? ReturnValues.ALL_OLD : ReturnValues.NONE;
        current = "putItem " + table.spec.tableName() + " " + describe(item) + " " + returnValues;
        both(() -> returned(returnValues, model.put(table.spec.tableName(), item)),
            () -> db.putItem(table.spec.tableName(), item, null, returnValues),
            (expected, actual) -> assertSameItem("ReturnValues " + returnValues, expected, actual));
    }

    private void getItem()
    {
        final TableModel table = randomTable();
        final Map<String, AttributeValue> key = randomKey(table);
        current = "getItem " + table.spec.tableName() + " " + describe(key);
        both(() -> model.get(table.spec.tableName(), key),
            () -> db.getItem(table.spec.tableName(), key),
            (expected, actual) -> assertSameItem("item", expected, actual));
    }

    private void deleteItem()
    {
        final TableModel table = randomTable();
        final Map<String, AttributeValue> key = randomKey(table);
        current = "deleteItem " + table.spec.tableName() + " " + describe(key);
        both(() -> model.delete(table.spec.tableName(), key),
            () -> db.deleteItem(table.spec.tableName(), key, null, ReturnValues.ALL_OLD),
            (expected, actual) -> assertSameItem("ALL_OLD", expected, actual));
    }

    private void updateItem()
    {
        final TableModel table = randomTable();
        final Map<String, AttributeValue> key = randomKey(table);
        final Map<String, AttributeValue> set = new LinkedHashMap<>();
        final Set<String> remove = new HashSet<>();
        final int changes = random.nextInt(4);
        for (int i = 0; i < changes; i++)
        {
            final String name = pick(ATTRIBUTE_NAMES);
            if (random.nextBoolean())
            {
                set.put(name, randomValue(0));
                remove.remove(name);
            }
            else if (!set.containsKey(name))
            {
                remove.add(name);
            }
        }
        update(table, key, set, remove, pick(UPDATE_RETURNS));
    }

    private void update(
        final TableModel table,
        final Map<String, AttributeValue> key,
        final Map<String, AttributeValue> set,
        final Set<String> remove,
        final ReturnValues returnValues)
    {
        current = "updateItem " + table.spec.tableName() + " " + describe(key) + " set " + set.keySet() +
            " remove " + remove + " " + returnValues;
        final Set<String> names = new HashSet<>(set.keySet());
        names.addAll(remove);
        both(() ->
            {
                final UpdateOutcome outcome = model.update(table.spec.tableName(), key, set, remove);
                count(null == outcome.oldItem() ? (null == outcome.newItem() ?
                    "update.removeOnlyOfMissing" : "update.created") : "update.existing");
                switch (returnValues)
                {
                    case ALL_OLD:
                        return outcome.oldItem();
                    case ALL_NEW:
                        return outcome.newItem();
                    case UPDATED_OLD:
                        return projection(outcome.oldItem(), names);
                    case UPDATED_NEW:
                        return projection(outcome.newItem(), names);
                    default:
                        return null;
                }
            },
            () -> db.updateItem(table.spec.tableName(), key, set, remove, null, returnValues),
            (expected, actual) -> assertSameItem("ReturnValues " + returnValues, expected, actual));
    }

    // ---------------------------------------------------------------------------------------------
    // Query: every page compared, followed to the end
    // ---------------------------------------------------------------------------------------------

    private void query()
    {
        final TableModel table = randomTable();
        final AttributeValue pk = ORDERS == table.spec && random.nextInt(3) == 0 ?
            s(HEAVY_CUSTOMER) : randomPartitionKey(table);
        SortKeyCondition condition = table.hasSortKey() || random.nextInt(10) == 0 ? pick(CONDITIONS) :
            SortKeyCondition.NONE;
        if (SortKeyCondition.BEGINS_WITH == condition && KeyType.N == table.spec.sortKeyType() &&
            random.nextInt(5) > 0)
        {
            condition = SortKeyCondition.GE;
        }
        AttributeValue low = null;
        AttributeValue high = null;
        if (!table.hasSortKey())
        {
            low = s("a");
            high = s("b");
        }
        else if (SortKeyCondition.BEGINS_WITH == condition)
        {
            low = randomPrefix(table, pk);
        }
        else if (SortKeyCondition.NONE != condition)
        {
            low = randomSortKeyNear(table, pk);
        }
        if (SortKeyCondition.BETWEEN == condition && table.hasSortKey())
        {
            high = randomSortKeyNear(table, pk);
            if (random.nextInt(10) > 0 && ReferenceModel.compareKeyValues(low, high) > 0)
            {
                final AttributeValue swap = low;
                low = high;
                high = swap;
            }
        }
        final boolean forward = random.nextBoolean();
        final int limit = random.nextInt(10) < 3 ? 0 : 1 + random.nextInt(pick(new int[]{2, 5, 20, 100}));
        Map<String, AttributeValue> startKey = null;
        if (table.hasSortKey() && random.nextInt(7) == 0)
        {
            startKey = new LinkedHashMap<>();
            startKey.put(table.spec.partitionKeyName(), pk);
            startKey.put(table.spec.sortKeyName(), randomSortKeyNear(table, pk));
            count("query.esk.random");
        }
        queryAllPages(table, pk, condition, low, high, forward, limit, startKey);
    }

    private void queryAllPages(
        final TableModel table,
        final AttributeValue pk,
        final SortKeyCondition condition,
        final AttributeValue low,
        final AttributeValue high,
        final boolean forward,
        final int limit,
        final Map<String, AttributeValue> firstStartKey)
    {
        final String name = table.spec.tableName();
        final String description = "query " + name + " pk=" + pk + " " + condition + " " + low +
            (null == high ? "" : " AND " + high) + (forward ? " forward" : " backward") + " limit=" + limit;
        Map<String, AttributeValue> startKey = firstStartKey;
        int total = 0;
        for (int pageNumber = 1; ; pageNumber++)
        {
            final Map<String, AttributeValue> esk = startKey;
            current = description + " page " + pageNumber + " esk=" + esk;
            final ModelPage[] expectedPage = new ModelPage[1];
            final Page page = both(
                () -> expectedPage[0] = model.query(name, pk, condition, low, high, forward, limit, esk),
                () -> db.query(withLimit(Query.on(name).partitionKey(pk).sortKey(condition, low, high)
                    .scanIndexForward(forward).exclusiveStartKey(esk), limit)),
                (expected, actual) -> assertSamePage(expected, actual));
            if (null == page)
            {
                return;
            }
            total += page.count();
            final ModelPage expected = expectedPage[0];
            if (null == expected.lastEvaluatedKey())
            {
                count("query.page.last");
                if (total > 0)
                {
                    count("query." + condition + ".nonEmpty");
                }
                return;
            }
            count(expected.endedByBytes() ? "query.page.endedByBytes" : "query.page.endedByLimit");
            startKey = page.lastEvaluatedKey();
        }
    }

    private void assertSamePage(final ModelPage expected, final Page actual)
    {
        assertSameItems("page items in order", expected.items(), actual.items());
        check(expected.items().size() == actual.count(), () -> "Count " + actual.count() + ", expected " +
            expected.items().size());
        check(actual.count() == actual.scannedCount(), () -> "ScannedCount " + actual.scannedCount() +
            " differs from Count " + actual.count() + " without a filter");
        check(Objects.equals(expected.lastEvaluatedKey(), actual.lastEvaluatedKey()), () -> "LastEvaluatedKey " +
            actual.lastEvaluatedKey() + ", expected " + expected.lastEvaluatedKey());
    }

    // ---------------------------------------------------------------------------------------------
    // Scan: the union of every segment's pages is the table
    // ---------------------------------------------------------------------------------------------

    private void scan()
    {
        final TableModel table = randomTable();
        final int totalSegments = pick(SEGMENT_COUNTS);
        final int limit = random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(pick(new int[]{3, 30, 300}));
        scanAndCompare(table, totalSegments, limit);
        if (totalSegments > 1)
        {
            count("scan.segments");
        }
    }

    private void scanAndCompare(final TableModel table, final int totalSegments, final int limit)
    {
        final String name = table.spec.tableName();
        final List<Map<String, AttributeValue>> seen = new ArrayList<>();
        for (int segment = 0; segment < totalSegments; segment++)
        {
            Map<String, AttributeValue> startKey = null;
            for (int pageNumber = 1; ; pageNumber++)
            {
                current = "scan " + name + " segment " + segment + "/" + totalSegments + " limit=" + limit +
                    " page " + pageNumber + " esk=" + startKey;
                final Scan scan = Scan.on(name).segment(segment, totalSegments).exclusiveStartKey(startKey);
                final Page page = db.scan(limit > 0 ? scan.limit(limit) : scan);
                checkScanPage(table, page, limit);
                seen.addAll(page.items());
                if (null == page.lastEvaluatedKey())
                {
                    break;
                }
                startKey = page.lastEvaluatedKey();
            }
        }
        current = "scan " + name + " in " + totalSegments + " segments, limit=" + limit + ": union of segments";
        assertSameItems("scanned items (sorted by key)", sortedByKey(table, model.scanAll(name)),
            sortedByKey(table, seen));
    }

    private void checkScanPage(final TableModel table, final Page page, final int limit)
    {
        check(page.count() == page.items().size(), () -> "Count " + page.count() + " but " +
            page.items().size() + " items");
        check(limit == 0 || page.count() <= limit, () -> page.count() + " items exceed Limit " + limit);
        long bytes = 0;
        for (final Map<String, AttributeValue> item : page.items())
        {
            bytes += ItemCodec.encode(item).length;
        }
        final long pageBytes = bytes;
        check(pageBytes <= Shard.MAX_PAGE_BYTES || page.count() == 1, () -> "page of " + page.count() +
            " items holds " + pageBytes + " bytes, over " + Shard.MAX_PAGE_BYTES);
        if (null != page.lastEvaluatedKey())
        {
            final boolean full = limit > 0 && page.count() == limit;
            check(page.count() > 0, () -> "empty page with LastEvaluatedKey " + page.lastEvaluatedKey());
            check(table.keyOf(page.items().get(page.count() - 1)).equals(page.lastEvaluatedKey()),
                () -> "LastEvaluatedKey " + page.lastEvaluatedKey() + " is not the last item's key");
            if (!full)
            {
                count("scan.page.endedByBytes");
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Batches
    // ---------------------------------------------------------------------------------------------

    private void batchGet()
    {
        final Map<String, List<Map<String, AttributeValue>>> keysByTable = new LinkedHashMap<>();
        final int wanted = 1 + random.nextInt(random.nextInt(8) == 0 ? 100 : 20);
        final Map<String, Set<List<String>>> chosen = new LinkedHashMap<>();
        for (int i = 0; i < wanted; i++)
        {
            final TableModel table = randomTable();
            final Map<String, AttributeValue> key = randomKey(table);
            if (chosen.computeIfAbsent(table.spec.tableName(), k -> new HashSet<>()).add(identity(key)))
            {
                keysByTable.computeIfAbsent(table.spec.tableName(), k -> new ArrayList<>()).add(key);
            }
        }
        batchGet(keysByTable);
    }

    private void batchGet(final Map<String, List<Map<String, AttributeValue>>> keysByTable)
    {
        current = "batchGetItem " + summary(keysByTable);
        both(() -> model.batchGet(keysByTable),
            () ->
            {
                final Map<String, List<Map<String, AttributeValue>>> found = new LinkedHashMap<>();
                Map<String, List<Map<String, AttributeValue>>> pending = keysByTable;
                while (!pending.isEmpty())
                {
                    final Ferrite.BatchGet result = db.batchGetItem(pending);
                    result.responses().forEach((table, items) ->
                        found.computeIfAbsent(table, k -> new ArrayList<>()).addAll(items));
                    check(result.unprocessedKeys().values().stream().mapToInt(List::size).sum() <
                        pending.values().stream().mapToInt(List::size).sum(), () -> "no key processed");
                    pending = result.unprocessedKeys();
                }
                return found;
            },
            (expected, actual) ->
            {
                for (final TableModel table : model.tables())
                {
                    final String name = table.spec.tableName();
                    assertSameItems("items found in " + name,
                        sortedByKey(table, expected.getOrDefault(name, List.of())),
                        sortedByKey(table, actual.getOrDefault(name, List.of())));
                }
                count("batchGet");
            });
    }

    private void batchWrite()
    {
        final Map<String, List<Map.Entry<Boolean, Map<String, AttributeValue>>>> writes = new LinkedHashMap<>();
        final Map<String, Set<List<String>>> chosen = new LinkedHashMap<>();
        final int wanted = 1 + random.nextInt(Shard.MAX_BATCH_WRITES);
        for (int i = 0; i < wanted; i++)
        {
            final TableModel table = randomTable();
            final boolean put = random.nextInt(3) > 0;
            final Map<String, AttributeValue> item = put ? randomItem(table) : randomKey(table);
            if (chosen.computeIfAbsent(table.spec.tableName(), k -> new HashSet<>()).add(identity(table.keyOf(item))))
            {
                writes.computeIfAbsent(table.spec.tableName(), k -> new ArrayList<>()).add(Map.entry(put, item));
            }
        }
        batchWrite(writes);
    }

    private void batchWrite(final Map<String, List<Map.Entry<Boolean, Map<String, AttributeValue>>>> writes)
    {
        current = "batchWriteItem " + summary(writes);
        both(() ->
            {
                model.batchWrite(writes);
                return Map.<String, List<WriteRequest>>of();
            },
            () ->
            {
                final Map<String, List<WriteRequest>> requests = new LinkedHashMap<>();
                writes.forEach((table, list) -> list.forEach(write -> requests
                    .computeIfAbsent(table, k -> new ArrayList<>())
                    .add(write.getKey() ? Ferrite.put(write.getValue()) : Ferrite.delete(write.getValue()))));
                return db.batchWriteItem(requests);
            },
            (expected, actual) ->
            {
                check(actual.isEmpty(), () -> "unprocessed writes " + actual.keySet() + " with partitions far from full");
                count("batchWrite");
            });
    }

    // ---------------------------------------------------------------------------------------------
    // Calls DynamoDB's rules refuse: the engine must refuse them with the model's error code
    // ---------------------------------------------------------------------------------------------

    private void refusedOperation()
    {
        final TableModel table = randomSortKeyTable();
        final String name = table.spec.tableName();
        final AttributeValue pk = randomPartitionKey(table);
        switch (random.nextInt(10))
        {
            case 0:
            {
                final AttributeValue a = randomSortKey(table);
                final AttributeValue b = randomSortKey(table);
                final int order = ReferenceModel.compareKeyValues(a, b);
                queryAllPages(table, pk, SortKeyCondition.BETWEEN, order > 0 ? a : b, order > 0 ? b : a,
                    random.nextBoolean(), 0, null);
                break;
            }
            case 1:
                queryAllPages(model.table(ORDERS.tableName()), s(pick(CUSTOMERS)), SortKeyCondition.BEGINS_WITH,
                    n("1"), null, random.nextBoolean(), 0, null);
                break;
            case 2:
                queryAllPages(model.table(USERS.tableName()), s("a"), pick(CONDITIONS), s("a"), s("b"),
                    random.nextBoolean(), 0, null);
                break;
            case 3:
                queryAllPages(table, ORDERS == table.spec ? n(1) : s("a"), SortKeyCondition.NONE, null, null, true,
                    0, null);
                break;
            case 4:
                update(table, randomKey(table), Map.of(table.spec.sortKeyName(), randomSortKey(table)), Set.of(),
                    ReturnValues.NONE);
                break;
            case 5:
                update(table, randomKey(table), Map.of("note", s("x")), Set.of("note"), ReturnValues.ALL_NEW);
                break;
            case 6:
            {
                final Map<String, AttributeValue> partial = Map.of(table.spec.partitionKeyName(), pk);
                current = "getItem " + name + " without its sort key " + partial;
                both(() -> model.get(name, partial), () -> db.getItem(name, partial), (x, y) -> { });
                break;
            }
            case 7:
            {
                final Map<String, AttributeValue> item = randomItem(table);
                final Map<String, List<Map.Entry<Boolean, Map<String, AttributeValue>>>> writes = new LinkedHashMap<>();
                writes.put(name, List.of(Map.entry(true, item), Map.entry(false, table.keyOf(item))));
                batchWrite(writes);
                break;
            }
            case 8:
            {
                final Map<String, AttributeValue> item = randomItem(model.table(USERS.tableName()));
                item.put(USERS.partitionKeyName(), s(""));
                current = "putItem users with an empty string key";
                both(() -> model.put(USERS.tableName(), item), () -> db.putItem(USERS.tableName(), item, null,
                    ReturnValues.NONE), (x, y) -> { });
                break;
            }
            default:
            {
                current = "getItem from a table that does not exist";
                final Map<String, AttributeValue> key = Map.of("k", s("v"));
                both(() -> model.get("no_such_table", key), () -> db.getItem("no_such_table", key), (x, y) -> { });
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Restart and whole-state comparison
    // ---------------------------------------------------------------------------------------------

    private void restart()
    {
        current = "restart after op " + op;
        db.close();
        db = Ferrite.open(config);
        count("restart");
        compareEverything();
    }

    private void compareEverything()
    {
        for (final TableModel table : model.tables())
        {
            scanAndCompare(table, 1, 0);
            for (final ReferenceModel.Stored stored : table.all())
            {
                if (random.nextInt(10) == 0)
                {
                    final Map<String, AttributeValue> key = table.keyOf(stored.item());
                    current = "getItem " + table.spec.tableName() + " " + describe(key) + " after " + op + " ops";
                    assertSameItem("item", stored.item(), db.getItem(table.spec.tableName(), key));
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Running one call on both sides
    // ---------------------------------------------------------------------------------------------

    /**
     * Runs the model, then the engine; when the model refuses, the engine must throw a
     * {@link FerriteException} with the same code, else both answers go to {@code compare}.
     *
     * @return the engine's answer, or null when the call was refused.
     */
    private <M, E> E both(final Supplier<M> modelCall, final Supplier<E> engineCall, final BiConsumer<M, E> compare)
    {
        M expected = null;
        Refused refused = null;
        try
        {
            expected = modelCall.get();
        }
        catch (final Refused ex)
        {
            refused = ex;
        }

        E actual = null;
        FerriteException failure = null;
        try
        {
            actual = engineCall.get();
        }
        catch (final FerriteException ex)
        {
            failure = ex;
        }
        catch (final RuntimeException ex)
        {
            throw new AssertionError(context() + ": the engine threw " + ex, ex);
        }

        if (null != refused)
        {
            final Refused verdict = refused;
            final FerriteException thrown = failure;
            check(null != thrown, () -> "the engine accepted a call the model refuses (" + verdict.getMessage() + ")");
            check(verdict.code == thrown.code(), () -> "the engine refused with " + thrown.code() + " (" +
                thrown.getMessage() + "), expected " + verdict.code + " (" + verdict.getMessage() + ")");
            count("error." + verdict.code);
            return null;
        }
        if (null != failure)
        {
            throw new AssertionError(context() + ": the engine refused a call the model accepts: " + failure, failure);
        }
        compare.accept(expected, actual);
        return actual;
    }

    private void assertSameItem(
        final String what, final Map<String, AttributeValue> expected, final Map<String, AttributeValue> actual)
    {
        check(Objects.equals(expected, actual), () -> what + " was " + describe(actual) + ", expected " +
            describe(expected));
    }

    private void assertSameItems(
        final String what, final List<Map<String, AttributeValue>> expected, final List<Map<String, AttributeValue>> actual)
    {
        final List<String> expectedKeys = new ArrayList<>();
        final List<String> actualKeys = new ArrayList<>();
        expected.forEach(item -> expectedKeys.add(describeKey(item)));
        actual.forEach(item -> actualKeys.add(describeKey(item)));
        check(expectedKeys.equals(actualKeys), () -> what + ": keys were\n  " + actualKeys + "\nexpected\n  " +
            expectedKeys);
        for (int i = 0; i < expected.size(); i++)
        {
            assertSameItem(what + " #" + i, expected.get(i), actual.get(i));
        }
    }

    private void check(final boolean condition, final Supplier<String> message)
    {
        assertTrue(condition, () -> context() + ": " + message.get());
    }

    private String context()
    {
        return "seed " + seed + " op " + op + " (rerun with -Dferrite.model.seeds=" + seed + ") " + current;
    }

    private void count(final String what)
    {
        coverage.merge(what, 1, Integer::sum);
    }

    private void requireCovered(final String... whats)
    {
        for (final String what : whats)
        {
            assertTrue(coverage.getOrDefault(what, 0) > 0, () -> "seed " + seed + " never exercised " + what +
                "; coverage " + coverage);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Generators
    // ---------------------------------------------------------------------------------------------

    private TableModel randomTable()
    {
        return model.table(TABLES.get(random.nextInt(TABLES.size())).tableName());
    }

    private TableModel randomSortKeyTable()
    {
        return model.table(TABLES.get(random.nextInt(TABLES.size() - 1)).tableName());
    }

    private AttributeValue randomPartitionKey(final TableModel table)
    {
        switch (table.spec.tableName())
        {
            case "orders":
                return s(pick(CUSTOMERS));
            case "events":
                return n(pick(ZONES[random.nextInt(ZONES.length)]));
            case "blobs":
                return b(BLOB_PARTITIONS[random.nextInt(BLOB_PARTITIONS.length)]);
            default:
                return s(randomString(3));
        }
    }

    private AttributeValue randomSortKey(final TableModel table)
    {
        switch (table.spec.sortKeyType())
        {
            case N:
                return n(randomNumber());
            case S:
                return s(randomString(3));
            default:
                return b(randomBinary(3));
        }
    }

    /** Often an existing sort key of the partition (so EQ and the bounds hit items), else any. */
    private AttributeValue randomSortKeyNear(final TableModel table, final AttributeValue pk)
    {
        final TreeMap<AttributeValue, ReferenceModel.Stored> partition = table.partitions.get(pk);
        if (null != partition && !partition.isEmpty() && random.nextInt(5) < 3)
        {
            final List<AttributeValue> keys = new ArrayList<>(partition.keySet());
            final AttributeValue existing = keys.get(random.nextInt(keys.size()));
            return KeyType.N == table.spec.sortKeyType() ? respell(existing) : existing;
        }
        return randomSortKey(table);
    }

    private AttributeValue randomPrefix(final TableModel table, final AttributeValue pk)
    {
        if (KeyType.N == table.spec.sortKeyType())
        {
            return n(randomNumber());
        }
        final AttributeValue whole = randomSortKeyNear(table, pk);
        final byte[] bytes = ReferenceModel.bytesOf(whole);
        if (KeyType.B == table.spec.sortKeyType())
        {
            return b(Arrays.copyOf(bytes, 1 + random.nextInt(bytes.length)));
        }
        final String text = whole.asString();
        final int cut = 1 + random.nextInt(text.length());
        return s(text.substring(0, Character.isHighSurrogate(text.charAt(cut - 1)) ? cut + 1 : cut));
    }

    private Map<String, AttributeValue> randomKey(final TableModel table)
    {
        final AttributeValue pk = randomPartitionKey(table);
        final Map<String, AttributeValue> key = new LinkedHashMap<>();
        key.put(table.spec.partitionKeyName(), pk);
        if (table.hasSortKey())
        {
            key.put(table.spec.sortKeyName(), randomSortKeyNear(table, pk));
        }
        return key;
    }

    private Map<String, AttributeValue> randomItem(final TableModel table)
    {
        final Map<String, AttributeValue> item = randomKey(table);
        final int attributes = random.nextInt(4);
        for (int i = 0; i < attributes; i++)
        {
            item.put(pick(ATTRIBUTE_NAMES), randomValue(0));
        }
        if (random.nextInt(4) == 0)
        {
            // enough attributes for the item to carry a name index (decision 0012); updates then add and remove
            // ATTRIBUTE_NAMES among these, so indexed items shrink below the threshold and grow back
            for (int i = 0, extra = 4 + random.nextInt(8); i < extra; i++)
            {
                item.put(pick(EXTRA_NAMES), randomValue(1));
            }
        }
        final boolean heavy = ORDERS == table.spec && s(HEAVY_CUSTOMER).equals(item.get(ORDERS.partitionKeyName()));
        if (heavy || random.nextInt(300) == 0)
        {
            item.put("blob", b(randomLargeBytes()));
        }
        return item;
    }

    /** 150 to 250 KB: five or so make a page reach the 1 MB rule; any one stays under the 400 KB item limit. */
    private byte[] randomLargeBytes()
    {
        final byte[] blob = new byte[150_000 + random.nextInt(100_000)];
        random.nextBytes(blob);
        return blob;
    }

    private AttributeValue randomValue(final int depth)
    {
        switch (random.nextInt(depth > 1 ? 5 : 10))
        {
            case 0:
                return s(random.nextInt(4) == 0 ? "" : randomString(4));
            case 1:
                return n(randomNumber());
            case 2:
                return b(randomBinary(4));
            case 3:
                return AttributeValue.bool(random.nextBoolean());
            case 4:
                return AttributeValue.nul();
            case 5:
            {
                final Map<String, AttributeValue> map = new LinkedHashMap<>();
                map.put(pick(ATTRIBUTE_NAMES), randomValue(depth + 1));
                map.put(pick(ATTRIBUTE_NAMES), randomValue(depth + 1));
                return AttributeValue.m(map);
            }
            case 6:
                return AttributeValue.l(List.of(randomValue(depth + 1), randomValue(depth + 1)));
            case 7:
                return AttributeValue.ss(List.of(randomString(3), randomString(3), randomString(2)));
            case 8:
                return AttributeValue.ns(List.of(randomNumber(), randomNumber()));
            default:
                return AttributeValue.bs(List.of(randomBinary(3), randomBinary(2)));
        }
    }

    /** Half from the edge pool, half small random decimals written plainly, in E notation or padded. */
    private String randomNumber()
    {
        if (random.nextBoolean())
        {
            return pick(NUMBER_POOL);
        }
        final BigDecimal value = new BigDecimal(BigInteger.valueOf(random.nextInt(-999, 1000)), random.nextInt(-4, 7));
        switch (random.nextInt(4))
        {
            case 0:
                return value.toString();
            case 1:
                return value.toPlainString();
            case 2:
                return value.toEngineeringString();
            default:
                return value.setScale(Math.max(value.scale(), 0) + 2).toPlainString();
        }
    }

    private AttributeValue respell(final AttributeValue number)
    {
        final BigDecimal value = number.asBigDecimal();
        final boolean plainIsShort = value.precision() - value.scale() < 30 && value.scale() < 30;
        switch (random.nextInt(plainIsShort ? 3 : 2) + (plainIsShort ? 0 : 1))
        {
            case 0:
                return n(value.setScale(Math.max(value.scale(), 0) + 1).toPlainString());
            case 1:
                return n(value.unscaledValue() + "E" + -value.scale());
            default:
                return number;
        }
    }

    private String randomString(final int maxLetters)
    {
        final StringBuilder sb = new StringBuilder();
        final int letters = 1 + random.nextInt(maxLetters);
        for (int i = 0; i < letters; i++)
        {
            sb.append(pick(LETTERS));
        }
        return sb.toString();
    }

    private byte[] randomBinary(final int maxBytes)
    {
        final byte[] bytes = new byte[1 + random.nextInt(maxBytes)];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = BYTES[random.nextInt(BYTES.length)];
        }
        return bytes;
    }

    private <T> T pick(final T[] values)
    {
        return values[random.nextInt(values.length)];
    }

    private int pick(final int[] values)
    {
        return values[random.nextInt(values.length)];
    }

    // ---------------------------------------------------------------------------------------------
    // Small helpers
    // ---------------------------------------------------------------------------------------------

    private static Map<String, AttributeValue> returned(
        final ReturnValues returnValues, final Map<String, AttributeValue> old)
    {
        return ReturnValues.ALL_OLD == returnValues ? old : null;
    }

    private static Map<String, AttributeValue> projection(
        final Map<String, AttributeValue> item, final Collection<String> names)
    {
        if (null == item)
        {
            return null;
        }
        final Map<String, AttributeValue> projected = new LinkedHashMap<>(item);
        projected.keySet().retainAll(names);
        return projected.isEmpty() ? null : projected;
    }

    private static List<Map<String, AttributeValue>> sortedByKey(
        final TableModel table, final List<Map<String, AttributeValue>> items)
    {
        final Comparator<Map<String, AttributeValue>> byPk =
            Comparator.comparing(item -> item.get(table.spec.partitionKeyName()), ReferenceModel.KEY_ORDER);
        final Comparator<Map<String, AttributeValue>> byKey = table.hasSortKey() ?
            byPk.thenComparing(item -> item.get(table.spec.sortKeyName()), ReferenceModel.KEY_ORDER) : byPk;
        final List<Map<String, AttributeValue>> sorted = new ArrayList<>(items);
        sorted.sort(byKey);
        return sorted;
    }

    /** A key's identity for choosing distinct keys: numbers by value, others by bytes. */
    private static List<String> identity(final Map<String, AttributeValue> key)
    {
        final List<String> identity = new ArrayList<>();
        key.forEach((name, value) -> identity.add(name + "=" + (ItemFormat.TYPE_N == value.type() ?
            value.asBigDecimal().stripTrailingZeros().toString() : Arrays.toString(ReferenceModel.bytesOf(value)))));
        return identity;
    }

    private static String describeKey(final Map<String, AttributeValue> item)
    {
        final Map<String, AttributeValue> key = new TreeMap<>();
        for (final TableSpec spec : TABLES)
        {
            for (final String name : new String[]{spec.partitionKeyName(), spec.sortKeyName()})
            {
                if (null != name && item.containsKey(name))
                {
                    key.put(name, item.get(name));
                }
            }
        }
        return key.toString();
    }

    /** An item with long values cut short, for messages. */
    private static String describe(final Map<String, AttributeValue> item)
    {
        if (null == item)
        {
            return "null";
        }
        final String text = item.toString();
        return text.length() <= 400 ? text : text.substring(0, 400) + "...(" + text.length() + " chars)";
    }

    private static String summary(final Map<String, ? extends List<?>> byTable)
    {
        final StringBuilder sb = new StringBuilder();
        byTable.forEach((table, list) -> sb.append(table).append(':').append(list.size()).append(' '));
        return sb.toString().trim();
    }

    /** Limit 0 in the model means "no Limit parameter", which DynamoDB (and Ferrite) tell apart from Limit=0. */
    private static Query withLimit(final Query query, final int limit)
    {
        return limit > 0 ? query.limit(limit) : query;
    }
}
