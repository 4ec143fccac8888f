package io.ferrite.tools.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ferrite cli} through {@link AeronBackend} against a node started in-process, over IPC and UDP: every
 * invocation connects its own client, as the command does, and prints what the embedded backend prints.
 */
class CliAgainstANodeTest
{
    @TempDir
    static Path tempDir;

    private static CliNode node;

    @BeforeAll
    static void startNode()
    {
        node = CliNode.start(tempDir, "127.0.0.1:0");
    }

    @AfterAll
    static void stopNode()
    {
        if (null != node)
        {
            node.close();
        }
    }

    private static String[] cli(final String endpoint, final String... args)
    {
        final CliHarness.Run run = node.run(endpoint, backend -> backend, args);
        return new String[]{ run.out(), run.err(), String.valueOf(run.exitCode()) };
    }

    private static String ok(final String endpoint, final String... args)
    {
        return node.ok(endpoint, backend -> backend, args);
    }

    @org.junit.jupiter.api.Test
    void createTableKeepsProvisionedThroughputAndUpdateTableChangesIt()
    {
        final String created = ok("aeron:ipc", "create-table", "--table-name", "capacity", "--attribute-definitions",
            "AttributeName=pk,AttributeType=S", "--key-schema", "AttributeName=pk,KeyType=HASH",
            "--provisioned-throughput", "ReadCapacityUnits=7,WriteCapacityUnits=3");
        assertTrue(created.contains("\"ReadCapacityUnits\": 7,\n            \"WriteCapacityUnits\": 3\n"), created);
        assertTrue(!created.contains("BillingModeSummary"), created);

        final String updated = ok("aeron:ipc", "update-table", "--table-name", "capacity",
            "--provisioned-throughput", "ReadCapacityUnits=5,WriteCapacityUnits=5");
        assertTrue(updated.startsWith("{\n    \"TableDescription\": {"), updated);
        assertTrue(updated.contains("\"ReadCapacityUnits\": 5,\n            \"WriteCapacityUnits\": 5\n"), updated);
        final String described = ok("aeron:ipc", "describe-table", "--table-name", "capacity");
        assertTrue(described.contains("\"ReadCapacityUnits\": 5,\n            \"WriteCapacityUnits\": 5\n"), described);

        final String onDemand = ok("aeron:ipc", "update-table", "--table-name", "capacity", "--billing-mode", "PAY_PER_REQUEST");
        assertTrue(onDemand.contains("\"BillingMode\": \"PAY_PER_REQUEST\""), onDemand);
        final String[] stray = cli("aeron:ipc", "update-table", "--table-name", "capacity", "--billing-mode",
            "PAY_PER_REQUEST", "--provisioned-throughput", "ReadCapacityUnits=5,WriteCapacityUnits=5");
        assertEquals("254", stray[2], stray[1]);
        assertTrue(stray[1].contains("An error occurred (ValidationException) when calling the UpdateTable operation: " +
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be " +
            "specified when BillingMode is PAY_PER_REQUEST"), stray[1]);
        final String[] missing = cli("aeron:ipc", "update-table", "--table-name", "capacity", "--billing-mode", "PROVISIONED");
        assertEquals("254", missing[2], missing[1]);
        assertTrue(missing[1].contains("ProvisionedThroughput must be specified when BillingMode is PROVISIONED"), missing[1]);

        assertEquals("{\n    \"ConsumedCapacity\": {\n        \"TableName\": \"capacity\",\n        \"CapacityUnits\": 2.0\n    }\n}\n",
            ok("aeron:ipc", "put-item", "--table-name", "capacity", "--item",
                "{\"pk\": {\"S\": \"big\"}, \"blob\": {\"S\": \"" + "b".repeat(1500) + "\"}}",
                "--return-consumed-capacity", "TOTAL"));
        assertEquals("{\n    \"Item\": {\n        \"pk\": {\n            \"S\": \"a\"\n        }\n    },\n" +
            "    \"ConsumedCapacity\": {\n        \"TableName\": \"capacity\",\n        \"CapacityUnits\": 0.5,\n" +
            "        \"Table\": {\n            \"CapacityUnits\": 0.5\n        }\n    }\n}\n",
            ok("aeron:ipc", "put-item", "--table-name", "capacity", "--item", "pk={S=a}").isEmpty() ?
                ok("aeron:ipc", "get-item", "--table-name", "capacity", "--key", "pk={S=a}", "--return-consumed-capacity",
                    "INDEXES") : "put-item printed something");
        final String[] badMode = cli("aeron:ipc", "get-item", "--table-name", "capacity", "--key", "pk={S=a}",
            "--return-consumed-capacity", "ALL");
        assertEquals("254", badMode[2], badMode[1]);
        assertTrue(badMode[1].contains("Value 'ALL' at 'returnConsumedCapacity' failed to satisfy constraint"), badMode[1]);
    }

    @org.junit.jupiter.api.Test
    void expressionsTravelToTheNode()
    {
        ok("aeron:ipc", "create-table", "--table-name", "exprs", "--attribute-definitions",
            "AttributeName=pk,AttributeType=S", "AttributeName=sk,AttributeType=N", "--key-schema",
            "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE", "--billing-mode", "PAY_PER_REQUEST");
        assertEquals("", ok("aeron:ipc", "put-item", "--table-name", "exprs", "--item",
            "pk={S=a},sk={N=1},version={N=1},tags={SS=[x,y]},n={N=10}", "--condition-expression",
            "attribute_not_exists(pk)"));

        // an update the node evaluates: arithmetic, ADD, DELETE from a set, REMOVE, with a version check
        assertEquals("{\"Attributes\": {\"count\": {\"N\": \"2\"}, \"n\": {\"N\": \"7\"}, " +
            "\"tags\": {\"SS\": [\"y\"]}, \"version\": {\"N\": \"2\"}}}",
            CliVerbsEndToEndTest.compact(ok("aeron:ipc", "update-item", "--table-name", "exprs",
                "--key", "pk={S=a},sk={N=1}",
                "--update-expression", "SET #v = #v + :one, n = n - :three ADD #c :two DELETE tags :x",
                "--condition-expression", "#v = :expected",
                "--expression-attribute-names", "{\"#v\": \"version\", \"#c\": \"count\"}",
                "--expression-attribute-values", "{\":one\": {\"N\": \"1\"}, \":three\": {\"N\": \"3\"}, " +
                    "\":two\": {\"N\": \"2\"}, \":x\": {\"SS\": [\"x\"]}, \":expected\": {\"N\": \"1\"}}",
                "--return-values", "UPDATED_NEW")));

        // the same version check again fails on the node: ConditionalCheckFailedException, exit 254
        final String[] stale = cli("aeron:ipc", "update-item", "--table-name", "exprs", "--key", "pk={S=a},sk={N=1}",
            "--update-expression", "SET #v = #v + :one", "--condition-expression", "#v = :expected",
            "--expression-attribute-names", "{\"#v\": \"version\"}",
            "--expression-attribute-values", "{\":one\": {\"N\": \"1\"}, \":expected\": {\"N\": \"1\"}}",
            "--return-values-on-condition-check-failure", "ALL_OLD");
        assertEquals("254", stale[2], stale[1]);
        assertEquals("\nAn error occurred (ConditionalCheckFailedException) when calling the UpdateItem operation: " +
            "The conditional request failed\n", stale[1]);

        // query by key condition with a filter and a projection, and a scan with a filter
        ok("aeron:ipc", "put-item", "--table-name", "exprs", "--item", "pk={S=a},sk={N=2},n={N=1}");
        assertEquals("{\"Items\": [{\"sk\": {\"N\": \"1\"}}], \"Count\": 1, \"ScannedCount\": 2}",
            CliVerbsEndToEndTest.compact(ok("aeron:ipc", "query", "--table-name", "exprs",
                "--key-condition-expression", "pk = :a AND sk BETWEEN :lo AND :hi", "--filter-expression", "n > :min",
                "--projection-expression", "sk", "--expression-attribute-values",
                "{\":a\": {\"S\": \"a\"}, \":lo\": {\"N\": \"1\"}, \":hi\": {\"N\": \"5\"}, \":min\": {\"N\": \"5\"}}")));
        assertEquals("{\"Count\": 1, \"ScannedCount\": 2}", CliVerbsEndToEndTest.compact(ok("aeron:ipc", "scan",
            "--table-name", "exprs", "--filter-expression", "attribute_exists(tags)", "--select", "COUNT")));

        // batch-get-item's projection is compiled by the node: a nested path through a placeholder
        assertEquals("{\"Responses\": {\"exprs\": [{\"sk\": {\"N\": \"2\"}}]}, \"UnprocessedKeys\": {}}",
            CliVerbsEndToEndTest.compact(ok("aeron:ipc", "batch-get-item", "--request-items", "{\"exprs\": {\"Keys\": " +
                "[{\"pk\": {\"S\": \"a\"}, \"sk\": {\"N\": \"2\"}}], \"ProjectionExpression\": \"#s, nope.deeper\", " +
                "\"ExpressionAttributeNames\": {\"#s\": \"sk\"}}}")));

        final String[] reserved = cli("aeron:ipc", "update-item", "--table-name", "exprs", "--key", "pk={S=a},sk={N=1}",
            "--update-expression", "SET status = :s", "--expression-attribute-values", "{\":s\": {\"S\": \"x\"}}");
        assertEquals("254", reserved[2], reserved[1]);
        assertEquals("\nAn error occurred (ValidationException) when calling the UpdateItem operation: Invalid " +
            "UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status\n", reserved[1]);
    }

    @ParameterizedTest
    @ValueSource(strings = { "ipc", "udp" })
    void everyKindOfVerbWorksOverTheNetwork(final String transport)
    {
        final String endpoint = "ipc".equals(transport) ? "aeron:ipc" : node.node().udpChannel();
        final String table = "net-" + transport;
        ok(endpoint, "create-table", "--table-name", table, "--attribute-definitions",
            "AttributeName=pk,AttributeType=S", "AttributeName=sk,AttributeType=N", "--key-schema",
            "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE", "--billing-mode", "PAY_PER_REQUEST");
        ok(endpoint, "wait", "table-exists", "--table-name", table);
        assertEquals("", ok(endpoint, "put-item", "--table-name", table, "--item",
            "{\"pk\": {\"S\": \"a\"}, \"sk\": {\"N\": \"1\"}, \"v\": {\"SS\": [\"x\"]}}"));
        assertEquals("{\n    \"Item\": {\n        \"pk\": {\n            \"S\": \"a\"\n        },\n" +
            "        \"sk\": {\n            \"N\": \"1\"\n        },\n        \"v\": {\n            \"SS\": [\n" +
            "                \"x\"\n            ]\n        }\n    }\n}\n",
            ok(endpoint, "get-item", "--table-name", table, "--key", "pk={S=a},sk={N=1}", "--consistent-read"));

        final StringBuilder requests = new StringBuilder("{\"" + table + "\": [");
        for (int i = 2; i <= 40; i++)
        {
            requests.append(i > 2 ? ", " : "").append("{\"PutRequest\": {\"Item\": {\"pk\": {\"S\": \"a\"}, " +
                "\"sk\": {\"N\": \"").append(i).append("\"}}}}");
        }
        requests.append("]}");
        assertEquals("{\n    \"UnprocessedItems\": {}\n}\n",
            ok(endpoint, "batch-write-item", "--request-items", requests.toString()));
        assertEquals("{\n    \"Count\": 40,\n    \"ScannedCount\": 40\n}\n",
            ok(endpoint, "query", "--table-name", table, "--key-condition-expression", "pk = :p",
                "--expression-attribute-values", "{\":p\": {\"S\": \"a\"}}", "--select", "COUNT", "--page-size", "7"));
        assertTrue(ok(endpoint, "update-item", "--table-name", table, "--key", "pk={S=a},sk={N=1}",
            "--update-expression", "SET w = :w REMOVE v", "--expression-attribute-values", "{\":w\": {\"N\": \"2\"}}",
            "--return-values", "ALL_NEW").contains("\"w\": {\n            \"N\": \"2\"\n        }"));
        assertTrue(ok(endpoint, "scan", "--table-name", table, "--max-items", "3").contains("\"NextToken\""));

        final String[] missingKey = cli(endpoint, "put-item", "--table-name", table, "--item", "pk={S=a}");
        assertEquals("254", missingKey[2]);
        assertTrue(missingKey[1].startsWith("\nAn error occurred (ValidationException) when calling the PutItem " +
            "operation: "), missingKey[1]);

        assertTrue(ok(endpoint, "delete-table", "--table-name", table).contains("\"TableStatus\": \"DELETING\""));
        ok(endpoint, "wait", "table-not-exists", "--table-name", table);
    }
}
