package io.ferrite.engine.api;

/**
 * What a conditional write returns when its condition fails, as DynamoDB's
 * {@code ReturnValuesOnConditionCheckFailure}.
 */
public enum ReturnValuesOnConditionCheckFailure
{
    /** Nothing: the failure is a {@link io.ferrite.codecs.error.FerriteException} ConditionalCheckFailedException. */
    NONE,
    /** The item as it is: the failure is a {@link ConditionalCheckFailedException} carrying it. */
    ALL_OLD
}
