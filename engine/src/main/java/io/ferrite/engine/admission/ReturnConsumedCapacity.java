package io.ferrite.engine.admission;

/**
 * DynamoDB's ReturnConsumedCapacity parameter: whether an item operation's answer says what it consumed.
 */
public enum ReturnConsumedCapacity
{
    /**
     * Nothing (the default).
     */
    NONE,

    /**
     * The table's total.
     */
    TOTAL,

    /**
     * The total and per index; Ferrite's tables have no secondary indexes yet, so the same as TOTAL plus the table's
     * own share.
     */
    INDEXES
}
