package io.ferrite.transport.client;

import io.ferrite.engine.shard.SortKeyCondition;
import org.agrona.DirectBuffer;

/**
 * A reusable Query description for the asynchronous API: table, partition key value, optional sort key
 * condition, direction, Limit, ExclusiveStartKey. Key values are item-format values (a tag and its body,
 * as {@link io.ferrite.codecs.item.ItemFormat} lays them out); the ExclusiveStartKey is item bytes. The
 * buffers are referenced, not copied, until the query is sent.
 * <p>
 * Threading: not thread-safe; one per sending thread, {@link #reset()} and refilled for each query.
 */
public final class QueryParams
{
    CharSequence tableName;
    SortKeyCondition condition = SortKeyCondition.NONE;
    boolean forward = true;
    boolean consistentRead;
    int limit;
    DirectBuffer partitionKey;
    int partitionKeyOffset;
    int partitionKeyLength;
    DirectBuffer sortKey;
    int sortKeyOffset;
    int sortKeyLength;
    DirectBuffer sortKeyUpper;
    int sortKeyUpperOffset;
    int sortKeyUpperLength;
    DirectBuffer exclusiveStartKey;
    int exclusiveStartKeyOffset;
    int exclusiveStartKeyLength;
    CharSequence keyConditionExpression;
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
    public QueryParams reset()
    {
        tableName = null;
        condition = SortKeyCondition.NONE;
        forward = true;
        consistentRead = false;
        limit = 0;
        partitionKey = null;
        partitionKeyLength = 0;
        sortKey = null;
        sortKeyLength = 0;
        sortKeyUpper = null;
        sortKeyUpperLength = 0;
        exclusiveStartKey = null;
        exclusiveStartKeyLength = 0;
        keyConditionExpression = null;
        filterExpression = null;
        projectionExpression = null;
        names = null;
        namesLength = 0;
        values = null;
        valuesLength = 0;
        return this;
    }

    /**
     * @param tableName the table to query.
     * @return this.
     */
    public QueryParams tableName(final CharSequence tableName)
    {
        this.tableName = tableName;
        return this;
    }

    /**
     * @param buffer holding the partition key value (tag and body).
     * @param offset where it starts.
     * @param length its length.
     * @return this.
     */
    public QueryParams partitionKey(final DirectBuffer buffer, final int offset, final int length)
    {
        partitionKey = buffer;
        partitionKeyOffset = offset;
        partitionKeyLength = length;
        return this;
    }

    /**
     * A one-operand sort key condition (EQ, LT, LE, GT, GE, BEGINS_WITH).
     *
     * @param condition the condition.
     * @param buffer    holding its operand value (tag and body).
     * @param offset    where it starts.
     * @param length    its length.
     * @return this.
     */
    public QueryParams sortKey(final SortKeyCondition condition, final DirectBuffer buffer, final int offset, final int length)
    {
        this.condition = condition;
        sortKey = buffer;
        sortKeyOffset = offset;
        sortKeyLength = length;
        return this;
    }

    /**
     * The BETWEEN condition's upper bound (set the lower with {@link #sortKey}).
     *
     * @param buffer holding the upper bound value (tag and body).
     * @param offset where it starts.
     * @param length its length.
     * @return this.
     */
    public QueryParams sortKeyUpper(final DirectBuffer buffer, final int offset, final int length)
    {
        sortKeyUpper = buffer;
        sortKeyUpperOffset = offset;
        sortKeyUpperLength = length;
        return this;
    }

    /**
     * @param forward false for descending sort key order (ScanIndexForward=false).
     * @return this.
     */
    public QueryParams scanIndexForward(final boolean forward)
    {
        this.forward = forward;
        return this;
    }

    /**
     * @param consistentRead true for a strongly consistent read.
     * @return this.
     */
    public QueryParams consistentRead(final boolean consistentRead)
    {
        this.consistentRead = consistentRead;
        return this;
    }

    /**
     * @param limit the most items in the page, or 0 for no Limit.
     * @return this.
     */
    public QueryParams limit(final int limit)
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
    public QueryParams exclusiveStartKey(final DirectBuffer buffer, final int offset, final int length)
    {
        exclusiveStartKey = buffer;
        exclusiveStartKeyOffset = offset;
        exclusiveStartKeyLength = length;
        return this;
    }

    /**
     * KeyConditionExpression: {@code pk = :v}, optionally {@code AND} one sort key condition ({@code =, <, <=, >, >=,
     * BETWEEN, begins_with}); an alternative to {@link #partitionKey} and {@link #sortKey}, not to be combined with them.
     *
     * @param expression the expression, or null for none.
     * @return this.
     */
    public QueryParams keyConditionExpression(final CharSequence expression)
    {
        keyConditionExpression = expression;
        return this;
    }

    /**
     * FilterExpression: applied after the read, so Limit and ScannedCount count items read and Count the items
     * returned.
     *
     * @param expression the expression, or null for none.
     * @return this.
     */
    public QueryParams filterExpression(final CharSequence expression)
    {
        filterExpression = expression;
        return this;
    }

    /**
     * @param expression ProjectionExpression (the attributes, or document paths, to return), or null for all.
     * @return this.
     */
    public QueryParams projectionExpression(final CharSequence expression)
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
    public QueryParams expressionAttributeNames(final DirectBuffer buffer, final int offset, final int length)
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
    public QueryParams expressionAttributeValues(final DirectBuffer buffer, final int offset, final int length)
    {
        values = buffer;
        valuesOffset = offset;
        valuesLength = null == buffer ? 0 : length;
        return this;
    }
}
