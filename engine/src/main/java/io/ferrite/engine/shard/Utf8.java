package io.ferrite.engine.shard;

import io.ferrite.codecs.error.FerriteException;
import org.agrona.MutableDirectBuffer;

/**
 * UTF-8 encoding of a CharSequence into a buffer without allocating (unlike String.getBytes).
 */
final class Utf8
{
    private Utf8()
    {
    }

    /**
     * @return bytes written.
     * @throws FerriteException if the text holds an unpaired surrogate or does not fit.
     */
    static int encode(final CharSequence text, final MutableDirectBuffer dst, final int offset)
    {
        final int capacity = dst.capacity();
        int position = offset;
        final int length = text.length();
        for (int i = 0; i < length; i++)
        {
            final char c = text.charAt(i);
            if (position + 4 > capacity)
            {
                throw FerriteException.validation("One or more parameter values were invalid: value of " + length +
                    " characters exceeds the key size limit of " + (capacity - offset) + " bytes");
            }
            if (c < 0x80)
            {
                dst.putByte(position++, (byte)c);
            }
            else if (c < 0x800)
            {
                dst.putByte(position++, (byte)(0xC0 | (c >> 6)));
                dst.putByte(position++, (byte)(0x80 | (c & 0x3F)));
            }
            else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1)))
            {
                final int codePoint = Character.toCodePoint(c, text.charAt(++i));
                dst.putByte(position++, (byte)(0xF0 | (codePoint >> 18)));
                dst.putByte(position++, (byte)(0x80 | ((codePoint >> 12) & 0x3F)));
                dst.putByte(position++, (byte)(0x80 | ((codePoint >> 6) & 0x3F)));
                dst.putByte(position++, (byte)(0x80 | (codePoint & 0x3F)));
            }
            else if (Character.isSurrogate(c))
            {
                throw FerriteException.validation(
                    "One or more parameter values were invalid: string holds an unpaired surrogate at index " + i);
            }
            else
            {
                dst.putByte(position++, (byte)(0xE0 | (c >> 12)));
                dst.putByte(position++, (byte)(0x80 | ((c >> 6) & 0x3F)));
                dst.putByte(position++, (byte)(0x80 | (c & 0x3F)));
            }
        }
        return position - offset;
    }
}
