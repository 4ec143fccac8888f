package io.ferrite.engine.wal;

import net.openhft.chronicle.bytes.MappedBytesStore;
import net.openhft.chronicle.bytes.MappedFile;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import net.openhft.chronicle.core.io.ReferenceOwner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LogMappingPopulator} on a Chronicle mapped file of its own: it populates whole pages across chunks, holds
 * its references only while it follows the file, hands its chunk to the next acquirer of that chunk (the same
 * mapping), leaves the contents alone, and answers {@link LogMappingPopulator#CLOSED} once the file is gone and
 * {@link LogMappingPopulator#UNSUPPORTED} when the kernel refuses the advice.
 */
class LogMappingPopulatorTest
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
            final LogMappingPopulator populator = new LogMappingPopulator("test", MADV_POPULATE_WRITE, true);
            assertTrue(populator.follow(mapped));
            assertEquals(before + 1, mapped.refCount(), "following reserves the file");

            // 1.5 chunks from an unaligned start: whole pages, through the second chunk
            final long end = populator.populate(100, CHUNK + CHUNK / 2 + 1);
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
            assertEquals(LogMappingPopulator.CLOSED, populator.populate(0, 4096), "after close: no mapping");
        }
        finally
        {
            mapped.releaseLast();
        }
        BackgroundResourceReleaser.releasePendingResources();
        final LogMappingPopulator late = new LogMappingPopulator("late", MADV_POPULATE_WRITE, false);
        assertFalse(late.follow(mapped), "a released file cannot be followed");
        assertEquals(LogMappingPopulator.CLOSED, late.populate(0, 4096));
    }

    @Test
    void anAdviceTheKernelRefusesIsUnsupportedUntilSomethingWasPopulated() throws Exception
    {
        final MappedFile mapped = MappedFile.of(directory.resolve("log2").toFile(), CHUNK, CHUNK / 4, false);
        try (LogMappingPopulator populator = new LogMappingPopulator("test", 1_000_000, false))
        {
            assertTrue(populator.follow(mapped));
            assertEquals(LogMappingPopulator.UNSUPPORTED, populator.populate(0, 4096));
        }
        finally
        {
            mapped.releaseLast();
        }
    }
}
