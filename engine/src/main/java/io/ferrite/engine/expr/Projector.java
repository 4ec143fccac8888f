package io.ferrite.engine.expr;

import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.codecs.item.ItemWriter;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes the parts of an item that a set of document paths select, keeping their nesting: {@code a.b[3].c}
 * gives {@code {a: {b: [{c: ...}]}}}; selected list elements keep their order and close up. A map or list
 * none of whose selected parts exist is left out.
 * <p>
 * Threading: one thread at a time (it owns an {@link ItemWriter}); allocation-free in steady state.
 */
final class Projector
{
    private final PathTrie trie;
    private final ItemWriter writer = new ItemWriter();

    Projector(final PathTrie trie)
    {
        this.trie = trie;
    }

    int project(final DirectBuffer item, final int offset, final int length, final MutableDirectBuffer dst,
        final int dstOffset)
    {
        writer.reset();
        final PathTrie.Node[] children = trie.root.children;
        if (ItemFormat.isIndexed(item, offset))
        {
            // the item's name index finds each top-level name without walking the entries before it
            for (final PathTrie.Node child : children)
            {
                final int value = null == child.indexedName ? -1 : child.indexedName.find(item, offset, length);
                if (value >= 0 && present(child, item, value))
                {
                    writer.name(child.utf8Name, 0, child.utf8Name.capacity());
                    emit(child, item, value);
                }
            }
        }
        else
        {
            // entries and the trie's top-level names are both sorted: one merge walk finds every one
            final int count = ItemFormat.attributeCount(item, offset);
            int entry = ItemFormat.firstEntry(offset);
            int c = 0;
            for (int i = 0; i < count && c < children.length; i++)
            {
                final int nameLength = ItemFormat.nameLength(item, entry);
                final int nameOffset = ItemFormat.nameOffset(entry);
                final int value = nameOffset + nameLength;
                int cmp;
                while (c < children.length && (cmp = ItemFormat.compareNames(item, nameOffset, nameLength,
                    children[c].paddedName, 0, children[c].nameLength)) >= 0)
                {
                    final PathTrie.Node child = children[c];
                    if (0 == cmp && present(child, item, value))
                    {
                        writer.name(child.utf8Name, 0, child.utf8Name.capacity());
                        emit(child, item, value);
                    }
                    c++;
                }
                entry = value + ItemFormat.valueLength(item, value);
            }
        }
        final int projected = writer.finish();
        dst.putBytes(dstOffset, writer.buffer(), 0, projected);
        return projected;
    }

    private void emit(final PathTrie.Node node, final DirectBuffer item, final int value)
    {
        if (node.leaf)
        {
            writer.rawValue(item, value, ItemFormat.valueLength(item, value));
            return;
        }
        if (node.hasIndexChildren())
        {
            writer.beginList();
            for (final PathTrie.Node child : node.children)
            {
                final int element = ItemFormat.listElement(item, value, child.index);
                if (element >= 0 && present(child, item, element))
                {
                    emit(child, item, element);
                }
            }
            writer.endList();
            return;
        }
        writer.beginMap();
        for (final PathTrie.Node child : node.children)
        {
            final int entry = ItemFormat.findMapEntry(item, value, child.paddedName, 0, child.nameLength);
            if (entry >= 0 && present(child, item, entry))
            {
                writer.name(child.utf8Name, 0, child.utf8Name.capacity());
                emit(child, item, entry);
            }
        }
        writer.endMap();
    }

    private static boolean present(final PathTrie.Node node, final DirectBuffer item, final int value)
    {
        if (node.leaf)
        {
            return true;
        }
        final byte type = item.getByte(value);
        if (node.hasIndexChildren())
        {
            if (ItemFormat.TYPE_L != type)
            {
                return false;
            }
            for (final PathTrie.Node child : node.children)
            {
                final int element = ItemFormat.listElement(item, value, child.index);
                if (element >= 0 && present(child, item, element))
                {
                    return true;
                }
            }
            return false;
        }
        if (ItemFormat.TYPE_M != type)
        {
            return false;
        }
        for (final PathTrie.Node child : node.children)
        {
            final int entry = ItemFormat.findMapEntry(item, value, child.paddedName, 0, child.nameLength);
            if (entry >= 0 && present(child, item, entry))
            {
                return true;
            }
        }
        return false;
    }
}
