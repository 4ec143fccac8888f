package io.ferrite.transport.client;

import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.engine.wal.FsyncPolicy;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An offer that meets the end of the request log's term returns ADMIN_ACTION while the log rotates, and the same
 * offer then goes at once. The client reported it as BACK_PRESSURED: with one request in flight at a time, every
 * 16 MiB of requests (a node's IPC term) one was refused, and the HTTP front answered it as a ThrottlingException
 * (found filling a table with 20 KB items through `ferrite server`: request 815 of each run).
 */
class ATermRotationIsNotBackPressureTest
{
    private static final int ITEM_BYTES = 20_000;
    private static final int PUTS = 2_000; // ~40 MB of requests: two term rotations or more

    @Test
    void oneRequestAtATimeIsNeverRefusedAcrossTermRotations()
    {
        try (ClientNodeFixture started = ClientNodeFixture.launch(1, node ->
        {
            node.udpEndpoint("none");
            node.engine().partitionMaxItems(4_000).averageItemBytes(ITEM_BYTES + 100).fsyncPolicy(FsyncPolicy.NONE);
        }))
        {
            final FerriteClient client = started.connectAsync(
                started.ipcClientConfig().requestTimeoutNs(TimeUnit.SECONDS.toNanos(30)));
            final FerriteClientScriptedNodeTest.Recorder recorder = new FerriteClientScriptedNodeTest.Recorder();
            final long create = client.createTable(TableSpec.of("big").partitionKey("pk", KeyType.S), recorder);
            await(client, () -> recorder.done.contains(create));

            final ItemWriter writer = new ItemWriter();
            final String pad = "x".repeat(ITEM_BYTES);
            for (int i = 0; i < PUTS; i++)
            {
                // One key rewritten: the store stays small, the request log still grows by each request.
                writer.reset().string("pk", "k" + (i % 100)).string("v", pad);
                final int length = writer.finish();
                final long id = client.putItem("big", writer.buffer(), 0, length, ReturnValues.NONE, recorder);
                assertTrue(id > 0, "put " + i + " was refused with send status " + id + " (one request in flight)");
                await(client, () -> recorder.done.contains(id));
                assertFalse(recorder.failures.containsKey(id), recorder.failures.get(id));
            }
            assertEquals(0, client.counters().backPressured(), "no offer was counted as back-pressured");
        }
    }

    private static void await(final FerriteClient client, final java.util.function.BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "no answer within 30 s; counters " + client.counters());
            if (0 == client.poll())
            {
                Thread.yield();
            }
        }
    }
}
