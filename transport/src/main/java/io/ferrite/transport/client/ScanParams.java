package io.ferrite.transport.client;

import org.agrona.DirectBuffer;

/**
 * A reusable Scan description for the asynchronous API: table, segment of a parallel scan, Limit,
 * ExclusiveStartKey (item bytes, referenced until the scan is sent).
 * <p>
 * Threading: not thread-safe; one per sending thread, {@link #reset()} and refilled for each scan.
 */
public final class ScanParams
{
    CharSequence tableName;
    int segment;
    int totalSegments = 1;
    boolean consistentRead;
    int limit;
    DirectBuffer exclusiveStartKey;
    int exclusiveStartKeyOffset;
    int exclusiveStartKeyLength;

    /**
     * Forgets everything set.
     *
     * @return this.
     */
    public ScanParams reset()
    {
        tableName = null;
        segment = 0;
        totalSegments = 1;
        consistentRead = false;
        limit = 0;
        exclusiveStartKey = null;
        exclusiveStartKeyLength = 0;
        return this;
    }

    /**
     * @param tableName the table to scan.
     * @return this.
     */
    public ScanParams tableName(final CharSequence tableName)
    {
        this.tableName = tableName;
        return this;
    }

    /**
     * @param segment       this worker's segment, 0 .. totalSegments-1.
     * @param totalSegments segments of the parallel scan (1 = not parallel).
     * @return this.
     */
    public ScanParams segment(final int segment, final int totalSegments)
    {
        this.segment = segment;
        this.totalSegments = totalSegments;
        return this;
    }

    /**
     * @param consistentRead true for a strongly consistent read.
     * @return this.
     */
    public ScanParams consistentRead(final boolean consistentRead)
    {
        this.consistentRead = consistentRead;
        return this;
    }

    /**
     * @param limit the most items examined for the page, or 0 for no Limit.
     * @return this.
     */
    public ScanParams limit(final int limit)
    {
        this.limit = limit;
        return this;
    }

    /**
     * @param buffer holding the previous page's LastEvaluatedKey (item bytes).
     * @param offset where it starts.
     * @param length its length; 0 to start at the beginning.
     * @return this.
     */
    public ScanParams exclusiveStartKey(final DirectBuffer buffer, final int offset, final int length)
    {
        exclusiveStartKey = buffer;
        exclusiveStartKeyOffset = offset;
        exclusiveStartKeyLength = length;
        return this;
    }
}
