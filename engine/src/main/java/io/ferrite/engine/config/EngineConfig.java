package io.ferrite.engine.config;

import io.ferrite.engine.store.StoreConfig;
import io.ferrite.engine.store.StoreKind;
import io.ferrite.engine.store.StoreFolios;
import io.ferrite.engine.store.StoreMemory;
import io.ferrite.engine.wal.FsyncPolicy;
import io.ferrite.engine.wal.PretouchMethod;
import io.ferrite.engine.wal.PretouchReadAhead;
import io.ferrite.engine.wal.WalConfig;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Configuration of one shard engine. Built with fluent setters or {@link #from(Settings)} (keys
 * {@code ferrite.engine.*}), validated by {@link #validate()}, printed at start-up by {@link #toString()}.
 * <p>
 * Not thread-safe: configure, then hand to the engine, which does not change it.
 */
public final class EngineConfig
{
    /** Prefix of every engine setting. */
    public static final String PREFIX = "ferrite.engine.";
    /** Default of {@link #minFreeDiskBytes()}: 64 MiB. */
    public static final long DEFAULT_MIN_FREE_DISK_BYTES = 64L * 1024 * 1024;
    /** Default of {@link #minAvailableMemoryBytes()}: 256 MiB. */
    public static final long DEFAULT_MIN_AVAILABLE_MEMORY_BYTES = 256L * 1024 * 1024;

    private Path dataDir;
    private FsyncPolicy fsyncPolicy = FsyncPolicy.BATCH;
    private StoreKind storeKind = StoreKind.HASH;
    private long fsyncBatchIntervalNs = TimeUnit.MILLISECONDS.toNanos(2);
    private int fsyncBatchMaxRecords = 256;
    private long walPretouchAheadBytes = WalConfig.DEFAULT_PRETOUCH_AHEAD_BYTES;
    private PretouchReadAhead walPretouchReadAhead = PretouchReadAhead.BY_POLICY;
    private StoreFolios storeFolios = StoreFolios.LARGE;
    private StoreMemory storeMemory = StoreMemory.ANONYMOUS;
    private PretouchMethod walPretouchMethod = PretouchMethod.BY_POLICY;
    private int initialPartitions = 1;
    private long partitionMaxItems = 1_000_000;
    private int averageItemBytes = 1024;
    private int averageKeyBytes = 48;
    /** 0: derived from the item bound and the averages ({@link StoreConfig#defaultMaxBytes}). */
    private long partitionMaxBytes;
    private boolean replica;
    private long checkpointIntervalRecords = 1_000_000;
    private long checkpointIntervalNs = TimeUnit.SECONDS.toNanos(60);
    private int commandQueueBytes = 4 * 1024 * 1024;
    private long minFreeDiskBytes = DEFAULT_MIN_FREE_DISK_BYTES;
    private long minAvailableMemoryBytes = DEFAULT_MIN_AVAILABLE_MEMORY_BYTES;

    /**
     * A new configuration holding every value of this one: a template's copy to adjust (a node gives each shard
     * one, with the shard's own data directory). Every field is copied, so a setting added later cannot be dropped
     * by a caller that copies field by field ({@code EngineConfigCopyTest} checks each field by reflection).
     *
     * @return the copy.
     */
    public EngineConfig copy()
    {
        final EngineConfig copy = new EngineConfig();
        copy.dataDir = dataDir;
        copy.fsyncPolicy = fsyncPolicy;
        copy.storeKind = storeKind;
        copy.fsyncBatchIntervalNs = fsyncBatchIntervalNs;
        copy.fsyncBatchMaxRecords = fsyncBatchMaxRecords;
        copy.walPretouchAheadBytes = walPretouchAheadBytes;
        copy.walPretouchReadAhead = walPretouchReadAhead;
        copy.storeFolios = storeFolios;
        copy.storeMemory = storeMemory;
        copy.walPretouchMethod = walPretouchMethod;
        copy.initialPartitions = initialPartitions;
        copy.partitionMaxItems = partitionMaxItems;
        copy.averageItemBytes = averageItemBytes;
        copy.averageKeyBytes = averageKeyBytes;
        copy.partitionMaxBytes = partitionMaxBytes;
        copy.replica = replica;
        copy.checkpointIntervalRecords = checkpointIntervalRecords;
        copy.checkpointIntervalNs = checkpointIntervalNs;
        copy.commandQueueBytes = commandQueueBytes;
        copy.minFreeDiskBytes = minFreeDiskBytes;
        copy.minAvailableMemoryBytes = minAvailableMemoryBytes;
        return copy;
    }

    /**
     * Reads every {@code ferrite.engine.*} key, keeping the defaults for the absent ones.
     *
     * @param settings the loaded settings.
     * @return a new config.
     */
    public static EngineConfig from(final Settings settings)
    {
        final EngineConfig config = new EngineConfig();
        final String dir = settings.string(PREFIX + "dataDir", null);
        if (null != dir)
        {
            config.dataDir(Path.of(dir));
        }
        config.fsyncPolicy(settings.enumValue(PREFIX + "fsync", FsyncPolicy.class, config.fsyncPolicy));
        config.storeKind(settings.enumValue(PREFIX + "store", StoreKind.class, config.storeKind));
        config.storeFolios(settings.enumValue(PREFIX + "storeFolios", StoreFolios.class, config.storeFolios));
        config.storeMemory(settings.enumValue(PREFIX + "storeMemory", StoreMemory.class, config.storeMemory));
        config.fsyncBatchIntervalNs(TimeUnit.MICROSECONDS.toNanos(settings.longValue(
            PREFIX + "fsyncBatchIntervalUs", TimeUnit.NANOSECONDS.toMicros(config.fsyncBatchIntervalNs), 1, 10_000_000)));
        config.fsyncBatchMaxRecords(settings.intValue(PREFIX + "fsyncBatchMaxRecords", config.fsyncBatchMaxRecords, 1, 1 << 20));
        config.walPretouchAheadBytes(settings.longValue(
            PREFIX + "walPretouchAheadBytes", config.walPretouchAheadBytes, 0, WalConfig.MAX_PRETOUCH_AHEAD_BYTES));
        config.walPretouchReadAhead(settings.enumValue(
            PREFIX + "walPretouchReadAhead", PretouchReadAhead.class, config.walPretouchReadAhead));
        config.walPretouchMethod(settings.enumValue(
            PREFIX + "walPretouchMethod", PretouchMethod.class, config.walPretouchMethod));
        config.initialPartitions(settings.intValue(PREFIX + "initialPartitions", config.initialPartitions, 1, 1024));
        config.partitionMaxItems(settings.longValue(PREFIX + "partitionMaxItems", config.partitionMaxItems, 16, 1L << 32));
        config.averageItemBytes(settings.intValue(PREFIX + "averageItemBytes", config.averageItemBytes, 16, 409_600));
        config.averageKeyBytes(settings.intValue(PREFIX + "averageKeyBytes", config.averageKeyBytes, 11, 3_100));
        config.partitionMaxBytes(settings.longValue(PREFIX + "partitionMaxBytes", config.partitionMaxBytes, 0, 1L << 50));
        config.checkpointIntervalRecords(settings.longValue(
            PREFIX + "checkpointIntervalRecords", config.checkpointIntervalRecords, 1, Long.MAX_VALUE));
        config.checkpointIntervalNs(TimeUnit.MILLISECONDS.toNanos(settings.longValue(
            PREFIX + "checkpointIntervalMs", TimeUnit.NANOSECONDS.toMillis(config.checkpointIntervalNs), 1, 86_400_000)));
        config.commandQueueBytes(settings.intValue(PREFIX + "commandQueueBytes", config.commandQueueBytes, 64 * 1024, 1 << 30));
        config.minFreeDiskBytes(settings.longValue(PREFIX + "minFreeDiskBytes", config.minFreeDiskBytes, 0, 1L << 50));
        config.minAvailableMemoryBytes(settings.longValue(
            PREFIX + "minAvailableMemoryBytes", config.minAvailableMemoryBytes, 0, 1L << 50));
        return config;
    }

    /**
     * Checks the combination of values.
     *
     * @return this.
     * @throws IllegalStateException naming the setting that is wrong.
     */
    public EngineConfig validate()
    {
        if (null == dataDir)
        {
            throw new IllegalStateException(PREFIX + "dataDir is not set: the engine needs a data directory");
        }
        if (walPretouchAheadBytes < 0 || walPretouchAheadBytes > WalConfig.MAX_PRETOUCH_AHEAD_BYTES)
        {
            throw new IllegalStateException(PREFIX + "walPretouchAheadBytes=" + walPretouchAheadBytes +
                " must be between 0 (no WAL pretoucher) and " + WalConfig.MAX_PRETOUCH_AHEAD_BYTES);
        }
        if (Integer.bitCount(commandQueueBytes) != 1)
        {
            throw new IllegalStateException(PREFIX + "commandQueueBytes=" + commandQueueBytes + " must be a power of two");
        }
        // The setters are not range-checked as the properties loader is; these would open and then misbehave
        // (a checkpoint on every duty cycle of an idle loop, "/ by zero" at each CreateTable).
        checkAtLeastOne("checkpointIntervalRecords", checkpointIntervalRecords);
        checkAtLeastOne("checkpointIntervalNs", checkpointIntervalNs);
        checkAtLeastOne("initialPartitions", initialPartitions);
        checkAtLeastOne("partitionMaxItems", partitionMaxItems);
        checkAtLeastOne("averageItemBytes", averageItemBytes);
        checkAtLeastOne("averageKeyBytes", averageKeyBytes);
        return this;
    }

    private static void checkAtLeastOne(final String name, final long value)
    {
        if (value < 1)
        {
            throw new IllegalStateException(PREFIX + name + "=" + value + " must be at least 1");
        }
    }

    /**
     * @return the data directory holding the catalog, partition stores and WAL.
     */
    public Path dataDir()
    {
        return dataDir;
    }

    /**
     * @param dataDir the data directory holding the catalog, partition stores and WAL.
     * @return this.
     */
    public EngineConfig dataDir(final Path dataDir)
    {
        this.dataDir = dataDir;
        return this;
    }

    /**
     * @return the item store new partitions are created with (existing files keep their own kind).
     */
    public StoreKind storeKind()
    {
        return storeKind;
    }

    /**
     * @param storeKind the item store new partitions are created with: {@link StoreKind#HASH} (decision 0014) or
     *                  {@link StoreKind#CHRONICLE} (decision 0003); a partition whose file exists keeps its kind.
     * @return this.
     */
    public EngineConfig storeKind(final StoreKind storeKind)
    {
        this.storeKind = java.util.Objects.requireNonNull(storeKind, "storeKind");
        return this;
    }

    /**
     * @return when an acknowledged write reaches stable storage; see {@link FsyncPolicy}.
     */
    public FsyncPolicy fsyncPolicy()
    {
        return fsyncPolicy;
    }

    /**
     * @param fsyncPolicy when an acknowledged write reaches stable storage.
     * @return this.
     */
    public EngineConfig fsyncPolicy(final FsyncPolicy fsyncPolicy)
    {
        this.fsyncPolicy = fsyncPolicy;
        return this;
    }

    /**
     * @return with {@link FsyncPolicy#BATCH}: the longest an acknowledged write stays unsynced.
     */
    public long fsyncBatchIntervalNs()
    {
        return fsyncBatchIntervalNs;
    }

    /**
     * @param fsyncBatchIntervalNs with {@link FsyncPolicy#BATCH}: the longest an acknowledged write stays unsynced.
     * @return this.
     */
    public EngineConfig fsyncBatchIntervalNs(final long fsyncBatchIntervalNs)
    {
        this.fsyncBatchIntervalNs = fsyncBatchIntervalNs;
        return this;
    }

    /**
     * @return with {@link FsyncPolicy#BATCH}: the most records written between two syncs.
     */
    public int fsyncBatchMaxRecords()
    {
        return fsyncBatchMaxRecords;
    }

    /**
     * @param fsyncBatchMaxRecords with {@link FsyncPolicy#BATCH}: the most records written between two syncs.
     * @return this.
     */
    public EngineConfig fsyncBatchMaxRecords(final int fsyncBatchMaxRecords)
    {
        this.fsyncBatchMaxRecords = fsyncBatchMaxRecords;
        return this;
    }

    /**
     * @return how far ahead of its write position the WAL's pretoucher thread reads the file being written; 0
     * for none. See {@link WalConfig#pretouchAheadBytes(long)}.
     */
    public long walPretouchAheadBytes()
    {
        return walPretouchAheadBytes;
    }

    /**
     * @param walPretouchAheadBytes how far ahead of its write position the WAL's pretoucher thread reads the file
     *                              being written, so that the shard thread never pays the kernel's read-around
     *                              of a fresh file region; 0 starts no pretoucher.
     * @return this.
     */
    public EngineConfig walPretouchAheadBytes(final long walPretouchAheadBytes)
    {
        this.walPretouchAheadBytes = walPretouchAheadBytes;
        return this;
    }

    /**
     * @return how the WAL's pretoucher prepares the log ahead of the shard thread. See {@link PretouchMethod}.
     */
    public PretouchMethod walPretouchMethod()
    {
        return walPretouchMethod;
    }

    /**
     * @param walPretouchMethod how the WAL's pretoucher prepares the log ahead of the shard thread: fault its pages
     *                          in writable through the log's own mapping ({@link PretouchMethod#POPULATE}: the shard
     *                          thread takes almost no page fault on the log), or read it into the page cache
     *                          ({@link PretouchMethod#READ}, as {@link #walPretouchReadAhead} says); default
     *                          {@link PretouchMethod#BY_POLICY}, which populates under fsync NONE and BATCH.
     * @return this.
     */
    public EngineConfig walPretouchMethod(final PretouchMethod walPretouchMethod)
    {
        this.walPretouchMethod = walPretouchMethod;
        return this;
    }

    /**
     * @return where the hash stores' pages live while open. See {@link StoreMemory}.
     */
    public StoreMemory storeMemory()
    {
        return storeMemory;
    }

    /**
     * @param storeMemory the process's own memory, whose changed pages checkpoints write to the files (default), or
     *                    the files' shared mappings, which the kernel writes back. See {@link StoreMemory}.
     * @return this.
     */
    public EngineConfig storeMemory(final StoreMemory storeMemory)
    {
        this.storeMemory = java.util.Objects.requireNonNull(storeMemory, "storeMemory");
        return this;
    }

    /**
     * @return the page-cache folio size of the hash stores' files when they are mapped. See {@link StoreFolios}.
     */
    public StoreFolios storeFolios()
    {
        return storeFolios;
    }

    /**
     * @param storeFolios large page-cache folios for the hash stores' files (the kernel's read-around: the most
     *                    throughput near full speed) or 4 KiB ones (a fraction of the disk writes and a shorter tail
     *                    at moderate write rates); default {@link StoreFolios#LARGE}. Only for
     *                    {@link StoreMemory#MAPPED} stores. See {@link StoreFolios}.
     * @return this.
     */
    public EngineConfig storeFolios(final StoreFolios storeFolios)
    {
        this.storeFolios = java.util.Objects.requireNonNull(storeFolios, "storeFolios");
        return this;
    }

    /**
     * @return whether the WAL's pretoucher reads with the kernel's read-ahead. See {@link PretouchReadAhead}.
     */
    public PretouchReadAhead walPretouchReadAhead()
    {
        return walPretouchReadAhead;
    }

    /**
     * @param walPretouchReadAhead whether the WAL's pretoucher reads with the kernel's read-ahead (large page-cache
     *                             folios: the fewest faults) or without (4 KiB folios: what a WAL synced as it is
     *                             written needs, see {@link PretouchReadAhead}); default {@link PretouchReadAhead#BY_POLICY}
     *                             (off unless fsync is NONE).
     * @return this.
     */
    public EngineConfig walPretouchReadAhead(final PretouchReadAhead walPretouchReadAhead)
    {
        this.walPretouchReadAhead = walPretouchReadAhead;
        return this;
    }

    /**
     * @return partitions a new table starts with, each owning an equal share of the hash space.
     */
    public int initialPartitions()
    {
        return initialPartitions;
    }

    /**
     * @param initialPartitions partitions a new table starts with.
     * @return this.
     */
    public EngineConfig initialPartitions(final int initialPartitions)
    {
        this.initialPartitions = initialPartitions;
        return this;
    }

    /**
     * @return the most items one partition holds; its store is sized for this up front.
     */
    public long partitionMaxItems()
    {
        return partitionMaxItems;
    }

    /**
     * @param partitionMaxItems the most items one partition holds.
     * @return this.
     */
    public EngineConfig partitionMaxItems(final long partitionMaxItems)
    {
        this.partitionMaxItems = partitionMaxItems;
        return this;
    }

    /**
     * @return the expected average item size, used to size partition stores.
     */
    public int averageItemBytes()
    {
        return averageItemBytes;
    }

    /**
     * @param averageItemBytes the expected average item size, used to size partition stores.
     * @return this.
     */
    public EngineConfig averageItemBytes(final int averageItemBytes)
    {
        this.averageItemBytes = averageItemBytes;
        return this;
    }

    /**
     * @return the most bytes one partition's items and their encoded keys may take together: a put or update that
     * would take the partition past it (or past {@link #partitionMaxItems()}) is refused with
     * ItemCollectionSizeLimitExceeded before the store is asked, and the store is sized so that content within it
     * fits. The rule depends only on the partition's content, so every replica fed the same writes decides alike.
     * Unless set: {@link StoreConfig#defaultMaxBytes} of the item bound and the averages (the average items, and
     * room for four of the largest).
     */
    public long partitionMaxBytes()
    {
        return 0 == partitionMaxBytes ?
            StoreConfig.defaultMaxBytes(partitionMaxItems, averageKeyBytes, averageItemBytes) : partitionMaxBytes;
    }

    /**
     * @param partitionMaxBytes the most bytes one partition's items and keys take together; 0 derives it from
     *                          {@link #partitionMaxItems()} and the averages.
     * @return this.
     */
    public EngineConfig partitionMaxBytes(final long partitionMaxBytes)
    {
        if (partitionMaxBytes < 0)
        {
            throw new IllegalArgumentException(PREFIX + "partitionMaxBytes must be >= 0 (0 derives it), got " +
                partitionMaxBytes);
        }
        this.partitionMaxBytes = partitionMaxBytes;
        return this;
    }

    /**
     * @return true when this shard is one replica of a replicated log (a cell member), see {@link #replica(boolean)}.
     */
    public boolean replica()
    {
        return replica;
    }

    /**
     * @param replica true when this shard is one replica of a replicated log (a cell member): a store that is full
     *                although the partition is within {@link #partitionMaxBytes()} (its arena fragmented by this
     *                replica's own history) then throws the {@link io.ferrite.engine.store.StoreFullException}
     *                instead of answering ItemCollectionSizeLimitExceeded, since another replica with the same items
     *                may have room: the replica must stop rather than answer differently. A replica also holds what
     *                requests write to the stored items' nesting bound (32 levels) rather than DynamoDB's 31, since
     *                its log may hold requests written when Ferrite accepted 32 and replaying one must do what it
     *                did then. Embedded users keep the default, false: the put is refused with
     *                ItemCollectionSizeLimitExceeded, and requests are held to 31 levels.
     * @return this.
     */
    public EngineConfig replica(final boolean replica)
    {
        this.replica = replica;
        return this;
    }

    /**
     * @return the expected average encoded primary key size, used to size partition stores.
     */
    public int averageKeyBytes()
    {
        return averageKeyBytes;
    }

    /**
     * @param averageKeyBytes the expected average encoded primary key size.
     * @return this.
     */
    public EngineConfig averageKeyBytes(final int averageKeyBytes)
    {
        this.averageKeyBytes = averageKeyBytes;
        return this;
    }

    /**
     * @return WAL records between two checkpoints.
     */
    public long checkpointIntervalRecords()
    {
        return checkpointIntervalRecords;
    }

    /**
     * @param checkpointIntervalRecords WAL records between two checkpoints.
     * @return this.
     */
    public EngineConfig checkpointIntervalRecords(final long checkpointIntervalRecords)
    {
        this.checkpointIntervalRecords = checkpointIntervalRecords;
        return this;
    }

    /**
     * @return the longest time between two checkpoints while writes arrive.
     */
    public long checkpointIntervalNs()
    {
        return checkpointIntervalNs;
    }

    /**
     * @param checkpointIntervalNs the longest time between two checkpoints while writes arrive.
     * @return this.
     */
    public EngineConfig checkpointIntervalNs(final long checkpointIntervalNs)
    {
        this.checkpointIntervalNs = checkpointIntervalNs;
        return this;
    }

    /**
     * @return capacity in bytes of the queued mode's command ring buffer (a power of two).
     */
    public int commandQueueBytes()
    {
        return commandQueueBytes;
    }

    /**
     * @param commandQueueBytes capacity in bytes of the queued mode's command ring buffer (a power of two).
     * @return this.
     */
    public EngineConfig commandQueueBytes(final int commandQueueBytes)
    {
        this.commandQueueBytes = commandQueueBytes;
        return this;
    }

    /**
     * @return the least usable space, in bytes, the data directory's file system must have for the shard to accept
     *     writes; below it writes are refused with an InternalServerError and reads go on, and the engine does not
     *     open. 0: no check.
     */
    public long minFreeDiskBytes()
    {
        return minFreeDiskBytes;
    }

    /**
     * @param minFreeDiskBytes the least usable space the data directory's file system must have for writes (a write
     *                         through the engine's memory-mapped files into a full file system would crash the shard's
     *                         thread); 0 turns the check off.
     * @return this.
     */
    public EngineConfig minFreeDiskBytes(final long minFreeDiskBytes)
    {
        if (minFreeDiskBytes < 0)
        {
            throw new IllegalArgumentException(PREFIX + "minFreeDiskBytes must be >= 0 (0: no check), got " +
                minFreeDiskBytes);
        }
        this.minFreeDiskBytes = minFreeDiskBytes;
        return this;
    }

    /**
     * @return the least memory, in bytes, the machine must have available ({@code MemAvailable}) for the shard to
     *     accept writes while its stores live in its own memory ({@link StoreMemory#ANONYMOUS}); below it writes are
     *     refused with an InternalServerError and reads go on. 0: no check. Not checked for mapped stores, whose pages
     *     the kernel can write back and drop.
     */
    public long minAvailableMemoryBytes()
    {
        return minAvailableMemoryBytes;
    }

    /**
     * @param minAvailableMemoryBytes the least memory the machine must have available for writes while the stores
     *                                live in the process's own memory (growing them further could end in the kernel
     *                                killing the process); 0 turns the check off.
     * @return this.
     */
    public EngineConfig minAvailableMemoryBytes(final long minAvailableMemoryBytes)
    {
        if (minAvailableMemoryBytes < 0)
        {
            throw new IllegalArgumentException(PREFIX + "minAvailableMemoryBytes must be >= 0 (0: no check), got " +
                minAvailableMemoryBytes);
        }
        this.minAvailableMemoryBytes = minAvailableMemoryBytes;
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "EngineConfig{" +
            "dataDir=" + dataDir +
            ", fsync=" + fsyncPolicy +
            ", store=" + storeKind +
            ", fsyncBatchIntervalUs=" + TimeUnit.NANOSECONDS.toMicros(fsyncBatchIntervalNs) +
            ", fsyncBatchMaxRecords=" + fsyncBatchMaxRecords +
            ", walPretouchAheadBytes=" + walPretouchAheadBytes +
            ", walPretouchMethod=" + walPretouchMethod +
            ", walPretouchReadAhead=" + walPretouchReadAhead +
            ", storeMemory=" + storeMemory +
            ", storeFolios=" + storeFolios +
            ", initialPartitions=" + initialPartitions +
            ", partitionMaxItems=" + partitionMaxItems +
            ", averageItemBytes=" + averageItemBytes +
            ", averageKeyBytes=" + averageKeyBytes +
            ", partitionMaxBytes=" + partitionMaxBytes() +
            ", replica=" + replica +
            ", checkpointIntervalRecords=" + checkpointIntervalRecords +
            ", checkpointIntervalMs=" + TimeUnit.NANOSECONDS.toMillis(checkpointIntervalNs) +
            ", commandQueueBytes=" + commandQueueBytes +
            ", minFreeDiskBytes=" + minFreeDiskBytes +
            ", minAvailableMemoryBytes=" + minAvailableMemoryBytes +
            '}';
    }
}
