package io.ferrite.engine.queued;

import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A submit whose buffer, offset or length is out of range (an application bug: a stale length, a buffer swapped for a
 * smaller one, a null) is refused at once with an IllegalArgumentException that names the range and the buffer, and
 * the shard goes on serving every client. It used to fail with an IndexOutOfBoundsException (or a
 * NullPointerException) half way through writing into the command ring, after it had claimed its slot: the claim was
 * never committed, and the agent, which reads the ring in order, waited for it forever, so every client of the shard
 * saw no completion again.
 */
class ASubmitWithBuffersOutOfRangeIsRefusedAndTheShardGoesOnTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    @TempDir
    Path dir;

    @Test
    void badRangesAreRefusedAtSubmitAndOtherClientsAreStillAnswered() throws Exception
    {
        try (QueuedShard queued = QueuedShard.start(new EngineConfig().dataDir(dir)))
        {
            queued.createTable(TableSpec.of("items").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N))
                .get(30, TimeUnit.SECONDS);
            final ShardClient careless = queued.newClient();
            final ShardClient other = queued.newClient();
            final int table = careless.tableId("items");
            final TestItems items = new TestItems();
            final UnsafeBuffer item = new UnsafeBuffer(new byte[256]);
            final int itemLength = items.item(item, "pk", 1, "v");
            final UnsafeBuffer key = new UnsafeBuffer(new byte[itemLength]);
            final int keyLength = items.key(key, "pk", 1);
            final DirectBuffer small = new UnsafeBuffer(new byte[16]);

            final Map<String, Executable> bad = new LinkedHashMap<>();
            bad.put("past the end", () -> careless.putItem(1, table, small, 8, 64));
            bad.put("negative offset", () -> careless.getItem(2, table, key, -1, keyLength));
            bad.put("negative length", () -> careless.deleteItem(3, table, key, 0, -4, ReturnValues.NONE));
            bad.put("null buffer", () -> careless.getItem(4, table, null, 0, keyLength));
            bad.put("sets past the end", () -> careless.updateItem(5, table, key, 0, keyLength, small, 0, 17,
                null, 0, 0, ReturnValues.NONE));
            bad.put("removes past the end", () -> careless.updateItem(6, table, key, 0, keyLength, null, 0, 0,
                small, 12, 8, ReturnValues.NONE));
            bad.put("update key null", () -> careless.updateItem(7, table, null, 0, keyLength, null, 0, 0,
                null, 0, 0, ReturnValues.NONE));
            for (final Map.Entry<String, Executable> submit : bad.entrySet())
            {
                final IllegalArgumentException refused =
                    assertThrows(IllegalArgumentException.class, submit.getValue(), submit.getKey());
                assertTrue(refused.getMessage().contains("outside") || refused.getMessage().contains("null"),
                    submit.getKey() + ": " + refused.getMessage());
            }
            assertEquals(0, careless.inFlight(), "nothing was submitted");

            other.putItemBlocking(table, item, 0, itemLength, TIMEOUT_NS);
            final byte[] found = other.getItemBlocking(table, key, 0, keyLength, TIMEOUT_NS);
            final byte[] expected = new byte[itemLength];
            item.getBytes(0, expected);
            assertArrayEquals(expected, found, "the other client is still answered");
            assertArrayEquals(expected, careless.getItemBlocking(table, key, 0, keyLength, TIMEOUT_NS),
                "and so is the careless one");
        }
    }
}
