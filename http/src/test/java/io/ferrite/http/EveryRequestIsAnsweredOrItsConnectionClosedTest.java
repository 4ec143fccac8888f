package io.ferrite.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A request the front fails on, served at once or queued behind another on its connection, still gets an answer
 * (or its connection is closed): none is left hanging with the connection open.
 */
final class EveryRequestIsAnsweredOrItsConnectionClosedTest
{
    static final String TARGET = "DynamoDB_20120810.";
    static final String CREATE = "{\"TableName\":\"%s\"," +
        "\"AttributeDefinitions\":[{\"AttributeName\":\"k\",\"AttributeType\":\"S\"}]," +
        "\"KeySchema\":[{\"AttributeName\":\"k\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}";

    @TempDir
    Path dataDir;

    /**
     * {"TableName":"tbl","Pad":"xxx...","Z":[1, -- cut right after a comma inside an array, {@code length} bytes.
     */
    private static String bodyCutAfterAnArraysComma(final int length)
    {
        final String head = "{\"TableName\":\"tbl\",\"Pad\":\"";
        final String tail = "\",\"Z\":[1,";
        final String body = head + "x".repeat(length - head.length() - tail.length()) + tail;
        assertEquals(length, body.getBytes(StandardCharsets.UTF_8).length);
        return body;
    }

    /**
     * The reader looked for the value after the comma past the body's end: an ArrayIndexOutOfBoundsException when
     * the body exactly filled the loop's copy buffer (4 KiB, doubling). Served at once it closed the connection with
     * no answer; queued behind a request with the node it was thrown inside the client's poll, where Aeron swallowed
     * it, and the connection was neither answered nor closed.
     */
    @Test
    void aBodyCutAfterAnArraysCommaGetsA400ServedAtOnceOrQueued() throws Exception
    {
        try (HttpNodeFixture fixture = new HttpNodeFixture(dataDir); RawHttp http = new RawHttp(fixture.front.port()))
        {
            for (int length = 4096; length <= 65536; length *= 2)
            {
                final RawHttp.Response response = http.exchange(TARGET + "GetItem", bodyCutAfterAnArraysComma(length));
                assertNotNull(response, "the connection closed without an answer to a body of " + length + " bytes");
                assertEquals(400, response.status(), response.body());
                assertTrue(response.body().contains("SerializationException") &&
                    response.body().contains("Unexpected end-of-input"), response.body());
            }
            http.send(RawHttp.request(TARGET + "CreateTable", String.format(CREATE, "queued")) +
                RawHttp.request(TARGET + "GetItem", bodyCutAfterAnArraysComma(4096)));
            final RawHttp.Response created = http.read();
            assertEquals(200, created.status(), created.body());
            final RawHttp.Response queued = http.read();
            assertNotNull(queued, "the queued request's connection closed without an answer");
            assertEquals(400, queued.status(), queued.body());
        }
    }

    /**
     * Requests queued behind a slow one (a process's first CreateTable takes a while) and then answered at once (here
     * health checks): the answer to each used to serve the next from inside itself, and ~2,000 of them overflowed the
     * stack, leaving the connection hung.
     */
    @Test
    void aLongPipelineOfRequestsAnsweredAtOnceIsAnsweredInFull() throws Exception
    {
        final int healthChecks = 20_000;
        try (HttpNodeFixture fixture = new HttpNodeFixture(dataDir); RawHttp http = new RawHttp(fixture.front.port()))
        {
            final java.io.ByteArrayOutputStream pipeline = new java.io.ByteArrayOutputStream();
            pipeline.writeBytes(RawHttp.request(TARGET + "CreateTable", String.format(CREATE, "slow"))
                .getBytes(StandardCharsets.UTF_8));
            final byte[] healthCheck = "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < healthChecks; i++)
            {
                pipeline.writeBytes(healthCheck);
            }
            final Thread writer = new Thread(() ->
            {
                try
                {
                    http.socket.getOutputStream().write(pipeline.toByteArray());
                }
                catch (final java.io.IOException ignored)
                {
                    // the reads below fail with the reason
                }
            }, "pipeline-writer");
            writer.start();
            http.socket.setSoTimeout(5_000);
            final RawHttp.Response created = http.read();
            assertNotNull(created, "the connection closed before any answer");
            assertEquals(200, created.status(), created.body());
            for (int i = 0; i < healthChecks; i++)
            {
                final RawHttp.Response health = http.read();
                assertNotNull(health, "the connection closed after " + i + " health checks");
                assertEquals(200, health.status());
            }
            writer.join(5_000);
        }
    }

    /**
     * A RuntimeException of the front's own while it reads or sends a request (here the SBE encoder refusing a
     * group of more than 65,534 keys) is answered with DynamoDB's error instead of leaving the request unanswered.
     */
    @Test
    void aRequestTheFrontFailsOnIsAnsweredAndTheConnectionServesOn() throws Exception
    {
        try (HttpNodeFixture fixture = new HttpNodeFixture(dataDir); RawHttp http = new RawHttp(fixture.front.port()))
        {
            assertEquals(200, http.exchange(TARGET + "CreateTable", String.format(CREATE, "tbl")).status());
            final StringBuilder batch = new StringBuilder("{\"RequestItems\":{\"tbl\":{\"Keys\":[");
            for (int i = 0; i < 65_535; i++)
            {
                batch.append(0 == i ? "" : ",").append("{\"k\":{\"S\":\"a\"}}");
            }
            batch.append("]}}}");
            final RawHttp.Response failed = http.exchange(TARGET + "BatchGetItem", batch.toString());
            assertNotNull(failed, "the connection closed without an answer");
            assertTrue(failed.status() >= 400 && failed.body().contains("\"__type\""), failed.body());
            final RawHttp.Response next = http.exchange(TARGET + "GetItem",
                "{\"TableName\":\"tbl\",\"Key\":{\"k\":{\"S\":\"a\"}}}");
            assertEquals(200, next.status(), next.body());
        }
    }
}
