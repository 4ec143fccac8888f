package io.ferrite.transport.node;

import io.aeron.Aeron;
import io.ferrite.engine.wal.FsyncPolicy;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A node started in-process for a test: fresh data dir, fresh aeron dir, UDP on a free port (port 0),
 * small partition stores; plus a client-side Aeron on the node's driver for raw sessions. Closes
 * everything it started.
 */
final class NodeFixture implements AutoCloseable
{
    private static final AtomicInteger STREAMS = new AtomicInteger(2001);

    final Path dataDir;
    final String aeronDir;
    Node node;
    Aeron aeron;
    private final List<RawSession> sessions = new ArrayList<>();

    NodeFixture(final int shards)
    {
        this(tempDir(), shards, config -> { });
    }

    NodeFixture(final int shards, final Consumer<NodeConfig> customize)
    {
        this(tempDir(), shards, customize);
    }

    NodeFixture(final Path dataDir, final int shards, final Consumer<NodeConfig> customize)
    {
        this.dataDir = dataDir;
        this.aeronDir = (Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" : System.getProperty("java.io.tmpdir")) +
            "/ferrite-test-" + UUID.randomUUID();
        final NodeConfig config = config(shards);
        customize.accept(config);
        start(config);
    }

    NodeConfig config(final int shards)
    {
        final NodeConfig config = new NodeConfig()
            .dataDir(dataDir)
            .aeronDir(aeronDir)
            .udpEndpoint("127.0.0.1:0")
            .shardCount(shards);
        config.engine().partitionMaxItems(20_000).averageItemBytes(256).fsyncPolicy(FsyncPolicy.NONE);
        return config;
    }

    void start(final NodeConfig config)
    {
        node = Node.launch(config);
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
    }

    /**
     * Closes sessions, the client and the node, leaving the data directory for a restart.
     */
    void stop()
    {
        sessions.forEach(CloseHelper::quietClose);
        sessions.clear();
        CloseHelper.quietClose(aeron);
        CloseHelper.quietClose(node);
        aeron = null;
        node = null;
    }

    RawSession ipcSession()
    {
        final RawSession session = new RawSession(aeron, node.ipcChannel(), node.requestStreamId(), "aeron:ipc",
            STREAMS.getAndIncrement());
        sessions.add(session);
        return session;
    }

    RawSession udpSession()
    {
        final RawSession session = new RawSession(aeron, node.udpChannel(), node.requestStreamId(),
            "aeron:udp?endpoint=127.0.0.1:0", STREAMS.getAndIncrement());
        sessions.add(session);
        return session;
    }

    RawSession session(final boolean udp)
    {
        return udp ? udpSession() : ipcSession();
    }

    long counter(final String label)
    {
        return NodeCounters.valueOf(node.counters().reader(), label);
    }

    public void close()
    {
        stop();
        IoUtil.delete(dataDir.toFile(), true);
        IoUtil.delete(Path.of(aeronDir).toFile(), true);
    }

    static Path tempDir()
    {
        try
        {
            return Files.createTempDirectory("ferrite-node-test");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
