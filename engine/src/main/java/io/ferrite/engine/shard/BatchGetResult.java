package io.ferrite.engine.shard;

import java.util.List;
import java.util.Map;

/**
 * BatchGetItem's answer: the items found per table (as item bytes), the keys not processed this
 * time (to be retried by the caller, as with DynamoDB), and what the reads cost per table.
 *
 * @param responses       items found, per table name.
 * @param unprocessedKeys keys not read, per table name (empty when all were).
 * @param readBlocks      per table read, the 4 KB blocks its processed keys cost by DynamoDB's per-item rule
 *                        ({@link io.ferrite.engine.admission.CapacityUnits}: each key rounded up on its whole item,
 *                        before any projection, and at least one block when not found): one read capacity unit per
 *                        block for strongly consistent reads, half of one for eventually consistent reads. Keys left
 *                        unprocessed cost nothing.
 * @param itemBlocks      per table, the blocks each item of {@code responses} cost, in the same order (what
 *                        {@code readBlocks} holds beyond them is the misses, one block each): a caller that hands an
 *                        item back as an unprocessed key (its response would be too large) takes its blocks off.
 */
public record BatchGetResult(
    Map<String, List<byte[]>> responses, Map<String, List<byte[]>> unprocessedKeys, Map<String, Long> readBlocks,
    Map<String, List<Long>> itemBlocks)
{
    /**
     * @param tableName a table of the request.
     * @param consistentRead whether that table's keys were read strongly consistently.
     * @return the half read capacity units that table's reads cost (0 for a table with no key processed).
     */
    public long readHalfUnits(final String tableName, final boolean consistentRead)
    {
        final long blocks = readBlocks.getOrDefault(tableName, 0L);
        return consistentRead ? 2 * blocks : blocks;
    }
}
