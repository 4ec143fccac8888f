package io.ferrite.codecs.bytes;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The comparator against a byte-at-a-time reference, on ranges that end inside a buffer (so the word-at-a-time tail
 * is taken) and at its very end (so it is not), with bytes drawn from a small alphabet including 0x00 and 0xFF so that
 * equal prefixes, prefixes of each other and high bytes are common.
 */
class UnsignedBytesTest
{
    private static final byte[] ALPHABET = { 0x00, 0x01, 'a', 'b', (byte)0x7F, (byte)0x80, (byte)0xFF };

    private static int reference(final byte[] a, final int aOff, final int aLen, final byte[] b, final int bOff, final int bLen)
    {
        for (int i = 0; i < Math.min(aLen, bLen); i++)
        {
            final int x = a[aOff + i] & 0xFF;
            final int y = b[bOff + i] & 0xFF;
            if (x != y)
            {
                return x - y;
            }
        }
        return aLen - bLen;
    }

    @Test
    void agreesWithTheByteByByteOrderOnShortAndLongRangesWhereverTheyEnd()
    {
        final SplittableRandom random = new SplittableRandom(20261206);
        for (int round = 0; round < 200_000; round++)
        {
            final int aLen = random.nextInt(0, 24);
            final int bLen = random.nextInt(0, 24);
            final int aOff = random.nextInt(0, 4);
            final int bOff = random.nextInt(0, 4);
            final byte[] a = new byte[aOff + aLen + random.nextInt(0, 10)]; // sometimes 8+ spare bytes, sometimes none
            final byte[] b = new byte[bOff + bLen + random.nextInt(0, 10)];
            fill(random, a);
            fill(random, b);
            if (random.nextBoolean()) // make one a prefix of (or equal to) the other most of the time
            {
                System.arraycopy(a, aOff, b, bOff, Math.min(aLen, bLen) - (random.nextInt(4) == 0 && Math.min(aLen, bLen) > 0 ? 1 : 0));
            }
            final int expected = Integer.signum(reference(a, aOff, aLen, b, bOff, bLen));
            final int actual = Integer.signum(UnsignedBytes.compare(new UnsafeBuffer(a), aOff, aLen, new UnsafeBuffer(b), bOff, bLen));
            assertEquals(expected, actual, () -> "a=" + hex(a, aOff, aLen) + " b=" + hex(b, bOff, bLen));
        }
    }

    @Test
    void trailingZeroBytesAreNotTakenForTheEndOfTheShorterRange()
    {
        final UnsafeBuffer ab = new UnsafeBuffer(new byte[] { 'a', 'b', 0, 0, 0, 0, 0, 0, 0, 0 });
        final UnsafeBuffer abNul = new UnsafeBuffer(new byte[] { 'a', 'b', 0, 0, 0, 0, 0, 0, 0, 0 });
        assertEquals(-1, Integer.signum(UnsignedBytes.compare(ab, 0, 2, abNul, 0, 3)), "\"ab\" sorts before \"ab\\0\"");
        assertEquals(1, Integer.signum(UnsignedBytes.compare(abNul, 0, 3, ab, 0, 2)));
        assertEquals(0, UnsignedBytes.compare(ab, 0, 2, abNul, 0, 2));
    }

    private static void fill(final SplittableRandom random, final byte[] bytes)
    {
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
    }

    private static String hex(final byte[] bytes, final int off, final int len)
    {
        final StringBuilder text = new StringBuilder();
        for (int i = off; i < off + len; i++)
        {
            text.append(String.format("%02x", bytes[i] & 0xFF));
        }
        return text.toString();
    }
}
