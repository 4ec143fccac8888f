package io.ferrite.transport.node;

import io.ferrite.transport.client.ClientConfig;
import io.ferrite.transport.client.FerriteBlockingClient;
import org.agrona.CloseHelper;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A node started in-process under a test's temp dir (UDP on a free port) and a blocking client connected to it over
 * IPC with 10 s timeouts; closes both.
 */
final class NodeAndBlockingClient implements AutoCloseable
{
    final Node node;
    final FerriteBlockingClient client;

    /**
     * @param tempDir     the test's temp dir (data and aeron dirs go under it).
     * @param shards      the node's shards.
     * @param maxAttempts the client's attempts per request (1: a throttle is not retried); 0 keeps its default.
     */
    NodeAndBlockingClient(final Path tempDir, final int shards, final int maxAttempts)
    {
        node = Node.launch(new NodeConfig()
            .dataDir(tempDir.resolve("data"))
            .aeronDir(tempDir.resolve("aeron-node").toString())
            .udpEndpoint("127.0.0.1:0")
            .shardCount(shards));
        try
        {
            final ClientConfig config = new ClientConfig()
                .aeronDir(node.aeronDirectoryName())
                .connectTimeoutNs(TimeUnit.SECONDS.toNanos(10))
                .requestTimeoutNs(TimeUnit.SECONDS.toNanos(10));
            client = FerriteBlockingClient.connect(0 == maxAttempts ? config : config.maxAttempts(maxAttempts));
        }
        catch (final RuntimeException ex)
        {
            node.close();
            throw ex;
        }
    }

    public void close()
    {
        CloseHelper.closeAll(client, node);
    }
}
