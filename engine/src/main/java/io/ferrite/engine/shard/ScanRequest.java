package io.ferrite.engine.shard;

import org.agrona.DirectBuffer;

/**
 * A reusable Scan: an optional parallel-scan segment, Limit and ExclusiveStartKey; after
 * {@link Shard#scan} it also holds the page's outcome. Items come in hash order, so a segment is a
 * contiguous slice of the hash space. Not thread-safe.
 */
public final class ScanRequest extends PageResult
{
    /** DynamoDB's largest TotalSegments. */
    public static final int MAX_TOTAL_SEGMENTS = 1_000_000;

    private int segment;
    private int totalSegments = 1;
    private long bytesReadBefore;
    private int lastItemKeyLength;

    /**
     * Clears every input and output.
     *
     * @return this.
     */
    public ScanRequest reset()
    {
        segment = 0;
        totalSegments = 1;
        bytesReadBefore = 0;
        clearInputs();
        resetOutcome();
        return this;
    }

    /**
     * @param segment       this worker's segment, 0 to totalSegments - 1.
     * @param totalSegments how many segments the table is divided into (1 to 1,000,000).
     * @return this.
     */
    public ScanRequest segment(final int segment, final int totalSegments)
    {
        this.segment = segment;
        this.totalSegments = totalSegments;
        return this;
    }

    /**
     * Sets how many bytes of items this page has already read elsewhere, for a page that goes on from one store to
     * the next as one read (a node's Scan walking on from a shard that found nothing for the page to the next shard):
     * they count against the page's 1 MB, as DynamoDB reads at most 1 MB per page. The first item is read whatever
     * this says, so that the page makes progress: such a page's read then ends with the item that takes it past
     * 1 MB. (The Limit is the caller's to reduce by the items already evaluated.)
     *
     * @param bytes the stored size of the items the page read before, 0 (the default after {@link #reset()}) for none.
     * @return this.
     */
    public ScanRequest bytesReadBefore(final long bytes)
    {
        if (bytes < 0)
        {
            throw new IllegalArgumentException("bytes read before must not be negative, got " + bytes);
        }
        this.bytesReadBefore = bytes;
        return this;
    }

    /**
     * @return the bytes this page read before (see {@link #bytesReadBefore(long)}).
     */
    public long bytesReadBefore()
    {
        return bytesReadBefore;
    }

    /**
     * @return the key item of the last item the page evaluated, valid for {@link #lastItemKeyLength()}: its
     * LastEvaluatedKey when it stopped early, and also when it ran to the end of its segment (where it has no
     * LastEvaluatedKey), so that a caller that ends the page there anyway (a node with more shards to walk) can
     * resume after what it evaluated, not only after what it returned.
     */
    public DirectBuffer lastItemKey()
    {
        return lastEvaluatedKeyBuffer();
    }

    /**
     * @return the length of {@link #lastItemKey()}, 0 when the page evaluated no item.
     */
    public int lastItemKeyLength()
    {
        return hasLastEvaluatedKey() ? lastEvaluatedKeyLength() : lastItemKeyLength;
    }

    void lastItemKeyLength(final int length)
    {
        lastItemKeyLength = length;
    }

    void resetOutcome()
    {
        super.resetOutcome();
        lastItemKeyLength = 0;
    }

    /**
     * @return this worker's segment.
     */
    public int segment()
    {
        return segment;
    }

    /**
     * @return the number of segments.
     */
    public int totalSegments()
    {
        return totalSegments;
    }
}
