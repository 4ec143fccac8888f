package io.ferrite.engine.queued;

import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 64 KB command ring and a client that does not poll: its response ring fills, the agent parks the
 * completion that does not fit and stops taking commands, the command ring fills, and submit returns false
 * at once. Once the client polls, every accepted request completes exactly once.
 */
class FullRingsBackPressureWithoutLosingCompletionsTest
{
    private static final int MAX_REQUESTS = 200_000;

    @TempDir
    Path dir;

    @Test
    void slowConsumerSeesBackPressureAndLosesNoCompletion() throws Exception
    {
        final EngineConfig config = new EngineConfig().dataDir(dir).commandQueueBytes(64 * 1024);
        try (QueuedShard queued = QueuedShard.start(config))
        {
            queued.createTable(TableSpec.of("items").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N))
                .get(30, TimeUnit.SECONDS);
            final ShardClient slow = queued.newClient(QueuedShard.MIN_RESPONSE_QUEUE_BYTES);
            final int table = slow.tableId("items");
            final TestItems items = new TestItems();
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[1024]);

            int accepted = 0;
            long refusedSinceNs = 0;
            long longestSubmitNs = 0;
            while (accepted < MAX_REQUESTS)
            {
                final int length = items.item(scratch, "pk", accepted, "value");
                final long startNs = System.nanoTime();
                final boolean ok = slow.putItem(accepted, table, scratch, 0, length);
                final long nowNs = System.nanoTime();
                longestSubmitNs = Math.max(longestSubmitNs, nowNs - startNs);
                if (ok)
                {
                    accepted++;
                    refusedSinceNs = 0;
                }
                else if (0 == refusedSinceNs)
                {
                    refusedSinceNs = nowNs;
                }
                else if (nowNs - refusedSinceNs > TimeUnit.MILLISECONDS.toNanos(2000))
                {
                    break;
                }
                else
                {
                    Thread.yield();
                }
            }
            assertTrue(accepted < MAX_REQUESTS, "the rings never filled");
            // a put completion takes 24 bytes of ring (8 header + 12 + padding): the response ring held
            // tens of thousands before the agent stopped reading commands, then the command ring filled
            assertTrue(accepted > QueuedShard.MIN_RESPONSE_QUEUE_BYTES / 32,
                "accepted only " + accepted + ": the response ring did not fill, the agent just stalled");
            System.out.println("accepted " + accepted + " requests before back-pressure held for 2 s; " +
                "longest submit " + TimeUnit.NANOSECONDS.toMicros(longestSubmitNs) + " us");

            final int oversized = config.commandQueueBytes();
            assertThrows(IllegalArgumentException.class,
                () -> slow.putItem(-1, table, new UnsafeBuffer(new byte[oversized]), 0, oversized));

            final Completions completions = new Completions(accepted, null);
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (slow.inFlight() > 0 && System.nanoTime() < deadlineNs)
            {
                if (0 == slow.poll(completions))
                {
                    Thread.yield();
                }
            }
            assertEquals(0, slow.inFlight(), "completions still missing");
            assertEquals(accepted, completions.delivered);
            completions.assertEachExactlyOnce(accepted);
            for (int i = 0; i < accepted; i++)
            {
                assertSame(ErrorCode.OK, completions.codes[i], completions.messages[i]);
            }

            // the shard goes on after the stall
            final int length = items.key(scratch, "pk", accepted - 1);
            final byte[] last = slow.getItemBlocking(table, scratch, 0, length, TimeUnit.SECONDS.toNanos(30));
            assertTrue(null != last && last.length > 0);
            slow.close();
        }
    }
}
