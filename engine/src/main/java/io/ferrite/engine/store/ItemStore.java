package io.ferrite.engine.store;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The persisted item-bytes store of one partition: index-key bytes to item bytes, in a file mapped into memory.
 * Two implementations: {@link HashItemStore} (the default, decision 0014) and {@link ChronicleItemStore}
 * (Chronicle Map, decision 0003); {@link ItemStores} opens either.
 * <p>
 * <b>Threading:</b> not thread-safe. One thread, the partition's shard thread, opens, uses and closes it; the only
 * call another thread may make is {@link #sync()} (the checkpoint thread), while the owner goes on writing. A
 * checkpoint is {@link #beginCheckpoint()} on the owner, then {@link #sync()} (on any thread); the owner begins the
 * next only after that sync has returned.
 * <p>
 * <b>Allocation:</b> {@link #put}, {@link #get}, {@link #view}, {@link #valueLength} and {@link #remove} allocate
 * nothing in steady state.
 * <p>
 * <b>Durability:</b> a checkpoint makes every put and remove before its {@link #beginCheckpoint()} survive an OS
 * crash, a power loss and a kill. Writes after it may be lost or torn (page by page), by a power loss and, for a hash
 * store in its own memory ({@link StoreMemory#ANONYMOUS}), by a kill too: the WAL replay from the checkpoint brings
 * them back (each implementation documents why what it keeps is usable). A mapped store's writes land in the file's
 * page cache, so they also survive a kill without a checkpoint.
 */
public interface ItemStore extends AutoCloseable
{
    /**
     * Largest key in bytes: the index key of decision 0001 at its limits,
     * {@code hash:u64 + pkLength:u16 + pk:2048 + sk:1024}.
     */
    int MAX_KEY_LENGTH = 8 + 2 + 2048 + 1024;

    /** What {@link #put} returns when the key was new. */
    int ABSENT = -1;

    /**
     * Inserts or replaces the value stored under a key.
     *
     * @param sequence the WAL sequence of the record this write applies (recovery keeps the newer of two copies).
     * @param key      buffer holding the key.
     * @param keyOff   offset of the key in {@code key}.
     * @param keyLen   key length, 1..{@value #MAX_KEY_LENGTH}.
     * @param value    buffer holding the value.
     * @param valueOff offset of the value in {@code value}.
     * @param valueLen value length, 0..{@link StoreConfig#maxValueSize()}.
     * @return the length of the value it replaced, or {@link #ABSENT} if the key was new (the caller can then skip
     * work that only a new key or a new length needs, e.g. the ordered index's entry).
     * @throws IllegalArgumentException if a length is out of range.
     * @throws StoreFullException       if the store has no room for the entry; the store is unchanged.
     */
    int put(long sequence, DirectBuffer key, int keyOff, int keyLen, DirectBuffer value, int valueOff, int valueLen);

    /**
     * @return whether {@link #prefetch} is worth its cost now: it costs tens of nanoseconds of work per key and pays
     * only when the keys' memory is not already in the cache. False by default.
     */
    default boolean prefetchPays()
    {
        return false;
    }

    /**
     * The first step of a prefetch: where a lookup of the key starts reading, computed from the key alone (no read
     * of the store), to be passed to {@link #prefetch}. A store with nothing to gain returns 0 (the default).
     *
     * @param key    buffer holding a key the caller has stored (e.g. from the ordered index).
     * @param keyOff offset of the key in {@code key}.
     * @param keyLen key length, 1..{@value #MAX_KEY_LENGTH}.
     * @return an opaque position for {@link #prefetch}.
     */
    default long prefetchTarget(DirectBuffer key, int keyOff, int keyLen)
    {
        return 0;
    }

    /**
     * Brings into the cache what lookups of several keys are about to read, so that their cache misses overlap
     * instead of coming one after another (Query reads its next entries this way). Changes nothing; a store with
     * nothing to gain does nothing (the default).
     *
     * @param targets the keys' {@link #prefetchTarget}s; the call may overwrite them.
     * @param count   how many.
     * @return a value computed from what was read, to be folded into a field so that the compiler keeps the reads.
     */
    default long prefetch(long[] targets, int count)
    {
        return 0;
    }

    /**
     * Copies the value stored under a key into {@code dst}.
     *
     * @param key    buffer holding the key.
     * @param keyOff offset of the key in {@code key}.
     * @param keyLen key length, 1..{@value #MAX_KEY_LENGTH}.
     * @param dst    buffer receiving the value; must hold it from {@code dstOff}.
     * @param dstOff offset in {@code dst} to copy to.
     * @return the value's length, or -1 if the key is absent.
     * @throws IllegalArgumentException if the key length is out of range or {@code dst} cannot hold the value.
     */
    int get(DirectBuffer key, int keyOff, int keyLen, MutableDirectBuffer dst, int dstOff);

    /**
     * Points {@code view} at the value stored under a key, without copying when the store can (the hash store
     * wraps its mapped bytes; the Chronicle store copies into a scratch buffer of its own). The view is valid
     * only until the next write to this store or its close, and must not be written through.
     *
     * @param key    buffer holding the key.
     * @param keyOff offset of the key in {@code key}.
     * @param keyLen key length, 1..{@value #MAX_KEY_LENGTH}.
     * @param view   wrapped around the value (offset 0, capacity = the value's length) if the key is present.
     * @return true if the key is present.
     */
    boolean view(DirectBuffer key, int keyOff, int keyLen, UnsafeBuffer view);

    /**
     * @param key    buffer holding the key.
     * @param keyOff offset of the key in {@code key}.
     * @param keyLen key length, 1..{@value #MAX_KEY_LENGTH}.
     * @return the length of the value stored under the key, or -1 if the key is absent.
     */
    int valueLength(DirectBuffer key, int keyOff, int keyLen);

    /**
     * Removes a key and its value.
     *
     * @param key    buffer holding the key.
     * @param keyOff offset of the key in {@code key}.
     * @param keyLen key length, 1..{@value #MAX_KEY_LENGTH}.
     * @return true if the key was present.
     */
    boolean remove(DirectBuffer key, int keyOff, int keyLen);

    /**
     * @return the number of entries.
     */
    long size();

    /**
     * Visits every live key in no particular order, e.g. to rebuild the ordered index at startup.
     *
     * @param visitor receives each key; must not call back into this store.
     */
    void forEachKey(KeyVisitor visitor);

    /**
     * Owner thread: starts a checkpoint. Every put and remove made before this call is what the next {@link #sync()}
     * makes durable; later ones may reach the file too, page by page. The default does nothing (a mapped store's
     * sync covers everything written before it).
     */
    default void beginCheckpoint()
    {
    }

    /**
     * Completes a checkpoint, on the checkpoint thread while the owner goes on writing: when it returns, every put
     * and remove made before the last {@link #beginCheckpoint()} (and, for a mapped store, before this call) is on
     * the storage device (as far as the device honours a flush).
     *
     * @throws java.io.UncheckedIOException if a write or the flush fails.
     */
    void sync();

    /**
     * @return bytes of memory the store has mapped.
     */
    long offHeapMemoryUsed();

    /**
     * @return true if the store was opened from an existing file, false if it created one.
     */
    boolean recovered();

    /**
     * @return how many corruptions recovery found and repaired at open; 0 after a clean close or a create.
     */
    int recoveryCorruptions();

    /**
     * @return how long opening took, in nanoseconds.
     */
    long openNanos();

    /**
     * Unmaps and closes the file. Idempotent.
     */
    void close();

    /**
     * Releases a store whose file is about to be deleted: unmaps and closes it without forcing it to disk or marking
     * it closed cleanly, which {@link #close()} may do. DeleteTable calls it after the catalog has durably dropped
     * the table; a crash before the file is gone leaves a file the catalog does not name, which the next open
     * deletes. Idempotent; the store cannot be used afterwards.
     */
    default void discard()
    {
        close();
    }
}
