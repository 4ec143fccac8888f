package io.ferrite.engine.model;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.shard.Shard;
import io.ferrite.engine.shard.SortKeyCondition;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the engine must answer, computed the slow and obvious way: per table, partition key value to a
 * {@link TreeMap} of sort key value to item, with DynamoDB's key order written out directly (N by
 * {@link java.math.BigDecimal}, S by UTF-8 bytes unsigned, B unsigned). It shares no code with the engine
 * except {@link AttributeValue} and {@link ItemCodec} (for the encoded item length the 1 MB page rule
 * counts). Every operation checks all its inputs before it changes anything, and refuses with
 * {@link Refused} where DynamoDB's rules say the call must fail.
 * <p>
 * Threading: single-threaded test helper.
 */
final class ReferenceModel
{
    /** The order of key values of one type, as DynamoDB sorts them. */
    static final Comparator<AttributeValue> KEY_ORDER = ReferenceModel::compareKeyValues;

    private final Map<String, TableModel> tables = new LinkedHashMap<>();

    /**
     * The model's verdict that an operation must fail, with the error code the engine must give.
     */
    static final class Refused extends RuntimeException
    {
        final ErrorCode code;

        Refused(final ErrorCode code, final String why)
        {
            super(code + ": " + why, null, false, false);
            this.code = code;
        }
    }

    /**
     * An item and its encoded length (what the 1 MB page rule counts).
     */
    record Stored(Map<String, AttributeValue> item, int encodedLength)
    {
    }

    /**
     * One page as the paging rule defines it.
     */
    record ModelPage(List<Map<String, AttributeValue>> items, Map<String, AttributeValue> lastEvaluatedKey,
        boolean endedByBytes)
    {
    }

    /**
     * The old and new item of an update (null where there is none).
     */
    record UpdateOutcome(Map<String, AttributeValue> oldItem, Map<String, AttributeValue> newItem)
    {
    }

    /**
     * One table: partition key value to (sort key value, or null without a sort key) to item.
     */
    static final class TableModel
    {
        final TableSpec spec;
        final TreeMap<AttributeValue, TreeMap<AttributeValue, Stored>> partitions = new TreeMap<>(KEY_ORDER);

        TableModel(final TableSpec spec)
        {
            this.spec = spec;
        }

        boolean hasSortKey()
        {
            return null != spec.sortKeyName();
        }

        int size()
        {
            int size = 0;
            for (final TreeMap<AttributeValue, Stored> partition : partitions.values())
            {
                size += partition.size();
            }
            return size;
        }

        List<Stored> all()
        {
            final List<Stored> all = new ArrayList<>();
            partitions.values().forEach(partition -> all.addAll(partition.values()));
            return all;
        }

        Map<String, AttributeValue> keyOf(final Map<String, AttributeValue> item)
        {
            final Map<String, AttributeValue> key = new LinkedHashMap<>();
            key.put(spec.partitionKeyName(), item.get(spec.partitionKeyName()));
            if (hasSortKey())
            {
                key.put(spec.sortKeyName(), item.get(spec.sortKeyName()));
            }
            return key;
        }

        AttributeValue sortKeyOf(final Map<String, AttributeValue> item)
        {
            return hasSortKey() ? item.get(spec.sortKeyName()) : null;
        }

        private Stored find(final Map<String, AttributeValue> key)
        {
            final TreeMap<AttributeValue, Stored> partition = partitions.get(key.get(spec.partitionKeyName()));
            return null == partition ? null : partition.get(sortKeyOf(key));
        }

        private Stored store(final Map<String, AttributeValue> item)
        {
            final Stored stored = new Stored(Map.copyOf(item), ItemCodec.encode(item).length);
            return partitions.computeIfAbsent(item.get(spec.partitionKeyName()),
                k -> new TreeMap<>(Comparator.nullsFirst(KEY_ORDER))).put(sortKeyOf(item), stored);
        }

        private Stored remove(final Map<String, AttributeValue> key)
        {
            final AttributeValue pk = key.get(spec.partitionKeyName());
            final TreeMap<AttributeValue, Stored> partition = partitions.get(pk);
            if (null == partition)
            {
                return null;
            }
            final Stored removed = partition.remove(sortKeyOf(key));
            if (partition.isEmpty())
            {
                partitions.remove(pk);
            }
            return removed;
        }
    }

    void createTable(final TableSpec spec)
    {
        tables.put(spec.tableName(), new TableModel(spec));
    }

    TableModel table(final String name)
    {
        final TableModel table = tables.get(name);
        if (null == table)
        {
            throw new Refused(ErrorCode.ResourceNotFoundException, "no table " + name);
        }
        return table;
    }

    Collection<TableModel> tables()
    {
        return tables.values();
    }

    // ------------------------------------------------------------------------------------------
    // Items
    // ------------------------------------------------------------------------------------------

    Map<String, AttributeValue> put(final String tableName, final Map<String, AttributeValue> item)
    {
        final TableModel table = table(tableName);
        checkItemKey(table, item);
        return itemOf(table.store(item));
    }

    Map<String, AttributeValue> get(final String tableName, final Map<String, AttributeValue> key)
    {
        final TableModel table = table(tableName);
        checkKeyShape(table, key);
        return itemOf(table.find(key));
    }

    Map<String, AttributeValue> delete(final String tableName, final Map<String, AttributeValue> key)
    {
        final TableModel table = table(tableName);
        checkKeyShape(table, key);
        return itemOf(table.remove(key));
    }

    /**
     * Attribute-level update: the item (or, when absent, its key) with {@code set} written over it and
     * {@code remove} taken away; nothing is created when the item is absent and nothing is set.
     */
    UpdateOutcome update(
        final String tableName,
        final Map<String, AttributeValue> key,
        final Map<String, AttributeValue> set,
        final Collection<String> remove)
    {
        final TableModel table = table(tableName);
        checkKeyShape(table, key);
        for (final String name : concat(set.keySet(), remove))
        {
            if (name.equals(table.spec.partitionKeyName()) || name.equals(table.spec.sortKeyName()))
            {
                throw new Refused(ErrorCode.ValidationException, "cannot update key attribute " + name);
            }
        }
        for (final String name : remove)
        {
            if (set.containsKey(name))
            {
                throw new Refused(ErrorCode.ValidationException, "set and remove overlap on " + name);
            }
        }

        final Map<String, AttributeValue> old = itemOf(table.find(key));
        if (null == old && set.isEmpty())
        {
            return new UpdateOutcome(null, null);
        }
        final Map<String, AttributeValue> updated = new LinkedHashMap<>(null == old ? key : old);
        updated.putAll(set);
        remove.forEach(updated::remove);
        table.store(updated);
        return new UpdateOutcome(old, Map.copyOf(updated));
    }

    // ------------------------------------------------------------------------------------------
    // Query
    // ------------------------------------------------------------------------------------------

    /**
     * One Query page: the items of partition key {@code pk} that satisfy the condition, in sort key order
     * (or reverse), strictly after {@code exclusiveStartKey}; the page ends at {@code limit} items (0 for
     * none), or before the item that would take it past {@link Shard#MAX_PAGE_BYTES} encoded bytes (a page
     * always holds at least one item). LastEvaluatedKey is the last item's key when the page ended early
     * for either reason, else null.
     */
    ModelPage query(
        final String tableName,
        final AttributeValue pk,
        final SortKeyCondition condition,
        final AttributeValue low,
        final AttributeValue high,
        final boolean forward,
        final int limit,
        final Map<String, AttributeValue> exclusiveStartKey)
    {
        final TableModel table = table(tableName);
        checkQuery(table, pk, condition, low, high);

        NavigableMap<AttributeValue, Stored> partition = table.partitions.get(pk);
        if (null == partition)
        {
            partition = new TreeMap<>(Comparator.nullsFirst(KEY_ORDER));
        }
        if (null != exclusiveStartKey)
        {
            checkKeyShape(table, exclusiveStartKey);
            if (0 != compareKeyValues(pk, exclusiveStartKey.get(table.spec.partitionKeyName())))
            {
                throw new Refused(ErrorCode.ValidationException, "start key's partition key differs");
            }
            final AttributeValue startSk = table.sortKeyOf(exclusiveStartKey);
            partition = forward ? partition.tailMap(startSk, false) : partition.headMap(startSk, false);
        }
        final Collection<Stored> inOrder = forward ? partition.values() : partition.descendingMap().values();

        final List<Stored> matching = new ArrayList<>();
        for (final Stored stored : inOrder)
        {
            if (matches(condition, table.sortKeyOf(stored.item()), low, high))
            {
                matching.add(stored);
            }
        }
        return page(table, matching, limit);
    }

    private static ModelPage page(final TableModel table, final List<Stored> candidates, final int limit)
    {
        final List<Map<String, AttributeValue>> items = new ArrayList<>();
        long bytes = 0;
        for (final Stored stored : candidates)
        {
            if (!items.isEmpty() && bytes + stored.encodedLength() > Shard.MAX_PAGE_BYTES)
            {
                return new ModelPage(items, table.keyOf(items.get(items.size() - 1)), true);
            }
            items.add(stored.item());
            bytes += stored.encodedLength();
            if (limit > 0 && items.size() == limit)
            {
                return new ModelPage(items, table.keyOf(stored.item()), false);
            }
        }
        return new ModelPage(items, null, false);
    }

    private static boolean matches(
        final SortKeyCondition condition, final AttributeValue sk, final AttributeValue low, final AttributeValue high)
    {
        switch (condition)
        {
            case NONE:
                return true;
            case EQ:
                return compareKeyValues(sk, low) == 0;
            case LT:
                return compareKeyValues(sk, low) < 0;
            case LE:
                return compareKeyValues(sk, low) <= 0;
            case GT:
                return compareKeyValues(sk, low) > 0;
            case GE:
                return compareKeyValues(sk, low) >= 0;
            case BETWEEN:
                return compareKeyValues(sk, low) >= 0 && compareKeyValues(sk, high) <= 0;
            case BEGINS_WITH:
            {
                final byte[] value = bytesOf(sk);
                final byte[] prefix = bytesOf(low);
                return value.length >= prefix.length &&
                    Arrays.equals(value, 0, prefix.length, prefix, 0, prefix.length);
            }
            default:
                throw new IllegalArgumentException(condition.name());
        }
    }

    private static void checkQuery(
        final TableModel table,
        final AttributeValue pk,
        final SortKeyCondition condition,
        final AttributeValue low,
        final AttributeValue high)
    {
        checkKeyValue(table.spec.partitionKeyType(), pk);
        if (SortKeyCondition.NONE == condition)
        {
            return;
        }
        if (!table.hasSortKey())
        {
            throw new Refused(ErrorCode.ValidationException, "sort key condition on a table without sort key");
        }
        checkOperand(table, low);
        if (SortKeyCondition.BETWEEN == condition)
        {
            checkOperand(table, high);
            if (compareKeyValues(low, high) > 0)
            {
                throw new Refused(ErrorCode.ValidationException, "BETWEEN low " + low + " > high " + high);
            }
        }
        if (SortKeyCondition.BEGINS_WITH == condition && KeyType.N == table.spec.sortKeyType())
        {
            throw new Refused(ErrorCode.ValidationException, "begins_with on a number");
        }
    }

    private static void checkOperand(final TableModel table, final AttributeValue value)
    {
        if (null == value || value.type() != table.spec.sortKeyType().tag())
        {
            throw new Refused(ErrorCode.ValidationException, "sort key operand " + value + " has the wrong type");
        }
    }

    // ------------------------------------------------------------------------------------------
    // Scan and batches
    // ------------------------------------------------------------------------------------------

    List<Map<String, AttributeValue>> scanAll(final String tableName)
    {
        final List<Map<String, AttributeValue>> items = new ArrayList<>();
        table(tableName).all().forEach(stored -> items.add(stored.item()));
        return items;
    }

    Map<String, List<Map<String, AttributeValue>>> batchGet(
        final Map<String, List<Map<String, AttributeValue>>> keysByTable)
    {
        final int total = keysByTable.values().stream().mapToInt(List::size).sum();
        if (total < 1 || total > Shard.MAX_BATCH_GET_KEYS)
        {
            throw new Refused(ErrorCode.ValidationException, "batch get of " + total + " keys");
        }
        for (final Map.Entry<String, List<Map<String, AttributeValue>>> entry : keysByTable.entrySet())
        {
            final TableModel table = table(entry.getKey());
            final Set<List<Object>> seen = new HashSet<>();
            for (final Map<String, AttributeValue> key : entry.getValue())
            {
                checkKeyShape(table, key);
                if (!seen.add(identity(table, key)))
                {
                    throw new Refused(ErrorCode.ValidationException, "duplicate key " + key);
                }
            }
        }

        final Map<String, List<Map<String, AttributeValue>>> found = new LinkedHashMap<>();
        keysByTable.forEach((tableName, keys) ->
        {
            for (final Map<String, AttributeValue> key : keys)
            {
                final Stored stored = table(tableName).find(key);
                if (null != stored)
                {
                    found.computeIfAbsent(tableName, k -> new ArrayList<>()).add(stored.item());
                }
            }
        });
        return found;
    }

    /**
     * A batch write: a map of table name to writes, each a put (an item) or a delete (a key).
     */
    void batchWrite(final Map<String, List<Map.Entry<Boolean, Map<String, AttributeValue>>>> writesByTable)
    {
        final int total = writesByTable.values().stream().mapToInt(List::size).sum();
        if (total < 1 || total > Shard.MAX_BATCH_WRITES)
        {
            throw new Refused(ErrorCode.ValidationException, "batch write of " + total + " writes");
        }
        for (final Map.Entry<String, List<Map.Entry<Boolean, Map<String, AttributeValue>>>> entry :
            writesByTable.entrySet())
        {
            final TableModel table = table(entry.getKey());
            final Set<List<Object>> seen = new HashSet<>();
            for (final Map.Entry<Boolean, Map<String, AttributeValue>> write : entry.getValue())
            {
                if (write.getKey())
                {
                    checkItemKey(table, write.getValue());
                }
                else
                {
                    checkKeyShape(table, write.getValue());
                }
                if (!seen.add(identity(table, write.getValue())))
                {
                    throw new Refused(ErrorCode.ValidationException, "duplicate key " + table.keyOf(write.getValue()));
                }
            }
        }

        writesByTable.forEach((tableName, writes) ->
        {
            for (final Map.Entry<Boolean, Map<String, AttributeValue>> write : writes)
            {
                if (write.getKey())
                {
                    table(tableName).store(write.getValue());
                }
                else
                {
                    table(tableName).remove(write.getValue());
                }
            }
        });
    }

    // ------------------------------------------------------------------------------------------
    // Key rules and order
    // ------------------------------------------------------------------------------------------

    static int compareKeyValues(final AttributeValue a, final AttributeValue b)
    {
        if (a.type() != b.type())
        {
            throw new IllegalArgumentException("comparing " + a + " with " + b);
        }
        if (ItemFormat.TYPE_N == a.type())
        {
            return a.asBigDecimal().compareTo(b.asBigDecimal());
        }
        return Arrays.compareUnsigned(bytesOf(a), bytesOf(b));
    }

    static byte[] bytesOf(final AttributeValue value)
    {
        if (ItemFormat.TYPE_S == value.type())
        {
            return value.asString().getBytes(StandardCharsets.UTF_8);
        }
        return value.asBytes();
    }

    private static void checkItemKey(final TableModel table, final Map<String, AttributeValue> item)
    {
        checkKeyValue(table.spec.partitionKeyType(), item.get(table.spec.partitionKeyName()));
        if (table.hasSortKey())
        {
            checkKeyValue(table.spec.sortKeyType(), item.get(table.spec.sortKeyName()));
        }
    }

    private static void checkKeyShape(final TableModel table, final Map<String, AttributeValue> key)
    {
        if (key.size() != (table.hasSortKey() ? 2 : 1))
        {
            throw new Refused(ErrorCode.ValidationException, "key " + key + " does not match the schema");
        }
        checkItemKey(table, key);
    }

    private static void checkKeyValue(final KeyType type, final AttributeValue value)
    {
        if (null == value || value.type() != type.tag())
        {
            throw new Refused(ErrorCode.ValidationException, "key value " + value + " is not of type " + type);
        }
        if (KeyType.N != type && 0 == bytesOf(value).length)
        {
            throw new Refused(ErrorCode.ValidationException, "empty key value");
        }
    }

    /** A key's identity for duplicate checks: numbers by value, strings and binaries by bytes. */
    private static List<Object> identity(final TableModel table, final Map<String, AttributeValue> item)
    {
        final List<Object> identity = new ArrayList<>();
        for (final AttributeValue value : table.keyOf(item).values())
        {
            identity.add(ItemFormat.TYPE_N == value.type() ?
                value.asBigDecimal().stripTrailingZeros() : Arrays.toString(bytesOf(value)));
        }
        return identity;
    }

    private static Map<String, AttributeValue> itemOf(final Stored stored)
    {
        return null == stored ? null : stored.item();
    }

    private static List<String> concat(final Collection<String> a, final Collection<String> b)
    {
        final List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
