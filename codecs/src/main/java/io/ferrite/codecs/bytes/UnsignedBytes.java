package io.ferrite.codecs.bytes;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Unsigned lexicographic comparison of byte ranges, shorter prefix first: DynamoDB's order for S (UTF-8)
 * and B, and numeric order for encoded N (decision 0001). The one comparator of the project; compares
 * eight bytes at a time. Stateless.
 */
public final class UnsignedBytes
{
    private UnsignedBytes()
    {
    }

    /**
     * @param a       first buffer.
     * @param aOffset first range's offset.
     * @param aLength first range's length.
     * @param b       second buffer.
     * @param bOffset second range's offset.
     * @param bLength second range's length.
     * @return negative, zero or positive as a sorts before, with or after b.
     */
    public static int compare(
        final DirectBuffer a, final int aOffset, final int aLength,
        final DirectBuffer b, final int bOffset, final int bLength)
    {
        final int common = Math.min(aLength, bLength);
        int i = 0;
        for (; i + 8 <= common; i += 8)
        {
            final long x = a.getLong(aOffset + i, ByteOrder.BIG_ENDIAN);
            final long y = b.getLong(bOffset + i, ByteOrder.BIG_ENDIAN);
            if (x != y)
            {
                return Long.compareUnsigned(x, y);
            }
        }
        final int rest = common - i;
        if (rest > 0)
        {
            // most names that differ, differ in their first byte: settle that before anything wider
            final int x = a.getByte(aOffset + i) & 0xFF;
            final int y = b.getByte(bOffset + i) & 0xFF;
            if (x != y)
            {
                return x - y;
            }
        }
        if (rest > 1 && aOffset + i + 8 <= a.capacity() && bOffset + i + 8 <= b.capacity())
        {
            // Fewer than eight bytes left but eight readable in both buffers: one word each, keeping only the
            // `rest` leading bytes (short names, the common case, cost one comparison instead of a byte loop).
            final int drop = (8 - rest) << 3;
            final long x = a.getLong(aOffset + i, ByteOrder.BIG_ENDIAN) >>> drop;
            final long y = b.getLong(bOffset + i, ByteOrder.BIG_ENDIAN) >>> drop;
            if (x != y)
            {
                return Long.compareUnsigned(x, y);
            }
            return aLength - bLength;
        }
        for (; i < common; i++)
        {
            final int x = a.getByte(aOffset + i) & 0xFF;
            final int y = b.getByte(bOffset + i) & 0xFF;
            if (x != y)
            {
                return x - y;
            }
        }
        return aLength - bLength;
    }

    /**
     * @param a            a buffer.
     * @param aOffset      the range's offset.
     * @param aLength      the range's length.
     * @param prefix       the prefix's buffer.
     * @param prefixOffset its offset.
     * @param prefixLength its length.
     * @return true when the range starts with the prefix.
     */
    public static boolean startsWith(
        final DirectBuffer a, final int aOffset, final int aLength,
        final DirectBuffer prefix, final int prefixOffset, final int prefixLength)
    {
        return aLength >= prefixLength && 0 == compare(a, aOffset, prefixLength, prefix, prefixOffset, prefixLength);
    }
}
