package io.ferrite.engine.index;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.agrona.UnsafeApi;

import static io.ferrite.engine.index.OffHeapBTree.CELL_START_OFFSET;
import static io.ferrite.engine.index.OffHeapBTree.CHILD0_OFFSET;
import static io.ferrite.engine.index.OffHeapBTree.GARBAGE_OFFSET;
import static io.ferrite.engine.index.OffHeapBTree.HEADER_LENGTH;
import static io.ferrite.engine.index.OffHeapBTree.INNER_KEY_OFFSET;
import static io.ferrite.engine.index.OffHeapBTree.KIND_INNER;
import static io.ferrite.engine.index.OffHeapBTree.KIND_LEAF;
import static io.ferrite.engine.index.OffHeapBTree.KIND_OFFSET;
import static io.ferrite.engine.index.OffHeapBTree.LEAF_KEY_OFFSET;
import static io.ferrite.engine.index.OffHeapBTree.LEFT_OFFSET;
import static io.ferrite.engine.index.OffHeapBTree.RIGHT_OFFSET;
import static io.ferrite.engine.index.OffHeapBTree.SLOT_LENGTH;
import static io.ferrite.engine.index.PagePool.NULL_PAGE;

/**
 * Walks a whole tree and throws {@link AssertionError} on the first broken structural rule: page bookkeeping,
 * key order within and across pages, separator bounds, uniform leaf depth, the leaf chain, size and page count.
 * Test code: allocates freely.
 */
final class TreeInvariants
{
    private final OffHeapBTree tree;
    private final List<Integer> leaves = new ArrayList<>();
    private final Set<Integer> pages = new HashSet<>();

    private TreeInvariants(final OffHeapBTree tree)
    {
        this.tree = tree;
    }

    static void check(final OffHeapBTree tree)
    {
        new TreeInvariants(tree).run();
    }

    private void run()
    {
        final long keys = walk(tree.rootId(), 0, null, null);
        if (keys != tree.size())
        {
            throw new AssertionError("size() = " + tree.size() + " but leaves hold " + keys + " keys");
        }

        for (int i = 0; i < leaves.size(); i++)
        {
            final long leaf = tree.pageAddress(leaves.get(i));
            final int expectedLeft = i == 0 ? NULL_PAGE : leaves.get(i - 1);
            final int expectedRight = i == leaves.size() - 1 ? NULL_PAGE : leaves.get(i + 1);
            if (UnsafeApi.getInt(leaf + LEFT_OFFSET) != expectedLeft ||
                UnsafeApi.getInt(leaf + RIGHT_OFFSET) != expectedRight)
            {
                throw new AssertionError("leaf " + leaves.get(i) + " links left=" +
                    UnsafeApi.getInt(leaf + LEFT_OFFSET) + " right=" + UnsafeApi.getInt(leaf + RIGHT_OFFSET) +
                    ", expected left=" + expectedLeft + " right=" + expectedRight);
            }
        }

        if (pages.size() != tree.pagesInUse())
        {
            throw new AssertionError("tree reaches " + pages.size() + " pages but the pool has " +
                tree.pagesInUse() + " in use");
        }
    }

    private long walk(final int pageId, final int depth, final byte[] low, final byte[] high)
    {
        if (!pages.add(pageId))
        {
            throw new AssertionError("page " + pageId + " reached twice");
        }

        final long page = tree.pageAddress(pageId);
        final int kind = UnsafeApi.getInt(page + KIND_OFFSET);
        final boolean leaf = depth == tree.innerLevels();
        if (kind != (leaf ? KIND_LEAF : KIND_INNER))
        {
            throw new AssertionError("page " + pageId + " at depth " + depth + " has kind " + kind);
        }

        final int count = OffHeapBTree.count(page);
        if (leaf && depth > 0 && count == 0)
        {
            throw new AssertionError("non-root leaf " + pageId + " is empty");
        }

        if (!leaf && depth == 0 && count == 0)
        {
            throw new AssertionError("root inner page " + pageId + " has a single child");
        }

        checkBookkeeping(pageId, page, count, leaf ? LEAF_KEY_OFFSET : INNER_KEY_OFFSET);

        byte[] previous = null;
        final byte[][] keys = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            final byte[] key = key(page, i, leaf ? LEAF_KEY_OFFSET : INNER_KEY_OFFSET);
            keys[i] = key;
            if (previous != null && Arrays.compareUnsigned(previous, key) >= 0)
            {
                throw new AssertionError("page " + pageId + " keys out of order at slot " + i);
            }

            if ((low != null && Arrays.compareUnsigned(key, low) < 0) ||
                (high != null && Arrays.compareUnsigned(key, high) >= 0))
            {
                throw new AssertionError("page " + pageId + " slot " + i + " key outside its parent's bounds");
            }

            previous = key;
        }

        if (leaf)
        {
            leaves.add(pageId);
            return count;
        }

        long total = walk(UnsafeApi.getInt(page + CHILD0_OFFSET), depth + 1, low, count > 0 ? keys[0] : high);
        for (int i = 0; i < count; i++)
        {
            total += walk(OffHeapBTree.child(page, i + 1), depth + 1, keys[i], i + 1 < count ? keys[i + 1] : high);
        }

        return total;
    }

    private void checkBookkeeping(final int pageId, final long page, final int count, final int keyOffset)
    {
        final int pageSize = tree.pageSize();
        final int cellStart = UnsafeApi.getInt(page + CELL_START_OFFSET);
        final int garbage = UnsafeApi.getInt(page + GARBAGE_OFFSET);
        if (HEADER_LENGTH + count * SLOT_LENGTH > cellStart || cellStart > pageSize)
        {
            throw new AssertionError("page " + pageId + " slots overlap cells: count=" + count +
                " cellStart=" + cellStart);
        }

        long cellBytes = 0;
        for (int i = 0; i < count; i++)
        {
            final int offset = UnsafeApi.getInt(page + HEADER_LENGTH + (long)i * SLOT_LENGTH);
            final int length = keyOffset + OffHeapBTree.keyLengthOf(page + offset);
            if (offset < cellStart || offset + length > pageSize)
            {
                throw new AssertionError("page " + pageId + " slot " + i + " cell at " + offset + " length " +
                    length + " outside cells " + cellStart + ".." + pageSize);
            }

            cellBytes += length;
        }

        if (cellBytes + garbage != pageSize - cellStart)
        {
            throw new AssertionError("page " + pageId + " cells " + cellBytes + " + garbage " + garbage +
                " != cell area " + (pageSize - cellStart));
        }
    }

    private static byte[] key(final long page, final int slot, final int keyOffset)
    {
        final long cell = OffHeapBTree.cellAddress(page, slot);
        final byte[] key = new byte[OffHeapBTree.keyLengthOf(cell)];
        for (int i = 0; i < key.length; i++)
        {
            key[i] = UnsafeApi.getByte(cell + keyOffset + i);
        }

        return key;
    }
}
