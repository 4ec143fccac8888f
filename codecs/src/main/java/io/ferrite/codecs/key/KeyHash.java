package io.ferrite.codecs.key;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * XXH64, the published 64-bit xxHash algorithm (Yann Collet, xxHash specification v0.1.1), over bytes in a
 * {@link DirectBuffer}. The partition hash of an index key is {@code xxh64(pk payload, 0)} (decision 0001):
 * a stable, published algorithm, so hash ranges stay valid across versions.
 * <p>
 * Reads are little-endian at any offset and alignment, as the specification requires.
 * <p>
 * Threading: stateless static methods, safe from any thread; no allocation.
 */
public final class KeyHash
{
    private static final long PRIME64_1 = 0x9E3779B185EBCA87L;
    private static final long PRIME64_2 = 0xC2B2AE3D27D4EB4FL;
    private static final long PRIME64_3 = 0x165667B19E3779F9L;
    private static final long PRIME64_4 = 0x85EBCA77C2B2AE63L;
    private static final long PRIME64_5 = 0x27D4EB2F165667C5L;

    private KeyHash()
    {
    }

    /**
     * XXH64 of {@code len} bytes at {@code off}.
     *
     * @param buf  holding the bytes.
     * @param off  of the first byte.
     * @param len  number of bytes.
     * @param seed of the hash; Ferrite's key hash uses 0.
     * @return the 64-bit hash.
     */
    public static long xxh64(final DirectBuffer buf, final int off, final int len, final long seed)
    {
        final int end = off + len;
        int pos = off;
        long acc;

        if (len >= 32)
        {
            long v1 = seed + PRIME64_1 + PRIME64_2;
            long v2 = seed + PRIME64_2;
            long v3 = seed;
            long v4 = seed - PRIME64_1;
            final int limit = end - 32;
            do
            {
                v1 = round(v1, buf.getLong(pos, ByteOrder.LITTLE_ENDIAN));
                v2 = round(v2, buf.getLong(pos + 8, ByteOrder.LITTLE_ENDIAN));
                v3 = round(v3, buf.getLong(pos + 16, ByteOrder.LITTLE_ENDIAN));
                v4 = round(v4, buf.getLong(pos + 24, ByteOrder.LITTLE_ENDIAN));
                pos += 32;
            }
            while (pos <= limit);

            acc = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
            acc = mergeRound(acc, v1);
            acc = mergeRound(acc, v2);
            acc = mergeRound(acc, v3);
            acc = mergeRound(acc, v4);
        }
        else
        {
            acc = seed + PRIME64_5;
        }

        acc += len;

        while (pos + 8 <= end)
        {
            acc ^= round(0, buf.getLong(pos, ByteOrder.LITTLE_ENDIAN));
            acc = Long.rotateLeft(acc, 27) * PRIME64_1 + PRIME64_4;
            pos += 8;
        }

        if (pos + 4 <= end)
        {
            acc ^= (buf.getInt(pos, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL) * PRIME64_1;
            acc = Long.rotateLeft(acc, 23) * PRIME64_2 + PRIME64_3;
            pos += 4;
        }

        while (pos < end)
        {
            acc ^= (buf.getByte(pos) & 0xFFL) * PRIME64_5;
            acc = Long.rotateLeft(acc, 11) * PRIME64_1;
            pos++;
        }

        acc ^= acc >>> 33;
        acc *= PRIME64_2;
        acc ^= acc >>> 29;
        acc *= PRIME64_3;
        acc ^= acc >>> 32;

        return acc;
    }

    private static long round(final long acc, final long lane)
    {
        return Long.rotateLeft(acc + lane * PRIME64_2, 31) * PRIME64_1;
    }

    private static long mergeRound(final long acc, final long value)
    {
        return (acc ^ round(0, value)) * PRIME64_1 + PRIME64_4;
    }
}
