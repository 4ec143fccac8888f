package io.ferrite.transport.client;

import io.ferrite.codecs.sbe.ItemsPageResponseDecoder;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * A flyweight over one Query or Scan page ({@code ItemsPageResponse}) as received: counts, the items
 * one after the other, and the LastEvaluatedKey, all read in place without allocation.
 * <pre>{@code
 * while (page.nextItem())
 * {
 *     use(page.buffer(), page.itemOffset(), page.itemLength());
 * }
 * if (page.lastEvaluatedKeyLength() > 0) { ... more pages ... }
 * }</pre>
 * <p>
 * Threading: valid only during {@link ResponseHandler#onPage} on the polling thread.
 */
public final class ItemsPage
{
    private static final int VAR_LENGTH_HEADER = 4;

    private final ItemsPageResponseDecoder decoder = new ItemsPageResponseDecoder();
    private DirectBuffer buffer;
    private int firstItemOffset;
    private int itemCount;
    private int itemBlockLength;
    private int itemsRead;
    private int cursor;
    private int itemOffset;
    private int itemLength;
    private int lastEvaluatedKeyOffset;
    private int lastEvaluatedKeyLength;

    ItemsPage wrap(final DirectBuffer buffer, final int offset, final MessageHeaderDecoder header)
    {
        this.buffer = buffer;
        decoder.wrap(buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
        final ItemsPageResponseDecoder.ItemsDecoder items = decoder.items();
        itemCount = items.count();
        itemBlockLength = items.actingBlockLength();
        firstItemOffset = decoder.limit();
        for (int i = 0; i < itemCount; i++)
        {
            items.next();
            items.skipItem();
        }
        final int keyLimit = decoder.limit();
        lastEvaluatedKeyLength = buffer.getInt(keyLimit, ByteOrder.LITTLE_ENDIAN);
        lastEvaluatedKeyOffset = keyLimit + VAR_LENGTH_HEADER;
        rewind();
        return this;
    }

    /**
     * Starts the item iteration again from the first item.
     */
    public void rewind()
    {
        itemsRead = 0;
        cursor = firstItemOffset;
        itemOffset = 0;
        itemLength = 0;
    }

    /**
     * @return half read capacity units the page consumed, or {@link Long#MIN_VALUE} when not asked for.
     */
    public long consumedReadHalfUnits()
    {
        return decoder.consumedReadHalfUnits();
    }

    /**
     * @return the correlation id the page answers.
     */
    public long correlationId()
    {
        return decoder.correlationId();
    }

    /**
     * @return items in the page (DynamoDB's Count).
     */
    public int count()
    {
        return decoder.count();
    }

    /**
     * @return items examined for the page (DynamoDB's ScannedCount).
     */
    public int scannedCount()
    {
        return decoder.scannedCount();
    }

    /**
     * @return items carried in this message.
     */
    public int itemCount()
    {
        return itemCount;
    }

    /**
     * Moves to the next item.
     *
     * @return false when every item has been visited.
     */
    public boolean nextItem()
    {
        if (itemsRead == itemCount)
        {
            return false;
        }
        final int lengthOffset = cursor + itemBlockLength;
        itemLength = buffer.getInt(lengthOffset, ByteOrder.LITTLE_ENDIAN);
        itemOffset = lengthOffset + VAR_LENGTH_HEADER;
        cursor = itemOffset + itemLength;
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
     * @return offset of the current item's bytes.
     */
    public int itemOffset()
    {
        return itemOffset;
    }

    /**
     * @return length of the current item's bytes.
     */
    public int itemLength()
    {
        return itemLength;
    }

    /**
     * @return offset of the LastEvaluatedKey's item bytes.
     */
    public int lastEvaluatedKeyOffset()
    {
        return lastEvaluatedKeyOffset;
    }

    /**
     * @return length of the LastEvaluatedKey's item bytes; 0 when this is the last page.
     */
    public int lastEvaluatedKeyLength()
    {
        return lastEvaluatedKeyLength;
    }
}
