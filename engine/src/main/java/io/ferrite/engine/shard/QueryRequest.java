package io.ferrite.engine.shard;

/**
 * A reusable Query: the partition key value, an optional sort key condition, direction, Limit and
 * ExclusiveStartKey; after {@link Shard#query} it also holds the page's outcome. Not thread-safe; reuse
 * one per thread for a garbage-free query path.
 * <pre>{@code
 * query.reset();
 * query.partitionKey().string("alice");
 * query.sortKey(SortKeyCondition.BETWEEN).number("10");
 * query.sortKeyUpper().number("20");
 * shard.query(table, query, handler);
 * }</pre>
 */
public final class QueryRequest extends PageResult
{
    private final KeyValue partitionKey = new KeyValue(KeyCodec.MAX_PARTITION_KEY_BYTES);
    private final KeyValue sortKey = new KeyValue(KeyCodec.MAX_SORT_KEY_BYTES);
    private final KeyValue sortKeyUpper = new KeyValue(KeyCodec.MAX_SORT_KEY_BYTES);
    private SortKeyCondition condition = SortKeyCondition.NONE;
    private boolean scanIndexForward = true;

    /**
     * Clears every input and output.
     *
     * @return this.
     */
    public QueryRequest reset()
    {
        partitionKey.clear();
        sortKey.clear();
        sortKeyUpper.clear();
        condition = SortKeyCondition.NONE;
        scanIndexForward = true;
        clearInputs();
        resetOutcome();
        return this;
    }

    /**
     * @return the partition key value to set.
     */
    public KeyValue partitionKey()
    {
        return partitionKey;
    }

    /**
     * Sets the sort key condition and returns its (first) operand to set.
     *
     * @param condition the condition.
     * @return the operand (the lower bound for BETWEEN).
     */
    public KeyValue sortKey(final SortKeyCondition condition)
    {
        this.condition = condition;
        return sortKey;
    }

    /**
     * @return BETWEEN's upper bound, to set.
     */
    public KeyValue sortKeyUpper()
    {
        return sortKeyUpper;
    }

    /**
     * @return the sort key condition.
     */
    public SortKeyCondition condition()
    {
        return condition;
    }

    /**
     * @return the condition's first operand.
     */
    public KeyValue sortKeyValue()
    {
        return sortKey;
    }

    /**
     * @param forward true (the default) for ascending sort key order, false for descending.
     * @return this.
     */
    public QueryRequest scanIndexForward(final boolean forward)
    {
        this.scanIndexForward = forward;
        return this;
    }

    /**
     * @return true for ascending sort key order.
     */
    public boolean scanIndexForward()
    {
        return scanIndexForward;
    }
}
