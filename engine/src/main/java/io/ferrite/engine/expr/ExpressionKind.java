package io.ferrite.engine.expr;

/**
 * The five kinds of DynamoDB expression; each names itself in error messages as DynamoDB does
 * ("Invalid ConditionExpression: ...").
 */
public enum ExpressionKind
{
    /** ConditionExpression of PutItem, DeleteItem and UpdateItem. */
    CONDITION("ConditionExpression"),
    /** FilterExpression of Query and Scan. */
    FILTER("FilterExpression"),
    /** KeyConditionExpression of Query. */
    KEY_CONDITION("KeyConditionExpression"),
    /** UpdateExpression of UpdateItem. */
    UPDATE("UpdateExpression"),
    /** ProjectionExpression of GetItem, Query, Scan and BatchGetItem. */
    PROJECTION("ProjectionExpression");

    private final String parameterName;

    ExpressionKind(final String parameterName)
    {
        this.parameterName = parameterName;
    }

    /**
     * @return the request parameter's name, e.g. "ConditionExpression".
     */
    public String parameterName()
    {
        return parameterName;
    }
}
