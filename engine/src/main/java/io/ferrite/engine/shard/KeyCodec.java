package io.ferrite.engine.shard;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.codecs.item.ItemValidator;
import io.ferrite.codecs.item.Utf8;
import io.ferrite.codecs.number.DecimalCodec;
import io.ferrite.codecs.key.KeyHash;
import io.ferrite.engine.table.KeyType;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Turns primary keys given as item bytes into index keys and back, enforcing DynamoDB's key rules.
 * Stateless; allocates only when it throws.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |            XXH64 of the partition key payload (big-endian)    |
 *  |                                                               |
 *  +-------------------------------+-------------------------------+
 *  |   partition key length (BE)   |  partition key payload ...    |
 *  +-------------------------------+-------------------------------+
 *  |  sort key payload (to the end; absent without a sort key) ... |
 *  +---------------------------------------------------------------+
 * </pre>
 * Payloads: S = UTF-8 bytes, B = raw bytes, N = the order-preserving number encoding
 * (docs/decisions/0001-item-format-and-key-encoding.md).
 */
final class KeyCodec
{
    /** DynamoDB's limit on a partition key value. */
    static final int MAX_PARTITION_KEY_BYTES = 2048;
    /** DynamoDB's limit on a sort key value. */
    static final int MAX_SORT_KEY_BYTES = 1024;
    /** Bytes before the partition key payload. */
    static final int HEADER_LENGTH = 10;
    /** Longest index key. */
    static final int MAX_INDEX_KEY_LENGTH = HEADER_LENGTH + MAX_PARTITION_KEY_BYTES + MAX_SORT_KEY_BYTES;

    private KeyCodec()
    {
    }

    /**
     * Builds the index key of an item being written (PutItem): the item must carry the key attributes
     * with the schema's types.
     *
     * @return the index key's length.
     */
    static int fromItem(
        final Table table,
        final DirectBuffer item,
        final int offset,
        final int length,
        final MutableDirectBuffer dst,
        final int dstOffset)
    {
        final int pkValue = ItemFormat.findAttribute(item, offset, length, table.partitionKeyNameBytes());
        if (pkValue < 0)
        {
            throw FerriteException.validation("One or more parameter values were invalid: Missing the key " +
                table.definition().spec().partitionKeyName() + " in the item");
        }
        checkItemKeyType(table.partitionKeyType(), table.definition().spec().partitionKeyName(), item, pkValue);

        int skValue = -1;
        if (table.hasSortKey())
        {
            skValue = ItemFormat.findAttribute(item, offset, length, table.sortKeyNameBytes());
            if (skValue < 0)
            {
                throw FerriteException.validation("One or more parameter values were invalid: Missing the key " +
                    table.definition().spec().sortKeyName() + " in the item");
            }
            checkItemKeyType(table.sortKeyType(), table.definition().spec().sortKeyName(), item, skValue);
        }

        return write(table, item, pkValue, skValue, dst, dstOffset);
    }

    /**
     * Builds the index key of a Key parameter (GetItem, DeleteItem, UpdateItem, batches, exclusive start
     * keys): it must hold exactly the key attributes, with the schema's types.
     *
     * @return the index key's length.
     */
    static int fromKey(
        final Table table,
        final DirectBuffer key,
        final int offset,
        final int length,
        final MutableDirectBuffer dst,
        final int dstOffset)
    {
        final int expected = table.hasSortKey() ? 2 : 1;
        if (ItemFormat.attributeCount(key, offset) != expected)
        {
            throw keyMismatch();
        }

        final int pkValue = ItemFormat.findAttribute(key, offset, length, table.partitionKeyNameBytes());
        if (pkValue < 0 || ItemFormat.type(key, pkValue) != table.partitionKeyType().tag())
        {
            throw keyMismatch();
        }

        int skValue = -1;
        if (table.hasSortKey())
        {
            skValue = ItemFormat.findAttribute(key, offset, length, table.sortKeyNameBytes());
            if (skValue < 0 || ItemFormat.type(key, skValue) != table.sortKeyType().tag())
            {
                throw keyMismatch();
            }
        }

        return write(table, key, pkValue, skValue, dst, dstOffset);
    }

    /**
     * Validates a Key parameter (GetItem, DeleteItem, UpdateItem, BatchGetItem) and builds its index key: the work of
     * {@link ItemValidator#validate(DirectBuffer, int, int)} followed by {@link #fromKey}, with the same result and
     * the same error for every input.
     * <p>
     * A valid key has one shape: the count, then exactly the schema's key attributes in name order, each with the
     * schema's type and a payload within its limit. {@link #canonicalKey} checks exactly that shape in one pass
     * (about a third of the two general passes' time; perf/README "GetItem's own work"); anything else, valid or
     * not, goes through the general passes, which give the error.
     *
     * @return the index key's length.
     */
    static int fromKeyParameter(
        final Table table,
        final DirectBuffer key,
        final int offset,
        final int length,
        final MutableDirectBuffer dst,
        final int dstOffset)
    {
        final int written = canonicalKey(table, key, offset, length, dst, dstOffset);
        if (written >= 0)
        {
            return written;
        }
        ItemValidator.validate(key, offset, length);
        return fromKey(table, key, offset, length, dst, dstOffset);
    }

    /**
     * The one-pass form of {@link #fromKeyParameter} for a key in its one valid shape; -1, having written nothing
     * that matters, for anything else. Every read is preceded by a check that it lies inside
     * {@code [offset, offset + length)}, and every check the general passes make of such a key is made here:
     * bounds, count (which also rules out a name index), names (equal to the schema's, so valid UTF-8, distinct and
     * in order), type tags, payload lengths and limits, UTF-8 of S payloads, N payloads' encoding, no trailing bytes.
     */
    static int canonicalKey(
        final Table table,
        final DirectBuffer key,
        final int offset,
        final int length,
        final MutableDirectBuffer dst,
        final int dstOffset)
    {
        final byte[] sortKeyName = table.sortKeyNameBytes();
        final int count = null == sortKeyName ? 1 : 2;
        if (offset < 0 || length < ItemFormat.COUNT_LENGTH || (long)offset + length > key.capacity() ||
            key.getInt(offset, ByteOrder.LITTLE_ENDIAN) != count)
        {
            return -1;
        }
        final int end = offset + length;
        final boolean partitionKeyFirst = table.partitionKeyFirst();
        final int firstValue = canonicalEntry(key, offset + ItemFormat.COUNT_LENGTH, end,
            partitionKeyFirst ? table.partitionKeyNameBytes() : sortKeyName,
            partitionKeyFirst ? table.partitionKeyTag() : table.sortKeyTag(),
            partitionKeyFirst ? MAX_PARTITION_KEY_BYTES : MAX_SORT_KEY_BYTES);
        if (firstValue < 0)
        {
            return -1;
        }
        final int firstEnd = firstValue + ItemFormat.valueLength(key, firstValue);
        if (null == sortKeyName)
        {
            return firstEnd == end ? write(table, key, firstValue, -1, dst, dstOffset) : -1;
        }
        final int secondValue = canonicalEntry(key, firstEnd, end,
            partitionKeyFirst ? sortKeyName : table.partitionKeyNameBytes(),
            partitionKeyFirst ? table.sortKeyTag() : table.partitionKeyTag(),
            partitionKeyFirst ? MAX_SORT_KEY_BYTES : MAX_PARTITION_KEY_BYTES);
        if (secondValue < 0 || secondValue + ItemFormat.valueLength(key, secondValue) != end)
        {
            return -1;
        }
        return partitionKeyFirst ?
            write(table, key, firstValue, secondValue, dst, dstOffset) :
            write(table, key, secondValue, firstValue, dst, dstOffset);
    }

    /**
     * @return the offset of the entry's value when the entry at {@code entry} is named {@code name}, holds a value
     * tagged {@code tag} with a valid payload of 1 to {@code maxPayload} bytes, and ends by {@code end}; otherwise -1.
     */
    private static int canonicalEntry(
        final DirectBuffer key, final int entry, final int end, final byte[] name, final byte tag, final int maxPayload)
    {
        final int nameOffset = ItemFormat.nameOffset(entry);
        final int valueOffset = nameOffset + name.length;
        if (valueOffset + ItemFormat.TAG_LENGTH > end ||
            ItemFormat.nameLength(key, entry) != name.length ||
            key.getByte(valueOffset) != tag)
        {
            return -1;
        }
        for (int i = 0; i < name.length; i++)
        {
            if (key.getByte(nameOffset + i) != name[i])
            {
                return -1;
            }
        }
        final int payloadOffset = ItemFormat.payloadOffset(valueOffset, tag);
        if (payloadOffset > end)
        {
            return -1;
        }
        final long payloadLength = ItemFormat.TYPE_N == tag ?
            key.getByte(valueOffset + ItemFormat.TAG_LENGTH) & 0xFF :
            key.getInt(valueOffset + ItemFormat.TAG_LENGTH, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        if (0 == payloadLength || payloadLength > maxPayload || payloadOffset + payloadLength > end)
        {
            return -1;
        }
        final boolean valid = ItemFormat.TYPE_S == tag ? Utf8.isValid(key, payloadOffset, (int)payloadLength) :
            ItemFormat.TYPE_N != tag || DecimalCodec.isValidEncoding(key, payloadOffset, (int)payloadLength);
        return valid ? valueOffset : -1;
    }

    /**
     * Writes the key item (the key attributes with their names) of an index key.
     *
     * @return the key item's length.
     */
    static int toKeyItem(
        final Table table,
        final DirectBuffer indexKey,
        final int offset,
        final int length,
        final MutableDirectBuffer dst,
        final int dstOffset)
    {
        final int pkLength = partitionKeyLength(indexKey, offset);
        final int pkOffset = offset + HEADER_LENGTH;
        final byte[] pkName = table.partitionKeyNameBytes();
        if (!table.hasSortKey())
        {
            dst.putInt(dstOffset, 1, ByteOrder.LITTLE_ENDIAN);
            return 4 + writeEntry(pkName, table.partitionKeyType(), indexKey, pkOffset, pkLength, dst, dstOffset + 4);
        }

        final byte[] skName = table.sortKeyNameBytes();
        final int skOffset = pkOffset + pkLength;
        final int skLength = offset + length - skOffset;
        dst.putInt(dstOffset, 2, ByteOrder.LITTLE_ENDIAN);
        int position = dstOffset + 4;
        if (compareNames(pkName, skName) < 0)
        {
            position += writeEntry(pkName, table.partitionKeyType(), indexKey, pkOffset, pkLength, dst, position);
            position += writeEntry(skName, table.sortKeyType(), indexKey, skOffset, skLength, dst, position);
        }
        else
        {
            position += writeEntry(skName, table.sortKeyType(), indexKey, skOffset, skLength, dst, position);
            position += writeEntry(pkName, table.partitionKeyType(), indexKey, pkOffset, pkLength, dst, position);
        }
        return position - dstOffset;
    }

    /**
     * Writes the prefix shared by every index key of one partition key value (hash, length, payload).
     *
     * @return the prefix length.
     */
    static int writePrefix(
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength,
        final MutableDirectBuffer dst,
        final int dstOffset)
    {
        final long hash = KeyHash.xxh64(payload, payloadOffset, payloadLength, 0);
        dst.putLong(dstOffset, hash, ByteOrder.BIG_ENDIAN);
        dst.putShort(dstOffset + 8, (short)payloadLength, ByteOrder.BIG_ENDIAN);
        dst.putBytes(dstOffset + HEADER_LENGTH, payload, payloadOffset, payloadLength);
        return HEADER_LENGTH + payloadLength;
    }

    static long hash(final DirectBuffer indexKey, final int offset)
    {
        return indexKey.getLong(offset, ByteOrder.BIG_ENDIAN);
    }

    static int partitionKeyLength(final DirectBuffer indexKey, final int offset)
    {
        return indexKey.getShort(offset + 8, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    static int prefixLength(final DirectBuffer indexKey, final int offset)
    {
        return HEADER_LENGTH + partitionKeyLength(indexKey, offset);
    }

    static void checkPartitionKeyPayload(final String name, final int payloadLength, final KeyType type)
    {
        if (0 == payloadLength)
        {
            throw emptyKey(name, type);
        }
        if (payloadLength > MAX_PARTITION_KEY_BYTES)
        {
            throw FerriteException.validation("One or more parameter values were invalid: Size of hashkey has " +
                "exceeded the maximum size limit of " + MAX_PARTITION_KEY_BYTES + " bytes (key " + name + " is " +
                payloadLength + " bytes)");
        }
    }

    static void checkSortKeyPayload(final String name, final int payloadLength, final KeyType type)
    {
        if (0 == payloadLength)
        {
            throw emptyKey(name, type);
        }
        if (payloadLength > MAX_SORT_KEY_BYTES)
        {
            throw FerriteException.validation("One or more parameter values were invalid: Aggregated size of all " +
                "range keys has exceeded the size limit of " + MAX_SORT_KEY_BYTES + " bytes (key " + name + " is " +
                payloadLength + " bytes)");
        }
    }

    private static int write(
        final Table table,
        final DirectBuffer item,
        final int pkValue,
        final int skValue,
        final MutableDirectBuffer dst,
        final int dstOffset)
    {
        final int pkPayload = ItemFormat.payloadOffset(item, pkValue);
        final int pkLength = ItemFormat.payloadLength(item, pkValue);
        checkPartitionKeyPayload(
            table.definition().spec().partitionKeyName(), pkLength, table.partitionKeyType());

        int length = writePrefix(item, pkPayload, pkLength, dst, dstOffset);
        if (skValue >= 0)
        {
            final int skPayload = ItemFormat.payloadOffset(item, skValue);
            final int skLength = ItemFormat.payloadLength(item, skValue);
            checkSortKeyPayload(table.definition().spec().sortKeyName(), skLength, table.sortKeyType());
            dst.putBytes(dstOffset + length, item, skPayload, skLength);
            length += skLength;
        }
        return length;
    }

    private static void checkItemKeyType(
        final KeyType expected, final String name, final DirectBuffer item, final int valueOffset)
    {
        final byte actual = ItemFormat.type(item, valueOffset);
        if (actual != expected.tag())
        {
            throw FerriteException.validation("One or more parameter values were invalid: Type mismatch for key " +
                name + " expected: " + expected + " actual: " + ItemFormat.typeName(actual));
        }
    }

    private static int writeEntry(
        final byte[] name,
        final KeyType type,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength,
        final MutableDirectBuffer dst,
        final int dstOffset)
    {
        int position = dstOffset;
        dst.putShort(position, (short)name.length, ByteOrder.LITTLE_ENDIAN);
        position += 2;
        dst.putBytes(position, name);
        position += name.length;
        dst.putByte(position++, type.tag());
        if (KeyType.N == type)
        {
            dst.putByte(position++, (byte)payloadLength);
        }
        else
        {
            dst.putInt(position, payloadLength, ByteOrder.LITTLE_ENDIAN);
            position += 4;
        }
        dst.putBytes(position, payload, payloadOffset, payloadLength);
        return position + payloadLength - dstOffset;
    }

    private static int compareNames(final byte[] a, final byte[] b)
    {
        return java.util.Arrays.compareUnsigned(a, b);
    }

    static FerriteException keyMismatch()
    {
        return FerriteException.validation("The provided key element does not match the schema");
    }

    private static FerriteException emptyKey(final String name, final KeyType type)
    {
        return FerriteException.validation("One or more parameter values are not valid. The AttributeValue for a " +
            "key attribute cannot contain an empty " + (KeyType.B == type ? "binary" : "string") + " value. Key: " +
            name);
    }

    static String describe(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
