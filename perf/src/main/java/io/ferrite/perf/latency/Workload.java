package io.ferrite.perf.latency;

import io.ferrite.perf.Dataset;

import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a load thread asks for next: an operation drawn from the workload's mix and the record it touches,
 * drawn from the workload's request distribution. The YCSB core workloads keep YCSB's definitions:
 * <pre>
 *   workload  mix                                  request distribution
 *   ycsb-a    50% read, 50% update                 zipfian
 *   ycsb-b    95% read, 5% update                  zipfian
 *   ycsb-c    100% read                            zipfian
 *   ycsb-d    95% read, 5% insert                  latest
 *   ycsb-e    95% scan, 5% insert                  zipfian (scan length uniform 1..10)
 *   ycsb-f    50% read, 50% read-modify-write      zipfian
 *   get / put / query   one operation, 100%        uniform
 * </pre>
 * Records are {@link Dataset}'s 1 KB items, ten to a partition key, so a YCSB scan is a Query of the record's
 * partition key limited to the scan length (at most the partition's ten records, where YCSB scans up to 100
 * keys in key order). Inserts take record numbers after the loaded ones from a counter shared by all threads;
 * "latest" favours the most recently inserted records.
 * <p>
 * <b>Threading:</b> one instance per load thread (its random source is not shared); only the insert counter
 * is shared. Drawing allocates nothing.
 */
public final class Workload
{
    /** The workloads {@code --workload} accepts. */
    public static final String NAMES = "get|put|query|ycsb-a|ycsb-b|ycsb-c|ycsb-d|ycsb-e|ycsb-f";

    private enum Distribution
    {
        UNIFORM,
        ZIPFIAN,
        LATEST
    }

    private final String name;
    private final double[] cumulative = new double[Op.count()];
    private final Distribution distribution;
    private final int maxScanLength;
    private final int records;
    private final long capacity;
    private final AtomicLong inserted;
    private final SplittableRandom random;
    private final Zipfian zipfian;

    private Workload(
        final String name,
        final double get,
        final double put,
        final double insert,
        final double query,
        final double rmw,
        final Distribution distribution,
        final int maxScanLength,
        final int records,
        final long capacity,
        final AtomicLong inserted,
        final long seed)
    {
        this.name = name;
        final double[] share = new double[Op.count()];
        share[Op.GET.ordinal()] = get;
        share[Op.PUT.ordinal()] = put;
        share[Op.INSERT.ordinal()] = insert;
        share[Op.QUERY.ordinal()] = query;
        share[Op.RMW.ordinal()] = rmw;
        double sum = 0;
        for (int i = 0; i < share.length; i++)
        {
            sum += share[i];
            cumulative[i] = sum;
        }
        this.distribution = distribution;
        this.maxScanLength = maxScanLength;
        this.records = records;
        this.capacity = capacity;
        this.inserted = inserted;
        this.random = new SplittableRandom(seed);
        this.zipfian = Distribution.UNIFORM == distribution ? null : new Zipfian(records, Zipfian.THETA, seed + 1);
    }

    /**
     * @param name     one of {@link #NAMES}.
     * @param records  records loaded before the run.
     * @param capacity the most records the target holds (inserts wrap around to overwrite past it).
     * @param inserted the insert counter shared by the run's threads, starting at {@code records}.
     * @param seed     of this thread's random source.
     * @return the workload.
     */
    public static Workload of(
        final String name, final int records, final long capacity, final AtomicLong inserted, final long seed)
    {
        switch (name.toLowerCase(Locale.ROOT))
        {
            case "get":
                return new Workload("get", 1, 0, 0, 0, 0, Distribution.UNIFORM, 0, records, capacity, inserted, seed);
            case "put":
                return new Workload("put", 0, 1, 0, 0, 0, Distribution.UNIFORM, 0, records, capacity, inserted, seed);
            case "query":
                return new Workload("query", 0, 0, 0, 1, 0, Distribution.UNIFORM, 0, records, capacity, inserted, seed);
            case "ycsb-a":
                return new Workload("ycsb-a", 0.5, 0.5, 0, 0, 0, Distribution.ZIPFIAN, 0, records, capacity, inserted, seed);
            case "ycsb-b":
                return new Workload("ycsb-b", 0.95, 0.05, 0, 0, 0, Distribution.ZIPFIAN, 0, records, capacity, inserted, seed);
            case "ycsb-c":
                return new Workload("ycsb-c", 1, 0, 0, 0, 0, Distribution.ZIPFIAN, 0, records, capacity, inserted, seed);
            case "ycsb-d":
                return new Workload("ycsb-d", 0.95, 0, 0.05, 0, 0, Distribution.LATEST, 0, records, capacity, inserted, seed);
            case "ycsb-e":
                return new Workload("ycsb-e", 0, 0, 0.05, 0.95, 0, Distribution.ZIPFIAN, Dataset.ITEMS_PER_PARTITION,
                    records, capacity, inserted, seed);
            case "ycsb-f":
                return new Workload("ycsb-f", 0.5, 0, 0, 0, 0.5, Distribution.ZIPFIAN, 0, records, capacity, inserted, seed);
            default:
                throw new IllegalArgumentException("--workload must be one of " + NAMES + ", got '" + name + "'");
        }
    }

    /**
     * @return the workload's name.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return the next operation, drawn from the mix.
     */
    public Op nextOp()
    {
        final double u = random.nextDouble();
        for (int i = 0; i < cumulative.length; i++)
        {
            if (u < cumulative[i])
            {
                return Op.of(i);
            }
        }
        for (int i = cumulative.length - 1; i >= 0; i--)
        {
            if (cumulative[i] > (i > 0 ? cumulative[i - 1] : 0))
            {
                return Op.of(i);
            }
        }
        throw new IllegalStateException("workload " + name + " has an empty mix");
    }

    /**
     * @param op the operation drawn.
     * @return the record number it touches: a new one for an insert, else one from the distribution.
     */
    public int nextRecord(final Op op)
    {
        if (Op.INSERT == op)
        {
            return (int)(inserted.getAndIncrement() % capacity);
        }
        switch (distribution)
        {
            case ZIPFIAN:
                return (int)zipfian.nextScrambled();
            case LATEST:
            {
                final long latest = Math.min(inserted.get(), capacity) - 1;
                return (int)Math.max(0, latest - zipfian.next());
            }
            default:
                return random.nextInt(records);
        }
    }

    /**
     * @return how many records a Query returns at most (0: the whole partition), uniform in 1..max for YCSB E.
     */
    public int nextScanLength()
    {
        return 0 == maxScanLength ? 0 : 1 + random.nextInt(maxScanLength);
    }
}
