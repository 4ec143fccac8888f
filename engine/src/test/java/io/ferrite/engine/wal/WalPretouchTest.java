package io.ferrite.engine.wal;

import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static io.ferrite.engine.wal.WalTestRecords.append;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The WAL's pretoucher thread: reads ahead of the write position in the file being written, follows the appender
 * to a new file, stops on close, is absent when disabled, and its setting is validated. Latency is not asserted.
 */
class WalPretouchTest
{
    private static final long AHEAD = 1024 * 1024;
    private static final int IMAGE = 4096;

    @TempDir
    Path directory;

    private final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final UnsafeBuffer image = new UnsafeBuffer(ByteBuffer.allocateDirect(IMAGE));

    private WalConfig config()
    {
        return new WalConfig().directory(directory).fsyncPolicy(FsyncPolicy.NONE).pretouchAheadBytes(AHEAD);
    }

    private static long awaitAtLeast(final LongSupplier value, final long atLeast)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long seen = value.getAsLong();
        while (seen < atLeast && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
            seen = value.getAsLong();
        }
        return seen;
    }

    @Test
    void readsAheadOfTheWriterFollowsItIntoTheNextFileAndStopsOnClose() throws Exception
    {
        final SetTimeProvider clock = new SetTimeProvider(TimeUnit.SECONDS.toNanos(1_700_000_000L));
        final Thread pretoucher;
        try (Wal wal = new Wal(config().rollCycle(TestRollCycles.TEST_SECONDLY).rollClock(clock)))
        {
            pretoucher = wal.pretoucherThread();
            assertNotNull(pretoucher);
            assertTrue(pretoucher.isAlive());
            assertEquals(0, wal.pretouchedBytes(), "nothing to read ahead of before the first append");

            append(wal, key, image, 1, IMAGE);
            final long first = awaitAtLeast(wal::pretouchedBytes, AHEAD);
            assertTrue(first >= AHEAD, "read " + first + " bytes ahead of the first record, expected >= " + AHEAD);

            // the writer moves 2 MiB on: the pretoucher keeps a whole window ahead of it
            long sequence = 2;
            for (long written = 0; written < 2 * AHEAD; written += IMAGE)
            {
                append(wal, key, image, sequence++, IMAGE);
            }
            final long moved = awaitAtLeast(wal::pretouchedBytes, first + 2 * AHEAD);
            assertTrue(moved >= first + 2 * AHEAD, "read " + moved + " after 2 MiB more, expected >= " +
                (first + 2 * AHEAD));

            // a roll: the next file is read ahead of too
            clock.advanceMillis(1000);
            append(wal, key, image, sequence, IMAGE);
            assertEquals(2, WalTestRecords.cycleFiles(directory).size());
            final long rolled = awaitAtLeast(wal::pretouchedBytes, moved + AHEAD);
            assertTrue(rolled >= moved + AHEAD, "read " + rolled + " after the roll, expected >= " + (moved + AHEAD));
            assertNull(wal.pretouchFailure());
        }
        assertFalse(pretoucher.isAlive(), "close stops and joins the pretoucher");
    }

    /**
     * The pretoucher runs when the owner wakes it, not on a clock: over a second with nothing written it wakes only
     * for its 100 ms backstop (it used to wake every millisecond, ~1,000 times a second), and a megabyte written in
     * 4 KB records wakes it about four times (once per 256 KiB written), not once per record.
     */
    @Test
    void wakesWhenTheWriterNeedsItNotOnAClock() throws Exception
    {
        try (Wal wal = new Wal(config()))
        {
            append(wal, key, image, 1, IMAGE);
            awaitAtLeast(wal::pretouchedBytes, AHEAD);

            final long idleFrom = wal.pretouchRounds();
            Thread.sleep(1_000);
            final long idleRounds = wal.pretouchRounds() - idleFrom;
            assertTrue(idleRounds <= 20, idleRounds + " wake-ups in one idle second");

            final long writingFrom = wal.pretouchRounds();
            long sequence = 2;
            for (long written = 0; written < AHEAD; written += IMAGE)
            {
                append(wal, key, image, sequence++, IMAGE);
            }
            final long writingRounds = wal.pretouchRounds() - writingFrom;
            assertTrue(writingRounds <= 16, writingRounds + " wake-ups while " + (sequence - 2) +
                " records of " + IMAGE + " B were written");
            assertTrue(awaitAtLeast(wal::pretouchedBytes, 2 * AHEAD) >= 2 * AHEAD, "and it kept reading ahead");
            assertNull(wal.pretouchFailure());
        }
    }

    @Test
    void zeroStartsNoPretoucherAndTheLogStillWorks()
    {
        try (Wal wal = new Wal(config().pretouchAheadBytes(0)))
        {
            assertNull(wal.pretoucherThread());
            for (long sequence = 1; sequence <= 10; sequence++)
            {
                assertEquals(sequence, append(wal, key, image, sequence, IMAGE));
            }
            assertEquals(0, wal.pretouchedBytes());
        }
        try (Wal wal = new Wal(config()))
        {
            assertEquals(10, wal.lastSequence());
            final long[] replayed = new long[1];
            wal.replay(0, (sequence, t, p, op, k, ko, kl, i, io, il, ts) -> replayed[0]++);
            assertEquals(10, replayed[0]);
        }
    }

    @Test
    void rejectsNegativeOrHugeReadAheadNamingTheSetting()
    {
        final IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
            () -> new Wal(config().pretouchAheadBytes(-1)));
        assertTrue(negative.getMessage().contains("pretouchAheadBytes"), negative.getMessage());
        final IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
            () -> new Wal(config().pretouchAheadBytes(WalConfig.MAX_PRETOUCH_AHEAD_BYTES + 1)));
        assertTrue(huge.getMessage().contains("pretouchAheadBytes"), huge.getMessage());
    }
}
