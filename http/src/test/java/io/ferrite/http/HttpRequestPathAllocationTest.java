package io.ferrite.http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the HTTP front's event loop allocates per GetItem and PutItem in steady state, measured with the thread's
 * allocation counter over keep-alive requests: Jackson's parser and generator per document, the request id, the
 * attribute names written out, and Netty's per-response objects are the budget; an item- or value-sized garbage
 * per request (a tree, an AttributeValue map, a copied body) would blow it. The figures are printed for
 * docs/decisions/0011.
 */
final class HttpRequestPathAllocationTest
{
    private static final String TARGET = "DynamoDB_20120810.";
    private static final int WARM_UP = 1_000;
    private static final int MEASURED = 600;
    private static final long BUDGET_BYTES_PER_REQUEST = 8 * 1024;

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
                "\"AttributeDefinitions\":[{\"AttributeName\":\"k\",\"AttributeType\":\"S\"}]," +
                "\"KeySchema\":[{\"AttributeName\":\"k\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}")
                .status());
        }
    }

    @AfterAll
    static void stop()
    {
        fixture.close();
    }

    @Test
    void getAndPutAllocateOnlyWhatJacksonAndNettyImpose() throws Exception
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long loop = fixture.front.eventLoopThreadIds()[0];
        final String pad = "x".repeat(600);
        try (RawHttp http = new RawHttp(fixture.front.port()))
        {
            final String put = RawHttp.request(TARGET + "PutItem", "{\"TableName\":\"alloc\",\"Item\":{\"k\":{\"S\":\"key\"}," +
                "\"n\":{\"N\":\"12.5\"},\"pad\":{\"S\":\"" + pad + "\"},\"m\":{\"M\":{\"a\":{\"L\":[{\"N\":\"1\"},{\"BOOL\":true}]}}}}}");
            final String get = RawHttp.request(TARGET + "GetItem", "{\"TableName\":\"alloc\",\"Key\":{\"k\":{\"S\":\"key\"}}}");
            for (int i = 0; i < WARM_UP; i++)
            {
                assertEquals(200, http.send(put).read().status());
                assertEquals(200, http.send(get).read().status());
            }
            final long before = threads.getThreadAllocatedBytes(loop);
            for (int i = 0; i < MEASURED; i++)
            {
                http.send(put).read();
                assertTrue(http.send(get).read().body().contains(pad));
            }
            final long perRequest = (threads.getThreadAllocatedBytes(loop) - before) / (2L * MEASURED);
            System.out.println("HTTP front event loop: " + perRequest + " bytes allocated per request (PutItem + GetItem " +
                "of a ~700-byte item, keep-alive)");
            assertTrue(perRequest < BUDGET_BYTES_PER_REQUEST, perRequest + " bytes per request");
        }
    }
}
