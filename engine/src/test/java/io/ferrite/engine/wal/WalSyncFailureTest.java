package io.ferrite.engine.wal;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.codecs.sbe.WalOp;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A failed fdatasync fails the log for good: every later append throws and writes nothing, and so does every sync
 * (retrying is not safe: after a failed writeback Linux reports the error once and marks the pages clean). A record
 * whose own EVERY_WRITE sync failed is in the log, so {@link Wal#append} returns it and {@link Wal#throwIfFailed()}
 * reports the failure; the log then holds exactly the records its writer applied.
 */
class WalSyncFailureTest
{
    private final UnsafeBuffer key = new UnsafeBuffer(new byte[16]);
    private final UnsafeBuffer image = new UnsafeBuffer(new byte[64]);

    @TempDir
    Path directory;

    @Test
    void aFailedBatchSyncRefusesEveryLaterAppendAndWritesNothing() throws Exception
    {
        final WalConfig config = new WalConfig().directory(directory).fsyncPolicy(FsyncPolicy.BATCH)
            .batchIntervalNs(TimeUnit.MILLISECONDS.toNanos(1));
        try (Wal wal = new Wal(config))
        {
            assertEquals(1, append(wal, WalOp.PUT));
            wal.failNextSyncForTesting(new IOException("injected EIO"));
            assertEquals(2, append(wal, WalOp.PUT)); // gives the syncer something to sync, which fails
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!failed(wal))
            {
                assertTrue(System.nanoTime() < deadline, "the syncer never ran");
                Thread.sleep(1);
            }

            final FerriteException refused = assertThrows(FerriteException.class, () -> append(wal, WalOp.PUT));
            assertEquals(ErrorCode.InternalServerError, refused.code());
            final String message = refused.getMessage();
            assertTrue(message.contains("injected EIO") &&
                message.contains("writes are refused until the engine is restarted"), message);
            assertThrows(FerriteException.class, () -> append(wal, WalOp.DELETE));
            assertThrows(FerriteException.class, wal::sync, "a sync is not retried");
            assertEquals(2, wal.lastSequence());
        }
        assertEquals(List.of(1L, 2L), replayed(config), "the refused appends wrote nothing");
    }

    @Test
    void aRecordWhoseEveryWriteSyncFailedIsLoggedAndReported() throws Exception
    {
        final WalConfig config = new WalConfig().directory(directory).fsyncPolicy(FsyncPolicy.EVERY_WRITE);
        try (Wal wal = new Wal(config))
        {
            assertEquals(1, append(wal, WalOp.PUT));
            wal.throwIfFailed();
            wal.failNextSyncForTesting(new IOException("injected ENOSPC"));
            assertEquals(2, append(wal, WalOp.PUT), "written before its sync failed: returned, to be applied");
            final FerriteException reported = assertThrows(FerriteException.class, wal::throwIfFailed);
            assertTrue(reported.getMessage().contains("injected ENOSPC"), reported.getMessage());
            assertThrows(FerriteException.class, () -> append(wal, WalOp.PUT));
        }
        assertEquals(List.of(1L, 2L), replayed(config));

        try (Wal wal = new Wal(config))
        {
            wal.throwIfFailed(); // a restart clears the failure: the log's files are fine
            assertEquals(3, append(wal, WalOp.PUT));
        }
    }

    private long append(final Wal wal, final WalOp op)
    {
        return wal.append(1, 0, op, key, 0, key.capacity(), image, 0, WalOp.DELETE == op ? 0 : image.capacity(), 0);
    }

    private static boolean failed(final Wal wal)
    {
        try
        {
            wal.throwIfFailed();
            return false;
        }
        catch (final FerriteException ex)
        {
            return true;
        }
    }

    private static List<Long> replayed(final WalConfig config)
    {
        final List<Long> sequences = new ArrayList<>();
        try (Wal wal = new Wal(config))
        {
            wal.replay(0, (sequence, tableId, partitionId, op, k, keyOff, keyLen, i, imageOff, imageLen, ts) ->
                sequences.add(sequence));
        }
        return sequences;
    }
}
