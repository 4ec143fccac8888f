package io.ferrite.engine.wal;

import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shard loop appends on its hot path: steady-state appends must not allocate. Also prints the rough
 * cost per append of each policy (not asserted: no test asserts a latency).
 */
class WalAllocationTest
{
    private static final int WARM_UP = 30_000;
    private static final int MEASURED = 10_000;
    private static final int MAX_EXTRA_WARM_UP_ROUNDS = 30;

    @TempDir
    Path directory;

    @ParameterizedTest
    @EnumSource(value = FsyncPolicy.class, names = { "NONE", "BATCH" })
    void steadyStateAppendAllocatesNothing(final FsyncPolicy policy)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
        final UnsafeBuffer image = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
        try (Wal wal = new Wal(new WalConfig().directory(directory).fsyncPolicy(policy)
            .batchMaxRecords(64).batchIntervalNs(1_000_000)))
        {
            appendMany(wal, key, image, WARM_UP);
            // Until C2 compiles the append path, interpreted and C1 code allocates what escape analysis later
            // removes (JFR with -XX:-UseTLAB shows strings and iterators inside Agrona and Chronicle that stop
            // after ~70k appends). On a loaded machine compilation comes late, so warm up until a window is clean.
            for (int round = 0; round < MAX_EXTRA_WARM_UP_ROUNDS; round++)
            {
                final long roundStart = threads.getCurrentThreadAllocatedBytes();
                appendMany(wal, key, image, MEASURED);
                if (threads.getCurrentThreadAllocatedBytes() == roundStart)
                {
                    break;
                }
            }

            // Five measured windows: garbage made per append (16 B or more each) would show in every window
            // (160 KB+), while a one-off inside Chronicle (mapping the next chunk, a recompilation after the
            // first chunk crossing deoptimised the path: up to 27 KB once in several runs) shows in one. The
            // median window is the steady state.
            final long[] allocated = new long[5];
            long elapsedNs = 0;
            for (int window = 0; window < allocated.length; window++)
            {
                final long before = threads.getCurrentThreadAllocatedBytes();
                final long startNs = System.nanoTime();
                appendMany(wal, key, image, MEASURED);
                elapsedNs += System.nanoTime() - startNs;
                allocated[window] = threads.getCurrentThreadAllocatedBytes() - before;
            }
            System.out.println(policy + ": windows of " + MEASURED + " appends of ~230 B allocated " +
                java.util.Arrays.toString(allocated) + " bytes, " + (elapsedNs / (MEASURED * allocated.length)) +
                " ns/append average");
            final long[] sorted = allocated.clone();
            java.util.Arrays.sort(sorted);
            assertTrue(sorted[sorted.length / 2] < 4096, policy + " steady-state appends allocated " +
                java.util.Arrays.toString(allocated) + " bytes per window of " + MEASURED);
        }
    }

    @ParameterizedTest
    @EnumSource(value = FsyncPolicy.class, names = { "EVERY_WRITE" })
    void everyWriteCostIsOneFdatasyncPerAppend(final FsyncPolicy policy)
    {
        final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
        final UnsafeBuffer image = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
        try (Wal wal = new Wal(new WalConfig().directory(directory).fsyncPolicy(policy)))
        {
            appendMany(wal, key, image, 50);
            final long startNs = System.nanoTime();
            appendMany(wal, key, image, 300);
            final long elapsedNs = System.nanoTime() - startNs;
            System.out.println(policy + ": " + (elapsedNs / 300 / 1000) + " us/append average over 300");
            assertTrue(wal.lastSequence() == 350);
        }
    }

    private static void appendMany(final Wal wal, final UnsafeBuffer key, final UnsafeBuffer image, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final long sequence = wal.lastSequence() + 1;
            key.putLong(0, sequence);
            image.putLong(0, sequence);
            wal.append(1, 2, io.ferrite.codecs.sbe.WalOp.PUT, key, 0, 24, image, 0, 200, sequence);
            wal.flushIfDue(SystemNanoClock.INSTANCE.nanoTime());
        }
    }
}
