package io.ferrite.engine.wal;

import io.ferrite.engine.store.LibC;
import net.openhft.chronicle.bytes.MappedBytesStore;
import net.openhft.chronicle.bytes.MappedFile;
import net.openhft.chronicle.core.OS;
import net.openhft.chronicle.core.io.ClosedIllegalStateException;
import net.openhft.chronicle.core.io.ReferenceCounted;
import net.openhft.chronicle.core.io.ReferenceOwner;

import java.io.IOException;

/**
 * Applies one {@code madvise} advice to ranges of the log file being written, through the appender's own mapping of
 * it, for one thread of the WAL's: {@code MADV_POPULATE_WRITE} for the pretoucher (decision 0007, "Populating the
 * writer's own mapping"), {@code MADV_DONTNEED} for the BATCH syncer (decision 0007, "Unmapping what is synced").
 * <p>
 * It reserves the file's {@link MappedFile} (published by the owner when it starts a file) and the chunk of it that
 * holds the range ({@link MappedFile#acquireByteStore}), which Chronicle hands the appender when it is at that chunk:
 * the same mapping, so the page-table entries the advice makes or drops are the appender's. Holding them is also
 * what makes the advice safe: a chunk reserved here cannot be unmapped, so its addresses cannot have become someone
 * else's memory. Acquiring a chunk ahead grows the file and maps the chunk on this thread. Populating does what the
 * owner's first store to each page would have done, without writing; dropping a page's entries leaves the page, and
 * whether it is dirty, in the page cache (the owner's next store to it faults it back). Neither changes the
 * contents. It holds one chunk at a time and lets it go when it takes another. With {@code smallFolios}, each chunk
 * is advised {@code MADV_RANDOM} when taken, so that no fault in it reads around the page in large folios ({@link
 * PretouchReadAhead}).
 * <p>
 * <b>Threading:</b> one thread at a time (the syncer's is used under the WAL's sync lock). <b>Allocation:</b> none
 * of its own per range; Chronicle allocates when it maps a chunk.
 */
final class LogMappingAdvisor implements AutoCloseable
{
    /** {@link #advise}'s answer when the kernel refuses the advice before it ever took it. */
    static final long UNSUPPORTED = -1;
    /** {@link #advise}'s answer when there is no mapping to advise: the file was closed under it. */
    static final long CLOSED = -2;

    private static final int EINVAL = 22;

    private final ReferenceOwner owner;
    private final int advice;
    private final boolean smallFolios;
    private final long pageSize = OS.pageSize();
    private MappedFile followed;
    private MappedFile mapped;
    private MappedBytesStore chunk;
    private boolean advised;

    /**
     * @param name        names this advisor's references (Chronicle's reference tracing).
     * @param advice      {@code MADV_POPULATE_WRITE} or {@code MADV_DONTNEED}, or another number in tests.
     * @param smallFolios whether the log is to stay in 4 KiB page-cache folios.
     */
    LogMappingAdvisor(final String name, final int advice, final boolean smallFolios)
    {
        this.owner = ReferenceOwner.temporary(name);
        this.advice = advice;
        this.smallFolios = smallFolios;
    }

    /**
     * Makes {@code file} the mapping advised from now on (nothing changes if it already is), letting go of the
     * previous one.
     *
     * @param file the mapping of the file being written.
     * @return whether it could be reserved (false once the file has been closed).
     */
    boolean follow(final MappedFile file)
    {
        if (file != followed)
        {
            releaseAll();
            followed = file;
            mapped = reserve(file, owner);
        }
        return null != mapped;
    }

    /**
     * Advises the pages of {@code [from, to)} of the followed file (populating faults them in writable; dropping
     * unmaps them from the appender's mapping).
     *
     * @return the position up to which the pages are advised (the end of the page holding {@code to - 1});
     * {@link #CLOSED} when the file's mapping was closed under it (it then waits for the next file to follow);
     * {@link #UNSUPPORTED} when the kernel refused the advice before it ever took it.
     * @throws IOException when the kernel refuses it afterwards, naming the advice, the range and the errno.
     */
    long advise(final long from, final long to) throws IOException
    {
        if (null == mapped)
        {
            return CLOSED;
        }
        long position = from & -pageSize;
        try
        {
            while (position < to)
            {
                if (null == chunk || position >= chunk.safeLimit() || position < chunk.start())
                {
                    final MappedBytesStore next = mapped.acquireByteStore(owner, position);
                    release(chunk, owner);
                    chunk = next;
                    if (smallFolios)
                    {
                        adviseRandom(chunk);
                    }
                }
                // position is page-aligned, and so is a chunk's safe limit (a multiple of the chunk size)
                final long end = Math.min(to, chunk.safeLimit());
                final long length = (end - position + pageSize - 1) & -pageSize;
                if (0 != LibC.INSTANCE.madvise(chunk.addressForWrite(position), length, advice))
                {
                    final int errno = LibC.errno();
                    if (!advised && EINVAL == errno)
                    {
                        return UNSUPPORTED;
                    }
                    throw new IOException("madvise(" + advice + ") of " + length + " bytes at offset " +
                        position + " of " + mapped.file() + " failed: errno " + errno);
                }
                advised = true;
                position += length;
            }
            return position;
        }
        catch (final ClosedIllegalStateException ex)
        {
            releaseAll(); // the file's mapping closed under it (the appender left it, or it was purged)
            return CLOSED;
        }
    }

    /**
     * Lets go of the mapping and the chunk. Idempotent.
     */
    public void close()
    {
        releaseAll();
        followed = null;
    }

    private void releaseAll()
    {
        chunk = release(chunk, owner);
        mapped = release(mapped, owner);
    }

    /**
     * {@code madvise(MADV_RANDOM)} over the chunk's part of the mapping from its start to its safe limit: the kernel
     * then reads no page around a fault in it, so each page faulted in is a 4 KiB folio.
     */
    private void adviseRandom(final MappedBytesStore store) throws IOException
    {
        final long start = store.start();
        final long length = (store.safeLimit() - start) & -pageSize;
        if (0 != LibC.INSTANCE.madvise(store.addressForWrite(start), length, LibC.MADV_RANDOM))
        {
            throw new IOException("madvise(MADV_RANDOM) of " + length + " bytes failed: errno " +
                LibC.errno());
        }
    }

    private static MappedFile reserve(final MappedFile file, final ReferenceOwner owner)
    {
        try
        {
            return null != file && file.tryReserve(owner) ? file : null;
        }
        catch (final ClosedIllegalStateException ex)
        {
            return null;
        }
    }

    private static <T extends ReferenceCounted> T release(final T counted, final ReferenceOwner owner)
    {
        if (null != counted)
        {
            counted.release(owner);
        }
        return null;
    }
}
