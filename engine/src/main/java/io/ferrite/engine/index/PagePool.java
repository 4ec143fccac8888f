package io.ferrite.engine.index;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;

/**
 * Fixed-size off-heap pages for one {@link OffHeapBTree}. Not thread safe: only the thread that owns the tree
 * (its shard thread) may call it.
 * <p>
 * Pages are carved out of direct chunks of at least {@link #MIN_CHUNK_BYTES}; a chunk is never moved or released
 * before {@link #close()}, so a page's address is stable for the pool's life. A page id maps to an address with a
 * shift and a mask. Released pages go on an intrusive free list and are handed out again before a new chunk is
 * added, so the pool only allocates (Java and native memory) when every page is in use.
 * <pre>
 *  A free page:
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         0 (kind: free)                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 next free page id, or NULL_PAGE               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        (undefined) ...                        |
 * </pre>
 */
final class PagePool implements AutoCloseable
{
    /**
     * Page id meaning "no page".
     */
    static final int NULL_PAGE = -1;

    /**
     * Smallest chunk of pages reserved at once: growth is rare and coarse.
     */
    static final int MIN_CHUNK_BYTES = 2 * 1024 * 1024;

    private static final int CHUNK_ALIGNMENT = 4096;
    private static final int NEXT_FREE_OFFSET = 4;
    private static final long[] NO_ADDRESSES = new long[0];

    private final int pageSize;
    private final int pageShift;
    private final int chunkBytes;
    private final int pagesPerChunkShift;
    private final int pageInChunkMask;
    private ByteBuffer[] chunks = new ByteBuffer[4];
    private long[] chunkAddresses = new long[4];
    private int chunkCount;
    private int highWaterPage;
    private int freeHead = NULL_PAGE;
    private int freeCount;

    PagePool(final int pageSize)
    {
        if (Integer.bitCount(pageSize) != 1)
        {
            throw new IllegalArgumentException("pageSize=" + pageSize + " is not a power of two");
        }

        this.pageSize = pageSize;
        this.pageShift = Integer.numberOfTrailingZeros(pageSize);
        this.chunkBytes = Math.max(MIN_CHUNK_BYTES, pageSize);
        this.pagesPerChunkShift = Integer.numberOfTrailingZeros(chunkBytes / pageSize);
        this.pageInChunkMask = (chunkBytes / pageSize) - 1;
    }

    int pageSize()
    {
        return pageSize;
    }

    /**
     * Address of a page that has been handed out by {@link #allocate()}.
     *
     * @param pageId of the page.
     * @return native address of the page's first byte.
     */
    long address(final int pageId)
    {
        return chunkAddresses[pageId >>> pagesPerChunkShift] + ((long)(pageId & pageInChunkMask) << pageShift);
    }

    /**
     * Hand out a page: a released one if any, else a never-used one, adding a chunk only when none is left.
     * The page's contents are undefined.
     *
     * @return id of the page.
     */
    int allocate()
    {
        if (NULL_PAGE != freeHead)
        {
            final int pageId = freeHead;
            freeHead = UnsafeApi.getInt(address(pageId) + NEXT_FREE_OFFSET);
            freeCount--;
            return pageId;
        }

        if (highWaterPage == chunkCount << pagesPerChunkShift)
        {
            addChunk();
        }

        return highWaterPage++;
    }

    /**
     * Put a page back on the free list. Its first int becomes 0 so a stray reader sees a free page.
     *
     * @param pageId of the page, which must not be used again until handed out by {@link #allocate()}.
     */
    void free(final int pageId)
    {
        final long address = address(pageId);
        UnsafeApi.putInt(address, 0);
        UnsafeApi.putInt(address + NEXT_FREE_OFFSET, freeHead);
        freeHead = pageId;
        freeCount++;
    }

    /**
     * Forget every page handed out, keeping the chunks for reuse.
     */
    void reset()
    {
        highWaterPage = 0;
        freeHead = NULL_PAGE;
        freeCount = 0;
    }

    /**
     * @return pages handed out and not released.
     */
    int pagesInUse()
    {
        return highWaterPage - freeCount;
    }

    /**
     * @return pages on the free list.
     */
    int freePages()
    {
        return freeCount;
    }

    /**
     * @return bytes of native memory reserved by chunks.
     */
    long reservedBytes()
    {
        return (long)chunkCount * chunkBytes;
    }

    /**
     * Release every chunk. Page addresses become invalid; {@link #address(int)} then throws.
     */
    public void close()
    {
        for (int i = 0; i < chunkCount; i++)
        {
            BufferUtil.free(chunks[i]);
            chunks[i] = null;
        }

        chunkAddresses = NO_ADDRESSES;
        chunkCount = 0;
        reset();
    }

    /**
     * First address in a direct buffer aligned to a power of two; the buffer must have {@code alignment} spare bytes.
     *
     * @param buffer    direct buffer.
     * @param alignment power of two.
     * @return the aligned address.
     */
    static long alignedAddress(final ByteBuffer buffer, final int alignment)
    {
        final long address = BufferUtil.address(buffer);
        return (address + alignment - 1) & -alignment;
    }

    private void addChunk()
    {
        final long pagesAfter = (long)(chunkCount + 1) << pagesPerChunkShift;
        if (pagesAfter > Integer.MAX_VALUE)
        {
            throw new IllegalStateException(
                "page pool full: " + chunkCount + " chunks of " + chunkBytes + " bytes, page ids would pass " +
                Integer.MAX_VALUE);
        }

        if (chunkCount == chunks.length)
        {
            chunks = Arrays.copyOf(chunks, chunkCount * 2);
            chunkAddresses = Arrays.copyOf(chunkAddresses, chunkCount * 2);
        }

        // Over-allocate and align by hand: the aligned slice BufferUtil.allocateDirectAligned returns cannot be freed.
        final ByteBuffer chunk = ByteBuffer.allocateDirect(chunkBytes + CHUNK_ALIGNMENT);
        chunks[chunkCount] = chunk;
        chunkAddresses[chunkCount] = alignedAddress(chunk, CHUNK_ALIGNMENT);
        chunkCount++;
    }
}
