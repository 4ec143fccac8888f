package io.ferrite.engine.store;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

/**
 * Child process for {@link StoreKillRecoveryTest}: opens (or recovers) the store, then puts
 * {@code key = (cycle, i)} with a value derived from the key, printing {@code "ok cycle i"} after each put returns,
 * up to {@link StoreKillRecoveryTest#MAX_PUTS_PER_CYCLE} puts; then it waits. The parent kills it at a
 * random point. A put that throws prints {@code "failed <exception>"} so the parent can say why.
 * <p>
 * Arguments: base path (no suffix), cycle, store kind.
 */
public final class StoreWriterMain
{
    private StoreWriterMain()
    {
    }

    /**
     * @param args file and cycle number.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final Path file = Path.of(args[0]);
        final int cycle = Integer.parseInt(args[1]);
        final UnsafeBuffer key = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
        final UnsafeBuffer value = new UnsafeBuffer(BufferUtil.allocateDirectAligned(StoreConfig.DEFAULT_MAX_VALUE_SIZE, 64));
        final ItemStore store = ItemStores.open(StoreKind.valueOf(args[2]), file, StoreKillRecoveryTest.config(file));
        System.out.println("ready " + store.size());
        System.out.flush();
        try
        {
            for (int i = 0; i < StoreKillRecoveryTest.MAX_PUTS_PER_CYCLE; i++)
            {
                final int keyLength = StoreKillRecoveryTest.fillKey(key, cycle, i);
                final int valueLength = StoreKillRecoveryTest.fillValue(value, cycle, i);
                store.put(i, key, 0, keyLength, value, 0, valueLength);
                System.out.println("ok " + cycle + " " + i);
            }
        }
        catch (final RuntimeException ex)
        {
            System.out.println("failed " + ex);
            System.out.flush();
            throw ex;
        }
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
