package io.ferrite.codecs.item;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Utf8#isValid} agrees with the JDK's strict UTF-8 decoder (which refuses overlong forms, surrogates, code
 * points above U+10FFFF and truncated sequences) on random byte strings built to put every kind of byte at every
 * position of the eight-byte ASCII words the check skips through, at any offset in a larger buffer.
 */
class Utf8MatchesJdkDecoderTest
{
    /** Pieces: ASCII runs of several lengths, valid sequences of 2-4 bytes, and bytes that break a sequence. */
    private static final byte[][] PIECES = {
        bytes(0x41), bytes(0x7F), bytes(0x00), "abcdefg".getBytes(StandardCharsets.US_ASCII),
        "0123456789abcdef0".getBytes(StandardCharsets.US_ASCII),
        "é".getBytes(StandardCharsets.UTF_8), "日".getBytes(StandardCharsets.UTF_8),
        "\uD83D\uDE00".getBytes(StandardCharsets.UTF_8), "\uFFFF".getBytes(StandardCharsets.UTF_8),
        bytes(0x80), bytes(0xBF), bytes(0xC0, 0x80), bytes(0xC1, 0xBF), bytes(0xC2), bytes(0xE0, 0x80, 0x80),
        bytes(0xED, 0xA0, 0x80), bytes(0xF4, 0x90, 0x80, 0x80), bytes(0xF5, 0x80, 0x80, 0x80), bytes(0xFF),
        bytes(0xE2, 0x82), bytes(0xF0, 0x9F, 0x98),
    };

    @Test
    void agreesWithTheJdkDecoderOnRandomStrings()
    {
        final SplittableRandom random = new SplittableRandom(0xC0FFEEL);
        int valid = 0;
        for (int c = 0; c < 50_000; c++)
        {
            final byte[] text = text(random, c % 7 == 0 ? 1 : 1 + random.nextInt(12));
            final int offset = random.nextInt(9);
            final byte[] placed = new byte[offset + text.length + random.nextInt(9)];
            Arrays.fill(placed, (byte)'x');
            System.arraycopy(text, 0, placed, offset, text.length);
            final boolean expected = jdkAccepts(text);
            assertEquals(expected, Utf8.isValid(new UnsafeBuffer(placed), offset, text.length),
                () -> "offset " + offset + " bytes " + Arrays.toString(text));
            valid += expected ? 1 : 0;
        }
        // both outcomes are exercised often
        assertTrue(valid > 5_000 && valid < 45_000, "valid strings: " + valid);
    }

    @Test
    void aBadByteAnywhereInALongAsciiRunIsFound()
    {
        for (int length = 1; length <= 40; length++)
        {
            for (int at = 0; at < length; at++)
            {
                final byte[] text = new byte[length];
                Arrays.fill(text, (byte)'a');
                text[at] = (byte)0x80;
                assertFalse(Utf8.isValid(new UnsafeBuffer(text), 0, length), length + " bytes, bad at " + at);
                text[at] = (byte)'b';
                assertTrue(Utf8.isValid(new UnsafeBuffer(text), 0, length), length + " bytes, all ASCII");
            }
        }
    }

    private static byte[] text(final SplittableRandom random, final int pieces)
    {
        final ByteBuffer out = ByteBuffer.allocate(pieces * 17);
        for (int i = 0; i < pieces; i++)
        {
            // mostly valid pieces, so long valid strings occur
            final int index = random.nextInt(10) < 8 ? random.nextInt(9) : random.nextInt(PIECES.length);
            out.put(PIECES[index]);
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    private static boolean jdkAccepts(final byte[] text)
    {
        final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
        try
        {
            decoder.decode(ByteBuffer.wrap(text));
            return true;
        }
        catch (final CharacterCodingException ex)
        {
            return false;
        }
    }

    private static byte[] bytes(final int... values)
    {
        final byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++)
        {
            bytes[i] = (byte)values[i];
        }
        return bytes;
    }
}
