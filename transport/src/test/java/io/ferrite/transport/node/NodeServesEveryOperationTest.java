package io.ferrite.transport.node;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.sbe.AttributeType;
import io.ferrite.codecs.sbe.ReturnValuesType;
import io.ferrite.codecs.sbe.SortKeyConditionType;
import io.ferrite.codecs.sbe.TableDescriptionResponseDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.ferrite.transport.node.RawSession.error;
import static io.ferrite.transport.node.RawSession.item;
import static io.ferrite.transport.node.RawSession.ok;
import static io.ferrite.transport.node.RawSession.page;
import static io.ferrite.transport.node.RawSession.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every operation of the schema through a node started in-process, over IPC and over UDP, on one shard
 * and on two (where Scan pages, batches and table management cross shards), with raw SBE frames.
 */
class NodeServesEveryOperationTest
{
    private static final String[] PARTITIONS = { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j" };
    private static final int SORT_KEYS = 8;

    @Test
    void batchGetPastOneReplyReturnsTheRestAsUnprocessedKeys()
    {
        try (NodeFixture fixture = new NodeFixture(1))
        {
            final RawSession s = fixture.session(false).connect();
            ok(s.createTable("Big", "pk", AttributeType.S, "sk", AttributeType.N));
            final String payload = "x".repeat(390 * 1024);
            final List<Map<String, AttributeValue>> keys = new ArrayList<>();
            final Set<Map<String, AttributeValue>> stored = new HashSet<>();
            for (int i = 0; i < 16; i++)
            {
                final Map<String, AttributeValue> item = item("pk", "big" + i, "sk", i, "v", payload);
                assertNull(item(s.putItem("Big", item, ReturnValuesType.NONE)));
                stored.add(item);
                keys.add(item("pk", "big" + i, "sk", i));
            }
            // 16 x 390 KB is more than one reply holds: what does not fit comes back as unprocessed keys
            final int[] unprocessed = new int[1];
            final List<Map<String, AttributeValue>> got = RawSession.batchGetItems(s.batchGet("Big", keys), unprocessed);
            assertTrue(unprocessed[0] > 0, "some keys unprocessed: " + unprocessed[0]);
            assertTrue(got.size() > 0, "some items returned");
            assertEquals(16, got.size() + unprocessed[0]);
            assertTrue(stored.containsAll(got), "returned items are the stored ones");
        }
    }

    @ParameterizedTest(name = "udp={0} shards={1}")
    @CsvSource({ "false,1", "true,1", "false,2", "true,2" })
    void everyOperationAnswersCorrectly(final boolean udp, final int shards)
    {
        try (NodeFixture fixture = new NodeFixture(shards))
        {
            final RawSession s = fixture.session(udp).connect();
            assertEquals(10_000, s.sessionTimeoutMs);

            // tables
            ok(s.createTable("Orders", "pk", AttributeType.S, "sk", AttributeType.N));
            assertTrue(error(s.createTable("Orders", "pk", AttributeType.S, null, null)).startsWith("ResourceInUseException"));
            ok(s.createTable("Events", "id", AttributeType.S, "at", AttributeType.S));
            assertTrue(error(s.createTable("x", "pk", AttributeType.S, null, null)).startsWith("ValidationException"));
            assertEquals(List.of("Events", "Orders"), RawSession.tableNames(s.listTables(0, null)));
            assertEquals(List.of("Events", "...after Events"), RawSession.tableNames(s.listTables(1, null)));
            assertEquals(List.of("Orders"), RawSession.tableNames(s.listTables(1, "Events")));

            // puts, gets
            final Set<String> all = new HashSet<>();
            for (final String pk : PARTITIONS)
            {
                for (int sk = 1; sk <= SORT_KEYS; sk++)
                {
                    assertNull(item(s.putItem("Orders", item("pk", pk, "sk", sk, "note", "n" + sk), ReturnValuesType.NONE)));
                    all.add(pk + "/" + sk);
                }
            }
            final Map<String, AttributeValue> old = item(s.putItem("Orders",
                item("pk", "a", "sk", 1, "note", "changed"), ReturnValuesType.ALL_OLD));
            assertEquals(AttributeValue.s("n1"), old.get("note"));
            assertEquals(AttributeValue.s("changed"), item(s.getItem("Orders", item("pk", "a", "sk", 1))).get("note"));
            assertNull(item(s.getItem("Orders", item("pk", "zz", "sk", 1))));
            assertTrue(error(s.getItem("Orders", item("pk", "a"))).startsWith("ValidationException"));
            assertTrue(error(s.getItem("NoSuchTable", item("pk", "a", "sk", 1))).startsWith("ResourceNotFoundException"));

            // updates: attribute-level set and remove, every ReturnValues
            final Map<String, AttributeValue> updated = item(s.updateItem("Orders", item("pk", "b", "sk", 2),
                item("color", "red"), item("note", "ignored"), ReturnValuesType.ALL_NEW, ""));
            assertEquals(item("pk", "b", "sk", 2, "color", "red"), updated);
            assertEquals(item("color", "red"), item(s.updateItem("Orders", item("pk", "b", "sk", 2),
                item("color", "blue"), null, ReturnValuesType.UPDATED_OLD, "")));
            assertEquals(item("color", "green"), item(s.updateItem("Orders", item("pk", "b", "sk", 2),
                item("color", "green"), null, ReturnValuesType.UPDATED_NEW, "")));
            assertEquals(item("pk", "b", "sk", 2, "color", "green"), item(s.updateItem("Orders", item("pk", "b", "sk", 2),
                null, item("color", "x"), ReturnValuesType.ALL_OLD, "")));
            assertNull(item(s.updateItem("Orders", item("pk", "b", "sk", 2), item("n", 1), null, ReturnValuesType.NONE, "")));
            final String expression = error(s.updateItem("Orders", item("pk", "b", "sk", 2), null, null,
                ReturnValuesType.NONE, "SET a = :v"));
            assertEquals("ValidationException: Invalid UpdateExpression: An expression attribute value used in expression " +
                "is not defined; attribute value: :v", expression);

            // query: every condition, both directions, pages
            final byte[] pkC = value(AttributeValue.s("c"));
            assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), sortKeys(s.query("Orders", pkC, SortKeyConditionType.NONE, null, null, true, 0, null)));
            assertEquals(List.of(8, 7, 6, 5, 4, 3, 2, 1), sortKeys(s.query("Orders", pkC, SortKeyConditionType.NONE, null, null, false, 0, null)));
            assertEquals(List.of(5), sortKeys(s.query("Orders", pkC, SortKeyConditionType.EQ, n(5), null, true, 0, null)));
            assertEquals(List.of(1, 2), sortKeys(s.query("Orders", pkC, SortKeyConditionType.LT, n(3), null, true, 0, null)));
            assertEquals(List.of(3, 2, 1), sortKeys(s.query("Orders", pkC, SortKeyConditionType.LE, n(3), null, false, 0, null)));
            assertEquals(List.of(7, 8), sortKeys(s.query("Orders", pkC, SortKeyConditionType.GT, n(6), null, true, 0, null)));
            assertEquals(List.of(8, 7, 6), sortKeys(s.query("Orders", pkC, SortKeyConditionType.GE, n(6), null, false, 0, null)));
            assertEquals(List.of(3, 4, 5), sortKeys(s.query("Orders", pkC, SortKeyConditionType.BETWEEN, n(3), n(5), true, 0, null)));
            assertTrue(error(s.query("Orders", pkC, SortKeyConditionType.BEGINS_WITH, n(3), null, true, 0, null))
                .startsWith("ValidationException"));
            final List<Integer> paged = new ArrayList<>();
            byte[] start = null;
            int pages = 0;
            do
            {
                final RawSession.Page page = page(s.query("Orders", pkC, SortKeyConditionType.NONE, null, null, true, 3, start));
                page.items().forEach(i -> paged.add(Integer.parseInt(i.get("sk").asNumber())));
                start = page.lastEvaluatedKey();
                pages++;
            }
            while (null != start);
            assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), paged);
            assertTrue(pages >= 3);

            for (final String at : new String[]{ "2026-01-01", "2026-01-02", "2026-02-01", "2027-01-01" })
            {
                ok(s.putItem("Events", item("id", "e1", "at", at), ReturnValuesType.NONE));
            }
            final RawSession.Page january = page(s.query("Events", value(AttributeValue.s("e1")),
                SortKeyConditionType.BEGINS_WITH, value(AttributeValue.s("2026-01")), null, true, 0, null));
            assertEquals(2, january.count());

            // scan: pages of 7 across every shard, then 3 parallel segments
            assertEquals(all, scanAll(s, 0, 1, 7));
            assertEquals(all, scanAll(s, 0, 1, 0));
            final Set<String> segments = new HashSet<>();
            int total = 0;
            for (int segment = 0; segment < 3; segment++)
            {
                final Set<String> part = scanAll(s, segment, 3, 4);
                total += part.size();
                segments.addAll(part);
            }
            assertEquals(all, segments);
            assertEquals(all.size(), total);

            // batches across shards
            final List<Map<String, AttributeValue>> puts = new ArrayList<>();
            final List<Map<String, AttributeValue>> keys = new ArrayList<>();
            for (int i = 0; i < 25; i++)
            {
                puts.add(item("pk", "batch" + i, "sk", i, "v", "x"));
                keys.add(item("pk", "batch" + i, "sk", i));
            }
            assertEquals(0, RawSession.batchWriteUnprocessed(s.batchWrite("Orders", puts, List.of())));
            final List<Map<String, AttributeValue>> wanted = new ArrayList<>(keys);
            wanted.add(item("pk", "missing", "sk", 1));
            final int[] unprocessed = new int[1];
            final List<Map<String, AttributeValue>> got = RawSession.batchGetItems(s.batchGet("Orders", wanted), unprocessed);
            assertEquals(25, got.size());
            assertEquals(0, unprocessed[0]);
            assertEquals(new HashSet<>(puts), new HashSet<>(got));
            assertEquals(80 + 25, RawSession.itemCount(s.describeTable("Orders")));
            assertEquals(0, RawSession.batchWriteUnprocessed(s.batchWrite("Orders", List.of(), keys)));
            assertTrue(RawSession.batchGetItems(s.batchGet("Orders", keys), unprocessed).isEmpty());
            final List<Map<String, AttributeValue>> tooMany = new ArrayList<>(puts);
            tooMany.add(item("pk", "one", "sk", 1));
            assertTrue(error(s.batchWrite("Orders", tooMany, List.of())).startsWith("ValidationException"));
            final List<Map<String, AttributeValue>> badKey = new ArrayList<>(puts.subList(0, 3));
            badKey.add(item("pk", "nosk"));
            assertTrue(error(s.batchWrite("Orders", badKey, List.of())).contains("Missing the key sk"));
            assertTrue(RawSession.batchGetItems(s.batchGet("Orders", keys.subList(0, 3)), unprocessed).isEmpty(),
                "a rejected batch writes nothing");

            // deletes, DescribeTable, DeleteTable
            assertEquals(item("pk", "d", "sk", 4, "note", "n4"),
                item(s.deleteItem("Orders", item("pk", "d", "sk", 4), ReturnValuesType.ALL_OLD)));
            assertNull(item(s.getItem("Orders", item("pk", "d", "sk", 4))));
            assertEquals(79, RawSession.itemCount(s.describeTable("Orders")));
            final byte[] deleted = ok(s.deleteTable("Events"));
            assertEquals(TableDescriptionResponseDecoder.TEMPLATE_ID, RawSession.templateId(deleted));
            assertTrue(error(s.getItem("Events", item("id", "e1", "at", "x"))).startsWith("ResourceNotFoundException"));
            assertTrue(error(s.describeTable("Events")).startsWith("ResourceNotFoundException"));
            assertEquals(List.of("Orders"), RawSession.tableNames(s.listTables(0, null)));

            if (shards > 1)
            {
                for (int i = 0; i < shards; i++)
                {
                    assertTrue(fixture.counter("shard " + i + " requests") > 10, "shard " + i + " served requests");
                }
            }
            assertTrue(fixture.counter("table Orders requests") > 80);

            // latency histograms on demand: bump the request counter as `ferrite stat --histograms` does
            try (NodeCounters.View view = NodeCounters.View.open(fixture.dataDir))
            {
                view.increment(NodeCounters.HISTOGRAM_REQUESTS_LABEL);
            }
            SessionsTimeOutDisconnectAndVanishTest.awaitTrue(
                () -> fixture.counter(NodeCounters.HISTOGRAM_DUMPS_LABEL) == shards, "every shard dumped its histograms");
            final StringBuilder logs = new StringBuilder();
            for (int i = 0; i < shards; i++)
            {
                logs.append(readString(fixture.dataDir.resolve("histograms").resolve("shard-" + i + ".hlog")));
            }
            for (final String operation : new String[]{ "PutItem", "GetItem", "Query", "Scan", "UpdateItem", "DeleteItem" })
            {
                assertTrue(logs.toString().contains("Tag=" + operation + ","), operation + " latency recorded");
            }
            assertTrue(s.duplicates().isEmpty(), "exactly one response per request");
        }
    }

    private static String readString(final java.nio.file.Path file)
    {
        try
        {
            return java.nio.file.Files.readString(file);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static byte[] n(final long value)
    {
        return value(AttributeValue.n(value));
    }

    private static List<Integer> sortKeys(final byte[] frame)
    {
        final List<Integer> keys = new ArrayList<>();
        for (final Map<String, AttributeValue> item : page(frame).items())
        {
            keys.add(Integer.parseInt(item.get("sk").asNumber()));
        }
        return keys;
    }

    private static Set<String> scanAll(final RawSession s, final int segment, final int totalSegments, final int limit)
    {
        final Set<String> seen = new HashSet<>();
        byte[] start = null;
        do
        {
            final RawSession.Page page = page(s.scan("Orders", segment, totalSegments, limit, start));
            if (limit > 0)
            {
                assertTrue(page.count() <= limit);
            }
            for (final Map<String, AttributeValue> item : page.items())
            {
                assertTrue(seen.add(item.get("pk").asString() + "/" + item.get("sk").asNumber()), "seen once: " + item);
            }
            start = page.lastEvaluatedKey();
            if (null != start)
            {
                assertNotNull(ItemCodec.decode(new org.agrona.concurrent.UnsafeBuffer(start), 0, start.length).get("sk"));
            }
        }
        while (null != start);
        return seen;
    }
}
