package io.ferrite.engine.expr;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.codecs.number.DecimalCodec;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Exact decimal addition and subtraction over the number encoding of decision 0001, for UpdateExpression's
 * {@code +}, {@code -} and ADD. The operands are decoded into digit arrays aligned by power of ten, added
 * exactly, and the result is written back as text through {@link DecimalCodec}, which applies DynamoDB's
 * range rules and words (magnitude 1E-130 to below 1E+126). A result of more than 38 significant digits is refused
 * here, in the words DynamoDB uses for arithmetic ("DynamoDB only supports precision up to 38 digits").
 * <p>
 * Threading: one instance per thread (it holds scratch arrays); no allocation after construction.
 */
final class DecimalMath
{
    // powers span -130 (smallest digit) .. 125 (largest), plus one carry digit
    private static final int MIN_POWER = DecimalCodec.MIN_EXPONENT - DecimalCodec.MAX_DIGITS;
    private static final int WIDTH = DecimalCodec.MAX_EXPONENT - MIN_POWER + 2;

    private final int[] a = new int[WIDTH];
    private final int[] b = new int[WIDTH];
    private final UnsafeBuffer text = new UnsafeBuffer(new byte[WIDTH + 16]);
    // digit arrays are all zero outside [low, high] between calls; only that window is worked on
    private int low;
    private int high;

    /**
     * Writes the N value (tag, length, encoding) of {@code x + y} or {@code x - y}.
     *
     * @param x        buffer holding the first N value.
     * @param xOff     its tag's offset.
     * @param y        buffer holding the second N value.
     * @param yOff     its tag's offset.
     * @param subtract true for x - y.
     * @param dst      where to write the N value.
     * @param dstOff   its offset.
     * @return the bytes written.
     */
    int addValues(
        final DirectBuffer x, final int xOff, final DirectBuffer y, final int yOff, final boolean subtract,
        final MutableDirectBuffer dst, final int dstOff)
    {
        final int xLen = x.getByte(xOff + 1) & 0xFF;
        final int yLen = y.getByte(yOff + 1) & 0xFF;
        low = WIDTH;
        high = 0;
        final int xSign = load(x, xOff + 2, xLen, a);
        final int ySign = (subtract ? -1 : 1) * load(y, yOff + 2, yLen, b);
        if (low > high)
        {
            low = 0;
            high = 0;
        }
        high = Math.min(WIDTH - 1, high + 1);

        final int sign;
        if (0 == ySign)
        {
            sign = xSign;
        }
        else if (0 == xSign)
        {
            System.arraycopy(b, low, a, low, high - low + 1);
            sign = ySign;
        }
        else if (xSign == ySign)
        {
            int carry = 0;
            for (int i = low; i <= high; i++)
            {
                final int sum = a[i] + b[i] + carry;
                carry = sum >= 10 ? 1 : 0;
                a[i] = sum - carry * 10;
            }
            sign = xSign;
        }
        else
        {
            final int cmp = compareMagnitude();
            if (0 == cmp)
            {
                clear(a, low, high);
                sign = 0;
            }
            else
            {
                final int[] big = cmp > 0 ? a : b;
                final int[] small = cmp > 0 ? b : a;
                int borrow = 0;
                for (int i = low; i <= high; i++)
                {
                    int diff = big[i] - small[i] - borrow;
                    borrow = diff < 0 ? 1 : 0;
                    diff += borrow * 10;
                    a[i] = diff;
                }
                sign = cmp > 0 ? xSign : ySign;
            }
        }

        dst.putByte(dstOff, ItemFormat.TYPE_N);
        final int length = writeText(sign);
        clear(a, low, high);
        clear(b, low, high);
        final int encoded = DecimalCodec.encode(text, 0, length, dst, dstOff + 2);
        dst.putByte(dstOff + 1, (byte)encoded);
        return 2 + encoded;
    }

    /** Index i of the digit arrays holds the digit of 10^(i + MIN_POWER); widens [low, high] to cover it. */
    private int load(final DirectBuffer buf, final int off, final int len, final int[] digits)
    {
        final byte marker = buf.getByte(off);
        if (DecimalCodec.ZERO == marker)
        {
            return 0;
        }
        final boolean negative = DecimalCodec.NEGATIVE == marker;
        final int biased = buf.getByte(off + 1) & 0xFF;
        final int exponent = (negative ? 255 - biased : biased) + DecimalCodec.MIN_EXPONENT;
        int power = exponent - 1;
        high = Math.max(high, power - MIN_POWER);
        final int pairsEnd = off + len - 1;
        for (int pos = off + 2; pos < pairsEnd; pos++)
        {
            final int value = negative ? 255 - (buf.getByte(pos) & 0xFF) : buf.getByte(pos) & 0xFF;
            final int pair = (value - 2) >> 1;
            digits[power - MIN_POWER] = pair / 10;
            power--;
            digits[power - MIN_POWER] = pair % 10;
            power--;
        }
        low = Math.min(low, power + 1 - MIN_POWER);
        return negative ? -1 : 1;
    }

    private int compareMagnitude()
    {
        for (int i = high; i >= low; i--)
        {
            if (a[i] != b[i])
            {
                return a[i] - b[i];
            }
        }
        return 0;
    }

    /** Writes the digits of {@link #a} as {@code [-]digitsE<power>} in {@link #text}. */
    private int writeText(final int sign)
    {
        int top = high;
        while (top >= low && 0 == a[top])
        {
            top--;
        }
        if (top < low || 0 == sign)
        {
            text.putByte(0, (byte)'0');
            return 1;
        }
        int bottom = low;
        while (0 == a[bottom])
        {
            bottom++;
        }
        if (top - bottom + 1 > DecimalCodec.MAX_DIGITS)
        {
            // an exact sum DynamoDB cannot store: its words for arithmetic, not the codec's for a stored number
            clear(a, low, high);
            clear(b, low, high);
            throw FerriteException.validation("DynamoDB only supports precision up to 38 digits");
        }
        int pos = 0;
        if (sign < 0)
        {
            text.putByte(pos++, (byte)'-');
        }
        for (int i = top; i >= bottom; i--)
        {
            text.putByte(pos++, (byte)('0' + a[i]));
        }
        text.putByte(pos++, (byte)'E');
        pos += text.putIntAscii(pos, bottom + MIN_POWER);
        return pos;
    }

    private static void clear(final int[] digits, final int from, final int to)
    {
        java.util.Arrays.fill(digits, from, to + 1, 0);
    }
}
