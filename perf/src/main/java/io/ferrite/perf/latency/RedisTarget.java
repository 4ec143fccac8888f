package io.ferrite.perf.latency;

import io.ferrite.perf.Dataset;
import io.ferrite.perf.EngineFixture;
import io.ferrite.perf.ExitCleanup;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Redis, the peer most users would otherwise pick: a {@code redis-server} (Debian's package) started by the
 * harness on 127.0.0.1 on a free port with persistence off ({@code --save '' --appendonly no}), driven by
 * Lettuce's asynchronous API so that requests leave on schedule, pipelined on one connection per load thread.
 * GET-like operations are {@code GET}, SET-like ones {@code SET} of the same 1 KB value size, a Query is an
 * {@code MGET} of the partition's keys; keys are {@code pNNNNNNN:SS} (partition and sort key).
 * Completions are picked up by the load thread's {@link Session#poll()} (Lettuce completes them on its own
 * I/O thread, one of them, so the harness records on one thread as for Ferrite's client).
 * <p>
 * <b>Threading:</b> each session is used by one load thread.
 */
final class RedisTarget implements Target
{
    private static final int MAX_IN_FLIGHT = 1024;

    private final int records;
    private final Path dir;
    private final Process server;
    private final ExitCleanup.Step exitCleanup;
    private final ClientResources resources;
    private final RedisClient client;

    RedisTarget(final int records)
    {
        this.records = records;
        final String executable = findOnPath("redis-server");
        final int port;
        try
        {
            dir = Files.createTempDirectory("ferrite-perf-redis-");
            port = freeTcpPort();
            server = new ProcessBuilder(executable, "--bind", "127.0.0.1", "--port", Integer.toString(port),
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        exitCleanup = ExitCleanup.register("stop redis-server and delete " + dir, () ->
        {
            server.destroyForcibly();
            IoUtil.delete(dir.toFile(), true);
        });
        try
        {
            awaitListening(port);
        }
        catch (final IOException | RuntimeException ex)
        {
            exitCleanup.runNow();
            throw ex instanceof IOException ? new UncheckedIOException((IOException)ex) : (RuntimeException)ex;
        }
        resources = DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1).build();
        client = RedisClient.create(resources, RedisURI.create("127.0.0.1", port));
        final long startNs = System.nanoTime();
        final Recorder loadRecorder = new Recorder(System::nanoTime);
        try (Session loader = newSession(loadRecorder, 7))
        {
            OpenLoop.load(loader, records);
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
        if (loadRecorder.errors(Op.INSERT) > 0)
        {
            close();
            throw new IllegalStateException("loading " + records + " records into Redis failed " +
                loadRecorder.errors(Op.INSERT) + " times");
        }
        System.out.printf("loaded %,d records of %d B into redis-server (pid %d) in %.1f s%n",
            records, Dataset.ITEM_BYTES, server.pid(), (System.nanoTime() - startNs) / 1e9);
    }

    private static String findOnPath(final String name)
    {
        for (final String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        {
            final File file = new File(entry, name);
            if (file.canExecute())
            {
                return file.getPath();
            }
        }
        throw new IllegalArgumentException("--target redis needs " + name + " on the PATH: install Debian's " +
            "redis-server package (apt-get install -y redis-server)");
    }

    private static int freeTcpPort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    private void awaitListening(final int port) throws IOException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true)
        {
            try (Socket socket = new Socket())
            {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            }
            catch (final IOException ex)
            {
                if (!server.isAlive() || System.nanoTime() - deadline > 0)
                {
                    server.destroyForcibly();
                    throw new IllegalStateException("redis-server did not listen on 127.0.0.1:" + port +
                        " within 10 s; its log: " + Files.readString(dir.resolve("redis.log")), ex);
                }
                Thread.onSpinWait();
            }
        }
    }

    public String name()
    {
        return "redis";
    }

    public long capacity()
    {
        return (long)EngineFixture.HEADROOM * records;
    }

    public int maxThreads()
    {
        return 64;
    }

    public Session newSession(final Recorder recorder, final long seed)
    {
        final StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);
        return new RedisSession(connection, new Dataset(records, seed, Dataset.Layout.YCSB), recorder);
    }

    public void close()
    {
        try
        {
            client.shutdown();
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        }
        finally
        {
            server.destroy();
            try
            {
                if (!server.waitFor(10, TimeUnit.SECONDS))
                {
                    server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            exitCleanup.runNow(); // deletes the directory (the server has exited: destroying it again does nothing)
        }
    }

    private static final class RedisSession implements Session
    {
        private static final int RING = 2 * MAX_IN_FLIGHT;

        private final StatefulRedisConnection<byte[], byte[]> connection;
        private final RedisAsyncCommands<byte[], byte[]> commands;
        private final Recorder recorder;
        private final byte[] value = new byte[Dataset.ITEM_BYTES];
        private final RedisFuture<?>[] futures = new RedisFuture<?>[RING];
        private final long[] intendedNs = new long[RING];
        private final byte[] ops = new byte[RING];
        private final boolean[] rmwGet = new boolean[RING];
        private final int[] recordsBySlot = new int[RING];
        private long head;
        private long tail;
        private int inFlight;

        RedisSession(
            final StatefulRedisConnection<byte[], byte[]> connection, final Dataset dataset, final Recorder recorder)
        {
            this.connection = connection;
            this.commands = connection.async();
            this.recorder = recorder;
            dataset.item(0, 0).getBytes(0, value);
        }

        public boolean submit(final Op op, final int record, final int scanLength, final long intendedNs)
        {
            if (inFlight >= MAX_IN_FLIGHT)
            {
                return false;
            }
            final RedisFuture<?> future;
            switch (op)
            {
                case GET:
                case RMW:
                    future = commands.get(key(record));
                    break;
                case PUT:
                case INSERT:
                    future = commands.set(key(record), value);
                    break;
                case QUERY:
                {
                    final int first = record - record % Dataset.ITEMS_PER_PARTITION;
                    final byte[][] keys = new byte[0 == scanLength ? Dataset.ITEMS_PER_PARTITION : scanLength][];
                    for (int i = 0; i < keys.length; i++)
                    {
                        keys[i] = key(first + i);
                    }
                    future = commands.mget(keys);
                    break;
                }
                default:
                    throw new IllegalStateException("unknown op " + op);
            }
            final int slot = (int)(tail++ & (RING - 1));
            futures[slot] = future;
            this.intendedNs[slot] = intendedNs;
            ops[slot] = (byte)op.ordinal();
            rmwGet[slot] = Op.RMW == op;
            recordsBySlot[slot] = record;
            inFlight++;
            return true;
        }

        /** {@code pNNNNNNN:SS}: the record's partition key and two-digit sort key, 11 bytes. */
        private static byte[] key(final int record)
        {
            final byte[] key = new byte[11];
            int pk = record / Dataset.ITEMS_PER_PARTITION;
            key[0] = 'p';
            for (int i = 7; i >= 1; i--)
            {
                key[i] = (byte)('0' + pk % 10);
                pk /= 10;
            }
            key[8] = ':';
            final int sk = record % Dataset.ITEMS_PER_PARTITION + 1;
            key[9] = (byte)('0' + sk / 10);
            key[10] = (byte)('0' + sk % 10);
            return key;
        }

        public int poll()
        {
            int work = 0;
            for (long i = head; i < tail; i++)
            {
                final int slot = (int)(i & (RING - 1));
                final RedisFuture<?> future = futures[slot];
                if (null == future || !future.isDone())
                {
                    continue;
                }
                work++;
                futures[slot] = null;
                complete(slot, future);
            }
            while (head < tail && null == futures[(int)(head & (RING - 1))])
            {
                head++;
            }
            return work;
        }

        private void complete(final int slot, final RedisFuture<?> future)
        {
            final Op op = Op.of(ops[slot]);
            Object result = null;
            boolean ok;
            try
            {
                result = future.get();
                ok = true;
            }
            catch (final Exception ex)
            {
                ok = false;
            }
            if (ok && rmwGet[slot] && null != result)
            {
                // Read done: the write half goes out now, in the same slot, still timed from the intended send.
                futures[slot] = commands.set(key(recordsBySlot[slot]), value);
                rmwGet[slot] = false;
                return;
            }
            inFlight--;
            if (ok && (Op.GET == op || Op.RMW == op) && null == result)
            {
                ok = false;
            }
            if (ok && Op.QUERY == op)
            {
                for (final Object entry : (List<?>)result)
                {
                    ok &= ((KeyValue<?, ?>)entry).hasValue();
                }
            }
            if (ok)
            {
                recorder.success(op, intendedNs[slot]);
            }
            else
            {
                recorder.error(op);
            }
        }

        public int inFlight()
        {
            return inFlight;
        }

        public void close()
        {
            connection.close();
        }
    }
}
