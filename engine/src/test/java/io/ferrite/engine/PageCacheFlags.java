package io.ferrite.engine;

import jnr.ffi.LibraryLoader;
import org.agrona.BufferUtil;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * For tests: the kernel's flags of the page-cache pages of a file ({@code /proc/self/pagemap} gives a mapped page's
 * frame, {@code /proc/kpageflags} that frame's flags; both need root for frame numbers), to see the size of the
 * folios a file is cached in or which of its pages are dirty.
 */
public final class PageCacheFlags
{
    /** KPF_COMPOUND_HEAD and KPF_COMPOUND_TAIL: the page is part of a large folio. */
    public static final long LARGE_FOLIO = (1L << 15) | (1L << 16);
    /** KPF_DIRTY and KPF_WRITEBACK: the page is not yet on the device. */
    public static final long DIRTY_OR_WRITEBACK = (1L << 4) | (1L << 8);

    private static final int PAGE = 4096;

    private PageCacheFlags()
    {
    }

    /**
     * @return whether this process can read page frames and their flags.
     */
    public static boolean visible()
    {
        return Files.isReadable(Path.of("/proc/kpageflags")) && Files.isReadable(Path.of("/proc/self/pagemap"));
    }

    /**
     * Maps {@code pages} pages of the file from {@code firstPage} read-only and looks at each page's flags.
     *
     * @param file       the file.
     * @param firstPage  the first page.
     * @param pages      how many.
     * @param flags      the flags looked for (any of them).
     * @param cachedOnly true: only pages already cached are looked at ({@code mincore}, asked before touching any:
     *                   touching an uncached page reads it in, with this mapping's read-around); false: every page is
     *                   touched, which reads in those not cached.
     * @return pages with any of {@code flags}, and pages present.
     * @throws IOException reading the files.
     */
    public static int[] count(final Path file, final long firstPage, final int pages, final long flags,
        final boolean cachedOnly) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            FileChannel pagemap = FileChannel.open(Path.of("/proc/self/pagemap"), StandardOpenOption.READ);
            FileChannel kpageflags = FileChannel.open(Path.of("/proc/kpageflags"), StandardOpenOption.READ))
        {
            final MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, firstPage * PAGE,
                (long)pages * PAGE);
            final long base = BufferUtil.address(map);
            final ByteBuffer residency = ByteBuffer.allocateDirect(pages);
            if (cachedOnly && 0 != LibC.INSTANCE.mincore(base, (long)pages * PAGE, BufferUtil.address(residency)))
            {
                throw new IOException("mincore failed on " + file);
            }
            final ByteBuffer entry = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            int flagged = 0;
            int present = 0;
            for (int i = 0; i < pages; i++)
            {
                if (cachedOnly && 0 == (residency.get(i) & 1))
                {
                    continue;
                }
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
                kpageflags.read(entry, (pte & ((1L << 55) - 1)) * 8);
                if (0 != (entry.getLong(0) & flags))
                {
                    flagged++;
                }
            }
            return new int[]{ flagged, present };
        }
    }

    /** {@code mincore}, which the JDK does not offer. */
    public interface LibC
    {
        /** Loaded on first use. */
        LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");

        /**
         * @param address page-aligned start.
         * @param length  bytes.
         * @param vector  one byte per page, bit 0 set when it is resident.
         * @return 0, or -1.
         */
        int mincore(long address, long length, long vector);
    }
}
