package io.ferrite.tools.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@code ferrite cli} in-process against a given backend, capturing stdout, stderr and the exit code.
 */
final class CliHarness
{
    /**
     * What one invocation did.
     *
     * @param exitCode the exit code.
     * @param out      stdout.
     * @param err      stderr.
     */
    record Run(int exitCode, String out, String err)
    {
    }

    final CliBackend backend;
    final List<Long> sleeps = new ArrayList<>();
    final List<String> endpoints = new ArrayList<>();
    private final AtomicLong clock = new AtomicLong();

    CliHarness(final CliBackend backend)
    {
        this.backend = backend;
    }

    Run run(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final CliCommand command = new CliCommand(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            (endpoint, mayCreate) ->
            {
                endpoints.add(endpoint);
                return backend;
            },
            sleeps::add,
            () -> clock.addAndGet(1_000));
        final int exitCode = command.execute(args);
        return new Run(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Creates an on-demand table keyed by the string {@code pk}, asserting the command succeeded.
     *
     * @param name the table's name.
     */
    void createOnDemandTable(final String name)
    {
        final Run created = run("create-table", "--table-name", name, "--attribute-definitions",
            "AttributeName=pk,AttributeType=S", "--key-schema", "AttributeName=pk,KeyType=HASH",
            "--billing-mode", "PAY_PER_REQUEST");
        assertEquals(0, created.exitCode(), created.err());
    }

    /**
     * Asserts that a run was refused, exit code 254, for a ReturnConsumedCapacity of {@code total} (not in DynamoDB's
     * set, which is upper case).
     *
     * @param refused the run.
     */
    static void assertLowerCaseTotalRefused(final Run refused)
    {
        assertEquals(254, refused.exitCode(), refused.err());
        assertTrue(refused.err().contains("Value 'total' at 'returnConsumedCapacity' failed to satisfy constraint"),
            refused.err());
    }
}
