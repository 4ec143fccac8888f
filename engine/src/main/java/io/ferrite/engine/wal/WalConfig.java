package io.ferrite.engine.wal;

import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Configuration of one shard's {@link Wal}: fluent setters, validated when the {@link Wal} opens,
 * printed by {@link #toString()} at start-up.
 * <p>
 * Not thread safe: build it on one thread, then hand it to {@link Wal#Wal(WalConfig)}, which does not
 * keep a reference to it after construction.
 */
public final class WalConfig
{
    /** BATCH: default longest time an acknowledged record may sit unsynced: 2 ms. */
    public static final long DEFAULT_BATCH_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(2);
    /** BATCH: default number of unsynced records that forces a sync. */
    public static final int DEFAULT_BATCH_MAX_RECORDS = 256;
    /** Default for how long Chronicle waits for a write lock or an unfinished header left by a killed writer. */
    public static final long DEFAULT_QUEUE_TIMEOUT_MS = 500;
    /** Default largest encoded record: a 400 KB item, its keys, and headroom. */
    public static final int DEFAULT_MAX_RECORD_LENGTH = 1024 * 1024;
    /**
     * Default for how far ahead of the write position the WAL's pretoucher thread pulls the file into the page
     * cache: 16 MiB, twice a typical Linux mmap read-around window (the disk's {@code read_ahead_kb}, 8 MiB on the
     * project's VM), and no more than the 16 MiB Chronicle maps beyond the current chunk.
     */
    public static final long DEFAULT_PRETOUCH_AHEAD_BYTES = 16L * 1024 * 1024;
    /** Largest accepted {@link #pretouchAheadBytes(long)}: 1 GiB. */
    public static final long MAX_PRETOUCH_AHEAD_BYTES = 1L << 30;

    private Path directory;
    private FsyncPolicy fsyncPolicy = FsyncPolicy.BATCH;
    private long batchIntervalNs = DEFAULT_BATCH_INTERVAL_NS;
    private int batchMaxRecords = DEFAULT_BATCH_MAX_RECORDS;
    private RollCycle rollCycle = RollCycles.FAST_HOURLY;
    private long queueTimeoutMs = DEFAULT_QUEUE_TIMEOUT_MS;
    private int maxRecordLength = DEFAULT_MAX_RECORD_LENGTH;
    private long pretouchAheadBytes = DEFAULT_PRETOUCH_AHEAD_BYTES;
    private PretouchReadAhead pretouchReadAhead = PretouchReadAhead.BY_POLICY;
    private PretouchMethod pretouchMethod = PretouchMethod.BY_POLICY;
    /** Linux's {@code MADV_POPULATE_WRITE} (5.14): fault the range in writable, as a write would, without writing. */
    static final int MADV_POPULATE_WRITE = 23;
    private int populateAdvice = MADV_POPULATE_WRITE;
    private boolean unmapsSyncedPages = true;
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private TimeProvider rollClock = SystemTimeProvider.INSTANCE;

    /**
     * @param directory holding this shard's queue files (created if absent).
     * @return this.
     */
    public WalConfig directory(final Path directory)
    {
        this.directory = directory;
        return this;
    }

    /**
     * @return the directory holding this shard's queue files.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @param fsyncPolicy when an append is forced to stable storage; default {@link FsyncPolicy#BATCH}.
     * @return this.
     */
    public WalConfig fsyncPolicy(final FsyncPolicy fsyncPolicy)
    {
        this.fsyncPolicy = fsyncPolicy;
        return this;
    }

    /**
     * @return when an append is forced to stable storage.
     */
    public FsyncPolicy fsyncPolicy()
    {
        return fsyncPolicy;
    }

    /**
     * @param batchIntervalNs BATCH: longest time the oldest unsynced record may wait for a sync.
     * @return this.
     */
    public WalConfig batchIntervalNs(final long batchIntervalNs)
    {
        this.batchIntervalNs = batchIntervalNs;
        return this;
    }

    /**
     * @return BATCH: longest time the oldest unsynced record may wait for a sync.
     */
    public long batchIntervalNs()
    {
        return batchIntervalNs;
    }

    /**
     * @param batchMaxRecords BATCH: number of unsynced records at which the appender wakes the syncer early.
     * @return this.
     */
    public WalConfig batchMaxRecords(final int batchMaxRecords)
    {
        this.batchMaxRecords = batchMaxRecords;
        return this;
    }

    /**
     * @return BATCH: number of unsynced records at which the appender wakes the syncer early.
     */
    public int batchMaxRecords()
    {
        return batchMaxRecords;
    }

    /**
     * @param rollCycle how often a new queue file starts; the granularity of {@link Wal#purgeUpTo(long)}.
     *                  Default {@link RollCycles#FAST_HOURLY}.
     * @return this.
     */
    public WalConfig rollCycle(final RollCycle rollCycle)
    {
        this.rollCycle = rollCycle;
        return this;
    }

    /**
     * @return how often a new queue file starts.
     */
    public RollCycle rollCycle()
    {
        return rollCycle;
    }

    /**
     * @param queueTimeoutMs how long Chronicle waits on a write lock or an unfinished document header
     *                       before recovering it; bounds reopen time after a writer was killed.
     * @return this.
     */
    public WalConfig queueTimeoutMs(final long queueTimeoutMs)
    {
        this.queueTimeoutMs = queueTimeoutMs;
        return this;
    }

    /**
     * @return how long Chronicle waits on a write lock or an unfinished header before recovering it.
     */
    public long queueTimeoutMs()
    {
        return queueTimeoutMs;
    }

    /**
     * @param maxRecordLength largest encoded record accepted by {@link Wal#append}, in bytes.
     * @return this.
     */
    public WalConfig maxRecordLength(final int maxRecordLength)
    {
        this.maxRecordLength = maxRecordLength;
        return this;
    }

    /**
     * @return largest encoded record accepted by {@link Wal#append}, in bytes.
     */
    public int maxRecordLength()
    {
        return maxRecordLength;
    }

    /**
     * @param pretouchAheadBytes how far ahead of the write position the WAL's pretoucher thread reads the file
     *                           being written, so that the page cache already holds those pages when the
     *                           owner's stores reach them (see {@link Wal}); 0 starts no pretoucher.
     * @return this.
     */
    public WalConfig pretouchAheadBytes(final long pretouchAheadBytes)
    {
        this.pretouchAheadBytes = pretouchAheadBytes;
        return this;
    }

    /**
     * @return how far ahead of the write position the pretoucher reads; 0 when there is none.
     */
    public long pretouchAheadBytes()
    {
        return pretouchAheadBytes;
    }

    /**
     * @param pretouchMethod how the pretoucher prepares the file ahead of the owner: fault its pages in writable
     *                       through the appender's own mapping ({@link PretouchMethod#POPULATE}), or read it into
     *                       the page cache ({@link PretouchMethod#READ}, as {@link #pretouchReadAhead} says); default
     *                       {@link PretouchMethod#BY_POLICY}, which populates under NONE and BATCH.
     * @return this.
     */
    public WalConfig pretouchMethod(final PretouchMethod pretouchMethod)
    {
        this.pretouchMethod = pretouchMethod;
        return this;
    }

    /**
     * @return how the pretoucher prepares the file ahead of the owner; see {@link PretouchMethod}.
     */
    public PretouchMethod pretouchMethod()
    {
        return pretouchMethod;
    }

    /**
     * Tests only: the {@code madvise} advice {@link PretouchMethod#POPULATE} passes, so that a test can make the
     * kernel refuse it as a kernel before 5.14 does and see the fallback to reading.
     *
     * @param advice the advice number.
     * @return this.
     */
    WalConfig populateAdviceForTesting(final int advice)
    {
        this.populateAdvice = advice;
        return this;
    }

    int populateAdvice()
    {
        return populateAdvice;
    }

    /**
     * Tests only: whether the BATCH syncer unmaps the pages it is about to sync from the appender's mapping (the
     * default; decision 0007, "Unmapping what is synced"), so that a test can see what it changes.
     *
     * @param unmaps false to leave them mapped.
     * @return this.
     */
    WalConfig unmapSyncedPagesForTesting(final boolean unmaps)
    {
        this.unmapsSyncedPages = unmaps;
        return this;
    }

    boolean unmapsSyncedPages()
    {
        return unmapsSyncedPages;
    }

    /**
     * @param pretouchReadAhead whether the log is cached in large page-cache folios (the fewest faults) or 4 KiB ones
     *                          (what a file synced while it is written needs): a reading pretoucher
     *                          reads with the kernel's read-ahead or without it, a populating one leaves its chunks
     *                          alone or advises them {@code MADV_RANDOM}; default {@link PretouchReadAhead#BY_POLICY},
     *                          which is large folios only under NONE.
     * @return this.
     */
    public WalConfig pretouchReadAhead(final PretouchReadAhead pretouchReadAhead)
    {
        this.pretouchReadAhead = pretouchReadAhead;
        return this;
    }

    /**
     * @return whether the pretoucher reads with the kernel's read-ahead; see {@link PretouchReadAhead}.
     */
    public PretouchReadAhead pretouchReadAhead()
    {
        return pretouchReadAhead;
    }

    /**
     * @param nanoClock the loop's clock, whose times {@link Wal#flushIfDue(long)} takes; the BATCH syncer
     *                  runs on its own thread's timer and does not read it.
     * @return this.
     */
    public WalConfig nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    /**
     * @return the loop's clock (see {@link #nanoClock(NanoClock)}).
     */
    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    /**
     * Test hook: the wall clock that decides Chronicle's file roll.
     *
     * @param rollClock deciding which cycle file an append goes to.
     * @return this.
     */
    WalConfig rollClock(final TimeProvider rollClock)
    {
        this.rollClock = rollClock;
        return this;
    }

    TimeProvider rollClock()
    {
        return rollClock;
    }

    /**
     * Checks every value, naming the one that is wrong.
     *
     * @throws IllegalArgumentException for a missing or out of range value.
     */
    void validate()
    {
        Objects.requireNonNull(directory, "WalConfig.directory must be set");
        Objects.requireNonNull(fsyncPolicy, "WalConfig.fsyncPolicy must be set");
        Objects.requireNonNull(rollCycle, "WalConfig.rollCycle must be set");
        Objects.requireNonNull(pretouchReadAhead, "WalConfig.pretouchReadAhead must be set");
        Objects.requireNonNull(pretouchMethod, "WalConfig.pretouchMethod must be set");
        Objects.requireNonNull(nanoClock, "WalConfig.nanoClock must be set");
        if (batchIntervalNs <= 0)
        {
            throw new IllegalArgumentException("WalConfig.batchIntervalNs must be > 0: " + batchIntervalNs);
        }
        if (batchMaxRecords <= 0)
        {
            throw new IllegalArgumentException("WalConfig.batchMaxRecords must be > 0: " + batchMaxRecords);
        }
        if (queueTimeoutMs <= 0)
        {
            throw new IllegalArgumentException("WalConfig.queueTimeoutMs must be > 0: " + queueTimeoutMs);
        }
        if (pretouchAheadBytes < 0 || pretouchAheadBytes > MAX_PRETOUCH_AHEAD_BYTES)
        {
            throw new IllegalArgumentException("WalConfig.pretouchAheadBytes must be between 0 (no pretoucher) and " +
                MAX_PRETOUCH_AHEAD_BYTES + ": " + pretouchAheadBytes);
        }
        if (maxRecordLength < Wal.MIN_RECORD_LENGTH)
        {
            throw new IllegalArgumentException(
                "WalConfig.maxRecordLength must be >= " + Wal.MIN_RECORD_LENGTH + ": " + maxRecordLength);
        }
    }

    /**
     * @return every setting, for the start-up log.
     */
    public String toString()
    {
        return "WalConfig{" +
            "directory=" + directory +
            ", fsyncPolicy=" + fsyncPolicy +
            ", batchIntervalNs=" + batchIntervalNs +
            ", batchMaxRecords=" + batchMaxRecords +
            ", rollCycle=" + rollCycle +
            ", queueTimeoutMs=" + queueTimeoutMs +
            ", maxRecordLength=" + maxRecordLength +
            ", pretouchAheadBytes=" + pretouchAheadBytes +
            ", pretouchMethod=" + pretouchMethod +
            ", pretouchReadAhead=" + pretouchReadAhead +
            '}';
    }
}
