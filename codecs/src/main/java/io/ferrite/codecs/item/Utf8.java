package io.ferrite.codecs.item;

import io.ferrite.codecs.error.FerriteException;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Strict UTF-8 (RFC 3629) checking and encoding without allocation: item names and S values are UTF-8,
 * and DynamoDB compares strings by their UTF-8 bytes.
 * <p>
 * Threading: stateless static methods, safe from any thread.
 */
public final class Utf8
{
    /** The high bit of every byte of a word: zero in a word of ASCII. */
    private static final long ASCII_MASK = 0x8080_8080_8080_8080L;

    private Utf8()
    {
    }

    /**
     * Check bytes are well-formed UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF, no
     * truncated sequences.
     *
     * @param buf holding the bytes.
     * @param off of the first byte.
     * @param len of the bytes.
     * @return true if well-formed.
     */
    public static boolean isValid(final DirectBuffer buf, final int off, final int len)
    {
        final int end = off + len;
        int i = off;
        while (i < end)
        {
            // ASCII eight bytes at a time (most names and strings are all ASCII); the first word holding a
            // byte >= 0x80 is then read byte by byte from its start
            while (i <= end - Long.BYTES && 0 == (buf.getLong(i) & ASCII_MASK))
            {
                i += Long.BYTES;
            }
            if (i >= end)
            {
                break;
            }
            final int b0 = buf.getByte(i) & 0xFF;
            if (b0 < 0x80)
            {
                i++;
                continue;
            }

            final int trailing;
            int lower = 0x80;
            int upper = 0xBF;
            if (b0 >= 0xC2 && b0 <= 0xDF)
            {
                trailing = 1;
            }
            else if (b0 >= 0xE0 && b0 <= 0xEF)
            {
                trailing = 2;
                lower = 0xE0 == b0 ? 0xA0 : 0x80;
                upper = 0xED == b0 ? 0x9F : 0xBF;
            }
            else if (b0 >= 0xF0 && b0 <= 0xF4)
            {
                trailing = 3;
                lower = 0xF0 == b0 ? 0x90 : 0x80;
                upper = 0xF4 == b0 ? 0x8F : 0xBF;
            }
            else
            {
                return false;
            }

            if (i + trailing >= end)
            {
                return false;
            }
            final int b1 = buf.getByte(i + 1) & 0xFF;
            if (b1 < lower || b1 > upper)
            {
                return false;
            }
            for (int k = 2; k <= trailing; k++)
            {
                final int bk = buf.getByte(i + k) & 0xFF;
                if (bk < 0x80 || bk > 0xBF)
                {
                    return false;
                }
            }
            i += trailing + 1;
        }

        return true;
    }

    /**
     * Bytes needed to encode a string as UTF-8.
     *
     * @param text to measure.
     * @return UTF-8 length.
     * @throws FerriteException if the text holds an unpaired surrogate.
     */
    public static int encodedLength(final CharSequence text)
    {
        final int length = text.length();
        int bytes = 0;
        for (int i = 0; i < length; i++)
        {
            final char c = text.charAt(i);
            if (c < 0x80)
            {
                bytes++;
            }
            else if (c < 0x800)
            {
                bytes += 2;
            }
            else if (Character.isSurrogate(c))
            {
                checkSurrogatePair(text, i);
                bytes += 4;
                i++;
            }
            else
            {
                bytes += 3;
            }
        }

        return bytes;
    }

    /**
     * Encode a string as UTF-8.
     *
     * @param text      to encode.
     * @param dst       to write to (an expandable buffer grows as needed).
     * @param dstOffset at which to write.
     * @return bytes written.
     * @throws FerriteException if the text holds an unpaired surrogate.
     */
    public static int encode(final CharSequence text, final MutableDirectBuffer dst, final int dstOffset)
    {
        final int length = text.length();
        int pos = dstOffset;
        for (int i = 0; i < length; i++)
        {
            final char c = text.charAt(i);
            if (c < 0x80)
            {
                dst.putByte(pos++, (byte)c);
            }
            else if (c < 0x800)
            {
                dst.putByte(pos++, (byte)(0xC0 | (c >> 6)));
                dst.putByte(pos++, (byte)(0x80 | (c & 0x3F)));
            }
            else if (Character.isSurrogate(c))
            {
                checkSurrogatePair(text, i);
                final int cp = Character.toCodePoint(c, text.charAt(++i));
                dst.putByte(pos++, (byte)(0xF0 | (cp >> 18)));
                dst.putByte(pos++, (byte)(0x80 | ((cp >> 12) & 0x3F)));
                dst.putByte(pos++, (byte)(0x80 | ((cp >> 6) & 0x3F)));
                dst.putByte(pos++, (byte)(0x80 | (cp & 0x3F)));
            }
            else
            {
                dst.putByte(pos++, (byte)(0xE0 | (c >> 12)));
                dst.putByte(pos++, (byte)(0x80 | ((c >> 6) & 0x3F)));
                dst.putByte(pos++, (byte)(0x80 | (c & 0x3F)));
            }
        }

        return pos - dstOffset;
    }

    private static void checkSurrogatePair(final CharSequence text, final int i)
    {
        if (!Character.isHighSurrogate(text.charAt(i)) || i + 1 >= text.length() ||
            !Character.isLowSurrogate(text.charAt(i + 1)))
        {
            throw FerriteException.validation(
                "One or more parameter values were invalid: string holds an unpaired UTF-16 surrogate at index " + i);
        }
    }
}
