package io.ferrite.codecs.number;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.bytes.UnsignedBytes;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.math.BigDecimal;

/**
 * DynamoDB numbers as an order-preserving, self-delimiting byte encoding (decision 0001): unsigned
 * lexicographic comparison of two encodings gives the numeric order of the numbers they hold.
 * <p>
 * A number is normalised to {@code ± 0.d1d2...dn × 10^e} with {@code d1 != 0}, no trailing zeros,
 * {@code n <= 38} and {@code e} in {@code [-129, 126]} (magnitude 1E-130 .. 9.99..E+125), then written as:
 * <pre>
 *   0                   1                   2
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 ...
 *  +---------------+---------------+---------------+-----    -+---------------+
 *  |     0x80      |                                  zero: one byte
 *  +---------------+---------------+---------------+-----    -+---------------+
 *  |     0xC0      |    e + 129    |   2p1 + 2     |  ...     |     0x00      |  positive
 *  +---------------+---------------+---------------+-----    -+---------------+
 *  |     0x40      | 255-(e + 129) | 255-(2p1 + 2) |  ...     |     0xFF      |  negative
 *  +---------------+---------------+---------------+-----    -+---------------+
 * </pre>
 * where {@code p1, p2, ...} are the digits taken two at a time (a lone last digit padded with 0). Pair
 * bytes are never 0x00 or 0xFF, so the terminator ends the encoding; the longest encoding is
 * {@link #MAX_ENCODED_LENGTH} bytes.
 * <p>
 * <b>Canonical text</b> (what {@link #decode} writes, like DynamoDB returns numbers): plain notation
 * ({@code "123"}, {@code "-1.5"}, {@code "0.001"}, {@code "1000"}) whenever it is at most
 * {@link #MAX_PLAIN_DIGITS} characters long without the sign; otherwise scientific notation in the style
 * of {@link BigDecimal#toString()}: one digit, an optional fraction, {@code E}, and a signed exponent
 * ({@code "1.5E+126"}, {@code "-1E-130"}). At most {@link #MAX_TEXT_LENGTH} bytes.
 * <p>
 * Threading: stateless static methods, safe from any thread. The buffer methods do not allocate;
 * {@link #toString}, {@link #toBigDecimal} and {@link #encode(BigDecimal, MutableDirectBuffer, int)}
 * allocate by design. Failures are {@link FerriteException#validation(String)} in DynamoDB's words.
 */
public final class DecimalCodec
{
    /** Encoding of zero. */
    public static final byte ZERO = (byte)0x80;
    /** First byte of a positive number's encoding. */
    public static final byte POSITIVE = (byte)0xC0;
    /** First byte of a negative number's encoding. */
    public static final byte NEGATIVE = (byte)0x40;
    /** Most significant digits DynamoDB stores. */
    public static final int MAX_DIGITS = 38;
    /** Largest normalised exponent: magnitude below 1E+126. */
    public static final int MAX_EXPONENT = 126;
    /** Smallest normalised exponent: magnitude at least 1E-130. */
    public static final int MIN_EXPONENT = -129;
    /** Longest encoding: marker, exponent, 19 digit pairs, terminator. */
    public static final int MAX_ENCODED_LENGTH = 1 + 1 + (MAX_DIGITS / 2) + 1;
    /** Plain notation is used when it needs at most this many characters (sign excluded). */
    public static final int MAX_PLAIN_DIGITS = 40;
    /** Longest canonical text: sign, 38 digits, point, 'E', exponent sign and three exponent digits. */
    public static final int MAX_TEXT_LENGTH = 1 + MAX_DIGITS + 1 + 1 + 1 + 3;

    private static final long EXPONENT_CLAMP = 1_000_000_000L;
    private static final long[] POWERS_OF_TEN = new long[19];

    static
    {
        long power = 1;
        for (int i = 0; i < POWERS_OF_TEN.length; i++)
        {
            POWERS_OF_TEN[i] = power;
            power *= 10;
        }
    }

    private DecimalCodec()
    {
    }

    /**
     * Parse DynamoDB number text and write its order-preserving encoding.
     *
     * @param text      holding the number: optional sign, digits with an optional '.', optional exponent.
     * @param start     index of the first character.
     * @param end       index after the last character.
     * @param dst       to write the encoding to; needs {@link #MAX_ENCODED_LENGTH} bytes of room.
     * @param dstOffset at which to write.
     * @return bytes written.
     * @throws FerriteException if the text is not a number DynamoDB can store.
     */
    public static int encode(
        final CharSequence text, final int start, final int end, final MutableDirectBuffer dst, final int dstOffset)
    {
        return parseAndEncode(text, start, end, dst, dstOffset);
    }

    /**
     * Parse DynamoDB number text held as ASCII bytes and write its order-preserving encoding.
     *
     * @param asciiText holding the number as ASCII.
     * @param off       of the first byte of text.
     * @param len       of the text in bytes.
     * @param dst       to write the encoding to; needs {@link #MAX_ENCODED_LENGTH} bytes of room.
     * @param dstOffset at which to write.
     * @return bytes written.
     * @throws FerriteException if the text is not a number DynamoDB can store.
     */
    public static int encode(
        final DirectBuffer asciiText, final int off, final int len, final MutableDirectBuffer dst, final int dstOffset)
    {
        return parseAndEncode(asciiText, off, off + len, dst, dstOffset);
    }

    /**
     * Write the encoding of a {@code long}; never fails (19 digits, exponent at most 19).
     *
     * @param value     to encode.
     * @param dst       to write the encoding to.
     * @param dstOffset at which to write.
     * @return bytes written.
     */
    public static int encode(final long value, final MutableDirectBuffer dst, final int dstOffset)
    {
        if (0 == value)
        {
            dst.putByte(dstOffset, ZERO);
            return 1;
        }

        final boolean negative = value < 0;
        final long nonPositive = negative ? value : -value; // Long.MIN_VALUE has no positive counterpart
        int digitCount = 1;
        while (digitCount < POWERS_OF_TEN.length && nonPositive / POWERS_OF_TEN[digitCount] != 0)
        {
            digitCount++;
        }
        int trailingZeros = 0;
        while (0 == (nonPositive / POWERS_OF_TEN[trailingZeros]) % 10)
        {
            trailingZeros++;
        }

        final int significant = digitCount - trailingZeros;
        dst.putByte(dstOffset, negative ? NEGATIVE : POSITIVE);
        dst.putByte(dstOffset + 1, exponentByte(digitCount, negative));
        int pos = dstOffset + 2;
        for (int i = 0; i < significant; i += 2)
        {
            final int high = (int)-((nonPositive / POWERS_OF_TEN[digitCount - 1 - i]) % 10);
            final int low = i + 1 < significant ? (int)-((nonPositive / POWERS_OF_TEN[digitCount - 2 - i]) % 10) : 0;
            dst.putByte(pos++, pairByte(high * 10 + low, negative));
        }
        dst.putByte(pos++, negative ? (byte)0xFF : 0);

        return pos - dstOffset;
    }

    /**
     * Encode a {@link BigDecimal} (allocating convenience).
     *
     * @param value     to encode.
     * @param dst       to write the encoding to.
     * @param dstOffset at which to write.
     * @return bytes written.
     * @throws FerriteException if the value is outside DynamoDB's range or precision.
     */
    public static int encode(final BigDecimal value, final MutableDirectBuffer dst, final int dstOffset)
    {
        final String text = value.toString();
        return encode(text, 0, text.length(), dst, dstOffset);
    }

    /**
     * Length of the encoding starting at {@code off}, found by scanning for its terminator.
     *
     * @param buf holding a valid encoding.
     * @param off of its first byte.
     * @return length in bytes including marker and terminator.
     * @throws FerriteException if the first byte is not a number marker.
     */
    public static int encodedLength(final DirectBuffer buf, final int off)
    {
        final byte marker = buf.getByte(off);
        if (ZERO == marker)
        {
            return 1;
        }
        if (POSITIVE != marker && NEGATIVE != marker)
        {
            throw FerriteException.validation("Invalid number encoding: marker byte " + (marker & 0xFF));
        }

        final byte terminator = POSITIVE == marker ? 0 : (byte)0xFF;
        int pos = off + 2;
        while (buf.getByte(pos) != terminator)
        {
            pos++;
        }

        return pos + 1 - off;
    }

    /**
     * Compare two encodings as unsigned bytes, which is numeric order.
     *
     * @param a    first buffer.
     * @param aOff first encoding's offset.
     * @param aLen first encoding's length.
     * @param b    second buffer.
     * @param bOff second encoding's offset.
     * @param bLen second encoding's length.
     * @return negative, zero or positive as a is less than, equal to or greater than b.
     */
    public static int compare(
        final DirectBuffer a, final int aOff, final int aLen, final DirectBuffer b, final int bOff, final int bLen)
    {
        return UnsignedBytes.compare(a, aOff, aLen, b, bOff, bLen);
    }

    /**
     * Strictly check that bytes are exactly one normalised encoding: right markers and terminator, exponent,
     * between 1 and 19 pairs, pair bytes in range, first digit non-zero, no trailing zero digit.
     *
     * @param buf holding the bytes.
     * @param off of the first byte.
     * @param len of the bytes.
     * @return true if the bytes are a canonical encoding of one number.
     */
    public static boolean isValidEncoding(final DirectBuffer buf, final int off, final int len)
    {
        if (len < 1)
        {
            return false;
        }
        final byte marker = buf.getByte(off);
        if (ZERO == marker)
        {
            return 1 == len;
        }
        if ((POSITIVE != marker && NEGATIVE != marker) || len < 4 || len > MAX_ENCODED_LENGTH)
        {
            return false;
        }

        final boolean negative = NEGATIVE == marker;
        if (buf.getByte(off + len - 1) != (negative ? (byte)0xFF : 0))
        {
            return false;
        }

        final int pairsEnd = off + len - 1;
        for (int pos = off + 2; pos < pairsEnd; pos++)
        {
            final int pair = pairValue(buf.getByte(pos), negative);
            if (pair < 0 || (pos == off + 2 && pair < 10) || (pos == pairsEnd - 1 && 0 == pair))
            {
                return false;
            }
        }

        return true;
    }

    /**
     * Significant digits of a valid encoding (0 for zero); the basis of DynamoDB's number size.
     *
     * @param buf holding a valid encoding.
     * @param off of its first byte.
     * @param len of the encoding.
     * @return digits in the normalised mantissa.
     */
    public static int significantDigits(final DirectBuffer buf, final int off, final int len)
    {
        if (1 == len)
        {
            return 0;
        }
        final boolean negative = NEGATIVE == buf.getByte(off);
        final int pairs = len - 3;
        final int lastPair = pairValue(buf.getByte(off + len - 2), negative);

        return pairs * 2 - (0 == lastPair % 10 ? 1 : 0);
    }

    /**
     * Write the canonical text of an encoding as ASCII.
     *
     * @param src       holding a valid encoding.
     * @param off       of the encoding.
     * @param len       of the encoding.
     * @param dst       to write text to; needs {@link #MAX_TEXT_LENGTH} bytes of room.
     * @param dstOffset at which to write.
     * @return bytes of text written.
     */
    public static int decode(
        final DirectBuffer src, final int off, final int len, final MutableDirectBuffer dst, final int dstOffset)
    {
        return render(src, off, len, dst, dstOffset);
    }

    /**
     * Append the canonical text of an encoding to a builder (allocates only if the builder grows).
     *
     * @param src holding a valid encoding.
     * @param off of the encoding.
     * @param len of the encoding.
     * @param sb  to append to.
     */
    public static void appendTo(final DirectBuffer src, final int off, final int len, final StringBuilder sb)
    {
        render(src, off, len, sb, 0);
    }

    /**
     * The canonical text of an encoding (allocating convenience).
     *
     * @param src holding a valid encoding.
     * @param off of the encoding.
     * @param len of the encoding.
     * @return canonical text.
     */
    public static String toString(final DirectBuffer src, final int off, final int len)
    {
        final StringBuilder sb = new StringBuilder(MAX_TEXT_LENGTH);
        appendTo(src, off, len, sb);
        return sb.toString();
    }

    /**
     * The number an encoding holds, as a {@link BigDecimal} without trailing zeros (allocating convenience).
     *
     * @param src holding a valid encoding.
     * @param off of the encoding.
     * @param len of the encoding.
     * @return the number.
     */
    public static BigDecimal toBigDecimal(final DirectBuffer src, final int off, final int len)
    {
        return new BigDecimal(toString(src, off, len));
    }

    private static int parseAndEncode(
        final Object text, final int start, final int end, final MutableDirectBuffer dst, final int dstOffset)
    {
        int i = start;
        boolean negative = false;
        if (i < end && ('-' == charAt(text, i) || '+' == charAt(text, i)))
        {
            negative = '-' == charAt(text, i);
            i++;
        }

        int firstNonZero = -1;
        int lastNonZero = -1;
        int dot = -1;
        int mantissaDigits = 0;
        for (; i < end; i++)
        {
            final int c = charAt(text, i);
            if (c >= '0' && c <= '9')
            {
                mantissaDigits++;
                if ('0' != c)
                {
                    if (firstNonZero < 0)
                    {
                        firstNonZero = i;
                    }
                    lastNonZero = i;
                }
            }
            else if ('.' == c && dot < 0)
            {
                dot = i;
            }
            else
            {
                break;
            }
        }
        final int mantissaEnd = i;

        long exponent = 0;
        if (i < end && ('e' == charAt(text, i) || 'E' == charAt(text, i)))
        {
            i++;
            boolean negativeExponent = false;
            if (i < end && ('-' == charAt(text, i) || '+' == charAt(text, i)))
            {
                negativeExponent = '-' == charAt(text, i);
                i++;
            }
            final int exponentStart = i;
            for (; i < end && charAt(text, i) >= '0' && charAt(text, i) <= '9'; i++)
            {
                exponent = Math.min(EXPONENT_CLAMP, exponent * 10 + (charAt(text, i) - '0'));
            }
            if (exponentStart == i)
            {
                throw notNumeric(text, start, end);
            }
            exponent = negativeExponent ? -exponent : exponent;
        }

        if (0 == mantissaDigits || i != end)
        {
            throw notNumeric(text, start, end);
        }

        if (firstNonZero < 0)
        {
            dst.putByte(dstOffset, ZERO);
            return 1;
        }

        final int pointIndex = dot >= 0 ? dot : mantissaEnd;
        final long normalisedExponent = exponent +
            (firstNonZero < pointIndex ? pointIndex - firstNonZero : -(firstNonZero - pointIndex - 1));
        final int significant = lastNonZero - firstNonZero + 1 - (dot > firstNonZero && dot < lastNonZero ? 1 : 0);

        if (significant > MAX_DIGITS)
        {
            throw FerriteException.validation("Attempting to store more than 38 significant digits in a Number");
        }
        if (normalisedExponent > MAX_EXPONENT)
        {
            throw FerriteException.validation(
                "Number overflow. Attempting to store a number with magnitude larger than supported range");
        }
        if (normalisedExponent < MIN_EXPONENT)
        {
            throw FerriteException.validation(
                "Number underflow. Attempting to store a number with magnitude smaller than supported range");
        }

        dst.putByte(dstOffset, negative ? NEGATIVE : POSITIVE);
        dst.putByte(dstOffset + 1, exponentByte((int)normalisedExponent, negative));
        int pos = dstOffset + 2;
        int high = -1;
        for (int j = firstNonZero; j <= lastNonZero; j++)
        {
            if (j == dot)
            {
                continue;
            }
            final int digit = charAt(text, j) - '0';
            if (high < 0)
            {
                high = digit;
            }
            else
            {
                dst.putByte(pos++, pairByte(high * 10 + digit, negative));
                high = -1;
            }
        }
        if (high >= 0)
        {
            dst.putByte(pos++, pairByte(high * 10, negative));
        }
        dst.putByte(pos++, negative ? (byte)0xFF : 0);

        return pos - dstOffset;
    }

    private static int charAt(final Object text, final int index)
    {
        return text instanceof CharSequence ?
            ((CharSequence)text).charAt(index) : ((DirectBuffer)text).getByte(index) & 0xFF;
    }

    private static FerriteException notNumeric(final Object text, final int start, final int end)
    {
        final String value = text instanceof CharSequence ?
            ((CharSequence)text).subSequence(start, end).toString() :
            ((DirectBuffer)text).getStringWithoutLengthAscii(start, end - start);

        return FerriteException.validation("The parameter cannot be converted to a numeric value: " + value);
    }

    private static byte exponentByte(final int exponent, final boolean negative)
    {
        final int biased = exponent - MIN_EXPONENT;
        return (byte)(negative ? 255 - biased : biased);
    }

    private static byte pairByte(final int pair, final boolean negative)
    {
        final int value = 2 * pair + 2;
        return (byte)(negative ? 255 - value : value);
    }

    /**
     * @return the pair 0..99 a byte holds, or -1 if the byte is not a pair byte.
     */
    private static int pairValue(final byte b, final boolean negative)
    {
        final int value = negative ? 255 - (b & 0xFF) : b & 0xFF;
        if (value < 2 || value > 200 || 0 != (value & 1))
        {
            return -1;
        }

        return (value - 2) >> 1;
    }

    private static int render(
        final DirectBuffer src, final int off, final int len, final Object dst, final int dstOffset)
    {
        final byte marker = src.getByte(off);
        if (ZERO == marker)
        {
            return emit(dst, dstOffset, '0') - dstOffset;
        }

        final boolean negative = NEGATIVE == marker;
        final int biased = src.getByte(off + 1) & 0xFF;
        final int exponent = (negative ? 255 - biased : biased) + MIN_EXPONENT;
        final int digits = significantDigits(src, off, len);

        int pos = dstOffset;
        if (negative)
        {
            pos = emit(dst, pos, '-');
        }

        final int plainLength = exponent <= 0 ? 2 - exponent + digits : Math.max(exponent, digits) +
            (digits > exponent ? 1 : 0);
        if (plainLength <= MAX_PLAIN_DIGITS)
        {
            if (exponent <= 0)
            {
                pos = emit(dst, pos, '0');
                pos = emit(dst, pos, '.');
                for (int i = 0; i < -exponent; i++)
                {
                    pos = emit(dst, pos, '0');
                }
                for (int i = 0; i < digits; i++)
                {
                    pos = emit(dst, pos, '0' + digitAt(src, off, i, negative));
                }
            }
            else
            {
                for (int i = 0; i < Math.max(exponent, digits); i++)
                {
                    if (i == exponent)
                    {
                        pos = emit(dst, pos, '.');
                    }
                    pos = emit(dst, pos, i < digits ? '0' + digitAt(src, off, i, negative) : '0');
                }
            }
        }
        else
        {
            pos = emit(dst, pos, '0' + digitAt(src, off, 0, negative));
            if (digits > 1)
            {
                pos = emit(dst, pos, '.');
                for (int i = 1; i < digits; i++)
                {
                    pos = emit(dst, pos, '0' + digitAt(src, off, i, negative));
                }
            }
            pos = emit(dst, pos, 'E');
            int scientificExponent = exponent - 1;
            pos = emit(dst, pos, scientificExponent < 0 ? '-' : '+');
            scientificExponent = Math.abs(scientificExponent);
            if (scientificExponent >= 100)
            {
                pos = emit(dst, pos, '0' + scientificExponent / 100);
            }
            if (scientificExponent >= 10)
            {
                pos = emit(dst, pos, '0' + (scientificExponent / 10) % 10);
            }
            pos = emit(dst, pos, '0' + scientificExponent % 10);
        }

        return pos - dstOffset;
    }

    private static int digitAt(final DirectBuffer src, final int off, final int index, final boolean negative)
    {
        final int pair = pairValue(src.getByte(off + 2 + (index >> 1)), negative);
        return 0 == (index & 1) ? pair / 10 : pair % 10;
    }

    private static int emit(final Object dst, final int pos, final int c)
    {
        if (dst instanceof MutableDirectBuffer)
        {
            ((MutableDirectBuffer)dst).putByte(pos, (byte)c);
        }
        else
        {
            ((StringBuilder)dst).append((char)c);
        }

        return pos + 1;
    }
}
