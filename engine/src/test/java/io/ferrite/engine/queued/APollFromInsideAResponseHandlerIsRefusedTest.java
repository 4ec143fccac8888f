package io.ferrite.engine.queued;

import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link ResponseHandler} that polls its client again (directly, or through a blocking call such as
 * {@link ShardClient#putItemBlocking}, the natural "on this fill, write the position and wait") is refused with an
 * IllegalStateException, and every completion is still delivered once, in order. Before, the inner poll read the ring
 * from the same head (the outer read moves it only when it ends), so it handed the handler the completion it was
 * handling again, whose handler polled again, until the stack overflowed. Submitting from a handler stays allowed.
 */
class APollFromInsideAResponseHandlerIsRefusedTest
{
    private static final int PUTS = 32;

    @TempDir
    Path dir;

    @Test
    void aNestedPollIsRefusedAndEveryCompletionArrivesOnce() throws Exception
    {
        try (QueuedShard queued = QueuedShard.start(new EngineConfig().dataDir(dir)))
        {
            queued.createTable(TableSpec.of("items").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N))
                .get(30, TimeUnit.SECONDS);
            final ShardClient client = queued.newClient();
            final int table = client.tableId("items");
            final TestItems items = new TestItems();
            final UnsafeBuffer item = new UnsafeBuffer(new byte[256]);
            for (int i = 0; i < PUTS; i++)
            {
                final int length = items.item(item, "pk", i, "v");
                assertTrue(client.putItem(i, table, item, 0, length));
            }
            while (queued.describeTable("items").get(10, TimeUnit.SECONDS).itemCount() < PUTS)
            {
                Thread.yield(); // every put has run, so every completion waits in the ring
            }

            final int[] counts = new int[PUTS + 1];
            final List<Long> order = new ArrayList<>();
            final List<String> refusals = new ArrayList<>();
            final ResponseHandler[] nested = new ResponseHandler[1];
            nested[0] = (correlationId, code, buffer, offset, length) ->
            {
                counts[(int)correlationId]++;
                order.add(correlationId);
                assertEquals(ErrorCode.OK, code);
                if (correlationId < PUTS && 0 == correlationId % 8)
                {
                    try
                    {
                        client.poll(nested[0]); // e.g. a blocking call made from the handler
                    }
                    catch (final IllegalStateException ex)
                    {
                        refusals.add(ex.getMessage());
                    }
                    final int length2 = items.item(item, "pk", 1000 + correlationId, "v");
                    assertTrue(client.putItem(PUTS, table, item, 0, length2), "submitting from a handler is fine");
                }
            };
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (client.inFlight() > 0 && System.nanoTime() < deadline)
            {
                client.poll(nested[0]);
            }

            for (int i = 0; i < PUTS; i++)
            {
                assertEquals(1, counts[i], "completions of PutItem " + i + " (order " + order + ")");
                assertEquals(i, order.get(i), "in order");
            }
            assertEquals(PUTS / 8, refusals.size(), "each nested poll was refused");
            assertTrue(refusals.get(0).contains("inside a ResponseHandler"), refusals.get(0));
            assertEquals(PUTS / 8, counts[PUTS], "the PutItems submitted from the handler completed");
        }
    }
}
