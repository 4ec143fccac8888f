package io.ferrite.engine.wal;

import io.ferrite.engine.store.LibC;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The WAL pretoucher's read-only descriptor of the file being written, which brings ranges of it into the page
 * cache in one of two ways ({@link PretouchReadAhead} says why it matters):
 * <ul>
 *   <li>with read-ahead: {@code pread} into native memory, so the kernel reads ahead and caches the file in large
 *   folios;</li>
 *   <li>without: {@code posix_fadvise(POSIX_FADV_WILLNEED)} on the range, which the JDK's file channels cannot do:
 *   the kernel fills exactly that range, in 4 KiB folios, copies nothing out, and skips pages already cached
 *   without starting read-ahead from them. ({@code POSIX_FADV_RANDOM} and {@code pread} are not enough: a cached
 *   page that a fault's read-around marked for asynchronous read-ahead, such as the first megabytes of each new
 *   log file, which the appender faults in before the pretoucher runs, starts read-ahead in large folios when
 *   {@code pread} reaches it, and each such window marks the next.)</li>
 * </ul>
 * <b>Threading:</b> one thread (the pretoucher). <b>Allocation:</b> {@link #open} allocates; {@link #pull},
 * {@link #size} and {@link #close} do not.
 */
final class PretouchFile implements AutoCloseable
{
    private final int fd;
    private final Path file;
    private final boolean readAhead;
    private boolean closed;

    private PretouchFile(final int fd, final Path file, final boolean readAhead)
    {
        this.fd = fd;
        this.file = file;
        this.readAhead = readAhead;
    }

    /**
     * Opens {@code file} read-only.
     *
     * @param file      the WAL file.
     * @param readAhead whether {@link #pull} reads with the kernel's read-ahead (large folios) or asks for the
     *                  range alone (4 KiB folios).
     * @return the open file.
     * @throws IOException when the file cannot be opened (naming the errno).
     */
    static PretouchFile open(final Path file, final boolean readAhead) throws IOException
    {
        final LibC libc = LibC.INSTANCE;
        final int fd = libc.open(file.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new IOException("open(" + file + ", O_RDONLY) failed: errno " + LibC.errno());
        }
        return new PretouchFile(fd, file, readAhead);
    }

    /**
     * Brings {@code length} bytes from {@code position} into the page cache: with read-ahead, {@code pread}s them
     * into {@code address}; without, asks the kernel for the range ({@code POSIX_FADV_WILLNEED}) and leaves
     * {@code address} untouched.
     *
     * @param address  where a read puts the bytes ({@code length} bytes of native memory); unused, and may be 0,
     *                 without read-ahead.
     * @param length   at most this many; the caller keeps the range within the file's {@link #size}.
     * @param position the file offset.
     * @return bytes brought in: {@code length}, fewer at the end of the file, 0 past it.
     * @throws IOException naming the call and the errno.
     */
    long pull(final long address, final long length, final long position) throws IOException
    {
        if (!readAhead)
        {
            final int error = LibC.INSTANCE.posix_fadvise(fd, position, length, LibC.POSIX_FADV_WILLNEED);
            if (0 != error)
            {
                // posix_fadvise returns the error number instead of setting errno
                throw new IOException("posix_fadvise(" + file + ", " + length + " bytes at " + position +
                    ", POSIX_FADV_WILLNEED) failed: errno " + error);
            }
            return Math.max(0, Math.min(length, size() - position));
        }
        final long read = LibC.INSTANCE.pread(fd, address, length, position);
        if (read < 0)
        {
            throw new IOException("pread(" + file + ", " + length + " bytes at " + position + ") failed: errno " +
                LibC.errno());
        }
        return read;
    }

    /**
     * @return the file's current length.
     * @throws IOException naming the errno.
     */
    long size() throws IOException
    {
        final long end = LibC.INSTANCE.lseek(fd, 0, LibC.SEEK_END);
        if (end < 0)
        {
            throw new IOException("lseek(" + file + ", 0, SEEK_END) failed: errno " + LibC.errno());
        }
        return end;
    }

    /**
     * Closes the descriptor. Idempotent.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            LibC.INSTANCE.close(fd);
        }
    }
}
