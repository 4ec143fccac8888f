package io.ferrite.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.ferrite.http.EveryRequestIsAnsweredOrItsConnectionClosedTest.TARGET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that pipelines requests for a large item and never reads the answers holds only a bounded amount of the
 * server's memory (back-pressure), but it held its connection for good: its requests are never with the node and
 * nothing is idle, so neither the request nor the idle timeout closes it. Once its answers have stayed unsent over
 * the write buffer's high water mark for the write-stall timeout, the connection is closed; a client that reads its
 * answers is served all along.
 */
final class AClientThatNeverReadsIsClosedAfterTheWriteStallTimeoutTest
{
    private static final int REQUESTS = 100;
    private static final int VALUE_BYTES = 300_000;
    private static final long STALL_MS = 1_000;

    @TempDir
    Path dataDir;

    @Test
    void theStalledConnectionIsClosedAndAReadingClientIsServedThroughout() throws Exception
    {
        try (HttpNodeFixture fixture = new HttpNodeFixture(dataDir,
            config -> config.writeStallTimeoutMs(STALL_MS).idleTimeoutMs(120_000));
            RawHttp stalled = new RawHttp(fixture.front.port()))
        {
            AClientThatNeverReadsHoldsBoundedServerMemoryTest.createBigTableWithOneItem(stalled, VALUE_BYTES);
            final StringBuilder pipeline = new StringBuilder();
            for (int i = 0; i < REQUESTS; i++)
            {
                pipeline.append(RawHttp.request(TARGET + "GetItem",
                    "{\"TableName\":\"big\",\"Key\":{\"k\":{\"S\":\"a\"}}}"));
            }
            stalled.send(pipeline.toString());
            final long sentNs = System.nanoTime();

            // a well-behaved client, before, during and after the stalled connection's timeout
            final Map<String, AttributeValue> key = Map.of("k", AttributeValue.fromS("a"));
            int served = 0;
            while (System.nanoTime() - sentNs < TimeUnit.MILLISECONDS.toNanos(3 * STALL_MS))
            {
                assertEquals(VALUE_BYTES, fixture.dynamo.getItem(b -> b.tableName("big").key(key)).item().get("v").s()
                    .length());
                served++;
            }
            assertTrue(served > 3, "the reading client was served " + served + " times while the other stalled");

            // the answers it never read are gone with the connection: reading finds its end, not 100 answers
            assertTrue(stalled.closedByServer(), "the server kept a connection whose answers stayed unread for " +
                "3 write-stall timeouts");
            assertEquals(1, fixture.front.writeStalledConnectionsClosed());
            assertEquals(VALUE_BYTES, fixture.dynamo.getItem(b -> b.tableName("big").key(key)).item().get("v").s()
                .length());
        }
    }
}
