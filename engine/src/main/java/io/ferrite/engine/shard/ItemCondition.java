package io.ferrite.engine.shard;

import org.agrona.DirectBuffer;

/**
 * A condition on the current item, checked before a write is applied: the seam through which
 * ConditionExpression plugs into PutItem, DeleteItem and UpdateItem. Called on the shard thread; must
 * not allocate in steady state.
 */
@FunctionalInterface
public interface ItemCondition
{
    /**
     * @param item   buffer holding the current item, if any.
     * @param offset where it starts.
     * @param length its length, or -1 when there is no current item.
     * @return true when the write may proceed; false fails it with ConditionalCheckFailedException.
     */
    boolean test(DirectBuffer item, int offset, int length);

    /**
     * Whether the condition reads a top-level attribute, for DynamoDB's rule that a Query's FilterExpression may
     * not read the table's key attributes. Must not allocate.
     *
     * @param name a top-level attribute name.
     * @return true when the condition reads {@code name} (or something inside it); false when it cannot say.
     */
    default boolean readsAttribute(final String name)
    {
        return false;
    }
}
