package io.ferrite.engine.wal;

import io.ferrite.codecs.sbe.WalOp;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.ferrite.engine.wal.WalTestRecords.append;
import static io.ferrite.engine.wal.WalTestRecords.assertRecord;
import static io.ferrite.engine.wal.WalTestRecords.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WalTest
{
    private static final int[] IMAGE_SIZES = { 0, 1, 7, 100, 1000, 4096, 65_536, 400 * 1024 };

    @TempDir
    Path directory;

    private final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final UnsafeBuffer image = new UnsafeBuffer(ByteBuffer.allocateDirect(400 * 1024));

    private WalConfig config()
    {
        return new WalConfig().directory(directory).fsyncPolicy(FsyncPolicy.NONE);
    }

    private static int imageSize(final long sequence)
    {
        return IMAGE_SIZES[(int)(sequence % IMAGE_SIZES.length)];
    }

    private long appendRecords(final Wal wal, final long from, final long to)
    {
        long last = 0;
        for (long sequence = from; sequence <= to; sequence++)
        {
            last = append(wal, key, image, sequence, imageSize(sequence));
            assertEquals(sequence, last);
        }
        return last;
    }

    private static List<Long> replayAndCheck(final Wal wal, final long afterSequence, final ReplayResult[] result)
    {
        final List<Long> sequences = new ArrayList<>();
        result[0] = wal.replay(afterSequence,
            (sequence, tableId, partitionId, op, k, keyOff, keyLen, img, imageOff, imageLen, timestampNs) ->
            {
                assertRecord(sequence, tableId, partitionId, op, k, keyOff, keyLen, img, imageOff, imageLen,
                    timestampNs, imageSize(sequence));
                sequences.add(sequence);
            });
        return sequences;
    }

    @Test
    void replayReturnsEveryRecordIntactForKeyAndImageSizesUpTo400KB()
    {
        try (Wal wal = new Wal(config()))
        {
            assertEquals(0, wal.lastSequence());
            appendRecords(wal, 1, 40);
            assertEquals(40, wal.lastSequence());

            final ReplayResult[] result = new ReplayResult[1];
            assertEquals(range(1, 40), replayAndCheck(wal, 0, result));
            assertEquals(40, result[0].recordsReplayed());
            assertEquals(40, result[0].lastSequence());
            assertEquals(0, result[0].tornRecords());
            assertEquals("", result[0].tornDescription());
        }
    }

    @Test
    void replayFromMiddleSequenceSkipsRecordsAlreadyApplied()
    {
        try (Wal wal = new Wal(config()))
        {
            appendRecords(wal, 1, 30);
            final ReplayResult[] result = new ReplayResult[1];
            assertEquals(range(18, 30), replayAndCheck(wal, 17, result));
            assertEquals(13, result[0].recordsReplayed());
            assertEquals(30, result[0].lastSequence());
            assertEquals(range(31, 30), replayAndCheck(wal, 30, result));
        }
    }

    @Test
    void reopenContinuesSequenceAfterLastRecord()
    {
        try (Wal wal = new Wal(config()))
        {
            appendRecords(wal, 1, 12);
        }
        try (Wal wal = new Wal(config().fsyncPolicy(FsyncPolicy.EVERY_WRITE)))
        {
            assertEquals(12, wal.lastSequence());
            appendRecords(wal, 13, 20);
        }
        try (Wal wal = new Wal(config().fsyncPolicy(FsyncPolicy.BATCH)))
        {
            assertEquals(20, wal.lastSequence());
            final ReplayResult[] result = new ReplayResult[1];
            assertEquals(range(1, 20), replayAndCheck(wal, 0, result));
        }
    }

    @Test
    void tornLastRecordIsReportedSkippedAndSupersededOnReopen() throws Exception
    {
        try (Wal wal = new Wal(config()))
        {
            appendRecords(wal, 1, 14); // 14 % 8 = 6: a 64 KB image last
        }
        WalTestRecords.corruptRecord(directory, 14);

        try (Wal wal = new Wal(config()))
        {
            assertEquals(13, wal.lastSequence(), "recovered from the last intact record");
            final ReplayResult[] result = new ReplayResult[1];
            assertEquals(range(1, 13), replayAndCheck(wal, 0, result));
            assertEquals(1, result[0].tornRecords());
            assertEquals(13, result[0].lastSequence());
            assertTrue(result[0].tornDescription().contains("checksum"), result[0].tornDescription());
            assertTrue(result[0].tornDescription().contains("after sequence 13"), result[0].tornDescription());

            appendRecords(wal, 14, 16);
        }

        try (Wal wal = new Wal(config()))
        {
            final ReplayResult[] result = new ReplayResult[1];
            assertEquals(range(1, 16), replayAndCheck(wal, 0, result));
            assertEquals(1, result[0].tornRecords(), "the old torn tail is still reported");
            assertTrue(result[0].tornDescription().contains("superseded by sequence 14"), result[0].tornDescription());
        }
    }

    @Test
    void corruptRecordInTheMiddleIsAHardError() throws Exception
    {
        try (Wal wal = new Wal(config()))
        {
            appendRecords(wal, 1, 20);
        }
        WalTestRecords.corruptRecord(directory, 14);

        try (Wal wal = new Wal(config()))
        {
            assertEquals(20, wal.lastSequence());
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> wal.replay(0, (s, t, p, o, k, ko, kl, i, io, il, ts) -> {}));
            assertTrue(ex.getMessage().contains("between intact sequences 13 and 15"), ex.getMessage());
            assertTrue(ex.getMessage().contains(".cq4 offset "), ex.getMessage());
        }
    }

    /**
     * The system clock can step back (an NTP correction, a VM restored): the roll cycle comes from it, but records
     * must still replay in the order they were written, including across a restart with the clock still behind.
     */
    @Test
    void recordsWrittenAfterTheClockStepsBackReplayInOrder() throws Exception
    {
        final long[] nowMs = {1_700_000_000_000L};
        final net.openhft.chronicle.core.time.TimeProvider clock = new net.openhft.chronicle.core.time.TimeProvider()
        {
            @Override
            public long currentTimeMillis()
            {
                return nowMs[0];
            }

            @Override
            public long currentTimeMicros()
            {
                return nowMs[0] * 1000;
            }

            @Override
            public long currentTimeNanos()
            {
                return nowMs[0] * 1_000_000;
            }
        };
        final WalConfig config = config().rollCycle(TestRollCycles.TEST_SECONDLY).rollClock(clock);
        try (Wal wal = new Wal(config))
        {
            appendRecords(wal, 1, 3);
            nowMs[0] += 5000;
            appendRecords(wal, 4, 6);
            nowMs[0] -= 3000; // the clock steps back
            appendRecords(wal, 7, 9);
        }
        try (Wal wal = new Wal(config))
        {
            assertEquals(9, wal.lastSequence());
            appendRecords(wal, 10, 12);
            final ReplayResult[] result = new ReplayResult[1];
            assertEquals(range(1, 12), replayAndCheck(wal, 0, result), String.valueOf(result[0]));
        }
    }

    @Test
    void purgeUpToRemovesOnlyFilesWhollyBehindTheCheckpoint() throws Exception
    {
        final SetTimeProvider clock = new SetTimeProvider(TimeUnit.SECONDS.toNanos(1_700_000_000L));
        final WalConfig config = config().rollCycle(TestRollCycles.TEST_SECONDLY).rollClock(clock);
        try (Wal wal = new Wal(config))
        {
            for (int file = 0; file < 4; file++) // files hold 1-5, 6-10, 11-15, 16-20
            {
                appendRecords(wal, file * 5L + 1, file * 5L + 5);
                clock.advanceMillis(1000);
            }
            assertEquals(4, WalTestRecords.cycleFiles(directory).size());

            assertEquals(0, wal.purgeUpTo(4), "file 1-5 still holds 5");
            assertEquals(1, wal.purgeUpTo(9), "removes 1-5 only; 6-10 holds 10");
            assertEquals(3, WalTestRecords.cycleFiles(directory).size());
            assertEquals(2, wal.purgeUpTo(1000), "never removes the newest file");
            assertEquals(1, WalTestRecords.cycleFiles(directory).size());

            final ReplayResult[] result = new ReplayResult[1];
            assertEquals(range(16, 20), replayAndCheck(wal, 0, result));
            appendRecords(wal, 21, 22);
        }
        try (Wal wal = new Wal(config))
        {
            assertEquals(22, wal.lastSequence());
            final ReplayResult[] result = new ReplayResult[1];
            assertEquals(range(19, 22), replayAndCheck(wal, 18, result));
        }
    }

    @Test
    void appendRejectsRecordLongerThanTheMaximumNamingTheLengths()
    {
        try (Wal wal = new Wal(config().maxRecordLength(1024)))
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> wal.append(1, 1, WalOp.PUT, key, 0, 10, image, 0, 2000, 0));
            assertTrue(ex.getMessage().contains("imageLen=2000"), ex.getMessage());
            assertEquals(0, wal.lastSequence());
        }
    }
}
