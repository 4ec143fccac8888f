package io.ferrite.engine.shard;

/**
 * The condition a Query puts on the sort key, as in a KeyConditionExpression.
 */
public enum SortKeyCondition
{
    /** No condition: every item of the partition key. */
    NONE("", 0),
    /** sk = :v. */
    EQ("=", 1),
    /** sk &lt; :v. */
    LT("<", 1),
    /** sk &lt;= :v. */
    LE("<=", 1),
    /** sk &gt; :v. */
    GT(">", 1),
    /** sk &gt;= :v. */
    GE(">=", 1),
    /** sk BETWEEN :a AND :b (inclusive). */
    BETWEEN("BETWEEN", 2),
    /** begins_with(sk, :v), S and B only. */
    BEGINS_WITH("begins_with", 1);

    private final String operator;
    private final int operands;

    SortKeyCondition(final String operator, final int operands)
    {
        this.operator = operator;
        this.operands = operands;
    }

    /**
     * @return the operator as written in an expression.
     */
    public String operator()
    {
        return operator;
    }

    /**
     * @return how many values the condition takes.
     */
    public int operands()
    {
        return operands;
    }
}
