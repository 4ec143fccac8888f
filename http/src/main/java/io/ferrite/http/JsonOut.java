package io.ferrite.http;

import org.agrona.DirectBuffer;

import java.util.zip.CRC32;

/**
 * The HTTP front's JSON writer: UTF-8 JSON into one reused byte array, written field by field like Jackson's
 * generator (whose method names it keeps) but without a generator, context and output stream per document, and
 * with attribute names and values taken as bytes straight from the item ({@link #fieldName(DirectBuffer, int, int)},
 * {@link #stringUtf8}, {@link #binary}), where Jackson wants a String per field name. The caller computes the
 * body's CRC32 over the array ({@link #crc32}) and copies it after the response head into one pooled buffer.
 * <p>
 * Output is compact JSON; strings escape {@code "}, {@code \} and control characters, everything else (non-ASCII
 * UTF-8 included) passes through, as Jackson's default does. Binary values are base64 with padding (RFC 4648's
 * alphabet), as DynamoDB writes them.
 * <p>
 * Threading: one instance per event loop, reset per document.
 */
final class JsonOut
{
    private static final byte[] BASE64 =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private byte[] bytes = new byte[4096];
    private int position;
    /** A value or a whole container was just written: the next field name or array element needs a comma. */
    private boolean comma;

    JsonOut reset()
    {
        position = 0;
        comma = false;
        return this;
    }

    byte[] array()
    {
        return bytes;
    }

    int length()
    {
        return position;
    }

    long crc32(final CRC32 crc)
    {
        crc.reset();
        crc.update(bytes, 0, position);
        return crc.getValue();
    }

    // ------------------------------------------------------------------------------------------------
    // Structure
    // ------------------------------------------------------------------------------------------------

    JsonOut writeStartObject()
    {
        beforeValue();
        put((byte)'{');
        comma = false;
        return this;
    }

    JsonOut writeEndObject()
    {
        put((byte)'}');
        comma = true;
        return this;
    }

    JsonOut writeStartArray()
    {
        beforeValue();
        put((byte)'[');
        comma = false;
        return this;
    }

    JsonOut writeEndArray()
    {
        put((byte)']');
        comma = true;
        return this;
    }

    JsonOut writeFieldName(final CharSequence name)
    {
        beforeValue();
        quoted(name);
        put((byte)':');
        comma = false;
        return this;
    }

    /**
     * A field name given as UTF-8 bytes (an attribute name inside an item).
     */
    JsonOut fieldName(final DirectBuffer buffer, final int offset, final int length)
    {
        beforeValue();
        quotedUtf8(buffer, offset, length);
        put((byte)':');
        comma = false;
        return this;
    }

    JsonOut writeObjectFieldStart(final String name)
    {
        return writeFieldName(name).writeStartObject();
    }

    JsonOut writeArrayFieldStart(final String name)
    {
        return writeFieldName(name).writeStartArray();
    }

    // ------------------------------------------------------------------------------------------------
    // Values
    // ------------------------------------------------------------------------------------------------

    JsonOut writeString(final CharSequence value)
    {
        beforeValue();
        quoted(value);
        comma = true;
        return this;
    }

    /**
     * A string value given as UTF-8 bytes.
     */
    JsonOut stringUtf8(final DirectBuffer buffer, final int offset, final int length)
    {
        beforeValue();
        quotedUtf8(buffer, offset, length);
        comma = true;
        return this;
    }

    /**
     * A binary value, written as a base64 string.
     */
    JsonOut binary(final DirectBuffer buffer, final int offset, final int length)
    {
        beforeValue();
        ensure(2 + (length + 2) / 3 * 4);
        final byte[] out = bytes;
        int p = position;
        out[p++] = '"';
        final int end = offset + length;
        int i = offset;
        for (; i + 3 <= end; i += 3)
        {
            final int n = (buffer.getByte(i) & 0xFF) << 16 | (buffer.getByte(i + 1) & 0xFF) << 8 |
                (buffer.getByte(i + 2) & 0xFF);
            out[p++] = BASE64[n >>> 18];
            out[p++] = BASE64[(n >>> 12) & 0x3F];
            out[p++] = BASE64[(n >>> 6) & 0x3F];
            out[p++] = BASE64[n & 0x3F];
        }
        final int rest = end - i;
        if (rest > 0)
        {
            final int n = (buffer.getByte(i) & 0xFF) << 16 | (2 == rest ? (buffer.getByte(i + 1) & 0xFF) << 8 : 0);
            out[p++] = BASE64[n >>> 18];
            out[p++] = BASE64[(n >>> 12) & 0x3F];
            out[p++] = 2 == rest ? BASE64[(n >>> 6) & 0x3F] : (byte)'=';
            out[p++] = '=';
        }
        out[p++] = '"';
        position = p;
        comma = true;
        return this;
    }

    JsonOut writeNumber(final long value)
    {
        beforeValue();
        digits(value);
        comma = true;
        return this;
    }

    /**
     * A non-negative count of halves as a decimal with one fraction digit ("0.5", "3.0"), as DynamoDB writes
     * capacity units; allocates nothing.
     *
     * @param halves the value times two.
     * @return this writer.
     */
    JsonOut writeHalves(final long halves)
    {
        beforeValue();
        digits(halves >> 1);
        ensure(2);
        bytes[position++] = '.';
        bytes[position++] = (byte)(0 == (halves & 1) ? '0' : '5');
        comma = true;
        return this;
    }

    /**
     * A double as Java writes it ({@link Double#toString}, as Jackson does; allocates, off the item path).
     */
    JsonOut writeNumber(final double value)
    {
        beforeValue();
        ascii(Double.toString(value));
        comma = true;
        return this;
    }

    JsonOut writeBoolean(final boolean value)
    {
        beforeValue();
        ascii(value ? "true" : "false");
        comma = true;
        return this;
    }

    JsonOut writeStringField(final String name, final CharSequence value)
    {
        return writeFieldName(name).writeString(value);
    }

    JsonOut writeNumberField(final String name, final long value)
    {
        return writeFieldName(name).writeNumber(value);
    }

    JsonOut writeNumberField(final String name, final double value)
    {
        return writeFieldName(name).writeNumber(value);
    }

    JsonOut writeHalvesField(final String name, final long halves)
    {
        return writeFieldName(name).writeHalves(halves);
    }

    JsonOut writeBooleanField(final String name, final boolean value)
    {
        return writeFieldName(name).writeBoolean(value);
    }

    /**
     * Decimal digits of a long, without allocating (also used for the response head).
     */
    static int digits(final byte[] out, final int at, final long value)
    {
        if (Long.MIN_VALUE == value)
        {
            final byte[] min = Long.toString(value).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            System.arraycopy(min, 0, out, at, min.length);
            return at + min.length;
        }
        int p = at;
        long v = value;
        if (v < 0)
        {
            out[p++] = '-';
            v = -v;
        }
        long bound = 10;
        int n = 1;
        while (n < 19 && bound <= v)
        {
            bound *= 10;
            n++;
        }
        final int end = p + n;
        int q = end;
        do
        {
            out[--q] = (byte)('0' + (v % 10));
            v /= 10;
        }
        while (v > 0);
        return end;
    }

    // ------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------

    private void beforeValue()
    {
        if (comma)
        {
            put((byte)',');
        }
    }

    private void digits(final long value)
    {
        ensure(20);
        position = digits(bytes, position, value);
    }

    private void ascii(final String text)
    {
        final int n = text.length();
        ensure(n);
        for (int i = 0; i < n; i++)
        {
            bytes[position++] = (byte)text.charAt(i);
        }
    }

    private void quoted(final CharSequence text)
    {
        final int n = text.length();
        ensure(2 + n * 6);
        final byte[] out = bytes;
        int p = position;
        out[p++] = '"';
        for (int i = 0; i < n; i++)
        {
            final char c = text.charAt(i);
            if (c < 0x80)
            {
                p = escaped(out, p, c);
            }
            else if (c < 0x800)
            {
                out[p++] = (byte)(0xC0 | (c >> 6));
                out[p++] = (byte)(0x80 | (c & 0x3F));
            }
            else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1)))
            {
                final int cp = Character.toCodePoint(c, text.charAt(++i));
                out[p++] = (byte)(0xF0 | (cp >> 18));
                out[p++] = (byte)(0x80 | ((cp >> 12) & 0x3F));
                out[p++] = (byte)(0x80 | ((cp >> 6) & 0x3F));
                out[p++] = (byte)(0x80 | (cp & 0x3F));
            }
            else if (Character.isSurrogate(c))
            {
                out[p++] = '?';
            }
            else
            {
                out[p++] = (byte)(0xE0 | (c >> 12));
                out[p++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                out[p++] = (byte)(0x80 | (c & 0x3F));
            }
        }
        out[p++] = '"';
        position = p;
    }

    private void quotedUtf8(final DirectBuffer buffer, final int offset, final int length)
    {
        ensure(2 + length * 6);
        final byte[] out = bytes;
        int p = position;
        out[p++] = '"';
        final int end = offset + length;
        for (int i = offset; i < end; i++)
        {
            final byte b = buffer.getByte(i);
            p = b >= 0 ? escaped(out, p, (char)b) : put(out, p, b);
        }
        out[p++] = '"';
        position = p;
    }

    private static int put(final byte[] out, final int p, final byte b)
    {
        out[p] = b;
        return p + 1;
    }

    private static int escaped(final byte[] out, final int at, final char c)
    {
        int p = at;
        if (c >= 0x20 && c != '"' && c != '\\')
        {
            out[p++] = (byte)c;
            return p;
        }
        out[p++] = '\\';
        switch (c)
        {
            case '"' -> out[p++] = '"';
            case '\\' -> out[p++] = '\\';
            case '\n' -> out[p++] = 'n';
            case '\r' -> out[p++] = 'r';
            case '\t' -> out[p++] = 't';
            case '\b' -> out[p++] = 'b';
            case '\f' -> out[p++] = 'f';
            default ->
            {
                out[p++] = 'u';
                out[p++] = '0';
                out[p++] = '0';
                out[p++] = HEX[c >> 4];
                out[p++] = HEX[c & 0xF];
            }
        }
        return p;
    }

    private void put(final byte b)
    {
        ensure(1);
        bytes[position++] = b;
    }

    private void ensure(final int more)
    {
        final int needed = position + more;
        if (needed > bytes.length)
        {
            bytes = java.util.Arrays.copyOf(bytes, Math.max(needed, bytes.length * 2));
        }
    }
}
