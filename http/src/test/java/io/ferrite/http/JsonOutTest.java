package io.ferrite.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The front's JSON writer writes what Jackson's generator wrote for the same calls: escapes (quotes, backslashes,
 * control characters), non-ASCII text as UTF-8 from Strings and from bytes (outside the basic plane as UTF-8 where
 * Jackson escapes a String's surrogate pair: the same JSON text), base64 of every length, numbers,
 * booleans, nesting and commas.
 */
final class JsonOutTest
{
    @Test
    void writesCharactersOutsideTheBasicPlaneAsUtf8ThatJacksonReadsBack() throws Exception
    {
        final String text = "smile \ud83d\ude00 and \u00e9";
        final JsonOut out = new JsonOut().reset().writeStartArray().writeString(text).writeEndArray();
        try (com.fasterxml.jackson.core.JsonParser parser =
            new JsonFactory().createParser(out.array(), 0, out.length()))
        {
            parser.nextToken();
            parser.nextToken();
            assertEquals(text, parser.getText());
        }
    }

    @Test
    void writesHalvesAsDoubleToStringWritesThemBelowTenMillion()
    {
        final JsonOut out = new JsonOut();
        for (final long halves : new long[]{0, 1, 2, 3, 19, 20, 801, 19_999_999})
        {
            out.reset().writeStartArray().writeHalves(halves).writeEndArray();
            assertEquals("[" + Double.toString(halves / 2.0) + "]",
                new String(out.array(), 0, out.length(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void writesWhatJacksonWrote() throws Exception
    {
        final String[] texts = {"", "plain", "q\"uote", "back\\slash", "line\nfeed\ttab\r\b\f", "ctl\u0001\u001f",
            "caf\u00e9 \u20ac", "/slash"};
        final Random random = new Random(7);
        final JsonOut out = new JsonOut();
        for (int round = 0; round < 50; round++)
        {
            final ByteArrayOutputStream expected = new ByteArrayOutputStream();
            out.reset();
            try (JsonGenerator jackson = new JsonFactory().createGenerator(expected))
            {
                jackson.writeStartObject();
                out.writeStartObject();
                for (final String text : texts)
                {
                    final byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
                    final UnsafeBuffer buffer = new UnsafeBuffer(new byte[utf8.length + 3]);
                    buffer.putBytes(3, utf8);
                    jackson.writeFieldName(text);
                    out.fieldName(buffer, 3, utf8.length);
                    jackson.writeStartArray();
                    out.writeStartArray();
                    jackson.writeString(text);
                    out.writeString(text);
                    jackson.writeUTF8String(utf8, 0, utf8.length);
                    out.stringUtf8(buffer, 3, utf8.length);
                    final byte[] binary = new byte[random.nextInt(40)];
                    random.nextBytes(binary);
                    jackson.writeBinary(binary);
                    out.binary(new UnsafeBuffer(binary), 0, binary.length);
                    final long number = random.nextLong() >> random.nextInt(64);
                    jackson.writeNumber(number);
                    out.writeNumber(number);
                    jackson.writeBoolean(number > 0);
                    out.writeBoolean(number > 0);
                    jackson.writeStartObject();
                    out.writeStartObject();
                    jackson.writeEndObject();
                    out.writeEndObject();
                    jackson.writeEndArray();
                    out.writeEndArray();
                }
                jackson.writeNumberField("d", 0.5 * round);
                out.writeNumberField("d", 0.5 * round);
                jackson.writeNumberField("min", Long.MIN_VALUE);
                out.writeNumberField("min", Long.MIN_VALUE);
                jackson.writeEndObject();
                out.writeEndObject();
            }
            assertEquals(expected.toString(StandardCharsets.UTF_8),
                new String(out.array(), 0, out.length(), StandardCharsets.UTF_8));
        }
    }
}
