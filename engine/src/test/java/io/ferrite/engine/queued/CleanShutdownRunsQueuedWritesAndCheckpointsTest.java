package io.ferrite.engine.queued;

import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.shard.RecoveryReport;
import io.ferrite.engine.shard.Shard;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Close right after submitting, with completions not yet polled: the agent runs what the ring holds, then
 * closes the shard with a checkpoint, so a reopen finds every write without replaying the WAL.
 */
class CleanShutdownRunsQueuedWritesAndCheckpointsTest
{
    private static final int WRITES = 2000;

    @TempDir
    Path dir;

    @Test
    void closeRunsQueuedCommandsThenCheckpoints() throws Exception
    {
        final EngineConfig config = new EngineConfig().dataDir(dir);
        final ShardClient client;
        try (QueuedShard queued = QueuedShard.start(config))
        {
            queued.createTable(TableSpec.of("items").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N))
                .get(30, TimeUnit.SECONDS);
            client = queued.newClient();
            final int table = client.tableId("items");
            final TestItems items = new TestItems();
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[1024]);
            final Completions completions = new Completions(WRITES, null);
            for (int i = 0; i < WRITES; i++)
            {
                final int length = items.item(scratch, "pk", i, "v");
                while (!client.putItem(i, table, scratch, 0, length))
                {
                    client.poll(completions);
                }
            }
        }
        assertThrows(IllegalStateException.class, () -> client.getItem(0, 0, new UnsafeBuffer(new byte[8]), 0, 8));

        final Completions late = new Completions(WRITES, null);
        while (client.poll(late) > 0)
        {
            // completions written during close are still there to poll
        }
        assertTrue(late.delivered <= WRITES);

        try (Shard shard = Shard.open(config, new SystemEpochNanoClock()))
        {
            final RecoveryReport report = shard.recoveryReport();
            assertEquals(WRITES, report.items(), "items after reopen: " + report);
            assertEquals(0, report.recordsReplayed(), "close checkpointed, nothing to replay: " + report);
            assertEquals(report.lastSequence(), report.checkpointSequence());
            assertEquals(WRITES, shard.describeTable("items").itemCount());
        }
    }
}
