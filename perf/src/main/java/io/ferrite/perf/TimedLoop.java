package io.ferrite.perf;

import io.ferrite.engine.shard.ItemHandler;
import io.ferrite.engine.shard.QueryRequest;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.Shard;
import io.ferrite.engine.shard.Table;
import io.ferrite.engine.store.StoreKind;
import io.ferrite.engine.wal.FsyncPolicy;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;

import java.util.Locale;

/**
 * Times every operation of one thread with its own pair of {@link System#nanoTime()} calls, into an HdrHistogram, over
 * the data set and engine of {@link EmbeddedBenchmarks} (1 M items of 1 KB, {@link EngineFixture}). It is the
 * per-operation latency distribution of GetItem, PutItem and Query with no harness between the operations: JMH's
 * SampleTime mode, on some machines, puts a tail under even a bare copy of one random entry that a plain loop of the
 * same copy does not have (perf/README.md, "Per-operation timing without JMH"), so this loop is the second opinion
 * on issue 2's p99.9 / p50.
 * <p>
 * {@code java ... io.ferrite.perf.TimedLoop OP SECONDS [ITEMS]}: OP is {@code getItem}, {@code putItemNone},
 * {@code putItemBatch}, {@code query} or {@code entryCopy} (the floor: one random 1 KB copy out of a 1 GB mapped
 * file, no data structure); 3 s of warm-up ({@code -Dferrite.perf.warmupMs}) precede the SECONDS measured. One line
 * of results, then a JSON line. Run it with {@code perf/bin/timed-loop}.
 * Allocates nothing in the measured loop (the histogram is sized up front).
 */
public final class TimedLoop
{
    private static final long WARMUP_NS = Long.getLong("ferrite.perf.warmupMs", 3_000) * 1_000_000L;

    private TimedLoop()
    {
    }

    /**
     * @param args OP SECONDS [ITEMS].
     * @throws Exception if the engine cannot be opened.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length < 2)
        {
            System.err.println("usage: TimedLoop getItem|putItemNone|putItemBatch|query|entryCopy SECONDS [ITEMS]");
            System.exit(2);
        }
        final String op = args[0];
        final long measureNs = Long.parseLong(args[1]) * 1_000_000_000L;
        final int items = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
        final Histogram histogram = measure(op, items, WARMUP_NS, measureNs);
        final long measuredNs = measureNs; // the loop stops at its first operation past the window
        final double p50 = histogram.getValueAtPercentile(50);
        final double p999 = histogram.getValueAtPercentile(99.9);
        System.out.printf(Locale.ROOT,
            "%s: %,d ops in %.1f s (%.0f k ops/s, timer included); ns p50 %d p90 %d p99 %d p99.9 %d p99.99 %d max %d; " +
                "p99.9/p50 %.1fx%n",
            op, histogram.getTotalCount(), measuredNs / 1e9, histogram.getTotalCount() / (measuredNs / 1e9) / 1e3,
            histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(90),
            histogram.getValueAtPercentile(99), histogram.getValueAtPercentile(99.9),
            histogram.getValueAtPercentile(99.99), histogram.getMaxValue(), p999 / p50);
        System.out.printf(Locale.ROOT,
            "{\"name\":\"timed-loop-%s\",\"ops\":%d,\"p50_ns\":%d,\"p99_ns\":%d,\"p999_ns\":%d,\"max_ns\":%d}%n",
            op, histogram.getTotalCount(), histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(99),
            histogram.getValueAtPercentile(99.9), histogram.getMaxValue());
    }

    /**
     * Loads the data set (or maps the floor's region), warms up, then times every operation for {@code measureNs}.
     *
     * @param op        getItem, putItemNone, putItemBatch, query or entryCopy.
     * @param items     items in the data set.
     * @param warmupNs  warm-up before the measured window.
     * @param measureNs the measured window.
     * @return each operation's latency in ns.
     * @throws Exception if the engine cannot be opened.
     */
    static Histogram measure(final String op, final int items, final long warmupNs, final long measureNs)
        throws Exception
    {
        final Dataset dataset = new Dataset(items, 42);
        final Histogram histogram = new Histogram(1, 10_000_000_000L, 3);
        if (!java.util.Set.of("getItem", "putItemNone", "putItemBatch", "query", "entryCopy").contains(op))
        {
            throw new IllegalArgumentException("unknown operation " + op +
                ": getItem, putItemNone, putItemBatch, query or entryCopy");
        }
        if ("entryCopy".equals(op))
        {
            final MemoryFloorBenchmarks.Region region = new MemoryFloorBenchmarks.Region();
            region.entries = items;
            region.setUp();
            try
            {
                final MemoryFloorBenchmarks floor = new MemoryFloorBenchmarks();
                run(histogram, warmupNs, measureNs, () -> (int)floor.randomEntryCopy(region));
            }
            finally
            {
                region.tearDown();
            }
        }
        else
        {
            final FsyncPolicy fsync = "putItemBatch".equals(op) ? FsyncPolicy.BATCH : FsyncPolicy.NONE;
            try (EngineFixture fixture = new EngineFixture(dataset, fsync, StoreKind.HASH))
            {
                final Shard shard = fixture.shard();
                final Table table = fixture.table();
                final int[] sink = new int[1];
                final ItemHandler handler = (buffer, offset, length) -> sink[0] += length;
                final QueryRequest query = new QueryRequest();
                final long[] version = new long[1];
                final Operation operation = switch (op)
                {
                    case "getItem" -> () ->
                    {
                        final int item = dataset.randomItem();
                        final DirectBuffer key = dataset.key(item);
                        shard.getItem(table, key, 0, dataset.keyLength(item), handler);
                        return sink[0];
                    };
                    case "putItemNone", "putItemBatch" -> () ->
                    {
                        final int item = dataset.randomItem();
                        final DirectBuffer bytes = dataset.item(item, ++version[0]);
                        return shard.putItem(table, bytes, 0, dataset.itemLength(item), null, ReturnValues.NONE, null) ?
                            1 : 0;
                    };
                    case "query" -> () ->
                    {
                        query.reset();
                        query.partitionKey().string(dataset.partitionKeyText(dataset.randomPartitionKey()));
                        shard.query(table, query, handler);
                        return query.count();
                    };
                    default -> throw new IllegalArgumentException("unknown operation " + op +
                        ": getItem, putItemNone, putItemBatch, query or entryCopy");
                };
                run(histogram, warmupNs, measureNs, operation);
            }
        }
        return histogram;
    }

    /** One operation; its result is summed so that the JIT cannot drop it. */
    @FunctionalInterface
    private interface Operation
    {
        int run();
    }

    private static void run(
        final Histogram histogram, final long warmupNs, final long measureNs, final Operation operation)
    {
        long sink = 0;
        final long warmupEnd = System.nanoTime() + warmupNs;
        while (System.nanoTime() - warmupEnd < 0)
        {
            sink += operation.run();
        }
        final long started = System.nanoTime();
        final long end = started + measureNs;
        long now = started;
        while (now - end < 0)
        {
            final long before = System.nanoTime();
            sink += operation.run();
            now = System.nanoTime();
            histogram.recordValue(now - before);
        }
        if (sink == 42)
        {
            System.out.print(""); // keeps sink alive
        }
    }
}
