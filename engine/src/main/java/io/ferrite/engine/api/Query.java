package io.ferrite.engine.api;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.engine.shard.SortKeyCondition;

import java.util.Map;

/**
 * A Query for the convenience API: a partition key value, an optional sort key condition, direction,
 * Limit and ExclusiveStartKey; or DynamoDB's expressions: a KeyConditionExpression, a FilterExpression
 * (applied after the page is read: Limit counts items read, {@link Page#scannedCount()} too, while
 * {@link Page#count()} counts those that passed) and a ProjectionExpression, with
 * ExpressionAttributeNames and Values. Mutable builder; not thread-safe.
 * <pre>{@code
 * Page page = db.query(Query.on("orders").partitionKey(AttributeValue.s("alice"))
 *     .sortKey(SortKeyCondition.BETWEEN, AttributeValue.n("10"), AttributeValue.n("20")).limit(25));
 * Page open = db.query(Query.on("orders")
 *     .keyCondition("customer = :c AND id BETWEEN :lo AND :hi")
 *     .filter("#s = :open").projection("id, total")
 *     .names(Map.of("#s", "status"))
 *     .values(Map.of(":c", s("alice"), ":lo", n(10), ":hi", n(20), ":open", s("OPEN"))));
 * }</pre>
 */
public final class Query
{
    final String tableName;
    AttributeValue partitionKey;
    SortKeyCondition condition = SortKeyCondition.NONE;
    AttributeValue sortKeyValue;
    AttributeValue sortKeyUpper;
    boolean forward = true;
    int limit;
    boolean limitSet;
    Map<String, AttributeValue> exclusiveStartKey;
    String keyConditionExpression;
    String filterExpression;
    String projectionExpression;
    Map<String, String> names;
    Map<String, AttributeValue> values;

    private Query(final String tableName)
    {
        this.tableName = tableName;
    }

    /**
     * @param tableName the table to query.
     * @return a new query.
     */
    public static Query on(final String tableName)
    {
        return new Query(tableName);
    }

    /**
     * @param value the partition key value (its type must be the schema's).
     * @return this.
     */
    public Query partitionKey(final AttributeValue value)
    {
        this.partitionKey = value;
        return this;
    }

    /**
     * @param condition a single-operand condition (EQ, LT, LE, GT, GE, BEGINS_WITH).
     * @param value     its operand.
     * @return this.
     */
    public Query sortKey(final SortKeyCondition condition, final AttributeValue value)
    {
        this.condition = condition;
        this.sortKeyValue = value;
        return this;
    }

    /**
     * @param condition BETWEEN.
     * @param low       the lower bound (inclusive).
     * @param high      the upper bound (inclusive).
     * @return this.
     */
    public Query sortKey(final SortKeyCondition condition, final AttributeValue low, final AttributeValue high)
    {
        this.condition = condition;
        this.sortKeyValue = low;
        this.sortKeyUpper = high;
        return this;
    }

    /**
     * @param forward false to read in descending sort key order (ScanIndexForward=false).
     * @return this.
     */
    public Query scanIndexForward(final boolean forward)
    {
        this.forward = forward;
        return this;
    }

    /**
     * @param limit the most items in a page (at least 1).
     * @return this.
     */
    public Query limit(final int limit)
    {
        this.limit = limit;
        this.limitSet = true;
        return this;
    }

    /**
     * @param key the previous page's LastEvaluatedKey, or null to start at the beginning.
     * @return this.
     */
    public Query exclusiveStartKey(final Map<String, AttributeValue> key)
    {
        this.exclusiveStartKey = key;
        return this;
    }

    /**
     * @param expression a KeyConditionExpression ({@code pk = :v [AND sort key condition]}), used instead
     *                   of {@link #partitionKey} and {@link #sortKey}.
     * @return this.
     */
    public Query keyCondition(final String expression)
    {
        this.keyConditionExpression = expression;
        return this;
    }

    /**
     * @param expression a FilterExpression applied to each item read.
     * @return this.
     */
    public Query filter(final String expression)
    {
        this.filterExpression = expression;
        return this;
    }

    /**
     * @param expression a ProjectionExpression: the attributes (document paths) to return.
     * @return this.
     */
    public Query projection(final String expression)
    {
        this.projectionExpression = expression;
        return this;
    }

    /**
     * @param names ExpressionAttributeNames: {@code #placeholder} to attribute name.
     * @return this.
     */
    public Query names(final Map<String, String> names)
    {
        this.names = names;
        return this;
    }

    /**
     * @param values ExpressionAttributeValues: {@code :placeholder} to value.
     * @return this.
     */
    public Query values(final Map<String, AttributeValue> values)
    {
        this.values = values;
        return this;
    }

    /**
     * @return the table to query.
     */
    public String tableName()
    {
        return tableName;
    }

    /**
     * @return the partition key value, or null when not set.
     */
    public AttributeValue partitionKey()
    {
        return partitionKey;
    }

    /**
     * @return the sort key condition (NONE when not set).
     */
    public SortKeyCondition condition()
    {
        return condition;
    }

    /**
     * @return the condition's (first) operand, or null.
     */
    public AttributeValue sortKeyValue()
    {
        return sortKeyValue;
    }

    /**
     * @return BETWEEN's upper bound, or null.
     */
    public AttributeValue sortKeyUpper()
    {
        return sortKeyUpper;
    }

    /**
     * @return false for descending sort key order.
     */
    public boolean scanIndexForward()
    {
        return forward;
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
     * @return the KeyConditionExpression, or null.
     */
    public String keyConditionExpression()
    {
        return keyConditionExpression;
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
