package io.ferrite.engine.queued;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.engine.wal.FsyncPolicy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An Error on the queued shard's thread (what a SIGBUS in a mapped file becomes) ended the agent's thread, and every
 * client then waited for its timeout. Now the write that met it, and everything after, is answered at once with an
 * error saying the shard stopped; closing abandons the shard as a crash would, and reopening recovers every
 * acknowledged write from the log.
 */
class AQueuedShardStoppedByAnErrorAnswersAtOnceTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    Path dir;

    @Test
    void theFailedWriteAndEveryLaterRequestGetAnErrorAndReopeningRecovers() throws Exception
    {
        final EngineConfig config = new EngineConfig().dataDir(dir).fsyncPolicy(FsyncPolicy.NONE).partitionMaxItems(1000);
        final TestItems items = new TestItems();
        final UnsafeBuffer item = new UnsafeBuffer(new byte[1024]);
        final UnsafeBuffer key = new UnsafeBuffer(new byte[1024]);
        try (QueuedShard queued = QueuedShard.start(config))
        {
            queued.createTable(TableSpec.of("items").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N))
                .get(30, TimeUnit.SECONDS);
            final ShardClient client = queued.newClient();
            final int table = client.tableId("items");
            client.putItemBlocking(table, item, 0, items.item(item, "a", 1, "acknowledged"), TIMEOUT_NS);

            queued.execute(shard ->
            {
                shard.failNextWriteForTesting(new InternalError("injected: a fault in a recent unsafe memory access"));
                return null;
            }).get(30, TimeUnit.SECONDS);
            final FerriteException failed = assertThrows(FerriteException.class,
                () -> client.putItemBlocking(table, item, 0, items.item(item, "b", 2, "never"), TIMEOUT_NS));
            assertEquals(ErrorCode.InternalServerError, failed.code());
            assertTrue(failed.getMessage().contains("stopped after a fatal error") &&
                failed.getMessage().contains("injected"), failed.getMessage());

            final FerriteException read = assertThrows(FerriteException.class,
                () -> client.getItemBlocking(table, key, 0, items.key(key, "a", 1), TIMEOUT_NS));
            assertEquals(ErrorCode.InternalServerError, read.code(), "a read after the stop is answered, not run");
            final ExecutionException task = assertThrows(ExecutionException.class,
                () -> queued.describeTable("items").get(30, TimeUnit.SECONDS));
            final FerriteException refused = assertInstanceOf(FerriteException.class, task.getCause());
            assertSame(ErrorCode.InternalServerError, refused.code());
        }

        try (QueuedShard reopened = QueuedShard.start(config))
        {
            final ShardClient client = reopened.newClient();
            final int table = client.tableId("items");
            final byte[] found = client.getItemBlocking(table, key, 0, items.key(key, "a", 1), TIMEOUT_NS);
            assertNotNull(found, "the acknowledged write is there after the reopen");
            final UnsafeBuffer expected = new UnsafeBuffer(new byte[1024]);
            final int expectedLength = items.item(expected, "a", 1, "acknowledged");
            final byte[] expectedBytes = new byte[expectedLength];
            expected.getBytes(0, expectedBytes);
            assertArrayEquals(expectedBytes, found);
            assertEquals(null, client.getItemBlocking(table, key, 0, items.key(key, "b", 2), TIMEOUT_NS));
        }
    }
}
