package io.ferrite.http;

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
            "[1.]", "[-]", "[tru]", "[truex]", "[\"a\u0001\"]", "{\"a\":1 \"b\":2}", "[\"\\x\"]", "[\"abc", "]"};
        for (final String document : documents)
        {
            assertThrows(IOException.class, () -> jackson(document), document);
            assertThrows(JsonIn.MalformedJson.class, () -> ours(document), document);
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
