package io.ferrite.engine.shard;

import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableDefinition;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A live table on a shard: its definition, its key schema in the forms the hot path needs (names as
 * UTF-8 bytes) and its partitions in hash order. Obtain one with {@link Shard#table(String)} and keep
 * it: the flyweight operations take it instead of a name, so they do no lookup by string.
 * <p>
 * Owned by the shard thread. A handle of a deleted table fails every operation with
 * ResourceNotFoundException. A handle belongs to the shard that gave it: another shard, or a shard reopened on the
 * same directory after a close, refuses it with an IllegalArgumentException (its partitions are another shard's, or
 * closed and unmapped).
 */
public final class Table
{
    private final Shard shard;
    private final TableDefinition definition;
    private final byte[] partitionKeyName;
    private final byte[] sortKeyName;
    private final Partition[] partitions;
    /** Tags of the key attributes' types (0 for no sort key), and whether the partition key's name sorts first. */
    private final byte partitionKeyTag;
    private final byte sortKeyTag;
    private final boolean partitionKeyFirst;
    private boolean deleted;

    Table(final Shard shard, final TableDefinition definition, final Partition[] partitions)
    {
        this.shard = shard;
        this.definition = definition;
        this.partitionKeyName = definition.spec().partitionKeyName().getBytes(StandardCharsets.UTF_8);
        this.sortKeyName = null == definition.spec().sortKeyName() ?
            null : definition.spec().sortKeyName().getBytes(StandardCharsets.UTF_8);
        this.partitions = partitions;
        this.partitionKeyTag = definition.spec().partitionKeyType().tag();
        this.sortKeyTag = null == sortKeyName ? 0 : definition.spec().sortKeyType().tag();
        this.partitionKeyFirst = null == sortKeyName || Arrays.compareUnsigned(partitionKeyName, sortKeyName) < 0;
    }

    /**
     * @return the table's name.
     */
    public String name()
    {
        return definition.spec().tableName();
    }

    /**
     * @return the catalog's definition of the table.
     */
    public TableDefinition definition()
    {
        return definition;
    }

    /**
     * @return true when the table has a sort key.
     */
    public boolean hasSortKey()
    {
        return null != sortKeyName;
    }

    /**
     * @return the partition key's type.
     */
    public KeyType partitionKeyType()
    {
        return definition.spec().partitionKeyType();
    }

    /**
     * @return the sort key's type, or null.
     */
    public KeyType sortKeyType()
    {
        return definition.spec().sortKeyType();
    }

    /**
     * @return true once the table has been deleted.
     */
    public boolean isDeleted()
    {
        return deleted;
    }

    /** The shard that gave this handle, the only one that accepts it. */
    Shard shard()
    {
        return shard;
    }

    byte[] partitionKeyNameBytes()
    {
        return partitionKeyName;
    }

    byte[] sortKeyNameBytes()
    {
        return sortKeyName;
    }

    byte partitionKeyTag()
    {
        return partitionKeyTag;
    }

    byte sortKeyTag()
    {
        return sortKeyTag;
    }

    /** Items hold attributes in name order: true when the partition key's comes before the sort key's. */
    boolean partitionKeyFirst()
    {
        return partitionKeyFirst;
    }

    int tableId()
    {
        return definition.tableId();
    }

    Partition[] partitions()
    {
        return partitions;
    }

    void markDeleted()
    {
        deleted = true;
    }

    Partition partitionFor(final long hash)
    {
        int low = 0;
        int high = partitions.length - 1;
        while (low < high)
        {
            final int mid = (low + high + 1) >>> 1;
            if (Long.compareUnsigned(partitions[mid].hashLow(), hash) <= 0)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }
        return partitions[low];
    }

    long itemCount()
    {
        long count = 0;
        for (final Partition partition : partitions)
        {
            count += partition.itemCount();
        }
        return count;
    }

    long sizeBytes()
    {
        long bytes = 0;
        for (final Partition partition : partitions)
        {
            bytes += partition.sizeBytes();
        }
        return bytes;
    }
}
