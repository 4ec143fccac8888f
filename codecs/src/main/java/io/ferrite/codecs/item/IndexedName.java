package io.ferrite.codecs.item;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A top-level attribute name prepared once for lookups through items' name indexes (decision 0012): its
 * fingerprint, and the first eight bytes its entry starts with (the u16 name length and up to six name bytes), so a
 * candidate entry is confirmed with one 64-bit read for names of up to six bytes.
 * <p>
 * Threading: immutable after construction; {@link #find} and {@link #findAll} are stateless and allocate nothing.
 */
public final class IndexedName
{
    private static final long LANES_ONE = 0x0101_0101_0101_0101L;
    private static final long LANES_HIGH = 0x8080_8080_8080_8080L;
    private static final int HEAD_NAME_BYTES = 8 - ItemFormat.NAME_LENGTH_LENGTH;

    private final byte[] utf8;
    private final int length;
    private final long pattern;
    private final long head;
    private final long headMask;

    /**
     * @param utf8 the name's UTF-8 bytes, 1..65535 of them; copied.
     */
    public IndexedName(final byte[] utf8)
    {
        if (utf8.length < 1 || utf8.length > ItemFormat.MAX_NAME_LENGTH)
        {
            throw new IllegalArgumentException("an attribute name has 1 to 65535 bytes, not " + utf8.length);
        }
        this.utf8 = Arrays.copyOf(utf8, utf8.length);
        this.length = utf8.length;
        this.pattern = pattern(utf8, 0, length);
        this.head = head(utf8, 0, length);
        this.headMask = headMask(length);
    }

    static long pattern(final byte[] name, final int nameOff, final int nameLen)
    {
        return (ItemFormat.nameFingerprint(name, nameOff, nameLen) & 0xFFL) * LANES_ONE;
    }

    static long head(final byte[] name, final int nameOff, final int nameLen)
    {
        long word = nameLen & 0xFFFFL;
        final int headBytes = Math.min(nameLen, HEAD_NAME_BYTES);
        for (int i = 0; i < headBytes; i++)
        {
            word |= (name[nameOff + i] & 0xFFL) << (8 * (ItemFormat.NAME_LENGTH_LENGTH + i));
        }
        return word;
    }

    static long headMask(final int nameLen)
    {
        final int headBytes = Math.min(nameLen, HEAD_NAME_BYTES);
        return headBytes == HEAD_NAME_BYTES ? -1L : (1L << (8 * (ItemFormat.NAME_LENGTH_LENGTH + headBytes))) - 1;
    }

    /**
     * @return the name's length in bytes.
     */
    public int length()
    {
        return length;
    }

    /**
     * Find this attribute in an item through its name index.
     *
     * @param buf     holding the item, which must be {@link ItemFormat#isIndexed indexed} and valid.
     * @param itemOff offset of the item.
     * @param itemLen length of the item.
     * @return offset of the attribute's value, or -1 if absent.
     */
    public int find(final DirectBuffer buf, final int itemOff, final int itemLen)
    {
        return find(buf, itemOff, itemLen, utf8, 0, length, pattern, head, headMask);
    }

    static int find(
        final DirectBuffer buf, final int itemOff, final int itemLen,
        final byte[] name, final int nameOff, final int nameLen, final long pattern, final long head, final long headMask)
    {
        final int count = ItemFormat.attributeCount(buf, itemOff);
        final int fingerprints = itemOff + itemLen - count * ItemFormat.INDEX_BYTES_PER_ATTRIBUTE;
        final int offsets = fingerprints + count;
        for (int i = 0; i < count; i += 8)
        {
            final long word = i + 8 <= count ? buf.getLong(fingerprints + i, ByteOrder.LITTLE_ENDIAN) :
                tail(buf, fingerprints + i, count - i);
            long hits = hits(word, pattern);
            while (0 != hits)
            {
                final int index = i + (Long.numberOfTrailingZeros(hits) >>> 3);
                final int value = index < count ?
                    confirm(buf, itemOff, offsets, index, name, nameOff, nameLen, head, headMask) : -1;
                if (value >= 0)
                {
                    return value;
                }
                hits &= hits - 1;
            }
        }
        return -1;
    }

    /**
     * Find several attributes in one pass over an item's name index: each fingerprint word is read once and
     * tested against every name still missing.
     *
     * @param names   the names; at most 64.
     * @param buf     holding the item, which must be {@link ItemFormat#isIndexed indexed} and valid.
     * @param itemOff offset of the item.
     * @param itemLen length of the item.
     * @param values  receives, at each name's position, the offset of its value or -1.
     */
    public static void findAll(
        final IndexedName[] names, final DirectBuffer buf, final int itemOff, final int itemLen, final int[] values)
    {
        final int n = names.length;
        long missing = n == 64 ? -1L : (1L << n) - 1;
        for (int k = 0; k < n; k++)
        {
            values[k] = -1;
        }
        final int count = ItemFormat.attributeCount(buf, itemOff);
        final int fingerprints = itemOff + itemLen - count * ItemFormat.INDEX_BYTES_PER_ATTRIBUTE;
        final int offsets = fingerprints + count;
        for (int i = 0; i < count && 0 != missing; i += 8)
        {
            final long word = i + 8 <= count ? buf.getLong(fingerprints + i, ByteOrder.LITTLE_ENDIAN) :
                tail(buf, fingerprints + i, count - i);
            for (long left = missing; 0 != left; left &= left - 1)
            {
                final int k = Long.numberOfTrailingZeros(left);
                final IndexedName name = names[k];
                long hits = hits(word, name.pattern);
                while (0 != hits)
                {
                    final int lane = Long.numberOfTrailingZeros(hits) >>> 3;
                    final int value = i + lane < count ? confirm(buf, itemOff, offsets, i + lane,
                        name.utf8, 0, name.length, name.head, name.headMask) : -1;
                    if (value >= 0)
                    {
                        values[k] = value;
                        missing &= ~(1L << k);
                        break;
                    }
                    hits &= hits - 1;
                }
            }
        }
    }

    /**
     * @return the fingerprints of the last, short word; lanes past the end are zero (callers drop hits there).
     */
    private static long tail(final DirectBuffer buf, final int from, final int lanes)
    {
        long word = 0;
        for (int b = 0; b < lanes; b++)
        {
            word |= (buf.getByte(from + b) & 0xFFL) << (8 * b);
        }
        return word;
    }

    /**
     * @return a word whose lane high bits mark the lanes that may equal the fingerprint in {@code pattern} (SWAR
     * zero-byte test on word ^ pattern; a lane just above a true match can be a false alarm, which confirm rejects).
     */
    private static long hits(final long word, final long pattern)
    {
        final long x = word ^ pattern;
        return (x - LANES_ONE) & ~x & LANES_HIGH;
    }

    /**
     * @return the value offset of entry {@code index} if its name is the given one, else -1.
     */
    private static int confirm(
        final DirectBuffer buf, final int itemOff, final int offsets, final int index,
        final byte[] name, final int nameOff, final int nameLen, final long head, final long headMask)
    {
        final int entry = itemOff + buf.getInt(offsets + 4 * index, ByteOrder.LITTLE_ENDIAN);
        // an entry is at least 4 bytes and an indexed item ends with at least 5 index bytes: 8 bytes are readable
        if (((buf.getLong(entry, ByteOrder.LITTLE_ENDIAN) ^ head) & headMask) != 0)
        {
            return -1;
        }
        final int entryName = entry + ItemFormat.NAME_LENGTH_LENGTH;
        for (int b = HEAD_NAME_BYTES; b < nameLen; b++)
        {
            if (buf.getByte(entryName + b) != name[nameOff + b])
            {
                return -1;
            }
        }
        return entryName + nameLen;
    }
}
