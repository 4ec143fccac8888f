package io.ferrite.engine.store;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Child process for {@link StoreKillRecoveryTest}: opens (or recovers) the store, then puts
 * {@code key = (cycle, i)} with a value derived from the key, up to {@link StoreKillRecoveryTest#MAX_PUTS_PER_CYCLE}
 * puts; then it waits. The parent kills it at a random point. A put that throws prints {@code "failed <exception>"}
 * so the parent can say why.
 * <p>
 * What counts as acknowledged follows the store's durability: a mapped store's put survives a kill once it returns,
 * so {@code "ok cycle i"} is printed after each put; a store in its own memory writes its file at checkpoints, so a
 * checkpoint is begun every {@link #CHECKPOINT_EVERY} puts and synced on another thread while the puts go on (as the
 * shard's checkpoint thread does), and the puts before it are acknowledged once its sync returns.
 * <p>
 * Arguments: base path (no suffix), cycle, store kind, store memory.
 */
public final class StoreWriterMain
{
    static final int CHECKPOINT_EVERY = 500;

    private StoreWriterMain()
    {
    }

    /**
     * @param args file, cycle number, store kind and store memory.
     */
    public static void main(final String[] args) throws Exception
    {
        final Path file = Path.of(args[0]);
        final int cycle = Integer.parseInt(args[1]);
        final StoreMemory memory = StoreMemory.valueOf(args[3]);
        final boolean checkpoints = StoreKind.HASH == StoreKind.valueOf(args[2]) && StoreMemory.ANONYMOUS == memory;
        final UnsafeBuffer key = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
        final UnsafeBuffer value = new UnsafeBuffer(BufferUtil.allocateDirectAligned(StoreConfig.DEFAULT_MAX_VALUE_SIZE, 64));
        final ItemStore store = ItemStores.open(
            StoreKind.valueOf(args[2]), file, StoreKillRecoveryTest.config(file).memory(memory));
        final ExecutorService checkpointThread = Executors.newSingleThreadExecutor(r ->
        {
            final Thread thread = new Thread(r, "checkpoint");
            thread.setDaemon(true);
            return thread;
        });
        System.out.println("ready " + store.size());
        System.out.flush();
        Future<?> sync = null;
        int syncCovers = -1; // the last put the sync in flight makes durable
        int acknowledged = -1;
        try
        {
            for (int i = 0; i < StoreKillRecoveryTest.MAX_PUTS_PER_CYCLE; i++)
            {
                final int keyLength = StoreKillRecoveryTest.fillKey(key, cycle, i);
                final int valueLength = StoreKillRecoveryTest.fillValue(value, cycle, i);
                store.put(i, key, 0, keyLength, value, 0, valueLength);
                if (!checkpoints)
                {
                    System.out.println("ok " + cycle + " " + i);
                    continue;
                }
                if (null != sync && sync.isDone())
                {
                    sync.get();
                    for (int j = acknowledged + 1; j <= syncCovers; j++)
                    {
                        System.out.println("ok " + cycle + " " + j);
                    }
                    acknowledged = syncCovers;
                    sync = null;
                }
                if (null == sync && i - syncCovers >= CHECKPOINT_EVERY)
                {
                    store.beginCheckpoint();
                    syncCovers = i;
                    sync = checkpointThread.submit(store::sync);
                }
            }
        }
        catch (final RuntimeException ex)
        {
            System.out.println("failed " + ex);
            System.out.flush();
            throw ex;
        }
        if (checkpoints) // all puts made: one last checkpoint acknowledges the rest, so the parent's count is reached
        {
            if (null != sync)
            {
                sync.get();
            }
            store.beginCheckpoint();
            store.sync();
            for (int j = acknowledged + 1; j < StoreKillRecoveryTest.MAX_PUTS_PER_CYCLE; j++)
            {
                System.out.println("ok " + cycle + " " + j);
            }
        }
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
