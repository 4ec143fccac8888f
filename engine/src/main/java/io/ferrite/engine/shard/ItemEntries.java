package io.ferrite.engine.shard;

import io.ferrite.codecs.item.ItemFormat;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Walks the top-level entries of canonical item bytes ({@code count:u32 (nameLength:u16 name value)*},
 * docs/decisions/0001). Static helpers over offsets; no allocation.
 */
final class ItemEntries
{
    private ItemEntries()
    {
    }

    static int count(final DirectBuffer item, final int offset)
    {
        return item.getInt(offset, ByteOrder.LITTLE_ENDIAN);
    }

    static int first(final int itemOffset)
    {
        return itemOffset + 4;
    }

    static int nameLength(final DirectBuffer item, final int entry)
    {
        return item.getShort(entry, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    static int nameOffset(final int entry)
    {
        return entry + 2;
    }

    static int valueOffset(final DirectBuffer item, final int entry)
    {
        return entry + 2 + nameLength(item, entry);
    }

    static int length(final DirectBuffer item, final int entry)
    {
        final int valueOffset = valueOffset(item, entry);
        return valueOffset - entry + ItemFormat.valueLength(item, valueOffset);
    }

    static int compareNames(final DirectBuffer a, final int aEntry, final DirectBuffer b, final int bEntry)
    {
        return Bytes.compare(
            a, nameOffset(aEntry), nameLength(a, aEntry), b, nameOffset(bEntry), nameLength(b, bEntry));
    }
}
