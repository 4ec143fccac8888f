package io.ferrite.engine.queued;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

import static io.ferrite.engine.queued.ResponseLayout.PAGE_COUNT_OFFSET;
import static io.ferrite.engine.queued.ResponseLayout.PAGE_ITEMS_OFFSET;
import static io.ferrite.engine.queued.ResponseLayout.PAGE_ITEM_LENGTH_LENGTH;
import static io.ferrite.engine.queued.ResponseLayout.PAGE_LAST_KEY_LENGTH_OFFSET;

/**
 * A flyweight over a Query completion's body (layout in {@link ResponseLayout}): the page's items one at a
 * time, and its LastEvaluatedKey. Wrap it inside {@link ResponseHandler#onResponse}; the bytes are valid
 * only during that call.
 * <p>
 * Not thread-safe; one per client thread, reused, allocation-free.
 * <pre>{@code
 * page.wrap(buffer, offset, length);
 * while (page.nextItem())
 * {
 *     use(page.buffer(), page.itemOffset(), page.itemLength());
 * }
 * if (page.lastEvaluatedKeyLength() > 0) query.exclusiveStartKey(page.buffer(), page.lastEvaluatedKeyOffset(), ...);
 * }</pre>
 */
public final class QueryPage
{
    private DirectBuffer buffer;
    private int count;
    private int lastKeyOffset;
    private int lastKeyLength;
    private int itemsRead;
    private int position;
    private int itemOffset;
    private int itemLength;

    /**
     * @param buffer the body's buffer.
     * @param offset where the body starts.
     * @param length its length.
     * @return this, positioned before the first item.
     */
    public QueryPage wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        count = buffer.getInt(offset + PAGE_COUNT_OFFSET, ByteOrder.LITTLE_ENDIAN);
        lastKeyLength = buffer.getInt(offset + PAGE_LAST_KEY_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
        lastKeyOffset = offset + length - lastKeyLength;
        position = offset + PAGE_ITEMS_OFFSET;
        itemsRead = 0;
        itemOffset = 0;
        itemLength = 0;
        return this;
    }

    /**
     * @return items in the page.
     */
    public int count()
    {
        return count;
    }

    /**
     * Moves to the next item.
     *
     * @return false when every item has been read.
     */
    public boolean nextItem()
    {
        if (itemsRead >= count)
        {
            return false;
        }
        itemLength = buffer.getInt(position, ByteOrder.LITTLE_ENDIAN);
        itemOffset = position + PAGE_ITEM_LENGTH_LENGTH;
        position = itemOffset + itemLength;
        itemsRead++;
        return true;
    }

    /**
     * @return the buffer holding the items and the key.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return where the current item starts.
     */
    public int itemOffset()
    {
        return itemOffset;
    }

    /**
     * @return the current item's length.
     */
    public int itemLength()
    {
        return itemLength;
    }

    /**
     * @return where LastEvaluatedKey (key item bytes) starts.
     */
    public int lastEvaluatedKeyOffset()
    {
        return lastKeyOffset;
    }

    /**
     * @return LastEvaluatedKey's length; 0 when there are no more pages.
     */
    public int lastEvaluatedKeyLength()
    {
        return lastKeyLength;
    }
}
