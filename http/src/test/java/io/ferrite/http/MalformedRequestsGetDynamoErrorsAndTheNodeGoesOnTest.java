package io.ferrite.http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an SDK never sends, over a plain socket: broken JSON, wrong JSON types, a missing or unknown X-Amz-Target,
 * a body over the limit, a request trickled in slowly, pipelined requests. Each gets DynamoDB's error (or a closed
 * connection), and the node serves the next client as before.
 */
final class MalformedRequestsGetDynamoErrorsAndTheNodeGoesOnTest
{
    private static final String TARGET = "DynamoDB_20120810.";
    private static final int MAX_BODY = 64 * 1024;
    private static final long IDLE_MS = 2_000;

    @TempDir
    static Path dataDir;
    private static HttpNodeFixture fixture;
    private static int port;

    @BeforeAll
    static void start() throws Exception
    {
        fixture = new HttpNodeFixture(dataDir, config -> config.maxRequestBytes(MAX_BODY).requestTimeoutMs(500).idleTimeoutMs(IDLE_MS));
        port = fixture.front.port();
        try (RawHttp http = new RawHttp(port))
        {
            final RawHttp.Response created = http.exchange(TARGET + "CreateTable", "{\"TableName\":\"tbl\"," +
                "\"AttributeDefinitions\":[{\"AttributeName\":\"k\",\"AttributeType\":\"S\"}]," +
                "\"KeySchema\":[{\"AttributeName\":\"k\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}");
            assertEquals(200, created.status(), created.body());
        }
    }

    @AfterAll
    static void stop()
    {
        fixture.close();
    }

    private static void assertError(final RawHttp.Response response, final int status, final String type,
        final String messagePart)
    {
        assertNotNull(response, "the connection closed without a response");
        assertEquals(status, response.status(), response.body());
        assertTrue(response.body().startsWith("{\"__type\":\"") && response.body().contains("#" + type + "\""),
            response.body());
        assertTrue(response.body().contains(messagePart), response.body());
        assertEquals("application/x-amz-json-1.0", response.headers().get("content-type"));
        assertFalse(response.headers().getOrDefault("x-amzn-requestid", "").isEmpty());
        final CRC32 crc = new CRC32();
        crc.update(response.body().getBytes(StandardCharsets.UTF_8));
        assertEquals(Long.toString(crc.getValue()), response.headers().get("x-amz-crc32"));
    }

    private static void assertNodeStillServes() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            final RawHttp.Response put = http.exchange(TARGET + "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"k\":{\"S\":\"a\"}," +
                "\"n\":{\"N\":\"007.50\"},\"b\":{\"B\":\"AAEC\"}}}");
            assertEquals(200, put.status(), put.body());
            assertEquals("{}", put.body());
            final RawHttp.Response get = http.exchange(TARGET + "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"k\":{\"S\":\"a\"}}}");
            assertEquals("{\"Item\":{\"b\":{\"B\":\"AAEC\"},\"k\":{\"S\":\"a\"},\"n\":{\"N\":\"7.5\"}}}", get.body());
        }
    }

    @Test
    void malformedJsonIsASerializationException() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            assertError(http.exchange(TARGET + "GetItem", "{\"TableName\": \"tbl\", "), 400, "SerializationException",
                "Malformed JSON");
            assertError(http.exchange(TARGET + "GetItem", "[1, 2]"), 400, "SerializationException", "JSON object");
            assertError(http.exchange(TARGET + "GetItem", ""), 400, "SerializationException", "empty");
            assertError(http.exchange(TARGET + "GetItem", "{} {}"), 400, "SerializationException", "after the JSON");
        }
        assertNodeStillServes();
    }

    @Test
    void wrongJsonTypesAreSerializationExceptions() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            assertError(http.exchange(TARGET + "GetItem", "{\"TableName\": 5, \"Key\": {}}"), 400,
                "SerializationException", "TableName must be a string");
            assertError(http.exchange(TARGET + "GetItem", "{\"TableName\": \"tbl\", \"Key\": {\"k\": {\"S\": 1}}}"), 400,
                "SerializationException", "Number value found where not expected");
            assertError(http.exchange(TARGET + "Scan", "{\"TableName\": \"tbl\", \"Limit\": \"ten\"}"), 400,
                "SerializationException", "Limit must be an integer");
            assertError(http.exchange(TARGET + "PutItem", "{\"TableName\": \"tbl\", \"Item\": {\"k\": {\"X\": \"a\"}}}"), 400,
                "SerializationException", "Unexpected AttributeValue type");
            assertError(http.exchange(TARGET + "PutItem", "{\"TableName\": \"tbl\", \"Item\": {\"k\": {}}}"), 400,
                "ValidationException", "Supplied AttributeValue is empty");
            assertError(http.exchange(TARGET + "PutItem",
                "{\"TableName\": \"tbl\", \"Item\": {\"k\": {\"S\": \"a\"}, \"n\": {\"N\": \"x1\"}}}"), 400,
                "ValidationException", "");
        }
        assertNodeStillServes();
    }

    @Test
    void missingOrUnknownTargetIsAnUnknownOperationException() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            assertError(http.exchange(null, "{}"), 400, "UnknownOperationException", "Missing X-Amz-Target");
            assertError(http.exchange(TARGET + "Frobnicate", "{}"), 400, "UnknownOperationException", "Frobnicate");
            assertError(http.exchange(TARGET + "TransactWriteItems", "{}"), 400, "UnknownOperationException",
                "TransactWriteItems");
            assertError(http.exchange("DynamoDB_20111205.GetItem", "{}"), 400, "UnknownOperationException", "20111205");
        }
        assertNodeStillServes();
    }

    @Test
    void unknownTableAndLegacyParametersAreTheNodesAndDynamoDbsErrors() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            assertError(http.exchange(TARGET + "GetItem", "{\"TableName\": \"nope\", \"Key\": {\"k\": {\"S\": \"a\"}}}"),
                400, "ResourceNotFoundException", "nope");
            assertError(http.exchange(TARGET + "Query", "{\"TableName\": \"tbl\", \"KeyConditions\": {}}"), 400,
                "ValidationException", "KeyConditionExpression");
            assertError(http.exchange(TARGET + "PutItem", "{\"TableName\": \"tbl\", \"Item\": {\"k\": {\"S\": \"a\"}}, " +
                "\"ConditionExpression\": \"attribute_not_exists(k\"}"), 400, "ValidationException",
                "Invalid ConditionExpression");
            assertError(http.exchange(TARGET + "GetItem", "{\"Key\": {\"k\": {\"S\": \"a\"}}}"), 400,
                "ValidationException", "tableName");
        }
        assertNodeStillServes();
    }

    /**
     * DynamoDB refuses a set with two equal elements, numbers equal by value included, wherever a set is sent; the
     * front used to drop the duplicates and store the rest. A bad value in ExpressionAttributeValues is worded as
     * DynamoDB words it, naming the placeholder.
     */
    @Test
    void duplicateSetElementsAndBadExpressionValuesAreDynamoDbsValidationErrors() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            assertError(http.exchange(TARGET + "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"k\":{\"S\":\"d\"}," +
                "\"s\":{\"SS\":[\"x\",\"y\",\"x\"]}}}"), 400, "ValidationException",
                "\"One or more parameter values were invalid: Input collection [x, y, x] contains duplicates.\"");
            assertError(http.exchange(TARGET + "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"k\":{\"S\":\"d\"}," +
                "\"m\":{\"M\":{\"n\":{\"NS\":[\"1\",\"2\",\"1.0\"]}}}}}"), 400, "ValidationException",
                "Input collection [1, 2, 1] contains duplicates.");
            assertError(http.exchange(TARGET + "BatchWriteItem", "{\"RequestItems\":{\"tbl\":[{\"PutRequest\":{\"Item\":" +
                "{\"k\":{\"S\":\"d\"},\"b\":{\"BS\":[\"AAE=\",\"AAE=\"]}}}}]}}"), 400, "ValidationException",
                "Input collection [AAE=, AAE=] contains duplicates.");
            assertError(http.exchange(TARGET + "UpdateItem", "{\"TableName\":\"tbl\",\"Key\":{\"k\":{\"S\":\"d\"}}," +
                "\"UpdateExpression\":\"ADD s :v\",\"ExpressionAttributeValues\":{\":v\":{\"SS\":[\"q\",\"q\"]}}}"), 400,
                "ValidationException", "\"ExpressionAttributeValues contains invalid value: One or more parameter values " +
                "were invalid: Input collection [q, q] contains duplicates. for key :v\"");
            assertError(http.exchange(TARGET + "UpdateItem", "{\"TableName\":\"tbl\",\"Key\":{\"k\":{\"S\":\"d\"}}," +
                "\"UpdateExpression\":\"SET n = :n\",\"ExpressionAttributeValues\":{\":n\":{\"N\":\"abc\"}}}"), 400,
                "ValidationException", "\"ExpressionAttributeValues contains invalid value: The parameter cannot be " +
                "converted to a numeric value: abc for key :n\"");
            assertError(http.exchange(TARGET + "UpdateItem", "{\"TableName\":\"tbl\",\"Key\":{\"k\":{\"S\":\"d\"}}," +
                "\"UpdateExpression\":\"SET n = :n\",\"ExpressionAttributeValues\":{\":n\":{}}}"), 400,
                "ValidationException", "\"ExpressionAttributeValues contains invalid value: Supplied AttributeValue is " +
                "empty, must contain exactly one of the supported datatypes for key :n\"");
            final RawHttp.Response missing = http.exchange(TARGET + "GetItem",
                "{\"TableName\":\"tbl\",\"Key\":{\"k\":{\"S\":\"d\"}}}");
            assertEquals("{}", missing.body(), "a refused write stored something");
            // distinct elements in any order are a set like any other, stored in the item format's order
            assertEquals(200, http.exchange(TARGET + "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"k\":{\"S\":\"e\"}," +
                "\"s\":{\"SS\":[\"y\",\"x\"]},\"n\":{\"NS\":[\"2\",\"-1\",\"10\"]}}}").status());
            assertEquals("{\"Item\":{\"k\":{\"S\":\"e\"},\"n\":{\"NS\":[\"-1\",\"2\",\"10\"]},\"s\":{\"SS\":[\"x\",\"y\"]}}}",
                http.exchange(TARGET + "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"k\":{\"S\":\"e\"}}}").body());
        }
        assertNodeStillServes();
    }

    /**
     * A lone surrogate escape is no Unicode character: a SerializationException naming it. It used to reach the node
     * client, whose encoder threw after taking an in-flight slot; 4,096 of them left the event loop's session
     * refusing every request with "too many requests in flight".
     */
    @Test
    void unpairedSurrogateEscapesAreSerializationExceptionsAndTheLoopServesOn() throws Exception
    {
        final String badTableName = "{\"TableName\":\"\\ud800\",\"Key\":{\"k\":{\"S\":\"a\"}}}";
        try (RawHttp http = new RawHttp(port))
        {
            assertError(http.exchange(TARGET + "GetItem", badTableName), 400, "SerializationException",
                "unpaired UTF-16 surrogate \\\\uD800");
            assertError(http.exchange(TARGET + "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"k\":{\"S\":\"\\udc00\"}}}"),
                400, "SerializationException", "unpaired UTF-16 surrogate \\\\uDC00");
            assertError(http.exchange(TARGET + "Query", "{\"TableName\":\"tbl\",\"KeyConditionExpression\":" +
                "\"k = \\ud83d\"}"), 400, "SerializationException", "unpaired UTF-16 surrogate \\\\uD83D");
            for (int i = 0; i < 4_096; i++)
            {
                assertEquals(400, http.exchange(TARGET + "GetItem", badTableName).status());
            }
            final RawHttp.Response paired = http.exchange(TARGET + "GetItem",
                "{\"TableName\":\"tbl\",\"Key\":{\"k\":{\"S\":\"\\ud83d\\ude00\"}}}");
            assertEquals(200, paired.status(), paired.body());
        }
        assertNodeStillServes();
    }

    @Test
    void pipelinedRequestsOnOneConnectionAreAnsweredInOrder() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            final StringBuilder requests = new StringBuilder();
            for (int i = 0; i < 20; i++)
            {
                requests.append(RawHttp.request(TARGET + "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"k\":{\"S\":\"p" + i +
                    "\"},\"i\":{\"N\":\"" + i + "\"}}}"));
                requests.append(RawHttp.request(TARGET + "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"k\":{\"S\":\"p" + i +
                    "\"}}}"));
            }
            http.send(requests.toString());
            for (int i = 0; i < 20; i++)
            {
                assertEquals("{}", http.read().body());
                final String got = http.read().body();
                assertTrue(got.contains("\"i\":{\"N\":\"" + i + "\"}"), got);
            }
        }
    }

    @Test
    void aBodyOverTheLimitGets413OrAClosedConnection() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            final String huge = "{\"TableName\":\"tbl\",\"Item\":{\"k\":{\"S\":\"" + "x".repeat(MAX_BODY) + "\"}}}";
            RawHttp.Response response = null;
            try
            {
                response = http.exchange(TARGET + "PutItem", huge);
            }
            catch (final java.net.SocketException closedWhileSending)
            {
                // The server may close before the whole body is written: a closed connection is the other allowed answer.
            }
            if (null != response)
            {
                assertEquals(413, response.status());
            }
            assertTrue(http.closedByServer());
        }
        assertNodeStillServes();
    }

    @Test
    void aRequestTrickledInSlowerThanTheRequestTimeoutIsClosed() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            http.send("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: " + TARGET + "ListTables\r\n");
            // Nothing more is sent: the front closes the connection 500 ms after the first byte.
            assertTrue(http.closedByServer(), "the slow request's connection stayed open");
        }
        try (RawHttp http = new RawHttp(port))
        {
            final String request = RawHttp.request(TARGET + "ListTables", "{}");
            http.send(request.substring(0, request.length() - 1));
            assertTrue(http.closedByServer(), "a body missing its last byte kept the connection open");
        }
        assertNodeStillServes();
    }

    @Test
    void chunkedBodiesAreGatheredAndExpectContinueIsAnswered() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            final String head = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\n" +
                "X-Amz-Target: " + TARGET + "PutItem\r\n";
            final String first = "{\"TableName\":\"tbl\",\"Item\":{\"k\":{\"S\":\"chunked\"},";
            final String second = "\"v\":{\"N\":\"42\"}}}";
            http.send(head + "Transfer-Encoding: chunked\r\n\r\n" +
                Integer.toHexString(first.length()) + "\r\n" + first + "\r\n" +
                Integer.toHexString(second.length()) + "\r\n" + second + "\r\n0\r\n\r\n");
            final RawHttp.Response put = http.read();
            assertEquals(200, put.status(), put.body());

            final String get = "{\"TableName\":\"tbl\",\"Key\":{\"k\":{\"S\":\"chunked\"}}}";
            http.send("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\n" +
                "X-Amz-Target: " + TARGET + "GetItem\r\nExpect: 100-continue\r\nContent-Length: " + get.length() +
                "\r\n\r\n");
            assertEquals(100, http.read().status());
            final RawHttp.Response got = http.send(get).read();
            assertEquals(200, got.status(), got.body());
            assertTrue(got.body().contains("\"v\":{\"N\":\"42\"}"), got.body());
            assertTrue(got.headers().containsKey("x-amz-crc32") && got.headers().containsKey("x-amzn-requestid"),
                got.headers().toString());
        }
    }

    /**
     * 100 Continue for a request pipelined behind one with the node comes after that one's answer: it was written as
     * soon as the second request's head was read, and the client took it for the first request's (interim) answer.
     */
    @Test
    void continueForAPipelinedRequestComesAfterTheAnswersAheadOfIt() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            final String get = "{\"TableName\":\"tbl\",\"Key\":{\"k\":{\"S\":\"continued\"}}}";
            http.send(RawHttp.request(TARGET + "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"k\":{\"S\":\"continued\"}}}") +
                "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: " +
                TARGET + "GetItem\r\nExpect: 100-continue\r\nContent-Length: " + get.length() + "\r\n\r\n");
            final RawHttp.Response put = http.read();
            assertEquals(200, put.status(), "the first response on the connection: " + put.status());
            assertEquals(100, http.read().status());
            final RawHttp.Response got = http.send(get).read();
            assertEquals(200, got.status(), got.body());
            assertTrue(got.body().contains("continued"), got.body());
        }
    }

    /**
     * An HTTP/1.0 request asking for keep-alive is told the connection stays open (an HTTP/1.0 client otherwise reads
     * the body to the close, and waited for it), and one that does not ask has its connection closed.
     */
    @Test
    void http10KeepAliveIsSaidAndHttp10WithoutItIsClosed() throws Exception
    {
        final String body = "{\"TableName\":\"tbl\",\"Key\":{\"k\":{\"S\":\"a\"}}}";
        final String request = "POST / HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\n" +
            "X-Amz-Target: " + TARGET + "GetItem\r\nContent-Length: " + body.length() + "\r\n";
        try (RawHttp http = new RawHttp(port))
        {
            for (int i = 0; i < 2; i++)
            {
                final RawHttp.Response kept = http.send(request + "Connection: keep-alive\r\n\r\n" + body).read();
                assertEquals(200, kept.status(), kept.body());
                assertEquals("keep-alive", kept.headers().get("connection"), kept.headers().toString());
            }
            final RawHttp.Response closing = http.send(request + "\r\n" + body).read();
            assertEquals(200, closing.status(), closing.body());
            assertEquals("close", closing.headers().get("connection"), closing.headers().toString());
            assertTrue(http.closedByServer());
        }
        try (RawHttp http = new RawHttp(port))
        {
            final RawHttp.Response http11 = http.exchange(TARGET + "GetItem", body);
            assertFalse(http11.headers().containsKey("connection"), http11.headers().toString());
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeoutNotBefore() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            assertEquals(200, http.exchange(TARGET + "ListTables", "{}").status());
            final long answeredNs = System.nanoTime();
            assertTrue(http.closedByServer(), "an idle connection stayed open");
            final long openMs = (System.nanoTime() - answeredNs) / 1_000_000;
            assertTrue(openMs >= IDLE_MS - 100, "closed " + openMs + " ms after its answer, before the idle timeout");
        }
    }

    @Test
    void aSecondFrontOnATakenPortSaysWhichPortAndHowToChooseAnother()
    {
        final IllegalStateException taken = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
            () -> HttpFront.start(new HttpConfig().host("127.0.0.1").port(Integer.toString(port)),
                fixture.node.aeronDirectoryName(), fixture.node.ipcChannel(), fixture.node.requestStreamId()));
        assertTrue(taken.getMessage().contains("127.0.0.1:" + port) && taken.getMessage().contains("--http-port"),
            taken.getMessage());
    }

    @Test
    void keepAliveConnectionServesManyRequests() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            for (int i = 0; i < 50; i++)
            {
                final RawHttp.Response response = http.exchange(TARGET + "ListTables", "{}");
                assertEquals(200, response.status());
                assertTrue(response.body().contains("\"TableNames\":[\"tbl\"]"), response.body());
            }
        }
    }
}
