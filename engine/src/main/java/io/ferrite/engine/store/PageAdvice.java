package io.ferrite.engine.store;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;

/**
 * {@code madvise} for the hash store's mapping ({@link StoreFolios#SMALL}), through jnr-ffi (which Chronicle already
 * brings; the JDK cannot advise a mapping).
 */
final class PageAdvice
{
    /** Linux's {@code MADV_RANDOM}: no read-around on faults. */
    static final int MADV_RANDOM = 1;

    private PageAdvice()
    {
    }

    /**
     * @param address page-aligned start.
     * @param length  bytes.
     * @param advice  MADV_*.
     * @return null, or why the kernel refused (the errno).
     */
    static String advise(final long address, final long length, final int advice)
    {
        final LibC libc = LibC.INSTANCE;
        return 0 == libc.madvise(address, length, advice) ? null :
            "madvise(" + advice + ") failed: errno " + LastError.getLastError(Runtime.getRuntime(libc));
    }

    /** The C library function this class calls. */
    public interface LibC
    {
        /** Loaded on first use. */
        LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");

        /**
         * @param address page-aligned start.
         * @param length  bytes.
         * @param advice  MADV_*.
         * @return 0, or -1.
         */
        @SaveError
        int madvise(long address, long length, int advice);
    }
}
