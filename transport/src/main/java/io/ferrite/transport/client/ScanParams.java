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
    CharSequence filterExpression;
    CharSequence projectionExpression;
    DirectBuffer names;
    int namesOffset;
    int namesLength;
    DirectBuffer values;
    int valuesOffset;
    int valuesLength;

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
        filterExpression = null;
        projectionExpression = null;
        names = null;
        namesLength = 0;
        values = null;
        valuesLength = 0;
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

    /**
     * FilterExpression: applied after the read, so Limit and ScannedCount count items read and Count the items
     * returned.
     *
     * @param expression the expression, or null for none.
     * @return this.
     */
    public ScanParams filterExpression(final CharSequence expression)
    {
        filterExpression = expression;
        return this;
    }

    /**
     * @param expression ProjectionExpression (the attributes, or document paths, to return), or null for all.
     * @return this.
     */
    public ScanParams projectionExpression(final CharSequence expression)
    {
        projectionExpression = expression;
        return this;
    }

    /**
     * @param buffer ExpressionAttributeNames as an item-format map of {@code #name} to S values (read during the send
     *               call only; {@link ExpressionParams#encodeNames}), or null.
     * @param offset where it starts.
     * @param length its length.
     * @return this.
     */
    public ScanParams expressionAttributeNames(final DirectBuffer buffer, final int offset, final int length)
    {
        names = buffer;
        namesOffset = offset;
        namesLength = null == buffer ? 0 : length;
        return this;
    }

    /**
     * @param buffer ExpressionAttributeValues as an item-format map of {@code :value} to values (read during the send
     *               call only; {@link ExpressionParams#encodeValues}), or null.
     * @param offset where it starts.
     * @param length its length.
     * @return this.
     */
    public ScanParams expressionAttributeValues(final DirectBuffer buffer, final int offset, final int length)
    {
        values = buffer;
        valuesOffset = offset;
        valuesLength = null == buffer ? 0 : length;
        return this;
    }
}
