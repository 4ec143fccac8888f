package io.ferrite.engine.queued;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.engine.wal.FsyncPolicy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link QueuedShard#close()} answers every command and task submitted before it, and tells its caller when the shard
 * did not close cleanly. Before:
 * <ul>
 *   <li>a completion that did not fit its client's response ring at close was dropped without a word to the client
 *   (a client that closes the shard from its own thread, its completions not yet polled, is the usual case): the write
 *   was applied, the client never learnt it, and {@link ShardClient#inFlight()} never came back to 0;</li>
 *   <li>a submission begun before close and committed after the agent's last read of the command ring was neither run
 *   nor answered, and a task offered after the agent's last drain never completed its future;</li>
 *   <li>a close whose final checkpoint failed returned normally (the failure was only logged), so the application
 *   took its writes for checkpointed.</li>
 * </ul>
 */
class CloseAnswersEveryCommandSubmittedBeforeItTest
{
    private static final int GETS = 40;
    private static final int ITEM_PAYLOAD = 100 * 1024;

    @TempDir
    Path dir;

    @Test
    void completionsThatDoNotFitTheRingAtCloseAreDeliveredByLaterPolls() throws Exception
    {
        final ShardClient client;
        final UnsafeBuffer key = new UnsafeBuffer(new byte[64]);
        final int keyLength;
        final int itemLength;
        try (QueuedShard queued = QueuedShard.start(new EngineConfig().dataDir(dir)))
        {
            queued.createTable(TableSpec.of("items").partitionKey("pk", KeyType.S)).get(30, TimeUnit.SECONDS);
            client = queued.newClient(QueuedShard.MIN_RESPONSE_QUEUE_BYTES);
            final int table = client.tableId("items");
            final ItemWriter writer = new ItemWriter(ITEM_PAYLOAD + 1024);
            itemLength = writer.reset().string("pk", "big").binary("v", new UnsafeBuffer(new byte[ITEM_PAYLOAD]), 0, ITEM_PAYLOAD).finish();
            client.putItemBlocking(table, writer.buffer(), 0, itemLength, TimeUnit.SECONDS.toNanos(10));
            keyLength = writer.reset().string("pk", "big").finish(key, 0);
            for (int i = 0; i < GETS; i++)
            {
                assertTrue(client.getItem(i, table, key, 0, keyLength), "submitted GetItem " + i);
            }
            // closed here, with the ring full of completions not polled and the rest of the GetItems still queued
        }

        final Completions completions = new Completions(GETS, (correlationId, buffer, offset, length) ->
            assertEquals(itemLength, length, "GetItem " + correlationId + " completed with the item"));
        final long[] order = new long[GETS];
        final int[] delivered = new int[1];
        while (client.poll((correlationId, code, buffer, offset, length) ->
        {
            order[delivered[0]++] = correlationId;
            completions.onResponse(correlationId, code, buffer, offset, length);
        }) > 0)
        {
            // every completion was written before close returned: poll until none is left
        }
        assertEquals(GETS, completions.delivered, "completions delivered after close (in flight: " +
            client.inFlight() + ")");
        completions.assertEachExactlyOnce(GETS);
        for (int i = 0; i < GETS; i++)
        {
            assertEquals(ErrorCode.OK, completions.codes[i], "GetItem " + i + ": " + completions.messages[i]);
            assertEquals(i, order[i], "completions arrive in submission order");
        }
        assertEquals(0, client.inFlight());
    }

    @Test
    void commandsAndTasksRacingWithCloseAreAnsweredOrRefused() throws Exception
    {
        for (int round = 0; round < 5; round++)
        {
            raceOnce(dir.resolve("round-" + round));
        }
    }

    private void raceOnce(final Path dataDir) throws Exception
    {
        final QueuedShard queued = QueuedShard.start(new EngineConfig().dataDir(dataDir));
        queued.createTable(TableSpec.of("items").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N))
            .get(30, TimeUnit.SECONDS);
        final int submitters = 2;
        final ShardClient[] clients = new ShardClient[submitters];
        final Completions[] completions = new Completions[submitters];
        final AtomicLong[] submitted = new AtomicLong[submitters];
        final Thread[] threads = new Thread[submitters];
        final AtomicBoolean started = new AtomicBoolean();
        for (int t = 0; t < submitters; t++)
        {
            final int id = t;
            clients[t] = queued.newClient();
            completions[t] = new Completions(1_000_000, null);
            submitted[t] = new AtomicLong();
            threads[t] = new Thread(() -> submitUntilClosed(clients[id], completions[id], submitted[id], id, started),
                "submitter-" + t);
            threads[t].start();
        }
        final List<CompletableFuture<?>> tasks = new ArrayList<>();
        final Thread taskSubmitter = new Thread(() ->
        {
            while (true)
            {
                try
                {
                    final CompletableFuture<?> task = queued.describeTable("items");
                    synchronized (tasks)
                    {
                        tasks.add(task);
                    }
                }
                catch (final IllegalStateException closed)
                {
                    return;
                }
            }
        }, "task-submitter");
        taskSubmitter.start();
        while (!started.get())
        {
            Thread.onSpinWait();
        }
        Thread.sleep(20);
        queued.close();
        for (final Thread thread : threads)
        {
            thread.join(30_000);
        }
        taskSubmitter.join(30_000);

        for (int t = 0; t < submitters; t++)
        {
            while (clients[t].poll(completions[t]) > 0)
            {
                // the rest of the completions, written before close returned
            }
            assertEquals(submitted[t].get(), completions[t].delivered, dataDir + ": client " + t +
                " had every submission answered (in flight: " + clients[t].inFlight() + ")");
            assertEquals(0, clients[t].inFlight());
        }
        synchronized (tasks)
        {
            for (final CompletableFuture<?> task : tasks)
            {
                try
                {
                    task.get(10, TimeUnit.SECONDS);
                }
                catch (final ExecutionException refused)
                {
                    // refused at close: answered
                }
            }
        }
    }

    private static void submitUntilClosed(
        final ShardClient client, final Completions completions, final AtomicLong submitted, final int id,
        final AtomicBoolean started)
    {
        final TestItems items = new TestItems();
        final UnsafeBuffer item = new UnsafeBuffer(new byte[256]);
        long next = 0;
        try
        {
            while (true)
            {
                final int length = items.item(item, "pk" + id, next, "v");
                if (client.putItem(next, client.tableId("items"), item, 0, length))
                {
                    next++;
                    submitted.set(next);
                    started.set(true);
                }
                else
                {
                    client.poll(completions);
                }
            }
        }
        catch (final IllegalStateException closed)
        {
            // the queued shard is closed: stop submitting
        }
    }

    @Test
    void aCloseWhoseCheckpointFailsThrows() throws Exception
    {
        final QueuedShard queued = QueuedShard.start(new EngineConfig().dataDir(dir).fsyncPolicy(FsyncPolicy.NONE));
        queued.createTable(TableSpec.of("items").partitionKey("pk", KeyType.S)).get(30, TimeUnit.SECONDS);
        final ShardClient client = queued.newClient();
        final ItemWriter writer = new ItemWriter();
        final int length = writer.reset().string("pk", "x").finish();
        client.putItemBlocking(client.tableId("items"), writer.buffer(), 0, length, TimeUnit.SECONDS.toNanos(10));
        queued.execute(shard ->
        {
            shard.failNextWalSyncForTesting(new IOException("injected EIO"));
            return null;
        }).get(10, TimeUnit.SECONDS);

        final FerriteException failed = assertThrows(FerriteException.class, queued::close);
        assertEquals(ErrorCode.InternalServerError, failed.code());
        assertTrue(failed.getMessage().contains("injected EIO"), failed.getMessage());
        assertTrue(queued.isClosed());
        queued.close(); // a second close does nothing
    }
}
