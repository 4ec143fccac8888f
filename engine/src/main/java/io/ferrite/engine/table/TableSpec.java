package io.ferrite.engine.table;

import io.ferrite.engine.admission.TableCapacity;

import java.util.Objects;

/**
 * What CreateTable asks for: a table name and its primary key schema (a partition key and an optional
 * sort key, each with a name and a {@link KeyType}), and its capacity settings ({@link TableCapacity}, on-demand
 * unless set). Capacity is enforced by a node's router; the embedded engine keeps the key schema in its catalog and
 * neither persists nor enforces capacity. Equality is by name and key schema (the table's identity), not capacity.
 * <p>
 * Immutable; create with {@link #of(String)} and the fluent methods, which return new instances.
 */
public final class TableSpec
{
    private final String tableName;
    private final String partitionKeyName;
    private final KeyType partitionKeyType;
    private final String sortKeyName;
    private final KeyType sortKeyType;
    private final TableCapacity capacity;

    private TableSpec(
        final String tableName,
        final String partitionKeyName,
        final KeyType partitionKeyType,
        final String sortKeyName,
        final KeyType sortKeyType,
        final TableCapacity capacity)
    {
        this.capacity = Objects.requireNonNull(capacity, "capacity");
        this.tableName = tableName;
        this.partitionKeyName = partitionKeyName;
        this.partitionKeyType = partitionKeyType;
        this.sortKeyName = sortKeyName;
        this.sortKeyType = sortKeyType;
    }

    /**
     * @param tableName the table's name (3 to 255 characters of {@code [a-zA-Z0-9_.-]}).
     * @return a spec with no key schema yet.
     */
    public static TableSpec of(final String tableName)
    {
        return new TableSpec(tableName, null, null, null, null, TableCapacity.ON_DEMAND);
    }

    /**
     * @param name the partition (HASH) key attribute's name.
     * @param type its type.
     * @return a new spec with this partition key.
     */
    public TableSpec partitionKey(final String name, final KeyType type)
    {
        return new TableSpec(tableName, name, type, sortKeyName, sortKeyType, capacity);
    }

    /**
     * @param name the sort (RANGE) key attribute's name.
     * @param type its type.
     * @return a new spec with this sort key.
     */
    public TableSpec sortKey(final String name, final KeyType type)
    {
        return new TableSpec(tableName, partitionKeyName, partitionKeyType, name, type, capacity);
    }

    /**
     * @param capacity the billing mode and provisioned throughput.
     * @return a new spec with this capacity.
     */
    public TableSpec capacity(final TableCapacity capacity)
    {
        return new TableSpec(tableName, partitionKeyName, partitionKeyType, sortKeyName, sortKeyType, capacity);
    }

    /**
     * @return the billing mode and provisioned throughput ({@link TableCapacity#ON_DEMAND} unless set).
     */
    public TableCapacity capacity()
    {
        return capacity;
    }

    /**
     * @return the table's name.
     */
    public String tableName()
    {
        return tableName;
    }

    /**
     * @return the partition key attribute's name.
     */
    public String partitionKeyName()
    {
        return partitionKeyName;
    }

    /**
     * @return the partition key's type.
     */
    public KeyType partitionKeyType()
    {
        return partitionKeyType;
    }

    /**
     * @return the sort key attribute's name, or null when the table has no sort key.
     */
    public String sortKeyName()
    {
        return sortKeyName;
    }

    /**
     * @return the sort key's type, or null when the table has no sort key.
     */
    public KeyType sortKeyType()
    {
        return sortKeyType;
    }

    /**
     * {@inheritDoc}
     */
    public boolean equals(final Object o)
    {
        if (!(o instanceof TableSpec))
        {
            return false;
        }
        final TableSpec that = (TableSpec)o;
        return Objects.equals(tableName, that.tableName) &&
            Objects.equals(partitionKeyName, that.partitionKeyName) &&
            partitionKeyType == that.partitionKeyType &&
            Objects.equals(sortKeyName, that.sortKeyName) &&
            sortKeyType == that.sortKeyType;
    }

    /**
     * {@inheritDoc}
     */
    public int hashCode()
    {
        return Objects.hash(tableName, partitionKeyName, partitionKeyType, sortKeyName, sortKeyType);
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return tableName + "(HASH " + partitionKeyName + ":" + partitionKeyType +
            (null == sortKeyName ? "" : ", RANGE " + sortKeyName + ":" + sortKeyType) + ")" +
            (TableCapacity.ON_DEMAND.equals(capacity) ? "" :
            " PROVISIONED(" + capacity.readCapacityUnits() + " RCU, " + capacity.writeCapacityUnits() + " WCU)");
    }
}
