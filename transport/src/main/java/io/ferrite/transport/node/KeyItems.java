package io.ferrite.transport.node;

import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.engine.table.TableSpec;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Builds the key item (the key attributes only, as a LastEvaluatedKey or an unprocessed key) of a
 * stored item of one table. Immutable once built; {@link #keyOf} is allocation-free and uses the
 * caller's writer, so it is safe from any thread that owns its writer.
 */
final class KeyItems
{
    private final UnsafeBuffer partitionKeyName;
    private final byte[] partitionKeyNameBytes;
    private final UnsafeBuffer sortKeyName;
    private final byte[] sortKeyNameBytes;

    KeyItems(final TableSpec spec)
    {
        partitionKeyNameBytes = spec.partitionKeyName().getBytes(StandardCharsets.UTF_8);
        partitionKeyName = new UnsafeBuffer(partitionKeyNameBytes);
        sortKeyNameBytes = null == spec.sortKeyName() ? null : spec.sortKeyName().getBytes(StandardCharsets.UTF_8);
        sortKeyName = null == sortKeyNameBytes ? null : new UnsafeBuffer(sortKeyNameBytes);
    }

    /**
     * @param item   a valid stored item of the table.
     * @param offset where it starts.
     * @param length its length.
     * @param writer receives the key item.
     * @return the key item's length in {@code writer.buffer()}.
     */
    int keyOf(final DirectBuffer item, final int offset, final int length, final ItemWriter writer)
    {
        writer.reset();
        final int pk = ItemFormat.findAttribute(item, offset, length, partitionKeyNameBytes);
        writer.name(partitionKeyName, 0, partitionKeyNameBytes.length).rawValue(item, pk, ItemFormat.valueLength(item, pk));
        if (null != sortKeyName)
        {
            final int sk = ItemFormat.findAttribute(item, offset, length, sortKeyNameBytes);
            writer.name(sortKeyName, 0, sortKeyNameBytes.length).rawValue(item, sk, ItemFormat.valueLength(item, sk));
        }
        return writer.finish();
    }

    /**
     * @return the key item as a new array (allocating; for batches).
     */
    byte[] keyOf(final byte[] item, final ItemWriter writer)
    {
        final int length = keyOf(new UnsafeBuffer(item), 0, item.length, writer);
        final byte[] key = new byte[length];
        writer.buffer().getBytes(0, key);
        return key;
    }
}
