package io.ferrite.http;

import io.ferrite.transport.client.ClientConfig;
import io.ferrite.transport.client.FerriteClient;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.concurrent.EventExecutor;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The DynamoDB-compatible HTTP/JSON front of a node: a Netty HTTP/1.1 server (NIO, keep-alive) whose event loops
 * each own one {@link FerriteClient} session with the node over Aeron IPC. Start it after the node and close it
 * before the node.
 * <p>
 * Per connection: a request that takes longer than {@link HttpConfig#requestTimeoutMs()} to arrive, a
 * connection idle for {@link HttpConfig#idleTimeoutMs()}, or one whose answers stay unread over its write buffer's
 * high water mark for {@link HttpConfig#writeStallTimeoutMs()} is closed; a body over
 * {@link HttpConfig#maxRequestBytes()} gets 413 and the connection is closed.
 * <p>
 * Threading: {@link #start} and {@link #close()} from one controlling thread; everything else runs on the event
 * loops.
 */
public final class HttpFront implements AutoCloseable
{
    private final EventLoopGroup group;
    private final PollWaker waker;
    private final Map<EventExecutor, DynamoDispatcher> dispatchers;
    private final Channel serverChannel;
    private final InetSocketAddress address;
    private final HttpCounters counters;

    private HttpFront(final EventLoopGroup group, final PollWaker waker,
        final Map<EventExecutor, DynamoDispatcher> dispatchers, final Channel serverChannel,
        final HttpCounters counters)
    {
        this.group = group;
        this.waker = waker;
        this.dispatchers = dispatchers;
        this.serverChannel = serverChannel;
        this.counters = counters;
        this.address = (InetSocketAddress)serverChannel.localAddress();
    }

    /**
     * Connects one client session per event loop to the node and binds the HTTP port, with the front's counters in
     * memory of its own ({@link HttpCounters#standalone()}).
     *
     * @param config          where to listen and the request limits.
     * @param aeronDir        the node's Aeron directory.
     * @param requestChannel  the node's request channel (its IPC channel).
     * @param requestStreamId the node's request stream.
     * @return the running front.
     */
    public static HttpFront start(
        final HttpConfig config, final String aeronDir, final String requestChannel, final int requestStreamId)
    {
        return start(config, aeronDir, requestChannel, requestStreamId, HttpCounters.standalone());
    }

    /**
     * Connects one client session per event loop to the node and binds the HTTP port.
     *
     * @param config          where to listen and the request limits.
     * @param aeronDir        the node's Aeron directory.
     * @param requestChannel  the node's request channel (its IPC channel).
     * @param requestStreamId the node's request stream.
     * @param counters        the front's counters, e.g. in the node's counters file so that {@code ferrite stat}
     *                        shows them.
     * @return the running front.
     */
    public static HttpFront start(
        final HttpConfig config, final String aeronDir, final String requestChannel, final int requestStreamId,
        final HttpCounters counters)
    {
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(config.eventLoops(), NioIoHandler.newFactory());
        final PollWaker waker = new PollWaker();
        final Map<EventExecutor, DynamoDispatcher> dispatchers = new IdentityHashMap<>();
        final List<FerriteClient> clients = new ArrayList<>();
        final StalledConnections stalled = new StalledConnections(counters.closedWriteStall);
        try
        {
            // Also how a loop opens a new session when the node ends its one (DynamoDispatcher.reconnect).
            final Supplier<FerriteClient> connector = () -> FerriteClient.connect(new ClientConfig()
                .aeronDir(aeronDir)
                .embeddedDriver(false)
                .requestChannel(requestChannel)
                .requestStreamId(requestStreamId));
            for (final EventExecutor loop : group)
            {
                final FerriteClient client = connector.get();
                clients.add(client);
                final DynamoDispatcher dispatcher = new DynamoDispatcher(client, connector, loop, config, waker);
                dispatchers.put(loop, dispatcher);
                // The first poll runs on the loop, which owns the client from then on (the submit is the hand-off).
                loop.scheduleAtFixedRate(dispatcher::pollOnce, 0, 100, TimeUnit.MILLISECONDS);
            }
            waker.start();
            final ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // A connection stops being served (and read) while more than 256 KiB of its answers are unsent.
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>()
                {
                    protected void initChannel(final SocketChannel channel)
                    {
                        final SlowRequestGuard guard = new SlowRequestGuard(config.requestTimeoutMs(),
                            config.idleTimeoutMs(), config.writeStallTimeoutMs(), stalled, counters);
                        channel.pipeline()
                            .addLast(guard)
                            .addLast(new HttpRequestDecoder())
                            .addLast(new DynamoHttpHandler(dispatchers.get(channel.eventLoop()), guard, counters,
                                config.maxRequestBytes()));
                    }
                });
            final Channel channel;
            try
            {
                channel = bootstrap.bind(config.host(), config.port()).syncUninterruptibly().channel();
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port() + " for the " +
                    "DynamoDB HTTP API (" + ex + "); choose another with --http-port PORT (0: any free port) or " +
                    "turn it off with --http-port none", ex);
            }
            return new HttpFront(group, waker, dispatchers, channel, counters);
        }
        catch (final RuntimeException ex)
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            waker.close();
            clients.forEach(FerriteClient::close);
            throw ex;
        }
    }

    /**
     * @return the port the front listens on (the chosen one when configured with 0).
     */
    public int port()
    {
        return address.getPort();
    }

    /**
     * @return the address the front listens on.
     */
    public InetSocketAddress address()
    {
        return address;
    }

    /**
     * @return the endpoint URL for SDKs and the AWS CLI, e.g. {@code http://127.0.0.1:8000}.
     */
    public String endpoint()
    {
        return "http://" + address.getHostString() + ":" + address.getPort();
    }

    /**
     * @return connections closed because their client left its answers unread for the write-stall timeout
     *     ({@link HttpConfig#writeStallTimeoutMs()}), since the front started.
     */
    public long writeStalledConnectionsClosed()
    {
        return counters.writeStalledConnectionsClosed();
    }

    /**
     * Fault injection for tests: holds every event loop for {@code holdNs} (a task that sleeps on it), as a long pause
     * would. Returns at once.
     *
     * @param holdNs how long each loop is held.
     */
    void holdEventLoopsForTesting(final long holdNs)
    {
        for (final EventExecutor loop : dispatchers.keySet())
        {
            loop.execute(() ->
            {
                final long until = System.nanoTime() + holdNs;
                long left;
                while ((left = until - System.nanoTime()) > 0)
                {
                    LockSupport.parkNanos(left);
                }
            });
        }
    }

    /**
     * @return the ids of the event loop threads (for allocation measurements), one per event loop.
     */
    public long[] eventLoopThreadIds()
    {
        final long[] ids = new long[dispatchers.size()];
        int i = 0;
        for (final EventExecutor loop : dispatchers.keySet())
        {
            ids[i++] = loop.submit(() -> Thread.currentThread().getId()).syncUninterruptibly().getNow();
        }
        return ids;
    }

    /**
     * Stops listening, closes the connections and every client session (requests still with the node are
     * abandoned; their connections are closed).
     */
    public void close()
    {
        serverChannel.close().syncUninterruptibly();
        for (final Map.Entry<EventExecutor, DynamoDispatcher> entry : dispatchers.entrySet())
        {
            entry.getKey().submit(entry.getValue()::close).syncUninterruptibly();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        waker.close();
    }
}
