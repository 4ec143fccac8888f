package io.ferrite.engine.queued;

import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.shard.QueryRequest;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both sides of the queued hot path: PutItem, GetItem, UpdateItem (attribute updates), DeleteItem and Query
 * submitted and their completions polled, pipelined, allocate nothing in steady state on the client's thread nor
 * on the shard's agent thread, which runs them and writes the completions (measured with each thread's
 * allocated-bytes counter; no time is asserted).
 */
class ClientSubmitAndPollAllocateNothingTest
{
    private static final int WARM_UP_ROUNDS = 30_000;
    private static final int MEASURED_ROUNDS = 10_000;
    private static final int KEYS = 64;
    private static final int KIND_MASK = (1 << 16) - 1;
    private static final byte GET = 1;
    private static final byte QUERY = 2;

    @TempDir
    Path dir;

    private final UnsafeBuffer item = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
    private final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
    private final UnsafeBuffer sets = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
    private int setsLength;
    private final TestItems items = new TestItems();
    private final QueryRequest query = new QueryRequest();
    private final QueryPage page = new QueryPage();
    private final Counting handler = new Counting();
    private final byte[] kinds = new byte[KIND_MASK + 1];

    @Test
    void steadyStateSubmitAndPollAllocateNothing() throws Exception
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (QueuedShard queued = QueuedShard.start(new EngineConfig().dataDir(dir)))
        {
            queued.createTable(TableSpec.of("items").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N))
                .get(30, TimeUnit.SECONDS);
            final ShardClient client = queued.newClient();
            final int table = client.tableId("items");
            query.reset();
            query.partitionKey().string("pk");
            query.limit(8);
            setsLength = new ItemWriter().reset().number("qty", 7).string("side", "SELL").finish(sets, 0);
            final long agentThreadId = agentThreadId();

            rounds(client, table, WARM_UP_ROUNDS);
            final long before = threads.getCurrentThreadAllocatedBytes();
            rounds(client, table, MEASURED_ROUNDS);
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            // Writes allocate a little (inside Chronicle Queue's appender) until the compiler settles, ~90,000 of them
            // measured, and a deoptimisation can re-materialise eliminated objects once: the least of three windows
            // counts, as a command that made garbage would cost at least 16 bytes in every window.
            long agentAllocated = Long.MAX_VALUE;
            for (int window = 0; window < 3; window++)
            {
                final long agentBefore = threads.getThreadAllocatedBytes(agentThreadId);
                rounds(client, table, MEASURED_ROUNDS);
                agentAllocated = Math.min(agentAllocated, threads.getThreadAllocatedBytes(agentThreadId) - agentBefore);
            }

            System.out.println(MEASURED_ROUNDS + " rounds of put, get, update, query, delete allocated " + allocated +
                " bytes on the client thread; the agent thread " + agentAllocated + " in the best of three windows");
            assertEquals(0, handler.errors, "error completions");
            assertTrue(handler.items > 0 && handler.found > 0, "the rounds read items back");
            assertTrue(allocated < 1024, "client submit/poll allocated " + allocated + " bytes");
            final long commands = MEASURED_ROUNDS * 4L + MEASURED_ROUNDS / 4;
            assertTrue((double)agentAllocated / commands < 0.1, "the agent allocated " + agentAllocated +
                " bytes running " + commands + " commands");
            client.close();
        }
    }

    private void rounds(final ShardClient client, final int table, final int count)
    {
        long correlationId = 0;
        for (int i = 0; i < count; i++)
        {
            final long sk = i % KEYS;
            final int itemLength = items.item(item, "pk", sk, "value");
            while (!client.putItem(correlationId, table, item, 0, itemLength))
            {
                drain(client);
            }
            correlationId++;
            final int keyLength = items.key(key, "pk", sk);
            kinds[(int)(correlationId & KIND_MASK)] = GET;
            while (!client.getItem(correlationId, table, key, 0, keyLength))
            {
                drain(client);
            }
            correlationId++;
            kinds[(int)(correlationId & KIND_MASK)] = QUERY;
            while (!client.query(correlationId, table, query))
            {
                drain(client);
            }
            correlationId++;
            while (!client.updateItem(correlationId, table, key, 0, keyLength, sets, 0, setsLength, null, 0, 0,
                ReturnValues.UPDATED_NEW))
            {
                drain(client);
            }
            correlationId++;
            if (0 == (i & 3))
            {
                while (!client.deleteItem(correlationId, table, key, 0, keyLength, ReturnValues.ALL_OLD))
                {
                    drain(client);
                }
                correlationId++;
            }
            if (client.inFlight() > 128)
            {
                drain(client);
            }
        }
        while (client.inFlight() > 0)
        {
            drain(client);
        }
    }

    /** The one running shard agent's thread (its role name), whose allocation the test counts too. */
    private static long agentThreadId()
    {
        final long[] ids = Thread.getAllStackTraces().keySet().stream()
            .filter((thread) -> ShardAgent.ROLE_NAME.equals(thread.getName()) && thread.isAlive())
            .mapToLong(Thread::getId).toArray();
        assertEquals(1, ids.length, "running shard agent threads");
        return ids[0];
    }

    private void drain(final ShardClient client)
    {
        if (0 == client.poll(handler))
        {
            Thread.yield();
        }
    }

    private final class Counting implements ResponseHandler
    {
        long errors;
        long found;
        long items;

        public void onResponse(
            final long correlationId, final ErrorCode errorCode, final DirectBuffer buffer, final int offset,
            final int length)
        {
            if (ErrorCode.OK != errorCode)
            {
                errors++;
                return;
            }
            final int slot = (int)(correlationId & KIND_MASK);
            if (GET == kinds[slot] && length > 0)
            {
                found++;
            }
            else if (QUERY == kinds[slot])
            {
                page.wrap(buffer, offset, length);
                while (page.nextItem())
                {
                    items++;
                }
            }
            kinds[slot] = 0;
        }
    }
}
