package io.ferrite.tools.cli;

import io.ferrite.engine.config.EngineConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The AWS CLI's error lines and exit codes: 252 for a bad command line (nothing sent), 254 for an error the
 * database answered, with DynamoDB's words; and the file:// endpoint's own refusals.
 */
class CliErrorsAndExitCodesTest
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
        assertEquals(0, cli.run("create-table", "--table-name", "errs", "--attribute-definitions",
            "AttributeName=pk,AttributeType=S", "--key-schema", "AttributeName=pk,KeyType=HASH",
            "--billing-mode", "PAY_PER_REQUEST").exitCode());
    }

    @AfterAll
    static void close()
    {
        if (null != backend)
        {
            backend.close();
        }
    }

    private static void assertFails(final int exitCode, final String stderr, final String... args)
    {
        final CliHarness.Run run = cli.run(args);
        assertEquals(stderr, run.err());
        assertEquals("", run.out());
        assertEquals(exitCode, run.exitCode());
    }

    @Test
    void serviceErrorsPrintAsTheAwsCliWithExitCode254()
    {
        assertFails(254, "\nAn error occurred (ValidationException) when calling the PutItem operation: One or more " +
            "parameter values were invalid: Missing the key pk in the item\n",
            "put-item", "--table-name", "errs", "--item", "{\"x\": {\"S\": \"a\"}}");
        assertFails(254, "\nAn error occurred (ResourceNotFoundException) when calling the GetItem operation: " +
            "Requested resource not found: Table: nope not found\n",
            "get-item", "--table-name", "nope", "--key", "pk={S=a}");
        assertFails(254, "\nAn error occurred (ResourceInUseException) when calling the CreateTable operation: " +
            backendMessageOfDuplicateCreate() + "\n",
            "create-table", "--table-name", "errs", "--attribute-definitions", "AttributeName=pk,AttributeType=S",
            "--key-schema", "AttributeName=pk,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST");
        assertFails(254, "\nAn error occurred (ValidationException) when calling the CreateTable operation: One or " +
            "more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified " +
            "when BillingMode is PROVISIONED\n",
            "create-table", "--table-name", "other", "--attribute-definitions", "AttributeName=pk,AttributeType=S",
            "--key-schema", "AttributeName=pk,KeyType=HASH");
        assertFails(254, "\nAn error occurred (ValidationException) when calling the PutItem operation: " +
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes\n",
            "put-item", "--table-name", "errs", "--item", "{\"pk\": {}}");
    }

    private static String backendMessageOfDuplicateCreate()
    {
        try
        {
            backend.createTable(io.ferrite.engine.table.TableSpec.of("errs")
                .partitionKey("pk", io.ferrite.engine.table.KeyType.S));
            throw new AssertionError("creating a table twice succeeded");
        }
        catch (final io.ferrite.codecs.error.FerriteException ex)
        {
            return ex.getMessage();
        }
    }

    @Test
    void expressionErrorsAreTheDatabasesValidationExceptionsAndFailedConditionsExit254()
    {
        assertFails(254, "\nAn error occurred (ValidationException) when calling the Scan operation: Invalid " +
            "FilterExpression: An expression attribute value used in expression is not defined; attribute value: :a\n",
            "scan", "--table-name", "errs", "--filter-expression", "a = :a");
        assertFails(254, "\nAn error occurred (ValidationException) when calling the UpdateItem operation: Invalid " +
            "UpdateExpression: Attribute name is a reserved keyword; reserved keyword: total\n",
            "update-item", "--table-name", "errs", "--key", "pk={S=a}", "--update-expression", "ADD total :one",
            "--expression-attribute-values", "{\":one\": {\"N\": \"1\"}}");
        assertFails(254, "\nAn error occurred (ValidationException) when calling the Query operation: Invalid operator " +
            "used in KeyConditionExpression: OR\n",
            "query", "--table-name", "errs", "--key-condition-expression", "pk = :a OR pk = :b",
            "--expression-attribute-values", "{\":a\": {\"S\": \"a\"}, \":b\": {\"S\": \"b\"}}");
        assertEquals(0, cli.run("put-item", "--table-name", "errs", "--item", "pk={S=held},n={N=1}").exitCode());
        assertFails(254, "\nAn error occurred (ConditionalCheckFailedException) when calling the PutItem operation: " +
            "The conditional request failed\n",
            "put-item", "--table-name", "errs", "--item", "pk={S=held}", "--condition-expression",
            "attribute_not_exists(pk)", "--return-values-on-condition-check-failure", "ALL_OLD");
        assertFails(254, "\nAn error occurred (ValidationException) when calling the PutItem operation: 1 validation " +
            "error detected: Value 'SOME' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member " +
            "must satisfy enum value set: [ALL_OLD, NONE]\n",
            "put-item", "--table-name", "errs", "--item", "pk={S=held}", "--condition-expression",
            "attribute_not_exists(pk)", "--return-values-on-condition-check-failure", "SOME");

        assertFails(254, "\nAn error occurred (ValidationException) when calling the Query operation: Invalid " +
            "KeyConditionExpression: An expression attribute value used in expression is not defined; attribute " +
            "value: :missing\n",
            "query", "--table-name", "errs", "--key-condition-expression", "pk = :missing");
        assertFails(254, "\nAn error occurred (ValidationException) when calling the Query operation: Value " +
            "provided in ExpressionAttributeValues unused in expressions: keys: {:extra}\n",
            "query", "--table-name", "errs", "--key-condition-expression", "pk = :a", "--expression-attribute-values",
            "{\":a\": {\"S\": \"a\"}, \":extra\": {\"S\": \"b\"}}");
        assertFails(254, "\nAn error occurred (ValidationException) when calling the Query operation: Query " +
            "condition missed key schema element: pk\n",
            "query", "--table-name", "errs", "--key-condition-expression", "colour = :a", "--expression-attribute-values",
            "{\":a\": {\"S\": \"a\"}}");
    }

    @Test
    void badJsonIsAUsageErrorNamingTheOption()
    {
        assertFails(252, "\nError parsing parameter '--item': Invalid JSON: Expecting property name enclosed in " +
            "double quotes: line 1 column 2 (char 1)\nJSON received: {pk:1}\n",
            "put-item", "--table-name", "errs", "--item", "{pk:1}");
        assertFails(252, "\nError parsing parameter '--key': Expected: ',', received: 'EOF' for input:\npk={S=a\n" +
            "       ^\n",
            "get-item", "--table-name", "errs", "--key", "pk={S=a");
        assertFails(252, "\nParameter validation failed:\nInvalid type for parameter Key.pk.N, value: 1, type: " +
            "<class 'int'>, valid types: <class 'str'>\n",
            "get-item", "--table-name", "errs", "--key", "{\"pk\": {\"N\": 1}}");
        assertFails(252, "\nParameter validation failed:\nMissing required parameter in AttributeDefinitions[0]: " +
            "\"AttributeType\"\nUnknown parameter in AttributeDefinitions[0]: \"AttributeTyp\", must be one of: " +
            "AttributeName, AttributeType\n",
            "create-table", "--table-name", "x1x", "--attribute-definitions", "AttributeName=pk,AttributeTyp=S",
            "--key-schema", "AttributeName=pk,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST");
        assertFails(252, "\nError parsing parameter '--request-items': Unable to load paramfile file:///no/such.json: " +
            "[Errno 2] No such file or directory: '/no/such.json'\n",
            "batch-write-item", "--request-items", "file:///no/such.json");
    }

    @Test
    void unknownAndMissingOptionsPrintTheUsageAndExit252()
    {
        final String usage = "\nusage: ferrite cli [options] <command> [parameters]\nTo see help text, you can run:\n\n" +
            "  ferrite cli help\n  ferrite cli <command> help\n\n";
        assertFails(252, usage + "Unknown options: --bogus, 3\n",
            "put-item", "--table-name", "errs", "--item", "pk={S=a}", "--bogus", "3");
        assertFails(252, usage + "the following arguments are required: --table-name, --item\n", "put-item");
        assertFails(252, usage + "ferrite cli: error: argument command: Invalid choice 'put-itemz', valid choices " +
            "are: create-table, update-table, describe-table, list-tables, delete-table, put-item, get-item, update-item, " +
            "delete-item, query, scan, batch-get-item, batch-write-item, wait table-exists, wait table-not-exists\n",
            "put-itemz");
        assertFails(252, usage + "ferrite cli: error: argument --output: Invalid choice 'yaml', valid choices are: " +
            "json, text, table\n", "list-tables", "--output", "yaml");
        assertFails(252, "\ninvalid literal for int() with base 10: 'x'\n",
            "scan", "--table-name", "errs", "--limit", "x");
        assertTrue(cli.endpoints.stream().allMatch("aeron:ipc"::equals), cli.endpoints.toString());
    }

    @Test
    void waitersReturnAtOnceForWhatIsSoAndGiveUpWithExit255()
    {
        final CliHarness.Run exists = cli.run("wait", "table-exists", "--table-name", "errs");
        assertEquals(0, exists.exitCode(), exists.err());
        assertEquals("", exists.out());
        assertEquals(0, cli.run("wait", "table-not-exists", "--table-name", "never").exitCode());

        final int sleepsBefore = cli.sleeps.size();
        final CliHarness.Run never = cli.run("wait", "table-exists", "--table-name", "never");
        assertEquals(255, never.exitCode());
        assertEquals("\nWaiter TableExists failed: Max attempts exceeded\n", never.err());
        assertEquals(Verbs.WAITER_ATTEMPTS, cli.sleeps.size() - sleepsBefore);
    }

    @Test
    void helpListsVerbsAndTheirOptions()
    {
        final CliHarness.Run help = cli.run("help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("  batch-write-item\n"), help.out());
        final CliHarness.Run verbHelp = cli.run("query", "help");
        assertEquals(0, verbHelp.exitCode());
        assertTrue(verbHelp.out().contains("  [--scan-index-forward | --no-scan-index-forward]\n"), verbHelp.out());
        assertTrue(verbHelp.out().contains("  --table-name <value>\n"), verbHelp.out());
    }

    @Test
    void fileEndpointPersistsAcrossInvocationsAndRefusesANodeRootOrAMissingDirectory(@TempDir final Path root)
        throws Exception
    {
        final Path shard = root.resolve("node").resolve("shard-0");
        final String endpoint = "file://" + shard;
        assertEquals(0, real("--endpoint-url", endpoint, "create-table", "--table-name", "persisted",
            "--attribute-definitions", "AttributeName=pk,AttributeType=S", "--key-schema",
            "AttributeName=pk,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST")[0].length() >= 0 ? 0 : 1);
        assertEquals("", real("--endpoint-url", endpoint, "put-item", "--table-name", "persisted", "--item",
            "pk={S=kept},n={N=42}")[0]);
        assertEquals("{\n    \"Item\": {\n        \"n\": {\n            \"N\": \"42\"\n        },\n" +
            "        \"pk\": {\n            \"S\": \"kept\"\n        }\n    }\n}\n",
            real("--endpoint-url", endpoint, "get-item", "--table-name", "persisted", "--key", "pk={S=kept}")[0]);

        final String[] nodeRoot = real("--endpoint-url", "file://" + root.resolve("node"), "list-tables");
        assertTrue(nodeRoot[1].contains("is a node's data directory with 1 shard(s) [shard-0]; point at one shard, " +
            "e.g. file://" + shard.toAbsolutePath()), nodeRoot[1]);
        assertEquals("252", nodeRoot[2]);

        final String[] missing = real("--endpoint-url", "file://" + root.resolve("typo"), "list-tables");
        assertEquals("\n--endpoint-url file://" + root.resolve("typo") + ": no such data directory (only " +
            "create-table creates one)\n", missing[1]);
        assertEquals("252", missing[2]);
        assertTrue(!Files.exists(root.resolve("typo")));

        final String[] remote = real("--endpoint-url", "aeron:udp?endpoint=127.0.0.1:1", "list-tables");
        assertEquals("255", remote[2]);
        assertTrue(remote[1].startsWith("\nCould not connect to the endpoint URL: \"aeron:udp?endpoint=127.0.0.1:1\""),
            remote[1]);
    }

    private static String[] real(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exitCode = new CliCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), CliCommand::defaultBackend, ms -> { },
            System::currentTimeMillis).execute(args);
        return new String[]{ out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
            String.valueOf(exitCode) };
    }
}
