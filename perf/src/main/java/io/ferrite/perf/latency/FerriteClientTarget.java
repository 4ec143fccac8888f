package io.ferrite.perf.latency;

import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.config.Settings;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.perf.Dataset;
import io.ferrite.perf.EngineFixture;
import io.ferrite.perf.ExitCleanup;
import io.ferrite.transport.client.ClientConfig;
import io.ferrite.transport.client.ClientFailure;
import io.ferrite.transport.client.FerriteBlockingClient;
import io.ferrite.transport.client.FerriteClient;
import io.ferrite.transport.client.ItemsPage;
import io.ferrite.transport.client.QueryParams;
import io.ferrite.transport.client.ResponseHandler;
import io.ferrite.transport.node.Node;
import io.ferrite.transport.node.NodeConfig;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Ferrite over Aeron IPC or UDP: a {@link Node} launched in this JVM (one shard; router, shard loop and media
 * driver on one thread with idle YIELD, the lowest-latency shape on a 2-core machine) and one
 * {@link FerriteClient} per load thread, driven through its asynchronous, pipelined API: requests are sent
 * when the schedule says, answers are picked up by {@link Session#poll()}. The data set is loaded through
 * the client itself, pipelined.
 * <p>
 * <b>Threading:</b> each session's client is made and used by its load thread.
 */
final class FerriteClientTarget implements Target
{
    private static final int RING = 1 << 16;

    private final boolean udp;
    private final Path dataDir;
    private final Path aeronDir;
    private final ExitCleanup.Step dirs;
    private final Node node;
    private final int records;

    FerriteClientTarget(final boolean udp, final int records, final WalChoice wal)
    {
        this.udp = udp;
        this.records = records;
        try
        {
            dataDir = Files.createTempDirectory("ferrite-perf-node-");
            final Path shm = Path.of("/dev/shm");
            aeronDir = Files.isDirectory(shm) ? Files.createTempDirectory(shm, "ferrite-perf-aeron-") :
                Files.createTempDirectory("ferrite-perf-aeron-");
            dirs = ExitCleanup.deleteAtExit(dataDir, aeronDir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        // the harness's defaults for the node's threads, each overridable by its -Dferrite.node.* setting
        final Settings settings = Settings.fromSystemProperties();
        final NodeConfig config = NodeConfig.from(settings)
            .dataDir(dataDir)
            .aeronDir(aeronDir.toString())
            .idle(settings.enumValue(NodeConfig.PREFIX + "idleStrategy", NodeConfig.Idle.class, NodeConfig.Idle.YIELD))
            .agentThreading(settings.enumValue(NodeConfig.PREFIX + "agentThreading", NodeConfig.AgentThreading.class,
                NodeConfig.AgentThreading.SHARED))
            .driverThreading(settings.enumValue(NodeConfig.PREFIX + "driverThreading",
                NodeConfig.DriverThreading.class, NodeConfig.DriverThreading.INVOKER))
            .udpEndpoint("127.0.0.1:" + freeUdpPort())
            .engine(wal.applyTo(EngineFixture.settings())
                .partitionMaxItems((long)EngineFixture.HEADROOM * records)
                .averageKeyBytes(EngineFixture.AVERAGE_KEY_BYTES)
                .averageItemBytes(Dataset.ITEM_BYTES));
        try
        {
            node = Node.launch(config);
        }
        catch (final RuntimeException | Error ex)
        {
            dirs.runNow();
            throw ex;
        }
        final long startNs = System.nanoTime();
        try
        {
            try (FerriteBlockingClient admin = FerriteBlockingClient.connect(clientConfig()))
            {
                admin.createTable(TableSpec.of(Dataset.TABLE).partitionKey(Dataset.PK, KeyType.S)
                    .sortKey(Dataset.SK, KeyType.N));
            }
            final Recorder loadRecorder = new Recorder(System::nanoTime);
            try (Session loader = newSession(loadRecorder, 7))
            {
                OpenLoop.load(loader, records);
            }
            if (loadRecorder.errors(Op.INSERT) > 0)
            {
                throw new IllegalStateException("loading " + records + " records failed " +
                    loadRecorder.errors(Op.INSERT) + " times");
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
        System.out.printf("loaded %,d records of %d B through the %s client in %.1f s%n",
            records, Dataset.ITEM_BYTES, name(), (System.nanoTime() - startNs) / 1e9);
    }

    private ClientConfig clientConfig()
    {
        final ClientConfig config = ClientConfig.from(Settings.fromSystemProperties())
            .aeronDir(node.aeronDirectoryName());
        if (udp)
        {
            config.requestChannel(node.udpChannel()).responseChannel("aeron:udp?endpoint=127.0.0.1:0");
        }
        return config;
    }

    private static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    public String name()
    {
        return udp ? "udp" : "ipc";
    }

    /**
     * @return the node this target launched (for a front started next to it, e.g. the HTTP target's).
     */
    Node node()
    {
        return node;
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
        final FerriteClient client = FerriteClient.connect(clientConfig());
        if (client.maxInFlight() >= RING)
        {
            client.close();
            throw new IllegalArgumentException("client maxInFlight must be below " + RING);
        }
        return new ClientSession(client, new Dataset(records, seed, Dataset.Layout.YCSB), recorder);
    }

    public void close()
    {
        try
        {
            node.close();
        }
        finally
        {
            dirs.runNow();
        }
    }

    private static final class ClientSession implements Session, ResponseHandler
    {
        private static final byte FINAL = 0;
        private static final byte RMW_GET = 1;
        private static final byte STRING_TAG = 1;

        private final FerriteClient client;
        private final Dataset dataset;
        private final Recorder recorder;
        private final QueryParams query = new QueryParams();
        private final UnsafeBuffer partitionKey = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        private final long[] intendedNs = new long[RING];
        private final byte[] ops = new byte[RING];
        private final byte[] phases = new byte[RING];
        private final int[] recordsBySlot = new int[RING];
        private final long[] pendingPutIntendedNs = new long[RING];
        private final int[] pendingPutRecords = new int[RING];
        private long pendingHead;
        private long pendingTail;
        private int inFlight;
        private long version;

        ClientSession(final FerriteClient client, final Dataset dataset, final Recorder recorder)
        {
            this.client = client;
            this.dataset = dataset;
            this.recorder = recorder;
        }

        public boolean submit(final Op op, final int record, final int scanLength, final long intendedNs)
        {
            final long requestId;
            switch (op)
            {
                case GET:
                case RMW:
                    requestId = client.getItem(Dataset.TABLE, dataset.key(record), 0, dataset.keyLength(record), false,
                        this);
                    break;
                case PUT:
                case INSERT:
                    requestId = put(record);
                    break;
                case QUERY:
                    requestId = query(record, scanLength);
                    break;
                default:
                    throw new IllegalStateException("unknown op " + op);
            }
            if (requestId < 0)
            {
                return refused(requestId);
            }
            final int slot = (int)(requestId & (RING - 1));
            this.intendedNs[slot] = intendedNs;
            ops[slot] = (byte)op.ordinal();
            phases[slot] = Op.RMW == op ? RMW_GET : FINAL;
            recordsBySlot[slot] = record;
            inFlight++;
            return true;
        }

        private long put(final int record)
        {
            final DirectBuffer item = dataset.item(record, ++version);
            return client.putItem(Dataset.TABLE, item, 0, dataset.itemLength(record), ReturnValues.NONE, this);
        }

        private long query(final int record, final int scanLength)
        {
            final CharSequence text = dataset.partitionKeyText(record / Dataset.ITEMS_PER_PARTITION);
            partitionKey.putByte(0, STRING_TAG);
            partitionKey.putInt(1, text.length(), ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < text.length(); i++)
            {
                partitionKey.putByte(5 + i, (byte)text.charAt(i));
            }
            query.reset().tableName(Dataset.TABLE).partitionKey(partitionKey, 0, 5 + text.length()).limit(scanLength);
            return client.query(query, this);
        }

        private boolean refused(final long status)
        {
            if (FerriteClient.NOT_CONNECTED == status || FerriteClient.CLOSED == status)
            {
                throw new IllegalStateException("the Ferrite node went away (client status " + status + ")");
            }
            return false;
        }

        public int poll()
        {
            int work = client.poll();
            while (pendingHead < pendingTail)
            {
                final int p = (int)(pendingHead & (RING - 1));
                final long requestId = put(pendingPutRecords[p]);
                if (requestId < 0)
                {
                    refused(requestId);
                    break;
                }
                final int slot = (int)(requestId & (RING - 1));
                intendedNs[slot] = pendingPutIntendedNs[p];
                ops[slot] = (byte)Op.RMW.ordinal();
                phases[slot] = FINAL;
                inFlight++;
                pendingHead++;
                work++;
            }
            return work;
        }

        public int inFlight()
        {
            return inFlight + (int)(pendingTail - pendingHead);
        }

        public void onItem(final long requestId, final boolean found, final DirectBuffer buffer, final int offset,
            final int length)
        {
            final int slot = (int)(requestId & (RING - 1));
            inFlight--;
            final Op op = Op.of(ops[slot]);
            if (RMW_GET == phases[slot])
            {
                final int p = (int)(pendingTail & (RING - 1));
                pendingPutRecords[p] = recordsBySlot[slot];
                pendingPutIntendedNs[p] = intendedNs[slot];
                pendingTail++;
                return;
            }
            if (Op.GET == op && !found)
            {
                recorder.error(op);
                return;
            }
            recorder.success(op, intendedNs[slot]);
        }

        public void onPage(final long requestId, final ItemsPage page)
        {
            final int slot = (int)(requestId & (RING - 1));
            inFlight--;
            recorder.success(Op.of(ops[slot]), intendedNs[slot]);
        }

        public void onError(final long requestId, final ErrorCode code, final String message)
        {
            final int slot = (int)(requestId & (RING - 1));
            inFlight--;
            if (ErrorCode.ProvisionedThroughputExceededException == code || ErrorCode.ThrottlingException == code)
            {
                recorder.throttled();
            }
            recorder.error(Op.of(ops[slot]));
        }

        public void onFailure(final long requestId, final ClientFailure failure, final String message)
        {
            final int slot = (int)(requestId & (RING - 1));
            inFlight--;
            recorder.error(Op.of(ops[slot]));
        }

        public void close()
        {
            client.close();
        }
    }
}
