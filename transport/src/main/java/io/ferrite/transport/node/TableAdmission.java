package io.ferrite.transport.node;

import io.ferrite.engine.admission.BillingMode;
import io.ferrite.engine.admission.TableCapacity;
import io.ferrite.engine.admission.TokenBucket;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * One table's admission state at the router: a read bucket counting half read capacity units and a write bucket
 * counting write capacity units ({@link io.ferrite.engine.admission.CapacityUnits}), each refilled at the table's
 * rate and holding up to {@code burstSeconds} of unused capacity (DynamoDB keeps 300 s). Decision 0009.
 * <p>
 * <b>Provisioned</b> tables: reads at 2 x RCU half units/s, writes at WCU/s.
 * <b>On-demand</b> tables: DynamoDB serves "up to double the previous peak"; approximated here by tracking, per
 * window of at least one second, the units the router admitted, keeping the highest window as the peak (raised in steps
 * of at least 10%, so a steady load does not reconfigure the bucket every second), and setting each bucket's
 * rate to max(initial, 2 x peak), where the initial rate is what DynamoDB gives a new on-demand table (4,000 WCU and
 * 12,000 RCU per second). The peak is not persisted: a restarted node starts again from the initial rate.
 * <p>
 * <b>Global admission:</b> with an admission service configured, the router reports each provisioned table's demand
 * ({@link #readDemand}, {@link #writeDemand}: units asked for, admitted or not) and {@link #applyShare} sets the
 * buckets to the share the service grants; until the first grant a router admits the table's whole rate.
 * <p>
 * <b>Partitions:</b> {@link #tryAt} adds the partition's ceiling and burst and the node's room
 * ({@link PartitionAdmission}, {@link NodeAdmission}) under this table-wide limit.
 * <p>
 * <b>Threading:</b> {@link #tryRead}, {@link #tryWrite}, {@link #reconfigure} and the peak tracking run on the
 * router thread; a shard loop may call {@link #chargeAfter} (the bucket's {@code consume}, lock-free) for the
 * part of a read's cost known only once the item or page is read. Nothing here allocates per request; a rising
 * on-demand peak reconfigures a bucket (one small object), at most once a second per table.
 */
final class TableAdmission
{
    static final long ON_DEMAND_INITIAL_READ_HALF_UNITS = 2 * 12_000;
    static final long ON_DEMAND_INITIAL_WRITE_UNITS = 4_000;
    static final long PEAK_WINDOW_NS = 1_000_000_000L;
    /** {@link #tryAt}: the partition is over its ceiling and may not burst. */
    static final long PARTITION_THROTTLED = -1;

    /** The partition-level buckets, null when the router admits at table level only ({@link #attach}). */
    PartitionAdmission partitions;
    /** How {@link #tryAt} last admitted: {@link PartitionAdmission#ALLOCATED} or {@link PartitionAdmission#BURST}. */
    int lastAdmittedAs;

    final TokenBucket reads;
    final TokenBucket writes;
    final long burstSeconds;
    AtomicCounter throttles;

    long readDemand;
    long writeDemand;
    private boolean onDemand;
    /** The table's provisioned rates (half RCUs, WCUs per second): the most a global share may grant. */
    private long provisionedReadRate;
    private long provisionedWriteRate;
    private long windowStartNs;
    private long windowReads;
    private long windowWrites;
    private long peakReads;
    private long peakWrites;

    TableAdmission(final TableCapacity capacity, final long burstSeconds, final long nowNs)
    {
        this.burstSeconds = burstSeconds;
        this.reads = new TokenBucket(readRate(capacity), burstSeconds * readRate(capacity), nowNs);
        this.writes = new TokenBucket(writeRate(capacity), burstSeconds * writeRate(capacity), nowNs);
        this.onDemand = BillingMode.PAY_PER_REQUEST == capacity.billingMode();
        this.provisionedReadRate = readRate(capacity);
        this.provisionedWriteRate = writeRate(capacity);
        this.windowStartNs = nowNs;
    }

    /**
     * Adds the partition level under this table's buckets, its ceilings following the table's rate.
     */
    void attach(final PartitionAdmission partitions)
    {
        this.partitions = partitions;
        partitions.startAtTableRate(reads.ratePerSecond(), writes.ratePerSecond());
    }

    private void followRate(final long nowNs)
    {
        if (null != partitions)
        {
            partitions.followTableRate(nowNs, reads.ratePerSecond(), writes.ratePerSecond());
        }
    }

    /**
     * New capacity (UpdateTable): takes effect for requests admitted after this returns; the units the buckets hold
     * are kept (capped at the new burst), not the time ({@link TokenBucket#reconfigure}).
     */
    void reconfigure(final long nowNs, final TableCapacity capacity)
    {
        onDemand = BillingMode.PAY_PER_REQUEST == capacity.billingMode();
        final long readRate = onDemand ? Math.max(ON_DEMAND_INITIAL_READ_HALF_UNITS, twicePeak(peakReads)) : readRate(capacity);
        final long writeRate = onDemand ? Math.max(ON_DEMAND_INITIAL_WRITE_UNITS, twicePeak(peakWrites)) : writeRate(capacity);
        provisionedReadRate = readRate(capacity);
        provisionedWriteRate = writeRate(capacity);
        setRate(nowNs, reads, readRate);
        setRate(nowNs, writes, writeRate);
        followRate(nowNs);
    }

    /**
     * This router's share of a provisioned table's rate, from the global admission service (router thread), never
     * above the table's own rate: the service divides the rate routers last reported, so a grant computed before this
     * router's report of an UpdateTable that lowered it (or for a deleted table of the same name) carries the old
     * rate. A stale grant below the rate (after a raise) holds until the next grant, one interval later.
     */
    void applyShare(final long nowNs, final long readRate, final long writeRate)
    {
        if (onDemand || readRate < 1 || writeRate < 1)
        {
            return;
        }
        setRate(nowNs, reads, Math.min(readRate, provisionedReadRate));
        setRate(nowNs, writes, Math.min(writeRate, provisionedWriteRate));
        followRate(nowNs);
    }

    boolean isProvisioned()
    {
        return !onDemand;
    }

    /**
     * @return {@link TokenBucket#ADMITTED} or the nanoseconds until the half units would fit.
     */
    long tryRead(final long nowNs, final long halfUnits)
    {
        final long result = reads.tryAcquire(nowNs, halfUnits);
        readDemand += halfUnits;
        if (onDemand && TokenBucket.ADMITTED == result)
        {
            roll(nowNs);
            windowReads += halfUnits;
        }
        return result;
    }

    /**
     * @return {@link TokenBucket#ADMITTED} or the nanoseconds until the units would fit.
     */
    long tryWrite(final long nowNs, final long units)
    {
        final long result = writes.tryAcquire(nowNs, units);
        writeDemand += units;
        if (onDemand && TokenBucket.ADMITTED == result)
        {
            roll(nowNs);
            windowWrites += units;
        }
        return result;
    }

    /**
     * Admits at all three levels (decision 0009): the partition's allocated bucket, or else its burst while the node
     * has room, is checked without taking; then the table's bucket decides; only an admitted request is charged to
     * the partition and the node. A throttle at the partition is not counted as the table's demand: a larger share of
     * the table's rate would not help it.
     *
     * @param write     true for write units, false for half read units.
     * @param partition the partition's slot ({@link PartitionAdmission#slot}), or -1 for a request with no single
     *                  partition (Scan, a key that did not hash): table level only.
     * @return {@link TokenBucket#ADMITTED}, {@link #PARTITION_THROTTLED}, or the nanoseconds until the table's
     * bucket would have the units.
     */
    long tryAt(final long nowNs, final boolean write, final long units, final int partition, final NodeAdmission node)
    {
        if (null == partitions || partition < 0)
        {
            lastAdmittedAs = PartitionAdmission.ALLOCATED;
            return write ? tryWrite(nowNs, units) : tryRead(nowNs, units);
        }
        final int how = partitions.check(nowNs, partition, write, units, node);
        if (PartitionAdmission.THROTTLED == how)
        {
            return PARTITION_THROTTLED;
        }
        final long result = write ? tryWrite(nowNs, units) : tryRead(nowNs, units);
        if (TokenBucket.ADMITTED == result)
        {
            partitions.take(nowNs, partition, write, units, how, node);
            lastAdmittedAs = how;
        }
        return result;
    }

    /**
     * Charges what a read (half read units) or a write (write units) cost beyond the estimate taken up front (any
     * thread; the bucket may go into debt).
     */
    void chargeAfter(final long nowNs, final boolean write, final long units)
    {
        if (units > 0)
        {
            (write ? writes : reads).consume(nowNs, Math.min(units, TokenBucket.MAX_UNITS_PER_CALL));
        }
    }

    /**
     * Gives back units taken up front for work that was not done (a batch's keys handed back unprocessed): the
     * table's bucket only, as batches are admitted at table level. The units still count as demand (they were asked
     * for) and towards an on-demand peak (they were admitted).
     */
    void refund(final long nowNs, final boolean write, final long units)
    {
        if (units > 0)
        {
            (write ? writes : reads).refund(nowNs, Math.min(units, TokenBucket.MAX_UNITS_PER_CALL));
        }
    }

    /** A new rate, keeping {@link #burstSeconds} of it as burst; nothing (no allocation) when it is unchanged. */
    private void setRate(final long nowNs, final TokenBucket bucket, final long ratePerSecond)
    {
        if (ratePerSecond != bucket.ratePerSecond())
        {
            bucket.reconfigure(nowNs, ratePerSecond, burstSeconds * ratePerSecond);
        }
    }

    private void roll(final long nowNs)
    {
        if (nowNs - windowStartNs < PEAK_WINDOW_NS)
        {
            return;
        }
        windowStartNs = nowNs;
        // the peak is raised in steps of at least 10%, so that a steady load does not reconfigure every second
        if (windowReads > peakReads + peakReads / 10)
        {
            peakReads = windowReads;
            if (twicePeak(peakReads) > reads.ratePerSecond())
            {
                setRate(nowNs, reads, twicePeak(peakReads));
            }
        }
        if (windowWrites > peakWrites + peakWrites / 10)
        {
            peakWrites = windowWrites;
            if (twicePeak(peakWrites) > writes.ratePerSecond())
            {
                setRate(nowNs, writes, twicePeak(peakWrites));
            }
        }
        followRate(nowNs);
        windowReads = 0;
        windowWrites = 0;
    }

    /**
     * On-demand's "double the previous peak", at most the fastest rate a bucket keeps exact
     * ({@link TokenBucket#MAX_RATE_PER_SECOND}): asked for more, the bucket would refuse the rate with an exception on
     * the router thread, in the middle of admitting a request.
     */
    private static long twicePeak(final long peak)
    {
        return Math.min(2 * peak, TokenBucket.MAX_RATE_PER_SECOND);
    }

    private static long readRate(final TableCapacity capacity)
    {
        return BillingMode.PROVISIONED == capacity.billingMode() ?
            2 * capacity.readCapacityUnits() : ON_DEMAND_INITIAL_READ_HALF_UNITS;
    }

    private static long writeRate(final TableCapacity capacity)
    {
        return BillingMode.PROVISIONED == capacity.billingMode() ? capacity.writeCapacityUnits() : ON_DEMAND_INITIAL_WRITE_UNITS;
    }
}
