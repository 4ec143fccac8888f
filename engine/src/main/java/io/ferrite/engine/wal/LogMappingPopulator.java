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
 * Faults ranges of the log file being written in, writable, through the appender's own mapping of it (decision 0007,
 * "Populating the writer's own mapping"), for one thread of the WAL's (the pretoucher, or the BATCH syncer).
 * <p>
 * It reserves the file's {@link MappedFile} (published by the owner when it starts a file) and the chunk of it that
 * holds the range ({@link MappedFile#acquireByteStore}), which Chronicle then hands the appender when it reaches that
 * chunk: the same mapping, so the page-table entries made here are the appender's. Acquiring a chunk ahead also grows
 * the file and maps the chunk on this thread. {@code madvise(MADV_POPULATE_WRITE)} (Linux 5.14) then does what the
 * owner's first store to each page would have done, without writing: the contents are untouched. It holds one chunk
 * at a time and lets it go when it takes another. With {@code smallFolios}, each chunk is advised
 * {@code MADV_RANDOM} when taken, so that no fault in it reads around the page in large folios ({@link
 * PretouchReadAhead}).
 * <p>
 * <b>Threading:</b> one thread. <b>Allocation:</b> none of its own per range; Chronicle allocates when it maps a
 * chunk.
 */
final class LogMappingPopulator implements AutoCloseable
{
    /** {@link #populate}'s answer when the kernel refuses the advice before anything was populated. */
    static final long UNSUPPORTED = -1;
    /** {@link #populate}'s answer when there is no mapping to populate: the file was closed under it. */
    static final long CLOSED = -2;

    private static final int EINVAL = 22;

    private final ReferenceOwner owner;
    private final int advice;
    private final boolean smallFolios;
    private final long pageSize = OS.pageSize();
    private MappedFile followed;
    private MappedFile mapped;
    private MappedBytesStore chunk;
    private boolean populated;

    /**
     * @param name        names this populator's references (Chronicle's reference tracing).
     * @param advice      {@code MADV_POPULATE_WRITE}, or another number in tests.
     * @param smallFolios whether the log is to stay in 4 KiB page-cache folios.
     */
    LogMappingPopulator(final String name, final int advice, final boolean smallFolios)
    {
        this.owner = ReferenceOwner.temporary(name);
        this.advice = advice;
        this.smallFolios = smallFolios;
    }

    /**
     * Makes {@code file} the mapping populated from now on (nothing changes if it already is), letting go of the
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
     * Faults in the pages of {@code [from, to)} of the followed file, writable.
     *
     * @return the position up to which the pages are populated (the end of the page holding {@code to - 1});
     * {@link #CLOSED} when the file's mapping was closed under it (it then waits for the next file to follow);
     * {@link #UNSUPPORTED} when the kernel refused the advice before anything was ever populated.
     * @throws IOException when the kernel refuses it afterwards, naming the range and the errno.
     */
    long populate(final long from, final long to) throws IOException
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
                    if (!populated && EINVAL == errno)
                    {
                        return UNSUPPORTED;
                    }
                    throw new IOException("madvise(MADV_POPULATE_WRITE) of " + length + " bytes at offset " +
                        position + " of " + mapped.file() + " failed: errno " + errno);
                }
                populated = true;
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
