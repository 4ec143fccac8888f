package io.ferrite.tools.cli;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.engine.config.EngineConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ferrite cli batch-write-item} and {@code batch-get-item} print DynamoDB's per-table ConsumedCapacity list
 * when {@code --return-consumed-capacity} asks for it, and the figure is what the whole command cost: the CLI splits
 * a large request into batches of 25 writes or 100 keys and resends what comes back unprocessed, and each of those
 * requests is charged, so printing the last request's figure (or none, as before) would understate it.
 * <p>
 * Against a node started in-process (IPC); every invocation connects its own client, as the command does. A wrapper
 * around the node's backend applies only the first half of each batch's first request and hands the rest back
 * unprocessed, as a throttled DynamoDB does, so every batch is resent once. Figures by DynamoDB's rules: "a" items are
 * a few bytes (1 WCU, one 4 KB block), "b" items about 1.5 KB (2 WCU, one block); a read is half a unit a block
 * eventually consistent, one strongly; a key not found costs one block.
 */
class CliBatchesPrintCapacitySummedOverEverySplitAndResendTest
{
    private static final String BLOB = "x".repeat(1_500);

    @TempDir
    static Path tempDir;

    private static CliNode node;

    @BeforeAll
    static void startNode()
    {
        node = CliNode.start(tempDir, "none");
    }

    @AfterAll
    static void stopNode()
    {
        if (null != node)
        {
            node.close();
        }
    }

    /**
     * One CLI invocation against the node.
     *
     * @param wrap wraps the invocation's backend (it must close what it wraps).
     * @return stdout, stderr and the exit code.
     */
    private static CliHarness.Run cli(final Function<CliBackend, CliBackend> wrap, final String... args)
    {
        return node.run("aeron:ipc", wrap, args);
    }

    private static String ok(final Function<CliBackend, CliBackend> wrap, final String... args)
    {
        return node.ok("aeron:ipc", wrap, args);
    }

    private static String ok(final String... args)
    {
        return ok(backend -> backend, args);
    }

    private static void createTable(final String name)
    {
        ok("create-table", "--table-name", name, "--attribute-definitions", "AttributeName=pk,AttributeType=S",
            "--key-schema", "AttributeName=pk,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST");
    }

    /** A JSON list of {@code count} elements, the i-th made by {@code element}. */
    private static String list(final int count, final java.util.function.IntFunction<String> element)
    {
        final StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < count; i++)
        {
            json.append(i > 0 ? ", " : "").append(element.apply(i));
        }
        return json.append(']').toString();
    }

    /** The key {@code {"pk": {"S": "<prefix><i>"}}}. */
    private static String key(final String prefix, final int i)
    {
        return "{\"pk\": {\"S\": \"" + prefix + i + "\"}}";
    }

    /** {@code count} PutRequests of items keyed prefix0, prefix1...; with a "blob" attribute when blob is not empty. */
    private static String puts(final String prefix, final int count, final String blob)
    {
        return list(count, i -> "{\"PutRequest\": {\"Item\": {\"pk\": {\"S\": \"" + prefix + i + "\"}" +
            (blob.isEmpty() ? "" : ", \"blob\": {\"S\": \"" + blob + "\"}") + "}}}");
    }

    /** The ConsumedCapacity member of a printed answer, compact; "absent" when there is none. */
    @SuppressWarnings("unchecked")
    private static String consumedCapacity(final String printed) throws Json.ParseException
    {
        final Map<String, Object> tree = (Map<String, Object>)Json.parse(printed);
        return tree.containsKey("ConsumedCapacity") ? Json.compact(tree.get("ConsumedCapacity")) : "absent";
    }

    @Test
    void aSplitAndResentBatchWritePrintsWhatEveryRequestConsumedPerTable() throws Exception
    {
        createTable("split-a");
        createTable("split-b");
        // 60 puts of "a" items then 35 of "b" items: 95 writes, sent as batches of 25, 25, 25 and 20
        final String json = "{\"split-a\": " + puts("a-", 60, "") + ", \"split-b\": " + puts("b-", 35, BLOB) + "}";

        final List<Integer> requestSizes = new ArrayList<>();
        final String printed = ok(backend -> new HalfFirstTime(backend, requestSizes), "batch-write-item",
            "--request-items", json, "--return-consumed-capacity", "TOTAL");
        assertEquals(List.of(25, 13, 25, 13, 25, 13, 20, 10), requestSizes, "4 batches, each resent once");
        assertTrue(printed.startsWith("{\n    \"UnprocessedItems\": {},\n    \"ConsumedCapacity\": [\n"), printed);
        assertEquals("[{\"TableName\": \"split-a\", \"CapacityUnits\": 60.0}, " +
            "{\"TableName\": \"split-b\", \"CapacityUnits\": 70.0}]", consumedCapacity(printed),
            "60 x 1 WCU and 35 x 2 WCU, over 8 requests");

        // asked for nothing (or NONE): nothing printed, as DynamoDB answers
        final String deletes = "{\"split-a\": " + list(30, i -> "{\"DeleteRequest\": {\"Key\": " + key("a-", i) + "}}") +
            "}";
        assertEquals("{\n    \"UnprocessedItems\": {}\n}\n", ok("batch-write-item", "--request-items",
            deletes, "--return-consumed-capacity", "NONE"));
        assertEquals("{\n    \"UnprocessedItems\": {}\n}\n", ok("batch-write-item", "--request-items",
            "{\"split-a\": [{\"DeleteRequest\": {\"Key\": {\"pk\": {\"S\": \"a-30\"}}}}]}"));
    }

    @Test
    void aSplitAndResentBatchGetPrintsEachTablesReadsAtItsConsistency() throws Exception
    {
        createTable("get-a");
        createTable("get-b");
        ok("batch-write-item", "--request-items", "{\"get-a\": " + puts("a-", 20, "") + ", \"get-b\": " +
            puts("b-", 35, BLOB) + "}");

        // 120 keys of get-a (20 there, 100 not), eventually consistent, and 35 of get-b read strongly consistently:
        // 155 keys, sent as batches of 100 and 55
        final String keys = "{\"get-a\": {\"Keys\": " + list(120, i -> key("a-", i)) + "}, \"get-b\": " +
            "{\"ConsistentRead\": true, \"ProjectionExpression\": \"pk\", \"Keys\": " + list(35, i -> key("b-", i)) + "}}";

        final List<Integer> requestSizes = new ArrayList<>();
        final String printed = ok(backend -> new HalfFirstTime(backend, requestSizes), "batch-get-item",
            "--request-items", keys, "--return-consumed-capacity", "INDEXES");
        assertEquals(List.of(100, 50, 55, 28), requestSizes, "2 batches, each resent once");
        final String compact = CliVerbsEndToEndTest.compact(printed);
        assertTrue(compact.contains("\"UnprocessedKeys\": {}, \"ConsumedCapacity\": ["), compact);
        assertEquals(20, compact.split("\"S\": \"a-", -1).length - 1, "every get-a item found once: " + compact);
        assertEquals(35, compact.split("\"S\": \"b-", -1).length - 1, "every get-b item found once");
        assertEquals("[{\"TableName\": \"get-a\", \"CapacityUnits\": 60.0, \"Table\": {\"CapacityUnits\": 60.0}}, " +
            "{\"TableName\": \"get-b\", \"CapacityUnits\": 35.0, \"Table\": {\"CapacityUnits\": 35.0}}]",
            consumedCapacity(printed), "120 keys x 0.5 (found or not); 35 x 1.0 strongly consistent, whole items " +
            "whatever the projection");
    }

    @Test
    void aSingleBatchPrintsTheAwsCliShapeAndABadModeIsRefusedAsForItems() throws Exception
    {
        createTable("shape");
        assertEquals("{\n    \"UnprocessedItems\": {},\n    \"ConsumedCapacity\": [\n        {\n" +
            "            \"TableName\": \"shape\",\n            \"CapacityUnits\": 2.0\n        }\n    ]\n}\n",
            ok("batch-write-item", "--request-items", "{\"shape\": [{\"PutRequest\": {\"Item\": {\"pk\": {\"S\": " +
                "\"k\"}, \"blob\": {\"S\": \"" + BLOB + "\"}}}}]}", "--return-consumed-capacity", "TOTAL"));
        assertEquals("[{\"TableName\": \"shape\", \"CapacityUnits\": 0.5}]", consumedCapacity(ok("batch-get-item",
            "--request-items", "{\"shape\": {\"Keys\": [{\"pk\": {\"S\": \"k\"}}]}}", "--return-consumed-capacity",
            "TOTAL")));

        final String itemVerbError = cli(backend -> backend, "get-item", "--table-name", "shape", "--key",
            "pk={S=k}", "--return-consumed-capacity", "ALL").err();
        for (final String verb : List.of("batch-write-item", "batch-get-item"))
        {
            final CliHarness.Run refused = cli(backend -> backend, verb, "--request-items", "batch-write-item".equals(verb) ?
                "{\"shape\": [{\"PutRequest\": {\"Item\": {\"pk\": {\"S\": \"refused\"}}}}]}" :
                "{\"shape\": {\"Keys\": [{\"pk\": {\"S\": \"k\"}}]}}", "--return-consumed-capacity", "ALL");
            assertEquals(254, refused.exitCode(), refused.err());
            assertEquals(itemVerbError.replace("GetItem", "batch-write-item".equals(verb) ? "BatchWriteItem" :
                "BatchGetItem"), refused.err());
            assertTrue(refused.err().contains("1 validation error detected: Value 'ALL' at 'returnConsumedCapacity' " +
                "failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"),
                refused.err());
        }
        assertEquals("", ok("get-item", "--table-name", "shape", "--key", "pk={S=refused}"),
            "the refused batch wrote nothing");
    }

    @Test
    void theEmbeddedEngineChecksTheModeAndPrintsNothing(@TempDir final Path dataDir)
    {
        final EmbeddedBackend embedded = new EmbeddedBackend(new EngineConfig().dataDir(dataDir).partitionMaxItems(1_000));
        try
        {
            final CliHarness cli = new CliHarness(new DelegatingBackend(embedded));
            cli.createOnDemandTable("local");
            final CliHarness.Run written = cli.run("batch-write-item", "--request-items",
                "{\"local\": [{\"PutRequest\": {\"Item\": {\"pk\": {\"S\": \"k\"}}}}]}", "--return-consumed-capacity", "TOTAL");
            assertEquals("{\n    \"UnprocessedItems\": {}\n}\n", written.out(), written.err());
            final CliHarness.Run read = cli.run("batch-get-item", "--request-items",
                "{\"local\": {\"Keys\": [{\"pk\": {\"S\": \"k\"}}]}}", "--return-consumed-capacity", "INDEXES");
            assertEquals("{\"Responses\": {\"local\": [{\"pk\": {\"S\": \"k\"}}]}, \"UnprocessedKeys\": {}}",
                CliVerbsEndToEndTest.compact(read.out()), read.err());
            CliHarness.assertLowerCaseTotalRefused(cli.run("batch-get-item", "--request-items",
                "{\"local\": {\"Keys\": [{\"pk\": {\"S\": \"k\"}}]}}", "--return-consumed-capacity", "total"));
        }
        finally
        {
            embedded.close();
        }
    }

    /**
     * Applies only the first half of a batch's first request (the first request of a batch is the first whose keys
     * or writes have not been seen) and hands the rest back unprocessed; a resend is applied whole. Closes the
     * backend it wraps.
     */
    private static final class HalfFirstTime extends DelegatingBackend
    {
        private final List<Integer> requestSizes;
        private boolean resend;

        HalfFirstTime(final CliBackend delegate, final List<Integer> requestSizes)
        {
            super(delegate);
            this.requestSizes = requestSizes;
        }

        public Map<String, List<Write>> batchWriteItem(final Map<String, List<Write>> writesByTable)
        {
            final List<Map.Entry<String, Write>> all = new ArrayList<>();
            writesByTable.forEach((table, writes) -> writes.forEach(w -> all.add(Map.entry(table, w))));
            requestSizes.add(all.size());
            if (resend || all.size() < 2)
            {
                resend = false;
                return super.batchWriteItem(writesByTable);
            }
            resend = true;
            final int half = all.size() / 2;
            super.batchWriteItem(group(all.subList(0, half)));
            return group(all.subList(half, all.size()));
        }

        public BatchGetResult batchGetItem(
            final Map<String, List<Map<String, AttributeValue>>> keysByTable,
            final Map<String, Boolean> consistentRead,
            final Map<String, String> projections,
            final Map<String, Map<String, String>> names)
        {
            final List<Map.Entry<String, Map<String, AttributeValue>>> all = new ArrayList<>();
            keysByTable.forEach((table, keys) -> keys.forEach(k -> all.add(Map.entry(table, k))));
            requestSizes.add(all.size());
            if (resend || all.size() < 2)
            {
                resend = false;
                return super.batchGetItem(keysByTable, consistentRead, projections, names);
            }
            resend = true;
            final int half = all.size() / 2;
            final BatchGetResult first = super.batchGetItem(group(all.subList(0, half)), consistentRead, projections,
                names);
            assertTrue(first.unprocessedKeys().values().stream().allMatch(List::isEmpty), "the node read it all");
            return new BatchGetResult(first.responses(), group(all.subList(half, all.size())));
        }

        public void close()
        {
            delegate.close();
        }

        private static <T> Map<String, List<T>> group(final List<Map.Entry<String, T>> entries)
        {
            final Map<String, List<T>> byTable = new java.util.LinkedHashMap<>();
            entries.forEach(e -> byTable.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
            return byTable;
        }
    }
}
