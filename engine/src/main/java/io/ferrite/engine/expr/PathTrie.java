package io.ferrite.engine.expr;

import io.ferrite.codecs.item.IndexedName;
import io.ferrite.codecs.item.ItemFormat;

import io.ferrite.codecs.bytes.UnsignedBytes;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The document paths of a projection or an update merged into a tree, so that one walk of an item meets
 * every path: children of a node are either all map keys (sorted by name bytes, the item order) or all
 * list indexes (ascending). Paths were checked not to overlap or conflict, so every path ends at a leaf.
 * <p>
 * Threading: immutable after construction.
 */
final class PathTrie
{
    /** One segment of one or more paths. */
    static final class Node
    {
        final String name;
        final UnsafeBuffer utf8Name;
        /** The name followed by eight zero bytes, so comparisons can read it a word at a time; length as utf8Name. */
        final UnsafeBuffer paddedName;
        final int nameLength;
        /** The name prepared for items' name indexes (decision 0012); null for a list index. */
        final IndexedName indexedName;
        final int index;
        Node[] children = new Node[0];
        UpdateAction action;
        boolean leaf;
        /** An update action sits at or below this node, so the containers on its way must exist (DynamoDB's rule). */
        boolean acted;

        Node(final String name, final byte[] utf8, final int index)
        {
            this.name = name;
            this.utf8Name = null == utf8 ? null : new UnsafeBuffer(utf8);
            this.paddedName = null == utf8 ? null : new UnsafeBuffer(java.util.Arrays.copyOf(utf8, utf8.length + 8));
            this.nameLength = null == utf8 ? 0 : utf8.length;
            this.indexedName = null == utf8 || 0 == utf8.length || utf8.length > ItemFormat.MAX_NAME_LENGTH ? null :
                new IndexedName(utf8);
            this.index = index;
        }

        boolean hasIndexChildren()
        {
            return children.length > 0 && null == children[0].name;
        }
    }

    final Node root = new Node(null, null, -1);

    PathTrie(final List<DocumentPath> paths, final List<UpdateAction> actions)
    {
        for (int p = 0; p < paths.size(); p++)
        {
            final DocumentPath path = paths.get(p);
            final UpdateAction action = null == actions ? null : actions.get(p);
            // every action, REMOVE and DELETE too, needs the containers above its target: DynamoDB refuses REMOVE a.b
            // when a is missing or not a map ("The document path provided in the update expression is invalid for update")
            final boolean acted = null != action;
            Node node = root;
            node.acted |= acted;
            for (int i = 0; i < path.length(); i++)
            {
                node = child(node, path, i);
                node.acted |= acted;
            }
            node.leaf = true;
            node.action = action;
        }
        sort(root);
    }

    private static Node child(final Node parent, final DocumentPath path, final int segment)
    {
        for (final Node existing : parent.children)
        {
            if (path.isIndex(segment) ? null == existing.name && existing.index == path.indexes[segment] :
                path.names[segment].equals(existing.name))
            {
                return existing;
            }
        }
        final Node created = new Node(path.names[segment], path.utf8Names[segment], path.indexes[segment]);
        final Node[] grown = Arrays.copyOf(parent.children, parent.children.length + 1);
        grown[grown.length - 1] = created;
        parent.children = grown;
        return created;
    }

    private static void sort(final Node node)
    {
        Arrays.sort(node.children, (a, b) -> null == a.name ? Integer.compare(a.index, b.index) :
            UnsignedBytes.compare(a.utf8Name, 0, a.utf8Name.capacity(), b.utf8Name, 0, b.utf8Name.capacity()));
        for (final Node child : node.children)
        {
            sort(child);
        }
    }

    static List<DocumentPath> pathsOf(final List<UpdateAction> actions)
    {
        final List<DocumentPath> paths = new ArrayList<>(actions.size());
        for (final UpdateAction action : actions)
        {
            paths.add(action.path);
        }
        return paths;
    }
}
