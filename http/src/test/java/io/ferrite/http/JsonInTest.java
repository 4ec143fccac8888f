package io.ferrite.http;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.sbe.ErrorCode;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.io.ExpandableDirectBufferOutputStream;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The front's JSON reader reads what Jackson's parser read: the same tokens, names, text (escapes, UTF-8 of one to
 * four bytes), integers, base64, skipped children; and refuses what Jackson refused (truncated, unquoted, trailing
 * commas, leading zeros, bare control characters), with one reused instance across documents.
 */
final class JsonInTest
{
    private final JsonIn in = new JsonIn();

    @Test
    void readsTheSameTokensAsJackson() throws Exception
    {
        final String[] documents = {
            "{}", "[]", " { \"a\" : [ 1 , -2 , 3.5e-3, 0, true, false, null, {\"b\":{}} ] }\n",
            "{\"TableName\":\"t\",\"Key\":{\"pk\":{\"S\":\"caf\\u00e9 \u20ac \ud83d\ude00 \\\"q\\\" \\\\ \\/ \\n\\t\"}}}",
            "[\"escaped pair \\ud83d\\ude00, \\uD83D\\uDE00\"]",
            "{\"n\":9223372036854775807,\"m\":-9223372036854775808,\"f\":1E+2,\"g\":-0.0}",
            "{\"deep\":[[[[{\"x\":[\"y\",{}]}]]]],\"after\":1}"};
        for (final String document : documents)
        {
            assertEquals(jackson(document), ours(document), document);
        }
    }

    @Test
    void refusesWhatJacksonRefuses()
    {
        final String[] documents = {"{", "{\"a\"", "{\"a\":}", "{\"a\":1,}", "[1,]", "{a:1}", "{'a':1}", "[01]",
            "[1.]", "[-]", "[tru]", "[truex]", "[\"a\u0001\"]", "{\"a\":1 \"b\":2}", "[\"\\x\"]", "[\"abc", "]",
            "[1,", "{\"a\":[1,", "{\"a\":[1, \n"};
        for (final String document : documents)
        {
            assertThrows(IOException.class, () -> jackson(document), document);
            assertThrows(JsonIn.MalformedJson.class, () -> ours(document), document);
        }
    }

    /**
     * A body that ends right after an array's comma, its last byte the last of the array it is read from: the
     * reader looked for the next value past the end (ArrayIndexOutOfBoundsException, which no caller handled).
     */
    @Test
    void inputEndingAfterAnArraysCommaIsMalformedNotAnIndexOutOfBounds()
    {
        final byte[] bytes = "{\"Z\":[1,".getBytes(StandardCharsets.US_ASCII);
        in.reset(bytes, 0, bytes.length);
        final JsonIn.MalformedJson ex = assertThrows(JsonIn.MalformedJson.class, () ->
        {
            while (null != in.nextToken())
            {
                // read to the end
            }
        });
        assertTrue(ex.getMessage().contains("Unexpected end-of-input"), ex.getMessage());
    }

    /**
     * Strings must be Unicode (RFC 8259 8.2, RFC 3629): a lone surrogate escape has no UTF-8 form, and before it went
     * on to the client, whose encoder threw after taking an in-flight slot; overlong or surrogate UTF-8 was
     * read as the character it spelled.
     */
    @Test
    void refusesUnpairedSurrogateEscapesAndInvalidUtf8()
    {
        final String[] documents = {"[\"\\ud800\"]", "[\"\\uDBFF x\"]", "[\"\\udc00\"]", "[\"a\\ud800\\u0041\"]",
            "[\"\\ud800\\ud800\"]", "{\"\\ud800\":1}", "[\"\\ude00\\ud83d\"]"};
        for (final String document : documents)
        {
            final JsonIn.MalformedJson ex = assertThrows(JsonIn.MalformedJson.class, () -> ours(document), document);
            assertTrue(ex.getMessage().contains("unpaired UTF-16 surrogate"), ex.getMessage());
        }
        final int[][] invalidUtf8 = {{0xC0, 0xAF}, {0xC1, 0xBF}, {0xE0, 0x80, 0xAF}, {0xF0, 0x80, 0x80, 0xAF},
            {0xED, 0xA0, 0x80}, {0xED, 0xBF, 0xBF}, {0xF4, 0x90, 0x80, 0x80}};
        for (final int[] sequence : invalidUtf8)
        {
            final byte[] bytes = new byte[sequence.length + 4];
            bytes[0] = '[';
            bytes[1] = '"';
            for (int i = 0; i < sequence.length; i++)
            {
                bytes[2 + i] = (byte)sequence[i];
            }
            bytes[bytes.length - 2] = '"';
            bytes[bytes.length - 1] = ']';
            in.reset(bytes, 0, bytes.length);
            final JsonIn.MalformedJson ex = assertThrows(JsonIn.MalformedJson.class, () ->
            {
                in.nextToken();
                in.nextToken();
            }, java.util.Arrays.toString(sequence));
            assertTrue(ex.getMessage().contains("Invalid UTF-8"), ex.getMessage());
        }
    }

    @Test
    void decodesBase64AndSkipsChildrenAndInternsKnownNames() throws Exception
    {
        final ExpandableDirectBufferOutputStream out = new ExpandableDirectBufferOutputStream(new ExpandableArrayBuffer());
        for (int length = 0; length < 1_000; length += 37)
        {
            final byte[] bytes = new byte[length];
            for (int i = 0; i < length; i++)
            {
                bytes[i] = (byte)(i * 31 + length);
            }
            final byte[] json = ("[\"" + Base64.getEncoder().encodeToString(bytes) + "\"]").getBytes(StandardCharsets.UTF_8);
            in.reset(json, 0, json.length).nextToken();
            in.nextToken();
            out.wrap(out.buffer());
            in.readBinaryValue(out);
            final byte[] decoded = new byte[out.position()];
            out.buffer().getBytes(0, decoded);
            assertArrayEquals(bytes, decoded);
        }
        final byte[] bad = "[\"ab$d\"]".getBytes(StandardCharsets.UTF_8);
        in.reset(bad, 0, bad.length).nextToken();
        in.nextToken();
        assertThrows(JsonIn.BadBase64.class, () -> in.readBinaryValue(out));

        // DynamoDB wants padded base64: a length that is not a multiple of 4 is its SerializationException, and
        // more than two '=' (or '=' before the end) is malformed
        for (final String unpadded : new String[] {"QQ", "QUI", "QUJDR", "QUJDRA="})
        {
            final byte[] json = ("[\"" + unpadded + "\"]").getBytes(StandardCharsets.UTF_8);
            in.reset(json, 0, json.length).nextToken();
            in.nextToken();
            final FerriteException ex = assertThrows(FerriteException.class, () -> in.readBinaryValue(out), unpadded);
            assertEquals(ErrorCode.SerializationException, ex.code());
            assertEquals("Base64 encoded length is expected a multiple of 4 bytes but found: " + unpadded.length(),
                ex.getMessage());
        }
        for (final String malformed : new String[] {"QUJD====", "Q===", "QQ=A", "=QUJ"})
        {
            final byte[] json = ("[\"" + malformed + "\"]").getBytes(StandardCharsets.UTF_8);
            in.reset(json, 0, json.length).nextToken();
            in.nextToken();
            assertThrows(JsonIn.BadBase64.class, () -> in.readBinaryValue(out), malformed);
        }

        final byte[] doc = "{\"skip\":{\"a\":[1,{\"b\":[]}]},\"TableName\":\"x\",\"Limit\":99999999999999999999}"
            .getBytes(StandardCharsets.UTF_8);
        in.reset(doc, 0, doc.length).nextToken();
        in.nextToken();
        in.nextToken();
        in.skipChildren();
        assertEquals(JsonToken.END_OBJECT, in.currentToken());
        assertEquals(JsonToken.FIELD_NAME, in.nextToken());
        assertTrue("TableName" == in.currentName(), "a known member name comes back interned");
        in.nextToken();
        in.nextToken();
        in.nextToken();
        assertThrows(JsonIn.OutOfRange.class, in::getLongValue);
    }

    private List<String> ours(final String document) throws IOException
    {
        final byte[] bytes = document.getBytes(StandardCharsets.UTF_8);
        in.reset(bytes, 0, bytes.length);
        final List<String> tokens = new ArrayList<>();
        JsonToken token;
        while (null != (token = in.nextToken()))
        {
            tokens.add(token.name() + (JsonToken.FIELD_NAME == token ? " " + in.currentName() :
                JsonToken.VALUE_NUMBER_INT == token ? " " + in.getLongValue() :
                JsonToken.VALUE_STRING == token || JsonToken.VALUE_NUMBER_FLOAT == token ?
                " " + new String(in.getTextCharacters(), in.getTextOffset(), in.getTextLength()) : ""));
        }
        return tokens;
    }

    private static List<String> jackson(final String document) throws IOException
    {
        final List<String> tokens = new ArrayList<>();
        try (JsonParser parser = new JsonFactory().createParser(document.getBytes(StandardCharsets.UTF_8)))
        {
            com.fasterxml.jackson.core.JsonToken token;
            while (null != (token = parser.nextToken()))
            {
                tokens.add(token.name() + (com.fasterxml.jackson.core.JsonToken.FIELD_NAME == token ?
                    " " + parser.currentName() : com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT == token ?
                    " " + parser.getLongValue() : com.fasterxml.jackson.core.JsonToken.VALUE_STRING == token ||
                    com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_FLOAT == token ? " " + parser.getText() : ""));
            }
        }
        return tokens;
    }
}
