package io.ferrite.tools.cli;

import io.ferrite.engine.api.Page;
import io.ferrite.engine.config.EngineConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ferrite cli query} and {@code scan} print DynamoDB's ConsumedCapacity when {@code --return-consumed-capacity}
 * asks for it, and when the CLI paginates, the figure is what every request it made cost, summed as the AWS CLI sums
 * it (botocore's Query and Scan paginators add up ConsumedCapacity.CapacityUnits over the pages, as Count and
 * ScannedCount): printing the last page's figure (or none, as before) would understate what the command cost.
 * <p>
 * Against a node started in-process (IPC); every invocation connects its own client, as the command does, and a
 * wrapper counts the requests. Figures by the node's rule (decision 0009): a Query or Scan page costs the total size of
 * the items it read, before any filter, rounded up to 4 KB once per page (at least one block, even for an empty
 * page), half a unit a block eventually consistent, one strongly. Items here are about 1.5 KB: two of them fit one
 * block, five do not, so a sum per page (1.5 for three pages of five items), a rounding of the whole (1.0) and a sum
 * per item (2.5) all differ.
 */
class CliQueryAndScanPrintCapacitySummedOverEveryPageTest
{
    private static final String BLOB = "x".repeat(1_500);

    @TempDir
    static Path tempDir;

    private static CliNode node;

    @BeforeAll
    static void startNode()
    {
        node = CliNode.start(tempDir, "none");

        ok(new AtomicInteger(), "create-table", "--table-name", "pages-q", "--attribute-definitions",
            "AttributeName=pk,AttributeType=S", "AttributeName=sk,AttributeType=N", "--key-schema",
            "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE", "--billing-mode", "PAY_PER_REQUEST");
        ok(new AtomicInteger(), "create-table", "--table-name", "pages-s", "--attribute-definitions",
            "AttributeName=pk,AttributeType=S", "--key-schema", "AttributeName=pk,KeyType=HASH", "--billing-mode",
            "PAY_PER_REQUEST");
        final StringBuilder puts = new StringBuilder("{\"pages-q\": [");
        for (int i = 1; i <= 5; i++)
        {
            puts.append(i > 1 ? ", " : "").append("{\"PutRequest\": {\"Item\": {\"pk\": {\"S\": \"a\"}, \"sk\": {\"N\": \"")
                .append(i).append("\"}, \"blob\": {\"S\": \"").append(BLOB).append("\"}}}}");
        }
        puts.append("], \"pages-s\": [");
        for (int i = 1; i <= 6; i++)
        {
            puts.append(i > 1 ? ", " : "").append("{\"PutRequest\": {\"Item\": {\"pk\": {\"S\": \"s-").append(i)
                .append("\"}, \"blob\": {\"S\": \"").append(BLOB).append("\"}}}}");
        }
        puts.append("]}");
        ok(new AtomicInteger(), "batch-write-item", "--request-items", puts.toString());
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
     * One CLI invocation against the node, counting its Query and Scan requests.
     */
    private static CliHarness.Run cli(final AtomicInteger requests, final String... args)
    {
        return node.run("aeron:ipc", backend -> new CountingPages(backend, requests), args);
    }

    private static String ok(final AtomicInteger requests, final String... args)
    {
        return node.ok("aeron:ipc", backend -> new CountingPages(backend, requests), args);
    }

    /** The ConsumedCapacity member of a printed answer, compact; "absent" when there is none. */
    @SuppressWarnings("unchecked")
    private static String consumedCapacity(final String printed) throws Json.ParseException
    {
        final Map<String, Object> tree = (Map<String, Object>)Json.parse(printed);
        return tree.containsKey("ConsumedCapacity") ? Json.compact(tree.get("ConsumedCapacity")) : "absent";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> tree(final String printed) throws Json.ParseException
    {
        return (Map<String, Object>)Json.parse(printed);
    }

    @Test
    void aQueryOverSeveralPagesPrintsWhatEveryPageConsumed() throws Exception
    {
        final AtomicInteger requests = new AtomicInteger();
        final String printed = ok(requests, "query", "--table-name", "pages-q", "--key-condition-expression",
            "pk = :p", "--expression-attribute-values", "{\":p\": {\"S\": \"a\"}}", "--page-size", "2",
            "--return-consumed-capacity", "TOTAL");
        assertEquals(3, requests.get(), "pages of 2, 2 and 1 items");
        assertTrue(CliVerbsEndToEndTest.compact(printed).endsWith("\"Count\": 5, \"ScannedCount\": 5, " +
            "\"ConsumedCapacity\": {\"TableName\": \"pages-q\", \"CapacityUnits\": 1.5}}"), printed);

        // strongly consistent and INDEXES: one unit a block, the table's share printed as the item verbs print it
        requests.set(0);
        assertEquals("{\"TableName\": \"pages-q\", \"CapacityUnits\": 3.0, \"Table\": {\"CapacityUnits\": 3.0}}",
            consumedCapacity(ok(requests, "query", "--table-name", "pages-q", "--key-condition-expression", "pk = :p",
                "--expression-attribute-values", "{\":p\": {\"S\": \"a\"}}", "--page-size", "2", "--consistent-read",
                "--return-consumed-capacity", "INDEXES")));
        assertEquals(3, requests.get());

        // a filter that keeps nothing: the pages are charged on what they read, not on what they return
        final Map<String, Object> filtered = tree(ok(new AtomicInteger(), "query", "--table-name", "pages-q",
            "--key-condition-expression", "pk = :p", "--filter-expression", "attribute_not_exists(#b)",
            "--expression-attribute-names", "{\"#b\": \"blob\"}", "--expression-attribute-values",
            "{\":p\": {\"S\": \"a\"}}", "--page-size", "2",
            "--return-consumed-capacity", "TOTAL"));
        assertEquals("0 5 {\"TableName\": \"pages-q\", \"CapacityUnits\": 1.5}", filtered.get("Count") + " " +
            filtered.get("ScannedCount") + " " + Json.compact(filtered.get("ConsumedCapacity")));
    }

    @Test
    void maxItemsCountsThePageItCutShortAndOnePageIsPrintedAsAnswered() throws Exception
    {
        // --max-items 3 over pages of 2: the second page was read (and charged) whole, though one item is printed
        final AtomicInteger requests = new AtomicInteger();
        final Map<String, Object> cut = tree(ok(requests, "query", "--table-name", "pages-q",
            "--key-condition-expression", "pk = :p", "--expression-attribute-values", "{\":p\": {\"S\": \"a\"}}",
            "--page-size", "2", "--max-items", "3", "--return-consumed-capacity", "TOTAL"));
        assertEquals(2, requests.get());
        assertEquals(List.of("Items", "Count", "ScannedCount", "ConsumedCapacity", "NextToken"),
            List.copyOf(cut.keySet()));
        assertEquals("{\"TableName\": \"pages-q\", \"CapacityUnits\": 1.0}", Json.compact(cut.get("ConsumedCapacity")));

        // --limit: one request, its page as DynamoDB answers it
        requests.set(0);
        final Map<String, Object> one = tree(ok(requests, "query", "--table-name", "pages-q",
            "--key-condition-expression", "pk = :p", "--expression-attribute-values", "{\":p\": {\"S\": \"a\"}}",
            "--limit", "2", "--return-consumed-capacity", "TOTAL"));
        assertEquals(1, requests.get());
        assertEquals(List.of("Items", "Count", "ScannedCount", "LastEvaluatedKey", "ConsumedCapacity"),
            List.copyOf(one.keySet()));
        assertEquals("{\"TableName\": \"pages-q\", \"CapacityUnits\": 0.5}", Json.compact(one.get("ConsumedCapacity")));

        // not asked for, or NONE: nothing printed
        assertEquals("absent", consumedCapacity(ok(new AtomicInteger(), "query", "--table-name", "pages-q",
            "--key-condition-expression", "pk = :p", "--expression-attribute-values", "{\":p\": {\"S\": \"a\"}}",
            "--page-size", "2")));
        assertEquals("absent", consumedCapacity(ok(new AtomicInteger(), "scan", "--table-name", "pages-s",
            "--page-size", "2", "--return-consumed-capacity", "NONE")));
    }

    @Test
    void aScanOverSeveralPagesAndBothShardsPrintsWhatEveryPageConsumed() throws Exception
    {
        // each page holds at most two 1.5 KB items, one 4 KB block, so each request costs exactly one block (an empty
        // last page too): 1.0 strongly consistent; how the six items fall into pages across the two shards is the
        // node's business, so the requests are counted rather than assumed
        final AtomicInteger requests = new AtomicInteger();
        final Map<String, Object> scanned = tree(ok(requests, "scan", "--table-name", "pages-s", "--page-size", "2",
            "--consistent-read", "--return-consumed-capacity", "INDEXES"));
        assertTrue(requests.get() >= 3, "pages of at most 2 of 6 items: " + requests.get());
        assertEquals(6, scanned.get("Count") instanceof Number n ? n.intValue() : -1, scanned.toString());
        final String units = requests.get() + ".0";
        assertEquals("{\"TableName\": \"pages-s\", \"CapacityUnits\": " + units + ", \"Table\": {\"CapacityUnits\": " +
            units + "}}", Json.compact(scanned.get("ConsumedCapacity")), requests.get() + " requests");

        // text output prints page by page, as the AWS CLI's does, each page with what it consumed
        requests.set(0);
        final String text = ok(requests, "--output", "text", "scan", "--table-name", "pages-s", "--page-size", "2",
            "--consistent-read", "--return-consumed-capacity", "TOTAL");
        final List<String> capacityLines = text.lines().filter(line -> line.startsWith("CONSUMEDCAPACITY")).toList();
        assertEquals(requests.get(), capacityLines.size(), text);
        assertEquals(List.of("CONSUMEDCAPACITY\t1.0\tpages-s"), capacityLines.stream().distinct().toList(), text);

        // eventually consistent: half that
        requests.set(0);
        final Map<String, Object> eventually = tree(ok(requests, "scan", "--table-name", "pages-s", "--page-size", "2",
            "--return-consumed-capacity", "TOTAL"));
        assertEquals("{\"TableName\": \"pages-s\", \"CapacityUnits\": " + (requests.get() / 2) +
            (requests.get() % 2 == 0 ? ".0" : ".5") + "}", Json.compact(eventually.get("ConsumedCapacity")),
            requests.get() + " requests");
    }

    @Test
    void aBadModeIsRefusedAsForItems()
    {
        final String itemVerbError = cli(new AtomicInteger(), "get-item", "--table-name", "pages-s", "--key",
            "pk={S=s-1}", "--return-consumed-capacity", "ALL").err();
        for (final String verb : List.of("query", "scan"))
        {
            final AtomicInteger requests = new AtomicInteger();
            final CliHarness.Run refused = "query".equals(verb) ?
                cli(requests, "query", "--table-name", "pages-q", "--key-condition-expression", "pk = :p",
                    "--expression-attribute-values", "{\":p\": {\"S\": \"a\"}}", "--return-consumed-capacity", "ALL") :
                cli(requests, "scan", "--table-name", "pages-s", "--return-consumed-capacity", "ALL");
            assertEquals(254, refused.exitCode(), refused.err());
            assertEquals(itemVerbError.replace("GetItem", "query".equals(verb) ? "Query" : "Scan"), refused.err());
            assertTrue(refused.err().contains("1 validation error detected: Value 'ALL' at 'returnConsumedCapacity' " +
                "failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"),
                refused.err());
            assertEquals(0, requests.get(), "refused before any request");
        }
    }

    @Test
    void theEmbeddedEngineChecksTheModeAndPrintsNothing(@TempDir final Path dataDir)
    {
        final EmbeddedBackend embedded = new EmbeddedBackend(new EngineConfig().dataDir(dataDir).partitionMaxItems(1_000));
        try
        {
            final CliHarness cli = new CliHarness(new DelegatingBackend(embedded));
            cli.createOnDemandTable("local");
            for (int i = 0; i < 3; i++)
            {
                assertEquals(0, cli.run("put-item", "--table-name", "local", "--item", "pk={S=k" + i + "}").exitCode());
            }
            final CliHarness.Run scanned = cli.run("scan", "--table-name", "local", "--page-size", "1",
                "--return-consumed-capacity", "TOTAL");
            assertEquals(0, scanned.exitCode(), scanned.err());
            assertTrue(scanned.out().contains("\"Count\": 3"), scanned.out());
            assertFalse(scanned.out().contains("ConsumedCapacity"), scanned.out());
            final CliHarness.Run queried = cli.run("query", "--table-name", "local", "--key-condition-expression",
                "pk = :p", "--expression-attribute-values", "{\":p\": {\"S\": \"k1\"}}", "--return-consumed-capacity",
                "INDEXES");
            assertEquals(0, queried.exitCode(), queried.err());
            assertEquals("{\"Items\": [{\"pk\": {\"S\": \"k1\"}}], \"Count\": 1, \"ScannedCount\": 1}",
                CliVerbsEndToEndTest.compact(queried.out()));
            CliHarness.assertLowerCaseTotalRefused(cli.run("scan", "--table-name", "local", "--return-consumed-capacity",
                "total"));
        }
        finally
        {
            embedded.close();
        }
    }

    /** Counts Query and Scan requests; closes the backend it wraps. */
    private static final class CountingPages extends DelegatingBackend
    {
        private final AtomicInteger requests;

        CountingPages(final CliBackend delegate, final AtomicInteger requests)
        {
            super(delegate);
            this.requests = requests;
        }

        public Page query(final QuerySpec spec)
        {
            requests.incrementAndGet();
            return super.query(spec);
        }

        public Page scan(final ScanSpec spec)
        {
            requests.incrementAndGet();
            return super.scan(spec);
        }

        public void close()
        {
            delegate.close();
        }
    }
}
