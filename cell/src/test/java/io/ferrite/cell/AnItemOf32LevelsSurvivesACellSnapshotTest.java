package io.ferrite.cell;

import io.ferrite.codecs.error.FerriteException;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests are held to DynamoDB's 31 levels of nesting, but a cell whose members stored 32 levels before that bound
 * must still load its snapshots: a snapshot holds stored items, which the member restores rather than re-requests.
 */
class AnItemOf32LevelsSurvivesACellSnapshotTest
{
    @TempDir
    Path dir;

    @Test
    void aSnapshotHoldingAnItemOf32LevelsLoadsAndTheItemReadsBack()
    {
        final Map<String, AttributeValue> legacy = Map.of("pk", s("old"), "doc", nestedLists(32));
        final byte[] bytes = ItemCodec.encode(legacy);
        final List<byte[]> records = new ArrayList<>();
        try (CellState state = new CellState(config("writer")))
        {
            final Shard shard = state.shard();
            shard.createTable(TableSpec.of("deep").partitionKey("pk", KeyType.S));
            final Table table = shard.table("deep");
            final FerriteException refused = assertThrows(FerriteException.class, () ->
                shard.putItem(table, new UnsafeBuffer(bytes), 0, bytes.length, null, ReturnValues.NONE, null));
            assertTrue(refused.getMessage().startsWith("Nesting Levels have exceeded supported limits"));
            shard.restoreItem(table, new UnsafeBuffer(bytes), 0, bytes.length); // as stored before the bound
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
