package io.ferrite.perf.latency;

import io.ferrite.perf.Dataset;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The HTTP targets' garbage-free request bodies are the same DynamoDB JSON as the String-built ones they replaced:
 * items (S, N, B attributes of the YCSB layout, base64 with padding of every length) and keys.
 */
class HttpBodyTest
{
    @Test
    void itemAndKeyBodiesMatchTheStringEncoding()
    {
        final Dataset dataset = new Dataset(200, 42, Dataset.Layout.YCSB);
        final HttpTarget.Body body = new HttpTarget.Body();
        for (int record = 0; record < 200; record += 7)
        {
            for (long version = 1; version < 4; version++)
            {
                final String expected = HttpTarget.json(dataset.item(record, version), dataset.itemLength(record));
                body.reset().item(dataset.item(record, version), dataset.itemLength(record));
                assertEquals(expected, new String(body.bytes, 0, body.length, StandardCharsets.UTF_8));
            }
            final String key = HttpTarget.json(dataset.key(record), dataset.keyLength(record));
            body.reset().ascii("x").item(dataset.key(record), dataset.keyLength(record)).digits(1230);
            assertEquals("x" + key + "1230", new String(body.bytes, 0, body.length, StandardCharsets.UTF_8));
        }
    }
}
