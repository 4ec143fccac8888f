package io.ferrite.tools;

import org.agrona.IoUtil;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ferrite server} started as a child JVM (as the launcher does) prints its configuration and a
 * ready line, {@code ferrite stat} reads its live counters from another process and asks it for latency
 * histograms, SIGTERM stops it cleanly, and it starts again on the same data directory.
 */
class ServerChildProcessServesStatAndStopsCleanlyTest
{
    @Test
    void serverPrintsReadyLineServesStatAndStopsOnSigterm() throws Exception
    {
        final Path dataDir = Files.createTempDirectory("ferrite-server-test");
        final String aeronDir = (Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" : System.getProperty("java.io.tmpdir")) +
            "/ferrite-server-test-" + UUID.randomUUID();
        Process server = null;
        try
        {
            server = start(dataDir, aeronDir);
            final List<String> output = new ArrayList<>();
            final BufferedReader reader = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            final String ready = awaitReady(reader, output);
            assertTrue(ready.matches("ferrite: node ready ipc=aeron:ipc/1001 udp=127\\.0\\.0\\.1:\\d+ aeronDir=" +
                java.util.regex.Pattern.quote(aeronDir) + " shards=2 dataDir=.*"), ready);
            assertTrue(output.stream().anyMatch(line -> line.startsWith("ferrite server: NodeConfig{") &&
                line.contains("shards=2")), "configuration printed: " + output);

            final String stat = run("--dir", dataDir.toString(), "--count", "2", "--interval-ms", "50");
            assertTrue(stat.contains("ferrite node pid " + server.pid()), stat);
            assertTrue(stat.contains("- sessions open"), stat);
            assertTrue(stat.contains("- shard 1 requests"), stat);
            assertTrue(stat.contains("- errors: ValidationException"), stat);
            final String histograms = run("--dir", dataDir.toString(), "--histograms");
            assertTrue(histograms.contains("no request latency recorded yet (2 shard logs"), histograms);

            sigterm(server);
            final StringBuilder rest = new StringBuilder();
            String line;
            while (null != (line = reader.readLine()))
            {
                rest.append(line).append('\n');
            }
            assertTrue(server.waitFor(30, TimeUnit.SECONDS), "server stopped on SIGTERM");
            assertTrue(rest.toString().contains("ferrite server: stopped cleanly"), rest.toString());
            // Chronicle Map's own exit hook once closed stores under a shard still checkpointing at stop.
            assertFalse(rest.toString().contains("agent error"), rest.toString());
            assertEquals(0, server.exitValue(), "a clean stop on SIGTERM exits with status 0");

            server = start(dataDir, aeronDir);
            assertTrue(awaitReady(new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)),
                new ArrayList<>()).startsWith("ferrite: node ready"));
            sigterm(server);
            assertTrue(server.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, server.exitValue(), "a clean stop on SIGTERM exits with status 0");
        }
        finally
        {
            if (null != server && server.isAlive())
            {
                server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            IoUtil.delete(dataDir.toFile(), true);
            Files.deleteIfExists(dataDir.resolveSibling(dataDir.getFileName() + ".stderr"));
            IoUtil.delete(Path.of(aeronDir).toFile(), true);
        }
    }

    /**
     * SIGTERM without {@link Process#destroy()}, which also closes our end of the child's output.
     */
    private static void sigterm(final Process process) throws Exception
    {
        assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor());
    }

    private static Process start(final Path dataDir, final String aeronDir) throws Exception
    {
        final List<String> command = serverCommand(aeronDir, List.of("-Dferrite.node.shards=2", "-Dferrite.http.port=0"),
            "--data-dir", dataDir.toString());
        return new ProcessBuilder(command).redirectError(dataDir.resolveSibling(dataDir.getFileName() + ".stderr").toFile()).start();
    }

    /**
     * The command line of a `ferrite server` child JVM on the test class path: the project's JVM flags, a 256 MB heap,
     * its own Aeron directory, UDP on a free port, small partition stores.
     *
     * @param aeronDir   the node's Aeron directory.
     * @param properties more {@code -D} settings.
     * @param args       the server's arguments.
     * @return the command.
     */
    static List<String> serverCommand(final String aeronDir, final List<String> properties, final String... args)
        throws java.io.IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(io.ferrite.tools.chaos.EmbeddedChaosAccess.jvmFlags());
        command.add("-Xmx256m");
        command.add("-Dferrite.node.aeronDir=" + aeronDir);
        command.add("-Dferrite.node.udpEndpoint=127.0.0.1:0");
        command.add("-Dferrite.engine.partitionMaxItems=10000");
        command.add("-Dferrite.engine.averageItemBytes=256");
        command.addAll(properties);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(FerriteMain.class.getName());
        command.add("server");
        command.addAll(List.of(args));
        return command;
    }

    private static String awaitReady(final BufferedReader reader, final List<String> output) throws Exception
    {
        String line;
        while (null != (line = reader.readLine()))
        {
            output.add(line);
            if (line.startsWith("ferrite: node ready"))
            {
                return line;
            }
        }
        throw new AssertionError("server exited without a ready line: " + output);
    }

    private static String run(final String... args) throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8))
        {
            assertEquals(0, StatCommand.run(args, out));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
