package io.ferrite.engine.shard;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The outcome of one page of a Query or Scan, besides the items themselves (which go to the caller's
 * {@link ItemHandler}): how many items were returned and examined, and the key to resume from.
 * Reused from request to request; not thread-safe.
 */
public class PageResult
{
    private final UnsafeBuffer lastEvaluatedKey = new UnsafeBuffer(new byte[8192]);
    private final UnsafeBuffer exclusiveStartKey = new UnsafeBuffer(new byte[8192]);
    private int lastEvaluatedKeyLength;
    private int exclusiveStartKeyLength;
    private int count;
    private int scannedCount;
    private long scannedBytes;
    private int limit;
    private ItemCondition filter;
    private ItemProjection projection;

    /**
     * @return items returned by the last page.
     */
    public int count()
    {
        return count;
    }

    /**
     * @return items examined by the last page: read before the filter, so at least {@link #count()}.
     */
    public int scannedCount()
    {
        return scannedCount;
    }

    /**
     * @return the stored size, in bytes, of the items the last page examined: read before the filter and before any
     * projection, which is what DynamoDB charges a Query or Scan page on.
     */
    public long scannedBytes()
    {
        return scannedBytes;
    }

    /**
     * @return true when the last page stopped early (Limit or the 1 MB page size) and more may follow.
     */
    public boolean hasLastEvaluatedKey()
    {
        return lastEvaluatedKeyLength > 0;
    }

    /**
     * @return the buffer holding LastEvaluatedKey as key item bytes (valid for its length).
     */
    public DirectBuffer lastEvaluatedKey()
    {
        return lastEvaluatedKey;
    }

    /**
     * @return the length of LastEvaluatedKey, 0 when there is none.
     */
    public int lastEvaluatedKeyLength()
    {
        return lastEvaluatedKeyLength;
    }

    /**
     * Sets ExclusiveStartKey (key item bytes), copying it.
     *
     * @param key    the key, or null for none.
     * @param offset where it starts.
     * @param length its length.
     * @return this.
     */
    public PageResult exclusiveStartKey(final DirectBuffer key, final int offset, final int length)
    {
        if (null == key || 0 == length)
        {
            exclusiveStartKeyLength = 0;
            return this;
        }
        if (length > exclusiveStartKey.capacity())
        {
            throw KeyCodec.keyMismatch();
        }
        exclusiveStartKey.putBytes(0, key, offset, length);
        exclusiveStartKeyLength = length;
        return this;
    }

    /**
     * Continues from where the last page stopped: its LastEvaluatedKey becomes the ExclusiveStartKey.
     *
     * @return true if there was a LastEvaluatedKey (so another page should be read).
     */
    public boolean continueFromLastEvaluatedKey()
    {
        if (0 == lastEvaluatedKeyLength)
        {
            return false;
        }
        exclusiveStartKey.putBytes(0, lastEvaluatedKey, 0, lastEvaluatedKeyLength);
        exclusiveStartKeyLength = lastEvaluatedKeyLength;
        return true;
    }

    /**
     * @return the ExclusiveStartKey buffer.
     */
    public DirectBuffer exclusiveStartKey()
    {
        return exclusiveStartKey;
    }

    /**
     * @return its length, 0 when unset.
     */
    public int exclusiveStartKeyLength()
    {
        return exclusiveStartKeyLength;
    }

    /**
     * @param limit the most items to evaluate in one page, 0 for no limit but the 1 MB page size.
     * @return this.
     */
    public PageResult limit(final int limit)
    {
        this.limit = limit;
        return this;
    }

    /**
     * @return the most items to evaluate in one page, 0 for no limit.
     */
    public int limit()
    {
        return limit;
    }

    /**
     * Sets the FilterExpression: applied to each item after it is read, so that items it rejects count in
     * {@link #scannedCount()} and against {@link #limit()} but are not returned.
     *
     * @param filter the filter, or null for none.
     * @return this.
     */
    public PageResult filter(final ItemCondition filter)
    {
        this.filter = filter;
        return this;
    }

    /**
     * @return the filter, or null.
     */
    public ItemCondition filter()
    {
        return filter;
    }

    /**
     * Sets the ProjectionExpression: which parts of each returned item the handler receives.
     *
     * @param projection the projection, or null for whole items.
     * @return this.
     */
    public PageResult projection(final ItemProjection projection)
    {
        this.projection = projection;
        return this;
    }

    /**
     * @return the projection, or null.
     */
    public ItemProjection projection()
    {
        return projection;
    }

    void resetOutcome()
    {
        count = 0;
        scannedCount = 0;
        scannedBytes = 0;
        lastEvaluatedKeyLength = 0;
    }

    void countScanned(final int itemBytes)
    {
        scannedCount++;
        scannedBytes += itemBytes;
    }

    void countReturned()
    {
        count++;
    }

    MutableDirectBuffer lastEvaluatedKeyBuffer()
    {
        return lastEvaluatedKey;
    }

    void lastEvaluatedKeyLength(final int length)
    {
        lastEvaluatedKeyLength = length;
    }

    void clearInputs()
    {
        exclusiveStartKeyLength = 0;
        limit = 0;
        filter = null;
        projection = null;
    }
}
