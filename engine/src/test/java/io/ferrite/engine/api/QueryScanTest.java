package io.ferrite.engine.api;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.shard.Shard;
import io.ferrite.engine.shard.SortKeyCondition;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static io.ferrite.codecs.item.AttributeValue.b;
import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static io.ferrite.engine.api.Expect.validation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Query and Scan: every sort key condition in both directions for S, N and B keys against a reference
 * filter, Limit paging that reproduces the whole result, the 1 MB page, parallel scan segments, and the
 * errors for conditions DynamoDB refuses.
 */
class QueryScanTest
{
    private static final List<SortKeyCondition> SINGLE_OPERAND = List.of(SortKeyCondition.EQ, SortKeyCondition.LT,
        SortKeyCondition.LE, SortKeyCondition.GT, SortKeyCondition.GE, SortKeyCondition.BEGINS_WITH);

    @TempDir
    Path dir;

    private EngineConfig config()
    {
        return new EngineConfig().dataDir(dir).partitionMaxItems(10_000).initialPartitions(4);
    }

    @Test
    void everySortKeyConditionInBothDirectionsMatchesAReferenceFilterForStringNumberAndBinaryKeys()
    {
        final List<AttributeValue> strings = new ArrayList<>();
        for (final String v : List.of("a", "ab", "abc", "abd", "b", "ba", "bb", "c", "\u00e9", "\u00e9t\u00e9", "~"))
        {
            strings.add(s(v));
        }
        final List<AttributeValue> numbers = new ArrayList<>();
        for (final String v : List.of("-1E+3", "-12.5", "-1", "-0.001", "0", "0.5", "1", "1.5", "2", "10",
            "1E+2", "123.456", "1E+10"))
        {
            numbers.add(n(v));
        }
        final List<AttributeValue> binaries = new ArrayList<>();
        for (final int[] v : new int[][]{ { 0 }, { 0, 1 }, { 1 }, { 0x7F }, { 0x7F, 0xFF }, { 0x80 }, { 0x80, 0 },
            { 0xFF }, { 0xFF, 0xFF } })
        {
            binaries.add(b(bytes(v)));
        }
        final Comparator<AttributeValue> byUtf8 = Comparator.comparing(
            v -> v.asString().getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned);
        final Comparator<AttributeValue> byNumber = Comparator.comparing(v -> new BigDecimal(v.asNumber()));
        final Comparator<AttributeValue> byBytes = Comparator.comparing(AttributeValue::asBytes, Arrays::compareUnsigned);
        final Function<AttributeValue, byte[]> utf8 = v -> v.asString().getBytes(StandardCharsets.UTF_8);

        try (Ferrite db = Ferrite.open(config()))
        {
            check(db, "by_s", KeyType.S, strings, List.of(s("a"), s("ab"), s("abc"), s("b"), s("aa"), s("bz"),
                s("\u00e9"), s("zz")), byUtf8, utf8);
            check(db, "by_n", KeyType.N, numbers, List.of(n("-12.5"), n("-5"), n("0"), n("1"), n("1.25"), n("1E+2"),
                n("-1E+4"), n("1E+20")), byNumber, null);
            check(db, "by_b", KeyType.B, binaries, List.of(b(bytes(new int[]{ 0 })), b(bytes(new int[]{ 0x7F })),
                b(bytes(new int[]{ 0x80 })), b(bytes(new int[]{ 0xFF })), b(bytes(new int[]{ 0x40 }))), byBytes,
                AttributeValue::asBytes);
        }
    }

    @Test
    void conditionsDynamoDbRefusesAreValidationErrorsNamingTheRule()
    {
        try (Ferrite db = Ferrite.open(config()))
        {
            db.createTable(TableSpec.of("num").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N));
            db.createTable(TableSpec.of("flat").partitionKey("pk", KeyType.S));
            db.putItem("num", Map.of("pk", s("a"), "sk", n(1)));
            db.putItem("num", Map.of("pk", s("b"), "sk", n(1)));

            validation(() -> db.query(Query.on("num").partitionKey(s("a")).sortKey(SortKeyCondition.BEGINS_WITH, n(1))),
                "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N");
            validation(() -> db.query(Query.on("num").partitionKey(s("a"))
                .sortKey(SortKeyCondition.BETWEEN, n(5), n(-5))),
                "BETWEEN operator requires upper bound to be greater than or equal to lower bound", "{N:5}", "{N:-5}");
            assertEquals(1, db.query(Query.on("num").partitionKey(s("a"))
                .sortKey(SortKeyCondition.BETWEEN, n(1), n(1))).count());
            validation(() -> db.query(Query.on("flat").partitionKey(s("a")).sortKey(SortKeyCondition.EQ, s("x"))),
                "the table has no sort key");
            final String typeRule = "Condition parameter type does not match schema type";
            validation(() -> db.query(Query.on("num").partitionKey(n(1))), typeRule);
            validation(() -> db.query(Query.on("num").partitionKey(s("a")).sortKey(SortKeyCondition.GT, s("1"))),
                typeRule);
            validation(() -> db.query(Query.on("num").partitionKey(s("a")).sortKey(SortKeyCondition.BETWEEN, n(1),
                s("2"))), typeRule);
            validation(() -> db.query(Query.on("num").partitionKey(AttributeValue.bool(true))), typeRule,
                "BOOL cannot be a key");
            validation(() -> db.query(Query.on("num")), "Query condition missed key schema element: pk");
            validation(() -> db.query(Query.on("num").partitionKey(s(""))), "empty", "Key: pk");
            validation(() -> db.query(Query.on("num").partitionKey(s("a")).limit(-1)), "Value '-1' at 'limit'");
            validation(() -> db.query(Query.on("num").partitionKey(s("a")).limit(0)), "Value '0' at 'limit'");
            validation(() -> db.query(Query.on("num").partitionKey(s("a"))
                .exclusiveStartKey(Map.of("pk", s("b"), "sk", n(1)))), "The provided starting key is invalid");
            validation(() -> db.query(Query.on("num").partitionKey(s("a"))
                .exclusiveStartKey(Map.of("pk", s("a")))), "The provided key element does not match the schema");
        }
    }

    @Test
    void aPageStopsBeforeOneMebibyteAndTheNextPageContinuesExactlyInBothDirectionsAndInScans()
    {
        try (Ferrite db = Ferrite.open(config()))
        {
            db.createTable(TableSpec.of("big").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N));
            final Map<String, AttributeValue> first = Map.of("pk", s("p"), "sk", n(0), "blob", b(new byte[300_000]));
            final int encoded = ItemCodec.encode(first).length;
            final int perPage = Shard.MAX_PAGE_BYTES / encoded;
            assertEquals(3, perPage);
            for (int i = 0; i < 5; i++)
            {
                db.putItem("big", Map.of("pk", s("p"), "sk", n(i), "blob", b(new byte[300_000])));
            }

            for (final boolean forward : List.of(true, false))
            {
                final Page page1 = db.query(Query.on("big").partitionKey(s("p")).scanIndexForward(forward));
                assertEquals(perPage, page1.count());
                final int lastOfPage1 = forward ? perPage - 1 : 5 - perPage;
                assertEquals(Map.of("pk", s("p"), "sk", n(lastOfPage1)), page1.lastEvaluatedKey());
                final Page page2 = db.query(Query.on("big").partitionKey(s("p")).scanIndexForward(forward)
                    .exclusiveStartKey(page1.lastEvaluatedKey()));
                assertEquals(5 - perPage, page2.count());
                assertNull(page2.lastEvaluatedKey());
                final List<AttributeValue> order = new ArrayList<>();
                page1.items().forEach(item -> order.add(item.get("sk")));
                page2.items().forEach(item -> order.add(item.get("sk")));
                final List<AttributeValue> expected = List.of(n(0), n(1), n(2), n(3), n(4));
                assertEquals(forward ? expected : reversed(expected), order);
            }

            final Page scan1 = db.scan(Scan.on("big"));
            assertEquals(perPage, scan1.count());
            assertNotNull(scan1.lastEvaluatedKey());
            final Page scan2 = db.scan(Scan.on("big").exclusiveStartKey(scan1.lastEvaluatedKey()));
            assertEquals(5 - perPage, scan2.count());
            assertNull(scan2.lastEvaluatedKey());
        }
    }

    @Test
    void parallelScanSegmentsPartitionTheTableExactlyAndPageWithLimit()
    {
        try (Ferrite db = Ferrite.open(config()))
        {
            db.createTable(TableSpec.of("seg").partitionKey("id", KeyType.N));
            final Set<AttributeValue> all = new HashSet<>();
            for (int i = 0; i < 300; i++)
            {
                db.putItem("seg", Map.of("id", n(i)));
                all.add(n(i));
            }

            for (final int total : List.of(1, 2, 3, 4, 5, 7, 16, 1000))
            {
                final Set<AttributeValue> union = new HashSet<>();
                int sum = 0;
                for (int segment = 0; segment < total; segment++)
                {
                    final List<AttributeValue> ids = scanAll(db, segment, total, 0 == segment % 2 ? 7 : 0);
                    sum += ids.size();
                    union.addAll(ids);
                }
                assertEquals(300, sum, "segments overlap for TotalSegments " + total);
                assertEquals(all, union, "segments miss items for TotalSegments " + total);
            }

            validation(() -> db.scan(Scan.on("seg").segment(0, 0)),
                "Value '0' at 'totalSegments'", "greater than or equal to 1");
            validation(() -> db.scan(Scan.on("seg").segment(0, 1_000_001)),
                "Value '1000001' at 'totalSegments'", "less than or equal to 1000000");
            validation(() -> db.scan(Scan.on("seg").segment(3, 3)),
                "The Segment parameter is zero-based and must be less than parameter TotalSegments", "Segment: 3");
            validation(() -> db.scan(Scan.on("seg").segment(-1, 3)), "Segment: -1");
            validation(() -> db.scan(Scan.on("seg").limit(-5)), "Value '-5' at 'limit'");
            validation(() -> db.scan(Scan.on("seg").limit(0)), "Value '0' at 'limit'");

            final Page segmentZero = db.scan(Scan.on("seg").segment(0, 2).limit(1));
            final Map<String, AttributeValue> startInZero = segmentZero.lastEvaluatedKey();
            validation(() -> db.scan(Scan.on("seg").segment(1, 2).exclusiveStartKey(startInZero)),
                "The provided Exclusive start key does not map to the provided Segment", "Segment: 1");
        }
    }

    private static void check(
        final Ferrite db,
        final String tableName,
        final KeyType type,
        final List<AttributeValue> values,
        final List<AttributeValue> operands,
        final Comparator<AttributeValue> order,
        final Function<AttributeValue, byte[]> prefixBytes)
    {
        db.createTable(TableSpec.of(tableName).partitionKey("pk", KeyType.S).sortKey("sk", type));
        final List<AttributeValue> shuffled = new ArrayList<>(values);
        Collections.shuffle(shuffled, new java.util.Random(42));
        for (final AttributeValue value : shuffled)
        {
            db.putItem(tableName, Map.of("pk", s("p"), "sk", value));
            db.putItem(tableName, Map.of("pk", s("other"), "sk", value));
        }
        final List<AttributeValue> sorted = new ArrayList<>(values);
        sorted.sort(order);

        expect(db, tableName, SortKeyCondition.NONE, null, null, sorted);
        for (final SortKeyCondition condition : SINGLE_OPERAND)
        {
            if (SortKeyCondition.BEGINS_WITH == condition && null == prefixBytes)
            {
                continue;
            }
            for (final AttributeValue operand : operands)
            {
                final List<AttributeValue> expected = new ArrayList<>();
                for (final AttributeValue value : sorted)
                {
                    final int cmp = order.compare(value, operand);
                    final boolean match;
                    switch (condition)
                    {
                        case EQ: match = 0 == cmp; break;
                        case LT: match = cmp < 0; break;
                        case LE: match = cmp <= 0; break;
                        case GT: match = cmp > 0; break;
                        case GE: match = cmp >= 0; break;
                        default: match = startsWith(prefixBytes.apply(value), prefixBytes.apply(operand));
                    }
                    if (match)
                    {
                        expected.add(value);
                    }
                }
                expect(db, tableName, condition, operand, null, expected);
            }
        }
        for (final AttributeValue low : operands)
        {
            for (final AttributeValue high : operands)
            {
                if (order.compare(low, high) > 0)
                {
                    continue;
                }
                final List<AttributeValue> expected = new ArrayList<>();
                for (final AttributeValue value : sorted)
                {
                    if (order.compare(value, low) >= 0 && order.compare(value, high) <= 0)
                    {
                        expected.add(value);
                    }
                }
                expect(db, tableName, SortKeyCondition.BETWEEN, low, high, expected);
            }
        }
    }

    private static void expect(
        final Ferrite db,
        final String tableName,
        final SortKeyCondition condition,
        final AttributeValue operand,
        final AttributeValue upper,
        final List<AttributeValue> ascending)
    {
        for (final boolean forward : List.of(true, false))
        {
            final List<AttributeValue> expected = forward ? ascending : reversed(ascending);
            final String what = tableName + " " + condition + " " + operand + " " + upper + " forward=" + forward;
            for (final int limit : List.of(0, 1, 2, 3))
            {
                final List<AttributeValue> got = new ArrayList<>();
                Map<String, AttributeValue> start = null;
                int pages = 0;
                do
                {
                    final Query query = Query.on(tableName).partitionKey(s("p")).scanIndexForward(forward)
                        .exclusiveStartKey(start);
                    if (limit > 0)
                    {
                        query.limit(limit);
                    }
                    if (SortKeyCondition.BETWEEN == condition)
                    {
                        query.sortKey(condition, operand, upper);
                    }
                    else if (SortKeyCondition.NONE != condition)
                    {
                        query.sortKey(condition, operand);
                    }
                    final Page page = db.query(query);
                    assertTrue(0 == limit || page.count() <= limit, what);
                    page.items().forEach(item ->
                    {
                        assertEquals(s("p"), item.get("pk"), what);
                        got.add(item.get("sk"));
                    });
                    start = page.lastEvaluatedKey();
                    assertTrue(++pages <= expected.size() + 2, what + ": paging does not end");
                }
                while (null != start);
                assertEquals(expected, got, what + " limit=" + limit);
            }
        }
    }

    private static List<AttributeValue> scanAll(final Ferrite db, final int segment, final int total, final int limit)
    {
        final List<AttributeValue> ids = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do
        {
            final Scan scan = Scan.on("seg").segment(segment, total).exclusiveStartKey(start);
            final Page page = db.scan(limit > 0 ? scan.limit(limit) : scan);
            page.items().forEach(item -> ids.add(item.get("id")));
            start = page.lastEvaluatedKey();
        }
        while (null != start);
        return ids;
    }

    private static boolean startsWith(final byte[] value, final byte[] prefix)
    {
        return value.length >= prefix.length && Arrays.equals(value, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static List<AttributeValue> reversed(final List<AttributeValue> values)
    {
        final List<AttributeValue> copy = new ArrayList<>(values);
        Collections.reverse(copy);
        return copy;
    }

    private static byte[] bytes(final int[] values)
    {
        final byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++)
        {
            bytes[i] = (byte)values[i];
        }
        return bytes;
    }
}
