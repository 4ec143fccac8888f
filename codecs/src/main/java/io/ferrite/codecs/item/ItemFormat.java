package io.ferrite.codecs.item;

import io.ferrite.codecs.bytes.UnsignedBytes;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The canonical item bytes of decision 0001 and flyweight navigation over them. All integers are
 * little-endian.
 * <pre>
 * item:
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                        attribute count                        |
 *  +---------------------------------------------------------------+
 *  |                 entries, sorted by name bytes                ...
 *  +---------------------------------------------------------------+
 *  |   name index, when the count's top bit is set (see below)    ...
 *  +---------------------------------------------------------------+
 * entry:
 *  +-------------------------------+-------------------------------+
 *  |        name length (u16)      |  name (UTF-8, 1..65535)      ...
 *  +-------------------------------+-------------------------------+
 *  |  value                                                       ...
 *  +---------------------------------------------------------------+
 * value:
 *  +---------------+-----------------------------------------------+
 *  |      tag      |  body                                        ...
 *  +---------------+-----------------------------------------------+
 *   S, B:       length:u32  bytes[length]
 *   N:          length:u8   number[length]          (see DecimalCodec)
 *   BOOL:       0 | 1 :u8
 *   NULL:       (nothing)
 *   M:          size:u32  count:u32  entry*         size = bytes of (count + entries)
 *   L:          size:u32  count:u32  value*
 *   SS, BS:     size:u32  count:u32  (length:u32 bytes)*   sorted, unique, count >= 1
 *   NS:         size:u32  count:u32  (length:u8 number)*   sorted, unique, count >= 1
 * </pre>
 * Name index (decision 0012): the count's top bit ({@link #INDEXED_FLAG}) says the item ends with
 * {@code fingerprint:u8[count] entryOffset:u32[count]}, in entry order: each entry's
 * {@link #nameFingerprint one-byte name fingerprint} and its offset from the item's start. A reader finds a
 * top-level attribute by scanning the fingerprints eight at a time and comparing the names they point to,
 * instead of walking every entry before it. {@link ItemWriter} writes the index for items of
 * {@link #INDEX_MIN_ATTRIBUTES} attributes or more; items without it (smaller ones, or written before the index
 * existed) are read by walking, as before.
 * <p>
 * Offsets passed in and returned are absolute buffer indices. A "value offset" is the offset of a value's
 * tag; an "entry offset" is the offset of an entry's name length; an "element offset" of a set element is
 * the offset of its length field.
 * <p>
 * Methods assume bytes that passed {@link ItemValidator} (or came from {@link ItemWriter}); they do not
 * check bounds beyond what the buffer does.
 * <p>
 * Threading: stateless static methods, safe from any thread; no allocation.
 */
public final class ItemFormat
{
    /** Tag of a string value; equal to {@code AttributeType.S}. */
    public static final byte TYPE_S = 1;
    /** Tag of a number value. */
    public static final byte TYPE_N = 2;
    /** Tag of a binary value. */
    public static final byte TYPE_B = 3;
    /** Tag of a boolean value. */
    public static final byte TYPE_BOOL = 4;
    /** Tag of a null value. */
    public static final byte TYPE_NULL = 5;
    /** Tag of a map value. */
    public static final byte TYPE_M = 6;
    /** Tag of a list value. */
    public static final byte TYPE_L = 7;
    /** Tag of a string set value. */
    public static final byte TYPE_SS = 8;
    /** Tag of a number set value. */
    public static final byte TYPE_NS = 9;
    /** Tag of a binary set value. */
    public static final byte TYPE_BS = 10;

    /**
     * Deepest nesting an item may hold once stored, and so what a store, a log or a snapshot must read back: a
     * top-level attribute's M or L value is level 1. Requests are held to {@link #MAX_REQUEST_DEPTH}, one level less;
     * Ferrite stored items at this depth before it knew DynamoDB's bound, so reading them stays valid.
     */
    public static final int MAX_DEPTH = 32;
    /**
     * Deepest nesting DynamoDB accepts in a request's item (PutItem, BatchWriteItem puts, an UpdateItem's result):
     * 31 M or L levels, so a scalar is at most at level 32 counting the attribute as level 1. Measured against
     * DynamoDB by others: 31 wraps accepted and 32 refused (paritysuite/dynamodb-conformance, dynoxide#110, 2026), and
     * ScyllaDB's 2020 test_manual_requests.py accepts 31 nested maps ("32 levels" counting the item itself).
     */
    public static final int MAX_REQUEST_DEPTH = 31;
    /** DynamoDB's words for nesting beyond its limit, exactly. */
    public static final String NESTING_TOO_DEEP = "Nesting Levels have exceeded supported limits: Attributes in the " +
        "item have nested levels beyond supported limit";
    /** Longest attribute name in UTF-8 bytes. */
    public static final int MAX_NAME_LENGTH = 65535;
    /** Bytes of the attribute count at the start of an item and of a container's body. */
    public static final int COUNT_LENGTH = 4;
    /** Bytes of an entry's name length. */
    public static final int NAME_LENGTH_LENGTH = 2;
    /** Bytes of a value's tag. */
    public static final int TAG_LENGTH = 1;
    /** Bytes of a container's size field. */
    public static final int SIZE_LENGTH = 4;
    /** Offset from a container value's tag to its first entry or element: tag, size, count. */
    public static final int CONTAINER_HEADER_LENGTH = TAG_LENGTH + SIZE_LENGTH + COUNT_LENGTH;
    /** Bytes of an empty item. */
    public static final int EMPTY_ITEM_LENGTH = COUNT_LENGTH;
    /** Set in an item's count field when the item ends with a name index; the count is the other 31 bits. */
    public static final int INDEXED_FLAG = 0x8000_0000;
    /** {@link ItemWriter} indexes items with at least this many top-level attributes; below, a walk is as fast. */
    public static final int INDEX_MIN_ATTRIBUTES = 8;
    /** Bytes the name index takes per attribute: a fingerprint byte and a u32 entry offset. */
    public static final int INDEX_BYTES_PER_ATTRIBUTE = 1 + 4;


    private static final String[] TYPE_NAMES = {"?", "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"};

    private ItemFormat()
    {
    }

    /**
     * @param tag a value tag.
     * @return DynamoDB's name for the type ("S", "N", ... "BS"), or "?" for an unknown tag.
     */
    public static String typeName(final byte tag)
    {
        return tag > 0 && tag < TYPE_NAMES.length ? TYPE_NAMES[tag] : "?";
    }

    /**
     * @param buf     holding the item.
     * @param itemOff offset of the item.
     * @return number of top-level attributes.
     */
    public static int attributeCount(final DirectBuffer buf, final int itemOff)
    {
        return buf.getInt(itemOff, ByteOrder.LITTLE_ENDIAN) & ~INDEXED_FLAG;
    }

    /**
     * @param buf     holding the item.
     * @param itemOff offset of the item.
     * @return true when the item ends with a name index.
     */
    public static boolean isIndexed(final DirectBuffer buf, final int itemOff)
    {
        return buf.getInt(itemOff, ByteOrder.LITTLE_ENDIAN) < 0;
    }

    /**
     * @param buf     holding the item.
     * @param itemOff offset of the item.
     * @return bytes of the item's name index at its end; 0 when it has none.
     */
    public static int indexLength(final DirectBuffer buf, final int itemOff)
    {
        final int raw = buf.getInt(itemOff, ByteOrder.LITTLE_ENDIAN);
        return raw < 0 ? (raw & ~INDEXED_FLAG) * INDEX_BYTES_PER_ATTRIBUTE : 0;
    }

    /**
     * @param buf     holding the item.
     * @param itemOff offset of the item.
     * @param itemLen length of the item.
     * @return offset just after the last entry: the item's end, or where its name index starts.
     */
    public static int entriesEnd(final DirectBuffer buf, final int itemOff, final int itemLen)
    {
        return itemOff + itemLen - indexLength(buf, itemOff);
    }

    /**
     * @param buf     holding the item, which must be {@link #isIndexed indexed}.
     * @param itemOff offset of the item.
     * @param itemLen length of the item.
     * @param count   its attribute count.
     * @param index   an entry's position in name order, 0..count-1.
     * @return the entry's offset, read from the name index.
     */
    public static int indexedEntry(
        final DirectBuffer buf, final int itemOff, final int itemLen, final int count, final int index)
    {
        return itemOff + buf.getInt(itemOff + itemLen - 4 * (count - index), ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The one-byte fingerprint of an attribute name kept in the name index: a mix of the name's length and its
     * first, middle and last bytes, so computing it reads four bytes whatever the name's length.
     *
     * @param name    buffer holding the UTF-8 name.
     * @param nameOff offset of the name.
     * @param nameLen length of the name, at least 1.
     * @return the fingerprint, 0..255.
     */
    public static int nameFingerprint(final DirectBuffer name, final int nameOff, final int nameLen)
    {
        return fingerprint(nameLen, name.getByte(nameOff), name.getByte(nameOff + (nameLen >> 1)),
            name.getByte(nameOff + nameLen - 1));
    }

    /**
     * {@link #nameFingerprint(DirectBuffer, int, int)} of a name held in an array.
     *
     * @param name    array holding the UTF-8 name.
     * @param nameOff offset of the name.
     * @param nameLen length of the name, at least 1.
     * @return the fingerprint, 0..255.
     */
    public static int nameFingerprint(final byte[] name, final int nameOff, final int nameLen)
    {
        return fingerprint(nameLen, name[nameOff], name[nameOff + (nameLen >> 1)], name[nameOff + nameLen - 1]);
    }

    private static int fingerprint(final int length, final byte first, final byte middle, final byte last)
    {
        int h = length;
        h = 31 * h + (first & 0xFF);
        h = 31 * h + (middle & 0xFF);
        h = 31 * h + (last & 0xFF);
        return (h * 0x9E37_79B1) >>> 24;
    }

    /**
     * Appends a name index to an item whose entries were written without one (by a writer other than
     * {@link ItemWriter}) and sets the count's flag, when the item has {@link #INDEX_MIN_ATTRIBUTES} attributes or
     * more and the buffer has room; otherwise leaves it as it is, which is as valid, only slower to search.
     *
     * @param buf        holding the item.
     * @param itemOff    offset of the item, whose count field holds the plain count.
     * @param entriesEnd offset just after its last entry.
     * @return offset just after the item: after its index if one was written, else {@code entriesEnd}.
     */
    public static int appendNameIndex(final MutableDirectBuffer buf, final int itemOff, final int entriesEnd)
    {
        final int count = buf.getInt(itemOff, ByteOrder.LITTLE_ENDIAN);
        if (count < INDEX_MIN_ATTRIBUTES || (long)entriesEnd + (long)count * INDEX_BYTES_PER_ATTRIBUTE > buf.capacity())
        {
            return entriesEnd;
        }
        final int fingerprints = entriesEnd;
        final int offsets = fingerprints + count;
        int entry = firstEntry(itemOff);
        for (int i = 0; i < count; i++)
        {
            final int nameLength = nameLength(buf, entry);
            buf.putByte(fingerprints + i, (byte)nameFingerprint(buf, nameOffset(entry), nameLength));
            buf.putInt(offsets + 4 * i, entry - itemOff, ByteOrder.LITTLE_ENDIAN);
            entry = nextEntry(buf, entry);
        }
        buf.putInt(itemOff, count | INDEXED_FLAG, ByteOrder.LITTLE_ENDIAN);
        return offsets + 4 * count;
    }

    /**
     * Find a top-level attribute through the item's name index; {@link IndexedName} does the same with the name's
     * lookup words prepared once.
     *
     * @param buf     holding the item, which must be {@link #isIndexed indexed}.
     * @param itemOff offset of the item.
     * @param itemLen length of the item.
     * @param name    array holding the UTF-8 name.
     * @param nameOff offset of the name.
     * @param nameLen length of the name, at least 1.
     * @return offset of the attribute's value, or -1 if absent.
     */
    public static int findIndexed(
        final DirectBuffer buf, final int itemOff, final int itemLen, final byte[] name, final int nameOff, final int nameLen)
    {
        return IndexedName.find(buf, itemOff, itemLen, name, nameOff, nameLen,
            IndexedName.pattern(name, nameOff, nameLen), IndexedName.head(name, nameOff, nameLen),
            IndexedName.headMask(nameLen));
    }

    /**
     * @param itemOff offset of the item.
     * @return offset of the first entry (meaningful only if the count is non-zero).
     */
    public static int firstEntry(final int itemOff)
    {
        return itemOff + COUNT_LENGTH;
    }

    /**
     * Convenience form of {@link #firstEntry(int)} taking the buffer for symmetry with other methods.
     *
     * @param buf     holding the item (unused).
     * @param itemOff offset of the item.
     * @return offset of the first entry.
     */
    public static int firstEntry(final DirectBuffer buf, final int itemOff)
    {
        return firstEntry(itemOff);
    }

    /**
     * @param buf      holding the entry.
     * @param entryOff offset of the entry.
     * @return name length in bytes.
     */
    public static int nameLength(final DirectBuffer buf, final int entryOff)
    {
        return buf.getShort(entryOff, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @param entryOff offset of the entry.
     * @return offset of the entry's UTF-8 name.
     */
    public static int nameOffset(final int entryOff)
    {
        return entryOff + NAME_LENGTH_LENGTH;
    }

    /**
     * @param buf      holding the entry.
     * @param entryOff offset of the entry.
     * @return offset of the entry's value (its tag).
     */
    public static int valueOffset(final DirectBuffer buf, final int entryOff)
    {
        return entryOff + NAME_LENGTH_LENGTH + nameLength(buf, entryOff);
    }

    /**
     * @param buf      holding the entry.
     * @param entryOff offset of the entry.
     * @return bytes of the whole entry: name length, name and value.
     */
    public static int entryLength(final DirectBuffer buf, final int entryOff)
    {
        final int valueOff = valueOffset(buf, entryOff);
        return valueOff - entryOff + valueLength(buf, valueOff);
    }

    /**
     * @param buf      holding the entry.
     * @param entryOff offset of an entry.
     * @return offset just after it: the next entry if there is one.
     */
    public static int nextEntry(final DirectBuffer buf, final int entryOff)
    {
        return entryOff + entryLength(buf, entryOff);
    }

    /**
     * @param buf      holding the value.
     * @param valueOff offset of the value's tag.
     * @return the tag, one of the {@code TYPE_} constants.
     */
    public static byte type(final DirectBuffer buf, final int valueOff)
    {
        return buf.getByte(valueOff);
    }

    /**
     * Total bytes of a value including its tag, in O(1) from its length or size field.
     *
     * @param buf      holding the value.
     * @param valueOff offset of the value's tag.
     * @return bytes of the value.
     * @throws IllegalArgumentException if the tag is unknown (bytes not validated).
     */
    public static int valueLength(final DirectBuffer buf, final int valueOff)
    {
        final byte tag = buf.getByte(valueOff);
        switch (tag)
        {
            case TYPE_S:
            case TYPE_B:
                return TAG_LENGTH + 4 + buf.getInt(valueOff + TAG_LENGTH, ByteOrder.LITTLE_ENDIAN);
            case TYPE_N:
                return TAG_LENGTH + 1 + (buf.getByte(valueOff + TAG_LENGTH) & 0xFF);
            case TYPE_BOOL:
                return TAG_LENGTH + 1;
            case TYPE_NULL:
                return TAG_LENGTH;
            case TYPE_M:
            case TYPE_L:
            case TYPE_SS:
            case TYPE_NS:
            case TYPE_BS:
                return TAG_LENGTH + SIZE_LENGTH + buf.getInt(valueOff + TAG_LENGTH, ByteOrder.LITTLE_ENDIAN);
            default:
                throw new IllegalArgumentException("unknown value tag " + tag + " at offset " + valueOff);
        }
    }

    /**
     * @param valueOff offset of an S, N or B value's tag.
     * @param type     the value's tag.
     * @return offset of its payload: UTF-8 text, number encoding or bytes.
     */
    public static int payloadOffset(final int valueOff, final byte type)
    {
        return valueOff + TAG_LENGTH + (TYPE_N == type ? 1 : 4);
    }

    /**
     * @param buf      holding the value.
     * @param valueOff offset of an S, N or B value's tag.
     * @return offset of its payload: UTF-8 text, number encoding or bytes.
     */
    public static int payloadOffset(final DirectBuffer buf, final int valueOff)
    {
        return payloadOffset(valueOff, buf.getByte(valueOff));
    }

    /**
     * @param buf      holding the value.
     * @param valueOff offset of an S, N or B value's tag.
     * @return length of its payload in bytes.
     */
    public static int payloadLength(final DirectBuffer buf, final int valueOff)
    {
        return TYPE_N == buf.getByte(valueOff) ?
            buf.getByte(valueOff + TAG_LENGTH) & 0xFF : buf.getInt(valueOff + TAG_LENGTH, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @param buf      holding the value.
     * @param valueOff offset of a BOOL value's tag.
     * @return its value.
     */
    public static boolean booleanValue(final DirectBuffer buf, final int valueOff)
    {
        return 0 != buf.getByte(valueOff + TAG_LENGTH);
    }

    /**
     * @param buf      holding the value.
     * @param valueOff offset of an M, L or set value's tag.
     * @return number of entries or elements.
     */
    public static int containerCount(final DirectBuffer buf, final int valueOff)
    {
        return buf.getInt(valueOff + TAG_LENGTH + SIZE_LENGTH, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @param valueOff offset of an M, L or set value's tag.
     * @return offset of its first entry (M), value (L) or element (sets).
     */
    public static int firstChild(final int valueOff)
    {
        return valueOff + CONTAINER_HEADER_LENGTH;
    }

    /**
     * @param buf        holding the list.
     * @param elementOff offset of a list element (a value).
     * @return offset just after it: the next element if there is one.
     */
    public static int nextListElement(final DirectBuffer buf, final int elementOff)
    {
        return elementOff + valueLength(buf, elementOff);
    }

    /**
     * @param setType    tag of the set: {@link #TYPE_SS}, {@link #TYPE_NS} or {@link #TYPE_BS}.
     * @param elementOff offset of a set element.
     * @return offset of the element's payload.
     */
    public static int setElementPayloadOffset(final byte setType, final int elementOff)
    {
        return elementOff + (TYPE_NS == setType ? 1 : 4);
    }

    /**
     * @param buf        holding the set.
     * @param setType    tag of the set.
     * @param elementOff offset of a set element.
     * @return length of the element's payload.
     */
    public static int setElementPayloadLength(final DirectBuffer buf, final byte setType, final int elementOff)
    {
        return TYPE_NS == setType ?
            buf.getByte(elementOff) & 0xFF : buf.getInt(elementOff, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @param buf        holding the set.
     * @param setType    tag of the set.
     * @param elementOff offset of a set element.
     * @return offset just after it: the next element if there is one.
     */
    public static int nextSetElement(final DirectBuffer buf, final byte setType, final int elementOff)
    {
        return setElementPayloadOffset(setType, elementOff) + setElementPayloadLength(buf, setType, elementOff);
    }

    /**
     * Find a top-level attribute by name; stops early thanks to the sorted order.
     *
     * @param buf     holding the item.
     * @param itemOff offset of the item.
     * @param itemLen length of the item (bounds the walk).
     * @param name    buffer holding the UTF-8 name.
     * @param nameOff offset of the name.
     * @param nameLen length of the name.
     * @return offset of the attribute's value, or -1 if absent.
     */
    public static int findAttribute(
        final DirectBuffer buf,
        final int itemOff,
        final int itemLen,
        final DirectBuffer name,
        final int nameOff,
        final int nameLen)
    {
        return findEntry(buf, firstEntry(itemOff), attributeCount(buf, itemOff), entriesEnd(buf, itemOff, itemLen),
            name, nameOff, nameLen);
    }

    /**
     * Find a top-level attribute by name held in a byte array.
     *
     * @param buf      holding the item.
     * @param itemOff  offset of the item.
     * @param itemLen  length of the item.
     * @param utf8Name the UTF-8 name.
     * @return offset of the attribute's value, or -1 if absent.
     */
    public static int findAttribute(final DirectBuffer buf, final int itemOff, final int itemLen, final byte[] utf8Name)
    {
        if (utf8Name.length > 0 && isIndexed(buf, itemOff))
        {
            return findIndexed(buf, itemOff, itemLen, utf8Name, 0, utf8Name.length);
        }
        return findEntry(buf, firstEntry(itemOff), attributeCount(buf, itemOff), itemOff + itemLen,
            utf8Name, 0, utf8Name.length);
    }

    /**
     * Find an entry of an M value by name.
     *
     * @param buf      holding the map.
     * @param mapOff   offset of the M value's tag.
     * @param name     buffer holding the UTF-8 name.
     * @param nameOff  offset of the name.
     * @param nameLen  length of the name.
     * @return offset of the entry's value, or -1 if absent.
     */
    public static int findMapEntry(
        final DirectBuffer buf, final int mapOff, final DirectBuffer name, final int nameOff, final int nameLen)
    {
        return findEntry(buf, firstChild(mapOff), containerCount(buf, mapOff), mapOff + valueLength(buf, mapOff),
            name, nameOff, nameLen);
    }

    /**
     * Find an entry of an M value by name held in a byte array.
     *
     * @param buf      holding the map.
     * @param mapOff   offset of the M value's tag.
     * @param utf8Name the UTF-8 name.
     * @return offset of the entry's value, or -1 if absent.
     */
    public static int findMapEntry(final DirectBuffer buf, final int mapOff, final byte[] utf8Name)
    {
        return findEntry(buf, firstChild(mapOff), containerCount(buf, mapOff), mapOff + valueLength(buf, mapOff),
            utf8Name, 0, utf8Name.length);
    }

    /**
     * The value offset of a list element by index, walking O(index) elements.
     *
     * @param buf     holding the list.
     * @param listOff offset of the L value's tag.
     * @param index   of the element.
     * @return offset of the element's value, or -1 if index is out of range.
     */
    public static int listElement(final DirectBuffer buf, final int listOff, final int index)
    {
        if (index < 0 || index >= containerCount(buf, listOff))
        {
            return -1;
        }
        int elementOff = firstChild(listOff);
        for (int i = 0; i < index; i++)
        {
            elementOff = nextListElement(buf, elementOff);
        }

        return elementOff;
    }

    /**
     * Compare two names (or any byte strings) as unsigned bytes, shorter prefix first: DynamoDB's string order.
     *
     * @param a    first buffer.
     * @param aOff first name's offset.
     * @param aLen first name's length.
     * @param b    second buffer.
     * @param bOff second name's offset.
     * @param bLen second name's length.
     * @return negative, zero or positive.
     */
    public static int compareNames(
        final DirectBuffer a, final int aOff, final int aLen, final DirectBuffer b, final int bOff, final int bLen)
    {
        return UnsignedBytes.compare(a, aOff, aLen, b, bOff, bLen);
    }

    /**
     * Compare a name in a buffer with one in a byte array as unsigned bytes.
     *
     * @param a    buffer.
     * @param aOff first name's offset.
     * @param aLen first name's length.
     * @param b    array holding the second name.
     * @param bOff second name's offset.
     * @param bLen second name's length.
     * @return negative, zero or positive.
     */
    public static int compareNames(
        final DirectBuffer a, final int aOff, final int aLen, final byte[] b, final int bOff, final int bLen)
    {
        final int length = Math.min(aLen, bLen);
        for (int i = 0; i < length; i++)
        {
            final int diff = (a.getByte(aOff + i) & 0xFF) - (b[bOff + i] & 0xFF);
            if (0 != diff)
            {
                return diff;
            }
        }

        return aLen - bLen;
    }

    private static int findEntry(
        final DirectBuffer buf,
        final int firstEntry,
        final int count,
        final int limit,
        final Object name,
        final int nameOff,
        final int nameLen)
    {
        int entryOff = firstEntry;
        for (int i = 0; i < count && entryOff < limit; i++)
        {
            final int entryNameLength = nameLength(buf, entryOff);
            final int entryNameOff = nameOffset(entryOff);
            final int comparison = name instanceof DirectBuffer ?
                compareNames(buf, entryNameOff, entryNameLength, (DirectBuffer)name, nameOff, nameLen) :
                compareNames(buf, entryNameOff, entryNameLength, (byte[])name, nameOff, nameLen);
            final int valueOff = entryNameOff + entryNameLength;
            if (0 == comparison)
            {
                return valueOff;
            }
            if (comparison > 0)
            {
                return -1;
            }
            entryOff = valueOff + valueLength(buf, valueOff);
        }

        return -1;
    }
}
