package io.ferrite.transport.node;

import io.ferrite.engine.admission.TokenBucket;

/**
 * The node-level buckets of admission (decision 0009): the node's capacity in half RCUs and WCUs per second, holding
 * one second of it, drained by every request the router admits on a partition (never below empty). A partition may
 * spend its burst only while this shows room: the node really has spare capacity. Router thread only; no allocation.
 */
final class NodeAdmission
{
    final TokenBucket reads;
    final TokenBucket writes;

    NodeAdmission(final long readHalfUnitsPerSecond, final long writeUnitsPerSecond, final long nowNs)
    {
        reads = new TokenBucket(readHalfUnitsPerSecond, readHalfUnitsPerSecond, nowNs);
        writes = new TokenBucket(writeUnitsPerSecond, writeUnitsPerSecond, nowNs);
    }

    boolean hasRoom(final long nowNs, final boolean write, final long units)
    {
        return (write ? writes : reads).availableUnits(nowNs) >= units;
    }

    void take(final long nowNs, final boolean write, final long units)
    {
        PartitionAdmission.drain(write ? writes : reads, nowNs, units);
    }
}
