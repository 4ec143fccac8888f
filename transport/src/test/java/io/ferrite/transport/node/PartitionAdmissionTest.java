package io.ferrite.transport.node;

import io.ferrite.engine.admission.TableCapacity;
import io.ferrite.engine.admission.TokenBucket;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The partition and node levels of admission (decision 0009) on a deterministic clock: a partition's ceiling, its
 * burst from saved capacity gated by the node's room, and the table's rate staying the main limit for a hot partition.
 */
class PartitionAdmissionTest
{
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aPartitionAboveItsCeilingIsThrottledEvenWhenTheTableHasCapacity()
    {
        // 1,000 WCU over 100 partitions: an even share of 10, the ceiling
        final TableAdmission table = new TableAdmission(TableCapacity.provisioned(1_000, 1_000), 300, 0);
        table.attach(new PartitionAdmission(100, 20, 10, 2, 0));
        final NodeAdmission node = new NodeAdmission(1_000_000, 1_000_000, 0);

        // at once: 1 s of the ceiling from the allocated bucket, then the 2 s of saved capacity less what that used
        assertEquals(20, admitted(table, node, 0, 0, 100));

        // then, driven at 100/s for 10 s: the ceiling of 10/s, though the table's bucket holds 1,000/s
        long partitionThrottles = 0;
        long admitted = 0;
        for (int i = 1; i <= 1_000; i++)
        {
            final long result = table.tryAt(i * SECOND / 100, true, 1, 0, node);
            if (TokenBucket.ADMITTED == result)
            {
                admitted++;
            }
            else if (TableAdmission.PARTITION_THROTTLED == result)
            {
                partitionThrottles++;
            }
        }
        assertEquals(100, admitted, "10 s at the partition's ceiling of 10 WCU");
        assertEquals(900, partitionThrottles, "every throttle is the partition's");
        assertTrue(table.writes.availableUnits(10 * SECOND) > 900, "the table had capacity left");
        assertEquals(20 + 100, table.writeDemand, "only requests the partition let through are the table's demand");

        // the other partition is not affected
        assertEquals(10, admitted(table, node, 10 * SECOND, 1, 10));
    }

    @Test
    void anIdlePartitionBurstsAboveItsAllocatedRateOnlyWhileTheNodeHasRoom()
    {
        final TableAdmission table = new TableAdmission(TableCapacity.provisioned(1_000, 1_000), 300, 0);
        table.attach(new PartitionAdmission(100, 20, 10, 300, 0));
        final NodeAdmission node = new NodeAdmission(1_000, 50, 0);

        // saved capacity: a new partition starts with a full burst bucket (300 s of 10 WCU)
        assertEquals(3_000, table.partitions.burst(0, true).availableUnits(0));

        // a spike: 10 from the allocated bucket, then burst for as long as the node has room (50 a second, 10 used)
        assertEquals(50, admitted(table, node, 0, 0, 1_000));
        assertEquals(3_000 - 50, table.partitions.burst(0, true).availableUnits(0), "the burst paid what was above");

        // while the spike lasts, the partition gets the node's spare 50/s, five times its allocated 10/s
        long admitted = 0;
        for (int second = 1; second <= 10; second++)
        {
            admitted += admitted(table, node, second * SECOND, 0, 1_000);
        }
        assertEquals(500, admitted);
        assertEquals(PartitionAdmission.BURST, table.lastAdmittedAs);
        // the burst refills at the allocated rate while unused: 10 s x 10 units back, 400 spent above allocation
        assertEquals(3_000 - 50 + 100 - 500, table.partitions.burst(0, true).availableUnits(10 * SECOND));
    }

    @Test
    void burstIsRefusedWhenTheNodeBucketIsExhausted()
    {
        final TableAdmission table = new TableAdmission(TableCapacity.provisioned(60, 60), 300, 0);
        table.attach(new PartitionAdmission(6, 20, 10, 300, 0));
        final NodeAdmission node = new NodeAdmission(1_000, 50, 0);

        for (int second = 0; second <= 5; second++)
        {
            // five busy partitions use the node's whole 50 WCU each second from their allocated buckets
            for (int partition = 1; partition <= 5; partition++)
            {
                assertEquals(10, admitted(table, node, second * SECOND, partition, 10));
            }
            // the idle partition 0 holds 3,000 saved units but may use only its allocated 10
            assertEquals(10, admitted(table, node, second * SECOND, 0, 100), "second " + second);
            assertEquals(PartitionAdmission.ALLOCATED, table.lastAdmittedAs);
        }
        assertEquals(0, node.writes.availableUnits(5 * SECOND));
        // use at the allocated rate leaves the saved capacity where it was (10 below full: each second's 10 are
        // charged at its start and refilled by its end), none was spent on a burst
        assertEquals(3_000 - 10, table.partitions.burst(0, true).availableUnits(5 * SECOND));

        // once the others stop, the node has room and partition 0 bursts
        assertEquals(50, admitted(table, node, 6 * SECOND, 0, 100));
    }

    @Test
    void aHotPartitionWithinItsCeilingGetsTheTablesThroughput()
    {
        // 800 WCU over four partitions: an even split would give each 200/s; the DynamoDB ceiling is 1,000
        final TableAdmission table = new TableAdmission(TableCapacity.provisioned(1_000, 800), 1, 0);
        table.attach(new PartitionAdmission(4, 2 * 3_000, 1_000, 300, 0));
        final NodeAdmission node = new NodeAdmission(2 * 120_000, 40_000, 0);
        long admitted = 0;
        for (int i = 0; i < 20_000; i++)
        {
            final long result = table.tryAt(i * SECOND / 2_000, true, 1, 2, node);
            assertTrue(TableAdmission.PARTITION_THROTTLED != result, "the partition never throttles within its ceiling");
            if (TokenBucket.ADMITTED == result)
            {
                admitted++;
            }
        }
        // 10 s driven at 2,000/s: the table's 800/s plus its 1 s burst, all on one partition
        assertEquals(8_800, admitted, 2);
    }

    @Test
    void aPartitionsCeilingIsAtLeastItsEvenShareOfTheTablesRate()
    {
        // Ferrite's partitions do not split: 40,000 WCU over two partitions must still be reachable when spread evenly
        final TableAdmission table = new TableAdmission(TableCapacity.provisioned(1_000, 40_000), 300, 0);
        table.attach(new PartitionAdmission(2, 2 * 3_000, 1_000, 300, 0));
        assertEquals(20_000, table.partitions.allocated(0, true).ratePerSecond());
        assertEquals(2 * 3_000, table.partitions.allocated(1, false).ratePerSecond(), "2,000 RCU a partition: the ceiling");
        assertEquals(300 * 20_000, table.partitions.burst(1, true).burstUnits());

        // the share follows UpdateTable and the global admission service
        table.reconfigure(0, TableCapacity.provisioned(1_000, 1_000));
        assertEquals(1_000, table.partitions.allocated(0, true).ratePerSecond());
        table.reconfigure(0, TableCapacity.provisioned(40_000, 1_000));
        table.applyShare(0, 2 * 20_000, 500);
        assertEquals(20_000, table.partitions.allocated(1, false).ratePerSecond());
        assertEquals(1_000, table.partitions.allocated(1, true).ratePerSecond());

        // and an on-demand table's rising peak
        final TableAdmission onDemand = new TableAdmission(TableCapacity.ON_DEMAND, 1, 0);
        onDemand.attach(new PartitionAdmission(1, 2 * 3_000, 1_000, 300, 0));
        assertEquals(TableAdmission.ON_DEMAND_INITIAL_WRITE_UNITS, onDemand.partitions.allocated(0, true).ratePerSecond());
        final NodeAdmission node = new NodeAdmission(1_000_000, 1_000_000, 0);
        for (int i = 0; i < 3_000; i++)
        {
            assertEquals(TokenBucket.ADMITTED, onDemand.tryAt(i * SECOND / 3_000, true, 1, 0, node));
        }
        onDemand.tryAt(SECOND, true, 1, 0, node);
        assertEquals(6_000, onDemand.partitions.allocated(0, true).ratePerSecond(), "twice the previous peak");
    }

    @Test
    void slotsNumberTheShardAndEnginePartitionIntersectionsWithoutCollisions()
    {
        for (final int shards : new int[] {1, 2, 3, 4, 7})
        {
            for (final int enginePartitions : new int[] {1, 2, 3, 4, 5})
            {
                final RoutingMetadataShards metadata = new RoutingMetadataShards(shards);
                final long engineStep = RoutingMetadata.divideUnsigned(-1L, enginePartitions);
                final Map<Integer, Long> pairBySlot = new HashMap<>();
                final SplittableRandom random = new SplittableRandom(shards * 31L + enginePartitions);
                for (int i = 0; i < 20_000; i++)
                {
                    final long hash = i < 2 ? (i == 0 ? 0 : -1L) : random.nextLong();
                    final int shard = metadata.shardFor(hash);
                    final long enginePartition = Math.min(enginePartitions - 1, Long.divideUnsigned(hash, engineStep));
                    final int slot = PartitionAdmission.slot(shard, hash, enginePartitions);
                    assertTrue(slot >= 0 && slot < PartitionAdmission.slots(shards, enginePartitions));
                    final long pair = (long)shard << 32 | enginePartition;
                    final Long previous = pairBySlot.putIfAbsent(slot, pair);
                    assertTrue(null == previous || previous == pair,
                        shards + " shards, " + enginePartitions + " partitions: slot " + slot + " shared");
                }
            }
        }
    }

    private static int admitted(
        final TableAdmission table, final NodeAdmission node, final long nowNs, final int partition, final int requests)
    {
        int admitted = 0;
        for (int i = 0; i < requests; i++)
        {
            if (TokenBucket.ADMITTED == table.tryAt(nowNs, true, 1, partition, node))
            {
                admitted++;
            }
        }
        return admitted;
    }

    /**
     * The router's shard arithmetic ({@link RoutingMetadata#shardFor}) without a metadata file.
     */
    private record RoutingMetadataShards(int shardCount)
    {
        int shardFor(final long hash)
        {
            final long index = RoutingMetadata.divideUnsigned(hash, RoutingMetadata.divideUnsigned(-1L, shardCount));
            return Long.compareUnsigned(index, shardCount) >= 0 ? shardCount - 1 : (int)index;
        }
    }
}
