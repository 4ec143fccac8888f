package io.ferrite.engine.store;

import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A hash store in its own memory ({@link StoreMemory#ANONYMOUS}) writes its file only at checkpoints, and a checkpoint
 * writes every page the store changed: the file then equals the store's memory, byte for byte; checkpoints taken
 * while the owner goes on writing leave files in which every key not written since the checkpoint began is whole.
 */
class StoreWritesItsOwnPagesTest
{
    @TempDir
    Path dir;

    private final UnsafeBuffer key = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
    private final UnsafeBuffer value = new UnsafeBuffer(BufferUtil.allocateDirectAligned(128 * 1024, 64));
    private final UnsafeBuffer read = new UnsafeBuffer(BufferUtil.allocateDirectAligned(128 * 1024, 64));

    /**
     * Random puts (1% of 64 KiB), replaces and removes in an arena small enough to be merged when it fills; after each
     * checkpoint the file must hold the memory's bytes everywhere past the header (so no change was left unnoted:
     * slot pages, blocks, split remainders, freed blocks, merged free space), and between checkpoints the file
     * must not change at all (nothing but a checkpoint writes it: no kernel writeback, no write through a mapping).
     */
    @Test
    void aCheckpointWritesEveryPageTheStoreChangedAndNothingElseWritesTheFile() throws IOException
    {
        final StoreConfig config = new StoreConfig().file(dir.resolve("own.store")).name("own")
            .maxEntries(2_000).maxBytes(3L << 19);
        assertEquals(StoreMemory.ANONYMOUS, config.memory(), "the default");
        final SplittableRandom random = new SplittableRandom(5);
        int full = 0;
        try (HashItemStore store = HashItemStore.open(config))
        {
            long sequence = 0;
            for (int round = 0; round < 12; round++)
            {
                for (int op = 0; op < 3_000; op++)
                {
                    final int k = random.nextInt(2_500);
                    key.putInt(0, k);
                    if (random.nextInt(10) < 7)
                    {
                        final int length = random.nextInt(100) == 0 ? 64 * 1024 : 1 + random.nextInt(3_000);
                        value.setMemory(0, length, (byte)(k + round));
                        try
                        {
                            store.put(++sequence, key, 0, 4, value, 0, length);
                        }
                        catch (final StoreFullException ex)
                        {
                            full++; // the store is left as it was
                        }
                    }
                    else
                    {
                        store.remove(key, 0, 4);
                    }
                }
                store.beginCheckpoint();
                store.sync();
                assertFileHoldsTheMemory(store, "after checkpoint " + round);
                for (int op = 0; op < 300; op++) // removes alone: pages changed by a backward shift and a free only
                {
                    key.putInt(0, random.nextInt(2_500));
                    store.remove(key, 0, 4);
                }
                store.beginCheckpoint();
                store.sync();
                assertFileHoldsTheMemory(store, "after removes and checkpoint " + round);

                final byte[] checkpointed = Files.readAllBytes(config.file());
                for (int op = 0; op < 500; op++)
                {
                    key.putInt(0, random.nextInt(2_500));
                    if (op % 3 == 0)
                    {
                        store.remove(key, 0, 4);
                    }
                    else
                    {
                        value.setMemory(0, 100, (byte)op);
                        store.put(++sequence, key, 0, 4, value, 0, 100);
                    }
                }
                assertTrue(java.util.Arrays.equals(checkpointed, Files.readAllBytes(config.file())),
                    "the file changed between checkpoints, round " + round);
            }
            System.out.printf("own pages: %d puts refused as full (merges exercised), %d entries at the end%n",
                full, store.size());
            assertTrue(full > 0, "the arena never filled: the merge of free space was not exercised");
        }
    }

    private static void assertFileHoldsTheMemory(final HashItemStore store, final String when) throws IOException
    {
        final long length = store.fileLength();
        final ByteBuffer page = ByteBuffer.allocateDirect(HashItemStore.PAGE_BYTES);
        final UnsafeBuffer filePage = new UnsafeBuffer(page);
        int differing = 0;
        long first = -1;
        try (FileChannel channel = FileChannel.open(store.file(), StandardOpenOption.READ))
        {
            for (long offset = HashItemStore.HEADER_BYTES; offset < length; offset += HashItemStore.PAGE_BYTES)
            {
                page.clear();
                while (page.hasRemaining())
                {
                    if (channel.read(page, offset + page.position()) < 0)
                    {
                        fail("file shorter than the store: " + offset);
                    }
                }
                final long memory = store.addressForTesting() + offset;
                for (int i = 0; i < HashItemStore.PAGE_BYTES; i += 8)
                {
                    if (filePage.getLong(i) != UnsafeApi.getLong(memory + i))
                    {
                        differing++;
                        first = first < 0 ? offset : first;
                        break;
                    }
                }
            }
        }
        assertEquals(0, differing, when + ": pages of the file that differ from the store's memory, the first at " +
            "offset " + first);
    }

    /**
     * Checkpoints run on another thread while the owner puts, replaces and removes (many removes: backward shifts in
     * the pages being written); after each one the file is copied (nothing writes it until the next checkpoint) and
     * later opened, unclean, as a crash would leave it. Every key not written since that checkpoint began must be
     * there with its value at the beginning, or absent if it was; a key written since may be in any state it was in
     * (replay of the log overwrites it), but never a value it never had.
     */
    @Test
    void checkpointsTakenWhileTheOwnerWritesKeepEveryKeyNotWrittenSinceTheyBegan() throws Exception
    {
        final StoreConfig config = new StoreConfig().file(dir.resolve("busy.store")).name("busy").maxEntries(20_000);
        final SplittableRandom random = new SplittableRandom(23);
        final Map<Integer, Integer> model = new HashMap<>(); // key -> version
        final List<Path> images = new ArrayList<>();
        final List<Map<Integer, Integer>> atBegin = new ArrayList<>();
        final List<Set<Integer>> writtenSince = new ArrayList<>();
        final ExecutorService checkpointThread = Executors.newSingleThreadExecutor();
        try (HashItemStore store = HashItemStore.open(config))
        {
            Future<?> sync = null;
            Map<Integer, Integer> begun = null;
            Set<Integer> since = null;
            int version = 0;
            int opsSinceCheckpoint = 0;
            int overlapped = 0;
            for (int op = 0; op < 400_000 && images.size() < 8; op++)
            {
                if (null == sync && ++opsSinceCheckpoint >= 20_000)
                {
                    store.beginCheckpoint();
                    begun = new HashMap<>(model);
                    since = new HashSet<>();
                    sync = checkpointThread.submit(store::sync);
                    opsSinceCheckpoint = 0;
                }
                final int k = random.nextInt(15_000);
                key.putInt(0, k);
                if (random.nextInt(100) < 55)
                {
                    final int v = ++version;
                    store.put(v, key, 0, 4, value, 0, fillValue(k, v));
                    model.put(k, v);
                }
                else
                {
                    store.remove(key, 0, 4);
                    model.remove(k);
                }
                if (null != sync)
                {
                    since.add(k);
                    if (sync.isDone())
                    {
                        sync.get();
                        overlapped += since.size();
                        final Path image = dir.resolve("image-" + images.size());
                        Files.copy(config.file(), image);
                        images.add(image);
                        atBegin.add(begun);
                        writtenSince.add(since);
                        sync = null;
                    }
                }
            }
            if (null != sync)
            {
                sync.get();
            }
            assertEquals(8, images.size(), "checkpoints completed");
            assertTrue(overlapped > 1_000, "the owner wrote while the checkpoints ran: " + overlapped + " keys");
        }
        finally
        {
            checkpointThread.shutdownNow();
            assertTrue(checkpointThread.awaitTermination(10, TimeUnit.SECONDS));
        }

        for (int i = 0; i < images.size(); i++)
        {
            final Path file = dir.resolve("opened-" + i + ".store");
            Files.move(images.get(i), file);
            try (HashItemStore store = HashItemStore.open(new StoreConfig().file(file).name("image").maxEntries(20_000)))
            {
                final Map<Integer, Integer> expected = atBegin.get(i);
                final Set<Integer> written = writtenSince.get(i);
                for (int k = 0; k < 15_000; k++)
                {
                    key.putInt(0, k);
                    final int length = store.get(key, 0, 4, read, 0);
                    final Integer v = expected.get(k);
                    if (!written.contains(k))
                    {
                        assertEquals(null == v ? -1 : fillValue(k, v), length, "image " + i + " key " + k);
                    }
                    if (length >= 0)
                    {
                        checkValue(k, length, "image " + i);
                    }
                }
                System.out.printf("image %d: %d entries, %d keys written during its checkpoint, %d slots dropped%n",
                    i, store.size(), written.size(), store.recoveryCorruptions());
            }
        }
    }

    /**
     * A checkpoint copies a slot page only while no remove is shifting slots in it (a copy taken during a shift could
     * miss a slot being moved): with both slot pages marked as being shifted, the sync waits; once the shifts end,
     * it writes them as they are.
     */
    @Test
    void aCheckpointWritesASlotPageOnlyBetweenTwoShiftsOfIt() throws Exception
    {
        final StoreConfig config = new StoreConfig().file(dir.resolve("shift.store")).name("shift").maxEntries(100);
        final ExecutorService checkpointThread = Executors.newSingleThreadExecutor();
        try (HashItemStore store = HashItemStore.open(config))
        {
            assertEquals(2, HashItemStore.slotCount(100) / HashItemStore.PAGE_SLOTS, "slot pages");
            for (int k = 0; k < 50; k++)
            {
                key.putInt(0, k);
                store.put(k, key, 0, 4, value, 0, fillValue(k, 1));
            }
            store.shiftingForTesting(0, true);
            store.shiftingForTesting(1, true);
            store.beginCheckpoint();
            final Future<?> sync = checkpointThread.submit(store::sync);
            Thread.sleep(300);
            assertFalse(sync.isDone(), "the checkpoint wrote a slot page while a shift of it was in progress");
            store.shiftingForTesting(0, false);
            store.shiftingForTesting(1, false);
            sync.get(10, TimeUnit.SECONDS);
            assertFileHoldsTheMemory(store, "after the shifts ended");
        }
        finally
        {
            checkpointThread.shutdownNow();
            assertTrue(checkpointThread.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /**
     * A store whose data is more than the memory available is refused at open, naming both figures and the setting
     * that opens it anyway, rather than loaded until the kernel kills the process.
     */
    @Test
    void aStoreLargerThanTheMemoryAvailableIsRefusedNamingTheSetting() throws IOException
    {
        final StoreConfig config = new StoreConfig().file(dir.resolve("big.store")).name("big").maxEntries(100);
        HashItemStore.checkFitsInMemory(config, 1L << 20, 1L << 20); // fits exactly
        HashItemStore.checkFitsInMemory(config, 1L << 40, -1); // not known: not checked
        final IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(
            IllegalStateException.class, () -> HashItemStore.checkFitsInMemory(config, (1L << 20) + 1, 1L << 20));
        assertTrue(refused.getMessage().contains("1048577 bytes of data") &&
            refused.getMessage().contains("1048576 bytes of memory") &&
            refused.getMessage().contains("ferrite.engine.storeMemory=mapped"), refused.getMessage());
        assertTrue(HashItemStore.availableMemory() > 0, "MemAvailable is read on Linux");
        try (HashItemStore store = HashItemStore.open(config)) // a small store fits, and opens
        {
            assertEquals(0, store.size());
        }
    }

    /** A value that names its key and version, so any value read can be checked to be one the key once had. */
    private int fillValue(final int k, final int version)
    {
        final int length = 8 + (k * 31 + version) % 600;
        value.putInt(0, k);
        value.putInt(4, version);
        for (int i = 8; i < length; i++)
        {
            value.putByte(i, (byte)(k * 7 + version * 13 + i));
        }
        return length;
    }

    private void checkValue(final int k, final int length, final String where)
    {
        assertEquals(k, read.getInt(0), where + ": value names another key");
        final int version = read.getInt(4);
        assertEquals(8 + (k * 31 + version) % 600, length, where + ": key " + k + " version " + version + " length");
        for (int i = 8; i < length; i++)
        {
            if (read.getByte(i) != (byte)(k * 7 + version * 13 + i))
            {
                fail(where + ": key " + k + " version " + version + " differs at byte " + i);
            }
        }
    }
}
