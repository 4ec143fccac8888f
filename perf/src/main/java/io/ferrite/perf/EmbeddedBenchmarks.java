package io.ferrite.perf;

import io.ferrite.engine.shard.ItemHandler;
import io.ferrite.engine.shard.QueryRequest;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.ScanRequest;
import io.ferrite.engine.shard.Shard;
import io.ferrite.engine.shard.Table;
import io.ferrite.engine.store.StoreKind;
import io.ferrite.engine.wal.FsyncPolicy;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The embedded engine's hot operations on one thread (direct mode, the flyweight {@link Shard} API) over
 * {@link Dataset} (1 M items of 1 KB by default), and a raw Chronicle Map get on the same keys and values as
 * the baseline. Each operation picks a uniformly random item (or partition key), so most of the 1 GB data
 * set is out of the CPU caches: this is the cost of a random access, not of a hot key.
 * <p>
 * Throughput and SampleTime (percentiles) in one run; each benchmark method forks its own JVM, loads its own
 * data set in setup and deletes it in teardown. Run with {@code perf/bin/bench} (see perf/README.md), which
 * passes the project's JVM flags to the forks.
 */
@BenchmarkMode({ Mode.Throughput, Mode.SampleTime })
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class EmbeddedBenchmarks
{
    /** Data set size, shared by every state (override with {@code -p items=...} for a quick run). */
    @State(Scope.Thread)
    public static class Data
    {
        /** Items in the data set. */
        @Param("1000000")
        public int items;

        Dataset dataset;

        /** Builds the item templates. */
        @Setup(Level.Trial)
        public void setUp()
        {
            dataset = new Dataset(items, 42);
        }
    }

    /** An engine loaded with the data set, for reads (its fsync policy does not matter to reads). */
    @State(Scope.Thread)
    public static class ReadEngine
    {
        /** Item store of the run: our hash store (the default) or Chronicle Map. */
        @Param({ "HASH", "CHRONICLE" })
        public StoreKind store;

        EngineFixture fixture;
        Shard shard;
        Table table;
        final QueryRequest query = new QueryRequest();
        final ScanRequest scan = new ScanRequest();
        int lastLength;
        int lastCount;
        final ItemHandler handler = (buffer, offset, length) -> lastLength = length;
        final ItemHandler counter = (buffer, offset, length) -> lastCount += length;

        /**
         * @param data the data set.
         */
        @Setup(Level.Trial)
        public void setUp(final Data data)
        {
            fixture = new EngineFixture(data.dataset, FsyncPolicy.NONE, store);
            shard = fixture.shard();
            table = fixture.table();
        }

        /** Closes the engine and deletes its data. */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            fixture.close();
        }
    }

    /** An engine loaded with the data set, writing its WAL under the fsync policy given. */
    @State(Scope.Thread)
    public static class WriteEngine
    {
        /** WAL fsync policy of the run. */
        @Param({ "NONE", "BATCH" })
        public FsyncPolicy fsync;

        /** Item store of the run: our hash store (the default) or Chronicle Map. */
        @Param({ "HASH", "CHRONICLE" })
        public StoreKind store;

        EngineFixture fixture;
        Shard shard;
        Table table;
        long version;

        /**
         * @param data the data set.
         */
        @Setup(Level.Trial)
        public void setUp(final Data data)
        {
            fixture = new EngineFixture(data.dataset, fsync, store);
            shard = fixture.shard();
            table = fixture.table();
        }

        /** Closes the engine and deletes its data. */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            fixture.close();
        }
    }

    /** A raw Chronicle Map holding the same keys and values as the engine. */
    @State(Scope.Thread)
    public static class RawMap
    {
        RawChronicleMapFixture fixture;
        final UnsafeBuffer key = RawChronicleMapFixture.newKeyBuffer();
        final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));

        /**
         * @param data the data set.
         */
        @Setup(Level.Trial)
        public void setUp(final Data data)
        {
            fixture = new RawChronicleMapFixture(data.dataset);
        }

        /** Closes and deletes the map. */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            fixture.close();
        }
    }

    /**
     * GetItem of a random item through {@link Shard#getItem}; the handler sees the item bytes.
     *
     * @param data   the data set.
     * @param engine the engine.
     * @return the item's length (so the JIT cannot drop the call).
     */
    @Benchmark
    public int getItem(final Data data, final ReadEngine engine)
    {
        final Dataset dataset = data.dataset;
        final int item = dataset.randomItem();
        final DirectBuffer key = dataset.key(item);
        engine.shard.getItem(engine.table, key, 0, dataset.keyLength(item), engine.handler);
        return engine.lastLength;
    }

    /**
     * Chronicle Map get of the same random item, by its index key, copying the value out: the floor GetItem
     * is compared with.
     *
     * @param data the data set.
     * @param raw  the map.
     * @return the value's length.
     */
    @Benchmark
    public int rawChronicleMapGet(final Data data, final RawMap raw)
    {
        final Dataset dataset = data.dataset;
        final int keyLength = dataset.indexKey(dataset.randomItem(), raw.key);
        return raw.fixture.get(raw.key, keyLength, raw.value);
    }

    /**
     * PutItem replacing a random item with a new version of it (same size), WAL first.
     *
     * @param data   the data set.
     * @param engine the engine.
     * @return whether an item was replaced (always).
     */
    @Benchmark
    public boolean putItem(final Data data, final WriteEngine engine)
    {
        final Dataset dataset = data.dataset;
        final int item = dataset.randomItem();
        final DirectBuffer bytes = dataset.item(item, ++engine.version);
        return engine.shard.putItem(engine.table, bytes, 0, dataset.itemLength(item), null, ReturnValues.NONE, null);
    }

    /**
     * Query of one random partition key: its 10 items in sort key order.
     *
     * @param data   the data set.
     * @param engine the engine.
     * @return bytes of the items returned.
     */
    @Benchmark
    public int query(final Data data, final ReadEngine engine)
    {
        final QueryRequest query = engine.query;
        query.reset();
        query.partitionKey().string(data.dataset.partitionKeyText(data.dataset.randomPartitionKey()));
        engine.lastCount = 0;
        engine.shard.query(engine.table, query, engine.counter);
        return engine.lastCount + query.count();
    }

    /**
     * Scan of one random segment of {@code items / 100} (so about 100 items, from some ten partition keys, in hash
     * order): the cost of a scan per item, each item a random access as in {@link #query}.
     *
     * @param data   the data set.
     * @param engine the engine.
     * @return bytes of the items returned.
     */
    @Benchmark
    public int scanSegment(final Data data, final ReadEngine engine)
    {
        final Dataset dataset = data.dataset;
        final int segments = dataset.items() / 100;
        final ScanRequest scan = engine.scan;
        scan.reset();
        scan.segment(dataset.randomItem() % segments, segments);
        engine.lastCount = 0;
        engine.shard.scan(engine.table, scan, engine.counter);
        return engine.lastCount + scan.count();
    }
}
