package io.ferrite.transport.node;

import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.codecs.key.KeyHash;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Finds the partition key in item bytes that the router has not validated (a Key, an Item, or a single
 * value) and hashes its payload as the engine does ({@code xxh64(payload, 0)}, decision 0001), so the
 * router sends a request to the shard that owns the hash. Every step is bounds-checked against the
 * given length: malformed bytes are reported as "not found" and left to the shard's validator to
 * describe.
 * <p>
 * <b>Threading:</b> one instance per thread (it holds the last result). Allocation-free.
 */
final class PartitionKeys
{
    private boolean found;
    private long hash;

    /**
     * Looks the attribute {@code name} up among the top-level attributes of item bytes.
     *
     * @return true if found with a key type (S, N, B) and sane bounds; then {@link #hash()} is set.
     */
    boolean hashAttribute(final DirectBuffer buffer, final int offset, final int length, final byte[] name)
    {
        found = false;
        final int end = offset + length;
        if (length < ItemFormat.COUNT_LENGTH)
        {
            return false;
        }
        final int count = buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN) & ~ItemFormat.INDEXED_FLAG; // not validated yet
        if (count > length)
        {
            return false;
        }
        int entry = offset + ItemFormat.COUNT_LENGTH;
        for (int i = 0; i < count; i++)
        {
            if (entry + ItemFormat.NAME_LENGTH_LENGTH > end)
            {
                return false;
            }
            final int nameLength = buffer.getShort(entry, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
            final int nameOffset = entry + ItemFormat.NAME_LENGTH_LENGTH;
            final int valueOffset = nameOffset + nameLength;
            if (valueOffset >= end)
            {
                return false;
            }
            final int valueLength = valueLength(buffer, valueOffset, end);
            if (valueLength < 0)
            {
                return false;
            }
            if (nameLength == name.length && sameBytes(buffer, nameOffset, name))
            {
                return hashValue(buffer, valueOffset, valueLength);
            }
            entry = valueOffset + valueLength;
        }
        return false;
    }

    /**
     * Hashes a single key value (tag and body, as Query's partitionKeyValue).
     *
     * @return true if it is a well-formed S, N or B value of exactly {@code length} bytes.
     */
    boolean hashValue(final DirectBuffer buffer, final int offset, final int length)
    {
        found = false;
        if (length < 2)
        {
            return false;
        }
        final byte tag = buffer.getByte(offset);
        final int payloadOffset;
        final int payloadLength;
        switch (tag)
        {
            case ItemFormat.TYPE_S:
            case ItemFormat.TYPE_B:
                if (length < 5)
                {
                    return false;
                }
                payloadOffset = offset + 5;
                payloadLength = buffer.getInt(offset + 1, ByteOrder.LITTLE_ENDIAN);
                break;

            case ItemFormat.TYPE_N:
                payloadOffset = offset + 2;
                payloadLength = buffer.getByte(offset + 1) & 0xFF;
                break;

            default:
                return false;
        }
        if (payloadLength < 0 || (long)payloadOffset + payloadLength > (long)offset + length)
        {
            return false;
        }
        hash = KeyHash.xxh64(buffer, payloadOffset, payloadLength, 0);
        found = true;
        return true;
    }

    boolean found()
    {
        return found;
    }

    long hash()
    {
        return hash;
    }

    /**
     * @return the length of the value at {@code offset}, or -1 if it runs past {@code end} or has no known tag.
     */
    private static int valueLength(final DirectBuffer buffer, final int offset, final int end)
    {
        final byte tag = buffer.getByte(offset);
        final long length;
        switch (tag)
        {
            case ItemFormat.TYPE_S:
            case ItemFormat.TYPE_B:
            case ItemFormat.TYPE_M:
            case ItemFormat.TYPE_L:
            case ItemFormat.TYPE_SS:
            case ItemFormat.TYPE_NS:
            case ItemFormat.TYPE_BS:
                if (offset + 5 > end)
                {
                    return -1;
                }
                length = 5L + (buffer.getInt(offset + 1, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL);
                break;

            case ItemFormat.TYPE_N:
                if (offset + 2 > end)
                {
                    return -1;
                }
                length = 2L + (buffer.getByte(offset + 1) & 0xFF);
                break;

            case ItemFormat.TYPE_BOOL:
                length = 2;
                break;

            case ItemFormat.TYPE_NULL:
                length = 1;
                break;

            default:
                return -1;
        }
        return offset + length > end ? -1 : (int)length;
    }

    private static boolean sameBytes(final DirectBuffer buffer, final int offset, final byte[] name)
    {
        for (int i = 0; i < name.length; i++)
        {
            if (buffer.getByte(offset + i) != name[i])
            {
                return false;
            }
        }
        return true;
    }
}
