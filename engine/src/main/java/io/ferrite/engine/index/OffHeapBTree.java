package io.ferrite.engine.index;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import static io.ferrite.engine.index.PagePool.NULL_PAGE;

/**
 * Ordered map from byte-string keys to {@code long} values, held entirely off-heap. Not thread safe: one shard
 * thread owns a tree and its cursors; no other thread may call it, not even to read.
 * <p>
 * Keys are 1 to {@link #MAX_KEY_LENGTH} bytes compared as unsigned byte strings, a proper prefix first (the order of
 * index keys in decision 0001). {@code get}, {@code put}, {@code remove} and every {@link Cursor} move allocate
 * nothing on the Java heap; the page pool reserves native memory in chunks of at least 2 MiB when it runs out
 * of free pages, and that is the only allocation in steady state.
 * <p>
 * <b>Cursors and mutation:</b> any {@code put}, {@code remove} or {@link #clear()} invalidates every cursor of
 * the tree; a cursor used after that throws {@link IllegalStateException} until it is seeked again. A pager copies
 * the last key it returned and re-seeks with {@link Cursor#seekGT} after writing.
 * <p>
 * <b>Design:</b> a B+tree of fixed-size slotted pages (default 16 KiB, a power of two from 16 KiB to 1 MiB, so
 * that at least three maximum-length keys fit in a page and a split always makes room). Leaves hold sorted
 * (key, value) cells and are linked both ways; inner pages hold separator keys and child page ids. Page ids are
 * ints resolved by the {@link PagePool}. Searches binary-search the slot array, comparing 8 bytes at a time as
 * big-endian unsigned longs. Splits move about half of the bytes to a new right page (a leaf split at the right
 * edge of the tree keeps the old page full, for ascending loads); the separator given to the parent is the
 * shortest prefix of the right page's first key that is greater than the left page's last key.
 * <p>
 * <b>Underflow policy:</b> a leaf that becomes empty is unlinked, freed and dropped from its parent; an inner page
 * that loses its last child is freed the same way; a root inner page left with a single child is replaced by that
 * child. A page (leaf or inner) under a quarter full after a removal is merged into its left sibling, else its
 * right sibling, when both fit in one page (the parent's separator comes down for inner pages); if neither fits,
 * the sibling is more than about three quarters full, so the pair is at least half used on average. There is no
 * borrowing: removal never moves keys between pages except to merge. Freed pages return to the pool's free list.
 * <pre>
 *  Page (offsets in bytes; all integers in native order):
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 kind: 0 free, 1 leaf, 2 inner                 |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    count: number of cells                     |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          cellStart: offset of the lowest cell byte            |  8
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     garbage: bytes of removed cells above cellStart           | 12
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |              left sibling leaf id (leaf) or -1                | 16
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |             right sibling leaf id (leaf) or -1                | 20
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          child 0: leftmost child id (inner) or -1             | 24
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                           reserved                            | 28
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          slot 0: offset of the cell with the least key        | 32
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 slot 1 ... slot count-1 (ascending keys)      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  free space (slots grow down)                 |
 *  |                    (cells grow up from the end)               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      cells, in any order, with garbage between them ...       | cellStart .. pageSize
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *  Leaf cell:
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        keyLength:u16          |          value:i64 ...        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        ... value:i64 ...                      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |       ... value:i64           |       key bytes ...           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *  Inner cell i (child i+1 holds keys &gt;= key i; child 0 holds keys below key 0):
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        keyLength:u16          |      child i+1 id:i32 ...     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      ... child i+1 id:i32     |       key bytes ...           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class OffHeapBTree implements AutoCloseable
{
    /**
     * Returned by {@link #get} for an absent key; may not be stored as a value.
     */
    public static final long MISSING = Long.MIN_VALUE;

    /**
     * Longest key accepted, in bytes.
     */
    public static final int MAX_KEY_LENGTH = 4096;

    /**
     * Page size used by {@link #OffHeapBTree()}.
     */
    public static final int DEFAULT_PAGE_SIZE = 16 * 1024;

    /**
     * Smallest page size: three maximum-length leaf cells (4096 key bytes plus 14 of cell and slot) fit in it,
     * so a split always leaves room for the entry that caused it.
     */
    public static final int MIN_PAGE_SIZE = 16 * 1024;

    /**
     * Largest page size.
     */
    public static final int MAX_PAGE_SIZE = 1024 * 1024;

    static final int KIND_LEAF = 1;
    static final int KIND_INNER = 2;

    static final int KIND_OFFSET = 0;
    static final int COUNT_OFFSET = 4;
    static final int CELL_START_OFFSET = 8;
    static final int GARBAGE_OFFSET = 12;
    static final int LEFT_OFFSET = 16;
    static final int RIGHT_OFFSET = 20;
    static final int CHILD0_OFFSET = 24;
    static final int RESERVED_OFFSET = 28;
    static final int HEADER_LENGTH = 32;
    static final int SLOT_LENGTH = 4;

    static final int LEAF_VALUE_OFFSET = 2;
    static final int LEAF_KEY_OFFSET = 10;
    static final int INNER_CHILD_OFFSET = 2;
    static final int INNER_KEY_OFFSET = 6;

    private static final boolean NATIVE_LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    private static final int SCRATCH_ALIGNMENT = 4096;

    private final int pageSize;
    private final int usableBytes;
    private final int underflowBytes;
    private final PagePool pool;
    private final ByteBuffer scratch;
    private final long scratchPage;
    private final long separatorA;
    private final long separatorB;
    private int rootId;
    private int innerLevels;
    private long size;
    private long modCount;
    private int[] pathPages = new int[16];
    private int[] pathChildIndexes = new int[16];
    private boolean closed;

    // Structural event counts, read by tests to prove every kind of split and merge happened.
    long leafSplits;
    long innerSplits;
    long leafMerges;
    long innerMerges;
    long rootCollapses;

    /**
     * A tree with {@link #DEFAULT_PAGE_SIZE} pages.
     */
    public OffHeapBTree()
    {
        this(DEFAULT_PAGE_SIZE);
    }

    /**
     * A tree with pages of the given size.
     *
     * @param pageSize in bytes: a power of two from {@link #MIN_PAGE_SIZE} to {@link #MAX_PAGE_SIZE}.
     * @throws IllegalArgumentException if the page size is not one of those.
     */
    public OffHeapBTree(final int pageSize)
    {
        if (Integer.bitCount(pageSize) != 1 || pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE)
        {
            throw new IllegalArgumentException(
                "pageSize=" + pageSize + " must be a power of two from " + MIN_PAGE_SIZE + " to " + MAX_PAGE_SIZE);
        }

        this.pageSize = pageSize;
        this.usableBytes = pageSize - HEADER_LENGTH;
        this.underflowBytes = usableBytes / 4;
        this.pool = new PagePool(pageSize);
        this.scratch = ByteBuffer.allocateDirect(pageSize + 2 * MAX_KEY_LENGTH + SCRATCH_ALIGNMENT);
        this.scratchPage = PagePool.alignedAddress(scratch, SCRATCH_ALIGNMENT);
        this.separatorA = scratchPage + pageSize;
        this.separatorB = separatorA + MAX_KEY_LENGTH;
        this.rootId = newPage(KIND_LEAF);
    }

    /**
     * Associate a value with a key, replacing any value it had. Invalidates cursors.
     *
     * @param key    buffer holding the key.
     * @param offset of the key in the buffer.
     * @param length of the key: 1 to {@link #MAX_KEY_LENGTH}.
     * @param value  any value but {@link #MISSING}.
     * @return true if the key was new, false if its value was replaced.
     * @throws IllegalArgumentException if the key length is out of range or the value is {@link #MISSING}.
     */
    public boolean put(final DirectBuffer key, final int offset, final int length, final long value)
    {
        return MISSING == upsert(key, offset, length, value);
    }

    /**
     * Associate a value with a key, replacing any value it had, and return the value replaced: one descent
     * where {@link #get} then {@link #put} would take two. Invalidates cursors.
     *
     * @param key    buffer holding the key.
     * @param offset of the key in the buffer.
     * @param length of the key: 1 to {@link #MAX_KEY_LENGTH}.
     * @param value  any value but {@link #MISSING}.
     * @return the value replaced, or {@link #MISSING} if the key was new.
     * @throws IllegalArgumentException if the key length is out of range or the value is {@link #MISSING}.
     */
    public long upsert(final DirectBuffer key, final int offset, final int length, final long value)
    {
        checkKey(key, offset, length);
        if (MISSING == value)
        {
            throw new IllegalArgumentException("value " + value + " is MISSING (Long.MIN_VALUE), which get returns " +
                "for an absent key and so cannot be stored");
        }

        final Object base = key.byteArray();
        final long address = key.addressOffset() + offset;
        final int depth = descendRecordingPath(base, address, length);
        final long leaf = pool.address(pathPages[depth]);
        final int found = search(leaf, LEAF_KEY_OFFSET, base, address, length);
        modCount++;

        if (found >= 0)
        {
            final long valueAddress = cellAddress(leaf, found) + LEAF_VALUE_OFFSET;
            final long previous = UnsafeApi.getLong(valueAddress);
            UnsafeApi.putLong(valueAddress, value);
            return previous;
        }

        final int index = -(found + 1);
        final int cellLength = LEAF_KEY_OFFSET + length;
        if (reserve(leaf, cellLength))
        {
            writeLeafCell(insertCell(leaf, index, cellLength), base, address, length, value);
        }
        else
        {
            splitLeafAndInsert(depth, index, base, address, length, value);
        }

        size++;
        return MISSING;
    }

    /**
     * Value of a key.
     *
     * @param key    buffer holding the key.
     * @param offset of the key in the buffer.
     * @param length of the key: 1 to {@link #MAX_KEY_LENGTH}.
     * @return the value, or {@link #MISSING} if the key is absent.
     * @throws IllegalArgumentException if the key length is out of range.
     */
    public long get(final DirectBuffer key, final int offset, final int length)
    {
        checkKey(key, offset, length);
        final Object base = key.byteArray();
        final long address = key.addressOffset() + offset;
        final long leaf = pool.address(findLeaf(base, address, length));
        final int found = search(leaf, LEAF_KEY_OFFSET, base, address, length);

        return found >= 0 ? UnsafeApi.getLong(cellAddress(leaf, found) + LEAF_VALUE_OFFSET) : MISSING;
    }

    /**
     * Remove a key. Invalidates cursors.
     *
     * @param key    buffer holding the key.
     * @param offset of the key in the buffer.
     * @param length of the key: 1 to {@link #MAX_KEY_LENGTH}.
     * @return true if the key was present.
     * @throws IllegalArgumentException if the key length is out of range.
     */
    public boolean remove(final DirectBuffer key, final int offset, final int length)
    {
        return MISSING != removeValue(key, offset, length);
    }

    /**
     * Remove a key and return its value: one descent where {@link #get} then {@link #remove} would take two.
     * Invalidates cursors.
     *
     * @param key    buffer holding the key.
     * @param offset of the key in the buffer.
     * @param length of the key: 1 to {@link #MAX_KEY_LENGTH}.
     * @return the value removed, or {@link #MISSING} if the key was absent.
     * @throws IllegalArgumentException if the key length is out of range.
     */
    public long removeValue(final DirectBuffer key, final int offset, final int length)
    {
        checkKey(key, offset, length);
        final Object base = key.byteArray();
        final long address = key.addressOffset() + offset;
        final int depth = descendRecordingPath(base, address, length);
        final long leaf = pool.address(pathPages[depth]);
        final int found = search(leaf, LEAF_KEY_OFFSET, base, address, length);
        if (found < 0)
        {
            return MISSING;
        }

        final long previous = UnsafeApi.getLong(cellAddress(leaf, found) + LEAF_VALUE_OFFSET);
        modCount++;
        removeCell(leaf, found, LEAF_KEY_OFFSET);
        size--;
        if (depth > 0)
        {
            rebalance(depth);
        }

        return previous;
    }

    /**
     * @return number of keys.
     */
    public long size()
    {
        return size;
    }

    /**
     * @return bytes of native memory reserved by the page pool and the tree's one scratch page; it only grows,
     * until {@link #close()}.
     */
    public long offHeapBytes()
    {
        return pool.reservedBytes() + scratch.capacity();
    }

    /**
     * Remove every key, keeping the reserved memory for reuse. Invalidates cursors.
     */
    public void clear()
    {
        modCount++;
        pool.reset();
        rootId = newPage(KIND_LEAF);
        innerLevels = 0;
        size = 0;
    }

    /**
     * A new cursor over this tree, not positioned. Allocate one per use site and reuse it.
     *
     * @return the cursor.
     */
    public Cursor newCursor()
    {
        return new Cursor();
    }

    /**
     * Release the native memory. The tree and its cursors must not be used afterwards. Idempotent.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            modCount++;
            pool.close();
            BufferUtil.free(scratch);
        }
    }

    /**
     * Position in a tree and reader of the entry there. Not thread safe: belongs to the tree's owning thread.
     * <p>
     * A seek or move returns false and leaves the cursor not valid when there is no such entry. The key view
     * ({@link #keyBuffer()}, {@link #keyOffset()}, {@link #keyLength()}) points into the tree's page and is
     * valid until the next move or mutation of the tree; copy the key to keep it. Any put, remove or clear of
     * the tree invalidates the cursor: moving or reading it then throws {@link IllegalStateException} until the
     * next seek.
     */
    public final class Cursor
    {
        private final UnsafeBuffer keyView = new UnsafeBuffer(scratchPage, pageSize);
        private int leafId = NULL_PAGE;
        private long leaf;
        private int index;
        private long expectedModCount;

        private Cursor()
        {
        }

        /**
         * Position at the least key.
         *
         * @return true if the tree is not empty.
         */
        public boolean seekFirst()
        {
            int pageId = rootId;
            for (int level = 0; level < innerLevels; level++)
            {
                pageId = UnsafeApi.getInt(pool.address(pageId) + CHILD0_OFFSET);
            }

            return settleForward(pageId, 0);
        }

        /**
         * Position at the greatest key.
         *
         * @return true if the tree is not empty.
         */
        public boolean seekLast()
        {
            int pageId = rootId;
            for (int level = 0; level < innerLevels; level++)
            {
                final long page = pool.address(pageId);
                pageId = child(page, count(page));
            }

            return settleBackward(pageId, count(pool.address(pageId)) - 1);
        }

        /**
         * Position at the least key greater than or equal to the given key.
         *
         * @param key    buffer holding the key.
         * @param offset of the key in the buffer.
         * @param length of the key: 1 to {@link #MAX_KEY_LENGTH}.
         * @return true if there is such a key.
         */
        public boolean seekGE(final DirectBuffer key, final int offset, final int length)
        {
            final int found = seekLeaf(key, offset, length);
            return settleForward(leafId, found >= 0 ? found : -(found + 1));
        }

        /**
         * Position at the least key greater than the given key.
         *
         * @param key    buffer holding the key.
         * @param offset of the key in the buffer.
         * @param length of the key: 1 to {@link #MAX_KEY_LENGTH}.
         * @return true if there is such a key.
         */
        public boolean seekGT(final DirectBuffer key, final int offset, final int length)
        {
            final int found = seekLeaf(key, offset, length);
            return settleForward(leafId, found >= 0 ? found + 1 : -(found + 1));
        }

        /**
         * Position at the greatest key less than or equal to the given key.
         *
         * @param key    buffer holding the key.
         * @param offset of the key in the buffer.
         * @param length of the key: 1 to {@link #MAX_KEY_LENGTH}.
         * @return true if there is such a key.
         */
        public boolean seekLE(final DirectBuffer key, final int offset, final int length)
        {
            final int found = seekLeaf(key, offset, length);
            return settleBackward(leafId, found >= 0 ? found : -(found + 1) - 1);
        }

        /**
         * Position at the greatest key less than the given key.
         *
         * @param key    buffer holding the key.
         * @param offset of the key in the buffer.
         * @param length of the key: 1 to {@link #MAX_KEY_LENGTH}.
         * @return true if there is such a key.
         */
        public boolean seekLT(final DirectBuffer key, final int offset, final int length)
        {
            final int found = seekLeaf(key, offset, length);
            return settleBackward(leafId, found >= 0 ? found - 1 : -(found + 1) - 1);
        }

        /**
         * Move to the next greater key.
         *
         * @return false, leaving the cursor not valid, if there is none or the cursor was not valid.
         * @throws IllegalStateException if the tree was modified since the last seek.
         */
        public boolean next()
        {
            checkNotStale();
            if (NULL_PAGE == leafId)
            {
                return false;
            }

            if (index + 1 < count(leaf))
            {
                index++;
                return true;
            }

            return settleForward(UnsafeApi.getInt(leaf + RIGHT_OFFSET), 0);
        }

        /**
         * Move to the next smaller key.
         *
         * @return false, leaving the cursor not valid, if there is none or the cursor was not valid.
         * @throws IllegalStateException if the tree was modified since the last seek.
         */
        public boolean prev()
        {
            checkNotStale();
            if (NULL_PAGE == leafId)
            {
                return false;
            }

            if (index > 0)
            {
                index--;
                return true;
            }

            final int leftId = UnsafeApi.getInt(leaf + LEFT_OFFSET);
            return settleBackward(leftId, NULL_PAGE == leftId ? -1 : count(pool.address(leftId)) - 1);
        }

        /**
         * Moves to where another cursor of the same tree is, so that the two can then move apart (a look-ahead).
         *
         * @param other a cursor of this tree.
         * @return false, leaving this cursor not valid, if {@code other} is not valid.
         * @throws IllegalArgumentException if {@code other} is a cursor of another tree.
         */
        public boolean positionAs(final Cursor other)
        {
            if (other.tree() != OffHeapBTree.this)
            {
                throw new IllegalArgumentException("a cursor of another tree");
            }
            return other.isValid() ? positionAt(other.leafId, other.leaf, other.index) : unposition();
        }

        private OffHeapBTree tree()
        {
            return OffHeapBTree.this;
        }

        /**
         * @return true if positioned at an entry and the tree was not modified since.
         */
        public boolean isValid()
        {
            return NULL_PAGE != leafId && expectedModCount == modCount;
        }

        /**
         * @return buffer holding the current key, valid until the next move or mutation.
         * @throws IllegalStateException if not {@link #isValid()}.
         */
        public DirectBuffer keyBuffer()
        {
            checkPositioned();
            return keyView;
        }

        /**
         * @return offset of the current key in {@link #keyBuffer()}.
         * @throws IllegalStateException if not {@link #isValid()}.
         */
        public int keyOffset()
        {
            checkPositioned();
            return UnsafeApi.getInt(leaf + HEADER_LENGTH + (long)index * SLOT_LENGTH) + LEAF_KEY_OFFSET;
        }

        /**
         * @return length of the current key.
         * @throws IllegalStateException if not {@link #isValid()}.
         */
        public int keyLength()
        {
            checkPositioned();
            return keyLengthOf(cellAddress(leaf, index));
        }

        /**
         * @return value of the current entry.
         * @throws IllegalStateException if not {@link #isValid()}.
         */
        public long value()
        {
            checkPositioned();
            return UnsafeApi.getLong(cellAddress(leaf, index) + LEAF_VALUE_OFFSET);
        }

        private int seekLeaf(final DirectBuffer key, final int offset, final int length)
        {
            checkKey(key, offset, length);
            final Object base = key.byteArray();
            final long address = key.addressOffset() + offset;
            leafId = findLeaf(base, address, length);
            return search(pool.address(leafId), LEAF_KEY_OFFSET, base, address, length);
        }

        private boolean settleForward(final int pageId, final int slot)
        {
            if (NULL_PAGE == pageId)
            {
                return unposition();
            }

            final long page = pool.address(pageId);
            if (slot < count(page))
            {
                return positionAt(pageId, page, slot);
            }

            // Only the root leaf may be empty, so the first key past this leaf starts the next one.
            final int rightId = UnsafeApi.getInt(page + RIGHT_OFFSET);
            if (NULL_PAGE == rightId)
            {
                return unposition();
            }

            return positionAt(rightId, pool.address(rightId), 0);
        }

        private boolean settleBackward(final int pageId, final int slot)
        {
            if (NULL_PAGE == pageId)
            {
                return unposition();
            }

            final long page = pool.address(pageId);
            if (slot >= 0)
            {
                return positionAt(pageId, page, slot);
            }

            final int leftId = UnsafeApi.getInt(page + LEFT_OFFSET);
            if (NULL_PAGE == leftId)
            {
                return unposition();
            }

            final long leftPage = pool.address(leftId);
            return positionAt(leftId, leftPage, count(leftPage) - 1);
        }

        private boolean positionAt(final int pageId, final long page, final int slot)
        {
            if (keyView.addressOffset() != page)
            {
                keyView.wrap(page, pageSize);
            }

            leafId = pageId;
            leaf = page;
            index = slot;
            expectedModCount = modCount;
            return true;
        }

        private boolean unposition()
        {
            leafId = NULL_PAGE;
            leaf = 0;
            index = 0;
            expectedModCount = modCount;
            return false;
        }

        private void checkNotStale()
        {
            if (expectedModCount != modCount)
            {
                throw new IllegalStateException("cursor positioned at tree modification " + expectedModCount +
                    " but the tree is at modification " + modCount + ": seek again after put, remove or clear");
            }
        }

        private void checkPositioned()
        {
            checkNotStale();
            if (NULL_PAGE == leafId)
            {
                throw new IllegalStateException("cursor is not positioned at an entry: seek returned false or " +
                    "next/prev moved off an end");
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Package-private views for tests.

    int innerLevels()
    {
        return innerLevels;
    }

    int pagesInUse()
    {
        return pool.pagesInUse();
    }

    int freePages()
    {
        return pool.freePages();
    }

    int rootId()
    {
        return rootId;
    }

    long pageAddress(final int pageId)
    {
        return pool.address(pageId);
    }

    int pageSize()
    {
        return pageSize;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Descent and search.

    private static void checkKey(final DirectBuffer key, final int offset, final int length)
    {
        if (length < 1 || length > MAX_KEY_LENGTH)
        {
            throw new IllegalArgumentException(
                "key length " + length + " is outside 1.." + MAX_KEY_LENGTH + " bytes");
        }

        key.boundsCheck(offset, length);
    }

    private int findLeaf(final Object base, final long address, final int length)
    {
        int pageId = rootId;
        for (int level = 0; level < innerLevels; level++)
        {
            final long page = pool.address(pageId);
            pageId = child(page, childIndexFor(page, base, address, length));
        }

        return pageId;
    }

    /**
     * Descend to the leaf for a key, recording the page and the child index taken at each level.
     *
     * @return depth of the leaf: its page id is {@code pathPages[depth]}.
     */
    private int descendRecordingPath(final Object base, final long address, final int length)
    {
        int pageId = rootId;
        for (int level = 0; level < innerLevels; level++)
        {
            final long page = pool.address(pageId);
            final int childIndex = childIndexFor(page, base, address, length);
            pathPages[level] = pageId;
            pathChildIndexes[level] = childIndex;
            pageId = child(page, childIndex);
        }

        pathPages[innerLevels] = pageId;
        return innerLevels;
    }

    private static int childIndexFor(final long page, final Object base, final long address, final int length)
    {
        final int found = search(page, INNER_KEY_OFFSET, base, address, length);
        return found >= 0 ? found + 1 : -(found + 1);
    }

    /**
     * Binary search of a page's slots.
     *
     * @return slot of an equal key, or {@code -(insertion point) - 1}.
     */
    private static int search(
        final long page, final int keyOffset, final Object base, final long address, final int length)
    {
        int low = 0;
        int high = count(page) - 1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            final long cell = cellAddress(page, mid);
            final int cmp = compare(cell + keyOffset, keyLengthOf(cell), base, address, length);
            if (cmp < 0)
            {
                low = mid + 1;
            }
            else if (cmp > 0)
            {
                high = mid - 1;
            }
            else
            {
                return mid;
            }
        }

        return -(low + 1);
    }

    /**
     * Unsigned lexicographic comparison, a proper prefix first, 8 bytes at a time.
     *
     * @return negative, zero or positive as the page key is less than, equal to or greater than the other.
     */
    static int compare(
        final long pageKey, final int pageKeyLength, final Object base, final long address, final int length)
    {
        final int common = Math.min(pageKeyLength, length);
        int i = 0;
        for (; i <= common - 8; i += 8)
        {
            final long a = UnsafeApi.getLong(pageKey + i);
            final long b = UnsafeApi.getLong(base, address + i);
            if (a != b)
            {
                return NATIVE_LITTLE_ENDIAN ?
                    Long.compareUnsigned(Long.reverseBytes(a), Long.reverseBytes(b)) : Long.compareUnsigned(a, b);
            }
        }

        for (; i < common; i++)
        {
            final int a = UnsafeApi.getByte(pageKey + i) & 0xFF;
            final int b = UnsafeApi.getByte(base, address + i) & 0xFF;
            if (a != b)
            {
                return a - b;
            }
        }

        return pageKeyLength - length;
    }

    private static int commonPrefixLength(final long a, final int aLength, final long b, final int bLength)
    {
        final int common = Math.min(aLength, bLength);
        int i = 0;
        while (i <= common - 8 && UnsafeApi.getLong(a + i) == UnsafeApi.getLong(b + i))
        {
            i += 8;
        }

        while (i < common && UnsafeApi.getByte(a + i) == UnsafeApi.getByte(b + i))
        {
            i++;
        }

        return i;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Page accessors.

    static int count(final long page)
    {
        return UnsafeApi.getInt(page + COUNT_OFFSET);
    }

    static long cellAddress(final long page, final int slot)
    {
        return page + UnsafeApi.getInt(page + HEADER_LENGTH + (long)slot * SLOT_LENGTH);
    }

    static int keyLengthOf(final long cell)
    {
        return UnsafeApi.getShort(cell) & 0xFFFF;
    }

    static int child(final long page, final int childIndex)
    {
        return 0 == childIndex ?
            UnsafeApi.getInt(page + CHILD0_OFFSET) :
            UnsafeApi.getInt(cellAddress(page, childIndex - 1) + INNER_CHILD_OFFSET);
    }

    private static int keyOffsetOf(final long page)
    {
        return KIND_LEAF == UnsafeApi.getInt(page + KIND_OFFSET) ? LEAF_KEY_OFFSET : INNER_KEY_OFFSET;
    }

    private int usedBytes(final long page)
    {
        return pageSize - UnsafeApi.getInt(page + CELL_START_OFFSET) - UnsafeApi.getInt(page + GARBAGE_OFFSET) +
            count(page) * SLOT_LENGTH;
    }

    private static int contiguousFreeBytes(final long page)
    {
        return UnsafeApi.getInt(page + CELL_START_OFFSET) - HEADER_LENGTH - count(page) * SLOT_LENGTH;
    }

    private int newPage(final int kind)
    {
        final int pageId = pool.allocate();
        initPage(pool.address(pageId), kind);
        return pageId;
    }

    private void initPage(final long page, final int kind)
    {
        UnsafeApi.putInt(page + KIND_OFFSET, kind);
        UnsafeApi.putInt(page + COUNT_OFFSET, 0);
        UnsafeApi.putInt(page + CELL_START_OFFSET, pageSize);
        UnsafeApi.putInt(page + GARBAGE_OFFSET, 0);
        UnsafeApi.putInt(page + LEFT_OFFSET, NULL_PAGE);
        UnsafeApi.putInt(page + RIGHT_OFFSET, NULL_PAGE);
        UnsafeApi.putInt(page + CHILD0_OFFSET, NULL_PAGE);
        UnsafeApi.putInt(page + RESERVED_OFFSET, 0);
    }

    /**
     * Make room for one more cell and slot, compacting the page if the room is there but fragmented.
     *
     * @return false if the page has not the room: it must split.
     */
    private boolean reserve(final long page, final int cellLength)
    {
        final int needed = cellLength + SLOT_LENGTH;
        final int contiguous = contiguousFreeBytes(page);
        if (contiguous >= needed)
        {
            return true;
        }

        if (contiguous + UnsafeApi.getInt(page + GARBAGE_OFFSET) >= needed)
        {
            compact(page);
            return true;
        }

        return false;
    }

    /**
     * Rewrite a page's cells contiguously at its end, dropping garbage. Uses the scratch page.
     */
    private void compact(final long page)
    {
        final int count = count(page);
        final int keyOffset = keyOffsetOf(page);
        UnsafeApi.copyMemory(page, scratchPage, pageSize);
        int cellStart = pageSize;
        for (int i = 0; i < count; i++)
        {
            final long source = cellAddress(scratchPage, i);
            final int cellLength = keyOffset + keyLengthOf(source);
            cellStart -= cellLength;
            UnsafeApi.copyMemory(source, page + cellStart, cellLength);
            UnsafeApi.putInt(page + HEADER_LENGTH + (long)i * SLOT_LENGTH, cellStart);
        }

        UnsafeApi.putInt(page + CELL_START_OFFSET, cellStart);
        UnsafeApi.putInt(page + GARBAGE_OFFSET, 0);
    }

    /**
     * Insert a slot at an index, pointing at a new cell below cellStart; the room must have been reserved.
     *
     * @return address of the new cell, for the caller to fill.
     */
    private static long insertCell(final long page, final int index, final int cellLength)
    {
        final int count = count(page);
        final int cellStart = UnsafeApi.getInt(page + CELL_START_OFFSET) - cellLength;
        final long slot = page + HEADER_LENGTH + (long)index * SLOT_LENGTH;
        if (index < count)
        {
            UnsafeApi.copyMemory(slot, slot + SLOT_LENGTH, (long)(count - index) * SLOT_LENGTH);
        }

        UnsafeApi.putInt(slot, cellStart);
        UnsafeApi.putInt(page + COUNT_OFFSET, count + 1);
        UnsafeApi.putInt(page + CELL_START_OFFSET, cellStart);
        return page + cellStart;
    }

    private static long appendCell(final long page, final int cellLength)
    {
        return insertCell(page, count(page), cellLength);
    }

    private void removeCell(final long page, final int index, final int keyOffset)
    {
        final long cell = cellAddress(page, index);
        final int cellLength = keyOffset + keyLengthOf(cell);
        final int count = count(page) - 1;
        final long slot = page + HEADER_LENGTH + (long)index * SLOT_LENGTH;
        if (index < count)
        {
            UnsafeApi.copyMemory(slot + SLOT_LENGTH, slot, (long)(count - index) * SLOT_LENGTH);
        }

        UnsafeApi.putInt(page + COUNT_OFFSET, count);
        final int cellStart = UnsafeApi.getInt(page + CELL_START_OFFSET);
        if (0 == count)
        {
            UnsafeApi.putInt(page + CELL_START_OFFSET, pageSize);
            UnsafeApi.putInt(page + GARBAGE_OFFSET, 0);
        }
        else if (cell == page + cellStart)
        {
            UnsafeApi.putInt(page + CELL_START_OFFSET, cellStart + cellLength);
        }
        else
        {
            UnsafeApi.putInt(page + GARBAGE_OFFSET, UnsafeApi.getInt(page + GARBAGE_OFFSET) + cellLength);
        }
    }

    private static void writeLeafCell(
        final long cell, final Object base, final long address, final int length, final long value)
    {
        UnsafeApi.putShort(cell, (short)length);
        UnsafeApi.putLong(cell + LEAF_VALUE_OFFSET, value);
        UnsafeApi.copyMemory(base, address, null, cell + LEAF_KEY_OFFSET, length);
    }

    private static void writeInnerCell(final long cell, final long key, final int length, final int childId)
    {
        UnsafeApi.putShort(cell, (short)length);
        UnsafeApi.putInt(cell + INNER_CHILD_OFFSET, childId);
        UnsafeApi.copyMemory(key, cell + INNER_KEY_OFFSET, length);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Splits.

    private void splitLeafAndInsert(
        final int depth, final int index, final Object base, final long address, final int length, final long value)
    {
        final int leftId = pathPages[depth];
        final long left = pool.address(leftId);
        final int rightId = pool.allocate(); // may add a chunk; pages never move, so left stays valid
        final long right = pool.address(rightId);
        UnsafeApi.copyMemory(left, scratchPage, pageSize);

        final int count = count(scratchPage);
        final int newCellLength = LEAF_KEY_OFFSET + length;
        final int oldRightId = UnsafeApi.getInt(scratchPage + RIGHT_OFFSET);
        final int leftCount = (index == count && NULL_PAGE == oldRightId) ?
            count : leafSplitCount(count, index, newCellLength);

        initPage(left, KIND_LEAF);
        initPage(right, KIND_LEAF);
        for (int i = 0; i <= count; i++)
        {
            final long target = i < leftCount ? left : right;
            if (i == index)
            {
                writeLeafCell(appendCell(target, newCellLength), base, address, length, value);
            }
            else
            {
                final long source = cellAddress(scratchPage, i < index ? i : i - 1);
                final int cellLength = LEAF_KEY_OFFSET + keyLengthOf(source);
                UnsafeApi.copyMemory(source, appendCell(target, cellLength), cellLength);
            }
        }

        UnsafeApi.putInt(left + LEFT_OFFSET, UnsafeApi.getInt(scratchPage + LEFT_OFFSET));
        UnsafeApi.putInt(left + RIGHT_OFFSET, rightId);
        UnsafeApi.putInt(right + LEFT_OFFSET, leftId);
        UnsafeApi.putInt(right + RIGHT_OFFSET, oldRightId);
        if (NULL_PAGE != oldRightId)
        {
            UnsafeApi.putInt(pool.address(oldRightId) + LEFT_OFFSET, rightId);
        }

        leafSplits++;
        final int separatorLength = writeShortestSeparator(left, right, separatorA);
        insertIntoParent(depth - 1, separatorA, separatorLength, rightId);
    }

    /**
     * Entries for the left page when splitting the scratch copy of a leaf with a new cell at {@code index}, so
     * that each side holds about half the bytes and at least one entry.
     */
    private int leafSplitCount(final int count, final int index, final int newCellLength)
    {
        final int half = virtualBytes(count, index, newCellLength, LEAF_KEY_OFFSET) / 2;
        int bytes = 0;
        int leftCount = count;
        for (int i = 0; i <= count; i++)
        {
            final int entryBytes = virtualEntryBytes(i, index, newCellLength, LEAF_KEY_OFFSET);
            bytes += entryBytes;
            if (bytes >= half)
            {
                leftCount = (bytes - half > half - (bytes - entryBytes)) ? i : i + 1;
                break;
            }
        }

        return Math.max(1, Math.min(count, leftCount));
    }

    private void splitInnerAndInsert(
        final int level, final int index, final long key, final int length, final int childId)
    {
        final int leftId = pathPages[level];
        final long left = pool.address(leftId);
        final int rightId = pool.allocate();
        final long right = pool.address(rightId);
        UnsafeApi.copyMemory(left, scratchPage, pageSize);

        final int count = count(scratchPage);
        final int newCellLength = INNER_KEY_OFFSET + length;
        final int promoted = innerPromotedIndex(count, index, newCellLength);
        final long promotedKey = key == separatorA ? separatorB : separatorA;
        final int promotedLength;
        final int rightChild0;
        if (promoted == index)
        {
            promotedLength = length;
            rightChild0 = childId;
            UnsafeApi.copyMemory(key, promotedKey, length);
        }
        else
        {
            final long source = cellAddress(scratchPage, promoted < index ? promoted : promoted - 1);
            promotedLength = keyLengthOf(source);
            rightChild0 = UnsafeApi.getInt(source + INNER_CHILD_OFFSET);
            UnsafeApi.copyMemory(source + INNER_KEY_OFFSET, promotedKey, promotedLength);
        }

        initPage(left, KIND_INNER);
        UnsafeApi.putInt(left + CHILD0_OFFSET, UnsafeApi.getInt(scratchPage + CHILD0_OFFSET));
        initPage(right, KIND_INNER);
        UnsafeApi.putInt(right + CHILD0_OFFSET, rightChild0);
        for (int i = 0; i <= count; i++)
        {
            if (i != promoted)
            {
                final long target = i < promoted ? left : right;
                if (i == index)
                {
                    writeInnerCell(appendCell(target, newCellLength), key, length, childId);
                }
                else
                {
                    final long source = cellAddress(scratchPage, i < index ? i : i - 1);
                    final int cellLength = INNER_KEY_OFFSET + keyLengthOf(source);
                    UnsafeApi.copyMemory(source, appendCell(target, cellLength), cellLength);
                }
            }
        }

        innerSplits++;
        insertIntoParent(level - 1, promotedKey, promotedLength, rightId);
    }

    /**
     * Entry of the scratch copy of an inner page, with a new cell at {@code index}, whose key moves up so each
     * side holds at most about half the bytes. Either side may be left with no keys, only its child 0.
     */
    private int innerPromotedIndex(final int count, final int index, final int newCellLength)
    {
        final int half = virtualBytes(count, index, newCellLength, INNER_KEY_OFFSET) / 2;
        int bytes = 0;
        for (int i = 0; i <= count; i++)
        {
            bytes += virtualEntryBytes(i, index, newCellLength, INNER_KEY_OFFSET);
            if (bytes >= half)
            {
                return i;
            }
        }

        return count;
    }

    private int virtualBytes(final int count, final int index, final int newCellLength, final int keyOffset)
    {
        int bytes = 0;
        for (int i = 0; i <= count; i++)
        {
            bytes += virtualEntryBytes(i, index, newCellLength, keyOffset);
        }

        return bytes;
    }

    /**
     * Bytes of entry {@code i} of the scratch page as if a new cell were inserted at {@code index}.
     */
    private int virtualEntryBytes(final int i, final int index, final int newCellLength, final int keyOffset)
    {
        return SLOT_LENGTH + (i == index ?
            newCellLength : keyOffset + keyLengthOf(cellAddress(scratchPage, i < index ? i : i - 1)));
    }

    private int writeShortestSeparator(final long left, final long right, final long destination)
    {
        final long last = cellAddress(left, count(left) - 1);
        final long first = cellAddress(right, 0);
        final int lastLength = keyLengthOf(last);
        final int firstLength = keyLengthOf(first);
        final int common = commonPrefixLength(
            last + LEAF_KEY_OFFSET, lastLength, first + LEAF_KEY_OFFSET, firstLength);
        final int length = Math.min(common + 1, firstLength);
        UnsafeApi.copyMemory(first + LEAF_KEY_OFFSET, destination, length);
        return length;
    }

    private void insertIntoParent(final int level, final long key, final int length, final int childId)
    {
        if (level < 0)
        {
            growRoot(key, length, childId);
            return;
        }

        final long parent = pool.address(pathPages[level]);
        final int index = pathChildIndexes[level];
        final int cellLength = INNER_KEY_OFFSET + length;
        if (reserve(parent, cellLength))
        {
            writeInnerCell(insertCell(parent, index, cellLength), key, length, childId);
        }
        else
        {
            splitInnerAndInsert(level, index, key, length, childId);
        }
    }

    private void growRoot(final long key, final int length, final int rightId)
    {
        final int newRootId = newPage(KIND_INNER);
        final long newRoot = pool.address(newRootId);
        UnsafeApi.putInt(newRoot + CHILD0_OFFSET, rootId);
        writeInnerCell(appendCell(newRoot, INNER_KEY_OFFSET + length), key, length, rightId);
        rootId = newRootId;
        innerLevels++;
        if (innerLevels + 1 > pathPages.length)
        {
            pathPages = Arrays.copyOf(pathPages, pathPages.length * 2);
            pathChildIndexes = Arrays.copyOf(pathChildIndexes, pathChildIndexes.length * 2);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Underflow.

    /**
     * After a removal from the page at {@code pathPages[depth]} (depth &gt; 0): free it if it is an empty leaf,
     * else merge it with a sibling if it is under a quarter full and they fit in one page.
     */
    private void rebalance(final int depth)
    {
        final int pageId = pathPages[depth];
        final long page = pool.address(pageId);
        if (0 == count(page) && KIND_LEAF == UnsafeApi.getInt(page + KIND_OFFSET))
        {
            unlinkLeaf(page);
            pool.free(pageId);
            removeChild(depth - 1);
            return;
        }

        if (usedBytes(page) < underflowBytes)
        {
            tryMerge(depth);
        }
    }

    private void unlinkLeaf(final long page)
    {
        final int leftId = UnsafeApi.getInt(page + LEFT_OFFSET);
        final int rightId = UnsafeApi.getInt(page + RIGHT_OFFSET);
        if (NULL_PAGE != leftId)
        {
            UnsafeApi.putInt(pool.address(leftId) + RIGHT_OFFSET, rightId);
        }

        if (NULL_PAGE != rightId)
        {
            UnsafeApi.putInt(pool.address(rightId) + LEFT_OFFSET, leftId);
        }
    }

    /**
     * Drop child {@code pathChildIndexes[level]} of inner page {@code pathPages[level]}, whose page has been
     * freed, then rebalance that inner page.
     */
    private void removeChild(final int level)
    {
        final int pageId = pathPages[level];
        final long page = pool.address(pageId);
        final int childIndex = pathChildIndexes[level];
        if (0 == count(page))
        {
            if (0 == level)
            {
                throw new IllegalStateException("root inner page " + pageId + " had a single child");
            }

            pool.free(pageId);
            removeChild(level - 1);
            return;
        }

        if (0 == childIndex)
        {
            UnsafeApi.putInt(page + CHILD0_OFFSET, child(page, 1));
            removeCell(page, 0, INNER_KEY_OFFSET);
        }
        else
        {
            removeCell(page, childIndex - 1, INNER_KEY_OFFSET);
        }

        if (0 == level)
        {
            collapseRoot();
        }
        else
        {
            rebalance(level);
        }
    }

    private void collapseRoot()
    {
        while (innerLevels > 0)
        {
            final long root = pool.address(rootId);
            if (count(root) > 0)
            {
                break;
            }

            final int oldRootId = rootId;
            rootId = UnsafeApi.getInt(root + CHILD0_OFFSET);
            pool.free(oldRootId);
            innerLevels--;
            rootCollapses++;
        }
    }

    private void tryMerge(final int depth)
    {
        final int parentLevel = depth - 1;
        final long parent = pool.address(pathPages[parentLevel]);
        final int childIndex = pathChildIndexes[parentLevel];
        final int pageId = pathPages[depth];

        if (childIndex > 0 && mergeInto(child(parent, childIndex - 1), pageId, parent, childIndex - 1))
        {
            removeChild(parentLevel);
        }
        else if (childIndex < count(parent) && mergeInto(pageId, child(parent, childIndex + 1), parent, childIndex))
        {
            pathChildIndexes[parentLevel] = childIndex + 1;
            removeChild(parentLevel);
        }
    }

    /**
     * Move every entry of the right page into the left one and free the right one, if they fit.
     *
     * @param separatorSlot slot in the parent of the separator between the two pages.
     * @return false, changing nothing, if they do not fit in one page.
     */
    private boolean mergeInto(final int leftId, final int rightId, final long parent, final int separatorSlot)
    {
        final long left = pool.address(leftId);
        final long right = pool.address(rightId);
        final boolean leaf = KIND_LEAF == UnsafeApi.getInt(left + KIND_OFFSET);
        final long separator = cellAddress(parent, separatorSlot);
        final int separatorCellLength = leaf ? 0 : INNER_KEY_OFFSET + keyLengthOf(separator);
        final int incoming = usedBytes(right) + (leaf ? 0 : separatorCellLength + SLOT_LENGTH);
        if (usedBytes(left) + incoming > usableBytes)
        {
            return false;
        }

        if (contiguousFreeBytes(left) < incoming)
        {
            compact(left);
        }

        final int keyOffset = leaf ? LEAF_KEY_OFFSET : INNER_KEY_OFFSET;
        if (!leaf)
        {
            writeInnerCell(
                appendCell(left, separatorCellLength),
                separator + INNER_KEY_OFFSET,
                keyLengthOf(separator),
                UnsafeApi.getInt(right + CHILD0_OFFSET));
        }

        final int count = count(right);
        for (int i = 0; i < count; i++)
        {
            final long source = cellAddress(right, i);
            final int cellLength = keyOffset + keyLengthOf(source);
            UnsafeApi.copyMemory(source, appendCell(left, cellLength), cellLength);
        }

        if (leaf)
        {
            final int rightRightId = UnsafeApi.getInt(right + RIGHT_OFFSET);
            UnsafeApi.putInt(left + RIGHT_OFFSET, rightRightId);
            if (NULL_PAGE != rightRightId)
            {
                UnsafeApi.putInt(pool.address(rightRightId) + LEFT_OFFSET, leftId);
            }

            leafMerges++;
        }
        else
        {
            innerMerges++;
        }

        pool.free(rightId);
        return true;
    }
}
