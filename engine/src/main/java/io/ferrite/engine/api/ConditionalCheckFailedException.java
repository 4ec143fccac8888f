package io.ferrite.engine.api;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.sbe.ErrorCode;

import java.util.Map;

/**
 * A conditional write whose condition failed, with the item as it is: thrown instead of the plain
 * {@link io.ferrite.codecs.error.FerriteException} (same code, same message) when the write asked for
 * {@link ReturnValuesOnConditionCheckFailure#ALL_OLD} and an item exists.
 */
public final class ConditionalCheckFailedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final transient Map<String, AttributeValue> item;

    /**
     * @param item the item that failed the condition (the SBE client builds one from the node's answer).
     */
    public ConditionalCheckFailedException(final Map<String, AttributeValue> item)
    {
        super("The conditional request failed", null, false, false);
        this.item = item;
    }

    /**
     * @return DynamoDB's error type: ConditionalCheckFailedException.
     */
    public ErrorCode code()
    {
        return ErrorCode.ConditionalCheckFailedException;
    }

    /**
     * @return the item as it was when the condition failed.
     */
    public Map<String, AttributeValue> item()
    {
        return item;
    }
}
