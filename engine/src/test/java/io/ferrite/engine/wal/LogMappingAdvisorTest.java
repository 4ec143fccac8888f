package io.ferrite.engine.wal;

import io.ferrite.engine.store.LibC;
import net.openhft.chronicle.bytes.MappedBytesStore;
import net.openhft.chronicle.bytes.MappedFile;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import net.openhft.chronicle.core.io.ReferenceOwner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LogMappingAdvisor} on a Chronicle mapped file of its own: it populates whole pages across chunks, holds
 * its references only while it follows the file, hands its chunk to the next acquirer of that chunk (the same
 * mapping), leaves the contents alone, and answers {@link LogMappingAdvisor#CLOSED} once the file is gone and
 * {@link LogMappingAdvisor#UNSUPPORTED} when the kernel refuses the advice; dropping unmaps the pages it is given
 * from that mapping (the page map says so) and loses nothing written through it.
 */
class LogMappingAdvisorTest
{
    private static final long CHUNK = 1 << 20;
    private static final int MADV_POPULATE_WRITE = WalConfig.MADV_POPULATE_WRITE;

    @TempDir
    Path directory;

    @Test
    void populatesAcrossChunksIntoTheMappingTheNextAcquirerGetsAndLetsGoWhenClosed() throws Exception
    {
        final File file = directory.resolve("log").toFile();
        final MappedFile mapped = MappedFile.of(file, CHUNK, CHUNK / 4, false);
        final ReferenceOwner appender = ReferenceOwner.temporary("appender");
        try
        {
            final int before = mapped.refCount();
            final LogMappingAdvisor populator = new LogMappingAdvisor("test", MADV_POPULATE_WRITE, true);
            assertTrue(populator.follow(mapped));
            assertEquals(before + 1, mapped.refCount(), "following reserves the file");

            // 1.5 chunks from an unaligned start: whole pages, through the second chunk
            final long end = populator.advise(100, CHUNK + CHUNK / 2 + 1);
            assertEquals(CHUNK + CHUNK / 2 + 4096, end, "up to the end of the page holding the last byte");
            assertTrue(file.length() >= 2 * CHUNK, "taking the second chunk grew the file: " + file.length());

            // the appender's acquire of that chunk gets the populator's store: the same mapping
            final MappedBytesStore held = mapped.acquireByteStore(appender, CHUNK + 10);
            assertEquals(2, held.refCount(), "the populator's reference and the appender's: " + held.refCount());
            assertEquals(0, held.readLong(CHUNK + 4096), "populating wrote nothing");
            held.writeLong(CHUNK + 4096, 42);

            populator.close();
            assertEquals(1, held.refCount(), "close lets go of the chunk");
            assertEquals(before, mapped.refCount(), "close lets go of the file");
            assertEquals(42, held.readLong(CHUNK + 4096));
            held.release(appender);
            assertEquals(LogMappingAdvisor.CLOSED, populator.advise(0, 4096), "after close: no mapping");
        }
        finally
        {
            mapped.releaseLast();
        }
        BackgroundResourceReleaser.releasePendingResources();
        final LogMappingAdvisor late = new LogMappingAdvisor("late", MADV_POPULATE_WRITE, false);
        assertFalse(late.follow(mapped), "a released file cannot be followed");
        assertEquals(LogMappingAdvisor.CLOSED, late.advise(0, 4096));
    }

    @Test
    void droppingUnmapsThePagesFromTheAppendersMappingAndKeepsWhatWasWrittenThere() throws Exception
    {
        final int pages = 64;
        final File file = directory.resolve("log3").toFile();
        final MappedFile mapped = MappedFile.of(file, CHUNK, CHUNK / 4, false);
        final ReferenceOwner appender = ReferenceOwner.temporary("appender");
        try
        {
            final MappedBytesStore held = mapped.acquireByteStore(appender, 0);
            for (long page = 0; page < pages; page++)
            {
                held.writeLong(page * 4096, page + 1); // maps each page, dirty
            }
            final long address = held.addressForRead(0);
            assertEquals(pages, presentPages(address, pages), "the appender's stores mapped every page");
            try (LogMappingAdvisor dropper = new LogMappingAdvisor("test", LibC.MADV_DONTNEED, false))
            {
                assertTrue(dropper.follow(mapped));
                assertEquals(48 * 4096, dropper.advise(0, 48 * 4096));
                assertEquals(pages - 48, presentPages(address, pages), "the 48 pages dropped are unmapped, the rest not");
            }
            for (long page = 0; page < pages; page++)
            {
                assertEquals(page + 1, held.readLong(page * 4096), "page " + page + " read back through the mapping");
            }
            held.release(appender);
        }
        finally
        {
            mapped.releaseLast();
        }
        BackgroundResourceReleaser.releasePendingResources();
        final ByteBuffer contents = ByteBuffer.wrap(Files.readAllBytes(file.toPath())).order(ByteOrder.nativeOrder());
        for (int page = 0; page < pages; page++)
        {
            assertEquals(page + 1, contents.getLong(page * 4096), "page " + page + " of the file");
        }
    }

    /** How many of the {@code pages} pages from {@code address} are mapped: bit 63 of their /proc/self/pagemap entries. */
    private static int presentPages(final long address, final int pages) throws Exception
    {
        final ByteBuffer entries = ByteBuffer.allocate(pages * 8).order(ByteOrder.nativeOrder());
        try (FileChannel pagemap = FileChannel.open(Path.of("/proc/self/pagemap"), StandardOpenOption.READ))
        {
            final long offset = address / 4096 * 8;
            while (entries.hasRemaining() && pagemap.read(entries, offset + entries.position()) > 0)
            {
                // reads until all entries are in
            }
        }
        int present = 0;
        for (int i = 0; i < pages; i++)
        {
            if (entries.getLong(i * 8) < 0)
            {
                present++;
            }
        }
        return present;
    }

    @Test
    void anAdviceTheKernelRefusesIsUnsupportedUntilSomethingWasPopulated() throws Exception
    {
        final MappedFile mapped = MappedFile.of(directory.resolve("log2").toFile(), CHUNK, CHUNK / 4, false);
        try (LogMappingAdvisor populator = new LogMappingAdvisor("test", 1_000_000, false))
        {
            assertTrue(populator.follow(mapped));
            assertEquals(LogMappingAdvisor.UNSUPPORTED, populator.advise(0, 4096));
        }
        finally
        {
            mapped.releaseLast();
        }
    }
}
