package io.ferrite.engine.wal;

import io.ferrite.engine.store.LibC;
import jnr.ffi.Pointer;
import net.openhft.chronicle.core.OS;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Makes a prefix of a log file durable: the bytes from its start to a given position, and nothing after it. The
 * BATCH syncer uses it instead of {@code fdatasync} of the whole file (decision 0007, "Syncing only what was
 * written").
 * <p>
 * Why: the populating pretoucher faults the pages ahead of the writer in, writable, through the appender's mapping,
 * which dirties them. {@code fdatasync} writes back every dirty page of the file, those zero pages ahead included,
 * and write-protects each one it cleans, so the writer faults again on every page it reaches, and each of those
 * faults waits on the page-table lock the sync holds while it shoots down TLB entries. Linux has no ranged
 * {@code fdatasync}, but {@code msync(MS_SYNC)} of a shared file mapping is one: it calls the file system's fsync
 * for the mapped range with {@code datasync} set (mm/msync.c), which writes back and waits on that range's dirty
 * pages only, then commits the journal and flushes the device's cache as {@code fdatasync} does (ext4, xfs). So
 * this class keeps a read-only shared mapping of the file, never touched (no page is faulted into it, so it costs
 * address space and no memory), and msyncs its first {@code position} bytes. Everything Chronicle wrote for the
 * records before that position lies in that prefix: the file's header and its index arrays are written at or
 * before the position of the record they serve.
 * <p>
 * The descriptor is opened read-write although nothing is written through it: a shared mapping of a descriptor
 * opened read-only is not a shared mapping to the kernel ({@code VM_SHARED} is cleared), and msync of it returns
 * success without syncing anything.
 * <p>
 * <b>Threading:</b> not thread-safe; the WAL calls it under its sync lock. <b>Allocation:</b> {@link #open} and a
 * remap (when the file outgrows the mapping, in steps of {@link #MAP_STEP}) allocate; {@link #syncPrefix} does not
 * otherwise.
 */
final class LogSyncMapping implements AutoCloseable
{
    /** The mapping grows in steps of this much address space (not memory: no page of it is ever touched). */
    static final long MAP_STEP = 1L << 30;

    private static final int MS_SYNC = 4; // Linux
    private static final long MAP_FAILED = -1;

    private final Path file;
    private final int fd;
    private final long pageSize = OS.pageSize();
    private long address;
    private long mappedLength;

    private LogSyncMapping(final Path file, final int fd)
    {
        this.file = file;
        this.fd = fd;
    }

    /**
     * Opens {@code file} for syncing its prefixes; maps nothing yet.
     *
     * @param file a log file.
     * @return the mapping's owner.
     * @throws IOException when the file cannot be opened read-write (naming the errno).
     */
    static LogSyncMapping open(final Path file) throws IOException
    {
        final int fd = LibC.INSTANCE.open(file.toString(), LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new IOException("open(" + file + ", O_RDWR) failed: errno " + LibC.errno());
        }
        return new LogSyncMapping(file, fd);
    }

    /**
     * Makes the file's first {@code position} bytes durable, as {@code fdatasync} would for those bytes, and writes
     * back nothing after them (bar the rest of the page {@code position} falls in). Returns when they are on the
     * device.
     *
     * @param position bytes from the start of the file; at most the file's size.
     * @throws IOException naming the call and the errno (a failed writeback is {@code EIO}, as for fdatasync).
     */
    void syncPrefix(final long position) throws IOException
    {
        final long length = (position + pageSize - 1) & -pageSize;
        if (0 == length)
        {
            return;
        }
        if (length > mappedLength)
        {
            remap((length + MAP_STEP - 1) & -MAP_STEP);
        }
        if (0 != LibC.INSTANCE.msync(address, length, MS_SYNC))
        {
            throw new IOException("msync(" + file + ", 0.." + length + ", MS_SYNC) failed: errno " +
                LibC.errno());
        }
    }

    private void remap(final long length) throws IOException
    {
        unmap();
        // a mapping may run past the end of the file: only touching such pages faults, and nothing touches them
        final Pointer pointer = LibC.INSTANCE.mmap(null, length, LibC.PROT_READ, LibC.MAP_SHARED, fd, 0);
        final long mapped = null == pointer ? MAP_FAILED : pointer.address();
        if (MAP_FAILED == mapped)
        {
            throw new IOException("mmap(" + file + ", " + length + " bytes, PROT_READ, MAP_SHARED) failed: errno " +
                LibC.errno());
        }
        address = mapped;
        mappedLength = length;
    }

    private void unmap()
    {
        if (0 != mappedLength)
        {
            LibC.INSTANCE.munmap(address, mappedLength);
            address = 0;
            mappedLength = 0;
        }
    }

    /** Unmaps and closes the descriptor; makes nothing durable (the WAL forces the file before it closes this). */
    @Override
    public void close()
    {
        unmap();
        LibC.INSTANCE.close(fd);
    }
}
