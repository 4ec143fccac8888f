package io.ferrite.engine.shard;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.ItemFormat;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Attribute-level UpdateItem: set whole attributes to new values and remove whole attributes (what
 * DynamoDB's AttributeUpdates PUT and DELETE-without-value do). The attributes to set are given as
 * canonical item bytes; the names to remove as item bytes too (their values are ignored), so both lists
 * arrive sorted and the update is one merge of three sorted lists. Reusable; not thread-safe.
 */
public final class AttributeUpdates implements ItemUpdate
{
    private final UnsafeBuffer sets = new UnsafeBuffer(new byte[4]);
    private final UnsafeBuffer removes = new UnsafeBuffer(new byte[4]);
    private int setsLength;
    private int removesLength;

    /**
     * Sets the attributes to set (an item of name/value pairs) and the names to remove (an item whose
     * values are ignored). Both are referenced, not copied: keep them unchanged until the update ran.
     *
     * @param setItem        attributes to set, or null.
     * @param setOffset      where they start.
     * @param setLength      their length.
     * @param removeItem     attributes to remove, or null.
     * @param removeOffset   where they start.
     * @param removeLength   their length.
     * @return this.
     */
    public AttributeUpdates wrap(
        final DirectBuffer setItem, final int setOffset, final int setLength,
        final DirectBuffer removeItem, final int removeOffset, final int removeLength)
    {
        if (null == setItem)
        {
            setsLength = 0;
        }
        else
        {
            sets.wrap(setItem, setOffset, setLength);
            setsLength = setLength;
        }

        if (null == removeItem)
        {
            removesLength = 0;
        }
        else
        {
            removes.wrap(removeItem, removeOffset, removeLength);
            removesLength = removeLength;
        }
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public int apply(
        final Table table,
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer old, final int oldOffset, final int oldLength,
        final MutableDirectBuffer dst, final int dstOffset)
    {
        checkNotKey(table, sets, setsLength);
        checkNotKey(table, removes, removesLength);
        checkNoOverlap();

        final int baseLength = oldLength < 0 ? keyLength : oldLength;
        if ((long)baseLength + setsLength > dst.capacity() - dstOffset)
        {
            throw FerriteException.validation("Item size to update has exceeded the maximum allowed size (the item is " +
                baseLength + " bytes and the update sets " + setsLength + " bytes)");
        }

        final DirectBuffer base = oldLength < 0 ? key : old;
        final int baseOffset = oldLength < 0 ? keyOffset : oldOffset;
        final int baseCount = ItemFormat.attributeCount(base, baseOffset);
        final int setCount = setsLength > 0 ? ItemFormat.attributeCount(sets, 0) : 0;
        final int removeCount = removesLength > 0 ? ItemFormat.attributeCount(removes, 0) : 0;

        int b = ItemFormat.firstEntry(baseOffset);
        int s = ItemFormat.firstEntry(0);
        int r = ItemFormat.firstEntry(0);
        int bi = 0;
        int si = 0;
        int ri = 0;
        int count = 0;
        int position = dstOffset + 4;

        while (bi < baseCount || si < setCount)
        {
            final int cmpSet = bi >= baseCount ? 1 : si >= setCount ? -1 : compareEntryNames(base, b, sets, s);
            if (cmpSet >= 0)
            {
                final int length = ItemFormat.entryLength(sets, s);
                dst.putBytes(position, sets, s, length);
                position += length;
                count++;
                s += length;
                si++;
                if (0 == cmpSet)
                {
                    b += ItemFormat.entryLength(base, b);
                    bi++;
                }
                continue;
            }

            while (ri < removeCount && compareEntryNames(removes, r, base, b) < 0)
            {
                r += ItemFormat.entryLength(removes, r);
                ri++;
            }

            final int length = ItemFormat.entryLength(base, b);
            if (ri < removeCount && 0 == compareEntryNames(removes, r, base, b))
            {
                r += ItemFormat.entryLength(removes, r);
                ri++;
            }
            else
            {
                dst.putBytes(position, base, b, length);
                position += length;
                count++;
            }
            b += length;
            bi++;
        }

        if (oldLength < 0 && 0 == setCount)
        {
            return -1;
        }

        dst.putInt(dstOffset, count, ByteOrder.LITTLE_ENDIAN);
        return ItemFormat.appendNameIndex(dst, dstOffset, position) - dstOffset;
    }

    /**
     * {@inheritDoc}
     */
    public int projectUpdated(
        final DirectBuffer item, final int offset, final int length, final MutableDirectBuffer dst, final int dstOffset)
    {
        final int itemCount = ItemFormat.attributeCount(item, offset);
        int count = 0;
        int position = dstOffset + 4;
        int e = ItemFormat.firstEntry(offset);
        for (int i = 0; i < itemCount; i++)
        {
            final int entryLength = ItemFormat.entryLength(item, e);
            if (contains(sets, setsLength, item, e) || contains(removes, removesLength, item, e))
            {
                dst.putBytes(position, item, e, entryLength);
                position += entryLength;
                count++;
            }
            e += entryLength;
        }
        dst.putInt(dstOffset, count, ByteOrder.LITTLE_ENDIAN);
        return ItemFormat.appendNameIndex(dst, dstOffset, position) - dstOffset;
    }

    private static boolean contains(
        final DirectBuffer list, final int listLength, final DirectBuffer item, final int entry)
    {
        if (0 == listLength)
        {
            return false;
        }
        final int count = ItemFormat.attributeCount(list, 0);
        int e = ItemFormat.firstEntry(0);
        for (int i = 0; i < count; i++)
        {
            final int cmp = compareEntryNames(list, e, item, entry);
            if (0 == cmp)
            {
                return true;
            }
            if (cmp > 0)
            {
                return false;
            }
            e += ItemFormat.entryLength(list, e);
        }
        return false;
    }

    private void checkNoOverlap()
    {
        if (0 == setsLength || 0 == removesLength)
        {
            return;
        }
        final int setCount = ItemFormat.attributeCount(sets, 0);
        int e = ItemFormat.firstEntry(0);
        for (int i = 0; i < setCount; i++)
        {
            if (contains(removes, removesLength, sets, e))
            {
                final String name = KeyCodec.describe(sets, ItemFormat.nameOffset(e), ItemFormat.nameLength(sets, e));
                throw FerriteException.validation("Invalid UpdateExpression: Two document paths overlap with each " +
                    "other; must remove or rewrite one of these paths; path one: [" + name + "], path two: [" +
                    name + "]");
            }
            e += ItemFormat.entryLength(sets, e);
        }
    }

    private static void checkNotKey(final Table table, final DirectBuffer list, final int listLength)
    {
        if (0 == listLength)
        {
            return;
        }
        final int count = ItemFormat.attributeCount(list, 0);
        int e = ItemFormat.firstEntry(0);
        for (int i = 0; i < count; i++)
        {
            if (isName(list, e, table.partitionKeyNameBytes()) ||
                (table.hasSortKey() && isName(list, e, table.sortKeyNameBytes())))
            {
                final String name = KeyCodec.describe(list, ItemFormat.nameOffset(e), ItemFormat.nameLength(list, e));
                throw FerriteException.validation("One or more parameter values were invalid: Cannot update " +
                    "attribute " + name + ". This attribute is part of the key");
            }
            e += ItemFormat.entryLength(list, e);
        }
    }

    private static int compareEntryNames(final DirectBuffer a, final int aEntry, final DirectBuffer b, final int bEntry)
    {
        return ItemFormat.compareNames(a, ItemFormat.nameOffset(aEntry), ItemFormat.nameLength(a, aEntry),
            b, ItemFormat.nameOffset(bEntry), ItemFormat.nameLength(b, bEntry));
    }

    private static boolean isName(final DirectBuffer list, final int entry, final byte[] name)
    {
        final int length = ItemFormat.nameLength(list, entry);
        if (length != name.length)
        {
            return false;
        }
        final int offset = ItemFormat.nameOffset(entry);
        for (int i = 0; i < length; i++)
        {
            if (list.getByte(offset + i) != name[i])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "AttributeUpdates{sets=" + setsLength + " bytes, removes=" + removesLength + " bytes}";
    }
}
