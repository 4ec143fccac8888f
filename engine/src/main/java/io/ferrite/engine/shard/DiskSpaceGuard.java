package io.ferrite.engine.shard;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.sbe.ErrorCode;
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
 * Keeps a shard from writing into a full file system. The WAL and the item stores are memory-mapped files: a write
 * through a mapping into a page the file system has no block for raises SIGBUS, which the JVM turns into an
 * {@link InternalError} in whatever thread touched the page, here the shard's. The shard thread died of it and every
 * later request for the shard waited for its timeout, while the process went on looking healthy. So the shard refuses
 * writes while the data directory's file system has less than {@code ferrite.engine.minFreeDiskBytes} usable, with an
 * InternalServerError that says so, and goes on serving reads; writes are accepted again once space is freed.
 * <p>
 * A daemon thread samples the usable space ({@link FileStore#getUsableSpace()} allocates, so not on the shard's
 * thread) every 50 ms to 1 s: the nearer the margin, the sooner ({@link #intervalMs}); the shard reads one volatile
 * flag per write. Between two samples a shard writing at 1 GiB/s uses at most half the space above the margin, and
 * within 50 ms of it at most 50 MB: the margin covers that (at 300,000 puts/s of 1 KB, ~30 MB of log and store)
 * plus what a checkpoint and a new log file take. The engine also refuses to open below the margin: recovery writes the
 * stores.
 * <p>
 * Threading: {@link #low()} and {@link #freeBytes()} from any thread; {@link #close()} from the shard's owner.
 */
final class DiskSpaceGuard implements AutoCloseable
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

    private static final Logger LOG = LoggerFactory.getLogger(DiskSpaceGuard.class);

    private final Path dir;
    private final long minFreeBytes;
    private final LongSupplier usableBytes;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean low;
    private volatile long freeBytes = Long.MAX_VALUE;
    /** Sampling thread only: the last read of the usable space failed. */
    private boolean readFailing;

    /**
     * Samples once, then starts sampling on a daemon thread (none when the guard is off).
     *
     * @param dir          the data directory.
     * @param minFreeBytes the least usable space writes are accepted with; 0 turns the guard off.
     * @param usableBytes  reads the file system's usable bytes (a test gives its own); null for the real one.
     */
    DiskSpaceGuard(final Path dir, final long minFreeBytes, final LongSupplier usableBytes)
    {
        this.dir = dir;
        this.minFreeBytes = minFreeBytes;
        this.usableBytes = null != usableBytes ? usableBytes : fileStoreOf(dir);
        if (0 == minFreeBytes)
        {
            thread = null;
            return;
        }
        sample();
        thread = new Thread(this::run, "ferrite-disk-guard " + dir);
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
                LOG.warn("cannot read the usable space of {}'s file system (the last verdict stands until it can): {}",
                    dir, ex.toString());
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
                LOG.info("{}: writes are accepted again: {} bytes usable (ferrite.engine.minFreeDiskBytes {})",
                    dir, free, minFreeBytes);
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
     * @return why the engine does not open: the space short, and what to do.
     */
    String openRefusal()
    {
        return "the file system of " + dir + " has " + freeBytes + " bytes usable, under " +
            "ferrite.engine.minFreeDiskBytes (" + minFreeBytes + "), and recovery writes the stores (a write into a full " +
            "file system through the engine's memory-mapped files would crash it): free space, or lower the setting";
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
        return REFUSAL_PREFIX + "the file system of " + dir + " has " + free + " bytes usable, under " +
            "ferrite.engine.minFreeDiskBytes (" + minFreeBytes + "); a write into a full file system through the " +
            "engine's memory-mapped files would crash the shard. Reads go on; writes are accepted again once " +
            "space is freed";
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
    }
}
