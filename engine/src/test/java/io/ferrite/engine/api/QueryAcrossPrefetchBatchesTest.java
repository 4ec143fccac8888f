package io.ferrite.engine.api;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.shard.SortKeyCondition;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Query reads its entries ahead in batches (16 at a time, through a second index cursor) once a partition's store
 * holds over 8 MiB: results and pages must not depend on where a batch ends. A partition key of 70 items between two neighbours is queried in both
 * directions, with conditions whose ranges start and end inside and across batches, with every Limit from 1 to 40,
 * and page by page through ExclusiveStartKey; every answer is compared with the expected sort keys, and a neighbour's
 * item never leaks in.
 */
class QueryAcrossPrefetchBatchesTest
{
    private static final int ITEMS = 70;

    @TempDir
    Path dir;

    @Test
    void resultsAndPagesDoNotDependOnWhereAPrefetchBatchEnds()
    {
        try (Ferrite db = Ferrite.open(new EngineConfig().dataDir(dir).partitionMaxItems(10_000).initialPartitions(1)))
        {
            db.createTable(TableSpec.of("orders").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N));
            // over 8 MiB of items in the one partition, so that its store prefetches (HashItemStore.prefetchPays)
            final AttributeValue filler = AttributeValue.b(new byte[100_000]);
            for (int i = 0; i < 90; i++)
            {
                db.putItem("orders", Map.of("pk", s("z"), "sk", n(i), "v", filler));
            }
            for (int i = 0; i < ITEMS; i++)
            {
                db.putItem("orders", Map.of("pk", s("m"), "sk", n(i), "v", s("item " + i)));
            }
            for (int i = 0; i < 20; i++)
            {
                db.putItem("orders", Map.of("pk", s("l"), "sk", n(i)));
                db.putItem("orders", Map.of("pk", s("n"), "sk", n(i)));
            }

            for (final boolean forward : new boolean[] {true, false})
            {
                check(db, base(forward), forward, i -> true);
                check(db, base(forward).sortKey(SortKeyCondition.GT, n(15)), forward, i -> i > 15);
                check(db, base(forward).sortKey(SortKeyCondition.GE, n(16)), forward, i -> i >= 16);
                check(db, base(forward).sortKey(SortKeyCondition.LT, n(17)), forward, i -> i < 17);
                check(db, base(forward).sortKey(SortKeyCondition.LE, n(33)), forward, i -> i <= 33);
                check(db, base(forward).sortKey(SortKeyCondition.BETWEEN, n(14), n(49)), forward,
                    i -> i >= 14 && i <= 49);
                check(db, base(forward).sortKey(SortKeyCondition.EQ, n(31)), forward, i -> i == 31);
            }
        }
    }

    private static Query base(final boolean forward)
    {
        return Query.on("orders").partitionKey(s("m")).scanIndexForward(forward);
    }

    /** The whole result, every Limit from 1 to 40, and paging through it with each of a few page sizes. */
    private static void check(final Ferrite db, final Query query, final boolean forward, final IntPredicate wanted)
    {
        final List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < ITEMS; i++)
        {
            if (wanted.test(forward ? i : ITEMS - 1 - i))
            {
                expected.add(forward ? i : ITEMS - 1 - i);
            }
        }
        final Page all = db.query(query);
        assertEquals(expected, sortKeys(all), "whole result");
        assertNull(all.lastEvaluatedKey());

        for (int limit = 1; limit <= 40; limit++)
        {
            final Page page = db.query(copy(query, forward).limit(limit));
            assertEquals(expected.subList(0, Math.min(limit, expected.size())), sortKeys(page), "limit " + limit);
        }

        for (final int pageSize : new int[] {1, 15, 16, 17, 32})
        {
            final List<Integer> seen = new ArrayList<>();
            Map<String, AttributeValue> start = null;
            int pages = 0;
            do
            {
                final Query next = copy(query, forward).limit(pageSize);
                final Page page = db.query(null == start ? next : next.exclusiveStartKey(start));
                seen.addAll(sortKeys(page));
                start = page.lastEvaluatedKey();
                pages++;
            }
            while (null != start && pages <= ITEMS + 1);
            assertEquals(expected, seen, "pages of " + pageSize);
        }
    }

    private static Query copy(final Query query, final boolean forward)
    {
        final Query copy = Query.on(query.tableName()).partitionKey(query.partitionKey()).scanIndexForward(forward);
        if (SortKeyCondition.BETWEEN == query.condition())
        {
            return copy.sortKey(SortKeyCondition.BETWEEN, query.sortKeyValue(), query.sortKeyUpper());
        }
        if (SortKeyCondition.NONE != query.condition())
        {
            return copy.sortKey(query.condition(), query.sortKeyValue());
        }
        return copy;
    }

    private static List<Integer> sortKeys(final Page page)
    {
        final List<Integer> keys = new ArrayList<>();
        for (final Map<String, AttributeValue> item : page.items())
        {
            assertEquals(s("m"), item.get("pk"), "an item of another partition key");
            final int sortKey = Integer.parseInt(item.get("sk").asNumber());
            assertEquals(s("item " + sortKey), item.get("v"));
            keys.add(sortKey);
        }
        return keys;
    }
}
