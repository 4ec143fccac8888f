package io.ferrite.http;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.sbe.ErrorCode;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The HTTP front's JSON reader: a pull tokenizer over one request body's UTF-8 bytes, with the subset of Jackson's
 * {@code JsonParser} API the front uses (same method names and token kinds), reset per document instead of created
 * per document: Jackson's parser costs ~0.8 KB of objects per request (parser, I/O context, symbol table child, text
 * buffer, a read context per nesting level). Member names and enum-like values the front knows
 * ({@link #currentName()}, {@link #getText()}) come back as interned Strings, anything else as a new String (only
 * off the item path: table names of batches, messages); item text is read as characters from
 * {@link #getTextCharacters()}.
 * <p>
 * Strict JSON (RFC 8259): no comments, no single quotes, no leading zeros, no trailing commas, control characters
 * in strings must be escaped; several root values are tokens in turn (the caller refuses data after its object).
 * Strings must be Unicode (RFC 8259 8.2, RFC 3629): a backslash-u surrogate escape not in a high-low pair, and
 * overlong UTF-8, UTF-8 of a surrogate or past U+10FFFF, are malformed (Jackson let them through).
 * Malformed input throws {@link MalformedJson}; nesting is bounded at 1,000 levels (Jackson's default).
 * <p>
 * Threading: one instance per event loop.
 */
final class JsonIn
{
    /** A body that is not JSON. */
    static final class MalformedJson extends IOException
    {
        private static final long serialVersionUID = 1L;

        MalformedJson(final String message)
        {
            super(message);
        }
    }

    /** An integer out of a long's range. */
    static final class OutOfRange extends IOException
    {
        private static final long serialVersionUID = 1L;

        OutOfRange(final String message)
        {
            super(message);
        }
    }

    /** A binary value that is not base64. */
    static final class BadBase64 extends IOException
    {
        private static final long serialVersionUID = 1L;

        BadBase64(final String message)
        {
            super(message);
        }
    }

    private static final int MAX_DEPTH = 1_000;
    private static final int[] BASE64 = new int[128];
    private static final String[] KNOWN = {
        "TableName", "Item", "Key", "ExclusiveStartKey", "ExpressionAttributeValues", "ExpressionAttributeNames",
        "ReturnValues", "ReturnConsumedCapacity", "ReturnValuesOnConditionCheckFailure", "ReturnItemCollectionMetrics",
        "TableClass", "Select", "ConsistentRead", "ScanIndexForward", "Limit", "Segment", "TotalSegments",
        "ConditionExpression", "UpdateExpression", "KeyConditionExpression", "FilterExpression", "ProjectionExpression",
        "IndexName", "ExclusiveStartTableName", "BillingMode", "ProvisionedThroughput", "AttributeDefinitions",
        "KeySchema", "GlobalSecondaryIndexes", "LocalSecondaryIndexes", "GlobalSecondaryIndexUpdates", "RequestItems",
        "AttributesToGet", "KeyConditions", "QueryFilter", "ScanFilter", "Expected", "ConditionalOperator",
        "AttributeUpdates", "ReadCapacityUnits", "WriteCapacityUnits", "AttributeName", "AttributeType", "KeyType",
        "Keys", "PutRequest", "DeleteRequest",
        "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS",
        "NONE", "TOTAL", "INDEXES", "SIZE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW", "ALL_ATTRIBUTES",
        "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT", "PROVISIONED", "PAY_PER_REQUEST", "HASH", "RANGE",
        "STANDARD", "STANDARD_INFREQUENT_ACCESS"};
    private static final String[] INTERNED = new String[256];

    static
    {
        java.util.Arrays.fill(BASE64, -1);
        final String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++)
        {
            BASE64[alphabet.charAt(i)] = i;
        }
        for (final String name : KNOWN)
        {
            int slot = hash(name) & (INTERNED.length - 1);
            while (null != INTERNED[slot])
            {
                slot = (slot + 1) & (INTERNED.length - 1);
            }
            INTERNED[slot] = name;
        }
    }

    private byte[] in;
    private int position;
    private int end;
    private JsonToken token;
    /** Per nesting level: true for an object, false for an array. */
    private boolean[] isObject = new boolean[16];
    /** Per nesting level: a member or element was read, so the next needs a comma. */
    private boolean[] hasValue = new boolean[16];
    private int depth;
    private char[] text = new char[256];
    private int textLength;
    private String name;
    private final byte[] binary = new byte[768];

    /**
     * @param bytes  the body.
     * @param offset where it starts.
     * @param length its length.
     * @return this, before the first token.
     */
    JsonIn reset(final byte[] bytes, final int offset, final int length)
    {
        in = bytes;
        position = offset;
        end = offset + length;
        token = null;
        depth = 0;
        textLength = 0;
        name = null;
        return this;
    }

    JsonToken currentToken()
    {
        return token;
    }

    /**
     * @return the next token, or null at the end of the input.
     */
    JsonToken nextToken() throws IOException
    {
        skipWhitespace();
        if (depth > 0)
        {
            final int level = depth - 1;
            if (position >= end)
            {
                throw malformed("Unexpected end-of-input: expected close marker for " +
                    (isObject[level] ? "Object" : "Array"));
            }
            final byte b = in[position];
            if (JsonToken.FIELD_NAME != token)
            {
                if (b == (isObject[level] ? '}' : ']'))
                {
                    position++;
                    depth--;
                    if (depth > 0)
                    {
                        hasValue[depth - 1] = true;
                    }
                    return token = isObject[level] ? JsonToken.END_OBJECT : JsonToken.END_ARRAY;
                }
                if (hasValue[level])
                {
                    if (b != ',')
                    {
                        throw malformed("Unexpected character ('" + (char)b + "'): was expecting comma to separate " +
                            (isObject[level] ? "Object entries" : "Array entries"));
                    }
                    position++;
                    skipWhitespace();
                }
                if (isObject[level])
                {
                    if (position >= end || in[position] != '"')
                    {
                        throw malformed("Unexpected character: was expecting double-quote to start field name");
                    }
                    position++;
                    string();
                    name = null;
                    skipWhitespace();
                    if (position >= end || in[position] != ':')
                    {
                        throw malformed("Unexpected character: was expecting a colon to separate field name and value");
                    }
                    position++;
                    return token = JsonToken.FIELD_NAME;
                }
            }
        }
        else if (position >= end)
        {
            return token = null;
        }
        return token = value();
    }

    /**
     * @return the current field name (interned when the front knows it), on a FIELD_NAME token.
     */
    String currentName()
    {
        if (null == name)
        {
            name = interned();
        }
        return name;
    }

    /**
     * @return the current token's text (interned when the front knows it).
     */
    String getText()
    {
        if (JsonToken.FIELD_NAME == token)
        {
            return currentName();
        }
        return interned();
    }

    char[] getTextCharacters()
    {
        return text;
    }

    int getTextOffset()
    {
        return 0;
    }

    int getTextLength()
    {
        return textLength;
    }

    /**
     * @return the current VALUE_NUMBER_INT as a long.
     */
    long getLongValue() throws IOException
    {
        long value = 0;
        final boolean negative = textLength > 0 && '-' == text[0];
        for (int i = negative ? 1 : 0; i < textLength; i++)
        {
            final int digit = text[i] - '0';
            if (value < (Long.MIN_VALUE + digit) / 10)
            {
                throw new OutOfRange("Numeric value (" + new String(text, 0, textLength) + ") out of range of long");
            }
            value = value * 10 - digit;
        }
        if (!negative)
        {
            if (Long.MIN_VALUE == value)
            {
                throw new OutOfRange("Numeric value (" + new String(text, 0, textLength) + ") out of range of long");
            }
            value = -value;
        }
        return value;
    }

    /**
     * Decodes the current VALUE_STRING as base64 into {@code out}: padded (a length that is a multiple of 4, at most
     * two {@code =} and only at the end), as DynamoDB requires.
     *
     * @throws FerriteException SerializationException, in DynamoDB's words, for a length that is not a multiple of 4.
     * @throws BadBase64        for any other malformed content.
     */
    void readBinaryValue(final OutputStream out) throws IOException
    {
        if (0 != (textLength & 3))
        {
            throw new FerriteException(ErrorCode.SerializationException,
                "Base64 encoded length is expected a multiple of 4 bytes but found: " + textLength);
        }
        int bits = 0;
        int count = 0;
        int buffered = 0;
        int padding = 0;
        for (int i = 0; i < textLength; i++)
        {
            final char c = text[i];
            if ('=' == c)
            {
                padding++;
                continue;
            }
            final int v = c < 128 ? BASE64[c] : -1;
            if (v < 0 || padding > 0)
            {
                throw new BadBase64("Illegal character '" + c + "' (code 0x" + Integer.toHexString(c) +
                    ") in base64 content");
            }
            bits = bits << 6 | v;
            if (++count == 4)
            {
                binary[buffered++] = (byte)(bits >> 16);
                binary[buffered++] = (byte)(bits >> 8);
                binary[buffered++] = (byte)bits;
                bits = 0;
                count = 0;
                if (buffered > binary.length - 3)
                {
                    out.write(binary, 0, buffered);
                    buffered = 0;
                }
            }
        }
        if (1 == count || padding > 2 || (0 != padding && (count + padding) != 4))
        {
            throw new BadBase64("Unexpected end of base64-encoded String: base64 variant 'MIME-NO-LINEFEEDS' expects " +
                "padding (one or more '=' characters) at the end");
        }
        if (3 == count)
        {
            binary[buffered++] = (byte)(bits >> 10);
            binary[buffered++] = (byte)(bits >> 2);
        }
        else if (2 == count)
        {
            binary[buffered++] = (byte)(bits >> 4);
        }
        out.write(binary, 0, buffered);
    }

    /**
     * On START_OBJECT or START_ARRAY: moves to its matching end; otherwise does nothing.
     */
    void skipChildren() throws IOException
    {
        if (JsonToken.START_OBJECT != token && JsonToken.START_ARRAY != token)
        {
            return;
        }
        int open = 1;
        while (open > 0)
        {
            final JsonToken next = nextToken();
            if (null == next)
            {
                return;
            }
            if (JsonToken.START_OBJECT == next || JsonToken.START_ARRAY == next)
            {
                open++;
            }
            else if (JsonToken.END_OBJECT == next || JsonToken.END_ARRAY == next)
            {
                open--;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------

    private JsonToken value() throws IOException
    {
        if (position >= end)
        {
            // After an array's comma: "[1," ends the input where a value must come.
            throw malformed("Unexpected end-of-input: expected a value");
        }
        final byte b = in[position];
        final JsonToken value;
        switch (b)
        {
            case '{', '[' ->
            {
                position++;
                push('{' == b);
                return '{' == b ? JsonToken.START_OBJECT : JsonToken.START_ARRAY;
            }
            case '"' ->
            {
                position++;
                string();
                value = JsonToken.VALUE_STRING;
            }
            case 't' -> value = literal("true", JsonToken.VALUE_TRUE);
            case 'f' -> value = literal("false", JsonToken.VALUE_FALSE);
            case 'n' -> value = literal("null", JsonToken.VALUE_NULL);
            default ->
            {
                if ('-' == b || (b >= '0' && b <= '9'))
                {
                    value = number();
                }
                else
                {
                    throw malformed("Unexpected character ('" + printable(b) + "' (code " + (b & 0xFF) +
                        ")): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or " +
                        "'false')");
                }
            }
        }
        if (depth > 0)
        {
            hasValue[depth - 1] = true;
        }
        return value;
    }

    private void push(final boolean object) throws MalformedJson
    {
        if (depth == MAX_DEPTH)
        {
            throw malformed("Document nesting depth exceeds the maximum allowed (" + MAX_DEPTH + ")");
        }
        if (depth == isObject.length)
        {
            isObject = java.util.Arrays.copyOf(isObject, depth * 2);
            hasValue = java.util.Arrays.copyOf(hasValue, depth * 2);
        }
        isObject[depth] = object;
        hasValue[depth] = false;
        depth++;
    }

    private JsonToken literal(final String word, final JsonToken kind) throws MalformedJson
    {
        final int n = word.length();
        for (int i = 0; i < n; i++)
        {
            if (position + i >= end || in[position + i] != word.charAt(i))
            {
                throw malformed("Unrecognized token: was expecting (JSON String, Number, Array, Object or token " +
                    "'null', 'true' or 'false')");
            }
        }
        position += n;
        if (position < end && isWordByte(in[position]))
        {
            throw malformed("Unrecognized token '" + word + (char)in[position] + "...': was expecting (JSON String, " +
                "Number, Array, Object or token 'null', 'true' or 'false')");
        }
        textLength = 0;
        for (int i = 0; i < n; i++)
        {
            text[textLength++] = word.charAt(i);
        }
        return kind;
    }

    private JsonToken number() throws MalformedJson
    {
        textLength = 0;
        if ('-' == in[position])
        {
            appendAscii(in[position++]);
        }
        final int intStart = position;
        while (position < end && isDigit(in[position]))
        {
            appendAscii(in[position++]);
        }
        final int intDigits = position - intStart;
        if (0 == intDigits)
        {
            throw malformed("Unexpected character: expected digit (0-9) to follow minus sign, for valid numeric value");
        }
        if (intDigits > 1 && '0' == in[intStart])
        {
            throw malformed("Invalid numeric value: Leading zeroes not allowed");
        }
        boolean fraction = false;
        if (position < end && '.' == in[position])
        {
            fraction = true;
            appendAscii(in[position++]);
            if (position >= end || !isDigit(in[position]))
            {
                throw malformed("Unexpected character: Decimal point not followed by a digit");
            }
            while (position < end && isDigit(in[position]))
            {
                appendAscii(in[position++]);
            }
        }
        if (position < end && ('e' == in[position] || 'E' == in[position]))
        {
            fraction = true;
            appendAscii(in[position++]);
            if (position < end && ('+' == in[position] || '-' == in[position]))
            {
                appendAscii(in[position++]);
            }
            if (position >= end || !isDigit(in[position]))
            {
                throw malformed("Unexpected character: Exponent indicator not followed by a digit");
            }
            while (position < end && isDigit(in[position]))
            {
                appendAscii(in[position++]);
            }
        }
        if (position < end && isWordByte(in[position]))
        {
            throw malformed("Unexpected character ('" + printable(in[position]) + "'): Expected space separating " +
                "root-level values or a separator");
        }
        return fraction ? JsonToken.VALUE_NUMBER_FLOAT : JsonToken.VALUE_NUMBER_INT;
    }

    /**
     * Reads a string's characters (after its opening quote) into the text buffer, up to and past its closing quote.
     */
    private void string() throws MalformedJson
    {
        textLength = 0;
        while (true)
        {
            if (position >= end)
            {
                throw malformed("Unexpected end-of-input: was expecting closing quote for a string value");
            }
            final int b = in[position++];
            if ('"' == b)
            {
                return;
            }
            if ('\\' == b)
            {
                escape();
            }
            else if (b >= 0x20)
            {
                appendChar((char)b);
            }
            else if (b >= 0)
            {
                throw malformed("Illegal unquoted character ((CTRL-CHAR, code " + b + ")): has to be escaped using " +
                    "backslash to be included in string value");
            }
            else
            {
                utf8(b & 0xFF);
            }
        }
    }

    private void escape() throws MalformedJson
    {
        if (position >= end)
        {
            throw malformed("Unexpected end-of-input in character escape sequence");
        }
        final byte e = in[position++];
        switch (e)
        {
            case '"', '\\', '/' -> appendChar((char)e);
            case 'b' -> appendChar('\b');
            case 'f' -> appendChar('\f');
            case 'n' -> appendChar('\n');
            case 'r' -> appendChar('\r');
            case 't' -> appendChar('\t');
            case 'u' ->
            {
                final char c = hexEscape();
                if (Character.isHighSurrogate(c) && position + 1 < end && '\\' == in[position] &&
                    'u' == in[position + 1])
                {
                    position += 2;
                    final char low = hexEscape();
                    if (!Character.isLowSurrogate(low))
                    {
                        throw unpairedSurrogate(c);
                    }
                    appendChar(c);
                    appendChar(low);
                }
                else if (Character.isSurrogate(c))
                {
                    throw unpairedSurrogate(c);
                }
                else
                {
                    appendChar(c);
                }
            }
            default -> throw malformed("Unrecognized character escape '" + printable(e) + "' (code " + e + ")");
        }
    }

    /**
     * Reads the four hex digits of a backslash-u escape (after the {@code u}).
     */
    private char hexEscape() throws MalformedJson
    {
        if (position + 4 > end)
        {
            throw malformed("Unexpected end-of-input in character escape sequence");
        }
        int c = 0;
        for (int i = 0; i < 4; i++)
        {
            final int digit = Character.digit(in[position++], 16);
            if (digit < 0)
            {
                throw malformed("Unexpected character in character escape sequence: expected a hex-digit");
            }
            c = c << 4 | digit;
        }
        return (char)c;
    }

    /**
     * A lone surrogate in a backslash-u escape: no Unicode character, so no UTF-8 for the node to store (RFC 8259 8.2).
     */
    private MalformedJson unpairedSurrogate(final char c)
    {
        return malformed("Invalid string: unpaired UTF-16 surrogate \\u" +
            Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + " (a high surrogate \\uD800-\\uDBFF must be " +
            "followed at once by a low one \\uDC00-\\uDFFF)");
    }

    private void utf8(final int first) throws MalformedJson
    {
        final int more;
        int c;
        if ((first & 0xE0) == 0xC0)
        {
            more = 1;
            c = first & 0x1F;
        }
        else if ((first & 0xF0) == 0xE0)
        {
            more = 2;
            c = first & 0x0F;
        }
        else if ((first & 0xF8) == 0xF0)
        {
            more = 3;
            c = first & 0x07;
        }
        else
        {
            throw malformed("Invalid UTF-8 start byte 0x" + Integer.toHexString(first));
        }
        for (int i = 0; i < more; i++)
        {
            if (position >= end || (in[position] & 0xC0) != 0x80)
            {
                throw malformed("Invalid UTF-8 middle byte");
            }
            c = c << 6 | (in[position++] & 0x3F);
        }
        if (c < (1 == more ? 0x80 : 2 == more ? 0x800 : 0x10000) || c > Character.MAX_CODE_POINT ||
            (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE))
        {
            // Overlong forms, encoded surrogates and code points past U+10FFFF are not UTF-8 (RFC 3629).
            throw malformed("Invalid UTF-8: a " + (more + 1) + "-byte sequence decoding to U+" +
                Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + " (overlong, a surrogate or past U+10FFFF)");
        }
        if (c >= 0x10000)
        {
            appendChar(Character.highSurrogate(c));
            appendChar(Character.lowSurrogate(c));
        }
        else
        {
            appendChar((char)c);
        }
    }

    private void appendAscii(final byte b)
    {
        appendChar((char)b);
    }

    private void appendChar(final char c)
    {
        if (textLength == text.length)
        {
            text = java.util.Arrays.copyOf(text, text.length * 2);
        }
        text[textLength++] = c;
    }

    private void skipWhitespace()
    {
        while (position < end)
        {
            final byte b = in[position];
            if (' ' != b && '\n' != b && '\r' != b && '\t' != b)
            {
                return;
            }
            position++;
        }
    }

    private String interned()
    {
        int h = 0;
        for (int i = 0; i < textLength; i++)
        {
            h = 31 * h + text[i];
        }
        int slot = h & (INTERNED.length - 1);
        String candidate;
        while (null != (candidate = INTERNED[slot]))
        {
            if (candidate.length() == textLength && sameText(candidate))
            {
                return candidate;
            }
            slot = (slot + 1) & (INTERNED.length - 1);
        }
        return new String(text, 0, textLength);
    }

    private boolean sameText(final String candidate)
    {
        for (int i = 0; i < textLength; i++)
        {
            if (candidate.charAt(i) != text[i])
            {
                return false;
            }
        }
        return true;
    }

    private static int hash(final String text)
    {
        return text.hashCode();
    }

    private static boolean isDigit(final byte b)
    {
        return b >= '0' && b <= '9';
    }

    private static boolean isWordByte(final byte b)
    {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || '_' == b || '.' == b ||
            '-' == b || '+' == b;
    }

    private static char printable(final byte b)
    {
        return b >= 0x20 && b < 0x7F ? (char)b : '?';
    }

    private MalformedJson malformed(final String message)
    {
        return new MalformedJson(message + " at byte " + position);
    }
}
