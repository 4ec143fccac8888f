package io.ferrite.engine.wal;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.ferrite.engine.wal.WalTestRecords.append;
import static io.ferrite.engine.wal.WalTestRecords.range;
import static io.ferrite.engine.wal.WalTestRecords.assertRecord;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Under BATCH the syncer drops the appender's page-table entries for the log pages it is about to sync (decision
 * 0007, "Unmapping what is synced"): once a sync has covered what was written, the log's pages are no longer mapped
 * in the process (the resident bytes of the log's mappings in {@code /proc/self/smaps}), where they stay mapped
 * without it; every record reads back after a reopen, including those written after pages were unmapped; NONE
 * unmaps nothing. The pretoucher is off, so that only the writer's own stores map the log's pages.
 */
class WalUnmapsSyncedPagesTest
{
    private static final int IMAGE = 4000;
    private static final int RECORDS = 2048; // ~8 MiB of log
    private static final long LOG_BYTES = (long)RECORDS * IMAGE;

    @TempDir
    Path directory;

    private final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final UnsafeBuffer image = new UnsafeBuffer(ByteBuffer.allocateDirect(IMAGE));

    private static WalConfig config(final Path dir, final FsyncPolicy policy)
    {
        return new WalConfig().directory(dir).fsyncPolicy(policy).pretouchAheadBytes(0);
    }

    /** The syncer thread unmaps, up to the page the last record it synced ends in. */
    @Test
    void underBatchTheSyncerUnmapsWhatItSyncs() throws IOException
    {
        final Path dir = directory.resolve("syncer");
        try (Wal wal = new Wal(config(dir, FsyncPolicy.BATCH)))
        {
            appendRecords(wal, 1, RECORDS);
            assertEquals(RECORDS, WalTestRecords.awaitAtLeast(wal::syncedSequenceForTesting, RECORDS),
                "no sync covered the last record");
            assertTrue(wal.unmappedBytesForTesting() >= LOG_BYTES - 4096,
                "only " + wal.unmappedBytesForTesting() + " bytes unmapped of " + LOG_BYTES + " written");
        }
    }

    /**
     * One sync, the WAL's own (the syncer's clock set to an hour), so that nothing reads or writes the log between it
     * and the measure: Chronicle reads the headers of recent records when it indexes, and a read of an unmapped page
     * maps it again, read-only (harmless to writeback, which write-protects only writable entries), with up to 15
     * pages around it.
     */
    @Test
    void underBatchWhatASyncCoversLeavesTheWritersMappingAndEveryRecordReadsBack() throws IOException
    {
        final Path dir = directory.resolve("batch");
        try (Wal wal = new Wal(quietBatch(dir)))
        {
            appendRecords(wal, 1, RECORDS);
            wal.sync();
            final long resident = residentLogBytes(dir);
            System.out.println("BATCH: " + resident + " bytes of the log mapped after " + LOG_BYTES + " written and " +
                "synced, " + wal.unmappedBytesForTesting() + " unmapped before the sync");
            assertTrue(resident <= 64 * 1024, resident + " bytes of the log still mapped after its sync");
            // the writer goes on over pages that were unmapped (Chronicle's header, its index) and new ones
            appendRecords(wal, RECORDS + 1, RECORDS + 100);
            wal.sync();
        }
        try (Wal reopened = new Wal(quietBatch(dir)))
        {
            assertEquals(range(1, RECORDS + 100), replay(reopened));
        }
    }

    /** The control: the measure above sees the writer's pages when they are left mapped. */
    @Test
    void withoutUnmappingTheSyncedPagesStayMapped() throws IOException
    {
        final Path dir = directory.resolve("kept");
        try (Wal wal = new Wal(quietBatch(dir).unmapSyncedPagesForTesting(false)))
        {
            appendRecords(wal, 1, RECORDS);
            wal.sync();
            final long resident = residentLogBytes(dir);
            System.out.println("BATCH without unmapping: " + resident + " bytes of the log mapped after " +
                LOG_BYTES + " written and synced");
            assertTrue(resident >= LOG_BYTES / 2, "only " + resident + " bytes of the log mapped");
            assertEquals(0, wal.unmappedBytesForTesting());
        }
    }

    private static WalConfig quietBatch(final Path dir)
    {
        return config(dir, FsyncPolicy.BATCH).batchIntervalNs(TimeUnit.HOURS.toNanos(1))
            .batchMaxRecords(Integer.MAX_VALUE);
    }

    @Test
    void underNoneNothingIsUnmapped() throws IOException
    {
        final Path dir = directory.resolve("none");
        try (Wal wal = new Wal(config(dir, FsyncPolicy.NONE)))
        {
            appendRecords(wal, 1, RECORDS);
            wal.sync();
            assertEquals(0, wal.unmappedBytesForTesting());
            assertTrue(residentLogBytes(dir) >= LOG_BYTES / 2, "NONE: the log's pages stay mapped");
        }
    }

    private void appendRecords(final Wal wal, final long from, final long to)
    {
        for (long sequence = from; sequence <= to; sequence++)
        {
            assertEquals(sequence, append(wal, key, image, sequence, IMAGE));
        }
    }

    private static List<Long> replay(final Wal wal)
    {
        final List<Long> sequences = new ArrayList<>();
        wal.replay(0, (sequence, tableId, partitionId, op, k, keyOff, keyLen, img, imageOff, imageLen, ts) ->
        {
            assertRecord(sequence, tableId, partitionId, op, k, keyOff, keyLen, img, imageOff, imageLen, ts, IMAGE);
            sequences.add(sequence);
        });
        return sequences;
    }

    /** Resident bytes of this process's mappings of log files under {@code dir} ({@code Rss} in /proc/self/smaps). */
    private static long residentLogBytes(final Path dir) throws IOException
    {
        final String prefix = dir.toRealPath().toString();
        boolean inLog = false;
        long kib = 0;
        for (final String line : Files.readAllLines(Path.of("/proc/self/smaps")))
        {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*"))
            {
                inLog = line.contains(prefix) && line.endsWith(".cq4");
            }
            else if (inLog && line.startsWith("Rss:"))
            {
                kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return kib * 1024;
    }
}
