package io.ferrite.engine.shard;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.store.MemAvailable;
import org.agrona.CloseHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Keeps a shard from writing while something its writes consume runs short, and lets it go on serving reads: the
 * data directory's file system's space ({@link #disk}) and, while the stores live in the process's own memory, the
 * machine's available memory ({@link #memory}). Below the margin a write gets an InternalServerError that says which
 * and why; writes are accepted again once the resource is back above it.
 * <p>
 * <b>Disk.</b> The WAL and the item stores are memory-mapped files: a write through a mapping into a page the file
 * system has no block for raises SIGBUS, which the JVM turns into an {@link InternalError} in whatever thread touched
 * the page, here the shard's. The shard thread died of it and every later request for the shard waited for its
 * timeout, while the process went on looking healthy. So the shard refuses writes while the file system has less than
 * {@code ferrite.engine.minFreeDiskBytes} usable. The engine also refuses to open below that margin: recovery writes
 * the stores.
 * <p>
 * <b>Memory.</b> A store in the process's own memory ({@code ferrite.engine.storeMemory=anonymous}, decision 0014)
 * grows with the items put into it, and those pages cannot be written back and dropped as a mapped file's can. On a
 * machine without swap, as servers usually are, running out of memory has the kernel kill a process, this one or
 * another, with nothing in the shard's log to say why; and the next open refuses a store larger than the memory
 * available. So the shard refuses writes while {@code MemAvailable} is under {@code
 * ferrite.engine.minAvailableMemoryBytes}. The guard sees the machine, not the shard: memory others take counts too.
 * <p>
 * A daemon thread samples the resource ({@link FileStore#getUsableSpace()} allocates, so not on the shard's thread;
 * {@code /proc/meminfo} is read without allocating) every 50 ms to 1 s: the nearer the margin, the sooner ({@link
 * #intervalMs}); the shard reads one volatile flag per write. Between two samples a shard writing at 1 GiB/s uses at
 * most half of what is left above the margin, and within 50 ms of it at most 50 MB: the margin covers that (at 300,000
 * puts/s of 1 KB, ~30 MB of log and store) plus what a checkpoint and a new log file take.
 * <p>
 * Threading: {@link #low()} and {@link #freeBytes()} from any thread; {@link #close()} from the shard's owner.
 */
final class HeadroomGuard implements AutoCloseable
{
    /** The shortest time between two samples of the usable space: close to the margin, or under it. */
    static final long MIN_INTERVAL_MS = 50;
    /** The longest time between two samples: far from the margin. */
    static final long MAX_INTERVAL_MS = 1_000;
    /**
     * A write rate (log and store together) faster than a shard's, 1 GiB/s: the next sample comes before the shard
     * could have written half the space left above the margin at this rate.
     */
    static final long FAST_WRITE_BYTES_PER_MS = 1L << 20;
    /** What the message of every refusal starts with. */
    static final String REFUSAL_PREFIX = "Writes are refused: ";

    private static final Logger LOG = LoggerFactory.getLogger(HeadroomGuard.class);

    private final Path dir;
    /** What is measured, as the messages name it: "the file system of DIR", "this machine". */
    private final String subject;
    /** The measure's unit as the messages say it after the count: "usable", "of memory available (MemAvailable)". */
    private final String unit;
    /** The setting that sets the margin. */
    private final String setting;
    /** What a write under the margin risks, and what brings writes back, for the refusal. */
    private final String hazard;
    private final String remedy;
    private final long minFreeBytes;
    private final LongSupplier usableBytes;
    /** What the measure reads from, closed with the guard; may be null. */
    private final AutoCloseable source;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean low;
    private volatile long freeBytes = Long.MAX_VALUE;
    /** Sampling thread only: the last read of the usable space failed. */
    private boolean readFailing;

    /**
     * The guard of the data directory's file system: samples once, then starts sampling on a daemon thread (none when
     * the guard is off).
     *
     * @param dir          the data directory.
     * @param minFreeBytes the least usable space writes are accepted with; 0 turns the guard off.
     * @param usableBytes  reads the file system's usable bytes (a test gives its own); null for the real one.
     * @return the guard.
     */
    static HeadroomGuard disk(final Path dir, final long minFreeBytes, final LongSupplier usableBytes)
    {
        return new HeadroomGuard(dir, "the file system of " + dir, "usable", "ferrite.engine.minFreeDiskBytes",
            "a write into a full file system through the engine's memory-mapped files would crash the shard",
            "space is freed", minFreeBytes, null != usableBytes ? usableBytes : fileStoreOf(dir), "ferrite-disk-guard ",
            null);
    }

    /**
     * The guard of the machine's available memory, for a shard whose stores live in its own memory: samples once,
     * then starts sampling on a daemon thread (none when the guard is off).
     *
     * @param dir               the data directory (names the thread and the messages' shard).
     * @param minAvailableBytes the least memory available writes are accepted with; 0 turns the guard off.
     * @param availableBytes    reads the bytes available (a test gives its own); null for {@code MemAvailable} of
     *                          {@code /proc/meminfo}, read without allocating ({@link MemAvailable}; where it cannot be
     *                          read the guard is off, with a warning).
     * @return the guard.
     */
    static HeadroomGuard memory(final Path dir, final long minAvailableBytes, final LongSupplier availableBytes)
    {
        LongSupplier read = availableBytes;
        MemAvailable reader = null;
        long minimum = minAvailableBytes;
        if (null == read && minAvailableBytes > 0)
        {
            try
            {
                reader = new MemAvailable(Path.of("/proc/meminfo"));
                reader.getAsLong();
                read = reader;
            }
            catch (final RuntimeException ex)
            {
                CloseHelper.quietClose(reader);
                reader = null;
                minimum = 0;
                LOG.warn("{}: cannot read the machine's available memory ({}); writes are not refused when memory " +
                    "runs short (ferrite.engine.minAvailableMemoryBytes has no effect here)", dir, ex.toString());
            }
        }
        return new HeadroomGuard(dir, "this machine", "of memory available (MemAvailable)",
            "ferrite.engine.minAvailableMemoryBytes", "the shard's item stores live in the process's own memory " +
            "(ferrite.engine.storeMemory=anonymous), and a machine out of memory has the kernel kill a process, " +
            "this one or another", "memory is freed (a store larger than memory needs ferrite.engine.storeMemory=" +
            "mapped)", minimum, read, "ferrite-memory-guard ", reader);
    }

    private HeadroomGuard(final Path dir, final String subject, final String unit, final String setting,
        final String hazard, final String remedy, final long minFreeBytes, final LongSupplier usableBytes,
        final String threadName, final AutoCloseable source)
    {
        this.source = source;
        this.dir = dir;
        this.subject = subject;
        this.unit = unit;
        this.setting = setting;
        this.hazard = hazard;
        this.remedy = remedy;
        this.minFreeBytes = minFreeBytes;
        this.usableBytes = usableBytes;
        if (0 == minFreeBytes)
        {
            thread = null;
            return;
        }
        sample();
        thread = new Thread(this::run, threadName + dir);
        thread.setDaemon(true);
        thread.start();
    }

    private static LongSupplier fileStoreOf(final Path dir)
    {
        final FileStore store;
        try
        {
            store = Files.getFileStore(dir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot find the file system of " + dir, ex);
        }
        return () ->
        {
            try
            {
                return store.getUsableSpace();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        };
    }

    private void run()
    {
        while (running)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(intervalMs(freeBytes, minFreeBytes)));
            if (running)
            {
                sample();
            }
        }
    }

    /**
     * @param freeBytes    the usable bytes at the last sample.
     * @param minFreeBytes the margin.
     * @return how long to wait for the next sample: the time a shard writing at {@link #FAST_WRITE_BYTES_PER_MS} would
     *     take to use half the space above the margin, between {@link #MIN_INTERVAL_MS} and {@link #MAX_INTERVAL_MS}.
     *     Each sample allocates (~100 bytes, in the JDK), so far from the margin it is taken once a second.
     */
    static long intervalMs(final long freeBytes, final long minFreeBytes)
    {
        final long headroom = freeBytes - minFreeBytes;
        if (headroom <= 0)
        {
            return MIN_INTERVAL_MS;
        }
        return Math.max(MIN_INTERVAL_MS, Math.min(MAX_INTERVAL_MS, headroom / 2 / FAST_WRITE_BYTES_PER_MS));
    }

    /**
     * Reads the usable space now and updates {@link #low()}; logs each change between low and not.
     */
    void sample()
    {
        final long free;
        try
        {
            free = usableBytes.getAsLong();
        }
        catch (final RuntimeException ex)
        {
            // Keep the last verdict: a failed statfs says nothing about the space. Said once per run of failures.
            if (!readFailing)
            {
                readFailing = true;
                LOG.warn("{}: cannot read how many bytes {} has {} (the last verdict on writes stands until it can): {}",
                    dir, subject, unit, ex.toString());
            }
            return;
        }
        readFailing = false;
        freeBytes = free;
        final boolean nowLow = free < minFreeBytes;
        if (nowLow != low)
        {
            low = nowLow;
            if (nowLow)
            {
                LOG.error("{}: {}", dir, describe(free));
            }
            else
            {
                LOG.info("{}: writes are accepted again: {} has {} bytes {} ({} {})", dir, subject, free, unit,
                    setting, minFreeBytes);
            }
        }
    }

    /**
     * @return true while writes must be refused.
     */
    boolean low()
    {
        return low;
    }

    /**
     * @return the usable bytes at the last sample.
     */
    long freeBytes()
    {
        return freeBytes;
    }

    /**
     * @return the error a refused write gets.
     */
    FerriteException refusal()
    {
        return new FerriteException(ErrorCode.InternalServerError, describe(freeBytes));
    }

    /**
     * @return for the disk guard: why the engine does not open, the space short and what to do.
     */
    String openRefusal()
    {
        return subject + " has " + freeBytes + " bytes " + unit + ", under " + setting + " (" + minFreeBytes +
            "), and recovery writes the stores (" + hazard + "): free space, or lower the setting";
    }

    /**
     * @param ex an error a write met.
     * @return true if it is this guard's refusal.
     */
    static boolean isRefusal(final FerriteException ex)
    {
        return ErrorCode.InternalServerError == ex.code() && null != ex.getMessage() &&
            ex.getMessage().startsWith(REFUSAL_PREFIX);
    }

    private String describe(final long free)
    {
        return REFUSAL_PREFIX + subject + " has " + free + " bytes " + unit + ", under " + setting + " (" +
            minFreeBytes + "); " + hazard + ". Reads go on; writes are accepted again once " + remedy;
    }

    /**
     * Stops the sampling thread.
     */
    public void close()
    {
        running = false;
        if (null != thread)
        {
            LockSupport.unpark(thread);
            try
            {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        CloseHelper.quietClose(source);
    }
}
