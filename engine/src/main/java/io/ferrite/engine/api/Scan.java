package io.ferrite.engine.api;

import io.ferrite.codecs.item.AttributeValue;

import java.util.Map;

/**
 * A Scan for the convenience API: optional segment of a parallel scan, Limit and ExclusiveStartKey, a
 * FilterExpression (applied after items are read, so Limit and ScannedCount count items read) and a
 * ProjectionExpression with ExpressionAttributeNames and Values. Mutable builder; not thread-safe.
 */
public final class Scan
{
    final String tableName;
    int segment;
    int totalSegments = 1;
    int limit;
    boolean limitSet;
    Map<String, AttributeValue> exclusiveStartKey;
    String filterExpression;
    String projectionExpression;
    Map<String, String> names;
    Map<String, AttributeValue> values;

    private Scan(final String tableName)
    {
        this.tableName = tableName;
    }

    /**
     * @param tableName the table to scan.
     * @return a new scan.
     */
    public static Scan on(final String tableName)
    {
        return new Scan(tableName);
    }

    /**
     * @param segment       this worker's segment.
     * @param totalSegments the number of segments.
     * @return this.
     */
    public Scan segment(final int segment, final int totalSegments)
    {
        this.segment = segment;
        this.totalSegments = totalSegments;
        return this;
    }

    /**
     * @param limit the most items in a page (at least 1).
     * @return this.
     */
    public Scan limit(final int limit)
    {
        this.limit = limit;
        this.limitSet = true;
        return this;
    }

    /**
     * @param key the previous page's LastEvaluatedKey, or null.
     * @return this.
     */
    public Scan exclusiveStartKey(final Map<String, AttributeValue> key)
    {
        this.exclusiveStartKey = key;
        return this;
    }

    /**
     * @param expression a FilterExpression applied to each item read.
     * @return this.
     */
    public Scan filter(final String expression)
    {
        this.filterExpression = expression;
        return this;
    }

    /**
     * @param expression a ProjectionExpression: the attributes (document paths) to return.
     * @return this.
     */
    public Scan projection(final String expression)
    {
        this.projectionExpression = expression;
        return this;
    }

    /**
     * @param names ExpressionAttributeNames: {@code #placeholder} to attribute name.
     * @return this.
     */
    public Scan names(final Map<String, String> names)
    {
        this.names = names;
        return this;
    }

    /**
     * @param values ExpressionAttributeValues: {@code :placeholder} to value.
     * @return this.
     */
    public Scan values(final Map<String, AttributeValue> values)
    {
        this.values = values;
        return this;
    }

    /**
     * @return the table to scan.
     */
    public String tableName()
    {
        return tableName;
    }

    /**
     * @return this worker's segment.
     */
    public int segment()
    {
        return segment;
    }

    /**
     * @return the number of segments (1 when not parallel).
     */
    public int totalSegments()
    {
        return totalSegments;
    }

    /**
     * @return the Limit (meaningful when {@link #hasLimit()}).
     */
    public int limit()
    {
        return limit;
    }

    /**
     * @return true when a Limit was given.
     */
    public boolean hasLimit()
    {
        return limitSet;
    }

    /**
     * @return the ExclusiveStartKey, or null.
     */
    public Map<String, AttributeValue> exclusiveStartKey()
    {
        return exclusiveStartKey;
    }

    /**
     * @return the FilterExpression, or null.
     */
    public String filterExpression()
    {
        return filterExpression;
    }

    /**
     * @return the ProjectionExpression, or null.
     */
    public String projectionExpression()
    {
        return projectionExpression;
    }

    /**
     * @return ExpressionAttributeNames, or null.
     */
    public Map<String, String> expressionAttributeNames()
    {
        return names;
    }

    /**
     * @return ExpressionAttributeValues, or null.
     */
    public Map<String, AttributeValue> expressionAttributeValues()
    {
        return values;
    }
}
