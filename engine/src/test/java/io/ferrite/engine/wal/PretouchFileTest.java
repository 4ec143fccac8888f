package io.ferrite.engine.wal;

import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The WAL pretoucher's file: reads what the file holds, names the errno when a call fails, allocates nothing per
 * read, and with read-ahead off leaves the pages it read in 4 KiB page-cache folios, which is its purpose
 * ({@link PretouchReadAhead}).
 */
class PretouchFileTest
{
    private static final int PAGE = 4096;

    @Test
    void readsTheFileAtAnyOffsetAndReportsItsSize(@TempDir final Path dir) throws IOException
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
        for (final boolean readAhead : new boolean[]{ true, false })
        {
            try (PretouchFile file = PretouchFile.open(path, readAhead))
            {
                assertEquals(content.length, file.size());
                assertEquals(2 * PAGE, file.read(address, 2 * PAGE, PAGE - 5));
                for (int i = 0; i < 2 * PAGE; i++)
                {
                    assertEquals(content[PAGE - 5 + i], UnsafeApi.getByte(address + i), "byte " + i);
                }
                assertEquals(123, file.read(address, 2 * PAGE, 3 * PAGE), "a short read at the end");
                assertEquals(0, file.read(address, PAGE, content.length), "end of file");
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
    void readsAllocateNothing(@TempDir final Path dir) throws IOException
    {
        final Path path = dir.resolve("w.cq4");
        Files.write(path, new byte[64 * PAGE]);
        final ByteBuffer buffer = ByteBuffer.allocateDirect(16 * PAGE);
        final long address = BufferUtil.address(buffer);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        try (PretouchFile file = PretouchFile.open(path, false))
        {
            long min = Long.MAX_VALUE;
            for (int round = 0; round < 6; round++)
            {
                final long before = threads.getThreadAllocatedBytes(thread);
                long total = 0;
                for (int i = 0; i < 20_000; i++)
                {
                    total += file.read(address, 16 * PAGE, (i & 3) * 16L * PAGE);
                    total += file.size();
                }
                final long allocated = threads.getThreadAllocatedBytes(thread) - before;
                assertTrue(total > 0);
                if (round > 0)
                {
                    min = Math.min(min, allocated); // the JIT may allocate a little on this thread in a round
                }
            }
            assertEquals(0, min, "no round of 20,000 reads allocated nothing");
        }
    }

    @Test
    void withoutReadAheadThePagesReadAreSmallFoliosWithItLargeOnes(@TempDir final Path dir) throws Exception
    {
        assumeTrue(Files.isReadable(Path.of("/proc/kpageflags")) && Files.isReadable(Path.of("/proc/self/pagemap")),
            "needs /proc/kpageflags and page frame numbers in /proc/self/pagemap (root) to see folio sizes");
        final int pages = 8192; // 32 MiB, sparse like a fresh Chronicle file
        final int[] without = readAndLookAtFolios(dir.resolve("without.cq4"), pages, false);
        final int[] with = readAndLookAtFolios(dir.resolve("with.cq4"), pages, true);
        assumeTrue(without[1] == pages && with[1] == pages,
            "pages evicted before they could be looked at: " + without[1] + ", " + with[1] + " of " + pages);
        assertEquals(0, without[0], "pages in large folios after reading without read-ahead, of " + pages);
        // the control: if this kernel and file system never cache in large folios, the choice changes nothing here
        assumeTrue(with[0] > 0, "this kernel made no large folio for the file even with read-ahead");
        System.out.printf("pages in large folios of %d read: %d without read-ahead, %d with%n", pages, without[0],
            with[0]);
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
                assertEquals(16 * PAGE, file.read(BufferUtil.address(buffer), 16 * PAGE, position));
            }
        }
        return foliosOf(path, pages);
    }

    /**
     * Maps the file read-only, touches each page (already cached, so no new folio is made) and asks the kernel for
     * each page's frame and that frame's flags.
     *
     * @return pages in large (compound) folios, and pages present.
     */
    private static int[] foliosOf(final Path path, final int pages) throws IOException
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
            FileChannel pagemap = FileChannel.open(Path.of("/proc/self/pagemap"), StandardOpenOption.READ);
            FileChannel flags = FileChannel.open(Path.of("/proc/kpageflags"), StandardOpenOption.READ))
        {
            final MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, 0, (long)pages * PAGE);
            final long base = BufferUtil.address(map);
            final ByteBuffer entry = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int large = 0;
            int present = 0;
            for (int i = 0; i < pages; i++)
            {
                map.get(i * PAGE);
                entry.clear();
                pagemap.read(entry, ((base >>> 12) + i) * 8);
                final long pte = entry.getLong(0);
                if (pte >= 0) // bit 63: present
                {
                    continue;
                }
                present++;
                entry.clear();
                flags.read(entry, (pte & ((1L << 55) - 1)) * 8);
                final long f = entry.getLong(0);
                if ((f & (3L << 15)) != 0) // KPF_COMPOUND_HEAD, KPF_COMPOUND_TAIL
                {
                    large++;
                }
            }
            return new int[]{ large, present };
        }
    }
}
