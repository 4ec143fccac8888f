package io.ferrite.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static io.ferrite.http.EveryRequestIsAnsweredOrItsConnectionClosedTest.CREATE;
import static io.ferrite.http.EveryRequestIsAnsweredOrItsConnectionClosedTest.TARGET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that pipelines requests for large answers and does not read them: the front stops serving its queued
 * requests while the connection's write buffer is over its high water mark, and stops reading its requests while
 * too many wait, so it holds a bounded amount of memory for it (it held every answer: 55 MB for 200 GetItems of a
 * 300 KB item); once the client reads, every answer comes, in order.
 */
final class AClientThatNeverReadsHoldsBoundedServerMemoryTest
{
    private static final int REQUESTS = 200;
    private static final int VALUE_BYTES = 300_000;

    @TempDir
    Path dataDir;

    /**
     * Creates table {@code big} and puts item {@code k = a} with a string of {@code valueBytes} bytes in {@code v}.
     */
    static void createBigTableWithOneItem(final RawHttp http, final int valueBytes) throws IOException
    {
        assertEquals(200, http.exchange(TARGET + "CreateTable", String.format(CREATE, "big")).status());
        assertEquals(200, http.exchange(TARGET + "PutItem", "{\"TableName\":\"big\",\"Item\":{\"k\":{\"S\":\"a\"}," +
            "\"v\":{\"S\":\"" + "v".repeat(valueBytes) + "\"}}}").status());
    }

    @Test
    void answersWaitForTheClientToReadInsteadOfPilingUpInTheServer() throws Exception
    {
        try (HttpNodeFixture fixture = new HttpNodeFixture(dataDir); RawHttp http = new RawHttp(fixture.front.port()))
        {
            createBigTableWithOneItem(http, VALUE_BYTES);
            final long before = usedDirectMemory();
            final StringBuilder pipeline = new StringBuilder();
            for (int i = 0; i < REQUESTS; i++)
            {
                pipeline.append(RawHttp.request(TARGET + "GetItem", "{\"TableName\":\"big\",\"Key\":{\"k\":{\"S\":\"a\"}}}"));
            }
            http.send(pipeline.toString());
            Thread.sleep(1_500);
            final long held = usedDirectMemory() - before;
            assertTrue(held < 16L << 20, "the server holds " + held + " bytes for a client that does not read (" +
                REQUESTS + " answers of " + VALUE_BYTES + " bytes)");
            for (int i = 0; i < REQUESTS; i++)
            {
                final RawHttp.Response answer = http.read();
                assertNotNull(answer, "the connection closed after " + i + " answers");
                assertEquals(200, answer.status());
                assertTrue(answer.body().length() > VALUE_BYTES, "answer " + i + " holds the item");
            }
        }
    }

    /**
     * While its answers cannot be written the connection is not read either: the requests a client keeps sending
     * stay in its socket, not in the server's queue of waiting requests (each of which holds its body's buffer).
     */
    @Test
    void requestsSentBehindUnreadAnswersStayInTheClientsSocket() throws Exception
    {
        try (HttpNodeFixture fixture = new HttpNodeFixture(dataDir); RawHttp http = new RawHttp(fixture.front.port()))
        {
            createBigTableWithOneItem(http, VALUE_BYTES);
            final long before = usedDirectMemory();
            final byte[] get = RawHttp.request(TARGET + "GetItem", "{\"TableName\":\"big\",\"Key\":{\"k\":{\"S\":\"a\"}}," +
                "\"Pad\":\"" + "p".repeat(4_000) + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            final Thread writer = new Thread(() ->
            {
                try
                {
                    for (int sent = 0; sent < 64 << 20; sent += get.length)
                    {
                        http.socket.getOutputStream().write(get);
                    }
                }
                catch (final IOException closed)
                {
                    // the test closes the socket while this thread is blocked writing
                }
            }, "request-writer");
            writer.start();
            Thread.sleep(1_500);
            final long held = usedDirectMemory() - before;
            http.close();
            writer.join(5_000);
            assertTrue(held < 16L << 20, "the server holds " + held + " bytes of requests and answers for a client " +
                "that does not read");
        }
    }

    private static long usedDirectMemory()
    {
        return ((ByteBufAllocatorMetricProvider)ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    }
}
