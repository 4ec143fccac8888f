package io.ferrite.engine.wal;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The WAL pretoucher's read-only descriptor of the file being written, read with {@code pread} into native memory,
 * optionally with the kernel's read-ahead turned off ({@code posix_fadvise(POSIX_FADV_RANDOM)}, which the JDK's
 * file channels cannot do) so that the pages it brings into the page cache are 4 KiB folios
 * ({@link PretouchReadAhead} says why that matters).
 * <p>
 * <b>Threading:</b> one thread (the pretoucher). <b>Allocation:</b> {@link #open} allocates; {@link #read},
 * {@link #size} and {@link #close} do not.
 */
final class PretouchFile implements AutoCloseable
{
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000; // Linux
    private static final int SEEK_END = 2;
    private static final int POSIX_FADV_RANDOM = 1;

    private final int fd;
    private final Path file;
    private boolean closed;

    private PretouchFile(final int fd, final Path file)
    {
        this.fd = fd;
        this.file = file;
    }

    /**
     * Opens {@code file} read-only.
     *
     * @param file      the WAL file.
     * @param readAhead false to turn the kernel's read-ahead off for the descriptor.
     * @return the open file.
     * @throws IOException when the file cannot be opened or the advice is refused (naming the errno).
     */
    static PretouchFile open(final Path file, final boolean readAhead) throws IOException
    {
        final LibC libc = LibC.INSTANCE;
        final int fd = libc.open(file.toString(), O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new IOException("open(" + file + ", O_RDONLY) failed: errno " + LibC.errno());
        }
        final int advice = readAhead ? 0 : libc.posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
        if (0 != advice)
        {
            libc.close(fd);
            // posix_fadvise returns the error number instead of setting errno
            throw new IOException("posix_fadvise(" + file + ", POSIX_FADV_RANDOM) failed: errno " + advice);
        }
        return new PretouchFile(fd, file);
    }

    /**
     * {@code pread}: reads up to {@code length} bytes at {@code position} into native memory.
     *
     * @param address  where to write them.
     * @param length   at most this many.
     * @param position the file offset.
     * @return bytes read, 0 at the end of the file.
     * @throws IOException naming the errno.
     */
    long read(final long address, final long length, final long position) throws IOException
    {
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
        final long end = LibC.INSTANCE.lseek(fd, 0, SEEK_END);
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

    /**
     * The C library functions this class calls, bound through jnr-ffi (which Chronicle's posix library already
     * brings). Addresses are passed as {@code long}, which is a pointer's width on the 64-bit Linux we run on.
     */
    public interface LibC
    {
        /** Loaded on first use. */
        LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");

        /**
         * @return the calling thread's errno after the last call that saved it.
         */
        static int errno()
        {
            return LastError.getLastError(Runtime.getRuntime(INSTANCE));
        }

        /**
         * @param path  the file.
         * @param flags open flags.
         * @param mode  creation mode (unused without O_CREAT).
         * @return the descriptor, or -1.
         */
        @SaveError
        int open(CharSequence path, int flags, int mode);

        /**
         * @param fd       the descriptor.
         * @param address  the buffer.
         * @param length   its size.
         * @param position the file offset.
         * @return bytes read, or -1.
         */
        @SaveError
        long pread(int fd, long address, long length, long position);

        /**
         * @param fd     the descriptor.
         * @param offset where the advice starts.
         * @param length how far it goes (0: to the end of the file, however long it grows).
         * @param advice POSIX_FADV_*.
         * @return 0, or the error number.
         */
        int posix_fadvise(int fd, long offset, long length, int advice);

        /**
         * @param fd     the descriptor.
         * @param offset the offset.
         * @param whence SEEK_*.
         * @return the new offset, or -1.
         */
        @SaveError
        long lseek(int fd, long offset, int whence);

        /**
         * @param fd the descriptor.
         * @return 0, or -1.
         */
        int close(int fd);
    }
}
