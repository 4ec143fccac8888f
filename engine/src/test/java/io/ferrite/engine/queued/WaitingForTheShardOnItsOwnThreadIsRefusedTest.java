package io.ferrite.engine.queued;

import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A call that waits for the shard, made on the shard's own thread (from a task), would wait for itself; it is refused
 * with an IllegalStateException and the shard goes on serving.
 * <ul>
 *   <li>{@link QueuedShard#close()} ("on this condition, shut down"): before, close waited for the agent's thread to
 *   end from that very thread: the task never completed, the shard served nothing more, and a later close from another
 *   thread returned at once (the flag was set) with the loop still hung.</li>
 *   <li>a {@link ShardClient} blocking call: before, the agent waited for a completion only it could write, and every
 *   client of the shard stalled for the call's whole timeout, which then failed as if the shard were slow.</li>
 * </ul>
 */
class WaitingForTheShardOnItsOwnThreadIsRefusedTest
{
    @TempDir
    Path dir;

    @Test
    void aCloseFromATaskIsRefusedAndTheShardGoesOn() throws Exception
    {
        final QueuedShard queued = QueuedShard.start(new EngineConfig().dataDir(dir));
        try
        {
            final ExecutionException refused = assertThrows(ExecutionException.class, () -> queued.execute(shard ->
            {
                queued.close();
                return null;
            }).get(10, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, refused.getCause());
            assertTrue(refused.getCause().getMessage().contains("own thread"), refused.getCause().getMessage());
            assertFalse(queued.isClosed(), "the refused close closed nothing");

            queued.createTable(TableSpec.of("items").partitionKey("pk", KeyType.S)).get(10, TimeUnit.SECONDS);
            assertEquals(1, queued.listTables().get(10, TimeUnit.SECONDS).size(), "the shard still serves");
        }
        finally
        {
            queued.close();
        }
    }

    @Test
    void aBlockingCallFromATaskIsRefused() throws Exception
    {
        try (QueuedShard queued = QueuedShard.start(new EngineConfig().dataDir(dir)))
        {
            queued.createTable(TableSpec.of("items").partitionKey("pk", KeyType.S)).get(10, TimeUnit.SECONDS);
            final ShardClient client = queued.newClient();
            final ItemWriter writer = new ItemWriter();
            final int length = writer.reset().string("pk", "x").finish();
            final ExecutionException refused = assertThrows(ExecutionException.class, () -> queued.execute(shard ->
            {
                client.putItemBlocking(client.tableId("items"), writer.buffer(), 0, length, TimeUnit.SECONDS.toNanos(5));
                return null;
            }).get(30, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, refused.getCause());
            assertTrue(refused.getCause().getMessage().contains("own thread"), refused.getCause().getMessage());
        }
    }
}
