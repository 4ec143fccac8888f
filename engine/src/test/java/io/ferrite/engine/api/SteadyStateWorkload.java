package io.ferrite.engine.api;

import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.shard.ItemHandler;
import io.ferrite.engine.shard.QueryRequest;
import io.ferrite.engine.shard.ScanRequest;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.Shard;
import io.ferrite.engine.shard.Table;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.engine.wal.FsyncPolicy;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Child JVM of {@link SteadyStateAllocatesNothingUnderEpsilonTest}: loads a table, warms the hot path up,
 * then runs a measured mix of GetItem, PutItem (WAL, BATCH fsync unless told otherwise), Query (10 items) and Scan (a segment of about
 * 100 items; the data is past the store's read-ahead threshold, so Query and Scan prefetch) through the flyweight
 * API, calling the loop's duty cycle after every operation so that batched fsyncs and periodic checkpoints
 * happen inside the measured window. Prints one line:
 * {@code RESULT ops=N allocatedBytes=B checkpoints=C lastSequence=S checkpointSequence=P}.
 * <p>
 * Run with {@code -XX:+UseEpsilonGC} and a small heap it proves more than the counter: Epsilon never frees,
 * so a hot path that allocated would exhaust the heap and kill the run with OutOfMemoryError.
 * <p>
 * Arguments: dataDir partitionKeys warmUpOps measuredOps checkpointIntervalRecords [fsync: BATCH (default) or
 * another {@link FsyncPolicy}].
 */
public final class SteadyStateWorkload
{
    static final int ITEMS_PER_PARTITION = 10;
    static final int PAYLOAD_BYTES = 900;

    private final Shard shard;
    private final Table table;
    private final int partitionKeys;
    private final ItemWriter writer = new ItemWriter(4096);
    private final UnsafeBuffer item = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final UnsafeBuffer payload = new UnsafeBuffer(ByteBuffer.allocateDirect(PAYLOAD_BYTES));
    private final StringBuilder pkText = new StringBuilder("p0000000");
    private final QueryRequest query = new QueryRequest();
    private final ScanRequest scan = new ScanRequest();
    private long bytesSeen;
    private final ItemHandler handler = (buffer, offset, length) -> bytesSeen += length;
    private long randomState = 0x9E3779B97F4A7C15L;
    private long version;

    private SteadyStateWorkload(final Shard shard, final Table table, final int partitionKeys)
    {
        this.shard = shard;
        this.table = table;
        this.partitionKeys = partitionKeys;
    }

    /**
     * @param args dataDir partitionKeys warmUpOps measuredOps checkpointIntervalRecords [fsync].
     * @throws Exception if the run fails (the parent sees a non-zero exit).
     */
    public static void main(final String[] args) throws Exception
    {
        final Path dataDir = Path.of(args[0]);
        final int partitionKeys = Integer.parseInt(args[1]);
        final long warmUpOps = Long.parseLong(args[2]);
        final long measuredOps = Long.parseLong(args[3]);
        final long checkpointIntervalRecords = Long.parseLong(args[4]);
        final FsyncPolicy fsync = args.length > 5 ? FsyncPolicy.valueOf(args[5]) : FsyncPolicy.BATCH;
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

        try (Ferrite db = Ferrite.open(new EngineConfig()
            .dataDir(dataDir)
            .fsyncPolicy(fsync)
            .partitionMaxItems(2L * partitionKeys * ITEMS_PER_PARTITION)
            .averageKeyBytes(24)
            .averageItemBytes(1024)
            .checkpointIntervalRecords(checkpointIntervalRecords)))
        {
            db.createTable(TableSpec.of("orders").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N));
            final Shard shard = db.shard();
            final SteadyStateWorkload workload = new SteadyStateWorkload(shard, shard.table("orders"), partitionKeys);
            for (int i = 0; i < partitionKeys * ITEMS_PER_PARTITION; i++)
            {
                workload.put(i);
            }

            workload.run(warmUpOps);
            final long checkpointBefore = readCheckpoint(dataDir);
            final long before = threads.getCurrentThreadAllocatedBytes();
            workload.run(measuredOps);
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            final long checkpointAfter = readCheckpoint(dataDir);

            System.out.println("RESULT ops=" + measuredOps + " allocatedBytes=" + allocated +
                " checkpointBefore=" + checkpointBefore + " checkpointAfter=" + checkpointAfter +
                " lastSequence=" + shard.lastSequence() + " bytesSeen=" + workload.bytesSeen);
        }
    }

    private void run(final long ops)
    {
        for (long i = 0; i < ops; i++)
        {
            switch ((int)(i % 4))
            {
                case 0:
                    get(randomItem());
                    break;
                case 1:
                    put(randomItem());
                    break;
                case 2:
                    query(randomPartitionKey());
                    break;
                default:
                    scan(randomPartitionKey() % scanSegments());
                    break;
            }
            shard.doDutyCycle(System.nanoTime());
        }
    }

    private void put(final int itemNumber)
    {
        payload.putLong(0, ++version);
        final int length = writer.reset()
            .string("pk", pkText(itemNumber / ITEMS_PER_PARTITION))
            .number("sk", itemNumber % ITEMS_PER_PARTITION)
            .number("qty", version)
            .string("side", "BUY")
            .binary("payload", payload, 0, PAYLOAD_BYTES)
            .finish(item, 0);
        shard.putItem(table, item, 0, length, null, ReturnValues.NONE, null);
    }

    private void get(final int itemNumber)
    {
        final int length = writer.reset()
            .string("pk", pkText(itemNumber / ITEMS_PER_PARTITION))
            .number("sk", itemNumber % ITEMS_PER_PARTITION)
            .finish(item, 0);
        if (!shard.getItem(table, item, 0, length, handler))
        {
            throw new IllegalStateException("item " + itemNumber + " missing");
        }
    }

    private void query(final int partitionKey)
    {
        query.reset();
        query.partitionKey().string(pkText(partitionKey));
        shard.query(table, query, handler);
        if (ITEMS_PER_PARTITION != query.count())
        {
            throw new IllegalStateException("query of partition key " + partitionKey + " returned " + query.count());
        }
    }

    /** Segments of about 100 items (ten partition keys), so that a Scan reads ahead over several batches. */
    private int scanSegments()
    {
        return Math.max(1, partitionKeys / 10);
    }

    private void scan(final int segment)
    {
        scan.reset();
        scan.segment(segment, scanSegments());
        shard.scan(table, scan, handler);
        if (scan.count() < 1 || 0 != scan.lastEvaluatedKeyLength())
        {
            throw new IllegalStateException("scan of segment " + segment + " returned " + scan.count() +
                " items and a page end");
        }
    }

    private CharSequence pkText(final int partitionKey)
    {
        int value = partitionKey;
        for (int i = pkText.length() - 1; i >= 1; i--)
        {
            pkText.setCharAt(i, (char)('0' + value % 10));
            value /= 10;
        }
        return pkText;
    }

    private int randomItem()
    {
        return (int)Long.remainderUnsigned(nextRandom(), (long)partitionKeys * ITEMS_PER_PARTITION);
    }

    private int randomPartitionKey()
    {
        return (int)Long.remainderUnsigned(nextRandom(), partitionKeys);
    }

    private long nextRandom()
    {
        long x = randomState;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        randomState = x;
        return x;
    }

    /** The newest valid slot of checkpoint.bin (outside the measured window: this allocates). */
    private static long readCheckpoint(final Path dataDir) throws java.io.IOException
    {
        final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(dataDir.resolve("checkpoint.bin")))
            .order(ByteOrder.BIG_ENDIAN);
        long best = -1;
        for (int slot = 0; slot + 16 <= bytes.capacity(); slot += 16)
        {
            if (bytes.getLong(slot) == ~bytes.getLong(slot + 8))
            {
                best = Math.max(best, bytes.getLong(slot));
            }
        }
        return best;
    }
}
