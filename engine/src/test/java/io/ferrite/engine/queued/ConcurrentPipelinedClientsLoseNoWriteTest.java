package io.ferrite.engine.queued;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.api.Ferrite;
import io.ferrite.engine.api.Page;
import io.ferrite.engine.api.Query;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.shard.QueryRequest;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Three threads, each with its own client, pipeline thousands of puts then gets with hundreds in flight;
 * every completion arrives exactly once under its correlation id with the right item, each thread pages
 * through its own items with Query, and after close every write is found by a direct-mode reopen.
 */
class ConcurrentPipelinedClientsLoseNoWriteTest
{
    private static final int THREADS = 3;
    private static final int ITEMS = 3000;
    private static final int MAX_IN_FLIGHT = 256;

    @TempDir
    Path dir;

    @Test
    void threeClientsPipelinePutsAndGetsAndEveryWriteSurvivesRestart() throws Exception
    {
        final EngineConfig config = new EngineConfig().dataDir(dir).partitionMaxItems(50_000).initialPartitions(4);
        final ExecutorService executor = Executors.newFixedThreadPool(THREADS);
        try (QueuedShard queued = QueuedShard.start(config))
        {
            queued.createTable(TableSpec.of("items").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N))
                .get(30, TimeUnit.SECONDS);
            final List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++)
            {
                final int thread = t;
                results.add(executor.submit(() -> runClient(queued, thread)));
            }
            for (final Future<?> result : results)
            {
                result.get(120, TimeUnit.SECONDS);
            }
        }
        finally
        {
            executor.shutdownNow();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }

        try (Ferrite db = Ferrite.open(config))
        {
            for (int t = 0; t < THREADS; t++)
            {
                final Page page = db.query(Query.on("items").partitionKey(s("p" + t)));
                assertEquals(ITEMS, page.count(), "items of thread " + t + " after reopen");
                for (int i = 0; i < ITEMS; i++)
                {
                    final Map<String, AttributeValue> item = page.items().get(i);
                    assertEquals(n(Integer.toString(i)), item.get("sk"));
                    assertEquals(s(t + "-" + i), item.get("v"));
                }
            }
        }
    }

    private static void runClient(final QueuedShard queued, final int thread)
    {
        final String pk = "p" + thread;
        final TestItems items = new TestItems();
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[1024]);
        final Completions completions = new Completions(2 * ITEMS, (correlationId, buffer, offset, length) ->
        {
            if (correlationId >= ITEMS)
            {
                final long i = correlationId - ITEMS;
                final Map<String, AttributeValue> item = ItemCodec.decode(buffer, offset, length);
                assertEquals(s(thread + "-" + i), item.get("v"), "GetItem " + correlationId + " of thread " + thread);
            }
        });

        try (ShardClient client = queued.newClient())
        {
            final int table = client.tableId("items");
            int next = 0;
            int refused = 0;
            while (next < 2 * ITEMS || client.inFlight() > 0)
            {
                if (next < 2 * ITEMS && client.inFlight() < MAX_IN_FLIGHT)
                {
                    final boolean accepted;
                    if (next < ITEMS)
                    {
                        final int length = items.item(scratch, pk, next, thread + "-" + next);
                        accepted = client.putItem(next, table, scratch, 0, length);
                    }
                    else
                    {
                        final int length = items.key(scratch, pk, next - ITEMS);
                        accepted = client.getItem(next, table, scratch, 0, length);
                    }
                    if (accepted)
                    {
                        next++;
                        continue;
                    }
                    refused++;
                }
                if (0 == client.poll(completions))
                {
                    Thread.yield();
                }
            }
            completions.assertEachExactlyOnce(2 * ITEMS);
            for (int i = 0; i < 2 * ITEMS; i++)
            {
                assertSame(ErrorCode.OK, completions.codes[i], "correlation id " + i + ": " + completions.messages[i]);
            }
            System.out.println("thread " + thread + ": " + refused + " submits refused by back-pressure");

            assertEquals(ITEMS, queryAllPages(client, table, pk), "Query pages of thread " + thread);
        }
    }

    private static int queryAllPages(final ShardClient client, final int table, final String pk)
    {
        final QueryRequest request = new QueryRequest();
        request.reset();
        request.partitionKey().string(pk);
        request.limit(700);
        final QueryPage page = new QueryPage();
        final int[] seen = { 0, 0 };
        final boolean[] more = { true };
        final ResponseHandler handler = (correlationId, code, buffer, offset, length) ->
        {
            assertSame(ErrorCode.OK, code, () -> ResponseLayout.message(code, buffer, offset, length));
            page.wrap(buffer, offset, length);
            while (page.nextItem())
            {
                final Map<String, AttributeValue> item = ItemCodec.decode(buffer, page.itemOffset(), page.itemLength());
                assertEquals(n(Integer.toString(seen[0])), item.get("sk"), "items in sort key order");
                seen[0]++;
            }
            more[0] = page.lastEvaluatedKeyLength() > 0;
            request.exclusiveStartKey(buffer, page.lastEvaluatedKeyOffset(), page.lastEvaluatedKeyLength());
            seen[1]++;
        };
        while (more[0])
        {
            while (!client.query(seen[1], table, request))
            {
                Thread.yield();
            }
            while (0 == client.poll(handler))
            {
                Thread.yield();
            }
        }
        assertEquals(5, seen[1], "pages of 700, 700, 700, 700, 200");
        return seen[0];
    }
}
