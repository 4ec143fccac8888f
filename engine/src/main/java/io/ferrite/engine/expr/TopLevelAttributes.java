package io.ferrite.engine.expr;

import io.ferrite.codecs.item.IndexedName;
import io.ferrite.codecs.item.ItemFormat;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * The top-level attributes a condition reads, found in one walk of the item before the condition is
 * evaluated: item entries and the wanted names are both sorted by name bytes, so one merge finds them all
 * and stops at the last one wanted, instead of one walk per path.
 * <p>
 * Threading: one thread at a time, as the expression that owns it; no allocation when walking.
 */
final class TopLevelAttributes
{
    private final byte[][] names;
    /** The same names as Strings, for {@link #contains(String)}. */
    private final String[] texts;
    private final int[] firstBytes;
    /** The names prepared for items' name indexes (decision 0012); null when one of them cannot be in one. */
    private final IndexedName[] indexedNames;
    private final int[] offsets;
    private boolean valid;

    TopLevelAttributes(final List<Operand.Path> paths)
    {
        final TreeSet<String> sorted = new TreeSet<>((a, b) -> Arrays.compareUnsigned(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
        for (final Operand.Path path : paths)
        {
            sorted.add(path.path.names[0]);
        }
        names = new byte[sorted.size()][];
        texts = sorted.toArray(new String[0]);
        for (int i = 0; i < texts.length; i++)
        {
            names[i] = texts[i].getBytes(StandardCharsets.UTF_8);
        }
        firstBytes = new int[names.length];
        IndexedName[] prepared = names.length <= 64 ? new IndexedName[names.length] : null;
        for (int n = 0; n < names.length; n++)
        {
            firstBytes[n] = 0 == names[n].length ? 0 : names[n][0] & 0xFF;
            if (null != prepared)
            {
                prepared = 0 == names[n].length || names[n].length > ItemFormat.MAX_NAME_LENGTH ? null : prepared;
            }
            if (null != prepared)
            {
                prepared[n] = new IndexedName(names[n]);
            }
        }
        indexedNames = prepared;
        offsets = new int[names.length];
        for (final Operand.Path path : paths)
        {
            path.topLevel(this, slotOf(path.path.utf8Names[0]));
        }
    }

    /**
     * @param name a top-level attribute name.
     * @return whether the condition reads it (or something inside it); allocates nothing.
     */
    boolean contains(final String name)
    {
        for (final String text : texts)
        {
            if (text.equals(name))
            {
                return true;
            }
        }
        return false;
    }

    private int slotOf(final byte[] name)
    {
        for (int i = 0; i < names.length; i++)
        {
            if (Arrays.equals(names[i], name))
            {
                return i;
            }
        }
        throw new IllegalStateException("name not collected");
    }

    /**
     * Finds every wanted attribute of the item; paths read the offsets until {@link #invalidate()}.
     */
    void walk(final DirectBuffer item, final int itemOff, final int itemLen)
    {
        Arrays.fill(offsets, -1);
        valid = true;
        if (itemLen < 0 || 0 == names.length)
        {
            return;
        }
        if (null != indexedNames && ItemFormat.isIndexed(item, itemOff))
        {
            IndexedName.findAll(indexedNames, item, itemOff, itemLen, offsets);
            return;
        }
        final int count = ItemFormat.attributeCount(item, itemOff);
        int entry = ItemFormat.firstEntry(itemOff);
        int wanted = 0;
        for (int i = 0; i < count && wanted < names.length; i++)
        {
            final int nameLength = ItemFormat.nameLength(item, entry);
            final int nameOffset = ItemFormat.nameOffset(entry);
            final int valueOffset = nameOffset + nameLength;
            final int first = item.getByte(nameOffset) & 0xFF;
            while (wanted < names.length && first >= firstBytes[wanted])
            {
                final int cmp = first > firstBytes[wanted] ? 1 :
                    ItemFormat.compareNames(item, nameOffset, nameLength, names[wanted], 0, names[wanted].length);
                if (cmp < 0)
                {
                    break;
                }
                if (0 == cmp)
                {
                    offsets[wanted] = valueOffset;
                }
                wanted++;
            }
            entry = valueOffset + ItemFormat.valueLength(item, valueOffset);
        }
    }

    void invalidate()
    {
        valid = false;
    }

    boolean isValid()
    {
        return valid;
    }

    int offset(final int slot)
    {
        return offsets[slot];
    }
}
