package io.ferrite.engine.store;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;

/**
 * The C library functions the engine calls that the JDK does not offer (advice on files and mappings, ranged syncs of a
 * mapping), for the WAL's pretoucher and syncer and the hash store, bound through jnr-ffi (which Chronicle's posix
 * library already brings). Addresses are passed as {@code long}, which is a pointer's width on the 64-bit Linux we run
 * on. Linux's values of the constants.
 */
public interface LibC
{
    /** {@code madvise}: no read-around on faults. */
    int MADV_RANDOM = 1;

    /**
     * {@code madvise}: drop the range's page-table entries; a shared file mapping's pages stay in the page cache,
     * dirty or not, and fault back in on the next access.
     */
    int MADV_DONTNEED = 4;

    /** {@code madvise}: back the range with transparent huge pages where the kernel can. */
    int MADV_HUGEPAGE = 14;

    /** {@code posix_fadvise}: start reading the range into the page cache. */
    int POSIX_FADV_WILLNEED = 3;

    /** {@code posix_fadvise}: drop the range's clean pages from the page cache. */
    int POSIX_FADV_DONTNEED = 4;

    /** {@code open}: read only. */
    int O_RDONLY = 0;

    /** {@code open}: read and write. */
    int O_RDWR = 2;

    /** {@code open}: not inherited by a child process (Linux's value). */
    int O_CLOEXEC = 0x80000;

    /** {@code mmap}: readable. */
    int PROT_READ = 1;

    /** {@code mmap}: writable. */
    int PROT_WRITE = 2;

    /** {@code mmap}: shared with the file (and every other mapping of it). */
    int MAP_SHARED = 1;

    /** {@code mmap}: private to the process. */
    int MAP_PRIVATE = 2;

    /** {@code mmap}: memory backed by no file (Linux's value). */
    int MAP_ANONYMOUS = 0x20;

    /** {@code mmap}: reserve no swap for the range (Linux's value). */
    int MAP_NORESERVE = 0x4000;

    /** {@code lseek}: from the file's end. */
    int SEEK_END = 2;

    /** {@code lseek}: the next offset at or after the given one that holds data. */
    int SEEK_DATA = 3;

    /** {@code lseek}: the next hole at or after the given offset (the file's end counts as one). */
    int SEEK_HOLE = 4;

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
     * @param fd       the descriptor.
     * @param address  the bytes to write.
     * @param length   how many.
     * @param position the file offset.
     * @return bytes written, or -1.
     */
    @SaveError
    long pwrite(int fd, long address, long length, long position);

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

    /**
     * @param address page-aligned start.
     * @param length  bytes.
     * @param advice  MADV_*.
     * @return 0, or -1.
     */
    @SaveError
    int madvise(long address, long length, int advice);

    /**
     * Declared with a pointer and C's own types: bound with plain {@code long}s, jnr-ffi passed an offset glibc
     * refused (EINVAL before any system call).
     *
     * @param address a hint (null: the kernel chooses).
     * @param length  bytes.
     * @param prot    PROT_*.
     * @param flags   MAP_*.
     * @param fd      the descriptor.
     * @param offset  page-aligned file offset.
     * @return the mapping, or a pointer to address -1 (MAP_FAILED).
     */
    @SaveError
    Pointer mmap(Pointer address, @size_t long length, int prot, int flags, int fd, @off_t long offset);

    /**
     * @param address the mapping.
     * @param length  its length.
     * @return 0, or -1.
     */
    @SaveError
    int munmap(long address, long length);

    /**
     * @param address page-aligned start.
     * @param length  bytes.
     * @param flags   MS_*.
     * @return 0, or -1.
     */
    @SaveError
    int msync(long address, long length, int flags);
}
