package io.ferrite.engine.shard;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.agrona.concurrent.OffsetEpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An {@link ItemHandler} that calls its own shard (the natural "for each order of the query, read its instrument")
 * is refused with an IllegalStateException, and the operation that called the handler, and the shard, are unharmed.
 * Before, the inner call ran: a GetItem inside a Query's handler re-pointed the buffer the handler was reading at the
 * other item, so the handler read the instrument where it had the order a moment before; a PutItem inside a GetItem's
 * handler replaced the stored bytes the handler was reading. A handler that throws is also shown to leave the shard
 * consistent, with the write it answered applied, as ItemHandler documents.
 */
class AHandlerThatCallsItsShardIsRefusedTest
{
    @TempDir
    Path dir;

    private final ItemWriter writer = new ItemWriter();
    private final UnsafeBuffer item = new UnsafeBuffer(new byte[512]);
    private final UnsafeBuffer key = new UnsafeBuffer(new byte[512]);
    private final UnsafeBuffer otherKey = new UnsafeBuffer(new byte[512]);
    private Shard shard;
    private Table orders;

    @BeforeEach
    void open()
    {
        shard = Shard.open(new EngineConfig().dataDir(dir), new OffsetEpochNanoClock());
        shard.createTable(TableSpec.of("orders").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N));
        orders = shard.table("orders");
        for (int i = 0; i < 5; i++)
        {
            put("order", i, "o" + i);
        }
        put("instrument", 0, "EURUSD");
    }

    @AfterEach
    void close()
    {
        shard.close();
    }

    @Test
    void aGetItemInsideAQueryHandlerIsRefusedAndTheHandlersItemStaysPut()
    {
        final int otherKeyLength = writer.reset().string("pk", "instrument").number("sk", 0).finish(otherKey, 0);
        final QueryRequest query = new QueryRequest();
        query.partitionKey().string("order");
        final List<String> refusals = new ArrayList<>();
        final List<String> changed = new ArrayList<>();
        final IllegalStateException refused = assertThrows(IllegalStateException.class, () ->
            shard.query(orders, query, (buffer, offset, length) ->
            {
                final Map<String, AttributeValue> before = ItemCodec.decode(buffer, offset, length);
                try
                {
                    shard.getItem(orders, otherKey, 0, otherKeyLength, (b, o, l) -> { });
                }
                catch (final IllegalStateException ex)
                {
                    refusals.add(ex.getMessage());
                }
                final Map<String, AttributeValue> after = ItemCodec.decode(buffer, offset, length);
                if (!before.equals(after))
                {
                    changed.add("the handler's item changed under it: " + before + " became " + after);
                }
                throw new IllegalStateException("application gives up: " + refusals);
            }));
        assertEquals(List.of(), changed);
        assertEquals(1, refusals.size(), refused.getMessage());
        assertTrue(refusals.get(0).contains("inside an ItemHandler"), refusals.get(0));

        final List<String> values = new ArrayList<>();
        shard.query(orders, query, (buffer, offset, length) ->
            values.add(ItemCodec.decode(buffer, offset, length).get("v").asString()));
        assertEquals(List.of("o0", "o1", "o2", "o3", "o4"), values, "the shard serves the query afterwards");
    }

    @Test
    void aWriteInsideAGetItemHandlerIsRefusedAndNotApplied()
    {
        final int keyLength = writer.reset().string("pk", "order").number("sk", 1).finish(key, 0);
        final long sequence = shard.lastSequence();
        final IllegalStateException refused = assertThrows(IllegalStateException.class, () ->
            shard.getItem(orders, key, 0, keyLength, (buffer, offset, length) ->
            {
                final int itemLength = writer.reset().string("pk", "order").number("sk", 1).string("v", "replaced")
                    .finish(item, 0);
                shard.putItem(orders, item, 0, itemLength, null, ReturnValues.NONE, null);
            }));
        assertTrue(refused.getMessage().contains("inside an ItemHandler"), refused.getMessage());
        assertEquals(sequence, shard.lastSequence(), "nothing was logged");
        assertEquals("o1", value(keyLength), "nothing was stored");

        final IllegalStateException refusedDelete = assertThrows(IllegalStateException.class, () ->
            put("order", 2, "o2 again", (buffer, offset, length) ->
                shard.deleteItem(orders, key, 0, keyLength, null, ReturnValues.NONE, null)));
        assertTrue(refusedDelete.getMessage().contains("inside an ItemHandler"), refusedDelete.getMessage());
        assertEquals("o1", value(keyLength), "the delete inside the ALL_OLD handler was not applied");
    }

    @Test
    void aHandlerThatThrowsLeavesTheShardConsistentAndTheWriteApplied()
    {
        final long sequence = shard.lastSequence();
        final RuntimeException thrown = assertThrows(RuntimeException.class, () ->
            put("order", 3, "o3 amended", (buffer, offset, length) ->
            {
                throw new RuntimeException("application bug");
            }));
        assertEquals("application bug", thrown.getMessage());
        assertEquals(sequence + 1, shard.lastSequence(), "the put was logged");
        final int keyLength = writer.reset().string("pk", "order").number("sk", 3).finish(key, 0);
        assertEquals("o3 amended", value(keyLength), "and applied, although its handler threw");
        put("order", 4, "o4 amended");
        assertEquals("o4 amended", value(writer.reset().string("pk", "order").number("sk", 4).finish(key, 0)));
    }

    private void put(final String pk, final int sk, final String value)
    {
        put(pk, sk, value, null);
    }

    private void put(final String pk, final int sk, final String value, final ItemHandler oldItem)
    {
        final int length = writer.reset().string("pk", pk).number("sk", sk).string("v", value).finish(item, 0);
        shard.putItem(orders, item, 0, length, null, null == oldItem ? ReturnValues.NONE : ReturnValues.ALL_OLD,
            oldItem);
    }

    private String value(final int keyLength)
    {
        final String[] value = new String[1];
        shard.getItem(orders, key, 0, keyLength,
            (buffer, offset, length) -> value[0] = ItemCodec.decode(buffer, offset, length).get("v").asString());
        return value[0];
    }
}
