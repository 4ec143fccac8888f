package io.ferrite.codecs.number;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.sbe.ErrorCode;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecimalCodecTest
{
    private final UnsafeBuffer a = new UnsafeBuffer(new byte[64]);
    private final UnsafeBuffer b = new UnsafeBuffer(new byte[64]);

    @Test
    void canonicalTextIsPlainLikeDynamoDbReturnsIt()
    {
        assertCanonical("123", "123");
        assertCanonical("123", "+123.000");
        assertCanonical("-1.5", "-1.50");
        assertCanonical("0.001", "1e-3");
        assertCanonical("1000", "1E3");
        assertCanonical("0", "-0");
        assertCanonical("0", "0.000");
        assertCanonical("0", "0e5");
        assertCanonical("0", "-00.00E-999999999999");
        assertCanonical("12.5", ".125e2");
        assertCanonical("1.5E+125", "15E124");
        assertCanonical("1E-130", "1E-130");
        assertCanonical("-9.9999999999999999999999999999999999999E+125", "-9.9999999999999999999999999999999999999E+125");
        assertCanonical("1000000000000000000000000000000000000000", "1E39");
        assertCanonical("1E+40", "1E40");
        assertCanonical("0.00000000000000000000000000000000000001", "1E-38");
        assertCanonical("1E-39", "1E-39");
    }

    @Test
    void everyErrorRuleNamesItsRuleInDynamoDbWords()
    {
        assertRejected("1234567890123456789012345678901234567890", // 39 significant digits... 40 with last 0
            "Attempting to store more than 38 significant digits in a Number");
        assertRejected("123456789012345678901234567890123456789",
            "Attempting to store more than 38 significant digits in a Number");
        assertRejected("1E126",
            "Number overflow. Attempting to store a number with magnitude larger than supported range");
        assertRejected("-1E+999999999999999",
            "Number overflow. Attempting to store a number with magnitude larger than supported range");
        assertRejected("9.9E-131",
            "Number underflow. Attempting to store a number with magnitude smaller than supported range");
        for (final String text : new String[]{"", "-", "+", ".", "1e", "1e+", "abc", "1.2.3", " 1", "1 ", "0x10",
            "NaN", "Infinity", "1e5.5", "--1", "1-"})
        {
            assertRejected(text, "The parameter cannot be converted to a numeric value: " + text);
        }
        // 38 digits and the range limits are accepted
        encode("12345678901234567890123456789012345678", a);
        encode("1234567890123456789012345678901234567800000", a);
        encode("9.9999999999999999999999999999999999999E125", a);
        encode("1E-130", a);
    }

    @Test
    void asciiBufferInputMatchesCharSequenceInput()
    {
        final String text = "-123.456e-7";
        final byte[] ascii = ("xx" + text).getBytes(StandardCharsets.US_ASCII);
        final int len = DecimalCodec.encode(new UnsafeBuffer(ascii), 2, text.length(), a, 3);
        final int expected = encode(text, b);
        assertEquals(expected, len);
        assertEquals(0, DecimalCodec.compare(a, 3, len, b, 0, expected));
        final FerriteException e = assertThrows(FerriteException.class,
            () -> DecimalCodec.encode(new UnsafeBuffer("1x".getBytes(StandardCharsets.US_ASCII)), 0, 2, a, 0));
        assertEquals("The parameter cannot be converted to a numeric value: 1x", e.getMessage());
    }

    @Test
    void randomDecimalsSortByByteOrderAndRoundTripCanonically()
    {
        final SplittableRandom random = new SplittableRandom(20240601L);
        BigDecimal previous = BigDecimal.ZERO;
        int previousLength = encode("0", b);
        for (int i = 0; i < 50_000; i++)
        {
            final BigDecimal value = randomDecimal(random);
            final String text = 0 == (i & 1) ? value.toString() : value.toPlainString();
            final int length = encode(text, a);
            assertTrue(DecimalCodec.isValidEncoding(a, 0, length), text);
            assertEquals(length, DecimalCodec.encodedLength(a, 0), text);

            final String canonical = DecimalCodec.toString(a, 0, length);
            assertEquals(0, value.compareTo(new BigDecimal(canonical)), text + " -> " + canonical);
            assertEquals(0, value.compareTo(DecimalCodec.toBigDecimal(a, 0, length)));
            assertEquals(length, encode(canonical, b), canonical);
            assertEquals(0, DecimalCodec.compare(a, 0, length, b, 0, length), canonical);
            assertEquals(canonical, DecimalCodec.toString(b, 0, length), "canonical text is a fixed point");
            assertEquals(digits(value), DecimalCodec.significantDigits(a, 0, length), text);

            final UnsafeBuffer text2 = new UnsafeBuffer(new byte[DecimalCodec.MAX_TEXT_LENGTH]);
            final int textLength = DecimalCodec.decode(a, 0, length, text2, 0);
            assertEquals(canonical, text2.getStringWithoutLengthAscii(0, textLength));

            final UnsafeBuffer previousBuffer = new UnsafeBuffer(new byte[32]);
            DecimalCodec.encode(previous, previousBuffer, 0);
            assertEquals(
                Integer.signum(value.compareTo(previous)),
                Integer.signum(DecimalCodec.compare(a, 0, length, previousBuffer, 0, previousLength)),
                value + " vs " + previous);
            previous = value;
            previousLength = length;
        }
    }

    @Test
    void longsEncodeLikeTheirText()
    {
        final SplittableRandom random = new SplittableRandom(7);
        final long[] fixed = {0, 1, -1, 10, -10, 100, 1200, Long.MAX_VALUE, Long.MIN_VALUE, 1_000_000_000_000_000_000L};
        for (int i = 0; i < 20_000; i++)
        {
            final long value = i < fixed.length ? fixed[i] :
                random.nextLong() / (long)Math.pow(10, random.nextInt(19)) * (long)Math.pow(10, random.nextInt(3));
            final int length = DecimalCodec.encode(value, a, 0);
            final int expected = encode(Long.toString(value), b);
            assertEquals(expected, length, Long.toString(value));
            assertEquals(0, DecimalCodec.compare(a, 0, length, b, 0, expected), Long.toString(value));
        }
    }

    @Test
    void strictValidationRejectsNonNormalisedForms()
    {
        final int length = encode("12.3", a);
        assertTrue(DecimalCodec.isValidEncoding(a, 0, length));
        assertFalse(DecimalCodec.isValidEncoding(a, 0, length - 1), "missing terminator");
        assertFalse(DecimalCodec.isValidEncoding(a, 0, 0));
        assertFalse(DecimalCodec.isValidEncoding(bytes(0x80, 0x00), 0, 2), "zero with trailing byte");
        assertFalse(DecimalCodec.isValidEncoding(bytes(0xC0, 0x81, 0x00), 0, 3), "no pairs");
        assertFalse(DecimalCodec.isValidEncoding(bytes(0xC0, 0x81, 2 * 5 + 2, 0x00), 0, 4), "leading zero digit");
        assertFalse(DecimalCodec.isValidEncoding(bytes(0xC0, 0x81, 2 * 12 + 2, 2, 0x00), 0, 5), "trailing zero pair");
        assertFalse(DecimalCodec.isValidEncoding(bytes(0xC0, 0x81, 2 * 12 + 3, 0x00), 0, 4), "odd pair byte");
        assertFalse(DecimalCodec.isValidEncoding(bytes(0xC0, 0x81, 202, 0x00), 0, 4), "pair above 99");
        assertFalse(DecimalCodec.isValidEncoding(bytes(0x41, 0x81, 202, 0xFF), 0, 4), "bad marker");
        assertFalse(DecimalCodec.isValidEncoding(bytes(0x40, 0x81, 2 * 12 + 2, 0x00), 0, 4), "wrong terminator");
        assertTrue(DecimalCodec.isValidEncoding(bytes(0x40, 0x81, 255 - (2 * 12 + 2), 0xFF), 0, 4));
        final FerriteException e = assertThrows(FerriteException.class, () -> DecimalCodec.encodedLength(bytes(7), 0));
        assertEquals(ErrorCode.ValidationException, e.code());
    }

    private static UnsafeBuffer bytes(final int... values)
    {
        final byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++)
        {
            bytes[i] = (byte)values[i];
        }
        return new UnsafeBuffer(bytes);
    }

    private static int digits(final BigDecimal value)
    {
        return 0 == value.signum() ? 0 : value.stripTrailingZeros().precision();
    }

    private static BigDecimal randomDecimal(final SplittableRandom random)
    {
        switch (random.nextInt(8))
        {
            case 0:
                return BigDecimal.ZERO;
            case 1:
                return BigDecimal.valueOf(random.nextInt(-1000, 1000));
            default:
                final int digits = 1 + random.nextInt(38);
                final StringBuilder sb = new StringBuilder();
                if (random.nextBoolean())
                {
                    sb.append('-');
                }
                sb.append((char)('1' + random.nextInt(9)));
                for (int i = 1; i < digits; i++)
                {
                    sb.append((char)('0' + random.nextInt(10)));
                }
                // value = 0.d1..dn x 10^e with e in [-129, 126]
                final int exponent = random.nextInt(4) == 0 ?
                    (random.nextBoolean() ? -129 + random.nextInt(3) : 124 + random.nextInt(3)) :
                    random.nextInt(-129, 127);
                return new BigDecimal(new java.math.BigInteger(sb.toString()), digits - exponent);
        }
    }

    private static int encode(final String text, final UnsafeBuffer dst)
    {
        return DecimalCodec.encode(text, 0, text.length(), dst, 0);
    }

    private void assertCanonical(final String expected, final String text)
    {
        final int length = encode(text, a);
        assertEquals(expected, DecimalCodec.toString(a, 0, length), text);
        final StringBuilder sb = new StringBuilder("x");
        DecimalCodec.appendTo(a, 0, length, sb);
        assertEquals("x" + expected, sb.toString());
    }

    private void assertRejected(final String text, final String message)
    {
        final FerriteException e = assertThrows(FerriteException.class, () -> encode(text, a), text);
        assertEquals(ErrorCode.ValidationException, e.code());
        assertEquals(message, e.getMessage());
    }
}
