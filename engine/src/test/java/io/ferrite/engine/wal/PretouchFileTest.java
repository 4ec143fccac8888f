package io.ferrite.engine.wal;

import io.ferrite.engine.PageCacheFlags;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The WAL pretoucher's file: with read-ahead it reads what the file holds, without it covers the range asked for;
 * it names the errno when a call fails, allocates nothing per call, and without read-ahead leaves the pages it
 * brought in as 4 KiB page-cache folios, also in a WAL whose appender's own faults marked pages for read-ahead,
 * which is its purpose ({@link PretouchReadAhead}).
 */
class PretouchFileTest
{
    private static final int PAGE = 4096;

    @Test
    void withReadAheadPullReadsTheBytesWithoutItCoversTheRange(@TempDir final Path dir) throws IOException
    {
        final Path path = dir.resolve("w.cq4");
        final byte[] content = new byte[3 * PAGE + 123];
        for (int i = 0; i < content.length; i++)
        {
            content[i] = (byte)(i * 31 + 7);
        }
        Files.write(path, content);
        final ByteBuffer buffer = ByteBuffer.allocateDirect(2 * PAGE);
        final long address = BufferUtil.address(buffer);
        try (PretouchFile file = PretouchFile.open(path, true))
        {
            assertEquals(content.length, file.size());
            assertEquals(2 * PAGE, file.pull(address, 2 * PAGE, PAGE - 5));
            for (int i = 0; i < 2 * PAGE; i++)
            {
                assertEquals(content[PAGE - 5 + i], UnsafeApi.getByte(address + i), "byte " + i);
            }
            assertEquals(123, file.pull(address, 2 * PAGE, 3 * PAGE), "a short read at the end");
            assertEquals(0, file.pull(address, PAGE, content.length), "end of file");
        }
        UnsafeApi.setMemory(address, 2 * PAGE, (byte)0x5A);
        try (PretouchFile file = PretouchFile.open(path, false))
        {
            assertEquals(content.length, file.size());
            assertEquals(2 * PAGE, file.pull(address, 2 * PAGE, PAGE - 5));
            assertEquals(123, file.pull(address, 2 * PAGE, 3 * PAGE), "a short range at the end");
            assertEquals(0, file.pull(address, PAGE, content.length), "end of file");
            for (int i = 0; i < 2 * PAGE; i++)
            {
                assertEquals((byte)0x5A, UnsafeApi.getByte(address + i), "without read-ahead nothing is copied: " + i);
            }
        }
    }

    @Test
    void failuresNameTheCallTheFileAndTheErrno(@TempDir final Path dir) throws IOException
    {
        final Path missing = dir.resolve("missing.cq4");
        final IOException open = assertThrows(IOException.class, () -> PretouchFile.open(missing, false));
        assertEquals("open(" + missing + ", O_RDONLY) failed: errno 2", open.getMessage());

        final Path path = dir.resolve("w.cq4");
        Files.write(path, new byte[PAGE]);
        final PretouchFile file = PretouchFile.open(path, false);
        file.close();
        file.close(); // idempotent
    }

    @Test
    void pullsAllocateNothing(@TempDir final Path dir) throws IOException
    {
        final Path path = dir.resolve("w.cq4");
        Files.write(path, new byte[64 * PAGE]);
        final ByteBuffer buffer = ByteBuffer.allocateDirect(16 * PAGE);
        final long address = BufferUtil.address(buffer);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        for (final boolean readAhead : new boolean[]{ true, false })
        {
            try (PretouchFile file = PretouchFile.open(path, readAhead))
            {
                long min = Long.MAX_VALUE;
                for (int round = 0; round < 6; round++)
                {
                    final long before = threads.getThreadAllocatedBytes(thread);
                    long total = 0;
                    for (int i = 0; i < 20_000; i++)
                    {
                        total += file.pull(address, 16 * PAGE, (i & 3) * 16L * PAGE);
                        total += file.size();
                    }
                    final long allocated = threads.getThreadAllocatedBytes(thread) - before;
                    assertTrue(total > 0);
                    if (round > 0)
                    {
                        min = Math.min(min, allocated); // the JIT may allocate a little on this thread in a round
                    }
                }
                assertEquals(0, min, "no round of 20,000 pulls allocated nothing, readAhead=" + readAhead);
            }
        }
    }

    @Test
    void withoutReadAheadThePagesReadAreSmallFoliosWithItLargeOnes(@TempDir final Path dir) throws Exception
    {
        assumeFolioSizesVisible();
        final int pages = 8192; // 32 MiB, sparse like a fresh Chronicle file
        final int[] without = readAndLookAtFolios(dir.resolve("without.cq4"), pages, false);
        final int[] with = readAndLookAtFolios(dir.resolve("with.cq4"), pages, true);
        assertOnlyTheReadAheadRunMadeLargeFolios(without, with, pages, "of a file pulled in");
    }

    /**
     * The wiring: a WAL under BATCH (read-ahead off by policy) leaves the part of its file that only the pretoucher
     * has read in 4 KiB folios; under NONE (on by policy), in large ones. The first 8 MiB are left out: the
     * appender's own first faults read around them before the pretoucher runs.
     */
    @ParameterizedTest
    @EnumSource(PretouchMethod.class)
    void theLogAheadOfTheWriterIsInSmallFoliosUnderBatchAndLargeOnesUnderNone(
        final PretouchMethod method, @TempDir final Path dir) throws Exception
    {
        assumeFolioSizesVisible();
        final int from = 4096; // 16 MiB
        final int pages = 4096; // to 32 MiB
        final int[] batch = pretouchedFolios(dir.resolve("batch"), FsyncPolicy.BATCH, method, from, pages);
        final int[] none = pretouchedFolios(dir.resolve("none"), FsyncPolicy.NONE, method, from, pages);
        assertOnlyTheReadAheadRunMadeLargeFolios(batch, none, pages,
            "ahead of the writer (BATCH: without, NONE: with)");
    }

    private static void assumeFolioSizesVisible()
    {
        assumeTrue(PageCacheFlags.visible(),
            "needs /proc/kpageflags and page frame numbers in /proc/self/pagemap (root) to see folio sizes");
    }

    /**
     * The run without read-ahead left no page in a large folio. The run with it is the control: if this kernel and
     * file system never cache in large folios, the choice changes nothing and the test says so by being skipped.
     *
     * @param without {pages in large folios, pages present} without read-ahead.
     * @param with    the same with read-ahead.
     */
    private static void assertOnlyTheReadAheadRunMadeLargeFolios(
        final int[] without, final int[] with, final int pages, final String what)
    {
        assumeTrue(without[1] == pages && with[1] == pages,
            "pages evicted before they could be looked at: " + without[1] + ", " + with[1] + " of " + pages);
        assertEquals(0, without[0], "pages in large folios " + what + " without read-ahead, of " + pages);
        assumeTrue(with[0] > 0, "this kernel made no large folio " + what + " even with read-ahead");
        System.out.printf("pages in large folios %s, of %d: %d without read-ahead, %d with%n", what, pages,
            without[0], with[0]);
    }

    private int[] pretouchedFolios(
        final Path directory, final FsyncPolicy policy, final PretouchMethod method, final int from, final int pages)
        throws Exception
    {
        final long ahead = (long)(from + pages) * PAGE;
        try (Wal wal = new Wal(new WalConfig().directory(directory).fsyncPolicy(policy).pretouchAheadBytes(ahead)
            .pretouchMethod(method)))
        {
            final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
            final UnsafeBuffer image = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
            WalTestRecords.append(wal, key, image, 1, 1024);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (wal.pretouchedBytes() < ahead - PAGE && System.nanoTime() < deadline)
            {
                Thread.sleep(1);
            }
            assertTrue(wal.pretouchedBytes() >= ahead - PAGE, "pretouched only " + wal.pretouchedBytes());
            return foliosOf(WalTestRecords.cycleFiles(directory).get(0), from, pages);
        }
    }

    @Test
    void byPolicyReadAheadIsOffWhenTheLogIsSyncedAsItIsWritten()
    {
        assertTrue(PretouchReadAhead.BY_POLICY.readsAhead(FsyncPolicy.NONE));
        assertFalse(PretouchReadAhead.BY_POLICY.readsAhead(FsyncPolicy.BATCH));
        assertFalse(PretouchReadAhead.BY_POLICY.readsAhead(FsyncPolicy.EVERY_WRITE));
        for (final FsyncPolicy policy : FsyncPolicy.values())
        {
            assertTrue(PretouchReadAhead.ON.readsAhead(policy));
            assertFalse(PretouchReadAhead.OFF.readsAhead(policy));
        }
        assertEquals(PretouchReadAhead.BY_POLICY, new WalConfig().pretouchReadAhead());
    }

    private static int[] readAndLookAtFolios(final Path path, final int pages, final boolean readAhead)
        throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw"))
        {
            raf.setLength((long)pages * PAGE);
        }
        final ByteBuffer buffer = ByteBuffer.allocateDirect(16 * PAGE);
        try (PretouchFile file = PretouchFile.open(path, readAhead))
        {
            for (long position = 0; position < (long)pages * PAGE; position += 16 * PAGE)
            {
                assertEquals(16 * PAGE, file.pull(BufferUtil.address(buffer), 16 * PAGE, position));
            }
        }
        return foliosOf(path, 0, pages);
    }

    /** @return pages of the file from {@code firstPage} in large (compound) folios, and pages present. */
    private static int[] foliosOf(final Path path, final int firstPage, final int pages) throws IOException
    {
        return PageCacheFlags.count(path, firstPage, pages, PageCacheFlags.LARGE_FOLIO, false);
    }
}
