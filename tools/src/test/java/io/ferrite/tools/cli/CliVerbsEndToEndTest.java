package io.ferrite.tools.cli;

import io.ferrite.engine.api.Page;
import io.ferrite.engine.config.EngineConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every verb of {@code ferrite cli} end to end against an {@link EmbeddedBackend} on a temporary data directory,
 * comparing the exact text printed. One data directory is opened for the class (opening costs seconds); each
 * test uses its own tables.
 */
class CliVerbsEndToEndTest
{
    @TempDir
    static Path dataDir;

    private static EmbeddedBackend backend;
    private static CliHarness cli;

    @BeforeAll
    static void open()
    {
        backend = new EmbeddedBackend(new EngineConfig().dataDir(dataDir).partitionMaxItems(10_000));
        cli = new CliHarness(new DelegatingBackend(backend));
    }

    @AfterAll
    static void close()
    {
        if (null != backend)
        {
            backend.close();
        }
    }

    private static CliHarness.Run ok(final CliHarness harness, final String... args)
    {
        final CliHarness.Run run = harness.run(args);
        assertEquals(0, run.exitCode(), () -> "exit code of " + String.join(" ", args) + "\nstderr: " + run.err());
        return run;
    }

    private static CliHarness.Run fails(final CliHarness harness, final String... args)
    {
        final CliHarness.Run run = harness.run(args);
        assertTrue(0 != run.exitCode(), () -> String.join(" ", args) + " succeeded: " + run.out());
        return run;
    }

    private static String withoutCreationTime(final String text)
    {
        return text.replaceAll("\"CreationDateTime\": \"[^\"]+\"", "\"CreationDateTime\": \"T\"");
    }

    private static void createOrdersTable(final String name)
    {
        ok(cli, "create-table", "--table-name", name,
            "--attribute-definitions", "AttributeName=customer,AttributeType=S", "AttributeName=id,AttributeType=N",
            "--key-schema", "AttributeName=customer,KeyType=HASH", "AttributeName=id,KeyType=RANGE",
            "--provisioned-throughput", "ReadCapacityUnits=5,WriteCapacityUnits=5");
    }

    @Test
    void tableVerbsPrintTheAwsResponseShapes()
    {
        final CliHarness.Run created = ok(cli, "create-table", "--table-name", "shapes",
            "--attribute-definitions", "AttributeName=pk,AttributeType=S", "AttributeName=sk,AttributeType=N",
            "--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE",
            "--billing-mode", "PAY_PER_REQUEST", "--region", "us-east-1", "--profile", "ignored");
        final String description = "{\n" +
            "        \"AttributeDefinitions\": [\n" +
            "            {\n" +
            "                \"AttributeName\": \"pk\",\n" +
            "                \"AttributeType\": \"S\"\n" +
            "            },\n" +
            "            {\n" +
            "                \"AttributeName\": \"sk\",\n" +
            "                \"AttributeType\": \"N\"\n" +
            "            }\n" +
            "        ],\n" +
            "        \"TableName\": \"shapes\",\n" +
            "        \"KeySchema\": [\n" +
            "            {\n" +
            "                \"AttributeName\": \"pk\",\n" +
            "                \"KeyType\": \"HASH\"\n" +
            "            },\n" +
            "            {\n" +
            "                \"AttributeName\": \"sk\",\n" +
            "                \"KeyType\": \"RANGE\"\n" +
            "            }\n" +
            "        ],\n" +
            "        \"TableStatus\": \"%s\",\n" +
            "        \"CreationDateTime\": \"T\",\n" +
            "        \"ProvisionedThroughput\": {\n" +
            "            \"NumberOfDecreasesToday\": 0,\n" +
            "            \"ReadCapacityUnits\": 0,\n" +
            "            \"WriteCapacityUnits\": 0\n" +
            "        },\n" +
            "        \"TableSizeBytes\": 0,\n" +
            "        \"ItemCount\": 0,\n" +
            "        \"TableArn\": \"arn:aws:dynamodb:ferrite:000000000000:table/shapes\",\n" +
            "        \"BillingModeSummary\": {\n" +
            "            \"BillingMode\": \"PAY_PER_REQUEST\"\n" +
            "        }\n" +
            "    }\n" +
            "}\n";
        assertEquals("{\n    \"TableDescription\": " + String.format(description, "ACTIVE"),
            withoutCreationTime(created.out()));
        assertTrue(created.out().matches("(?s).*\"CreationDateTime\": \"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d" +
            "(\\.\\d{6})?[+-]\\d\\d:\\d\\d\".*"), created.out());

        assertEquals("{\n    \"Table\": " + String.format(description, "ACTIVE"),
            withoutCreationTime(ok(cli, "describe-table", "--table-name", "shapes").out()));
        assertTrue(ok(cli, "list-tables").out().contains("        \"shapes\""));
        assertEquals("{\n    \"TableDescription\": " + String.format(description, "DELETING"),
            withoutCreationTime(ok(cli, "delete-table", "--table-name", "shapes").out()));
        assertTrue(!ok(cli, "list-tables").out().contains("\"shapes\""));
    }

    @Test
    void listTablesPagesAsTheAwsCli()
    {
        for (final String name : List.of("list-a", "list-b", "list-c"))
        {
            ok(cli, "create-table", "--table-name", name, "--attribute-definitions", "AttributeName=pk,AttributeType=S",
                "--key-schema", "AttributeName=pk,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST");
        }
        final CliHarness.Run limited = ok(cli, "list-tables", "--exclusive-start-table-name", "list-a", "--limit", "1");
        assertEquals("{\n    \"TableNames\": [\n        \"list-b\"\n    ],\n" +
            "    \"LastEvaluatedTableName\": \"list-b\"\n}\n", limited.out());

        final CliHarness.Run first = ok(cli, "list-tables", "--page-size", "1", "--max-items", "2");
        final String token = first.out().replaceAll("(?s).*\"NextToken\": \"([^\"]+)\".*", "$1");
        final CliHarness.Run rest = ok(cli, "list-tables", "--starting-token", token);
        final List<String> all = new ArrayList<>();
        for (final String out : List.of(first.out(), rest.out()))
        {
            for (final String line : out.split("\n"))
            {
                if (line.startsWith("        \""))
                {
                    all.add(line.strip().replace("\"", "").replace(",", ""));
                }
            }
        }
        final List<String> expected = new ArrayList<>();
        backend.listTables(null, 100, expected);
        assertEquals(expected, all);
    }

    @Test
    void itemVerbsRoundTripEveryTypeAndPrintExactly()
    {
        createOrdersTable("items");
        final String item = "{\"customer\": {\"S\": \"alice\"}, \"id\": {\"N\": \"1\"}, \"total\": {\"N\": \"12.50\"}, " +
            "\"raw\": {\"B\": \"AQI=\"}, \"vip\": {\"BOOL\": true}, \"gone\": {\"NULL\": true}, " +
            "\"address\": {\"M\": {\"lines\": {\"L\": [{\"S\": \"1 Main St\"}, {\"N\": \"2\"}]}}}, " +
            "\"tags\": {\"SS\": [\"b\", \"a\"]}, \"scores\": {\"NS\": [\"3\", \"1.0\"]}, \"blobs\": {\"BS\": [\"AQ==\"]}}";
        final CliHarness.Run put = ok(cli, "put-item", "--table-name", "items", "--item", item);
        assertEquals("", put.out());

        final CliHarness.Run get = ok(cli, "get-item", "--table-name", "items", "--key",
            "customer={S=alice},id={N=1}", "--consistent-read");
        assertEquals("{\"Item\": {\"address\": {\"M\": {\"lines\": {\"L\": [{\"S\": \"1 Main St\"}, {\"N\": \"2\"}]}}}, " +
                "\"blobs\": {\"BS\": [\"AQ==\"]}, \"customer\": {\"S\": \"alice\"}, \"gone\": {\"NULL\": true}, " +
                "\"id\": {\"N\": \"1\"}, \"raw\": {\"B\": \"AQI=\"}, \"scores\": {\"NS\": [\"1\", \"3\"]}, " +
                "\"tags\": {\"SS\": [\"a\", \"b\"]}, \"total\": {\"N\": \"12.5\"}, \"vip\": {\"BOOL\": true}}}",
            compact(get.out()));
        assertTrue(get.out().startsWith("{\n    \"Item\": {\n        \"address\": {\n            \"M\": {\n"), get.out());

        final CliHarness.Run projected = ok(cli, "get-item", "--table-name", "items", "--key",
            "{\"customer\": {\"S\": \"alice\"}, \"id\": {\"N\": \"1\"}}", "--projection-expression", "#t, vip",
            "--expression-attribute-names", "{\"#t\": \"total\"}");
        assertEquals("{\n    \"Item\": {\n        \"total\": {\n            \"N\": \"12.5\"\n        },\n" +
            "        \"vip\": {\n            \"BOOL\": true\n        }\n    }\n}\n", projected.out());

        final CliHarness.Run replaced = ok(cli, "put-item", "--table-name", "items", "--item",
            "customer={S=alice},id={N=1},total={N=3}", "--return-values", "ALL_OLD");
        assertTrue(replaced.out().startsWith("{\n    \"Attributes\": {\n        \"address\""), replaced.out());

        final CliHarness.Run updated = ok(cli, "update-item", "--table-name", "items",
            "--key", "customer={S=alice},id={N=1}",
            "--update-expression", "SET #s = :s, note = :n REMOVE #t",
            "--expression-attribute-names", "{\"#s\": \"status\", \"#t\": \"total\"}",
            "--expression-attribute-values", "{\":s\": {\"S\": \"shipped\"}, \":n\": {\"L\": [{\"BOOL\": false}]}}",
            "--return-values", "ALL_NEW");
        assertEquals("{\"Attributes\": {\"customer\": {\"S\": \"alice\"}, \"id\": {\"N\": \"1\"}, " +
            "\"note\": {\"L\": [{\"BOOL\": false}]}, \"status\": {\"S\": \"shipped\"}}}", compact(updated.out()));

        final CliHarness.Run quiet = ok(cli, "update-item", "--table-name", "items",
            "--key", "customer={S=alice},id={N=1}", "--update-expression", "REMOVE note");
        assertEquals("", quiet.out());

        final CliHarness.Run deleted = ok(cli, "delete-item", "--table-name", "items",
            "--key", "customer={S=alice},id={N=1}", "--return-values", "ALL_OLD");
        assertEquals("{\"Attributes\": {\"customer\": {\"S\": \"alice\"}, \"id\": {\"N\": \"1\"}, " +
            "\"status\": {\"S\": \"shipped\"}}}", compact(deleted.out()));
        assertEquals("", ok(cli, "get-item", "--table-name", "items", "--key", "customer={S=alice},id={N=1}").out());
    }

    @Test
    void queryTranslatesEverySupportedKeyCondition()
    {
        createOrdersTable("query");
        for (int id = 1; id <= 9; id++)
        {
            ok(cli, "put-item", "--table-name", "query", "--item", "customer={S=bob},id={N=" + id + "}");
        }
        ok(cli, "put-item", "--table-name", "query", "--item", "customer={S=carol},id={N=1}");
        final String values = "{\":c\": {\"S\": \"bob\"}, \":a\": {\"N\": \"3\"}, \":b\": {\"N\": \"5\"}}";

        assertEquals(List.of(3), ids(query("customer = :c AND id = :a", "{\":c\": {\"S\": \"bob\"}, \":a\": {\"N\": \"3\"}}")));
        assertEquals(List.of(1, 2), ids(query("customer = :c AND id < :a", "{\":c\": {\"S\": \"bob\"}, \":a\": {\"N\": \"3\"}}")));
        assertEquals(List.of(1, 2, 3), ids(query("customer = :c AND id <= :a", "{\":c\": {\"S\": \"bob\"}, \":a\": {\"N\": \"3\"}}")));
        assertEquals(List.of(6, 7, 8, 9), ids(query("customer = :c AND id > :b", "{\":c\": {\"S\": \"bob\"}, \":b\": {\"N\": \"5\"}}")));
        assertEquals(List.of(5, 6, 7, 8, 9), ids(query("customer = :c AND id >= :b", "{\":c\": {\"S\": \"bob\"}, \":b\": {\"N\": \"5\"}}")));
        assertEquals(List.of(3, 4, 5), ids(query("customer = :c AND id BETWEEN :a AND :b", values)));
        assertEquals(List.of(3, 4, 5), ids(query("id between :a and :b AND customer = :c", values)));
        assertEquals(List.of(1), ids(query("customer = :c", "{\":c\": {\"S\": \"carol\"}}")));

        final CliHarness.Run backwards = ok(cli, "query", "--table-name", "query", "--key-condition-expression",
            "#c = :c AND #i BETWEEN :a AND :b", "--expression-attribute-names", "{\"#c\": \"customer\", \"#i\": \"id\"}",
            "--expression-attribute-values", values, "--no-scan-index-forward");
        assertEquals(List.of(5, 4, 3), ids(backwards.out()));

        final CliHarness.Run count = ok(cli, "query", "--table-name", "query", "--key-condition-expression",
            "customer = :c", "--expression-attribute-values", "{\":c\": {\"S\": \"bob\"}}", "--select", "COUNT");
        assertEquals("{\n    \"Count\": 9,\n    \"ScannedCount\": 9\n}\n", count.out());

        ok(cli, "create-table", "--table-name", "prefixes", "--attribute-definitions", "AttributeName=pk,AttributeType=S",
            "AttributeName=sk,AttributeType=S", "--key-schema", "AttributeName=pk,KeyType=HASH",
            "AttributeName=sk,KeyType=RANGE", "--billing-mode", "PAY_PER_REQUEST");
        for (final String sk : List.of("apple", "apricot", "banana"))
        {
            ok(cli, "put-item", "--table-name", "prefixes", "--item", "pk={S=p},sk={S=" + sk + "}");
        }
        final CliHarness.Run prefix = ok(cli, "query", "--table-name", "prefixes", "--key-condition-expression",
            "pk = :p AND begins_with(sk, :x)", "--expression-attribute-values", "{\":p\": {\"S\": \"p\"}, \":x\": {\"S\": \"ap\"}}");
        assertEquals("{\"Items\": [{\"pk\": {\"S\": \"p\"}, \"sk\": {\"S\": \"apple\"}}, {\"pk\": {\"S\": \"p\"}, " +
            "\"sk\": {\"S\": \"apricot\"}}], \"Count\": 2, \"ScannedCount\": 2}", compact(prefix.out()));
    }

    @Test
    void queryAndScanFollowLastEvaluatedKeyUnlessLimited()
    {
        createOrdersTable("pages");
        for (int id = 1; id <= 10; id++)
        {
            ok(cli, "put-item", "--table-name", "pages", "--item", "customer={S=dan},id={N=" + id + "}");
        }
        final AtomicInteger scans = new AtomicInteger();
        final CliHarness counting = new CliHarness(new DelegatingBackend(backend)
        {
            public Page scan(final ScanSpec spec)
            {
                scans.incrementAndGet();
                return super.scan(spec);
            }
        });

        final CliHarness.Run all = ok(counting, "scan", "--table-name", "pages", "--page-size", "3");
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), ids(all.out()));
        assertTrue(all.out().endsWith("    ],\n    \"Count\": 10,\n    \"ScannedCount\": 10\n}\n"), all.out());
        assertEquals(4, scans.get(), "pages of 3, 3, 3 and 1 item");

        final CliHarness.Run one = ok(cli, "query", "--table-name", "pages", "--key-condition-expression",
            "customer = :c", "--expression-attribute-values", "{\":c\": {\"S\": \"dan\"}}", "--limit", "3");
        assertEquals(List.of(1, 2, 3), ids(one.out()));
        assertTrue(one.out().endsWith("    \"Count\": 3,\n    \"ScannedCount\": 3,\n    \"LastEvaluatedKey\": {\n" +
            "        \"customer\": {\n            \"S\": \"dan\"\n        },\n        \"id\": {\n" +
            "            \"N\": \"3\"\n        }\n    }\n}\n"), one.out());

        final CliHarness.Run next = ok(cli, "query", "--table-name", "pages", "--key-condition-expression",
            "customer = :c", "--expression-attribute-values", "{\":c\": {\"S\": \"dan\"}}", "--limit", "3",
            "--exclusive-start-key", "customer={S=dan},id={N=3}");
        assertEquals(List.of(4, 5, 6), ids(next.out()));

        final List<Integer> resumed = new ArrayList<>();
        String token = null;
        int calls = 0;
        do
        {
            final List<String> args = new ArrayList<>(List.of("scan", "--table-name", "pages", "--page-size", "3",
                "--max-items", "4"));
            if (null != token)
            {
                args.addAll(List.of("--starting-token", token));
            }
            final CliHarness.Run run = ok(cli, args.toArray(new String[0]));
            resumed.addAll(ids(run.out()));
            token = run.out().contains("\"NextToken\"") ?
                run.out().replaceAll("(?s).*\"NextToken\": \"([^\"]+)\".*", "$1") : null;
            calls++;
        }
        while (null != token && calls < 10);
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), resumed, "max-items 4 over pages of 3: no loss, no repeat");
        assertEquals(3, calls);
    }

    @Test
    void scanSegmentsSplitTheTable()
    {
        createOrdersTable("segments");
        for (int id = 1; id <= 20; id++)
        {
            ok(cli, "put-item", "--table-name", "segments", "--item", "customer={S=c" + id + "},id={N=" + id + "}");
        }
        final List<Integer> union = new ArrayList<>();
        union.addAll(ids(ok(cli, "scan", "--table-name", "segments", "--segment", "0", "--total-segments", "2").out()));
        union.addAll(ids(ok(cli, "scan", "--table-name", "segments", "--segment", "1", "--total-segments", "2").out()));
        union.sort(Integer::compare);
        final List<Integer> expected = new ArrayList<>();
        for (int id = 1; id <= 20; id++)
        {
            expected.add(id);
        }
        assertEquals(expected, union);
    }

    @Test
    void batchWriteFromAFileSplitsIntoBatchesOf25AndRetriesUnprocessed(@TempDir final Path files) throws Exception
    {
        createOrdersTable("bulk");
        final StringBuilder json = new StringBuilder("{\"bulk\": [");
        for (int id = 1; id <= 60; id++)
        {
            json.append(id > 1 ? ", " : "").append("{\"PutRequest\": {\"Item\": {\"customer\": {\"S\": \"e\"}, " +
                "\"id\": {\"N\": \"").append(id).append("\"}}}}");
        }
        json.append(", {\"DeleteRequest\": {\"Key\": {\"customer\": {\"S\": \"e\"}, \"id\": {\"N\": \"7\"}}}}]}");
        final Path file = files.resolve("requests.json");
        Files.writeString(file, json);

        final List<Integer> batchSizes = new ArrayList<>();
        final CliHarness flaky = new CliHarness(new DelegatingBackend(backend)
        {
            private int calls;

            public Map<String, List<Write>> batchWriteItem(final Map<String, List<Write>> writesByTable)
            {
                final List<Write> writes = writesByTable.get("bulk");
                batchSizes.add(writes.size());
                if (calls++ % 2 == 0 && writes.size() > 1)
                {
                    // Process the first half only and hand the rest back, as a throttled DynamoDB does.
                    final int half = writes.size() / 2;
                    super.batchWriteItem(Map.of("bulk", writes.subList(0, half)));
                    return Map.of("bulk", new ArrayList<>(writes.subList(half, writes.size())));
                }
                return super.batchWriteItem(writesByTable);
            }
        });
        final CliHarness.Run run = ok(flaky, "batch-write-item", "--request-items", "file://" + file);
        assertEquals("{\n    \"UnprocessedItems\": {}\n}\n", run.out());
        assertTrue(batchSizes.stream().allMatch(size -> size <= 25), batchSizes.toString());
        assertEquals(List.of(25, 13, 25, 13, 11, 6), batchSizes, "3 batches (25, 25, 11), each resent once");
        assertEquals(3, flaky.sleeps.size(), "one back-off before each resend");
        assertTrue(run.err().contains("[##############################] 61/61 writes (100%), 3 retries\n"), run.err());
        assertEquals(1, run.err().split("61/61", -1).length - 1, "the finished bar is drawn once: " + run.err());

        final CliHarness.Run count = ok(cli, "scan", "--table-name", "bulk", "--select", "COUNT");
        assertEquals("{\n    \"Count\": 59,\n    \"ScannedCount\": 59\n}\n", count.out());
    }

    @Test
    void batchWriteGivesBackWhatStaysUnprocessed()
    {
        createOrdersTable("stuck");
        final CliHarness never = new CliHarness(new DelegatingBackend(backend)
        {
            public Map<String, List<Write>> batchWriteItem(final Map<String, List<Write>> writesByTable)
            {
                return writesByTable;
            }
        });
        final CliHarness.Run run = ok(never, "batch-write-item", "--request-items",
            "{\"stuck\": [{\"PutRequest\": {\"Item\": {\"customer\": {\"S\": \"f\"}, \"id\": {\"N\": \"1\"}}}}]}");
        assertEquals("{\"UnprocessedItems\": {\"stuck\": [{\"PutRequest\": {\"Item\": {\"customer\": {\"S\": \"f\"}, " +
            "\"id\": {\"N\": \"1\"}}}}]}}", compact(run.out()));
        assertEquals(BatchRunner.MAX_ATTEMPTS - 1, never.sleeps.size());
        assertTrue(never.sleeps.stream().allMatch(ms -> ms >= BatchRunner.FIRST_BACKOFF_MS / 2 &&
            ms <= BatchRunner.MAX_BACKOFF_MS), never.sleeps.toString());
        assertEquals("", run.err(), "one batch: no progress bar");
    }

    @Test
    void batchGetItemReturnsResponsesPerTable()
    {
        createOrdersTable("bget");
        ok(cli, "put-item", "--table-name", "bget", "--item", "customer={S=g},id={N=1},x={S=one}");
        ok(cli, "put-item", "--table-name", "bget", "--item", "customer={S=g},id={N=2},x={S=two}");
        final CliHarness.Run run = ok(cli, "batch-get-item", "--request-items", "{\"bget\": {\"Keys\": [" +
            "{\"customer\": {\"S\": \"g\"}, \"id\": {\"N\": \"2\"}}, {\"customer\": {\"S\": \"g\"}, \"id\": {\"N\": \"9\"}}], " +
            "\"ProjectionExpression\": \"x\"}}");
        assertEquals("{\"Responses\": {\"bget\": [{\"x\": {\"S\": \"two\"}}]}, \"UnprocessedKeys\": {}}",
            compact(run.out()));
    }

    @Test
    void batchGetItemHandsItsProjectionToTheDatabaseAndHonoursAttributesToGet()
    {
        createOrdersTable("bproj");
        ok(cli, "put-item", "--table-name", "bproj", "--item",
            "{\"customer\": {\"S\": \"p\"}, \"id\": {\"N\": \"1\"}, \"x\": {\"S\": \"one\"}, " +
                "\"info\": {\"M\": {\"a\": {\"S\": \"in\"}, \"b\": {\"L\": [{\"N\": \"7\"}, {\"N\": \"8\"}]}}}}");
        final String keys = "\"Keys\": [{\"customer\": {\"S\": \"p\"}, \"id\": {\"N\": \"1\"}}]";
        // nested paths, list indexes and placeholders: the database compiles the projection, as for GetItem
        assertEquals("{\"Responses\": {\"bproj\": [{\"info\": {\"M\": {\"a\": {\"S\": \"in\"}, " +
                "\"b\": {\"L\": [{\"N\": \"8\"}]}}}, \"x\": {\"S\": \"one\"}}]}, \"UnprocessedKeys\": {}}",
            compact(ok(cli, "batch-get-item", "--request-items", "{\"bproj\": {" + keys +
                ", \"ProjectionExpression\": \"info.a, #i.b[1], #x\", " +
                "\"ExpressionAttributeNames\": {\"#i\": \"info\", \"#x\": \"x\"}}}").out()));
        // the legacy AttributesToGet is applied, not ignored
        assertEquals("{\"Responses\": {\"bproj\": [{\"x\": {\"S\": \"one\"}}]}, \"UnprocessedKeys\": {}}",
            compact(ok(cli, "batch-get-item", "--request-items", "{\"bproj\": {" + keys +
                ", \"AttributesToGet\": [\"x\"]}}").out()));
        // DynamoDB's refusals
        assertTrue(fails(cli, "batch-get-item", "--request-items", "{\"bproj\": {" + keys +
                ", \"AttributesToGet\": [\"x\"], \"ExpressionAttributeNames\": {\"#x\": \"x\"}}}").err()
            .contains("ExpressionAttributeNames can only be specified when using expressions"));
        assertTrue(fails(cli, "batch-get-item", "--request-items", "{\"bproj\": {" + keys +
                ", \"AttributesToGet\": [\"x\"], \"ProjectionExpression\": \"x\"}}").err()
            .contains("Can not use both expression and non-expression parameters in the same request: " +
                "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"));
        assertTrue(fails(cli, "batch-get-item", "--request-items", "{\"bproj\": {" + keys +
                ", \"ProjectionExpression\": \"#nope\"}}").err()
            .contains("An expression attribute name used in the document path is not defined; attribute name: #nope"));
    }

    @Test
    void tableAndTextOutputs()
    {
        createOrdersTable("grid");
        ok(cli, "put-item", "--table-name", "grid", "--item", "customer={S=h},id={N=1},tags={SS=[a,b]}");
        ok(cli, "put-item", "--table-name", "grid", "--item", "customer={S=h},id={N=2},ok={BOOL=true}");
        assertEquals("Scan\n" +
            "Items:\n" +
            "+----------+----+------------+------+\n" +
            "| customer | id | tags       | ok   |\n" +
            "+----------+----+------------+------+\n" +
            "| h        | 1  | [\"a\", \"b\"] |      |\n" +
            "| h        | 2  |            | true |\n" +
            "+----------+----+------------+------+\n" +
            "+--------------+---+\n" +
            "| Count        | 2 |\n" +
            "| ScannedCount | 2 |\n" +
            "+--------------+---+\n", ok(cli, "scan", "--table-name", "grid", "--output", "table").out());
        assertEquals("GetItem\n" +
            "Item:\n" +
            "+-----------+------+-------+\n" +
            "| Attribute | Type | Value |\n" +
            "+-----------+------+-------+\n" +
            "| customer  | S    | h     |\n" +
            "| id        | N    | 2     |\n" +
            "| ok        | BOOL | true  |\n" +
            "+-----------+------+-------+\n",
            ok(cli, "get-item", "--table-name", "grid", "--key", "customer={S=h},id={N=2}", "--output", "table").out());
        assertEquals("CUSTOMER\th\nID\t1\nSS\ta\nSS\tb\n",
            ok(cli, "get-item", "--table-name", "grid", "--key", "customer={S=h},id={N=1}", "--output", "text").out());
        assertEquals("2\t2\nCUSTOMER\th\nID\t1\nSS\ta\nSS\tb\nCUSTOMER\th\nID\t2\nOK\tTrue\n",
            ok(cli, "--output", "text", "scan", "--table-name", "grid").out());
    }

    @Test
    void cliInputJsonStandsForTheOptionsAndTheCommandLineWins()
    {
        createOrdersTable("input");
        for (int id = 1; id <= 2; id++)
        {
            ok(cli, "put-item", "--cli-input-json", "{\"TableName\": \"input\", \"Item\": {\"customer\": " +
                "{\"S\": \"i\"}, \"id\": {\"N\": \"" + id + "\"}}}");
        }
        final CliHarness.Run run = ok(cli, "query", "--cli-input-json", "{\"TableName\": \"input\", " +
            "\"KeyConditionExpression\": \"customer = :c\", \"ExpressionAttributeValues\": {\":c\": {\"S\": \"i\"}}, " +
            "\"ScanIndexForward\": false, \"Limit\": 5}", "--limit", "1");
        assertEquals(List.of(2), ids(run.out()), "descending, and --limit 1 beats the JSON's Limit 5");
        assertTrue(run.out().contains("\"LastEvaluatedKey\""), run.out());
        assertEquals("key-condition-expression", CliInputJson.optionName("KeyConditionExpression"));
        assertEquals("sse-specification", CliInputJson.optionName("SSESpecification"));
    }

    private static String query(final String condition, final String values)
    {
        return ok(cli, "query", "--table-name", "query", "--key-condition-expression", condition,
            "--expression-attribute-values", values).out();
    }

    @SuppressWarnings("unchecked")
    private static List<Integer> ids(final String json)
    {
        try
        {
            final Map<String, Object> tree = (Map<String, Object>)Json.parse(json);
            final List<Integer> ids = new ArrayList<>();
            for (final Object item : (List<Object>)tree.get("Items"))
            {
                final Map<String, Object> id = (Map<String, Object>)((Map<String, Object>)item).get("id");
                ids.add(Integer.parseInt((String)id.get("N")));
            }
            return ids;
        }
        catch (final Json.ParseException ex)
        {
            throw new AssertionError("not JSON: " + json, ex);
        }
    }

    static String compact(final String json)
    {
        try
        {
            return Json.compact(Json.parse(json));
        }
        catch (final Json.ParseException ex)
        {
            throw new AssertionError("not JSON: " + json, ex);
        }
    }
}
