package io.ferrite.engine.shard;

import io.ferrite.engine.store.ItemStore;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The second half of a periodic checkpoint, off the shard thread: syncs every store (a store in its own memory writes
 * the pages it changed, then {@code fdatasync}; a mapped one {@code fsync}s its file; tens of milliseconds on a disk
 * with a large store: 52-132 ms measured at 100,000 1 KB items) and then writes {@code checkpoint.bin}. The shard
 * thread does the first half (takes the sequence, syncs the WAL, begins each store's checkpoint, hands over the
 * stores), and finishes the checkpoint (WAL purge) on a later duty cycle once this reports completion.
 * <p>
 * <b>Threading:</b> one daemon thread. The shard thread calls {@link #start}, {@link #poll}, {@link #await} and
 * {@link #close}; while a checkpoint is in flight it must not close or delete a store nor touch the
 * {@link CheckpointFile} (it {@link #await}s first). Hand-over and completion are volatile writes, so the
 * shard's writes before {@link #start} happen before the syncs, and this thread's checkpoint write happens
 * before the shard sees completion.
 */
final class Checkpointer implements AutoCloseable
{
    private final CheckpointFile checkpointFile;
    private final Thread thread;
    private ItemStore[] stores = new ItemStore[4];
    private int storeCount;
    private long sequence;

    /** Written by the shard to hand over a checkpoint, by this thread when done. */
    private volatile boolean inFlight;
    private volatile Throwable failure;
    /** Fault injection for tests: the next checkpoint throws this instead of syncing. */
    volatile RuntimeException nextFailure;
    private volatile boolean stop;

    Checkpointer(final CheckpointFile checkpointFile, final String name)
    {
        this.checkpointFile = checkpointFile;
        thread = new Thread(this::run, "ferrite-checkpoint " + name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Shard thread: room for {@code count} stores (allocates only when the shard has more stores than ever).
     *
     * @param count stores the next checkpoint will hold.
     * @return the array to fill with them, from index 0.
     */
    ItemStore[] stores(final int count)
    {
        if (inFlight)
        {
            throw new IllegalStateException("a checkpoint is in flight");
        }
        if (stores.length < count)
        {
            stores = Arrays.copyOf(stores, Math.max(count, stores.length * 2));
        }
        return stores;
    }

    /**
     * Shard thread: syncs the first {@code count} entries of {@link #stores(int)}'s array, then records
     * {@code checkpointSequence} in {@code checkpoint.bin}, on this thread.
     */
    void start(final int count, final long checkpointSequence)
    {
        if (inFlight)
        {
            throw new IllegalStateException("a checkpoint is in flight");
        }
        storeCount = count;
        sequence = checkpointSequence;
        failure = null;
        inFlight = true;
        LockSupport.unpark(thread);
    }

    /**
     * @return whether a checkpoint handed over by {@link #start} has not finished yet.
     */
    boolean inFlight()
    {
        return inFlight;
    }

    /**
     * Shard thread, when not {@link #inFlight()}: what stopped the last checkpoint, or null if it completed.
     */
    Throwable failure()
    {
        return failure;
    }

    /**
     * Shard thread: waits until no checkpoint is in flight.
     */
    void await()
    {
        while (inFlight)
        {
            if (!thread.isAlive())
            {
                throw new IllegalStateException("checkpoint thread died with a checkpoint in flight");
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
    }

    /**
     * Waits for the checkpoint in flight, if any, then stops the thread.
     */
    public void close()
    {
        try
        {
            if (thread.isAlive())
            {
                await();
            }
        }
        finally
        {
            stop = true;
            LockSupport.unpark(thread);
            try
            {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * @return whether the thread is running (for tests).
     */
    boolean isAlive()
    {
        return thread.isAlive();
    }

    private void run()
    {
        while (!stop)
        {
            if (!inFlight)
            {
                LockSupport.park(this);
                continue;
            }
            try
            {
                final RuntimeException injected = nextFailure;
                if (null != injected)
                {
                    nextFailure = null;
                    throw injected;
                }
                for (int i = 0; i < storeCount; i++)
                {
                    stores[i].sync();
                }
                checkpointFile.write(sequence);
            }
            catch (final Throwable ex)
            {
                failure = ex;
            }
            finally
            {
                Arrays.fill(stores, 0, storeCount, null);
                inFlight = false;
            }
        }
    }
}
