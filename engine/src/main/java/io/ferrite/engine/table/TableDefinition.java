package io.ferrite.engine.table;

import java.util.List;

/**
 * A table as the catalog records it: its id (never reused, so WAL records of a deleted table are never
 * applied to a new table of the same name), its key schema, creation time and partitions.
 * Immutable.
 *
 * @param tableId       the table's id, unique for the life of the data directory.
 * @param spec          name and key schema.
 * @param createdEpochMs creation time, milliseconds since the epoch.
 * @param partitions    the partitions in hash order; together they cover the whole 64-bit hash space.
 */
public record TableDefinition(int tableId, TableSpec spec, long createdEpochMs, List<PartitionRange> partitions)
{
    /**
     * One partition's identity and the contiguous, inclusive range of unsigned 64-bit hashes it owns.
     *
     * @param partitionId the partition's id, unique within the table.
     * @param hashLow     smallest hash owned (unsigned).
     * @param hashHigh    largest hash owned (unsigned, inclusive).
     */
    public record PartitionRange(int partitionId, long hashLow, long hashHigh)
    {
        /**
         * @param hash an unsigned 64-bit hash.
         * @return true when this partition owns the hash.
         */
        public boolean owns(final long hash)
        {
            return Long.compareUnsigned(hash, hashLow) >= 0 && Long.compareUnsigned(hash, hashHigh) <= 0;
        }
    }

    /**
     * Splits the hash space evenly into {@code count} ranges.
     *
     * @param count number of partitions, at least 1.
     * @return the ranges in hash order, ids 0 to count - 1.
     */
    public static List<PartitionRange> evenPartitions(final int count)
    {
        final PartitionRange[] ranges = new PartitionRange[count];
        final long step = Long.divideUnsigned(-1L, count);
        for (int i = 0; i < count; i++)
        {
            final long low = i * step;
            final long high = i == count - 1 ? -1L : (i + 1) * step - 1;
            ranges[i] = new PartitionRange(i, low, high);
        }
        return List.of(ranges);
    }
}
