package io.ferrite.http;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.codecs.number.DecimalCodec;
import io.ferrite.codecs.sbe.ErrorCode;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.io.ExpandableDirectBufferOutputStream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static io.ferrite.codecs.item.ItemFormat.*;

/**
 * DynamoDB JSON ({@code {"pk": {"S": "a"}, "n": {"N": "1"}}}) streamed straight into Ferrite's item bytes
 * ({@link ItemWriter}) and item bytes streamed straight out to a {@link JsonGenerator}: no tree, no
 * {@code AttributeValue} objects. The CLI's {@code DynamoJson} converts trees (it needs them for shorthand and
 * botocore's client-side messages); this one is the HTTP front's request path.
 * <p>
 * Errors: a JSON shape that does not fit (a number where a string belongs, an unknown type key) is a
 * SerializationException naming the path; content that DynamoDB rejects (an empty value, two types in one value,
 * {@code NULL: false}, a bad number or base64) is a ValidationException in DynamoDB's words.
 * <p>
 * Threading: one instance per event loop (it holds scratch buffers); allocation-free in steady state.
 */
final class ItemJson
{
    private final Chars chars = new Chars();
    /** The name of the top-level entry being read (readValue reuses {@link #chars} for nested names and values). */
    private final Chars entryName = new Chars();
    private final ExpandableDirectBufferOutputStream binaryOut =
        new ExpandableDirectBufferOutputStream(new ExpandableArrayBuffer(256));
    private final ExpandableArrayBuffer numberText = new ExpandableArrayBuffer(DecimalCodec.MAX_TEXT_LENGTH + 8);

    // ------------------------------------------------------------------------------------------------
    // JSON in
    // ------------------------------------------------------------------------------------------------

    /**
     * Reads an attribute map ({@code Item}, {@code Key}, {@code ExclusiveStartKey}) whose START_OBJECT is the parser's
     * current token, into a reset writer.
     *
     * @param parser positioned on START_OBJECT (anything else is a SerializationException).
     * @param writer a reset writer; finished by the caller.
     * @param path   the parameter's name, for messages.
     */
    void readItem(final JsonIn parser, final ItemWriter writer, final String path) throws IOException
    {
        readEntries(parser, writer, path, false);
    }

    /**
     * Reads {@code ExpressionAttributeValues} as {@link #readItem} does, and words a value's ValidationException as
     * DynamoDB does: "ExpressionAttributeValues contains invalid value: <the value's error> for key :v".
     *
     * @param parser positioned on START_OBJECT (anything else is a SerializationException).
     * @param writer a reset writer; finished by the caller.
     * @param path   the parameter's name, for messages.
     */
    void readValues(final JsonIn parser, final ItemWriter writer, final String path) throws IOException
    {
        readEntries(parser, writer, path, true);
    }

    private void readEntries(final JsonIn parser, final ItemWriter writer, final String path, final boolean placeholders)
        throws IOException
    {
        expect(parser, JsonToken.START_OBJECT, path);
        while (parser.nextToken() == JsonToken.FIELD_NAME)
        {
            writer.name(entryName.of(parser));
            parser.nextToken();
            try
            {
                readValue(parser, writer, path);
            }
            catch (final FerriteException ex)
            {
                if (!placeholders || ErrorCode.ValidationException != ex.code())
                {
                    throw ex;
                }
                throw FerriteException.validation("ExpressionAttributeValues contains invalid value: " +
                    ex.getMessage() + " for key " + entryName);
            }
        }
    }

    /**
     * Reads one DynamoDB JSON value ({@code {"S": "a"}}) whose START_OBJECT is the current token.
     *
     * @param parser positioned on the value's START_OBJECT.
     * @param writer where the value goes (after a name, in a list, or as a lone value).
     * @param path   where it is, for messages.
     */
    void readValue(final JsonIn parser, final ItemWriter writer, final String path) throws IOException
    {
        expect(parser, JsonToken.START_OBJECT, path);
        int types = 0;
        while (parser.nextToken() == JsonToken.FIELD_NAME)
        {
            final String type = parser.currentName();
            if (++types > 1)
            {
                throw FerriteException.validation("Supplied AttributeValue has more than one datatypes set, must " +
                    "contain exactly one of the supported datatypes");
            }
            final JsonToken token = parser.nextToken();
            switch (type)
            {
                case "S":
                    expect(parser, JsonToken.VALUE_STRING, path);
                    writer.string(chars.of(parser));
                    break;
                case "N":
                    expect(parser, JsonToken.VALUE_STRING, path);
                    writer.number(chars.of(parser));
                    break;
                case "B":
                    expect(parser, JsonToken.VALUE_STRING, path);
                    writer.binary(base64(parser), 0, binaryOut.position());
                    break;
                case "BOOL":
                    writer.bool(bool(parser, token, path));
                    break;
                case "NULL":
                    if (!bool(parser, token, path))
                    {
                        throw FerriteException.validation("One or more parameter values were invalid: Null attribute " +
                            "value types must have the value of true");
                    }
                    writer.nul();
                    break;
                case "M":
                    expect(parser, JsonToken.START_OBJECT, path);
                    writer.beginMap();
                    while (parser.nextToken() == JsonToken.FIELD_NAME)
                    {
                        writer.name(chars.of(parser));
                        parser.nextToken();
                        readValue(parser, writer, path);
                    }
                    writer.endMap();
                    break;
                case "L":
                    expect(parser, JsonToken.START_ARRAY, path);
                    writer.beginList();
                    while (parser.nextToken() != JsonToken.END_ARRAY)
                    {
                        readValue(parser, writer, path);
                    }
                    writer.endList();
                    break;
                case "SS":
                case "NS":
                case "BS":
                    readSet(parser, writer, type, path);
                    break;
                default:
                    throw new FerriteException(ErrorCode.SerializationException, "Unexpected AttributeValue type \"" +
                        type + "\" in " + path + ": must be one of S, N, B, SS, NS, BS, M, L, NULL, BOOL");
            }
        }
        if (0 == types)
        {
            throw FerriteException.validation("Supplied AttributeValue is empty, must contain exactly one of the " +
                "supported datatypes");
        }
    }

    private void readSet(final JsonIn parser, final ItemWriter writer, final String type, final String path)
        throws IOException
    {
        expect(parser, JsonToken.START_ARRAY, path);
        if (parser.nextToken() == JsonToken.END_ARRAY)
        {
            throw FerriteException.validation("One or more parameter values were invalid: An " +
                ("SS".equals(type) ? "string" : "NS".equals(type) ? "number" : "binary") + " set  may not be empty");
        }
        switch (type)
        {
            case "SS" -> writer.beginStringSet();
            case "NS" -> writer.beginNumberSet();
            default -> writer.beginBinarySet();
        }
        do
        {
            expect(parser, JsonToken.VALUE_STRING, path);
            switch (type)
            {
                case "SS" -> writer.string(chars.of(parser));
                case "NS" -> writer.number(chars.of(parser));
                default -> writer.binary(base64(parser), 0, binaryOut.position());
            }
        }
        while (parser.nextToken() != JsonToken.END_ARRAY);
        writer.endSet(true); // DynamoDB refuses duplicates; the builder API drops them
    }

    private DirectBuffer base64(final JsonIn parser) throws IOException
    {
        binaryOut.wrap(binaryOut.buffer());
        try
        {
            parser.readBinaryValue(binaryOut);
        }
        catch (final JsonIn.BadBase64 ex)
        {
            throw FerriteException.validation("One or more parameter values were invalid: Invalid Base64 value: " +
                ex.getMessage());
        }
        return binaryOut.buffer();
    }

    private static boolean bool(final JsonIn parser, final JsonToken token, final String path)
    {
        if (token == JsonToken.VALUE_TRUE)
        {
            return true;
        }
        if (token == JsonToken.VALUE_FALSE)
        {
            return false;
        }
        throw wrongType(parser, token, path, "a boolean");
    }

    /**
     * @param parser   the parser.
     * @param expected the token the shape needs here.
     * @param path     the parameter, for the message.
     */
    static void expect(final JsonIn parser, final JsonToken expected, final String path)
    {
        final JsonToken token = parser.currentToken();
        if (token != expected)
        {
            throw wrongType(parser, token, path, switch (expected)
            {
                case START_OBJECT -> "an object";
                case START_ARRAY -> "a list";
                case VALUE_STRING -> "a string";
                default -> expected.toString();
            });
        }
    }

    static FerriteException wrongType(final JsonIn parser, final JsonToken token, final String path,
        final String expected)
    {
        final String found = null == token ? "end of input" : switch (token)
        {
            case START_OBJECT -> "Start of structure or map";
            case START_ARRAY -> "Start of list";
            case VALUE_STRING -> "String value";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "Number value";
            case VALUE_TRUE, VALUE_FALSE -> "Boolean value";
            case VALUE_NULL -> "NULL value";
            default -> token.toString();
        };
        return new FerriteException(ErrorCode.SerializationException,
            found + " found where not expected (" + path + " must be " + expected + ")");
    }

    /**
     * The current token's text as a reused {@link CharSequence} (valid until the next token).
     */
    Chars chars(final JsonIn parser) throws IOException
    {
        return chars.of(parser);
    }

    // ------------------------------------------------------------------------------------------------
    // JSON out
    // ------------------------------------------------------------------------------------------------

    /**
     * Writes item bytes as a DynamoDB JSON attribute map (names and values straight from the bytes).
     *
     * @param out    the writer, where an object value may be written.
     * @param buffer holding the item.
     * @param offset where it starts.
     */
    void writeItem(final JsonOut out, final DirectBuffer buffer, final int offset)
    {
        out.writeStartObject();
        final int count = attributeCount(buffer, offset);
        int entry = firstEntry(offset);
        for (int i = 0; i < count; i++)
        {
            writeEntry(out, buffer, entry);
            entry = nextEntry(buffer, entry);
        }
        out.writeEndObject();
    }

    private void writeEntry(final JsonOut out, final DirectBuffer buffer, final int entry)
    {
        out.fieldName(buffer, nameOffset(entry), nameLength(buffer, entry));
        writeValue(out, buffer, valueOffset(buffer, entry));
    }

    /**
     * Writes one value (tag + body) as DynamoDB JSON, e.g. {@code {"N":"1"}}.
     *
     * @param out    the writer.
     * @param buffer holding the value.
     * @param value  offset of its tag.
     */
    void writeValue(final JsonOut out, final DirectBuffer buffer, final int value)
    {
        final byte type = ItemFormat.type(buffer, value);
        out.writeStartObject();
        out.writeFieldName(typeName(type));
        switch (type)
        {
            case TYPE_S -> out.stringUtf8(buffer, payloadOffset(value, type), payloadLength(buffer, value));
            case TYPE_N -> writeNumber(out, buffer, payloadOffset(value, type), payloadLength(buffer, value));
            case TYPE_B -> out.binary(buffer, payloadOffset(value, type), payloadLength(buffer, value));
            case TYPE_BOOL -> out.writeBoolean(booleanValue(buffer, value));
            case TYPE_NULL -> out.writeBoolean(true);
            case TYPE_M ->
            {
                out.writeStartObject();
                final int count = containerCount(buffer, value);
                int entry = firstChild(value);
                for (int i = 0; i < count; i++)
                {
                    writeEntry(out, buffer, entry);
                    entry = nextEntry(buffer, entry);
                }
                out.writeEndObject();
            }
            case TYPE_L ->
            {
                out.writeStartArray();
                final int count = containerCount(buffer, value);
                int element = firstChild(value);
                for (int i = 0; i < count; i++)
                {
                    writeValue(out, buffer, element);
                    element = nextListElement(buffer, element);
                }
                out.writeEndArray();
            }
            case TYPE_SS, TYPE_NS, TYPE_BS ->
            {
                out.writeStartArray();
                final int count = containerCount(buffer, value);
                int element = firstChild(value);
                for (int i = 0; i < count; i++)
                {
                    final int payload = setElementPayloadOffset(type, element);
                    final int length = setElementPayloadLength(buffer, type, element);
                    switch (type)
                    {
                        case TYPE_SS -> out.stringUtf8(buffer, payload, length);
                        case TYPE_NS -> writeNumber(out, buffer, payload, length);
                        default -> out.binary(buffer, payload, length);
                    }
                    element = nextSetElement(buffer, type, element);
                }
                out.writeEndArray();
            }
            default -> throw new IllegalStateException("unknown attribute type tag " + type + " at " + value);
        }
        out.writeEndObject();
    }

    private void writeNumber(final JsonOut out, final DirectBuffer buffer, final int offset, final int length)
    {
        final int textLength = DecimalCodec.decode(buffer, offset, length, numberText, 0);
        out.stringUtf8(numberText, 0, textLength);
    }

    /**
     * Text of a table or attribute name as a String (off the item path: table names, messages).
     */
    static String utf8(final byte[] bytes)
    {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * A reusable {@link CharSequence} over the parser's current text (copied, so it outlives the token).
     */
    static final class Chars implements CharSequence
    {
        private char[] chars = new char[128];
        private int length;

        Chars of(final JsonIn parser) throws IOException
        {
            final int n = parser.getTextLength();
            if (chars.length < n)
            {
                chars = new char[Math.max(n, chars.length * 2)];
            }
            System.arraycopy(parser.getTextCharacters(), parser.getTextOffset(), chars, 0, n);
            length = n;
            return this;
        }

        Chars set(final CharSequence text)
        {
            final int n = text.length();
            if (chars.length < n)
            {
                chars = new char[Math.max(n, chars.length * 2)];
            }
            for (int i = 0; i < n; i++)
            {
                chars[i] = text.charAt(i);
            }
            length = n;
            return this;
        }

        void clear()
        {
            length = 0;
        }

        public int length()
        {
            return length;
        }

        public char charAt(final int index)
        {
            return chars[index];
        }

        public CharSequence subSequence(final int start, final int end)
        {
            return new String(chars, start, end - start);
        }

        public String toString()
        {
            return new String(chars, 0, length);
        }

        boolean contentEquals(final CharSequence other)
        {
            if (other.length() != length)
            {
                return false;
            }
            for (int i = 0; i < length; i++)
            {
                if (chars[i] != other.charAt(i))
                {
                    return false;
                }
            }
            return true;
        }
    }
}
