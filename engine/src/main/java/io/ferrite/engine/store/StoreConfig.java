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

    private Path file;
    private long maxEntries = 100_000;
    private int averageKeySize = DEFAULT_AVERAGE_KEY_SIZE;
    private int averageValueSize = DEFAULT_AVERAGE_VALUE_SIZE;
    private int maxValueSize = DEFAULT_MAX_VALUE_SIZE;
    private String name = "partition";

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

    void validate()
    {
        if (null == file)
        {
            throw new IllegalArgumentException("file must be set: " + this);
        }
        if (maxEntries < 1)
        {
            throw new IllegalArgumentException("maxEntries must be >= 1: maxEntries=" + maxEntries);
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
            ", averageKeySize=" + averageKeySize +
            ", averageValueSize=" + averageValueSize +
            ", maxValueSize=" + maxValueSize +
            ", name='" + name + '\'' +
            '}';
    }
}
