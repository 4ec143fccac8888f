package io.ferrite.engine.shard;

import io.ferrite.engine.index.OffHeapBTree;
import io.ferrite.engine.store.ItemStore;
import org.agrona.DirectBuffer;

/**
 * One partition: a contiguous range of the hash space, its persisted item store (index key to item
 * bytes) and its in-memory ordered index (index key to item length), which is rebuilt from the store at
 * start-up. Both are touched only by the shard thread.
 */
final class Partition implements AutoCloseable
{
    private final int partitionId;
    private final long hashLow;
    private final long hashHigh;
    private final ItemStore store;
    private final OffHeapBTree index = new OffHeapBTree();
    private final OffHeapBTree.Cursor cursor = index.newCursor();
    private final OffHeapBTree.Cursor lookAhead = index.newCursor();
    private long sizeBytes;
    private long storedBytes;

    Partition(final int partitionId, final long hashLow, final long hashHigh, final ItemStore store)
    {
        this.partitionId = partitionId;
        this.hashLow = hashLow;
        this.hashHigh = hashHigh;
        this.store = store;
    }

    int partitionId()
    {
        return partitionId;
    }

    long hashLow()
    {
        return hashLow;
    }

    long hashHigh()
    {
        return hashHigh;
    }

    ItemStore store()
    {
        return store;
    }

    OffHeapBTree index()
    {
        return index;
    }

    OffHeapBTree.Cursor cursor()
    {
        return cursor;
    }

    /** A second cursor of the index, for reading ahead of {@link #cursor()} (Query prefetches its next entries). */
    OffHeapBTree.Cursor lookAhead()
    {
        return lookAhead;
    }

    long itemCount()
    {
        return index.size();
    }

    long sizeBytes()
    {
        return sizeBytes;
    }

    /**
     * @return the bytes of the partition's items and their encoded keys together: what
     * {@code ferrite.engine.partitionMaxBytes} bounds. A function of the items alone (not of the store's history).
     */
    long storedBytes()
    {
        return storedBytes;
    }

    /**
     * Applies a put to the store and, for a new key or a new length, the index (one descent).
     *
     * @return true if the key had an item, which was replaced.
     */
    boolean put(final long sequence, final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer item, final int itemOffset, final int itemLength)
    {
        final int previous = store.put(sequence, key, keyOffset, keyLength, item, itemOffset, itemLength);
        if (previous != itemLength)
        {
            // a new key, or a new length: the index's entry (the key and the item's length) changes; a replace of
            // the same length leaves it as it is, so it costs no index descent (a third of a put's time)
            index.upsert(key, keyOffset, keyLength, itemLength);
        }
        if (ItemStore.ABSENT == previous)
        {
            sizeBytes += itemLength;
            storedBytes += keyLength + itemLength;
            return false;
        }
        sizeBytes += itemLength - previous;
        storedBytes += itemLength - previous;
        return true;
    }

    /**
     * Applies a delete to the store and the index (one index descent).
     */
    void remove(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        store.remove(key, keyOffset, keyLength);
        final long previous = index.removeValue(key, keyOffset, keyLength);
        if (OffHeapBTree.MISSING != previous)
        {
            sizeBytes -= previous;
            storedBytes -= keyLength + previous;
        }
    }

    /**
     * Rebuilds the index from the store (start-up, after WAL replay).
     */
    void rebuildIndex()
    {
        index.clear();
        sizeBytes = 0;
        storedBytes = 0;
        store.forEachKey((key, offset, length, valueLength) ->
        {
            index.put(key, offset, length, valueLength);
            sizeBytes += valueLength;
            storedBytes += length + valueLength;
        });
    }

    public void close()
    {
        index.close();
        store.close();
    }

    /**
     * Frees the index and releases the store without syncing it or marking it closed cleanly: the partition's files
     * are about to be deleted, or left as a crash leaves them (an abandoned shard, a close whose checkpoint failed).
     */
    void discard()
    {
        index.close();
        store.discard();
    }
}
