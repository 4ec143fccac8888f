package io.ferrite.codecs.item;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.number.DecimalCodec;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

import static io.ferrite.codecs.item.ItemFormat.*;

/**
 * Strict structural validation of untrusted item bytes (see {@link ItemFormat} for the layout) and
 * computation of the item's DynamoDB size.
 * <p>
 * Checks, at every level: every read stays inside {@code [off, off + len)}; lengths, sizes and counts are
 * consistent and leave no trailing bytes; tags are known; names are 1..65535 bytes of valid UTF-8, as are
 * S values and SS elements; entries are sorted by name bytes and unique; sets are non-empty, sorted and
 * unique; numbers are normalised encodings; BOOL is 0 or 1; M/L nesting is at most {@link ItemFormat#MAX_DEPTH}
 * (a top-level attribute's M or L value is level 1). Any failure is a {@link FerriteException} validation,
 * never an index or stack overflow error: recursion only happens after the depth check, so it is bounded
 * by {@link ItemFormat#MAX_DEPTH} frames.
 * <p>
 * DynamoDB size: the sum over attributes of UTF-8 name length plus value size, where S and B count their
 * length, N counts {@code (significant digits + 1) / 2 + 1}, BOOL and NULL 1, M and L {@code 3} plus
 * their elements plus 1 per element (M elements also count their names), sets the sum of their elements.
 * <p>
 * Threading: stateless static methods, safe from any thread; no allocation unless it throws.
 */
public final class ItemValidator
{
    /** DynamoDB's maximum item size in bytes. */
    public static final int MAX_ITEM_SIZE = 400 * 1024;

    private static final String INVALID = "One or more parameter values were invalid: ";

    private ItemValidator()
    {
    }

    /**
     * Validate an item and check it is within {@link #MAX_ITEM_SIZE}.
     *
     * @param buf holding the item.
     * @param off of the item.
     * @param len of the item in bytes.
     * @return the item's DynamoDB size in bytes.
     * @throws FerriteException if the bytes are not a canonical item or the item is too large.
     */
    public static int validate(final DirectBuffer buf, final int off, final int len)
    {
        return validate(buf, off, len, MAX_ITEM_SIZE);
    }

    /**
     * Validate an item and check its DynamoDB size against a limit.
     *
     * @param buf     holding the item.
     * @param off     of the item.
     * @param len     of the item in bytes.
     * @param maxSize largest DynamoDB size accepted.
     * @return the item's DynamoDB size in bytes.
     * @throws FerriteException if the bytes are not a canonical item or the item is larger than maxSize.
     */
    public static int validate(final DirectBuffer buf, final int off, final int len, final int maxSize)
    {
        if (len < COUNT_LENGTH || off < 0 || (long)off + len > buf.capacity())
        {
            throw FerriteException.validation(INVALID + "item of " + len +
                " bytes is shorter than its attribute count or outside the buffer");
        }

        final int raw = buf.getInt(off, ByteOrder.LITTLE_ENDIAN);
        final int count = raw & ~ItemFormat.INDEXED_FLAG;
        int entriesEnd = off + len;
        if (raw < 0)
        {
            final long indexLength = (long)count * ItemFormat.INDEX_BYTES_PER_ATTRIBUTE;
            if (0 == count || indexLength > len - COUNT_LENGTH)
            {
                throw FerriteException.validation(INVALID + "name index of " + count + " attributes does not fit in " +
                    len + " bytes");
            }
            entriesEnd -= (int)indexLength;
        }
        final int size = validateEntries(buf, off + COUNT_LENGTH, entriesEnd, count, 0, false);
        if (raw < 0)
        {
            validateIndex(buf, off, entriesEnd, count);
        }
        if (size > maxSize)
        {
            throw FerriteException.validation("Item size has exceeded the maximum allowed size");
        }

        return size;
    }

    /**
     * DynamoDB's nesting limit for an item a request writes, {@link ItemFormat#MAX_REQUEST_DEPTH}, one level below what
     * {@link #validate} accepts of stored bytes: call it on a request's item after {@link #validate}, never on bytes a
     * store, a log or a snapshot hands back (those may hold {@link ItemFormat#MAX_DEPTH}). Walks only M and L values;
     * no allocation unless it throws.
     *
     * @param buf holding the item, valid as {@link #validate} checks it.
     * @param off of the item.
     * @throws FerriteException ValidationException with DynamoDB's words if a value nests deeper.
     */
    public static void checkRequestDepth(final DirectBuffer buf, final int off)
    {
        checkRequestDepth(buf, off, MAX_REQUEST_DEPTH);
    }

    /**
     * {@link #checkRequestDepth(DirectBuffer, int)} with another bound: a replica of a replicated log holds requests
     * to {@link ItemFormat#MAX_DEPTH}, the bound its log may have been written under.
     *
     * @param buf      holding the item, valid as {@link #validate} checks it.
     * @param off      of the item.
     * @param maxDepth deepest M or L level allowed, {@link ItemFormat#MAX_REQUEST_DEPTH} to {@link ItemFormat#MAX_DEPTH}.
     * @throws FerriteException ValidationException with DynamoDB's words if a value nests deeper.
     */
    public static void checkRequestDepth(final DirectBuffer buf, final int off, final int maxDepth)
    {
        if (nestsDeeperThan(buf, off, maxDepth))
        {
            throw FerriteException.validation(NESTING_TOO_DEEP);
        }
    }

    /**
     * @param buf      holding the item, valid as {@link #validate} checks it.
     * @param off      of the item.
     * @param maxDepth deepest M or L level allowed (a top-level attribute's M or L value is level 1).
     * @return true when some M or L value of the item lies deeper than {@code maxDepth}. Walks only M and L values and
     * allocates nothing.
     */
    public static boolean nestsDeeperThan(final DirectBuffer buf, final int off, final int maxDepth)
    {
        final int count = ItemFormat.attributeCount(buf, off);
        int entry = ItemFormat.firstEntry(off);
        for (int i = 0; i < count; i++)
        {
            if (valueNestsDeeperThan(buf, ItemFormat.valueOffset(buf, entry), 1, maxDepth))
            {
                return true;
            }
            entry = ItemFormat.nextEntry(buf, entry);
        }
        return false;
    }

    /**
     * Recursion is bounded: {@link #validate} has already refused anything deeper than {@link ItemFormat#MAX_DEPTH}.
     */
    private static boolean valueNestsDeeperThan(
        final DirectBuffer buf, final int valueOff, final int level, final int maxDepth)
    {
        final byte tag = buf.getByte(valueOff);
        if (TYPE_M != tag && TYPE_L != tag)
        {
            return false;
        }
        if (level > maxDepth)
        {
            return true;
        }
        final int count = ItemFormat.containerCount(buf, valueOff);
        int child = ItemFormat.firstChild(valueOff);
        for (int i = 0; i < count; i++)
        {
            final boolean map = TYPE_M == tag;
            if (valueNestsDeeperThan(buf, map ? ItemFormat.valueOffset(buf, child) : child, level + 1, maxDepth))
            {
                return true;
            }
            child = map ? ItemFormat.nextEntry(buf, child) : ItemFormat.nextListElement(buf, child);
        }
        return false;
    }

    /**
     * The name index must list every entry, in order, with its offset and its name's fingerprint: a reader trusts it.
     */
    private static void validateIndex(final DirectBuffer buf, final int off, final int entriesEnd, final int count)
    {
        final int fingerprints = entriesEnd;
        final int offsets = fingerprints + count;
        int entry = off + COUNT_LENGTH;
        for (int i = 0; i < count; i++)
        {
            final int listed = buf.getInt(offsets + 4 * i, ByteOrder.LITTLE_ENDIAN);
            if (off + listed != entry)
            {
                throw FerriteException.validation(INVALID + "name index entry " + i + " gives offset " + listed +
                    ", the attribute is at " + (entry - off));
            }
            final int nameLen = ItemFormat.nameLength(buf, entry);
            final int fingerprint = ItemFormat.nameFingerprint(buf, ItemFormat.nameOffset(entry), nameLen);
            if ((buf.getByte(fingerprints + i) & 0xFF) != fingerprint)
            {
                throw FerriteException.validation(INVALID + "name index entry " + i + " has fingerprint " +
                    (buf.getByte(fingerprints + i) & 0xFF) + ", its name's is " + fingerprint);
            }
            entry = ItemFormat.nextEntry(buf, entry);
        }
    }

    private static int validateEntries(
        final DirectBuffer buf, final int start, final int end, final int count, final int depth, final boolean inMap)
    {
        if (count < 0 || count > (end - start) / 4)
        {
            throw FerriteException.validation(INVALID + "attribute count " + (count & 0xFFFF_FFFFL) +
                " does not fit in " + (end - start) + " bytes at offset " + start);
        }

        int size = 0;
        int pos = start;
        int previousNameOff = -1;
        int previousNameLen = 0;
        for (int i = 0; i < count; i++)
        {
            require(pos + NAME_LENGTH_LENGTH <= end, "entry", pos);
            final int nameLen = buf.getShort(pos, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
            final int nameOff = pos + NAME_LENGTH_LENGTH;
            if (0 == nameLen)
            {
                throw FerriteException.validation(INVALID + "Attribute name cannot be empty (offset " + pos + ")");
            }
            require((long)nameOff + nameLen + TAG_LENGTH <= end, "attribute name", pos);
            if (!Utf8.isValid(buf, nameOff, nameLen))
            {
                throw FerriteException.validation(INVALID + "attribute name at offset " + nameOff +
                    " is not valid UTF-8");
            }
            if (previousNameOff >= 0)
            {
                final int comparison = compareNames(buf, previousNameOff, previousNameLen, buf, nameOff, nameLen);
                if (0 == comparison)
                {
                    throw FerriteException.validation(INVALID + "Duplicate attribute name " +
                        buf.getStringWithoutLengthUtf8(nameOff, nameLen));
                }
                if (comparison > 0)
                {
                    throw FerriteException.validation(INVALID + "attribute " +
                        buf.getStringWithoutLengthUtf8(nameOff, nameLen) + " is not in name order (offset " +
                        pos + ")");
                }
            }

            final int valueOff = nameOff + nameLen;
            size += nameLen + validateValue(buf, valueOff, end, depth) + (inMap ? 1 : 0);
            pos = valueOff + valueLength(buf, valueOff);
            previousNameOff = nameOff;
            previousNameLen = nameLen;
        }
        requireExactEnd(pos, end);

        return size;
    }

    /**
     * @return the value's DynamoDB size; on return the value is known to lie inside {@code end}.
     */
    private static int validateValue(final DirectBuffer buf, final int valueOff, final int end, final int depth)
    {
        require(valueOff + TAG_LENGTH <= end, "value", valueOff);
        final byte tag = buf.getByte(valueOff);
        switch (tag)
        {
            case TYPE_S:
            case TYPE_B:
            {
                require(valueOff + 5 <= end, "length", valueOff);
                final long length = buf.getInt(valueOff + 1, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
                require(valueOff + 5 + length <= end, "value", valueOff);
                if (TYPE_S == tag && !Utf8.isValid(buf, valueOff + 5, (int)length))
                {
                    throw FerriteException.validation(INVALID + "string value at offset " + valueOff +
                        " is not valid UTF-8");
                }
                return (int)length;
            }

            case TYPE_N:
            {
                require(valueOff + 2 <= end, "number length", valueOff);
                final int length = buf.getByte(valueOff + 1) & 0xFF;
                require(valueOff + 2 + length <= end, "number", valueOff);
                return numberSize(buf, valueOff + 2, length);
            }

            case TYPE_BOOL:
            {
                require(valueOff + 2 <= end, "boolean", valueOff);
                final byte value = buf.getByte(valueOff + 1);
                if (0 != value && 1 != value)
                {
                    throw FerriteException.validation(INVALID + "BOOL value at offset " + valueOff + " is " +
                        value + ", not 0 or 1");
                }
                return 1;
            }

            case TYPE_NULL:
                return 1;

            case TYPE_M:
            case TYPE_L:
            {
                final int level = depth + 1;
                if (level > MAX_DEPTH)
                {
                    throw FerriteException.validation(NESTING_TOO_DEEP);
                }
                final int bodyEnd = containerEnd(buf, valueOff, end);
                final int count = buf.getInt(valueOff + TAG_LENGTH + SIZE_LENGTH, ByteOrder.LITTLE_ENDIAN);
                final int first = valueOff + CONTAINER_HEADER_LENGTH;
                return 3 + (TYPE_M == tag ?
                    validateEntries(buf, first, bodyEnd, count, level, true) :
                    validateListElements(buf, first, bodyEnd, count, level));
            }

            case TYPE_SS:
            case TYPE_NS:
            case TYPE_BS:
            {
                final int bodyEnd = containerEnd(buf, valueOff, end);
                final int count = buf.getInt(valueOff + TAG_LENGTH + SIZE_LENGTH, ByteOrder.LITTLE_ENDIAN);
                return validateSetElements(buf, tag, valueOff + CONTAINER_HEADER_LENGTH, bodyEnd, count);
            }

            default:
                throw FerriteException.validation(INVALID + "unknown attribute type tag " + tag + " at offset " +
                    valueOff);
        }
    }

    private static int containerEnd(final DirectBuffer buf, final int valueOff, final int end)
    {
        require(valueOff + CONTAINER_HEADER_LENGTH <= end, "container header", valueOff);
        final long size = buf.getInt(valueOff + TAG_LENGTH, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        if (size < COUNT_LENGTH || valueOff + TAG_LENGTH + SIZE_LENGTH + size > end)
        {
            throw FerriteException.validation(INVALID + "container size " + size + " at offset " + valueOff +
                " does not fit its count or the item");
        }

        return (int)(valueOff + TAG_LENGTH + SIZE_LENGTH + size);
    }

    private static int validateListElements(
        final DirectBuffer buf, final int start, final int end, final int count, final int depth)
    {
        if (count < 0 || count > end - start)
        {
            throw FerriteException.validation(INVALID + "list count " + (count & 0xFFFF_FFFFL) +
                " does not fit in " + (end - start) + " bytes at offset " + start);
        }

        int size = 0;
        int pos = start;
        for (int i = 0; i < count; i++)
        {
            size += validateValue(buf, pos, end, depth) + 1;
            pos += valueLength(buf, pos);
        }
        requireExactEnd(pos, end);

        return size;
    }

    private static int validateSetElements(
        final DirectBuffer buf, final byte tag, final int start, final int end, final int count)
    {
        if (count < 1)
        {
            throw FerriteException.validation(INVALID + "An " + setTypeName(tag) + " set  may not be empty");
        }
        final int lengthFieldLength = TYPE_NS == tag ? 1 : 4;
        if (count > (end - start) / lengthFieldLength)
        {
            throw FerriteException.validation(INVALID + "set count " + count + " does not fit in " +
                (end - start) + " bytes at offset " + start);
        }

        int size = 0;
        int pos = start;
        int previousOff = -1;
        int previousLen = 0;
        for (int i = 0; i < count; i++)
        {
            require(pos + lengthFieldLength <= end, "set element", pos);
            final long length = TYPE_NS == tag ?
                buf.getByte(pos) & 0xFF : buf.getInt(pos, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
            final int payloadOff = pos + lengthFieldLength;
            require(payloadOff + length <= end, "set element", pos);
            final int payloadLen = (int)length;

            if (TYPE_NS == tag)
            {
                size += numberSize(buf, payloadOff, payloadLen);
            }
            else
            {
                if (TYPE_SS == tag && !Utf8.isValid(buf, payloadOff, payloadLen))
                {
                    throw FerriteException.validation(INVALID + "string set element at offset " + pos +
                        " is not valid UTF-8");
                }
                size += payloadLen;
            }

            if (previousOff >= 0)
            {
                final int comparison = compareNames(buf, previousOff, previousLen, buf, payloadOff, payloadLen);
                if (0 == comparison)
                {
                    throw FerriteException.validation(INVALID + "Input collection contains duplicates (" +
                        setTypeName(tag) + " set element at offset " + pos + ")");
                }
                if (comparison > 0)
                {
                    throw FerriteException.validation(INVALID + setTypeName(tag) +
                        " set elements are not in canonical order (offset " + pos + ")");
                }
            }
            previousOff = payloadOff;
            previousLen = payloadLen;
            pos = payloadOff + payloadLen;
        }
        requireExactEnd(pos, end);

        return size;
    }

    private static int numberSize(final DirectBuffer buf, final int off, final int len)
    {
        if (!DecimalCodec.isValidEncoding(buf, off, len))
        {
            throw FerriteException.validation(INVALID + "number at offset " + off +
                " is not a normalised number encoding");
        }

        return (DecimalCodec.significantDigits(buf, off, len) + 1) / 2 + 1;
    }

    private static String setTypeName(final byte tag)
    {
        return TYPE_SS == tag ? "string" : TYPE_NS == tag ? "number" : "binary";
    }

    private static void require(final boolean condition, final String what, final int offset)
    {
        if (!condition)
        {
            throw FerriteException.validation(INVALID + what + " at offset " + offset + " runs past the end of its " +
                "container or item");
        }
    }

    private static void requireExactEnd(final int pos, final int end)
    {
        if (pos != end)
        {
            throw FerriteException.validation(INVALID + (end - pos) + " trailing bytes at offset " + pos +
                " after the last entry or element");
        }
    }
}
