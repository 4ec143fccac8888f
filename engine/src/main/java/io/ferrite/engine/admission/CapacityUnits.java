package io.ferrite.engine.admission;

/**
 * DynamoDB's capacity arithmetic, in the units Ferrite's buckets count.
 * <ul>
 *   <li><b>Reads</b> are counted in <i>half</i> read capacity units, so that an eventually consistent read (half the
 *   price of a strongly consistent one) is a whole number: one RCU is a strongly consistent read of up to 4 KB, so a
 *   strongly consistent read costs {@code 2 * ceil(size / 4 KB)} half units and an eventually consistent one
 *   {@code ceil(size / 4 KB)}; a read of nothing (item not found) still costs one 4 KB block.</li>
 *   <li><b>Writes</b> are counted in write capacity units: {@code ceil(size / 1 KB)}, at least 1; for a write that
 *   replaces or deletes an item, DynamoDB charges the larger of the old and the new item.</li>
 *   <li><b>Query and Scan</b> are charged once on the total size of the items read (before any filter), rounded up
 *   to 4 KB, not item by item; <b>BatchGetItem</b> and <b>BatchWriteItem</b> per item, as the single operations.</li>
 * </ul>
 * <b>Threading:</b> pure functions; any thread.
 */
public final class CapacityUnits
{
    /** Bytes one read capacity unit reads. */
    public static final int READ_BLOCK_BYTES = 4 * 1024;
    /** Bytes one write capacity unit writes. */
    public static final int WRITE_BLOCK_BYTES = 1024;

    private CapacityUnits()
    {
    }

    /**
     * @param itemBytes      the item's size (0 when not found).
     * @param consistentRead strongly consistent (true) or eventually consistent.
     * @return half read capacity units for a GetItem (or one key of a BatchGetItem).
     */
    public static long readHalfUnits(final long itemBytes, final boolean consistentRead)
    {
        final long blocks = Math.max(1, blocks(itemBytes, READ_BLOCK_BYTES));
        return consistentRead ? 2 * blocks : blocks;
    }

    /**
     * @param totalBytesRead the summed size of every item the Query or Scan page read, before filtering.
     * @param consistentRead strongly consistent (true) or eventually consistent.
     * @return half read capacity units for one page.
     */
    public static long queryHalfUnits(final long totalBytesRead, final boolean consistentRead)
    {
        return readHalfUnits(totalBytesRead, consistentRead);
    }

    /**
     * @param oldItemBytes the size of the item replaced or deleted (0 when there was none).
     * @param newItemBytes the size of the item written (0 for a delete).
     * @return write capacity units for a PutItem, UpdateItem or DeleteItem (or one write of a batch).
     */
    public static long writeUnits(final long oldItemBytes, final long newItemBytes)
    {
        return Math.max(1, blocks(Math.max(oldItemBytes, newItemBytes), WRITE_BLOCK_BYTES));
    }

    /**
     * @param halfUnits half read capacity units.
     * @return the read capacity units DynamoDB reports in ConsumedCapacity (e.g. 0.5 for one eventually consistent
     * read of a small item).
     */
    public static double readCapacityUnits(final long halfUnits)
    {
        return halfUnits / 2.0;
    }

    private static long blocks(final long bytes, final int blockBytes)
    {
        if (bytes < 0)
        {
            throw new IllegalArgumentException("size must not be negative, got " + bytes);
        }
        return (bytes + blockBytes - 1) / blockBytes;
    }
}
