package io.ferrite.tools.cli;

import io.ferrite.engine.config.Settings;
import io.ferrite.engine.wal.FsyncPolicy;
import io.ferrite.transport.node.Node;
import io.ferrite.transport.node.NodeConfig;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A node started in this JVM for the CLI tests of one class (two shards, small partitions, fsync NONE, its data and
 * Aeron directories under the class's temporary directory), and {@code ferrite cli} invocations against it through
 * {@link AeronBackend}, each connecting its own client as the command does. Closing it closes the node.
 */
final class CliNode implements AutoCloseable
{
    private final Node node;

    private CliNode(final Node node)
    {
        this.node = node;
    }

    /**
     * @param dir         the test class's temporary directory.
     * @param udpEndpoint the node's UDP endpoint ({@code "none"} for IPC only, {@code "127.0.0.1:0"} for a free port).
     * @return the node, started.
     */
    static CliNode start(final Path dir, final String udpEndpoint)
    {
        final NodeConfig config = new NodeConfig()
            .dataDir(dir.resolve("data"))
            .aeronDir(dir.resolve("aeron-node").toString())
            .udpEndpoint(udpEndpoint)
            .shardCount(2);
        config.engine().partitionMaxItems(20_000).averageItemBytes(256).fsyncPolicy(FsyncPolicy.NONE);
        return new CliNode(Node.launch(config));
    }

    /**
     * @return the node.
     */
    Node node()
    {
        return node;
    }

    /**
     * One CLI invocation: {@code --endpoint-url endpoint} and then {@code args}.
     *
     * @param endpoint the endpoint ({@code aeron:ipc}, or a UDP one).
     * @param wrap     wraps the invocation's backend (it must close what it wraps).
     * @param args     the command line after the endpoint.
     * @return stdout, stderr and the exit code.
     */
    CliHarness.Run run(final String endpoint, final Function<CliBackend, CliBackend> wrap, final String... args)
    {
        final Settings settings = Settings.fromSystemProperties().set("ferrite.client.aeronDir", node.aeronDirectoryName());
        final String[] withEndpoint = new String[args.length + 2];
        withEndpoint[0] = "--endpoint-url";
        withEndpoint[1] = endpoint;
        System.arraycopy(args, 0, withEndpoint, 2, args.length);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exitCode = new CliCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            (url, mayCreate) -> wrap.apply(new AeronBackend(url, settings)), ms -> { }, System::currentTimeMillis)
            .execute(withEndpoint);
        return new CliHarness.Run(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * As {@link #run}, asserting exit code 0 (the message names the command and its stderr).
     *
     * @return stdout.
     */
    String ok(final String endpoint, final Function<CliBackend, CliBackend> wrap, final String... args)
    {
        final CliHarness.Run run = run(endpoint, wrap, args);
        assertEquals(0, run.exitCode(), () -> String.join(" ", args) + "\nstderr: " + run.err());
        return run.out();
    }

    /**
     * Closes the node.
     */
    public void close()
    {
        node.close();
    }
}
