package io.ferrite.engine.expr;

import io.ferrite.codecs.item.IndexedName;
import io.ferrite.codecs.item.ItemFormat;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A document path: a top-level attribute name followed by map keys ({@code .name}) and list indexes
 * ({@code [n]}), with names already resolved from {@code #placeholders}. Resolving it over item bytes
 * walks the item without allocating.
 * <p>
 * Threading: immutable after parsing; safe to share.
 */
final class DocumentPath
{
    /** DynamoDB's deepest document path. */
    static final int MAX_DEPTH = ItemFormat.MAX_DEPTH;

    final String[] names;
    final byte[][] utf8Names;
    /** Each name followed by eight zero bytes (comparisons read names a word at a time); null for an index. */
    private final UnsafeBuffer[] paddedNames;
    /** The first name prepared for items' name indexes (decision 0012); null when it cannot be in one. */
    private final IndexedName firstName;
    final int[] indexes;

    DocumentPath(final List<String> names, final List<Integer> indexes)
    {
        final int length = names.size();
        this.names = names.toArray(new String[0]);
        this.utf8Names = new byte[length][];
        this.paddedNames = new UnsafeBuffer[length];
        this.indexes = new int[length];
        for (int i = 0; i < length; i++)
        {
            this.utf8Names[i] = null == this.names[i] ? null : this.names[i].getBytes(StandardCharsets.UTF_8);
            this.paddedNames[i] = null == utf8Names[i] ? null :
                new UnsafeBuffer(Arrays.copyOf(utf8Names[i], utf8Names[i].length + 8));
            this.indexes[i] = indexes.get(i);
        }
        this.firstName = length > 0 && null != utf8Names[0] && utf8Names[0].length > 0 &&
            utf8Names[0].length <= ItemFormat.MAX_NAME_LENGTH ? new IndexedName(utf8Names[0]) : null;
    }

    int length()
    {
        return names.length;
    }

    boolean isIndex(final int segment)
    {
        return null == names[segment];
    }

    /**
     * @return the value offset of the path in the item, or -1 when the item is missing, an element on the
     * way is missing, or a container on the way has the wrong type.
     */
    int resolve(final DirectBuffer item, final int itemOff, final int itemLen)
    {
        if (itemLen < 0)
        {
            return -1;
        }
        if (ItemFormat.isIndexed(item, itemOff))
        {
            return null == firstName ? -1 : resolveFrom(item, firstName.find(item, itemOff, itemLen));
        }
        return resolveFrom(item, ItemFormat.findAttribute(item, itemOff, itemLen, paddedNames[0], 0, utf8Names[0].length));
    }

    /**
     * @param topLevelValue the value offset of the path's top-level attribute, or -1.
     * @return the value offset of the whole path, or -1.
     */
    int resolveFrom(final DirectBuffer item, final int topLevelValue)
    {
        int value = topLevelValue;
        for (int i = 1; i < names.length && value >= 0; i++)
        {
            value = step(item, value, i);
        }
        return value;
    }

    /**
     * @return the value offset of segment {@code i} inside the container at {@code value}, or -1.
     */
    int step(final DirectBuffer item, final int value, final int i)
    {
        final byte type = item.getByte(value);
        if (null == names[i])
        {
            return ItemFormat.TYPE_L == type ? ItemFormat.listElement(item, value, indexes[i]) : -1;
        }
        return ItemFormat.TYPE_M == type ? ItemFormat.findMapEntry(item, value, paddedNames[i], 0, utf8Names[i].length) : -1;
    }

    /**
     * @return true when both paths name the same place (same names and indexes, placeholders resolved).
     */
    boolean sameAs(final DocumentPath other)
    {
        return length() == other.length() && overlaps(other);
    }

    /**
     * @return true when one path is a prefix of (or equal to) the other.
     */
    boolean overlaps(final DocumentPath other)
    {
        final int common = Math.min(length(), other.length());
        for (int i = 0; i < common; i++)
        {
            if (!sameSegment(other, i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return true when the paths share a prefix and then differ in kind (a map key against a list index).
     */
    boolean conflicts(final DocumentPath other)
    {
        final int common = Math.min(length(), other.length());
        for (int i = 0; i < common; i++)
        {
            if (!sameSegment(other, i))
            {
                return isIndex(i) != other.isIndex(i);
            }
        }
        return false;
    }

    private boolean sameSegment(final DocumentPath other, final int i)
    {
        return null == names[i] ?
            null == other.names[i] && indexes[i] == other.indexes[i] :
            names[i].equals(other.names[i]);
    }

    /**
     * @return the path as DynamoDB prints it in errors: {@code [a, b, [3], c]}.
     */
    String describe()
    {
        final List<String> parts = new ArrayList<>();
        for (int i = 0; i < names.length; i++)
        {
            parts.add(null == names[i] ? "[" + indexes[i] + "]" : names[i]);
        }
        return "[" + String.join(", ", parts) + "]";
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.length; i++)
        {
            if (null == names[i])
            {
                sb.append('[').append(indexes[i]).append(']');
            }
            else
            {
                sb.append(i > 0 ? "." : "").append(names[i]);
            }
        }
        return sb.toString();
    }
}
