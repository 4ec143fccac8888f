package io.ferrite.http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The AWS CLI (the {@code aws} program: .ci/run installs Debian's {@code awscli} when it is missing) driven through
 * create-table, put-item, get-item, query and scan against a node's HTTP front with {@code --endpoint-url} and
 * dummy credentials. Skipped, saying so, only where no {@code aws} is on the PATH.
 */
final class AwsCliDrivesTheHttpFrontTest
{
    @TempDir
    static Path dataDir;
    private static HttpNodeFixture fixture;
    private static String aws;

    @BeforeAll
    static void start()
    {
        aws = findOnPath("aws");
        Assumptions.assumeTrue(null != aws, "the AWS CLI (aws) is not on the PATH: install Debian's awscli (.ci/run does)");
        fixture = new HttpNodeFixture(dataDir);
    }

    @AfterAll
    static void stop()
    {
        if (null != fixture)
        {
            fixture.close();
        }
    }

    private static String findOnPath(final String program)
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        {
            final Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate))
            {
                return candidate.toString();
            }
        }
        return null;
    }

    private record Result(int exit, String out, String err)
    {
    }

    private static Result aws(final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(aws, "dynamodb"));
        command.addAll(List.of(args));
        command.addAll(List.of("--endpoint-url", fixture.front.endpoint(), "--output", "json"));
        final ProcessBuilder builder = new ProcessBuilder(command);
        final Map<String, String> env = builder.environment();
        env.put("AWS_ACCESS_KEY_ID", "x");
        env.put("AWS_SECRET_ACCESS_KEY", "x");
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        env.put("AWS_CONFIG_FILE", dataDir.resolve("no-aws-config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", dataDir.resolve("no-aws-credentials").toString());
        env.put("AWS_PAGER", "");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        final Path out = Files.createTempFile(dataDir, "aws", ".out");
        final Path err = Files.createTempFile(dataDir, "aws", ".err");
        final Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor();
            throw new AssertionError("aws " + String.join(" ", args) + " did not finish in 60 s");
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    }

    private static Result ok(final String... args) throws Exception
    {
        final Result result = aws(args);
        assertEquals(0, result.exit(), "aws " + String.join(" ", args) + ":\n" + result.out() + result.err());
        return result;
    }

    @Test
    void createPutGetQueryAndScan() throws Exception
    {
        final Result created = ok("create-table", "--table-name", "Music",
            "--attribute-definitions", "AttributeName=Artist,AttributeType=S", "AttributeName=SongTitle,AttributeType=S",
            "--key-schema", "AttributeName=Artist,KeyType=HASH", "AttributeName=SongTitle,KeyType=RANGE",
            "--billing-mode", "PAY_PER_REQUEST");
        assertTrue(created.out().contains("\"TableStatus\": \"ACTIVE\""), created.out());

        ok("put-item", "--table-name", "Music", "--item",
            "{\"Artist\": {\"S\": \"Acme Band\"}, \"SongTitle\": {\"S\": \"Happy Day\"}, \"Year\": {\"N\": \"2024\"}}");
        ok("put-item", "--table-name", "Music", "--item",
            "{\"Artist\": {\"S\": \"Acme Band\"}, \"SongTitle\": {\"S\": \"Blue Sky\"}, \"Tags\": {\"SS\": [\"pop\", \"live\"]}}");

        final Result got = ok("get-item", "--table-name", "Music", "--key",
            "{\"Artist\": {\"S\": \"Acme Band\"}, \"SongTitle\": {\"S\": \"Happy Day\"}}");
        assertTrue(got.out().contains("\"N\": \"2024\""), got.out());

        final Result queried = ok("query", "--table-name", "Music", "--key-condition-expression",
            "Artist = :a AND begins_with(SongTitle, :t)", "--expression-attribute-values",
            "{\":a\": {\"S\": \"Acme Band\"}, \":t\": {\"S\": \"Blue\"}}");
        assertTrue(queried.out().contains("\"Count\": 1"), queried.out());
        assertTrue(queried.out().contains("Blue Sky") && !queried.out().contains("Happy Day"), queried.out());

        final Result scanned = ok("scan", "--table-name", "Music");
        assertTrue(scanned.out().contains("\"Count\": 2"), scanned.out());

        final Result missing = aws("get-item", "--table-name", "Nope", "--key", "{\"Artist\": {\"S\": \"x\"}}");
        assertTrue(0 != missing.exit(), missing.out());
        assertTrue(missing.err().contains("ResourceNotFoundException"), missing.err());
    }
}
