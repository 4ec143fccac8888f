package io.ferrite.tools;

import org.agrona.IoUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ferrite server} that cannot start says so in a line naming the cause, exits non-zero (2 for a data directory
 * that is a file, a usage error; 1 for a failure), and never claims to have "stopped cleanly".
 */
class ServerStartFailuresAreToldNotStoppedCleanlyTest
{
    @TempDir
    Path temp;

    @Test
    void dataDirThatIsAFileIsAUsageError() throws Exception
    {
        final Path file = Files.writeString(temp.resolve("a-file"), "not a directory");
        final Result result = server("--data-dir", file.toString(), "--http-port", "none");
        assertEquals(2, result.exitCode, result.toString());
        assertTrue(result.stderr.contains("option --data-dir (ferrite.node.dataDir) must name a directory; " + file +
            " is a file"), result.toString());
        assertFalse(result.stdout.contains("stopped cleanly"), result.toString());
    }

    @Test
    void dataDirThatCannotBeCreatedFailsWithoutClaimingACleanStop() throws Exception
    {
        final Path file = Files.writeString(temp.resolve("a-file"), "not a directory");
        final Result result = server("--data-dir", file.resolve("data").toString(), "--http-port", "none");
        assertEquals(1, result.exitCode, result.toString());
        assertFalse(result.stdout.contains("stopped cleanly"), result.toString());
        assertTrue(result.stderr.contains("ferrite server: cannot start: cannot start node on " + file.resolve("data")),
            result.toString());
        assertTrue(result.stderr.contains("Not a directory"), result.toString());
        assertFalse(result.stderr.contains("\tat "), "no stack trace for an operator's mistake: " + result);
    }

    @Test
    void httpPortInUseStopsTheNodeAndSaysWhy() throws Exception
    {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final Result result = server("--data-dir", temp.resolve("data").toString(), "--http-port",
                Integer.toString(taken.getLocalPort()));
            assertEquals(1, result.exitCode, result.toString());
            assertFalse(result.stdout.contains("stopped cleanly"), result.toString());
            assertFalse(result.stdout.contains("ferrite: node ready"), result.toString());
            assertTrue(result.stderr.contains("ferrite server: failed after the node started: cannot listen on 127.0.0.1:" +
                taken.getLocalPort()), result.toString());
            assertTrue(result.stderr.contains("ferrite server: node stopped; data in "), result.toString());
        }
    }

    private Result server(final String... args) throws Exception
    {
        final String aeronDir = (Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" : System.getProperty("java.io.tmpdir")) +
            "/ferrite-server-fail-test-" + UUID.randomUUID();
        final List<String> command = ServerChildProcessServesStatAndStopsCleanlyTest.serverCommand(aeronDir,
            List.of("-Dferrite.engine.walPretouchAheadBytes=0"), args);
        final Path out = temp.resolve("stdout-" + UUID.randomUUID());
        final Path err = temp.resolve("stderr-" + UUID.randomUUID());
        final Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try
        {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "server exited");
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        }
        finally
        {
            if (process.isAlive())
            {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            IoUtil.delete(Path.of(aeronDir).toFile(), true);
        }
    }

    private static final class Result
    {
        final int exitCode;
        final String stdout;
        final String stderr;

        Result(final int exitCode, final String stdout, final String stderr)
        {
            this.exitCode = exitCode;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        @Override
        public String toString()
        {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }
}
