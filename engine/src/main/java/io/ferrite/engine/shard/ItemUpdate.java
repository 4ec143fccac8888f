package io.ferrite.engine.shard;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * How UpdateItem turns the current item into the new one: the seam through which UpdateExpression
 * plugs in. {@link AttributeUpdates} is the attribute-level implementation (set and remove whole
 * attributes). Called on the shard thread; implementations must not allocate in steady state.
 */
public interface ItemUpdate
{
    /**
     * Writes the new item. Key attributes must be left as they are.
     *
     * @param table     the table (for its key schema).
     * @param key       the key item of the item being updated.
     * @param keyOffset where it starts.
     * @param keyLength its length.
     * @param old       the current item, if any.
     * @param oldOffset where it starts.
     * @param oldLength its length, or -1 when there is no current item (start from the key).
     * @param dst       where to write the new item.
     * @param dstOffset where to start.
     * @return the new item's length, or -1 when the update leaves no item to store (an update of a
     * missing item that only removes attributes creates nothing).
     */
    int apply(
        Table table,
        DirectBuffer key, int keyOffset, int keyLength,
        DirectBuffer old, int oldOffset, int oldLength,
        MutableDirectBuffer dst, int dstOffset);

    /**
     * Writes, as item bytes, the attributes of {@code item} that this update touched (for the
     * UPDATED_OLD and UPDATED_NEW return values).
     *
     * @param item      an item.
     * @param offset    where it starts.
     * @param length    its length.
     * @param dst       where to write.
     * @param dstOffset where to start.
     * @return the length written.
     */
    int projectUpdated(DirectBuffer item, int offset, int length, MutableDirectBuffer dst, int dstOffset);
}
