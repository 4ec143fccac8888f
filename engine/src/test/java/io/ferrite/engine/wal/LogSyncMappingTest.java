package io.ferrite.engine.wal;

import io.ferrite.engine.PageCacheFlags;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The BATCH syncer's sync of a log file's written prefix ({@link LogSyncMapping}, decision 0007 "Syncing only what was
 * written"): it writes back every dirty page before the position and none after it, and a BATCH log's syncer leaves
 * every page up to the last record clean (the file's header and index included) and the pages the pretoucher
 * populated ahead of the writer dirty, which is what spares the writer its faults. Pages are seen through
 * {@code /proc/self/pagemap} and {@code /proc/kpageflags} (root), as the page cache's own dirty and writeback flags.
 */
class LogSyncMappingTest
{
    private static final int PAGE = 4096;

    @TempDir
    Path dir;

    @Test
    void syncsEveryDirtyPageBeforeThePositionAndNoneAfterIt() throws IOException
    {
        assumePageFlagsVisible();
        final Path file = dir.resolve("log");
        final int pages = 64;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE))
        {
            final MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_WRITE, 0, (long)pages * PAGE);
            for (int page = 0; page < pages; page++)
            {
                map.put(page * PAGE + 7, (byte)page);
            }
            assertEquals(pages, dirtyPages(file, 0, pages), "every page written through the mapping is dirty");

            try (LogSyncMapping sync = LogSyncMapping.open(file))
            {
                sync.syncPrefix(10L * PAGE + 100); // into page 10
                assertEquals(0, dirtyPages(file, 0, 11), "pages 0-10 after syncing 10 pages and 100 bytes");
                assertEquals(pages - 11, dirtyPages(file, 11, pages - 11), "pages after the one the position is in");

                sync.syncPrefix((long)pages * PAGE);
                assertEquals(0, dirtyPages(file, 0, pages), "every page after syncing the whole file's length");

                map.put(3 * PAGE, (byte)1);
                sync.syncPrefix(0);
                assertEquals(1, dirtyPages(file, 0, pages), "syncing nothing writes nothing back");
            }
        }
    }

    @Test
    void theSyncerLeavesTheLogCleanUpToTheLastRecordAndThePagesPopulatedAheadDirty() throws Exception
    {
        assumePageFlagsVisible();
        final long ahead = 1024 * 1024;
        try (Wal wal = new Wal(new WalConfig().directory(dir).fsyncPolicy(FsyncPolicy.BATCH)
            .pretouchAheadBytes(ahead)))
        {
            final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
            final UnsafeBuffer image = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
            for (long sequence = 1; sequence <= 300; sequence++)
            {
                WalTestRecords.append(wal, key, image, sequence, 1000);
            }
            final long end = wal.lastEndForTesting();
            assertTrue(WalTestRecords.awaitAtLeast(wal::pretouchedBytes, end + ahead / 2) >= end + ahead / 2,
                "waited 10 s for the pretoucher to populate ahead");
            // a sync that covers the last record: not merely one that ends after the appends, which may have read
            // an earlier record's end when it began (seen in a full engine run: 6 pages before the end still dirty);
            // of the prefix or of the whole file alike, so that a syncer forcing the whole file fails below
            assertTrue(WalTestRecords.awaitAtLeast(wal::syncedSequenceForTesting, 300) >= 300,
                "waited 10 s for a sync covering the last record");
            assertNull(wal.pretouchFailure());

            final Path file = WalTestRecords.cycleFiles(dir).get(0);
            final int written = (int)((end + PAGE - 1) / PAGE);
            assertTrue(written > 64, "300 records of ~1 KB span " + written + " pages");
            assertEquals(0, dirtyPages(file, 0, written), "pages from the file's header to the last record's end, " +
                end + ", after a sync that covers it");
            final int populated = (int)(ahead / 2 / PAGE);
            final int aheadDirty = dirtyPages(file, written, populated);
            assertTrue(aheadDirty >= populated - 1, "of the " + populated + " pages populated past the last record, " +
                "only " + aheadDirty + " are still dirty: the sync wrote back pages nothing was written to");
        }
    }

    private static void assumePageFlagsVisible()
    {
        assumeTrue(PageCacheFlags.visible(), "needs /proc/kpageflags and page frame numbers in /proc/self/pagemap (root) to see dirty pages");
    }

    /** @return the pages of {@code file} from {@code firstPage} that are dirty or under writeback; all must be cached. */
    private static int dirtyPages(final Path file, final long firstPage, final int pages) throws IOException
    {
        final int[] counted = PageCacheFlags.count(file, firstPage, pages, PageCacheFlags.DIRTY_OR_WRITEBACK, true);
        assertEquals(pages, counted[1], "pages of " + file + " from " + firstPage + " cached");
        return counted[0];
    }
}
