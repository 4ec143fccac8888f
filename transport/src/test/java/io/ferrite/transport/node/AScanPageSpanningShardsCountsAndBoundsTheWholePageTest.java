package io.ferrite.transport.node;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.engine.admission.CapacityUnits;
import io.ferrite.engine.admission.ConsumedCapacity;
import io.ferrite.engine.admission.ReturnConsumedCapacity;
import io.ferrite.engine.api.Page;
import io.ferrite.engine.api.Scan;
import io.ferrite.engine.shard.Shard;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.transport.client.ClientNodeFixture;
import io.ferrite.transport.client.FerriteBlockingClient;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On a node of several shards, a Scan page whose shards find nothing for it (a FilterExpression that matches nothing)
 * walks on to the next shard within the same page. DynamoDB's page is one read: Limit bounds the items it evaluates,
 * at most 1 MB is read, ScannedCount counts every item evaluated and ConsumedCapacity is what the whole read cost.
 * Before, each shard started the page afresh (a new Limit, a new 1 MB) and the answer reported the last shard's
 * items and capacity alone, though every shard had read and charged its own.
 */
class AScanPageSpanningShardsCountsAndBoundsTheWholePageTest
{
    private static final int SHARDS = 3;
    private static final String NOTHING = "attribute_not_exists(pk)";

    private ClientNodeFixture started;
    private FerriteBlockingClient client;

    @AfterEach
    void closeAll()
    {
        CloseHelper.closeAll(started);
    }

    @Test
    void aPageThatFindsNothingCountsAndChargesEveryShardItRead()
    {
        start();
        final int items = fill("small", 60, 3_000);
        final long tableBytes = client.describeTable("small").sizeBytes();

        final Page page = client.scan(Scan.on("small").filter(NOTHING));
        assertEquals(0, page.count());
        assertEquals(items, page.scannedCount(), "every shard's items were evaluated by this one page");
        assertNull(page.lastEvaluatedKey(), "every shard is done");
        assertEquals(consumed("small", tableBytes), client.lastConsumedCapacity(),
            "the page read the whole table (" + tableBytes + " bytes), rounded up once");
    }

    @Test
    void limitBoundsTheItemsEvaluatedAcrossShards()
    {
        start();
        final int items = fill("limited", 60, 3_000);
        final long itemBytes = client.describeTable("limited").sizeBytes() / items;

        final Page all = client.scan(Scan.on("limited").filter(NOTHING).limit(items));
        assertEquals(items, all.scannedCount(), "Limit " + items + " evaluates the table's " + items + " items");
        assertNotNull(all.lastEvaluatedKey(), "a page that reached its Limit says where it stopped");
        final Page rest = client.scan(Scan.on("limited").filter(NOTHING).limit(items)
            .exclusiveStartKey(all.lastEvaluatedKey()));
        assertEquals(0, rest.scannedCount());
        assertNull(rest.lastEvaluatedKey());

        final Page allButOne = client.scan(Scan.on("limited").filter(NOTHING).limit(items - 1));
        assertEquals(items - 1, allButOne.scannedCount());
        assertEquals(consumed("limited", (items - 1) * itemBytes), client.lastConsumedCapacity());
        final Page last = client.scan(Scan.on("limited").filter(NOTHING).limit(items - 1)
            .exclusiveStartKey(allButOne.lastEvaluatedKey()));
        assertEquals(1, last.scannedCount(), "the one item the first page did not evaluate");

        final List<Integer> scanned = scanToTheEnd("limited", 7);
        assertEquals(items, scanned.stream().mapToInt(Integer::intValue).sum(), "each item evaluated once: " + scanned);
        for (int i = 0; i < scanned.size() - 1; i++)
        {
            assertEquals(7, scanned.get(i), "every page but the last evaluates its Limit, across shards: " + scanned);
        }
        assertTrue(scanned.get(scanned.size() - 1) <= 7, scanned.toString());
    }

    @Test
    void aPageReadsAboutOneMegabyteAcrossShards()
    {
        start();
        final int items = fill("large", 30, 100_000);
        final long itemBytes = client.describeTable("large").sizeBytes() / items;

        final List<Integer> scanned = scanToTheEnd("large", 0);
        assertEquals(items, scanned.stream().mapToInt(Integer::intValue).sum(), "each item evaluated once: " + scanned);
        for (final int count : scanned)
        {
            // a page goes on to the next shard for at least one item, as DynamoDB's read ends with the item that
            // takes it past 1 MB
            assertTrue(count * itemBytes <= Shard.MAX_PAGE_BYTES + itemBytes,
                "a page of " + count + " items of " + itemBytes + " bytes read more than 1 MB: " + scanned);
        }
    }

    @Test
    void aPageThatEndsOnAShardWithMoreToFollowResumesAfterTheLastItemItEvaluated()
    {
        start();
        client.createTable(TableSpec.of("mixed").partitionKey("pk", KeyType.S));
        final int items = 60;
        for (int i = 0; i < items; i++)
        {
            client.putItem("mixed", 0 == i % 2 ? Map.of("pk", s(String.format("k%04d", i)), "keep", s("yes")) :
                Map.of("pk", s(String.format("k%04d", i))));
        }
        int count = 0;
        int scanned = 0;
        Map<String, AttributeValue> start = null;
        do
        {
            // the projection leaves the key out: where a page stops is the key of the item it evaluated last
            final Page page = client.scan(Scan.on("mixed").filter("attribute_exists(keep)").projection("keep")
                .exclusiveStartKey(start));
            count += page.count();
            scanned += page.scannedCount();
            page.items().forEach(item -> assertEquals(Map.of("keep", s("yes")), item));
            start = page.lastEvaluatedKey();
        }
        while (null != start);
        assertEquals(items / 2, count);
        assertEquals(items, scanned, "each item evaluated by one page only");
    }

    private void start()
    {
        started = ClientNodeFixture.launch(SHARDS);
        client = started.connect();
        client.returnConsumedCapacity(ReturnConsumedCapacity.TOTAL);
    }

    /**
     * Writes {@code items} items of one size, and checks that they landed on more than one shard (a Scan segment of
     * {@link #SHARDS} covers one shard's hash range), so that a page has shards to walk on to.
     */
    private int fill(final String table, final int items, final int payloadChars)
    {
        client.createTable(TableSpec.of(table).partitionKey("pk", KeyType.S));
        for (int i = 0; i < items; i++)
        {
            client.putItem(table, Map.of("pk", s(String.format("k%04d", i)), "payload", s("x".repeat(payloadChars))));
        }
        int shardsWithItems = 0;
        for (int segment = 0; segment < SHARDS; segment++)
        {
            int inSegment = 0;
            Map<String, AttributeValue> start = null;
            do
            {
                final Page page = client.scan(Scan.on(table).segment(segment, SHARDS).exclusiveStartKey(start));
                inSegment += page.scannedCount();
                start = page.lastEvaluatedKey();
            }
            while (null != start);
            shardsWithItems += inSegment > 0 ? 1 : 0;
        }
        assertTrue(shardsWithItems > 1, "the items landed on " + shardsWithItems + " shard(s)");
        return items;
    }

    private List<Integer> scanToTheEnd(final String table, final int limit)
    {
        final List<Integer> scanned = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do
        {
            final Scan scan = Scan.on(table).filter(NOTHING).exclusiveStartKey(start);
            final Page page = client.scan(0 == limit ? scan : scan.limit(limit));
            assertEquals(0, page.count());
            scanned.add(page.scannedCount());
            start = page.lastEvaluatedKey();
        }
        while (null != start);
        return scanned;
    }

    private static ConsumedCapacity consumed(final String table, final long bytesRead)
    {
        return ConsumedCapacity.of(table, CapacityUnits.queryHalfUnits(bytesRead, false), 0);
    }
}
