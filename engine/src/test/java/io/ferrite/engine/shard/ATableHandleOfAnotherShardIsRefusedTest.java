package io.ferrite.engine.shard;

import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.agrona.concurrent.OffsetEpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link Table} handle is the shard's that gave it. An application with two embedded shards that mixes their
 * handles up, or that keeps a handle across a close and reopen of its data directory, is refused with an
 * IllegalArgumentException before anything is read or written. Before, a PutItem through another shard's handle was
 * logged in this shard's WAL (as this shard's table with the same id) and stored in the other shard's partition, which
 * never logged it: each shard then held what the other's log said, and a restart of either changed what it served. A
 * handle kept across a reopen pointed at partitions closed and unmapped by the close.
 */
class ATableHandleOfAnotherShardIsRefusedTest
{
    @TempDir
    Path first;

    @TempDir
    Path second;

    private final ItemWriter writer = new ItemWriter();
    private final UnsafeBuffer item = new UnsafeBuffer(new byte[256]);
    private final UnsafeBuffer key = new UnsafeBuffer(new byte[256]);
    private final UnsafeBuffer sets = new UnsafeBuffer(new byte[256]);

    @Test
    void anotherOpenShardsHandleIsRefusedAndNeitherShardChanges()
    {
        try (Shard a = Shard.open(new EngineConfig().dataDir(first), new OffsetEpochNanoClock());
            Shard b = Shard.open(new EngineConfig().dataDir(second), new OffsetEpochNanoClock()))
        {
            a.createTable(TableSpec.of("orders").partitionKey("pk", KeyType.S));
            b.createTable(TableSpec.of("orders").partitionKey("pk", KeyType.S));
            final Table ofA = a.table("orders");
            final long aSequence = a.lastSequence();
            final long bSequence = b.lastSequence();

            for (final Map.Entry<String, Executable> operation : everyOperation(b, ofA).entrySet())
            {
                final IllegalArgumentException refused =
                    assertThrows(IllegalArgumentException.class, operation.getValue(), operation.getKey());
                assertTrue(refused.getMessage().contains(first.toString()) &&
                    refused.getMessage().contains(second.toString()), refused.getMessage());
            }

            assertEquals(bSequence, b.lastSequence(), "the shard used with a foreign handle logged nothing");
            assertEquals(aSequence, a.lastSequence(), "the handle's shard logged nothing");
            final int keyLength = writer.reset().string("pk", "x").finish(key, 0);
            assertFalse(a.getItem(ofA, key, 0, keyLength, (buffer, offset, length) -> { }), "a stored nothing");
            assertFalse(b.getItem(b.table("orders"), key, 0, keyLength, (buffer, offset, length) -> { }),
                "b stored nothing");
        }
    }

    @Test
    void aHandleKeptAcrossACloseAndReopenIsRefused()
    {
        final EngineConfig config = new EngineConfig().dataDir(first);
        final Table stale;
        try (Shard shard = Shard.open(config, new OffsetEpochNanoClock()))
        {
            shard.createTable(TableSpec.of("orders").partitionKey("pk", KeyType.S));
            stale = shard.table("orders");
        }
        try (Shard reopened = Shard.open(config, new OffsetEpochNanoClock()))
        {
            for (final Map.Entry<String, Executable> operation : everyOperation(reopened, stale).entrySet())
            {
                final IllegalArgumentException refused =
                    assertThrows(IllegalArgumentException.class, operation.getValue(), operation.getKey());
                assertTrue(refused.getMessage().contains("which was closed"), refused.getMessage());
            }
            final Table fresh = reopened.table("orders");
            final int itemLength = writer.reset().string("pk", "x").string("v", "1").finish(item, 0);
            reopened.putItem(fresh, item, 0, itemLength, null, ReturnValues.NONE, null);
            final int keyLength = writer.reset().string("pk", "x").finish(key, 0);
            assertTrue(reopened.getItem(fresh, key, 0, keyLength, (buffer, offset, length) -> { }),
                "a handle taken after the reopen works");
        }
    }

    private Map<String, Executable> everyOperation(final Shard shard, final Table table)
    {
        final int itemLength = writer.reset().string("pk", "x").string("v", "1").finish(item, 0);
        final int keyLength = writer.reset().string("pk", "x").finish(key, 0);
        final int setsLength = writer.reset().string("v", "2").finish(sets, 0);
        final QueryRequest query = new QueryRequest();
        query.partitionKey().string("x");
        final Map<String, Executable> operations = new LinkedHashMap<>();
        operations.put("PutItem", () -> shard.putItem(table, item, 0, itemLength, null, ReturnValues.NONE, null));
        operations.put("GetItem", () -> shard.getItem(table, key, 0, keyLength, (buffer, offset, length) -> { }));
        operations.put("DeleteItem", () -> shard.deleteItem(table, key, 0, keyLength, null, ReturnValues.NONE, null));
        operations.put("UpdateItem", () -> shard.updateItem(table, key, 0, keyLength,
            new AttributeUpdates().wrap(sets, 0, setsLength, null, 0, 0), null, ReturnValues.NONE, null));
        operations.put("Query", () -> shard.query(table, query, (buffer, offset, length) -> { }));
        operations.put("Scan", () -> shard.scan(table, new ScanRequest(), (buffer, offset, length) -> { }));
        return operations;
    }
}
