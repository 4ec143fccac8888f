package io.ferrite.engine.shard;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Unsigned lexicographic comparison of byte ranges (DynamoDB's order for S and B, and for encoded N).
 */
final class Bytes
{
    private Bytes()
    {
    }

    static int compare(
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

    static boolean startsWith(
        final DirectBuffer a, final int aOffset, final int aLength,
        final DirectBuffer prefix, final int prefixOffset, final int prefixLength)
    {
        return aLength >= prefixLength && 0 == compare(a, aOffset, prefixLength, prefix, prefixOffset, prefixLength);
    }
}
