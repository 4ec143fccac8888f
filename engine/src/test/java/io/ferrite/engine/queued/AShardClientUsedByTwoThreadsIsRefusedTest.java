package io.ferrite.engine.queued;

import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link ShardClient} belongs to the first thread that submits or polls with it. Another thread's submit or poll,
 * while that thread lives, is refused with an IllegalStateException naming both threads: two threads on one client
 * race on its in-flight count, and two pollers of its single-consumer response ring can take one completion twice or
 * corrupt the ring's head, silently. Before, nothing stopped the second thread. A client handed over after its thread
 * ended (a thread joined, then its client drained by another) is taken over by the new thread.
 */
class AShardClientUsedByTwoThreadsIsRefusedTest
{
    @TempDir
    Path dir;

    @Test
    void aSecondLiveThreadIsRefusedAndTakesOverOnceTheFirstHasEnded() throws Exception
    {
        try (QueuedShard queued = QueuedShard.start(new EngineConfig().dataDir(dir)))
        {
            queued.createTable(TableSpec.of("items").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N))
                .get(30, TimeUnit.SECONDS);
            final ShardClient client = queued.newClient(); // created here, owned by whoever uses it first
            final int table = client.tableId("items");
            final TestItems items = new TestItems();
            final UnsafeBuffer item = new UnsafeBuffer(new byte[256]);
            final int length = items.item(item, "pk", 1, "v");

            final CountDownLatch submitted = new CountDownLatch(1);
            final CountDownLatch release = new CountDownLatch(1);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread owner = new Thread(() ->
            {
                try
                {
                    assertTrue(client.putItem(1, table, item, 0, length));
                    submitted.countDown();
                    release.await();
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            }, "order-entry");
            owner.start();
            assertTrue(submitted.await(10, TimeUnit.SECONDS));

            final IllegalStateException submit = assertThrows(IllegalStateException.class,
                () -> client.putItem(2, table, item, 0, length));
            assertTrue(submit.getMessage().contains("order-entry") &&
                submit.getMessage().contains(Thread.currentThread().getName()), submit.getMessage());
            final Completions completions = new Completions(3, null);
            assertThrows(IllegalStateException.class, () -> client.poll(completions));
            assertEquals(1, client.inFlight(), "the refused submit submitted nothing");

            release.countDown();
            owner.join(10_000);
            assertNull(failure.get());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (client.inFlight() > 0 && System.nanoTime() < deadline)
            {
                client.poll(completions); // the owner has ended: this thread takes the client over
            }
            assertEquals(1, completions.counts[1], "the owner's PutItem was answered");
            assertTrue(client.putItem(2, table, item, 0, length), "and this thread submits with it now");
            while (client.inFlight() > 0 && System.nanoTime() < deadline)
            {
                client.poll(completions);
            }
            assertEquals(1, completions.counts[2]);
        }
    }
}
