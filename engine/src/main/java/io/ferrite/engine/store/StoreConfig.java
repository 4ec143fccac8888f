package io.ferrite.engine.store;

import java.nio.file.Path;

/**
 * Sizing and location of one {@link ItemStore}.
 * <p>
 * Not thread-safe: build it on one thread, then hand it to {@link ItemStore#open(StoreConfig)}. The
 * store reads it once at open; later changes do not affect an open store. A map file records the sizing it
 * was created with; recovering an existing file uses the file's own sizing, not this one.
 */
public final class StoreConfig
{
    /** Default average key size in bytes: hash, pk length and a short pk and sk. */
    public static final int DEFAULT_AVERAGE_KEY_SIZE = 64;

    /** Default average value (item bytes) size in bytes. */
    public static final int DEFAULT_AVERAGE_VALUE_SIZE = 1024;

    /** Default largest value in bytes: DynamoDB's 400 KB item limit (409,600 bytes) plus encoding slack. */
    public static final int DEFAULT_MAX_VALUE_SIZE = 409_600 + 1024;

    /**
     * Bytes a stored entry takes beyond its key and value, at most, in a compact store: the hash store's block header
     * (32) and its 8-byte alignment (up to 7).
     */
    public static final int ENTRY_OVERHEAD_BYTES = 40;

    private Path file;
    private long maxEntries = 100_000;
    /** 0: {@link #defaultMaxBytes} of the entry bound and the averages. */
    private long maxBytes;
    private int averageKeySize = DEFAULT_AVERAGE_KEY_SIZE;
    private int averageValueSize = DEFAULT_AVERAGE_VALUE_SIZE;
    private int maxValueSize = DEFAULT_MAX_VALUE_SIZE;
    private String name = "partition";
    private StoreFolios folios = StoreFolios.LARGE;
    private StoreMemory memory = StoreMemory.ANONYMOUS;

    /**
     * @return the map file.
     */
    public Path file()
    {
        return file;
    }

    /**
     * @param file the map file; created if absent, recovered if present.
     * @return this for a fluent API.
     */
    public StoreConfig file(final Path file)
    {
        this.file = file;
        return this;
    }

    /**
     * @return the number of average-sized entries the map is sized for.
     */
    public long maxEntries()
    {
        return maxEntries;
    }

    /**
     * @param maxEntries the number of average-sized entries the map is sized for (the partition bound).
     * @return this for a fluent API.
     */
    public StoreConfig maxEntries(final long maxEntries)
    {
        this.maxEntries = maxEntries;
        return this;
    }

    /**
     * The content bound a partition gets unless told otherwise: {@code maxEntries} average keys and values, and room
     * for four of the largest values (what the store was sized for before the bound existed).
     *
     * @param maxEntries       the entry bound.
     * @param averageKeySize   average key size in bytes.
     * @param averageValueSize average value size in bytes.
     * @return bytes of keys and values together.
     */
    public static long defaultMaxBytes(final long maxEntries, final int averageKeySize, final int averageValueSize)
    {
        return maxEntries * ((long)averageKeySize + averageValueSize) + 4L * DEFAULT_MAX_VALUE_SIZE;
    }

    /**
     * @return the most bytes of keys and values together the store must hold (its owner refuses writes past it);
     * the store is sized so that this much content, in at most {@link #maxEntries()} entries, always fits a compact
     * store.
     */
    public long maxBytes()
    {
        return 0 == maxBytes ? defaultMaxBytes(maxEntries, averageKeySize, averageValueSize) : maxBytes;
    }

    /**
     * @param maxBytes the most bytes of keys and values the store must hold; 0 derives it ({@link #defaultMaxBytes}).
     * @return this for a fluent API.
     */
    public StoreConfig maxBytes(final long maxBytes)
    {
        this.maxBytes = maxBytes;
        return this;
    }

    /**
     * @return average key size in bytes.
     */
    public int averageKeySize()
    {
        return averageKeySize;
    }

    /**
     * @param averageKeySize average key size in bytes.
     * @return this for a fluent API.
     */
    public StoreConfig averageKeySize(final int averageKeySize)
    {
        this.averageKeySize = averageKeySize;
        return this;
    }

    /**
     * @return average value size in bytes.
     */
    public int averageValueSize()
    {
        return averageValueSize;
    }

    /**
     * @param averageValueSize average value size in bytes.
     * @return this for a fluent API.
     */
    public StoreConfig averageValueSize(final int averageValueSize)
    {
        this.averageValueSize = averageValueSize;
        return this;
    }

    /**
     * @return largest value accepted, in bytes.
     */
    public int maxValueSize()
    {
        return maxValueSize;
    }

    /**
     * @param maxValueSize largest value accepted, in bytes; every segment tier is sized to hold several.
     * @return this for a fluent API.
     */
    public StoreConfig maxValueSize(final int maxValueSize)
    {
        this.maxValueSize = maxValueSize;
        return this;
    }

    /**
     * @return the map's name, used in logs and exception messages.
     */
    public String name()
    {
        return name;
    }

    /**
     * @param name the map's name, used in logs and exception messages.
     * @return this for a fluent API.
     */
    public StoreConfig name(final String name)
    {
        this.name = name;
        return this;
    }

    /**
     * @return the page-cache folio size the hash store's file is cached in; see {@link StoreFolios}.
     */
    public StoreFolios folios()
    {
        return folios;
    }

    /**
     * @param folios large page-cache folios (the kernel's read-around; default) or 4 KiB ones for the hash store's
     *               file; see {@link StoreFolios}. Chronicle Map stores ignore it.
     * @return this.
     */
    public StoreConfig folios(final StoreFolios folios)
    {
        this.folios = folios;
        return this;
    }

    /**
     * @return where the hash store's pages live while it is open; see {@link StoreMemory}.
     */
    public StoreMemory memory()
    {
        return memory;
    }

    /**
     * @param memory the process's own memory, written to the file by checkpoints (default), or the file's shared
     *               mapping; see {@link StoreMemory}. Chronicle Map stores ignore it (they are always mapped).
     * @return this.
     */
    public StoreConfig memory(final StoreMemory memory)
    {
        this.memory = memory;
        return this;
    }

    void validate()
    {
        if (null == memory || null == folios)
        {
            throw new IllegalArgumentException("memory and folios must be set: " + this);
        }
        if (null == file)
        {
            throw new IllegalArgumentException("file must be set: " + this);
        }
        if (maxEntries < 1)
        {
            throw new IllegalArgumentException("maxEntries must be >= 1: maxEntries=" + maxEntries);
        }
        if (maxBytes < 0)
        {
            throw new IllegalArgumentException("maxBytes must be >= 0 (0 derives it): maxBytes=" + maxBytes);
        }
        if (averageKeySize < 1 || averageKeySize > ItemStore.MAX_KEY_LENGTH)
        {
            throw new IllegalArgumentException("averageKeySize must be in 1.." + ItemStore.MAX_KEY_LENGTH +
                ": averageKeySize=" + averageKeySize);
        }
        if (averageValueSize < 1 || averageValueSize > maxValueSize)
        {
            throw new IllegalArgumentException("averageValueSize must be in 1..maxValueSize: averageValueSize=" +
                averageValueSize + " maxValueSize=" + maxValueSize);
        }
        if (null == name || name.isEmpty())
        {
            throw new IllegalArgumentException("name must be non-empty: name=" + name);
        }
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "StoreConfig{" +
            "file=" + file +
            ", maxEntries=" + maxEntries +
            ", maxBytes=" + maxBytes() +
            ", averageKeySize=" + averageKeySize +
            ", averageValueSize=" + averageValueSize +
            ", maxValueSize=" + maxValueSize +
            ", name='" + name + '\'' +
            ", memory=" + memory +
            ", folios=" + folios +
            '}';
    }
}
