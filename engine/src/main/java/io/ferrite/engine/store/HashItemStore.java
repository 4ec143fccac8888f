package io.ferrite.engine.store;

import jnr.ffi.Pointer;
import net.openhft.chronicle.algo.hashing.LongHashFunction;
import net.openhft.chronicle.core.OS;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Our own item store (decision 0014): one file per partition, holding a header, an open-addressing slot table and an
 * arena of blocks, held whole in memory while open: in the process's own memory, which checkpoints write to the file
 * ({@link StoreMemory#ANONYMOUS}, the default), or through the file's shared mapping ({@link StoreMemory#MAPPED}).
 * <p>
 * <b>Layout.</b> Header (4 KiB): magic, version, a clean-close flag, the slot count and the arena's bounds. Slot
 * table: {@code slotCount} 8-byte slots (a power of two, at least twice {@code maxEntries}), grouped in pages of
 * {@value #PAGE_SLOTS} slots (4 KiB). A key's 64-bit hash picks its page and its home slot in the page; probing is
 * linear and wraps <em>inside the page</em>, so every change of the table (insert, replace, backward-shift
 * delete) touches one 4 KiB page, which matters for power loss (decision 0014). A slot is
 * {@code tag:15 | home:9 | granule:40}: 15 more bits of the hash, the home slot (for backward shift without reading
 * the block) and the block's file offset in 8-byte granules; 0 is empty. Arena: 8-byte-aligned blocks
 * {@code checksum:u32, blockBytes:u32, keyLen:u32, valueLen:u32, sequence:u64, magic:u32, pad:u32, key, value};
 * the checksum (32 bits of XXH64) covers everything after itself up to the value's end. A free block has the magic
 * {@code FREE} (so its checksum fails) and keeps the next free block's offset where the sequence was.
 * <p>
 * <b>Writes.</b> A put writes the new block completely, then publishes its slot with one release store, then frees
 * the old block: a SIGKILL at any instruction leaves the slot naming a complete block, old or new. A remove clears
 * the slot by backward shift (each moved slot is copied before its source is overwritten, so a kill leaves at most
 * a duplicate, never a loss), then frees the block. Free space: size-class free lists (exact classes up to 4 KiB,
 * then 8 per doubling) linked through the free blocks and rebuilt at open from the gaps between referenced blocks,
 * then a bump pointer; a split leaves a remainder only when it can hold a block.
 * <p>
 * <b>Open.</b> A file closed cleanly is trusted. Otherwise every slot's block is verified (bounds, magic, checksum, its
 * key's hash matches the slot's page, home and tag); bad slots are dropped and counted, two slots naming one key
 * keep the higher sequence; the table is repaired in place. The clean flag is cleared and forced to disk before the
 * first write.
 * <p>
 * <b>Checkpoints (anonymous memory).</b> Every write notes the 4 KiB pages it changed in a bitmap;
 * {@link #beginCheckpoint()} moves those bits to the checkpoint's bitmap, and {@link #sync()} writes those pages from
 * memory with {@code pwrite} while the owner goes on (a slot page only between two backward shifts of it,
 * {@link #writeSlotPage}), then {@code fdatasync}s the file and drops its pages from the page cache. Nothing else
 * writes the file, so between checkpoints it holds the last one's state, and a kill loses what came after it (the
 * WAL's replay brings it back, as after a power loss).
 * <p>
 * <b>Threading:</b> single-threaded, no locks (the shard owns it); {@link #sync()} may run on another thread.
 * <b>Allocation:</b> none per operation.
 */
public final class HashItemStore implements ItemStore
{
    static final long FILE_MAGIC = 0x3148534554495246L; // "FERITSH1" little-endian
    static final int VERSION = 1;
    static final int HEADER_BYTES = 4096;
    /** The unit a store in its own memory notes changes in and writes: one 4 KiB page. */
    static final int PAGE_SHIFT = 12;
    static final int PAGE_BYTES = 1 << PAGE_SHIFT;
    /** Most bytes {@link #sync()} writes with one {@code pwrite} (a run of changed arena pages). */
    static final long MAX_WRITE_BYTES = 1L << 20;
    /**
     * Most bytes {@link #load} reads with one {@code pread}, and how far ahead of it it asks the kernel to read
     * ({@code POSIX_FADV_WILLNEED}): a synchronous read waits for the device, one call after the other, while asked
     * ahead the device reads on during the copy. 1.1 GB from a cold cache on the project's VM, measured in C: one
     * 1 GiB call and the rest 2.5 s, 8 MiB calls 1.9-2.1 s, the same asking 32 MiB ahead 0.27-0.82 s.
     */
    static final long MAX_READ_BYTES = 8L << 20;
    static final long READ_AHEAD_BYTES = 32L << 20;
    private static final int EINTR = 4;
    private static final int ENXIO = 6;
    static final int PAGE_SLOTS = 512;
    static final int PAGE_MASK = PAGE_SLOTS - 1;

    static final int BLOCK_HEADER = 32;
    static final int LIVE = 0x4556494C; // "LIVE"
    static final int FREE = 0x45455246; // "FREE"
    static final int MIN_FREE_BYTES = 40;
    /** Blocks in use from which {@link #prefetchPays()}. */
    static final long PREFETCH_MIN_BYTES = 8L << 20;
    /** A gap found at open is freed in chunks of at most this many bytes (a block's size is a u32). */
    static final long MAX_FREE_CHUNK = 1L << 30;
    /** Digit width of the open's sort of block offsets ({@link #radixSort}): 2,048 buckets, 4 passes for 44 bits. */
    static final int RADIX_BITS = 11;
    private static final long RADIX_MASK = (1L << RADIX_BITS) - 1;

    private static final int H_MAGIC = 0;
    private static final int H_VERSION = 8;
    static final int H_CLEAN = 12;
    private static final int H_SLOT_COUNT = 16;
    private static final int H_ARENA_START = 24;
    private static final int H_FILE_LENGTH = 32;

    private static final int B_CRC = 0;
    private static final int B_SIZE = 4;
    private static final int B_KEY_LEN = 8;
    private static final int B_VALUE_LEN = 12;
    private static final int B_SEQUENCE = 16;
    private static final int B_NEXT_FREE = 16;
    private static final int B_MAGIC = 24;

    private static final long GRANULE_MASK = (1L << 40) - 1;
    private static final long META_MASK = ~GRANULE_MASK;

    static final int EXACT_CLASSES = 512;
    static final int NUM_CLASSES = EXACT_CLASSES + 7 * 8 + 1;

    private static final LongHashFunction CHECKSUM = LongHashFunction.xx_r39();
    private static final Logger LOG = LoggerFactory.getLogger(HashItemStore.class);
    private static final String CREATING_SUFFIX = ".creating";

    private final StoreConfig config;
    private final Path file;
    private final FileChannel channel;
    private final MappedByteBuffer headerMap;
    private final long address;
    /** Whether the pages live in anonymous memory ({@link StoreMemory#ANONYMOUS}) rather than the file's mapping. */
    private final boolean anonymous;
    /** Anonymous: a descriptor of the file, read and write, for {@code pwrite}; -1 when mapped. */
    private final int fd;
    /** Anonymous: one bit per 4 KiB page of the file, set when the owner changes the page; null when mapped. */
    private final long[] changedPages;
    /** Anonymous: the pages the checkpoint begun last has still to write ({@link #sync()} clears them). */
    private final long[] checkpointPages;
    /**
     * Anonymous: per slot page, odd while a remove shifts slots in it, so that {@link #sync()} copies the page whole
     * between two shifts (a copy taken during one could miss a slot being moved, see {@link #writeSlotPage}).
     */
    private final AtomicIntegerArray slotPageShifts;
    /** Anonymous: 4 KiB of native memory {@link #sync()} copies a slot page into before writing it. */
    private final long slotPageCopy;
    private final long fileLength;
    private final long tableAddress;
    private final int pageMask;
    private final long arenaStart;
    private final long arenaEnd;
    private final boolean recovered;
    private final int recoveryCorruptions;
    private final long openNanos;
    private final int maxValueSize;

    private final long[] freeHeads = new long[NUM_CLASSES];
    private final long[] freeBits = new long[(NUM_CLASSES + 63) / 64];
    private long arenaTop;
    private long freedSinceCoalesce;
    private long size;
    private int probeEmpty;
    /** The hash of the key {@link #locate} last probed for, and its slot page's address (owner-thread scratch). */
    private long locatedHash;
    private long locatedPage;
    private final UnsafeBuffer keyView = new UnsafeBuffer(0, 0);
    private boolean closed;

    private HashItemStore(
        final StoreConfig config,
        final FileChannel channel,
        final MappedByteBuffer headerMap,
        final int fd,
        final long address,
        final long fileLength,
        final long slotCount,
        final long arenaStart,
        final boolean recovered,
        final boolean clean,
        final long startNs)
    {
        this.config = config;
        this.file = config.file();
        this.channel = channel;
        this.headerMap = headerMap;
        this.address = address;
        this.fd = fd;
        this.anonymous = fd >= 0;
        final int words = (int)(((fileLength >>> PAGE_SHIFT) + 63) >>> 6);
        this.changedPages = anonymous ? new long[words] : null;
        this.checkpointPages = anonymous ? new long[words] : null;
        this.slotPageShifts = anonymous ? new AtomicIntegerArray((int)(slotCount / PAGE_SLOTS)) : null;
        this.fileLength = fileLength;
        this.tableAddress = address + HEADER_BYTES;
        this.pageMask = (int)(slotCount / PAGE_SLOTS) - 1;
        this.arenaStart = arenaStart;
        this.arenaEnd = fileLength;
        this.maxValueSize = config.maxValueSize();
        this.recovered = recovered;
        final int corrupt = clean ? 0 : verifyAndRebuildTable(slotCount);
        this.recoveryCorruptions = corrupt + rebuildFreeSpace(slotCount, !clean);
        this.openNanos = System.nanoTime() - startNs;
        this.slotPageCopy = anonymous ? UnsafeApi.allocateMemory(PAGE_BYTES) : 0; // last: nothing after it throws
    }

    /**
     * Creates a new store file or opens an existing one (verifying it if it was not closed cleanly).
     *
     * @param config where and how large; an existing file keeps its own sizing.
     * @return the open store.
     * @throws UncheckedIOException  if the file cannot be created or read.
     * @throws IllegalStateException if the file is not a store file of this version.
     */
    public static HashItemStore open(final StoreConfig config)
    {
        config.validate();
        final long start = System.nanoTime();
        final Path file = config.file();
        try
        {
            final boolean existed = Files.exists(file);
            if (!existed)
            {
                create(config);
            }
            final FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            MappedByteBuffer headerMap = null;
            long address = 0;
            long fileLength = 0;
            int fd = -1;
            long loaded = 0;
            long loadNanos = 0;
            try
            {
                fileLength = channel.size();
                if (fileLength < HEADER_BYTES)
                {
                    throw new IllegalStateException("not a hash store file (shorter than its header): " + file);
                }
                headerMap = channel.map(FileChannel.MapMode.READ_WRITE, 0, HEADER_BYTES);
                headerMap.order(ByteOrder.LITTLE_ENDIAN);
                if (headerMap.getLong(H_MAGIC) != FILE_MAGIC || headerMap.getInt(H_VERSION) != VERSION)
                {
                    throw new IllegalStateException("not a hash store file of version " + VERSION + " (magic " +
                        Long.toHexString(headerMap.getLong(H_MAGIC)) + ", version " + headerMap.getInt(H_VERSION) +
                        "): " + file);
                }
                final long slotCount = headerMap.getLong(H_SLOT_COUNT);
                final long arenaStart = headerMap.getLong(H_ARENA_START);
                if (headerMap.getLong(H_FILE_LENGTH) != fileLength || Long.bitCount(slotCount) != 1 ||
                    slotCount < PAGE_SLOTS || arenaStart != HEADER_BYTES + slotCount * 8 || arenaStart > fileLength)
                {
                    throw new IllegalStateException("hash store header does not match the file: slotCount=" +
                        slotCount + " arenaStart=" + arenaStart + " recordedLength=" +
                        headerMap.getLong(H_FILE_LENGTH) + " fileLength=" + fileLength + " file=" + file);
                }
                final boolean clean = headerMap.getInt(H_CLEAN) == 1;
                if (StoreMemory.ANONYMOUS == config.memory())
                {
                    fd = LibC.INSTANCE.open(file.toString(), LibC.O_RDWR | LibC.O_CLOEXEC, 0);
                    if (fd < 0)
                    {
                        throw new IOException("open(" + file + ", O_RDWR) failed: errno " + LibC.errno());
                    }
                    loaded = dataBytes(fd, fileLength, file);
                    checkFitsInMemory(config, loaded, availableMemory());
                    address = mapAnonymous(fileLength, config);
                    final long loadStart = System.nanoTime();
                    load(fd, address, fileLength, file);
                    loadNanos = System.nanoTime() - loadStart;
                }
                else
                {
                    address = OS.map(channel, FileChannel.MapMode.READ_WRITE, 0, fileLength);
                }
                if (StoreMemory.MAPPED == config.memory() && StoreFolios.SMALL == config.folios())
                {
                    if (0 != LibC.INSTANCE.madvise(address, fileLength, LibC.MADV_RANDOM))
                    {
                        LOG.warn("hash store {}: cannot keep {} in 4 KiB folios (madvise(MADV_RANDOM) failed: errno " +
                            "{}); it is cached as the kernel reads it around", config.name(), file, LibC.errno());
                    }
                }

                final HashItemStore store = new HashItemStore(
                    config, channel, headerMap, fd, address, fileLength, slotCount, arenaStart, existed, clean, start);
                // From here on the file is dirty until close: the flag must be on disk before any write is.
                headerMap.putInt(H_CLEAN, 0);
                headerMap.force();
                LOG.info("{} hash store name={} file={} memory={} entries={} bytes={} clean={} corruptions={} " +
                    "tookMs={} (read {} bytes in {} ms)", existed ? "opened" : "created", config.name(), file,
                    config.memory(), store.size, fileLength, clean, store.recoveryCorruptions,
                    store.openNanos / 1_000_000, loaded, loadNanos / 1_000_000);
                return store;
            }
            catch (final RuntimeException | IOException ex)
            {
                if (0 != address)
                {
                    unmapQuietly(address, fileLength, fd >= 0);
                }
                if (fd >= 0)
                {
                    LibC.INSTANCE.close(fd);
                }
                if (null != headerMap)
                {
                    IoUtil.unmap(headerMap);
                }
                channel.close();
                throw ex;
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("failed to open hash store: " + config, ex);
        }
    }

    /**
     * Anonymous memory for a whole store file, private, reserving no swap, advised to be backed by transparent huge
     * pages (the slot table and the arena are read at random: 2 MiB pages save the TLB misses 4 KiB ones would cost,
     * as the large folios of the file's mapping did).
     */
    private static long mapAnonymous(final long length, final StoreConfig config) throws IOException
    {
        final Pointer pointer = LibC.INSTANCE.mmap(null, length, LibC.PROT_READ | LibC.PROT_WRITE,
            LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
        final long address = null == pointer ? -1 : pointer.address();
        if (-1 == address)
        {
            throw new IOException("mmap of " + length + " bytes of anonymous memory for hash store " + config.name() +
                " failed: errno " + LibC.errno());
        }
        if (0 != LibC.INSTANCE.madvise(address, length, LibC.MADV_HUGEPAGE))
        {
            LOG.info("hash store {}: no transparent huge pages for its memory (madvise(MADV_HUGEPAGE): errno {})",
                config.name(), LibC.errno());
        }
        return address;
    }

    /**
     * Reads the file's data into {@code address}, skipping its holes (the anonymous memory there stays untouched:
     * zero, and not allocated), then drops the file's pages from the page cache: the store's memory is the copy.
     */
    private static void load(final int fd, final long address, final long length, final Path file) throws IOException
    {
        forEachDataExtent(fd, length, file, (data, hole) ->
        {
            long at = data;
            long asked = data;
            while (at < hole)
            {
                final long ask = Math.min(hole, at + READ_AHEAD_BYTES);
                if (ask > asked)
                {
                    LibC.INSTANCE.posix_fadvise(fd, asked, ask - asked, LibC.POSIX_FADV_WILLNEED);
                    asked = ask;
                }
                final long read = LibC.INSTANCE.pread(fd, address + at, Math.min(hole - at, MAX_READ_BYTES), at);
                if (read < 0 && EINTR == LibC.errno())
                {
                    continue;
                }
                if (read <= 0)
                {
                    throw new IOException("pread(" + file + ", " + (hole - at) + " bytes at " + at + ") failed: " +
                        (0 == read ? "end of file" : "errno " + LibC.errno()));
                }
                at += read;
            }
        });
        LibC.INSTANCE.posix_fadvise(fd, 0, 0, LibC.POSIX_FADV_DONTNEED);
    }

    /** One stretch of a file that holds data, {@code [data, hole)}. */
    @FunctionalInterface
    private interface DataExtent
    {
        void on(long data, long hole) throws IOException;
    }

    /**
     * Visits the stretches of the file below {@code length} that hold data, in order ({@code SEEK_DATA} /
     * {@code SEEK_HOLE}).
     */
    private static void forEachDataExtent(final int fd, final long length, final Path file, final DataExtent visitor)
        throws IOException
    {
        long position = 0;
        while (position < length)
        {
            final long data = LibC.INSTANCE.lseek(fd, position, LibC.SEEK_DATA);
            if (data < 0)
            {
                final int errno = LibC.errno();
                if (ENXIO == errno)
                {
                    return; // no data at or after position
                }
                throw new IOException("lseek(" + file + ", " + position + ", SEEK_DATA) failed: errno " + errno);
            }
            final long hole = Math.min(length, LibC.INSTANCE.lseek(fd, data, LibC.SEEK_HOLE));
            if (hole < data)
            {
                throw new IOException("lseek(" + file + ", " + data + ", SEEK_HOLE) failed: errno " + LibC.errno());
            }
            visitor.on(data, hole);
            position = hole;
        }
    }

    /**
     * @return the bytes of the file that hold data: what {@link #load} reads into memory.
     */
    private static long dataBytes(final int fd, final long length, final Path file) throws IOException
    {
        final long[] total = new long[1];
        forEachDataExtent(fd, length, file, (data, hole) -> total[0] += hole - data);
        return total[0];
    }

    /**
     * @return {@code MemAvailable} of {@code /proc/meminfo} in bytes, or -1 where there is none.
     */
    static long availableMemory()
    {
        try (MemAvailable reader = new MemAvailable(Path.of("/proc/meminfo")))
        {
            return reader.getAsLong();
        }
        catch (final RuntimeException ex)
        {
            LOG.debug("no MemAvailable in /proc/meminfo", ex);
        }
        return -1;
    }

    /**
     * Refuses to load a store whose data is more than the memory available (-1: unknown, not checked): with no swap the
     * load would end in the kernel killing the process, with nothing said about why.
     */
    static void checkFitsInMemory(final StoreConfig config, final long dataBytes, final long availableBytes)
    {
        if (availableBytes >= 0 && dataBytes > availableBytes)
        {
            throw new IllegalStateException("cannot open hash store " + config.name() + " (" + config.file() +
                ") in memory: its file holds " + dataBytes + " bytes of data and " + availableBytes + " bytes of " +
                "memory are available (MemAvailable); a store in its own memory (ferrite.engine.storeMemory=" +
                "anonymous) must fit in memory. Free memory, or open it mapped (ferrite.engine.storeMemory=mapped)");
        }
    }

    /**
     * Deletes a store's file, and any half-created file left by a crash during {@link #open(StoreConfig)}.
     *
     * @param file the store file.
     */
    public static void delete(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + CREATING_SUFFIX));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("failed to delete store file: " + file, ex);
        }
    }

    /**
     * Bytes the file for {@code config} takes (sparse until written): header, slot table, arena.
     */
    static long fileLength(final StoreConfig config)
    {
        final long slotCount = slotCount(config.maxEntries());
        final long maxBlock = align8(BLOCK_HEADER + (long)MAX_KEY_LENGTH + config.maxValueSize());
        // Content within the owner's bound (maxBytes of keys and values in at most maxEntries blocks) always fits a
        // compact arena with one largest block to spare, which a replace needs: it writes the new block before it
        // frees the old. A quarter more and another largest block are room for fragmentation, since blocks never move
        // (a store that still runs out, its free space in holes too small, throws StoreFullException).
        final long content = config.maxBytes() + config.maxEntries() * StoreConfig.ENTRY_OVERHEAD_BYTES;
        final long arena = content + content / 4 + 2 * maxBlock;
        return (HEADER_BYTES + slotCount * 8 + arena + 4095) & ~4095L;
    }

    static long slotCount(final long maxEntries)
    {
        final long wanted = Math.max(PAGE_SLOTS * 2L, maxEntries * 2);
        return Long.highestOneBit(wanted - 1) << 1;
    }

    private static void create(final StoreConfig config) throws IOException
    {
        final Path file = config.file();
        final Path creating = file.resolveSibling(file.getFileName() + CREATING_SUFFIX);
        Files.deleteIfExists(creating);
        final long slotCount = slotCount(config.maxEntries());
        final long length = fileLength(config);
        if (slotCount * 8 + HEADER_BYTES > length || (slotCount >>> 31) != 0)
        {
            throw new IllegalArgumentException("maxEntries too large for a hash store: " + config);
        }
        try (FileChannel channel = FileChannel.open(creating,
            StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            header.putLong(H_MAGIC, FILE_MAGIC);
            header.putInt(H_VERSION, VERSION);
            header.putInt(H_CLEAN, 1);
            header.putLong(H_SLOT_COUNT, slotCount);
            header.putLong(H_ARENA_START, HEADER_BYTES + slotCount * 8);
            header.putLong(H_FILE_LENGTH, length);
            channel.write(java.nio.ByteBuffer.allocate(1), length - 1); // sparse: only the header is written
            channel.write(header, 0);
            channel.force(true);
        }
        Files.move(creating, file, StandardCopyOption.ATOMIC_MOVE);
        DurableFiles.forceDirectory(file.toAbsolutePath().getParent()); // the name, not only the contents
    }

    // ---------------------------------------------------------------------------------------------
    // Operations
    // ---------------------------------------------------------------------------------------------

    /**
     * {@inheritDoc}
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
        checkKey(key, keyOff, keyLen);
        if (valueLen < 0 || valueLen > maxValueSize)
        {
            throw new IllegalArgumentException("value length must be in 0.." + maxValueSize + ": valueLen=" +
                valueLen + " store=" + config.name());
        }
        value.boundsCheck(valueOff, valueLen);
        final int pos = locate(key, keyOff, keyLen);
        final long pageAddress = locatedPage;
        if (pos < 0 && probeEmpty < 0)
        {
            throw full(keyLen, valueLen, "its slot page is full");
        }

        final long needed = align8(BLOCK_HEADER + (long)keyLen + valueLen);
        final long block = allocate(needed);
        if (block < 0)
        {
            throw full(keyLen, valueLen, "the arena has no free block that large");
        }
        final long blockAddress = address + block;
        UnsafeApi.putInt(blockAddress + B_KEY_LEN, keyLen);
        UnsafeApi.putInt(blockAddress + B_VALUE_LEN, valueLen);
        UnsafeApi.putLong(blockAddress + B_SEQUENCE, sequence);
        UnsafeApi.putInt(blockAddress + B_MAGIC, LIVE);
        UnsafeApi.putInt(blockAddress + B_MAGIC + 4, 0);
        UnsafeApi.copyMemory(key.byteArray(), key.addressOffset() + keyOff, null, blockAddress + BLOCK_HEADER, keyLen);
        UnsafeApi.copyMemory(
            value.byteArray(), value.addressOffset() + valueOff, null, blockAddress + BLOCK_HEADER + keyLen, valueLen);
        UnsafeApi.putInt(blockAddress + B_CRC, crc(blockAddress, keyLen, valueLen));
        changed(block, needed);

        final long slot = slotMeta(locatedHash) | (block >>> 3);
        changed(pageAddress - address, PAGE_BYTES);
        if (pos >= 0)
        {
            final long slotAddress = pageAddress + ((long)pos << 3);
            final long old = UnsafeApi.getLong(slotAddress);
            final long oldBlock = (old & GRANULE_MASK) << 3;
            final int previous = UnsafeApi.getInt(address + oldBlock + B_VALUE_LEN);
            UnsafeApi.putLongRelease(null, slotAddress, slot);
            free(oldBlock);
            return previous;
        }
        UnsafeApi.putLongRelease(null, pageAddress + ((long)probeEmpty << 3), slot);
        size++;
        return ABSENT;
    }

    /**
     * {@inheritDoc}
     */
    public int get(
        final DirectBuffer key, final int keyOff, final int keyLen, final MutableDirectBuffer dst, final int dstOff)
    {
        final long blockAddress = lookup(key, keyOff, keyLen);
        if (0 == blockAddress)
        {
            return -1;
        }
        final int length = UnsafeApi.getInt(blockAddress + B_VALUE_LEN);
        if (dstOff < 0 || dstOff > dst.capacity() - length)
        {
            throw new IllegalArgumentException("dst cannot hold value: valueLength=" + length +
                " dstOff=" + dstOff + " dstCapacity=" + dst.capacity());
        }
        UnsafeApi.copyMemory(null, blockAddress + BLOCK_HEADER + UnsafeApi.getInt(blockAddress + B_KEY_LEN),
            dst.byteArray(), dst.addressOffset() + dstOff, length);
        return length;
    }

    /**
     * Wraps the mapped bytes themselves: no copy. Valid until the next write to this store.
     * <p>
     * {@inheritDoc}
     */
    public boolean view(final DirectBuffer key, final int keyOff, final int keyLen, final UnsafeBuffer view)
    {
        final long blockAddress = lookup(key, keyOff, keyLen);
        if (0 == blockAddress)
        {
            return false;
        }
        view.wrap(blockAddress + BLOCK_HEADER + UnsafeApi.getInt(blockAddress + B_KEY_LEN),
            UnsafeApi.getInt(blockAddress + B_VALUE_LEN));
        return true;
    }

    /**
     * {@inheritDoc}
     * <p>
     * True once the blocks in use span {@value #PREFETCH_MIN_BYTES} bytes: below that (twice this machine's 4 MiB L2)
     * a store is taken to be in the cache, where a prefetch's work made a 10-item Query 0.29 µs slower, not faster
     * (perf/README, "Query reads ahead").
     */
    @Override
    public boolean prefetchPays()
    {
        return arenaTop - arenaStart >= PREFETCH_MIN_BYTES;
    }

    /**
     * {@inheritDoc}
     * <p>
     * The key's home slot address: its hash only.
     */
    @Override
    public long prefetchTarget(final DirectBuffer key, final int keyOff, final int keyLen)
    {
        final long hash = hash(key.byteArray(), key.addressOffset() + keyOff, keyLen);
        return pageAddress(hash) + ((hash & PAGE_MASK) << 3);
    }

    /**
     * {@inheritDoc}
     * <p>
     * Two passes, each a short loop of independent loads, so that the processor overlaps their misses: the home
     * slots, then the first two words of the blocks they name (the header, and where the key starts). Loading a
     * key's slot and then its block before the next key's did not overlap them (perf/README, "Query reads ahead").
     * A home slot that holds another key, or none, only warms another block: slots name blocks inside the file, so
     * every read is in bounds.
     */
    @Override
    public long prefetch(final long[] targets, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            targets[i] = UnsafeApi.getLong(targets[i]);
        }
        long sum = 0;
        for (int i = 0; i < count; i++)
        {
            final long block = address + ((targets[i] & GRANULE_MASK) << 3);
            sum += UnsafeApi.getLong(block) + UnsafeApi.getLong(block + BLOCK_HEADER);
        }
        return sum;
    }

    /**
     * {@inheritDoc}
     */
    public int valueLength(final DirectBuffer key, final int keyOff, final int keyLen)
    {
        final long blockAddress = lookup(key, keyOff, keyLen);
        return 0 == blockAddress ? -1 : UnsafeApi.getInt(blockAddress + B_VALUE_LEN);
    }

    /**
     * {@inheritDoc}
     */
    public boolean remove(final DirectBuffer key, final int keyOff, final int keyLen)
    {
        checkKey(key, keyOff, keyLen);
        final int pos = locate(key, keyOff, keyLen);
        if (pos < 0)
        {
            return false;
        }
        final long pageAddress = locatedPage;
        final long old = UnsafeApi.getLong(pageAddress + ((long)pos << 3));
        if (anonymous)
        {
            // odd around the shift, for a checkpoint copying this page meanwhile: the shift's release stores keep
            // the odd count before them and the even one after
            final int page = (int)((pageAddress - tableAddress) >>> PAGE_SHIFT);
            final int shifts = slotPageShifts.get(page);
            slotPageShifts.lazySet(page, shifts + 1);
            VarHandle.storeStoreFence();
            backwardShift(pageAddress, pos);
            slotPageShifts.lazySet(page, shifts + 2);
            changed(pageAddress - address, PAGE_BYTES);
        }
        else
        {
            backwardShift(pageAddress, pos);
        }
        free((old & GRANULE_MASK) << 3);
        size--;
        return true;
    }

    /**
     * {@inheritDoc}
     */
    public long size()
    {
        return size;
    }

    /**
     * Visits keys in slot-table order. Allocates nothing.
     * <p>
     * {@inheritDoc}
     */
    public void forEachKey(final KeyVisitor visitor)
    {
        final long slots = (long)(pageMask + 1) * PAGE_SLOTS;
        for (long i = 0; i < slots; i++)
        {
            final long slot = UnsafeApi.getLong(tableAddress + (i << 3));
            if (0 != slot)
            {
                final long blockAddress = address + ((slot & GRANULE_MASK) << 3);
                final int keyLen = UnsafeApi.getInt(blockAddress + B_KEY_LEN);
                keyView.wrap(blockAddress + BLOCK_HEADER, keyLen);
                visitor.onKey(keyView, 0, keyLen, UnsafeApi.getInt(blockAddress + B_VALUE_LEN));
            }
        }
    }

    /**
     * Anonymous: the pages changed before this call become the ones the next {@link #sync()} writes (with any a
     * failed sync left). O(pages of the file / 64), allocates nothing. Mapped: nothing.
     * <p>
     * {@inheritDoc}
     */
    public void beginCheckpoint()
    {
        if (anonymous)
        {
            final long[] changed = changedPages;
            final long[] toWrite = checkpointPages;
            for (int i = 0; i < changed.length; i++)
            {
                toWrite[i] |= changed[i];
                changed[i] = 0;
            }
        }
    }

    /**
     * Mapped: {@code fsync} of the file ({@code FileChannel.force(true)}), which on Linux writes back the mapping's
     * dirty pages too. Anonymous: writes the pages {@link #beginCheckpoint()} took, from the store's memory while the
     * owner goes on changing it (see {@link #writeSlotPage} for why that is safe), then {@code fdatasync}s the file
     * and drops its pages from the page cache. Either reads no in-memory structure the owner changes but the pages,
     * so the checkpoint thread may call it.
     * <p>
     * {@inheritDoc}
     */
    public void sync()
    {
        try
        {
            if (anonymous)
            {
                writeCheckpointPages();
                channel.force(false);
                LibC.INSTANCE.posix_fadvise(fd, 0, 0, LibC.POSIX_FADV_DONTNEED);
            }
            else
            {
                channel.force(true);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("failed to sync store: name=" + config.name() + " file=" + file, ex);
        }
    }

    /**
     * Writes every page of {@link #checkpointPages}, clearing each bit once its page is written: slot pages one by
     * one through {@link #writeSlotPage}, arena pages straight from the store's memory in runs of up to
     * {@link #MAX_WRITE_BYTES}.
     */
    private void writeCheckpointPages() throws IOException
    {
        final long[] pages = checkpointPages;
        final long firstArenaPage = arenaStart >>> PAGE_SHIFT;
        final long pageCount = fileLength >>> PAGE_SHIFT;
        for (int word = 0; word < pages.length; word++)
        {
            while (0 != pages[word])
            {
                final long page = ((long)word << 6) + Long.numberOfTrailingZeros(pages[word]);
                if (page < firstArenaPage)
                {
                    writeSlotPage(page);
                    pages[word] &= ~(1L << page);
                    continue;
                }
                long end = page + 1;
                while (end < pageCount && (end - page) << PAGE_SHIFT < MAX_WRITE_BYTES &&
                    0 != (pages[(int)(end >>> 6)] & (1L << end)))
                {
                    end++;
                }
                writeFully(address + (page << PAGE_SHIFT), (end - page) << PAGE_SHIFT, page << PAGE_SHIFT);
                for (long p = page; p < end; p++)
                {
                    pages[(int)(p >>> 6)] &= ~(1L << p);
                }
            }
        }
    }

    /**
     * Writes one slot page as it is between two of the owner's operations on it. Why the rest needs no such care:
     * a checkpoint's file must hold, for every key not written since {@link #beginCheckpoint()}, its slot and its
     * block (decision 0014, "Why a crash leaves a usable store"). Its block's bytes do not change while it is live,
     * so any copy of an arena page has them whole; its slot is in every version of its slot page, and a put changes a
     * slot page with one aligned 8-byte store, which a copy sees whole or not at all. But a remove's backward shift
     * moves slots one by one towards the hole: a copy that read a slot's new place before the move and its old place
     * after could have neither. So a slot page is copied whole ({@code Unsafe.copyMemory}: aligned 8-byte units) and
     * kept only if no shift of that page began or ended meanwhile (a per-page count, odd during a shift), then
     * written from the copy.
     */
    private void writeSlotPage(final long page) throws IOException
    {
        final int slotPage = (int)(page - (HEADER_BYTES >>> PAGE_SHIFT));
        final long pageAddress = address + (page << PAGE_SHIFT);
        int attempts = 0;
        while (true)
        {
            final int before = slotPageShifts.get(slotPage);
            if (0 == (before & 1))
            {
                UnsafeApi.copyMemory(pageAddress, slotPageCopy, PAGE_BYTES);
                VarHandle.acquireFence(); // the copy's reads before the count's second read
                if (slotPageShifts.get(slotPage) == before)
                {
                    break;
                }
            }
            if (++attempts % 64 == 0)
            {
                Thread.yield(); // the owner may be descheduled in the middle of a shift
            }
            else
            {
                Thread.onSpinWait();
            }
        }
        writeFully(slotPageCopy, PAGE_BYTES, page << PAGE_SHIFT);
    }

    private void writeFully(final long from, final long length, final long position) throws IOException
    {
        long done = 0;
        while (done < length)
        {
            final long written = LibC.INSTANCE.pwrite(fd, from + done, length - done, position + done);
            if (written < 0 && EINTR == LibC.errno())
            {
                continue;
            }
            if (written <= 0)
            {
                throw new IOException("pwrite(" + file + ", " + (length - done) + " bytes at " + (position + done) +
                    ") failed: " + (0 == written ? "nothing written" : "errno " + LibC.errno()));
            }
            done += written;
        }
    }

    /**
     * Notes that the owner changed {@code length} bytes at file offset {@code offset} (anonymous memory only).
     */
    private void changed(final long offset, final long length)
    {
        final long[] pages = changedPages;
        if (null != pages)
        {
            final long last = (offset + length - 1) >>> PAGE_SHIFT;
            for (long page = offset >>> PAGE_SHIFT; page <= last; page++)
            {
                pages[(int)(page >>> 6)] |= 1L << page;
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    public long offHeapMemoryUsed()
    {
        return fileLength;
    }

    /**
     * {@inheritDoc}
     */
    public boolean recovered()
    {
        return recovered;
    }

    /**
     * {@inheritDoc}
     */
    public int recoveryCorruptions()
    {
        return recoveryCorruptions;
    }

    /**
     * {@inheritDoc}
     */
    public long openNanos()
    {
        return openNanos;
    }

    /**
     * Writes the changed pages (anonymous) and forces the file, then sets the clean-close flag and forces the header,
     * then unmaps. A store closed this way is trusted at the next open without verification. Owner thread, with no
     * {@link #sync()} running.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            if (anonymous)
            {
                beginCheckpoint();
                writeCheckpointPages();
            }
            channel.force(true);
            headerMap.putInt(H_CLEAN, 1);
            headerMap.force();
            if (anonymous)
            {
                LibC.INSTANCE.posix_fadvise(fd, 0, 0, LibC.POSIX_FADV_DONTNEED);
            }
        }
        catch (final IOException ex)
        {
            LOG.warn("failed to sync hash store at close (left marked unclean): name={} file={}",
                config.name(), file, ex);
        }
        finally
        {
            release();
        }
    }

    /**
     * Unmaps and closes without the sync and the clean mark of {@link #close()}: the file is about to be deleted,
     * so forcing up to its whole size to disk first would only make DeleteTable wait.
     * <p>
     * {@inheritDoc}
     */
    public void discard()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        release();
    }

    private void release()
    {
        unmapQuietly(address, fileLength, anonymous);
        if (anonymous)
        {
            UnsafeApi.freeMemory(slotPageCopy);
            LibC.INSTANCE.close(fd);
        }
        IoUtil.unmap(headerMap);
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            LOG.warn("failed to close hash store channel: name={} file={}", config.name(), file, ex);
        }
    }

    /**
     * @return the store's file.
     */
    Path file()
    {
        return file;
    }

    /**
     * @return where the store's bytes (the file's image) start in memory, for tests that compare them with the file.
     */
    long addressForTesting()
    {
        return address;
    }

    /**
     * Marks a slot page as being shifted by a remove (the count odd) or not, as {@link #remove} does around a shift.
     *
     * @param slotPage index of the page in the slot table.
     * @param shifting whether a shift is to be in progress.
     */
    void shiftingForTesting(final int slotPage, final boolean shifting)
    {
        final int shifts = slotPageShifts.get(slotPage);
        if (shifting == (0 == (shifts & 1)))
        {
            slotPageShifts.set(slotPage, shifts + 1);
        }
    }

    /**
     * @return the file's length, which the store's memory has too.
     */
    long fileLength()
    {
        return fileLength;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "HashItemStore{name=" + config.name() + ", file=" + file + ", entries=" + size + "}";
    }

    // ---------------------------------------------------------------------------------------------
    // Table
    // ---------------------------------------------------------------------------------------------

    /**
     * 64-bit hash of the key bytes: 8 bytes at a time, multiply-xor, murmur3's finaliser.
     */
    static long hash(final Object base, final long keyAddress, final int length)
    {
        long h = 0x9E3779B97F4A7C15L ^ length;
        int i = 0;
        for (; i <= length - 8; i += 8)
        {
            h = (h ^ UnsafeApi.getLong(base, keyAddress + i)) * 0xC2B2AE3D27D4EB4FL;
            h = Long.rotateLeft(h, 31);
        }
        long tail = 0;
        for (int shift = 0; i < length; i++, shift += 8)
        {
            tail |= (UnsafeApi.getByte(base, keyAddress + i) & 0xFFL) << shift;
        }
        h = (h ^ tail) * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h;
    }

    private static long slotMeta(final long hash)
    {
        return ((hash >>> 49) << 49) | ((hash & PAGE_MASK) << 40);
    }

    private long pageAddress(final long hash)
    {
        return tableAddress + (((hash >>> 9) & pageMask) << 12);
    }

    private long lookup(final DirectBuffer key, final int keyOff, final int keyLen)
    {
        checkKey(key, keyOff, keyLen);
        final int pos = locate(key, keyOff, keyLen);
        return pos < 0 ? 0 : address + ((UnsafeApi.getLong(locatedPage + ((long)pos << 3)) & GRANULE_MASK) << 3);
    }

    /**
     * Hashes a checked key and probes its page; leaves the hash and the page's address in {@link #locatedHash} and
     * {@link #locatedPage} for the caller.
     *
     * @return as {@link #find}.
     */
    private int locate(final DirectBuffer key, final int keyOff, final int keyLen)
    {
        final Object keyBase = key.byteArray();
        final long keyAddress = key.addressOffset() + keyOff;
        final long hash = hash(keyBase, keyAddress, keyLen);
        final long pageAddress = pageAddress(hash);
        locatedHash = hash;
        locatedPage = pageAddress;
        return find(pageAddress, hash, keyBase, keyAddress, keyLen);
    }

    /**
     * @return the key's slot in its page, or -1 with {@link #probeEmpty} set to the first empty slot of its probe
     * (-1 if the page is full).
     */
    private int find(
        final long pageAddress, final long hash, final Object keyBase, final long keyAddress, final int keyLen)
    {
        final long meta = slotMeta(hash);
        int pos = (int)(hash & PAGE_MASK);
        for (int n = 0; n < PAGE_SLOTS; n++)
        {
            final long slot = UnsafeApi.getLong(pageAddress + ((long)pos << 3));
            if (0 == slot)
            {
                probeEmpty = pos;
                return -1;
            }
            if ((slot & META_MASK) == meta &&
                keyEquals(address + ((slot & GRANULE_MASK) << 3), keyBase, keyAddress, keyLen))
            {
                return pos;
            }
            pos = (pos + 1) & PAGE_MASK;
        }
        probeEmpty = -1;
        return -1;
    }

    private static boolean keyEquals(
        final long blockAddress, final Object keyBase, final long keyAddress, final int keyLen)
    {
        if (UnsafeApi.getInt(blockAddress + B_KEY_LEN) != keyLen)
        {
            return false;
        }
        final long stored = blockAddress + BLOCK_HEADER;
        int i = 0;
        for (; i <= keyLen - 8; i += 8)
        {
            if (UnsafeApi.getLong(stored + i) != UnsafeApi.getLong(keyBase, keyAddress + i))
            {
                return false;
            }
        }
        for (; i < keyLen; i++)
        {
            if (UnsafeApi.getByte(stored + i) != UnsafeApi.getByte(keyBase, keyAddress + i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Empties slot {@code hole} of a page, moving later slots of its probe runs back (no tombstones). Each moved
     * slot is written to its new place before its old place is overwritten.
     */
    private static void backwardShift(final long pageAddress, final int start)
    {
        int hole = start;
        int j = start;
        for (int n = 1; n < PAGE_SLOTS; n++)
        {
            j = (j + 1) & PAGE_MASK;
            final long slot = UnsafeApi.getLong(pageAddress + ((long)j << 3));
            if (0 == slot)
            {
                break;
            }
            final int home = (int)(slot >>> 40) & PAGE_MASK;
            if (((j - home) & PAGE_MASK) >= ((j - hole) & PAGE_MASK))
            {
                UnsafeApi.putLongRelease(null, pageAddress + ((long)hole << 3), slot);
                hole = j;
            }
        }
        UnsafeApi.putLongRelease(null, pageAddress + ((long)hole << 3), 0L);
    }

    private void checkKey(final DirectBuffer key, final int keyOff, final int keyLen)
    {
        if (keyLen < 1 || keyLen > MAX_KEY_LENGTH)
        {
            throw new IllegalArgumentException(
                "key length must be in 1.." + MAX_KEY_LENGTH + ": keyLen=" + keyLen + " store=" + config.name());
        }
        key.boundsCheck(keyOff, keyLen);
    }

    /**
     * The block's checksum: the low 32 bits of XXH64 over everything after the checksum field up to the value's end
     * (XXH64 from chronicle-algorithms, Unsafe reads of the mapping, no allocation; the JDK's intrinsic CRC32C
     * needs a ByteBuffer, or {@code --add-opens java.base/java.util.zip} for Agrona's address variant).
     */
    private static int crc(final long blockAddress, final int keyLen, final int valueLen)
    {
        return (int)CHECKSUM.hashMemory(blockAddress + 4, BLOCK_HEADER - 4 + keyLen + valueLen);
    }

    // ---------------------------------------------------------------------------------------------
    // Arena
    // ---------------------------------------------------------------------------------------------

    static long align8(final long bytes)
    {
        return (bytes + 7) & ~7L;
    }

    /**
     * Size class of a free block of {@code granules} 8-byte granules: every block in class c holds at least
     * {@link #classMin(int)} granules.
     */
    static int classOf(final long granules)
    {
        if (granules < EXACT_CLASSES)
        {
            return (int)granules;
        }
        final int e = 63 - Long.numberOfLeadingZeros(granules);
        final int c = EXACT_CLASSES + (e - 9) * 8 + (int)((granules >>> (e - 3)) & 7);
        return Math.min(c, NUM_CLASSES - 1);
    }

    /**
     * @return a block of at least {@code bytes} (its size is in its header), as a file offset, or -1.
     */
    private long allocate(final long bytes)
    {
        final long granules = bytes >>> 3;
        final int c = classOf(granules);
        long block = 0;
        final long head = freeHeads[c];
        if (0 != head && (UnsafeApi.getInt(address + head + B_SIZE) >>> 3) >= granules)
        {
            block = popFree(c);
        }
        else
        {
            final int larger = nextNonEmptyClass(c + 1);
            if (larger >= 0)
            {
                block = popFree(larger);
            }
        }

        if (0 != block)
        {
            final long blockBytes = UnsafeApi.getInt(address + block + B_SIZE) & 0xFFFF_FFFFL;
            final long rest = blockBytes - bytes;
            if (rest >= MIN_FREE_BYTES)
            {
                pushFree(block + bytes, rest);
                UnsafeApi.putInt(address + block + B_SIZE, (int)bytes);
            }
            return block;
        }

        if (arenaTop + bytes > arenaEnd)
        {
            if (freedSinceCoalesce > 0)
            {
                coalesce();
                return allocate(bytes);
            }
            return -1;
        }
        block = arenaTop;
        arenaTop += bytes;
        UnsafeApi.putInt(address + block + B_SIZE, (int)bytes);
        return block;
    }

    private void free(final long block)
    {
        final long blockAddress = address + block;
        freedSinceCoalesce++;
        UnsafeApi.putInt(blockAddress + B_MAGIC, FREE);
        pushFree(block, UnsafeApi.getInt(blockAddress + B_SIZE) & 0xFFFF_FFFFL);
    }

    private void pushFree(final long block, final long bytes)
    {
        final long blockAddress = address + block;
        final int c = classOf(bytes >>> 3);
        changed(block, BLOCK_HEADER);
        UnsafeApi.putInt(blockAddress + B_SIZE, (int)bytes);
        UnsafeApi.putInt(blockAddress + B_MAGIC, FREE);
        UnsafeApi.putLong(blockAddress + B_NEXT_FREE, freeHeads[c]);
        freeHeads[c] = block;
        freeBits[c >>> 6] |= 1L << c;
    }

    private long popFree(final int c)
    {
        final long block = freeHeads[c];
        final long next = UnsafeApi.getLong(address + block + B_NEXT_FREE);
        freeHeads[c] = next;
        if (0 == next)
        {
            freeBits[c >>> 6] &= ~(1L << c);
        }
        return block;
    }

    /**
     * Merges adjacent free blocks and rebuilds the free lists, when an allocation found nothing large enough and
     * blocks were freed since the last merge (the free lists split blocks but never merge them). The arena is
     * tiled by blocks from its start to its top, each with its size and a LIVE or FREE magic, so one walk finds
     * every run of free blocks; a run that reaches the top lowers the top. O(blocks), only when the arena is
     * (nearly) exhausted; allocates nothing.
     */
    private void coalesce()
    {
        freedSinceCoalesce = 0;
        Arrays.fill(freeHeads, 0);
        Arrays.fill(freeBits, 0);
        long pos = arenaStart;
        while (pos < arenaTop)
        {
            final long blockBytes = blockBytesAt(pos);
            if (UnsafeApi.getInt(address + pos + B_MAGIC) != FREE)
            {
                pos += blockBytes;
                continue;
            }
            long end = pos + blockBytes;
            while (end < arenaTop && UnsafeApi.getInt(address + end + B_MAGIC) == FREE)
            {
                end += blockBytesAt(end);
            }
            if (end >= arenaTop)
            {
                arenaTop = pos;
                break;
            }
            freeGap(pos, end);
            pos = end;
        }
    }

    private long blockBytesAt(final long pos)
    {
        final long blockBytes = UnsafeApi.getInt(address + pos + B_SIZE) & 0xFFFF_FFFFL;
        if (blockBytes < MIN_FREE_BYTES || (blockBytes & 7) != 0 || pos + blockBytes > arenaTop)
        {
            throw new IllegalStateException("hash store arena is not tiled by blocks at offset " + pos +
                " (size " + blockBytes + ", top " + arenaTop + "): name=" + config.name() + " file=" + file);
        }
        return blockBytes;
    }

    private int nextNonEmptyClass(final int from)
    {
        if (from >= NUM_CLASSES)
        {
            return -1;
        }
        int word = from >>> 6;
        long bits = freeBits[word] & (-1L << from);
        while (true)
        {
            if (0 != bits)
            {
                return (word << 6) + Long.numberOfTrailingZeros(bits);
            }
            if (++word == freeBits.length)
            {
                return -1;
            }
            bits = freeBits[word];
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Open
    // ---------------------------------------------------------------------------------------------

    /**
     * After an unclean shutdown, page by page: removes every slot whose block does not verify (by backward shift,
     * as a remove does), then every second slot of a key, keeping the higher sequence. The table is repaired in
     * place with the same write order as the operations, so a kill during the repair loses nothing either (the
     * next open repairs again). Bad slots go first, so the key compares of the second pass read verified blocks.
     *
     * @return how many slots were dropped as corrupt.
     */
    private int verifyAndRebuildTable(final long slotCount)
    {
        int corrupt = 0;
        final long pages = slotCount / PAGE_SLOTS;
        for (long page = 0; page < pages; page++)
        {
            final long pageAddress = tableAddress + (page << 12);
            boolean changed = true;
            while (changed)
            {
                changed = false;
                for (int pos = 0; pos < PAGE_SLOTS; pos++)
                {
                    final long slot = UnsafeApi.getLong(pageAddress + ((long)pos << 3));
                    if (0 != slot && !verify(slot, page))
                    {
                        corrupt++;
                        LOG.warn("hash store recovery dropped a slot whose block does not verify: name={} file={} " +
                            "page={} slot={} blockOffset={}", config.name(), file, page, pos,
                            (slot & GRANULE_MASK) << 3);
                        backwardShift(pageAddress, pos);
                        changed(pageAddress - address, PAGE_BYTES);
                        changed = true;
                    }
                }
            }

            changed = true;
            while (changed)
            {
                changed = false;
                for (int pos = 0; pos < PAGE_SLOTS; pos++)
                {
                    final long slot = UnsafeApi.getLong(pageAddress + ((long)pos << 3));
                    if (0 == slot)
                    {
                        continue;
                    }
                    final long blockAddress = address + ((slot & GRANULE_MASK) << 3);
                    final int keyLen = UnsafeApi.getInt(blockAddress + B_KEY_LEN);
                    final long keyAddress = blockAddress + BLOCK_HEADER;
                    final int first = find(pageAddress, hash(null, keyAddress, keyLen), null, keyAddress, keyLen);
                    if (first >= 0 && first != pos)
                    {
                        final long firstAddress = pageAddress + ((long)first << 3);
                        final long other = UnsafeApi.getLong(firstAddress);
                        if (UnsafeApi.getLong(blockAddress + B_SEQUENCE) >
                            UnsafeApi.getLong(address + ((other & GRANULE_MASK) << 3) + B_SEQUENCE))
                        {
                            UnsafeApi.putLongRelease(null, firstAddress, slot);
                        }
                        backwardShift(pageAddress, pos);
                        changed(pageAddress - address, PAGE_BYTES);
                        changed = true;
                    }
                }
            }
        }
        return corrupt;
    }

    private boolean verify(final long slot, final long page)
    {
        final long block = (slot & GRANULE_MASK) << 3;
        if (block < arenaStart || block > arenaEnd - BLOCK_HEADER)
        {
            return false;
        }
        final long blockAddress = address + block;
        final long blockBytes = UnsafeApi.getInt(blockAddress + B_SIZE) & 0xFFFF_FFFFL;
        final long keyLen = UnsafeApi.getInt(blockAddress + B_KEY_LEN) & 0xFFFF_FFFFL;
        final long valueLen = UnsafeApi.getInt(blockAddress + B_VALUE_LEN) & 0xFFFF_FFFFL;
        if (UnsafeApi.getInt(blockAddress + B_MAGIC) != LIVE || keyLen < 1 || keyLen > MAX_KEY_LENGTH ||
            valueLen > Integer.MAX_VALUE || (blockBytes & 7) != 0 || blockBytes > arenaEnd - block ||
            BLOCK_HEADER + keyLen + valueLen > blockBytes)
        {
            return false;
        }
        if (crc(blockAddress, (int)keyLen, (int)valueLen) != UnsafeApi.getInt(blockAddress + B_CRC))
        {
            return false;
        }
        final long hash = hash(null, blockAddress + BLOCK_HEADER, (int)keyLen);
        return ((hash >>> 9) & pageMask) == page && slotMeta(hash) == (slot & META_MASK);
    }

    /**
     * Frees every gap between the blocks the table references; the arena's top is the end of the last one.
     * <p>
     * Two verified blocks can overlap after a power loss (not after a kill): a block's size may include up to 32
     * bytes of slack the checksum does not cover (an allocation takes a free block whole when the rest could not hold
     * a block), and if that block was freed and its space reused after the last checkpoint, the disk can hold the
     * old slot page, the old block and a new block starting in its slack. The older block's key was then changed
     * after the checkpoint (its block was freed), so replay restores it: when {@code repair} (an unclean open), the
     * slot of the block with the lower sequence is dropped and counted. A clean file with overlapping blocks is
     * corrupt, and refused.
     *
     * @return how many slots were dropped.
     */
    private int rebuildFreeSpace(final long slotCount, final boolean repair)
    {
        long count = 0;
        for (long i = 0; i < slotCount; i++)
        {
            if (0 != UnsafeApi.getLong(tableAddress + (i << 3)))
            {
                count++;
            }
        }
        // Off the heap: the blocks' offsets are 8 bytes per entry, up to 2^30 entries (8 GiB) for the largest store
        // the slot format allows, more than the heap the server's JVM flags give it; sorted with a scratch as large.
        final long bytes = Math.max(1, count) << 3;
        final long memory = UnsafeApi.allocateMemory(bytes << 1);
        try
        {
            long n = 0;
            for (long i = 0; i < slotCount; i++)
            {
                final long slot = UnsafeApi.getLong(tableAddress + (i << 3));
                if (0 != slot)
                {
                    UnsafeApi.putLong(memory + (n++ << 3), slot & GRANULE_MASK);
                }
            }
            return freeGapsBetween(radixSort(memory, memory + bytes, count), count, repair);
        }
        finally
        {
            UnsafeApi.freeMemory(memory);
        }
    }

    /**
     * Sorts {@code count} non-negative longs in native memory, least significant digit first by
     * {@value #RADIX_BITS}-bit digits, through {@code scratch} (as large): linear time, and nothing on the heap but
     * one histogram, whatever the count.
     *
     * @return where the sorted longs are: {@code address} or {@code scratch}.
     */
    static long radixSort(final long address, final long scratch, final long count)
    {
        long bits = 0;
        for (long i = 0; i < count; i++)
        {
            bits |= UnsafeApi.getLong(address + (i << 3));
        }
        final int width = 64 - Long.numberOfLeadingZeros(bits);
        final long[] starts = new long[1 << RADIX_BITS];
        long from = address;
        long to = scratch;
        for (int shift = 0; shift < width; shift += RADIX_BITS)
        {
            Arrays.fill(starts, 0);
            for (long i = 0; i < count; i++)
            {
                starts[(int)((UnsafeApi.getLong(from + (i << 3)) >>> shift) & RADIX_MASK)]++;
            }
            long start = 0;
            for (int digit = 0; digit < starts.length; digit++)
            {
                final long digitCount = starts[digit];
                starts[digit] = start;
                start += digitCount;
            }
            for (long i = 0; i < count; i++)
            {
                final long value = UnsafeApi.getLong(from + (i << 3));
                final int digit = (int)((value >>> shift) & RADIX_MASK);
                UnsafeApi.putLong(to + (starts[digit]++ << 3), value);
            }
            final long sorted = to;
            to = from;
            from = sorted;
        }
        return from;
    }

    /**
     * Frees the gaps between the referenced blocks, whose granules lie sorted at {@code granules}, dropping the older
     * of two that overlap when {@code repair}; sets the arena's top and the entry count.
     *
     * @return how many slots were dropped.
     */
    private int freeGapsBetween(final long granules, final long count, final boolean repair)
    {
        long end = arenaStart;
        long previous = -1;
        int dropped = 0;
        for (long i = 0; i < count; i++)
        {
            final long block = UnsafeApi.getLong(granules + (i << 3)) << 3;
            if (block < end)
            {
                if (!repair)
                {
                    throw new IllegalStateException("hash store file is corrupt: blocks overlap at offset " + block +
                        " (previous block ends at " + end + "): name=" + config.name() + " file=" + file);
                }
                dropped++;
                final long older = UnsafeApi.getLong(address + block + B_SEQUENCE) <
                    UnsafeApi.getLong(address + previous + B_SEQUENCE) ? block : previous;
                LOG.warn("hash store recovery dropped the older of two overlapping blocks: name={} file={} " +
                    "blockOffset={} otherBlockOffset={}", config.name(), file, older,
                    older == block ? previous : block);
                dropSlotOf(older);
                if (older == block)
                {
                    continue; // the previous block stays, and so does its end
                }
                // the previous block goes: the gap before it was freed already, its space up to this block is free
                end = previous;
            }
            freeGap(end, block);
            end = block + (UnsafeApi.getInt(address + block + B_SIZE) & 0xFFFF_FFFFL);
            previous = block;
        }
        arenaTop = end;
        size = count - dropped;
        return dropped;
    }

    /** Removes the slot that names a verified block (found by its key, as a remove does). */
    private void dropSlotOf(final long block)
    {
        final long blockAddress = address + block;
        final int keyLen = UnsafeApi.getInt(blockAddress + B_KEY_LEN);
        final long keyAddress = blockAddress + BLOCK_HEADER;
        final long hash = hash(null, keyAddress, keyLen);
        final long pageAddress = pageAddress(hash);
        final int pos = find(pageAddress, hash, null, keyAddress, keyLen);
        if (pos < 0 || ((UnsafeApi.getLong(pageAddress + ((long)pos << 3)) & GRANULE_MASK) << 3) != block)
        {
            throw new IllegalStateException("hash store recovery: no slot names the block at offset " + block +
                ": name=" + config.name() + " file=" + file);
        }
        backwardShift(pageAddress, pos);
        changed(pageAddress - address, PAGE_BYTES);
    }

    private void freeGap(final long start, final long end)
    {
        long from = start;
        while (end - from >= MIN_FREE_BYTES)
        {
            final long bytes = Math.min(end - from, MAX_FREE_CHUNK);
            pushFree(from, end - from - bytes < MIN_FREE_BYTES ? end - from : bytes);
            from += bytes;
        }
    }

    private StoreFullException full(final int keyLen, final int valueLen, final String why)
    {
        return new StoreFullException("store full (" + why + "): name=" + config.name() + " file=" + file +
            " entries=" + size + " maxEntries=" + config.maxEntries() + " arenaBytes=" + (arenaEnd - arenaStart) +
            " arenaTop=" + (arenaTop - arenaStart) + " keyLen=" + keyLen + " valueLen=" + valueLen, null);
    }

    private static void unmapQuietly(final long address, final long length, final boolean anonymous)
    {
        try
        {
            if (anonymous)
            {
                if (0 != LibC.INSTANCE.munmap(address, length))
                {
                    LOG.warn("failed to unmap hash store memory: errno {}", LibC.errno());
                }
            }
            else
            {
                OS.unmap(address, length);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.warn("failed to unmap hash store", ex);
        }
    }
}
