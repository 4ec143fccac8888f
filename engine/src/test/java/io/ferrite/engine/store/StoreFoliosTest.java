package io.ferrite.engine.store;

import io.ferrite.engine.PageCacheFlags;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.config.Settings;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code ferrite.engine.storeFolios} ({@link StoreFolios}): with {@code small}, the pages a hash store writes are
 * cached in 4 KiB folios, none of them part of a large one; with {@code large} (the default), the control, the same
 * writes leave large folios where this kernel makes them. Folios are read from {@code /proc/kpageflags} (root).
 */
class StoreFoliosTest
{
    private static final int PAGE = 4096;
    private static final int ITEMS = 30_000;

    @TempDir
    Path dir;

    @Test
    void smallKeepsTheStoreIn4KiBFoliosAndLargeIsTheDefault() throws IOException
    {
        assumeTrue(PageCacheFlags.visible(), "needs /proc/kpageflags and page frame numbers in /proc/self/pagemap (root) to see folio sizes");
        final int[] small = fill(StoreFolios.SMALL);
        final int[] large = fill(StoreFolios.LARGE);
        System.out.printf("store pages in large folios: small %d of %d, large %d of %d%n", small[0], small[1],
            large[0], large[1]);
        assertTrue(small[1] >= 7000, "pages present in the SMALL store's file: " + small[1]);
        assertEquals(0, small[0], "pages of the SMALL store's file in large folios, of " + small[1]);
        assumeTrue(large[0] > 0, "this kernel made no large folio for the store even with its read-around");
    }

    @Test
    void theSettingIsReadAndValidated()
    {
        final String key = "ferrite.engine.storeFolios";
        assertEquals(StoreFolios.LARGE, new EngineConfig().storeFolios());
        assertEquals(StoreFolios.LARGE, new StoreConfig().folios());
        assertEquals(StoreFolios.SMALL,
            EngineConfig.from(Settings.fromSystemProperties().set(key, "small")).storeFolios());
        assertEquals(StoreFolios.SMALL,
            EngineConfig.from(Settings.fromSystemProperties().set(key, "small")).copy().storeFolios(), "a copy");
        final IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
            () -> EngineConfig.from(Settings.fromSystemProperties().set(key, "huge")));
        assertTrue(unknown.getMessage().contains(key) && unknown.getMessage().contains("SMALL"),
            unknown.getMessage());
    }

    /**
     * Opens a hash store with these folios, puts 30,000 items of 1 KB (spread over its table and arena), closes it and
     * looks at the folios of every cached page of its file.
     *
     * @return pages in large folios, and pages present.
     */
    private int[] fill(final StoreFolios folios) throws IOException
    {
        final Path file = dir.resolve(folios + ".store");
        final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
        try (HashItemStore store = HashItemStore.open(
            new StoreConfig().file(file).maxEntries(2 * ITEMS).name(folios.name()).folios(folios)
                .memory(StoreMemory.MAPPED)))
        {
            for (int i = 0; i < ITEMS; i++)
            {
                key.putInt(0, i * 7919);
                key.putInt(4, i);
                value.putInt(0, i);
                store.put(i + 1, key, 0, 8, value, 0, 1024);
            }
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            return PageCacheFlags.count(file, 0, (int)(channel.size() / PAGE), PageCacheFlags.LARGE_FOLIO, true);
        }
    }
}
