package io.ferrite.cell;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.Shard;
import io.ferrite.engine.shard.Table;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.ferrite.codecs.item.AttributeValue.l;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node holds requests to DynamoDB's 31 levels of nesting, but a cell's log holds requests, some written when Ferrite
 * accepted 32 levels: a member replaying one must do what it did then, or a write its client was told had succeeded
 * would be refused on replay, on every member alike. So a cell member's shard is a replica (which also makes a store
 * full only by its own history stop the member rather than answer) and holds requests to the stored bound, 32; its
 * snapshots hold stored items, which a member restores as they were.
 */
class AnItemOf32LevelsSurvivesACellSnapshotTest
{
    @TempDir
    Path dir;

    @Test
    void aMemberAppliesARequestOf32LevelsAndItsSnapshotRestoresTheItem()
    {
        final Map<String, AttributeValue> legacy = Map.of("pk", s("old"), "doc", nestedLists(32));
        final byte[] bytes = ItemCodec.encode(legacy);
        final List<byte[]> records = new ArrayList<>();
        try (CellState state = new CellState(config("writer")))
        {
            final Shard shard = state.shard();
            shard.createTable(TableSpec.of("deep").partitionKey("pk", KeyType.S));
            final Table table = shard.table("deep");
            assertTrue(shard.config().replica(), "a cell member's shard is a replica");
            // a request of 32 levels, as a log written before 2026-12-07 may hold it, is applied as it was then
            assertTrue(!shard.putItem(table, new UnsafeBuffer(bytes), 0, bytes.length, null, ReturnValues.NONE, null));
            // (33 levels cannot even be encoded: ItemWriter and ItemValidator hold every item to 32)
            state.writeSnapshot((buffer, offset, length) ->
            {
                final byte[] record = new byte[length];
                buffer.getBytes(offset, record);
                records.add(record);
            });
        }
        try (CellState state = new CellState(config("restored")))
        {
            for (final byte[] record : records)
            {
                state.loadSnapshotRecord(new UnsafeBuffer(record), 0, record.length);
            }
            final Shard shard = state.shard();
            final byte[] key = ItemCodec.encode(Map.of("pk", s("old")));
            final List<Map<String, AttributeValue>> found = new ArrayList<>();
            shard.getItem(shard.table("deep"), new UnsafeBuffer(key), 0, key.length,
                (final DirectBuffer buffer, final int offset, final int length) ->
                    found.add(ItemCodec.decode(buffer, offset, length)));
            assertEquals(List.of(legacy), found);
        }
    }

    private EngineConfig config(final String name)
    {
        return new EngineConfig().dataDir(dir.resolve(name)).partitionMaxItems(100).averageItemBytes(128);
    }

    private static AttributeValue nestedLists(final int levels)
    {
        AttributeValue value = l(List.of());
        for (int i = 1; i < levels; i++)
        {
            value = l(List.of(value));
        }
        return value;
    }
}
