package io.ferrite.engine.api;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scan reads its entries ahead in batches as Query does (16 at a time, through each partition's second index cursor)
 * once a partition's store holds over 8 MiB: what a scan returns must not depend on where a batch ends, where a
 * partition ends, where a segment ends or where a page ends. A table of two partitions, each over 8 MiB, is scanned
 * whole, with every Limit from 1 to 40, page by page with several page sizes, and in 1 to 5 segments; every answer
 * is compared with the items written and with the whole scan's order.
 */
class ScanAcrossPrefetchBatchesTest
{
    private static final int LARGE = 200;
    private static final int SMALL = 300;

    @TempDir
    Path dir;

    @Test
    void resultsAndPagesDoNotDependOnWhereAPrefetchBatchEnds()
    {
        try (Ferrite db = Ferrite.open(new EngineConfig().dataDir(dir).partitionMaxItems(10_000).initialPartitions(2)))
        {
            db.createTable(TableSpec.of("scanned").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N));
            // ~20 MB of 100 KB items over the two partitions, so that each one's store prefetches
            // (HashItemStore.prefetchPays), and so that 1 MB pages end every ten or so of them
            final AttributeValue filler = AttributeValue.b(new byte[100_000]);
            final Set<String> written = new HashSet<>();
            for (int i = 0; i < LARGE; i++)
            {
                db.putItem("scanned", Map.of("pk", s("large " + i), "sk", n(i), "v", filler));
                written.add("large " + i + "/" + i);
            }
            for (int i = 0; i < SMALL; i++)
            {
                db.putItem("scanned", Map.of("pk", s("small " + i / 3), "sk", n(i % 3), "v", s("item " + i)));
                written.add("small " + i / 3 + "/" + i % 3);
            }

            final List<String> all = scanAll(db, 0, 1, 0);
            final Set<String> missing = new HashSet<>(written);
            missing.removeAll(all);
            final Set<String> unexpected = new HashSet<>(all);
            unexpected.removeAll(written);
            assertTrue(missing.isEmpty() && unexpected.isEmpty(),
                "the whole scan returns the items written: missing " + missing + ", not written " + unexpected);
            assertEquals(written.size(), all.size(), "and each once");

            for (int limit = 1; limit <= 40; limit++)
            {
                // a page also ends at 1 MB, so after at most ten or so of the large items
                final List<String> keys = keys(db.scan(Scan.on("scanned").limit(limit)));
                assertTrue(!keys.isEmpty() && keys.size() <= limit, "limit " + limit + ": " + keys.size() + " items");
                assertEquals(all.subList(0, keys.size()), keys, "limit " + limit);
            }

            for (final int pageSize : new int[] {1, 15, 16, 17, 32, 250})
            {
                assertEquals(all, scanAll(db, 0, 1, pageSize), "pages of " + pageSize);
            }

            for (int totalSegments = 2; totalSegments <= 5; totalSegments++)
            {
                final List<String> union = new ArrayList<>();
                for (int segment = 0; segment < totalSegments; segment++)
                {
                    union.addAll(scanAll(db, segment, totalSegments, 0));
                    assertEquals(scanAll(db, segment, totalSegments, 0), scanAll(db, segment, totalSegments, 7),
                        "segment " + segment + " of " + totalSegments + " in pages of 7");
                }
                assertEquals(all, union, totalSegments + " segments, in segment order, are the whole scan");
            }
        }
    }

    /** Every page of one segment, following LastEvaluatedKey; a page size of 0 means no Limit. */
    private static List<String> scanAll(final Ferrite db, final int segment, final int totalSegments, final int limit)
    {
        final List<String> seen = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        int pages = 0;
        do
        {
            Scan scan = Scan.on("scanned").segment(segment, totalSegments);
            if (limit > 0)
            {
                scan = scan.limit(limit);
            }
            final Page page = db.scan(null == start ? scan : scan.exclusiveStartKey(start));
            seen.addAll(keys(page));
            start = page.lastEvaluatedKey();
            pages++;
        }
        while (null != start && pages <= LARGE + SMALL + 1);
        assertNull(start, "the scan ends");
        return seen;
    }

    private static List<String> keys(final Page page)
    {
        final List<String> keys = new ArrayList<>();
        for (final Map<String, AttributeValue> item : page.items())
        {
            final String pk = item.get("pk").asString();
            final int sk = Integer.parseInt(item.get("sk").asNumber());
            if (pk.startsWith("small "))
            {
                assertEquals(s("item " + (Integer.parseInt(pk.substring(6)) * 3 + sk)), item.get("v"), pk + "/" + sk);
            }
            else
            {
                assertEquals(100_000, item.get("v").asBytes().length, pk + "/" + sk);
            }
            keys.add(pk + "/" + sk);
        }
        return keys;
    }
}
