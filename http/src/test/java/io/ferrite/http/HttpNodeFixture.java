package io.ferrite.http;

import io.ferrite.engine.wal.FsyncPolicy;
import io.ferrite.transport.node.Node;
import io.ferrite.transport.node.NodeConfig;
import org.agrona.CloseHelper;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A node started in-process with its HTTP front on 127.0.0.1 and a free port: fresh data dir and aeron dir, small
 * stores, no fsync; plus an AWS SDK v2 DynamoDbClient pointed at it with dummy credentials. Closes all of it.
 */
final class HttpNodeFixture implements AutoCloseable
{
    final Node node;
    final HttpFront front;
    final DynamoDbClient dynamo;

    HttpNodeFixture(final Path dataDir)
    {
        this(dataDir, config -> { });
    }

    HttpNodeFixture(final Path dataDir, final Consumer<HttpConfig> customize)
    {
        this(dataDir, customize, config -> { });
    }

    HttpNodeFixture(final Path dataDir, final Consumer<HttpConfig> customize, final Consumer<NodeConfig> customizeNode)
    {
        final String aeronDir = (Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" :
            System.getProperty("java.io.tmpdir")) + "/ferrite-http-test-" + UUID.randomUUID();
        final NodeConfig config = new NodeConfig().dataDir(dataDir).aeronDir(aeronDir).udpEndpoint("none").shardCount(2);
        config.engine().partitionMaxItems(20_000).averageItemBytes(256).fsyncPolicy(FsyncPolicy.NONE);
        customizeNode.accept(config);
        node = Node.launch(config);
        final HttpConfig httpConfig = new HttpConfig().host("127.0.0.1").port("0");
        customize.accept(httpConfig);
        HttpFront started = null;
        try
        {
            // The front's counters go into the node's counters file, as `ferrite server` puts them.
            started = HttpFront.start(httpConfig, node.aeronDirectoryName(), node.ipcChannel(), node.requestStreamId(),
                new HttpCounters(node.counters()::newFrontCounter));
        }
        finally
        {
            if (null == started)
            {
                node.close();
            }
        }
        front = started;
        dynamo = DynamoDbClient.builder()
            .endpointOverride(URI.create(front.endpoint()))
            .region(Region.US_EAST_1)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD))
            .build();
    }

    public void close()
    {
        CloseHelper.quietCloseAll(dynamo, front, node);
    }
}
