package io.ferrite.http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the HTTP front's event loop allocates per GetItem, PutItem and Query in steady state, measured with the loop
 * thread's allocation counter over keep-alive requests of a 1 KB item in the perf harness's YCSB layout (twelve
 * attributes, ten of them ~90-byte binaries).
 * <p>
 * The bound, {@value #BOUND_BYTES_PER_REQUEST} bytes per request: Ferrite's own code allocates nothing per request
 * (JFR, {@code HttpAllocationProfile}); what remains is Netty's request decoder, ~1.5 KB for this request's five
 * headers (the request and last-content objects, their two header maps with entry arrays, an entry and a String per
 * header value, an AsciiString per header name it does not know, the body's slice, NIO buffer slices per read and
 * write), 1.48-1.51 KB measured. The bound leaves ~0.5 KB for that to vary (header lengths, a timer's task now and
 * then) and is crossed by any garbage of ours sized by the item, the request or the answer: a String per attribute
 * name written (~0.6 KB for twelve), Jackson's parser objects per document (~0.8 KB, before {@link JsonIn}), a
 * response object with its headers (~0.5 KB), a copied body (1 KB). The figures are printed for
 * docs/decisions/0011.
 */
final class HttpRequestPathAllocationTest
{
    private static final String TARGET = "DynamoDB_20120810.";
    private static final int WARM_UP = 2_000;
    private static final int MEASURED = 1_000;
    private static final long BOUND_BYTES_PER_REQUEST = 2_000;

    @TempDir
    static Path dataDir;
    private static HttpNodeFixture fixture;

    @BeforeAll
    static void start() throws Exception
    {
        fixture = new HttpNodeFixture(dataDir);
        try (RawHttp http = new RawHttp(fixture.front.port()))
        {
            assertEquals(200, http.exchange(TARGET + "CreateTable", "{\"TableName\":\"alloc\"," +
                "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}," +
                "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"}]," +
                "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}]," +
                "\"BillingMode\":\"PAY_PER_REQUEST\"}").status());
        }
    }

    @AfterAll
    static void stop()
    {
        fixture.close();
    }

    @Test
    void getPutAndQueryAllocateOnlyWhatNettysRequestDecoderImposes() throws Exception
    {
        try (RawHttp http = new RawHttp(fixture.front.port()))
        {
            for (int sk = 0; sk < 5; sk++)
            {
                assertEquals(200, http.send(put(sk)).read().status());
            }
            final String put = put(2);
            final String get = RawHttp.request(TARGET + "GetItem",
                "{\"TableName\":\"alloc\",\"Key\":{\"pk\":{\"S\":\"user1000\"},\"sk\":{\"N\":\"2\"}}}");
            final String query = RawHttp.request(TARGET + "Query", "{\"TableName\":\"alloc\"," +
                "\"KeyConditionExpression\":\"pk = :p\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"user1000\"}}," +
                "\"Limit\":2}");
            final long getBytes = perRequest(http, get, "field9");
            final long putBytes = perRequest(http, put, "{}");
            final long queryBytes = perRequest(http, query, "\"Count\":2");
            System.out.println("HTTP front event loop, bytes allocated per request (keep-alive, 1 KB YCSB-layout " +
                "item): GetItem " + getBytes + ", PutItem " + putBytes + ", Query (2 items) " + queryBytes);
            assertTrue(getBytes < BOUND_BYTES_PER_REQUEST, "GetItem: " + getBytes + " bytes per request");
            assertTrue(putBytes < BOUND_BYTES_PER_REQUEST, "PutItem: " + putBytes + " bytes per request");
            assertTrue(queryBytes < BOUND_BYTES_PER_REQUEST, "Query: " + queryBytes + " bytes per request");
        }
    }

    private static long perRequest(final RawHttp http, final String request, final String expected) throws Exception
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long loop = fixture.front.eventLoopThreadIds()[0];
        for (int i = 0; i < WARM_UP; i++)
        {
            assertEquals(200, http.send(request).read().status());
        }
        final long before = threads.getThreadAllocatedBytes(loop);
        for (int i = 0; i < MEASURED; i++)
        {
            final RawHttp.Response response = http.send(request).read();
            assertEquals(200, response.status());
            assertTrue(response.body().contains(expected), response.body());
        }
        return (threads.getThreadAllocatedBytes(loop) - before) / MEASURED;
    }

    private static String put(final int sk)
    {
        return RawHttp.request(TARGET + "PutItem", "{\"TableName\":\"alloc\",\"Item\":" + item(sk) + "}");
    }

    /**
     * A YCSB-shaped item in DynamoDB JSON: key user1000 / {@code sk}, ten binary fields of 90 bytes.
     */
    static String item(final int sk)
    {
        final StringBuilder item = new StringBuilder("{\"pk\":{\"S\":\"user1000\"},\"sk\":{\"N\":\"" + sk + "\"}");
        final byte[] field = new byte[90];
        for (int f = 0; f < 10; f++)
        {
            java.util.Arrays.fill(field, (byte)('a' + f));
            item.append(",\"field").append(f).append("\":{\"B\":\"").append(Base64.getEncoder().encodeToString(field))
                .append("\"}");
        }
        return item.append('}').toString();
    }
}
