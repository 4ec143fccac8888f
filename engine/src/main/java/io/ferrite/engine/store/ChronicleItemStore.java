package io.ferrite.engine.store;

import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.PointerBytesStore;
import net.openhft.chronicle.hash.ChronicleHashCorruption;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The persisted item-bytes store of one partition: index-key bytes to item bytes, in a Chronicle Map mapped
 * from a file.
 * <p>
 * <b>Threading:</b> not thread-safe. One thread, the partition's shard thread, opens, uses and closes it.
 * Chronicle Map's segment locks are still taken on every call (uncontended CAS) because the map requires them.
 * <p>
 * <b>Allocation:</b> {@link #put}, {@link #get}, {@link #valueLength} and {@link #remove} allocate nothing in
 * steady state. Keys and values never become {@code byte[]}: the key is handed to Chronicle as a
 * {@link BytesStore} ({@code ChronicleMap.queryContext(BytesStore, offset, size)}), the new value as
 * {@code MapContext.wrapValueBytesAsData(BytesStore, offset, size)}, and a read copies straight from the
 * entry's mapped memory ({@code MapEntry.value().bytes().addressForRead(..)}) into the caller's buffer.
 * An off-heap caller buffer is pointed at, not copied ({@link PointerBytesStore}); a heap-backed one is
 * first copied into a native scratch area owned by this store.
 * <p>
 * <b>Sizing:</b> the map holds {@code maxEntries} entries of the configured average sizes. Every segment
 * tier is made large enough for {@value #MAX_SIZE_ENTRIES_PER_TIER} entries of the largest size, so a
 * 400 KiB item fits beside ~1 KiB ones. Beyond that, Chronicle may chain extra tiers up to its bloat factor
 * (1.0: one extra tier per segment); when none is left, a write throws {@link StoreFullException} and the
 * store is unchanged. The bound is therefore about {@code maxEntries * (averageKeySize + averageValueSize)}
 * bytes of live data, up to twice that when entries hash unevenly or are larger than average.
 * <p>
 * <b>Durability:</b> writes land in the file's page cache through the mapping, so they survive the process
 * being killed at any moment (SIGKILL) without {@link #sync()}; reopening runs Chronicle's recovery, which
 * rebuilds segment indexes and drops entries whose checksum does not match (a write torn by the kill).
 * {@link #sync()} makes them survive an OS crash or power loss.
 */
public final class ChronicleItemStore implements ItemStore
{
    /** How many largest-size entries one segment tier holds, so big items do not exhaust tiers one by one. */
    static final int MAX_SIZE_ENTRIES_PER_TIER = 4;

    /** Segments of a large map; fewer if that makes tiers too small for the largest entries. */
    static final int TARGET_SEGMENTS = 32;
    /** The fewest entries a segment is sized for (see {@link #builder(StoreConfig)}). */
    static final int MIN_ENTRIES_PER_SEGMENT = 32;

    /** Bytes Chronicle adds to an entry: key and value size prefixes (stop-bit) and the 4-byte checksum. */
    static final int ENTRY_OVERHEAD = 3 + 3 + 4;

    private static final Logger LOG = LoggerFactory.getLogger(ChronicleItemStore.class);
    private static final String CREATING_SUFFIX = ".creating";

    private final StoreConfig config;
    private final Path file;
    private final ChronicleMap<byte[], byte[]> map;
    private final FileChannel channel;
    private final boolean recovered;
    private final int recoveryCorruptions;
    private final long openNanos;

    private final PointerBytesStore keyPointer = new PointerBytesStore();
    private final PointerBytesStore valuePointer = new PointerBytesStore();
    private final BytesStore<?, Void> keyScratch = BytesStore.nativeStoreWithFixedCapacity(MAX_KEY_LENGTH);
    private final UnsafeBuffer keyScratchView = new UnsafeBuffer(keyScratch.addressForWrite(0), MAX_KEY_LENGTH);
    private BytesStore<?, Void> valueScratch;
    private final UnsafeBuffer valueScratchView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer entryView = new UnsafeBuffer(0, 0);
    private UnsafeBuffer viewScratch;
    private boolean closed;

    private ChronicleItemStore(
        final StoreConfig config,
        final ChronicleMap<byte[], byte[]> map,
        final FileChannel channel,
        final boolean recovered,
        final int recoveryCorruptions,
        final long openNanos)
    {
        this.config = config;
        this.file = config.file();
        this.map = map;
        this.channel = channel;
        this.recovered = recovered;
        this.recoveryCorruptions = recoveryCorruptions;
        this.openNanos = openNanos;
    }

    /**
     * Creates a new map file or recovers an existing one.
     * <p>
     * A new file is created under a temporary name and renamed into place once its header and segments are
     * written, so a file at {@code config.file()} is always a complete map. An existing file is always opened
     * with Chronicle's {@code recoverPersistedTo}, whether it was closed cleanly or its writer was killed:
     * recovery resets segment locks held by a dead process, rebuilds each segment's hash lookup and free list
     * from the entries, and drops entries whose checksum fails (a write torn by the kill). What it did is
     * logged and reported by {@link #recoveryCorruptions()}. The file's own sizing is used, not the config's.
     *
     * @param config where and how large.
     * @return the open store.
     * @throws UncheckedIOException if the file cannot be created or recovered.
     */
    public static ChronicleItemStore open(final StoreConfig config)
    {
        config.validate();
        final Path file = config.file();
        final long start = System.nanoTime();
        try
        {
            final ChronicleMapBuilder<byte[], byte[]> builder = builder(config);
            final ChronicleMap<byte[], byte[]> map;
            final boolean recovered;
            final int[] corruptions = new int[1];
            if (Files.exists(file))
            {
                map = builder.recoverPersistedTo(file.toFile(), false, (corruption) -> onCorruption(
                    config, corruption, corruptions));
                recovered = true;
            }
            else
            {
                // Chronicle finds the file by path again when it maps extra tiers, so it cannot be renamed
                // while open: create, close, rename into place, then open the complete file.
                final Path creating = creatingPath(file);
                Files.deleteIfExists(creating);
                builder.createPersistedTo(creating.toFile()).close();
                try (FileChannel created = FileChannel.open(creating, StandardOpenOption.WRITE))
                {
                    created.force(true);
                }
                Files.move(creating, file, StandardCopyOption.ATOMIC_MOVE);
                DurableFiles.forceDirectory(file.toAbsolutePath().getParent()); // the name, not only the contents
                map = builder.createPersistedTo(file.toFile());
                recovered = false;
            }

            final FileChannel channel;
            try
            {
                channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
            catch (final IOException ex)
            {
                map.close();
                throw ex;
            }

            final long openNanos = System.nanoTime() - start;
            LOG.info("{} store name={} file={} entries={} offHeapBytes={} corruptions={} tookMs={}",
                recovered ? "recovered" : "created", config.name(), file, map.longSize(), map.offHeapMemoryUsed(),
                corruptions[0], openNanos / 1_000_000);

            return new ChronicleItemStore(config, map, channel, recovered, corruptions[0], openNanos);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("failed to open store: " + config, ex);
        }
    }

    /**
     * Deletes a store's file, and any half-created file left by a crash during {@link #open(StoreConfig)}.
     * The store must be closed.
     *
     * @param file the map file.
     * @throws UncheckedIOException if a file exists and cannot be deleted.
     */
    public static void delete(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
            Files.deleteIfExists(creatingPath(file));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("failed to delete store file: " + file, ex);
        }
    }

    /**
     * Inserts or replaces the value stored under a key.
     *
     * @param sequence not recorded: Chronicle's recovery never finds two copies of a key.
     * @param key      buffer holding the key.
     * @param keyOff   offset of the key in {@code key}.
     * @param keyLen   key length, 1..{@value #MAX_KEY_LENGTH}.
     * @param value    buffer holding the value.
     * @param valueOff offset of the value in {@code value}.
     * @param valueLen value length, 0..{@link StoreConfig#maxValueSize()}.
     * @return the length of the value it replaced, or {@link #ABSENT} if the key was new.
     * @throws IllegalArgumentException if a length is out of range.
     * @throws StoreFullException       if the map has no room for the entry; the store is unchanged.
     */
    public int put(
        final long sequence,
        final DirectBuffer key,
        final int keyOff,
        final int keyLen,
        final DirectBuffer value,
        final int valueOff,
        final int valueLen)
    {
        final BytesStore<?, ?> keyBytes = keyBytes(key, keyOff, keyLen);
        final BytesStore<?, ?> valueBytes = valueBytes(value, valueOff, valueLen);
        try (ExternalMapQueryContext<byte[], byte[], ?> context = map.queryContext(keyBytes, 0, keyLen))
        {
            // Update lock first: taking the read lock in entry() and upgrading for the write is not allowed.
            context.updateLock().lock();
            final Data<byte[]> data = context.wrapValueBytesAsData(valueBytes, 0, valueLen);
            final MapEntry<byte[], byte[]> entry = context.entry();
            try
            {
                if (null != entry)
                {
                    final int previous = (int)entry.value().size();
                    context.replaceValue(entry, data);
                    return previous;
                }
                context.insert(context.absentEntry(), data);
                return ABSENT;
            }
            catch (final IllegalStateException ex)
            {
                throw full(keyLen, valueLen, ex);
            }
        }
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
    public int get(
        final DirectBuffer key, final int keyOff, final int keyLen, final MutableDirectBuffer dst, final int dstOff)
    {
        final BytesStore<?, ?> keyBytes = keyBytes(key, keyOff, keyLen);
        try (ExternalMapQueryContext<byte[], byte[], ?> context = map.queryContext(keyBytes, 0, keyLen))
        {
            final MapEntry<byte[], byte[]> entry = context.entry();
            if (null == entry)
            {
                return -1;
            }

            final Data<byte[]> value = entry.value();
            final int length = (int)value.size();
            if (dstOff < 0 || dstOff > dst.capacity() - length)
            {
                throw new IllegalArgumentException("dst cannot hold value: valueLength=" + length +
                    " dstOff=" + dstOff + " dstCapacity=" + dst.capacity());
            }
            if (length > 0)
            {
                entryView.wrap(value.bytes().addressForRead(value.offset()), length);
                dst.putBytes(dstOff, entryView, 0, length);
            }
            return length;
        }
    }

    /**
     * Copies the value into a scratch buffer owned by this store (Chronicle's entry is only stable under its
     * segment lock) and points {@code view} at it; valid until the next call on this store.
     * <p>
     * {@inheritDoc}
     */
    public boolean view(final DirectBuffer key, final int keyOff, final int keyLen, final UnsafeBuffer view)
    {
        if (null == viewScratch)
        {
            viewScratch = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(config.maxValueSize()));
        }
        final int length = get(key, keyOff, keyLen, viewScratch, 0);
        if (length < 0)
        {
            return false;
        }
        view.wrap(viewScratch, 0, length);
        return true;
    }

    /**
     * The length of the value stored under a key, without copying it.
     *
     * @param key    buffer holding the key.
     * @param keyOff offset of the key in {@code key}.
     * @param keyLen key length, 1..{@value #MAX_KEY_LENGTH}.
     * @return the value's length, or -1 if the key is absent.
     */
    public int valueLength(final DirectBuffer key, final int keyOff, final int keyLen)
    {
        final BytesStore<?, ?> keyBytes = keyBytes(key, keyOff, keyLen);
        try (ExternalMapQueryContext<byte[], byte[], ?> context = map.queryContext(keyBytes, 0, keyLen))
        {
            final MapEntry<byte[], byte[]> entry = context.entry();
            return null == entry ? -1 : (int)entry.value().size();
        }
    }

    /**
     * Removes a key and its value.
     *
     * @param key    buffer holding the key.
     * @param keyOff offset of the key in {@code key}.
     * @param keyLen key length, 1..{@value #MAX_KEY_LENGTH}.
     * @return true if the key was present.
     */
    public boolean remove(final DirectBuffer key, final int keyOff, final int keyLen)
    {
        final BytesStore<?, ?> keyBytes = keyBytes(key, keyOff, keyLen);
        try (ExternalMapQueryContext<byte[], byte[], ?> context = map.queryContext(keyBytes, 0, keyLen))
        {
            context.updateLock().lock();
            final MapEntry<byte[], byte[]> entry = context.entry();
            if (null == entry)
            {
                return false;
            }
            context.remove(entry);
            return true;
        }
    }

    /**
     * @return the number of entries.
     */
    public long size()
    {
        return map.longSize();
    }

    /**
     * Visits every live key, segment by segment in no particular order, e.g. to rebuild the ordered index at
     * startup. Allocates a little per call (an iteration callback), none per key.
     *
     * @param visitor receives each key; must not call back into this store.
     */
    public void forEachKey(final KeyVisitor visitor)
    {
        final UnsafeBuffer keyView = new UnsafeBuffer(0, 0);
        map.forEachEntry((entry) ->
        {
            final Data<byte[]> key = entry.key();
            final int length = (int)key.size();
            keyView.wrap(key.bytes().addressForRead(key.offset()), length);
            visitor.onKey(keyView, 0, length, (int)entry.value().size());
        });
    }

    /**
     * Forces the map's memory to the storage device, for a checkpoint.
     * <p>
     * When it returns, every put and remove completed before the call survives an OS crash or power loss (as
     * far as the device honours a flush). It runs {@code msync(MS_SYNC)} over the map's main mapping
     * (Chronicle's {@code msync()}, which does not cover extra tiers mapped later) and then
     * {@code FileChannel.force(true)}, which on Linux writes back every dirty page of the file, including
     * extra tiers, and the file's size. A process kill needs no sync: the page cache already has the writes.
     * Not needed per write; costs milliseconds to seconds depending on how much is dirty.
     *
     * @throws UncheckedIOException if the flush fails.
     */
    public void sync()
    {
        ((VanillaChronicleHash<?, ?, ?, ?>)map).msync();
        try
        {
            channel.force(true);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("failed to sync store: name=" + config.name() + " file=" + file, ex);
        }
    }

    /**
     * @return bytes of memory the map has mapped, including extra tiers allocated so far.
     */
    public long offHeapMemoryUsed()
    {
        return map.offHeapMemoryUsed();
    }

    /**
     * @return true if {@link #open(StoreConfig)} recovered an existing file, false if it created one.
     */
    public boolean recovered()
    {
        return recovered;
    }

    /**
     * @return how many corruptions recovery reported and repaired at open (torn entries dropped, locks reset,
     * counters fixed); 0 after a clean close or a create.
     */
    public int recoveryCorruptions()
    {
        return recoveryCorruptions;
    }

    /**
     * @return how long {@link #open(StoreConfig)} took, in nanoseconds.
     */
    public long openNanos()
    {
        return openNanos;
    }

    /**
     * Unmaps and closes the file. Idempotent.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            try
            {
                map.close();
            }
            finally
            {
                try
                {
                    channel.close();
                }
                catch (final IOException ex)
                {
                    LOG.warn("failed to close store channel: name={} file={}", config.name(), file, ex);
                }
                keyScratch.releaseLast();
                if (null != valueScratch)
                {
                    valueScratch.releaseLast();
                }
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "ChronicleItemStore{name=" + config.name() + ", file=" + file + ", entries=" + map.longSize() +
            ", maxEntries=" + config.maxEntries() + "}";
    }

    static ChronicleMapBuilder<byte[], byte[]> builder(final StoreConfig config)
    {
        final long averageEntry = (long)config.averageKeySize() + config.averageValueSize() + ENTRY_OVERHEAD;
        final long maxEntry = (long)MAX_KEY_LENGTH + config.maxValueSize() + ENTRY_OVERHEAD;
        // Chronicle Map 2026.1 divides by zero while sizing a map whose segments hold only a few large
        // entries (seen at 5 entries of 256 KB and more), so a segment always holds at least 32
        final long minEntriesPerSegment = Math.max(
            MIN_ENTRIES_PER_SEGMENT, (MAX_SIZE_ENTRIES_PER_TIER * maxEntry + averageEntry - 1) / averageEntry);
        final long entriesPerSegment = Math.max(
            minEntriesPerSegment, (config.maxEntries() + TARGET_SEGMENTS - 1) / TARGET_SEGMENTS);

        return ChronicleMap.of(byte[].class, byte[].class)
            .name(config.name())
            .entries(Math.max(config.maxEntries(), entriesPerSegment))
            .entriesPerSegment(entriesPerSegment)
            .averageKeySize(config.averageKeySize())
            .averageValueSize(config.averageValueSize());
    }

    private static void onCorruption(
        final StoreConfig config, final ChronicleHashCorruption corruption, final int[] count)
    {
        count[0]++;
        LOG.warn("store recovery repaired: name={} file={} segment={} message={}",
            config.name(), config.file(), corruption.segmentIndex(), corruption.message(), corruption.exception());
    }

    private static Path creatingPath(final Path file)
    {
        return file.resolveSibling(file.getFileName() + CREATING_SUFFIX);
    }

    private BytesStore<?, ?> keyBytes(final DirectBuffer key, final int keyOff, final int keyLen)
    {
        if (keyLen < 1 || keyLen > MAX_KEY_LENGTH)
        {
            throw new IllegalArgumentException(
                "key length must be in 1.." + MAX_KEY_LENGTH + ": keyLen=" + keyLen + " store=" + config.name());
        }
        key.boundsCheck(keyOff, keyLen);

        if (null == key.byteArray())
        {
            keyPointer.set(key.addressOffset() + keyOff, keyLen);
            return keyPointer;
        }
        keyScratchView.putBytes(0, key, keyOff, keyLen);
        return keyScratch;
    }

    private BytesStore<?, ?> valueBytes(final DirectBuffer value, final int valueOff, final int valueLen)
    {
        if (valueLen < 0 || valueLen > config.maxValueSize())
        {
            throw new IllegalArgumentException("value length must be in 0.." + config.maxValueSize() +
                ": valueLen=" + valueLen + " store=" + config.name());
        }
        value.boundsCheck(valueOff, valueLen);

        if (null == value.byteArray())
        {
            valuePointer.set(value.addressOffset() + valueOff, Math.max(valueLen, 1));
            return valuePointer;
        }
        if (null == valueScratch)
        {
            // Only a caller with heap buffers pays for this, once.
            valueScratch = BytesStore.nativeStoreWithFixedCapacity(config.maxValueSize());
            valueScratchView.wrap(valueScratch.addressForWrite(0), config.maxValueSize());
        }
        valueScratchView.putBytes(0, value, valueOff, valueLen);
        return valueScratch;
    }

    private StoreFullException full(final int keyLen, final int valueLen, final IllegalStateException cause)
    {
        return new StoreFullException("store full: name=" + config.name() + " file=" + file +
            " entries=" + map.longSize() + " maxEntries=" + config.maxEntries() +
            " offHeapBytes=" + map.offHeapMemoryUsed() + " keyLen=" + keyLen + " valueLen=" + valueLen, cause);
    }
}
