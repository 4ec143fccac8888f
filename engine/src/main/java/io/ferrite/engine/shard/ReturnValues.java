package io.ferrite.engine.shard;

/**
 * Which attributes a write returns, as DynamoDB's {@code ReturnValues}.
 */
public enum ReturnValues
{
    /** Nothing. */
    NONE,
    /** The whole item as it was before the write. */
    ALL_OLD,
    /** UpdateItem only: the updated attributes as they were before. */
    UPDATED_OLD,
    /** UpdateItem only: the whole item as it is after the write. */
    ALL_NEW,
    /** UpdateItem only: the updated attributes as they are after. */
    UPDATED_NEW
}
