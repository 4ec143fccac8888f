package io.ferrite.transport.client;

import io.ferrite.transport.node.Node;
import io.ferrite.transport.node.NodeConfig;
import org.agrona.IoUtil;
import org.agrona.LangUtil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A node started in this JVM for one test, and the clients the test connects to it through the client library;
 * closing the fixture closes all of them. Not thread safe: the test's own thread launches it, connects, restarts
 * and closes it; a client it hands out follows the client's own contract (one thread at a time).
 * <p>
 * It owns, and {@link #close()} closes in this order, each step even when one before it failed: every client it
 * connected, newest first (each sends its Disconnect through the still running node; a UDP client's embedded media
 * driver goes with it), then the node (its router and shard threads, and its embedded media driver, whose Aeron
 * directory the driver deletes), then the directory it made for the test, in which the node's data and Aeron
 * directories and every UDP client's Aeron directory lie (nothing is put in /dev/shm). A step of the start that
 * fails undoes the ones before it: when the node does not start (it closes what of itself it had started), the
 * launch deletes the directory and throws; when a client does not connect (it closes its own driver and Aeron
 * client), the fixture is left as it was, for the test's teardown to close.
 * <p>
 * A test says what it needs different instead of copying the launch: the node's settings in the customizer it
 * gives {@link #launch(int, Consumer)}, applied over the fixture's paths and its UDP endpoint (a free port on
 * 127.0.0.1; {@code udpEndpoint("none")} turns UDP off), and a client's in the {@link ClientConfig} it passes to
 * {@link #connect(ClientConfig)} or {@link #connectAsync(ClientConfig)}, starting from {@link #ipcClientConfig()}
 * or {@link #udpClientConfig()}.
 * <p>
 * Why here and public: the client's tests and the node's tests both start a node and drive it through the client
 * library (the node's charge and scan tests do), so this is the one fixture for both, and it lives with the library
 * it connects; the node package's tests import it. The node package's {@code NodeFixture} stays where it is,
 * package-private, for what it is for: raw sessions that write frames to the node without the client library,
 * through package-private test types ({@code RawSession}) that this package cannot see.
 */
public final class ClientNodeFixture implements AutoCloseable
{
    /**
     * The clients' connect and request timeouts from {@link #ipcClientConfig()} and {@link #udpClientConfig()}.
     */
    public static final long CLIENT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final Path dir;
    private final int shards;
    private final Consumer<NodeConfig> settings;
    private final List<AutoCloseable> clients = new ArrayList<>();
    private Node node;
    private int udpClients;

    private ClientNodeFixture(final Path dir, final int shards, final Consumer<NodeConfig> settings)
    {
        this.dir = dir;
        this.shards = shards;
        this.settings = settings;
    }

    /**
     * Starts a node of {@code shards} shards with the default settings, UDP on a free port of 127.0.0.1.
     *
     * @param shards the node's shard count.
     * @return the fixture, with the node running and no client connected yet.
     */
    public static ClientNodeFixture launch(final int shards)
    {
        return launch(shards, config -> { });
    }

    /**
     * Starts a node of {@code shards} shards in a new temporary directory.
     *
     * @param shards   the node's shard count.
     * @param settings changes the node's configuration before the node starts (and again before each
     *                 {@link #restartNode()}, on a new configuration).
     * @return the fixture, with the node running and no client connected yet.
     */
    public static ClientNodeFixture launch(final int shards, final Consumer<NodeConfig> settings)
    {
        return launchIn(Path.of(System.getProperty("java.io.tmpdir")), shards, settings);
    }

    /**
     * As {@link #launch(int, Consumer)}, with the fixture's directory made in {@code parent}, so that a test can see
     * what is left there.
     */
    static ClientNodeFixture launchIn(final Path parent, final int shards, final Consumer<NodeConfig> settings)
    {
        final ClientNodeFixture fixture = new ClientNodeFixture(tempDir(parent), shards, settings);
        try
        {
            fixture.launchNode();
            return fixture;
        }
        catch (final RuntimeException | Error ex)
        {
            try
            {
                fixture.close();
            }
            catch (final RuntimeException | Error closeFailure)
            {
                ex.addSuppressed(closeFailure);
            }
            throw ex;
        }
    }

    /**
     * @return the running node.
     */
    public Node node()
    {
        return node;
    }

    /**
     * @return a new configuration for a client on this node's driver over IPC, with {@link #CLIENT_TIMEOUT_NS}
     *     connect and request timeouts; change it as the test needs.
     */
    public ClientConfig ipcClientConfig()
    {
        return new ClientConfig()
            .aeronDir(node.aeronDirectoryName())
            .connectTimeoutNs(CLIENT_TIMEOUT_NS)
            .requestTimeoutNs(CLIENT_TIMEOUT_NS);
    }

    /**
     * @return a new configuration for a client over UDP, as a client on another host runs: its own embedded media
     *     driver in a new Aeron directory of the fixture's, the node's UDP request channel and a response channel
     *     on a free port of 127.0.0.1, with {@link #CLIENT_TIMEOUT_NS} connect and request timeouts.
     * @throws IllegalStateException when the node was started with UDP off.
     */
    public ClientConfig udpClientConfig()
    {
        if (null == node.udpChannel())
        {
            throw new IllegalStateException("the node runs without UDP (its udpEndpoint is none): launch it with " +
                "a UDP endpoint for a UDP client");
        }
        return new ClientConfig()
            .connectTimeoutNs(CLIENT_TIMEOUT_NS)
            .requestTimeoutNs(CLIENT_TIMEOUT_NS)
            .embeddedDriver(true)
            .aeronDir(dir.resolve("aeron-client-" + udpClients++).toString())
            .requestChannel(node.udpChannel())
            .responseChannel("aeron:udp?endpoint=127.0.0.1:0");
    }

    /**
     * @return a blocking client connected over IPC with {@link #ipcClientConfig()}, closed with the fixture.
     */
    public FerriteBlockingClient connect()
    {
        return connect(ipcClientConfig());
    }

    /**
     * @param config the client's configuration, usually one of {@link #ipcClientConfig()} or
     *               {@link #udpClientConfig()} changed as the test needs.
     * @return a blocking client, closed with the fixture.
     */
    public FerriteBlockingClient connect(final ClientConfig config)
    {
        final FerriteBlockingClient client = FerriteBlockingClient.connect(config);
        clients.add(client);
        return client;
    }

    /**
     * @param config the client's configuration, usually one of {@link #ipcClientConfig()} or
     *               {@link #udpClientConfig()} changed as the test needs.
     * @return an asynchronous client, closed with the fixture.
     */
    public FerriteClient connectAsync(final ClientConfig config)
    {
        final FerriteClient client = FerriteClient.connect(config);
        clients.add(client);
        return client;
    }

    /**
     * Closes every client connected so far and the node, then starts the node again on the same data directory,
     * with the same settings (a new configuration from them), as a restart after a clean shutdown.
     */
    public void restartNode()
    {
        final Throwable failure = closeClientsAndNode(null);
        if (null != failure)
        {
            LangUtil.rethrowUnchecked(failure);
        }
        launchNode();
    }

    /**
     * Closes the clients (newest first), then the node, then deletes the fixture's directory; each step runs even
     * when one before it failed, and the first failure is thrown with the later ones suppressed.
     */
    public void close()
    {
        Throwable failure = closeClientsAndNode(null);
        try
        {
            IoUtil.delete(dir.toFile(), false);
        }
        catch (final Throwable ex)
        {
            failure = firstOf(failure, ex);
        }
        if (null != failure)
        {
            LangUtil.rethrowUnchecked(failure);
        }
    }

    private void launchNode()
    {
        final NodeConfig config = new NodeConfig()
            .dataDir(dir.resolve("data"))
            .aeronDir(dir.resolve("aeron-node").toString())
            .udpEndpoint("127.0.0.1:0")
            .shardCount(shards);
        settings.accept(config);
        node = Node.launch(config);
    }

    private Throwable closeClientsAndNode(final Throwable earlier)
    {
        Throwable failure = earlier;
        for (int i = clients.size() - 1; i >= 0; i--)
        {
            failure = closeKeepingFailure(clients.get(i), failure);
        }
        clients.clear();
        failure = closeKeepingFailure(node, failure);
        node = null;
        return failure;
    }

    private static Throwable closeKeepingFailure(final AutoCloseable closeable, final Throwable earlier)
    {
        if (null == closeable)
        {
            return earlier;
        }
        try
        {
            closeable.close();
            return earlier;
        }
        catch (final Throwable ex)
        {
            return firstOf(earlier, ex);
        }
    }

    private static Throwable firstOf(final Throwable earlier, final Throwable later)
    {
        if (null == earlier)
        {
            return later;
        }
        earlier.addSuppressed(later);
        return earlier;
    }

    private static Path tempDir(final Path parent)
    {
        try
        {
            return Files.createTempDirectory(parent, "ferrite-client-node-test");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a temporary directory for the node in " + parent, ex);
        }
    }
}
