package io.ferrite.engine.shard;

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

    /**
     * Clears every input and output.
     *
     * @return this.
     */
    public ScanRequest reset()
    {
        segment = 0;
        totalSegments = 1;
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
