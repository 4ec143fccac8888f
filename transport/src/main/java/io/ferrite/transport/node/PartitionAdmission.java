package io.ferrite.transport.node;

import io.ferrite.engine.admission.TokenBucket;

/**
 * The partition and node levels of admission (decision 0009), on the router thread only.
 * <p>
 * Each partition of a table has, for reads (half RCUs) and writes (WCUs), an <b>allocated</b> bucket at the
 * per-partition ceiling (DynamoDB: 3,000 RCU, 1,000 WCU; raised to the partition's even share of the table's rate
 * when that is higher, {@link #followTableRate}) holding one second of it, and a <b>burst</b> bucket at the same
 * rate holding {@code burstSeconds} of it, which every admitted request also drains (never below empty): it holds
 * the capacity the partition left unused. A request on a partition whose allocated bucket lacks the units is admitted
 * from the burst bucket only while the node's bucket (the node's capacity, drained by every admitted request, holding
 * one second of it) has the units too: the node really has spare capacity. The table's bucket
 * ({@link TableAdmission}) remains the main limit: a partition is not given a slice of the table's rate, so one hot
 * partition within its ceiling gets the table's whole rate.
 * <p>
 * A partition is one of the engine's partitions inside one shard: the shard owns a slice of the hash space
 * ({@link RoutingMetadata#shardFor}) and each shard splits the whole hash space evenly into the engine's
 * {@code initialPartitions}; as both indexes only grow with the hash, {@code shard + enginePartition} numbers the
 * non-empty intersections without gaps that collide, in {@code shardCount + initialPartitions - 1} slots.
 * <p>
 * Check before take: {@link #check} looks without taking (the router then asks the table's bucket) and {@link #take}
 * charges; both run on the router thread, which alone touches these buckets. Nothing allocates after construction.
 */
final class PartitionAdmission
{
    /** {@link #check}: the allocated bucket has the units. */
    static final int ALLOCATED = 0;
    /** {@link #check}: admitted from the partition's burst, the node having room. */
    static final int BURST = 1;
    /** {@link #check}: over the partition's ceiling with no burst usable: throttle. */
    static final int THROTTLED = 2;

    private final long ceilingReadHalfUnits;
    private final long ceilingWriteUnits;
    private final long burstSeconds;
    private final long startNs;
    private final TokenBucket[] allocatedReads;
    private final TokenBucket[] burstReads;
    private final TokenBucket[] allocatedWrites;
    private final TokenBucket[] burstWrites;

    /**
     * @param partitions           partition slots ({@link #slots}).
     * @param ceilingReadHalfUnits each partition's read ceiling, half RCUs per second.
     * @param ceilingWriteUnits    each partition's write ceiling, WCUs per second.
     * @param burstSeconds         seconds of unused capacity a partition keeps.
     * @param nowNs                the router's clock; buckets start full.
     */
    PartitionAdmission(
        final int partitions,
        final long ceilingReadHalfUnits,
        final long ceilingWriteUnits,
        final long burstSeconds,
        final long nowNs)
    {
        this.ceilingReadHalfUnits = ceilingReadHalfUnits;
        this.ceilingWriteUnits = ceilingWriteUnits;
        this.burstSeconds = burstSeconds;
        this.startNs = nowNs;
        allocatedReads = new TokenBucket[partitions];
        burstReads = new TokenBucket[partitions];
        allocatedWrites = new TokenBucket[partitions];
        burstWrites = new TokenBucket[partitions];
        for (int i = 0; i < partitions; i++)
        {
            allocatedReads[i] = new TokenBucket(ceilingReadHalfUnits, ceilingReadHalfUnits, nowNs);
            burstReads[i] = new TokenBucket(ceilingReadHalfUnits, burstSeconds * ceilingReadHalfUnits, nowNs);
            allocatedWrites[i] = new TokenBucket(ceilingWriteUnits, ceilingWriteUnits, nowNs);
            burstWrites[i] = new TokenBucket(ceilingWriteUnits, burstSeconds * ceilingWriteUnits, nowNs);
        }
    }

    /**
     * Sets each partition's rates from the table's when the table is opened ({@link TableAdmission#attach}): new
     * buckets, full at those rates, as the table's own start full. Allocates; not for the request path.
     */
    void startAtTableRate(final long tableReadHalfUnits, final long tableWriteUnits)
    {
        final long readRate = rate(ceilingReadHalfUnits, tableReadHalfUnits);
        final long writeRate = rate(ceilingWriteUnits, tableWriteUnits);
        for (int i = 0; i < allocatedReads.length; i++)
        {
            allocatedReads[i] = new TokenBucket(readRate, readRate, startNs);
            burstReads[i] = new TokenBucket(readRate, burstSeconds * readRate, startNs);
            allocatedWrites[i] = new TokenBucket(writeRate, writeRate, startNs);
            burstWrites[i] = new TokenBucket(writeRate, burstSeconds * writeRate, startNs);
        }
    }

    /**
     * Follows the table's rate at this router (UpdateTable, a global share, a rising on-demand peak): each
     * partition's allocated rate is the configured ceiling or, when higher, its even share of the table's rate.
     * DynamoDB gives a table enough partitions for its rate (RCU / 3,000, WCU / 1,000) by splitting; Ferrite's
     * partitions do not split, so without this a table spread evenly over its few partitions could never reach its
     * rate. The units each bucket holds are kept ({@link TokenBucket#reconfigure}). Reconfigures (one small object
     * per bucket) only the buckets whose rate changes; not for the request path.
     *
     * @param nowNs              the router's clock.
     * @param tableReadHalfUnits the table's read rate, half RCUs per second.
     * @param tableWriteUnits    the table's write rate, WCUs per second.
     */
    void followTableRate(final long nowNs, final long tableReadHalfUnits, final long tableWriteUnits)
    {
        final int partitions = allocatedReads.length;
        final long readRate = rate(ceilingReadHalfUnits, tableReadHalfUnits);
        final long writeRate = rate(ceilingWriteUnits, tableWriteUnits);
        for (int i = 0; i < partitions; i++)
        {
            if (allocatedReads[i].ratePerSecond() != readRate)
            {
                allocatedReads[i].reconfigure(nowNs, readRate, readRate);
                burstReads[i].reconfigure(nowNs, readRate, burstSeconds * readRate);
            }
            if (allocatedWrites[i].ratePerSecond() != writeRate)
            {
                allocatedWrites[i].reconfigure(nowNs, writeRate, writeRate);
                burstWrites[i].reconfigure(nowNs, writeRate, burstSeconds * writeRate);
            }
        }
    }

    /** The ceiling or, when higher, the partition's even share of the table's rate. */
    private long rate(final long ceiling, final long tableRate)
    {
        final int partitions = allocatedReads.length;
        return Math.max(ceiling, (tableRate + partitions - 1) / partitions);
    }

    /**
     * @param shardCount        the node's shards.
     * @param enginePartitions  the engine partitions each shard splits the hash space into.
     * @return the partition slots a table needs.
     */
    static int slots(final int shardCount, final int enginePartitions)
    {
        return shardCount + enginePartitions - 1;
    }

    /**
     * @param shard            the shard the hash routes to.
     * @param hash             the partition key's hash (unsigned).
     * @param enginePartitions the engine partitions per shard.
     * @return the partition's slot.
     */
    static int slot(final int shard, final long hash, final int enginePartitions)
    {
        if (1 == enginePartitions)
        {
            return shard;
        }
        final long index = RoutingMetadata.divideUnsigned(hash, RoutingMetadata.divideUnsigned(-1L, enginePartitions));
        return shard + (Long.compareUnsigned(index, enginePartitions) >= 0 ? enginePartitions - 1 : (int)index);
    }

    /**
     * Looks, without taking, whether a request of {@code units} fits the partition.
     *
     * @param write true for write units, false for half read units.
     * @return {@link #ALLOCATED}, {@link #BURST} or {@link #THROTTLED}.
     */
    int check(final long nowNs, final int partition, final boolean write, final long units, final NodeAdmission node)
    {
        final TokenBucket allocated = write ? allocatedWrites[partition] : allocatedReads[partition];
        if (allocated.wouldAdmit(nowNs, units))
        {
            return ALLOCATED;
        }
        final TokenBucket burst = write ? burstWrites[partition] : burstReads[partition];
        return burst.availableUnits(nowNs) >= units && node.hasRoom(nowNs, write, units) ? BURST : THROTTLED;
    }

    /**
     * Charges an admitted request as {@link #check} classified it.
     */
    void take(final long nowNs, final int partition, final boolean write, final long units, final int how, final NodeAdmission node)
    {
        final TokenBucket burst = write ? burstWrites[partition] : burstReads[partition];
        if (ALLOCATED == how)
        {
            (write ? allocatedWrites[partition] : allocatedReads[partition]).tryAcquire(nowNs, units);
            drain(burst, nowNs, units);
        }
        else
        {
            burst.tryAcquire(nowNs, units);
        }
        node.take(nowNs, write, units);
    }

    TokenBucket allocated(final int partition, final boolean write)
    {
        return write ? allocatedWrites[partition] : allocatedReads[partition];
    }

    TokenBucket burst(final int partition, final boolean write)
    {
        return write ? burstWrites[partition] : burstReads[partition];
    }

    /**
     * Takes up to {@code units}, never leaving the bucket in debt: used capacity is not saved, but is not owed either.
     */
    static void drain(final TokenBucket bucket, final long nowNs, final long units)
    {
        final long available = bucket.availableUnits(nowNs);
        if (available > 0)
        {
            bucket.consume(nowNs, Math.min(Math.min(units, available), TokenBucket.MAX_UNITS_PER_CALL));
        }
    }
}
