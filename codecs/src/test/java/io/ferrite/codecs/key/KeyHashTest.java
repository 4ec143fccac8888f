package io.ferrite.codecs.key;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class KeyHashTest
{
    @Test
    void publishedVectorsMatch()
    {
        assertEquals(0xEF46DB3751D8E999L, hash(""));
        assertEquals(0xD24EC4F1A98C6E5BL, hash("a"));
        assertEquals(0x44BC2CF5AD770999L, hash("abc"));
    }

    @Test
    void anyOffsetAndLengthMatchesIndependentReference()
    {
        final SplittableRandom random = new SplittableRandom(0xFE22);
        final byte[] bytes = new byte[400];
        for (int iteration = 0; iteration < 5_000; iteration++)
        {
            random.nextBytes(bytes);
            final int off = random.nextInt(17);
            final int len = random.nextInt(bytes.length - off);
            final long seed = 0 == (iteration & 1) ? 0 : random.nextLong();
            assertEquals(
                ReferenceXxh64.hash(bytes, off, len, seed),
                KeyHash.xxh64(new UnsafeBuffer(bytes), off, len, seed),
                "off=" + off + " len=" + len);
        }
    }

    private static long hash(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return KeyHash.xxh64(new UnsafeBuffer(bytes), 0, bytes.length, 0);
    }

    /**
     * A deliberately plain transcription of the XXH64 specification over byte[] (byte-wise little-endian
     * reads, BigInteger-free but structured differently: stripes read into an array).
     */
    static final class ReferenceXxh64
    {
        static final long P1 = 0x9E3779B185EBCA87L;
        static final long P2 = 0xC2B2AE3D27D4EB4FL;
        static final long P3 = 0x165667B19E3779F9L;
        static final long P4 = 0x85EBCA77C2B2AE63L;
        static final long P5 = 0x27D4EB2F165667C5L;

        static long read(final byte[] b, final int at, final int width)
        {
            long value = 0;
            for (int i = width - 1; i >= 0; i--)
            {
                value = (value << 8) | (b[at + i] & 0xFF);
            }
            return value;
        }

        static long hash(final byte[] b, final int off, final int len, final long seed)
        {
            int p = off;
            final int end = off + len;
            long h;
            if (len >= 32)
            {
                final long[] v = {seed + P1 + P2, seed + P2, seed, seed - P1};
                while (end - p >= 32)
                {
                    for (int lane = 0; lane < 4; lane++)
                    {
                        v[lane] += read(b, p, 8) * P2;
                        v[lane] = Long.rotateLeft(v[lane], 31);
                        v[lane] *= P1;
                        p += 8;
                    }
                }
                h = Long.rotateLeft(v[0], 1) + Long.rotateLeft(v[1], 7) + Long.rotateLeft(v[2], 12) +
                    Long.rotateLeft(v[3], 18);
                for (int lane = 0; lane < 4; lane++)
                {
                    long k = v[lane] * P2;
                    k = Long.rotateLeft(k, 31);
                    k *= P1;
                    h ^= k;
                    h = h * P1 + P4;
                }
            }
            else
            {
                h = seed + P5;
            }
            h += len;
            while (end - p >= 8)
            {
                long k = read(b, p, 8) * P2;
                k = Long.rotateLeft(k, 31) * P1;
                h ^= k;
                h = Long.rotateLeft(h, 27) * P1 + P4;
                p += 8;
            }
            if (end - p >= 4)
            {
                h ^= read(b, p, 4) * P1;
                h = Long.rotateLeft(h, 23) * P2 + P3;
                p += 4;
            }
            while (p < end)
            {
                h ^= (b[p] & 0xFFL) * P5;
                h = Long.rotateLeft(h, 11) * P1;
                p++;
            }
            h ^= h >>> 33;
            h *= P2;
            h ^= h >>> 29;
            h *= P3;
            h ^= h >>> 32;
            return h;
        }
    }
}
