package io.ferrite.engine.store;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HashItemStore} against a {@link HashMap}: random puts, replaces, removes and gets with values of 0 to
 * 400 KB, keys forced into one slot page (collisions, probe runs wrapping the page, backward-shift deletes), a full
 * store, reopening after a clean close and after an unclean one (the file copied while open, as a SIGKILL leaves
 * it), and a corrupted block found and dropped.
 */
class HashItemStoreTest
{
    private static final int MAX_VALUE = StoreConfig.DEFAULT_MAX_VALUE_SIZE;

    @TempDir
    Path dir;

    private final UnsafeBuffer key = new UnsafeBuffer(BufferUtil.allocateDirectAligned(ItemStore.MAX_KEY_LENGTH, 64));
    private final UnsafeBuffer value = new UnsafeBuffer(BufferUtil.allocateDirectAligned(MAX_VALUE, 64));
    private final UnsafeBuffer read = new UnsafeBuffer(BufferUtil.allocateDirectAligned(MAX_VALUE, 64));
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);

    private StoreConfig config(final String name, final long maxEntries)
    {
        return new StoreConfig().file(dir.resolve(name + ".store")).maxEntries(maxEntries).name(name);
    }

    /**
     * What a SIGKILL right after a checkpoint leaves of an open store: its file, synced, not marked clean.
     */
    private static void imageAfterACheckpoint(final HashItemStore store, final Path image) throws IOException
    {
        store.beginCheckpoint();
        store.sync();
        java.nio.file.Files.copy(store.file(), image);
    }

    @ParameterizedTest
    @EnumSource(StoreMemory.class)
    void discardLeavesTheFileUnsyncedAndNotMarkedCleanWhileCloseMarksIt(final StoreMemory memory) throws IOException
    {
        final StoreConfig config = config("discarded", 100).memory(memory);
        final byte[] k = { 1, 2, 3 };
        final byte[] v = { 4, 5, 6, 7 };
        key.putBytes(0, k);
        value.putBytes(0, v);

        final HashItemStore closed = HashItemStore.open(config);
        closed.put(1, key, 0, k.length, value, 0, v.length);
        closed.close();
        assertEquals(1, cleanFlag(config.file()), "close marks the file clean");

        final HashItemStore discarded = HashItemStore.open(config);
        assertEquals(0, cleanFlag(config.file()), "an open store is not marked clean");
        final byte[] k2 = { 9, 8, 7 };
        key.putBytes(0, k2);
        discarded.put(2, key, 0, k2.length, value, 0, v.length);
        discarded.discard();
        discarded.discard(); // idempotent
        assertEquals(0, cleanFlag(config.file()), "discard must not claim the file is clean");

        // a reopen verifies, as after a crash: a mapped store's page cache still has the write, while a store in
        // its own memory wrote nothing since its last checkpoint (the open)
        final HashItemStore reopened = HashItemStore.open(config);
        try
        {
            assertEquals(0, reopened.recoveryCorruptions());
            checkKey(reopened, k, v);
            checkKey(reopened, k2, StoreMemory.MAPPED == memory ? v : null);
        }
        finally
        {
            reopened.close();
        }
    }

    private static int cleanFlag(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer header = ByteBuffer.allocate(HashItemStore.H_CLEAN + 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            while (header.hasRemaining() && channel.read(header) >= 0)
            {
                // read the header's first bytes
            }
            return header.getInt(HashItemStore.H_CLEAN);
        }
    }

    @ParameterizedTest
    @EnumSource(StoreMemory.class)
    void randomOperationsMatchAHashMapAcrossCleanAndUncleanReopens(final StoreMemory memory) throws IOException
    {
        final SplittableRandom random = new SplittableRandom(42);
        final Map<ByteBuffer, byte[]> model = new HashMap<>();
        final StoreConfig config = config("model", 3000).memory(memory);
        HashItemStore store = HashItemStore.open(config);
        long sequence = 0;
        try
        {
            for (int round = 0; round < 4; round++)
            {
                for (int op = 0; op < 6000; op++)
                {
                    final byte[] k = randomKey(random, 600);
                    final int choice = random.nextInt(10);
                    if (choice < 5)
                    {
                        final byte[] v = randomValue(random);
                        key.putBytes(0, k);
                        value.putBytes(0, v);
                        final int previous = store.put(++sequence, key, 0, k.length, value, 0, v.length);
                        final byte[] before = model.put(ByteBuffer.wrap(k), v);
                        assertEquals(null == before ? ItemStore.ABSENT : before.length, previous, "put op " + op);
                    }
                    else if (choice < 7)
                    {
                        key.putBytes(0, k);
                        assertEquals(null != model.remove(ByteBuffer.wrap(k)), store.remove(key, 0, k.length));
                    }
                    else
                    {
                        checkKey(store, k, model.get(ByteBuffer.wrap(k)));
                    }
                }
                checkAll(store, model);

                if (round % 2 == 0)
                {
                    store.close();
                    store = HashItemStore.open(config);
                    assertEquals(0, store.recoveryCorruptions());
                }
                else
                {
                    // what a SIGKILL right after a checkpoint leaves: the file as the page cache has it, not marked
                    // clean (a mapped store's file has every write without the checkpoint too)
                    final Path copy = dir.resolve("copy-" + round + ".store");
                    imageAfterACheckpoint(store, copy);
                    store.close();
                    java.nio.file.Files.move(copy, config.file(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    store = HashItemStore.open(config);
                    assertEquals(0, store.recoveryCorruptions());
                }
                assertTrue(store.recovered());
                checkAll(store, model);
            }
        }
        finally
        {
            store.close();
        }
    }

    @Test
    void collidingKeysInOnePageProbeAroundItAndSurviveBackwardShiftDeletes()
    {
        // maxEntries 100 -> 1024 slots, 2 pages; keys are picked whose hash lands in page 0 near its end, so probe
        // runs wrap the page and deletes shift entries back across the wrap
        final Map<ByteBuffer, byte[]> model = new HashMap<>();
        final List<byte[]> keys = new ArrayList<>();
        final SplittableRandom random = new SplittableRandom(7);
        final java.util.Set<ByteBuffer> seen = new java.util.HashSet<>();
        while (keys.size() < 300)
        {
            final byte[] k = new byte[12 + random.nextInt(9)];
            random.nextBytes(k);
            if (!seen.add(ByteBuffer.wrap(k)))
            {
                continue;
            }
            key.putBytes(0, k);
            final long hash = HashItemStore.hash(key.byteArray(), key.addressOffset(), k.length);
            if (((hash >>> 9) & 1) == 0 && (hash & HashItemStore.PAGE_MASK) >= 500)
            {
                keys.add(k);
            }
        }
        try (HashItemStore store = HashItemStore.open(config("collide", 100)))
        {
            long sequence = 0;
            for (int pass = 0; pass < 20; pass++)
            {
                for (final byte[] k : keys)
                {
                    key.putBytes(0, k);
                    if (random.nextBoolean())
                    {
                        final byte[] v = new byte[random.nextInt(64)];
                        random.nextBytes(v);
                        value.putBytes(0, v);
                        final byte[] before = model.put(ByteBuffer.wrap(k), v);
                        assertEquals(null == before ? ItemStore.ABSENT : before.length,
                            store.put(++sequence, key, 0, k.length, value, 0, v.length));
                    }
                    else
                    {
                        assertEquals(null != model.remove(ByteBuffer.wrap(k)), store.remove(key, 0, k.length));
                    }
                }
                checkAll(store, model);
            }
        }
    }

    @Test
    void prefetchOfPresentAbsentAndRemovedKeysChangesNothing()
    {
        try (HashItemStore store = HashItemStore.open(config("prefetch", 1000)))
        {
            final UnsafeBuffer keys = new UnsafeBuffer(new byte[16 * 64]);
            final int[] offsets = new int[16];
            final int[] lengths = new int[16];
            final long[] targets = new long[16];
            final UnsafeBuffer value = new UnsafeBuffer(new byte[100]);
            // an empty store: every home slot is empty
            for (int i = 0; i < 16; i++)
            {
                offsets[i] = i * 64;
                lengths[i] = 1 + i * 3;
                keys.setMemory(offsets[i], lengths[i], (byte)(i + 1));
            }
            prefetch(store, keys, offsets, lengths, 16, targets);
            // half present, a few removed, the rest absent
            for (int i = 0; i < 16; i += 2)
            {
                value.setMemory(0, 100, (byte)i);
                store.put(i + 1, keys, offsets[i], lengths[i], value, 0, 10 + i);
            }
            store.remove(keys, offsets[4], lengths[4]);
            prefetch(store, keys, offsets, lengths, 16, targets);
            prefetch(store, keys, offsets, lengths, 0, targets);
            assertEquals(7, store.size());
            final UnsafeBuffer read = new UnsafeBuffer(new byte[100]);
            for (int i = 0; i < 16; i++)
            {
                final int expected = 0 == i % 2 && 4 != i ? 10 + i : -1;
                assertEquals(expected, store.get(keys, offsets[i], lengths[i], read, 0), "key " + i);
            }
        }
    }

    private static void prefetch(
        final HashItemStore store,
        final UnsafeBuffer keys,
        final int[] offsets,
        final int[] lengths,
        final int count,
        final long[] targets)
    {
        for (int i = 0; i < count; i++)
        {
            targets[i] = store.prefetchTarget(keys, offsets[i], lengths[i]);
        }
        store.prefetch(targets, count);
    }

    @Test
    void aFullStoreRefusesAndStaysUsable()
    {
        final SplittableRandom random = new SplittableRandom(3);
        final Map<ByteBuffer, byte[]> model = new HashMap<>();
        final StoreConfig config = config("full", 50).averageValueSize(1000);
        try (HashItemStore store = HashItemStore.open(config))
        {
            StoreFullException full = null;
            long sequence = 0;
            for (int i = 0; i < 10_000 && null == full; i++)
            {
                final byte[] k = randomKey(random, 40);
                final int length = 50_000 + random.nextInt(300_000);
                key.putBytes(0, k);
                try
                {
                    store.put(++sequence, key, 0, k.length, value, 0, length);
                    final byte[] v = new byte[length];
                    value.getBytes(0, v);
                    model.put(ByteBuffer.wrap(k), v);
                }
                catch (final StoreFullException ex)
                {
                    full = ex;
                }
            }
            assertTrue(null != full, "never full");
            assertTrue(full.getMessage().contains("store full"), full.getMessage());
            checkAll(store, model);

            // removing makes room again
            final byte[] first = model.keySet().iterator().next().array();
            key.putBytes(0, first);
            assertTrue(store.remove(key, 0, first.length));
            model.remove(ByteBuffer.wrap(first));
            key.putBytes(0, first);
            assertEquals(ItemStore.ABSENT, store.put(++sequence, key, 0, first.length, value, 0, 100));
            final byte[] v = new byte[100];
            value.getBytes(0, v);
            model.put(ByteBuffer.wrap(first), v);
            checkAll(store, model);

            assertThrows(IllegalArgumentException.class, () -> store.put(1, key, 0, 10, value, 0, MAX_VALUE + 1));
            assertThrows(IllegalArgumentException.class, () -> store.put(1, key, 0, 0, value, 0, 1));
        }
    }

    @Test
    void aCorruptedBlockIsDroppedAtAnUncleanOpenAndADuplicateKeepsTheHigherSequence() throws IOException
    {
        final StoreConfig config = config("corrupt", 1000);
        final Path copy = dir.resolve("copy.store");
        try (HashItemStore store = HashItemStore.open(config))
        {
            for (int i = 0; i < 100; i++)
            {
                key.putInt(0, i);
                value.putInt(0, i * 3);
                store.put(i, key, 0, 4, value, 0, 4);
            }
            imageAfterACheckpoint(store, copy);
        }
        java.nio.file.Files.move(copy, config.file(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        // flip a byte of key 17's value in the file
        final long slotCount = HashItemStore.slotCount(1000);
        final long arenaStart = HashItemStore.HEADER_BYTES + slotCount * 8;
        try (FileChannel channel = FileChannel.open(config.file(), StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer block = ByteBuffer.allocate(40).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            long offset = arenaStart;
            while (true)
            {
                block.clear();
                channel.read(block, offset);
                if (block.getInt(HashItemStore.BLOCK_HEADER) == 17)
                {
                    channel.write(ByteBuffer.wrap(new byte[]{(byte)0x5A}), offset + HashItemStore.BLOCK_HEADER + 4);
                    break;
                }
                offset += block.getInt(4);
            }
        }

        try (HashItemStore store = HashItemStore.open(config))
        {
            assertEquals(1, store.recoveryCorruptions());
            assertEquals(99, store.size());
            for (int i = 0; i < 100; i++)
            {
                key.putInt(0, i);
                final int length = store.get(key, 0, 4, read, 0);
                if (17 == i)
                {
                    assertEquals(-1, length);
                }
                else
                {
                    assertEquals(4, length);
                    assertEquals(i * 3, read.getInt(0));
                }
            }
            // the space of the dropped block is free again, the store takes writes
            key.putInt(0, 17);
            value.putInt(0, 51);
            assertEquals(ItemStore.ABSENT, store.put(200, key, 0, 4, value, 0, 4));
            assertEquals(4, store.get(key, 0, 4, read, 0));
            assertEquals(51, read.getInt(0));
        }
    }

    @Test
    void aBlockStartingInAnOlderBlocksSlackAfterAPowerLossDropsTheOlder() throws IOException
    {
        final StoreConfig config = config("slack", 1000);
        final long slotCount = HashItemStore.slotCount(1000);
        final long arenaStart = HashItemStore.HEADER_BYTES + slotCount * 8;
        final Path image = dir.resolve("image.store");
        try (HashItemStore store = HashItemStore.open(config))
        {
            for (int i = 1; i <= 3; i++) // blocks one after another from the arena's start, sequences 1, 2, 3
            {
                key.putInt(0, i);
                value.putInt(0, i * 11);
                store.put(i, key, 0, 4, value, 0, 100);
            }
            imageAfterACheckpoint(store, image);
        }
        java.nio.file.Files.move(image, config.file(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        // forge what a power loss could leave: the first block's size grown by 16 bytes of slack (its checksum
        // recomputed, as if it had been allocated so), so that the second block starts inside its extent
        final int blockBytes;
        try (FileChannel file = FileChannel.open(config.file(), StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer first = ByteBuffer.allocate(HashItemStore.BLOCK_HEADER + 4 + 100)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            file.read(first, arenaStart);
            assertEquals(1, first.getInt(HashItemStore.BLOCK_HEADER), "the first block is key 1's");
            blockBytes = first.getInt(4);
            first.putInt(4, blockBytes + 16);
            final byte[] covered = new byte[first.capacity() - 4];
            first.get(4, covered);
            first.putInt(0, (int)net.openhft.chronicle.algo.hashing.LongHashFunction.xx_r39().hashBytes(covered));
            file.write(first.flip(), arenaStart);
        }

        try (HashItemStore store = HashItemStore.open(config))
        {
            assertEquals(1, store.recoveryCorruptions(), "the older of the two overlapping blocks is dropped");
            assertEquals(2, store.size());
            key.putInt(0, 1);
            assertEquals(-1, store.get(key, 0, 4, read, 0), "key 1 (sequence 1) is gone; replay restores it");
            for (int i = 2; i <= 3; i++)
            {
                key.putInt(0, i);
                assertEquals(100, store.get(key, 0, 4, read, 0));
                assertEquals(i * 11, read.getInt(0));
            }
            // the dropped block's space is free again and reused without touching the others
            for (int i = 1; i <= 40; i++)
            {
                key.putInt(0, 100 + i);
                value.putInt(0, i);
                store.put(10 + i, key, 0, 4, value, 0, blockBytes - HashItemStore.BLOCK_HEADER - 4 - 8 * (i % 5));
            }
            for (int i = 2; i <= 3; i++)
            {
                key.putInt(0, i);
                assertEquals(100, store.get(key, 0, 4, read, 0));
                assertEquals(i * 11, read.getInt(0));
            }
        }

        // a clean file with overlapping blocks is corrupt: refused, not repaired
        try (FileChannel file = FileChannel.open(config.file(), StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer second = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            file.read(second, arenaStart + blockBytes);
            second.clear();
            final ByteBuffer grown = ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            grown.putInt(0, second.getInt(4) + 64);
            file.write(grown, arenaStart + blockBytes + 4);
        }
        final IllegalStateException refused =
            assertThrows(IllegalStateException.class, () -> HashItemStore.open(config));
        assertTrue(refused.getMessage().contains("blocks overlap"), refused.getMessage());
    }

    @Test
    void twoSlotsOfOneKeyAfterAnUncleanCloseKeepTheHigherSequence() throws IOException
    {
        for (final boolean newerFirst : new boolean[]{false, true})
        {
            final StoreConfig config = config("dup-" + newerFirst, 1000);
            final long slotCount = HashItemStore.slotCount(1000);
            final Path snapshot = dir.resolve("snapshot-" + newerFirst);
            try (HashItemStore store = HashItemStore.open(config))
            {
                key.putLong(0, 0x1234_5678L);
                value.putLong(0, 1);
                store.put(1, key, 0, 8, value, 0, 8);
                imageAfterACheckpoint(store, snapshot); // slot -> block X (sequence 1), X live
                value.putLong(0, 2);
                store.put(2, key, 0, 8, value, 0, 8); // slot -> block Y (sequence 2), X freed
                imageAfterACheckpoint(store, dir.resolve("unclean-" + newerFirst));
            }
            java.nio.file.Files.move(dir.resolve("unclean-" + newerFirst), config.file(),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);

            // forge what a kill could leave: X live again and named by a second slot right after the first
            try (FileChannel old = FileChannel.open(snapshot, StandardOpenOption.READ);
                FileChannel file = FileChannel.open(config.file(), StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                final ByteBuffer slot = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                long index = -1;
                for (long i = 0; i < slotCount && index < 0; i++)
                {
                    slot.clear();
                    old.read(slot, HashItemStore.HEADER_BYTES + i * 8);
                    if (0 != slot.getLong(0))
                    {
                        index = i;
                    }
                }
                assertTrue(index >= 0 && index % HashItemStore.PAGE_SLOTS != HashItemStore.PAGE_SLOTS - 1);
                final long slotX = slot.getLong(0);
                final long blockX = (slotX & ((1L << 40) - 1)) << 3;
                final ByteBuffer header = ByteBuffer.allocate(HashItemStore.BLOCK_HEADER);
                old.read(header, blockX);
                file.write(header.flip(), blockX);
                slot.clear();
                file.read(slot, HashItemStore.HEADER_BYTES + index * 8);
                final long slotY = slot.getLong(0);
                final ByteBuffer two = ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                two.putLong(0, newerFirst ? slotY : slotX).putLong(8, newerFirst ? slotX : slotY);
                file.write(two, HashItemStore.HEADER_BYTES + index * 8);
            }

            try (HashItemStore store = HashItemStore.open(config))
            {
                assertEquals(0, store.recoveryCorruptions());
                assertEquals(1, store.size());
                key.putLong(0, 0x1234_5678L);
                assertEquals(8, store.get(key, 0, 8, read, 0));
                assertEquals(2, read.getLong(0), "the value of the higher sequence");
                assertTrue(store.remove(key, 0, 8));
                assertEquals(-1, store.get(key, 0, 8, read, 0));
            }
        }
    }

    /**
     * An open rebuilds the free space from the referenced blocks' offsets, sorted. It sorted a {@code long[slotCount]}
     * on the heap: 16 bytes per entry the store is sized for (16 MiB per million), 8 GiB for the largest store the
     * slot format allows (2^29 entries), past the heap the server's JVM flags leave it (no -Xmx: a quarter of the
     * machine's memory, 6 GiB on the project's 23 GB VM). Now the offsets are sorted off the heap.
     */
    @Test
    void openingAStoreTakesNoHeapInProportionToItsSlotTable() throws IOException
    {
        final StoreConfig config = config("large", 4_000_000).maxBytes(64L << 20); // 8 Mi slots: a 64 MiB table
        try (HashItemStore store = HashItemStore.open(config))
        {
            for (int i = 0; i < 1000; i++)
            {
                key.putInt(0, i);
                store.put(i, key, 0, 16, value, 0, 100);
            }
        }
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        final long before = threads.getThreadAllocatedBytes(thread);
        final HashItemStore reopened = HashItemStore.open(config);
        final long allocated = threads.getThreadAllocatedBytes(thread) - before;
        try (reopened)
        {
            assertEquals(1000, reopened.size());
            key.putInt(0, 999);
            assertEquals(100, reopened.valueLength(key, 0, 16));
        }
        assertTrue(allocated < (4L << 20), "heap bytes allocated by the open of a store of 8 Mi slots: " + allocated);
    }

    @Test
    void theOpensOffHeapSortOrdersAsArraysSortDoes()
    {
        final SplittableRandom random = new SplittableRandom(20261207);
        for (final int count : new int[] {0, 1, 2, 3, 2047, 2048, 2049, 100_000})
        {
            for (final long bound : new long[] {1, 2, 2048, 1L << 22, 1L << 40})
            {
                final long[] values = new long[count];
                for (int i = 0; i < count; i++)
                {
                    values[i] = random.nextLong(bound);
                }
                final long memory = org.agrona.UnsafeApi.allocateMemory(Math.max(1, count) * 16L);
                try
                {
                    for (int i = 0; i < count; i++)
                    {
                        org.agrona.UnsafeApi.putLong(memory + i * 8L, values[i]);
                    }
                    final long sorted = HashItemStore.radixSort(memory, memory + Math.max(1, count) * 8L, count);
                    java.util.Arrays.sort(values);
                    for (int i = 0; i < count; i++)
                    {
                        if (values[i] != org.agrona.UnsafeApi.getLong(sorted + i * 8L))
                        {
                            throw new AssertionError("count " + count + " bound " + bound + ": element " + i + " is " +
                                org.agrona.UnsafeApi.getLong(sorted + i * 8L) + ", expected " + values[i]);
                        }
                    }
                }
                finally
                {
                    org.agrona.UnsafeApi.freeMemory(memory);
                }
            }
        }
    }

    @Test
    void readsAndWritesAllocateNothing()
    {
        final StoreConfig config = config("alloc", 20_000);
        try (HashItemStore store = HashItemStore.open(config))
        {
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long thread = Thread.currentThread().getId();
            // The JIT may allocate a little on this thread while it compiles (seen: 304 bytes in one round), so as
            // in ChronicleItemStoreTest: every round after the first under 10 KB, and at least one round at zero.
            long min = Long.MAX_VALUE;
            for (int round = 0; round < 6; round++)
            {
                final long before = threads.getThreadAllocatedBytes(thread);
                for (int i = 0; i < 50_000; i++)
                {
                    key.putInt(0, i % 10_000);
                    store.put(i, key, 0, 24, value, 0, 100 + (i % 1000));
                    store.get(key, 0, 24, read, 0);
                    store.view(key, 0, 24, view);
                    store.valueLength(key, 0, 24);
                    if (i % 3 == 0)
                    {
                        store.remove(key, 0, 24);
                    }
                }
                final long allocated = threads.getThreadAllocatedBytes(thread) - before;
                if (round > 0)
                {
                    assertTrue(allocated < 10_000, "bytes allocated in round " + round + ": " + allocated);
                    min = Math.min(min, allocated);
                }
            }
            assertEquals(0, min, "no round of 50,000 operations allocated nothing");
        }
    }

    private void checkAll(final HashItemStore store, final Map<ByteBuffer, byte[]> model)
    {
        assertEquals(model.size(), store.size());
        for (final Map.Entry<ByteBuffer, byte[]> entry : model.entrySet())
        {
            checkKey(store, entry.getKey().array(), entry.getValue());
        }
        final int[] visited = new int[1];
        store.forEachKey((k, off, len, valueLength) ->
        {
            final byte[] bytes = new byte[len];
            k.getBytes(off, bytes);
            final byte[] expected = model.get(ByteBuffer.wrap(bytes));
            assertTrue(null != expected, "visited a key not in the model");
            assertEquals(expected.length, valueLength);
            visited[0]++;
        });
        assertEquals(model.size(), visited[0]);
    }

    private void checkKey(final HashItemStore store, final byte[] k, final byte[] expected)
    {
        key.putBytes(0, k);
        if (null == expected)
        {
            assertEquals(-1, store.get(key, 0, k.length, read, 0));
            assertEquals(-1, store.valueLength(key, 0, k.length));
            assertFalse(store.view(key, 0, k.length, view));
            return;
        }
        assertEquals(expected.length, store.get(key, 0, k.length, read, 0));
        final byte[] actual = new byte[expected.length];
        read.getBytes(0, actual);
        assertArrayEquals(expected, actual);
        assertEquals(expected.length, store.valueLength(key, 0, k.length));
        assertTrue(store.view(key, 0, k.length, view));
        assertEquals(expected.length, view.capacity());
        final byte[] viewed = new byte[expected.length];
        view.getBytes(0, viewed);
        assertArrayEquals(expected, viewed);
    }

    private static byte[] randomKey(final SplittableRandom random, final int distinct)
    {
        final int id = random.nextInt(distinct);
        final byte[] k = new byte[1 + (id * 7) % 90];
        for (int i = 0; i < k.length; i++)
        {
            k[i] = (byte)(id * 31 + i * (id >>> 3));
        }
        k[0] = (byte)id;
        if (k.length > 1)
        {
            k[1] = (byte)(id >>> 8);
        }
        return k;
    }

    private static byte[] randomValue(final SplittableRandom random)
    {
        final int size = random.nextInt(100) == 0 ? random.nextInt(409_600) + 1 : random.nextInt(2000);
        final byte[] v = new byte[size];
        random.nextBytes(v);
        return v;
    }
}
