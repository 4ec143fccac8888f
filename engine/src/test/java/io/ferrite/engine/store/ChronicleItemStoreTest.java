package io.ferrite.engine.store;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Each test creates at most one or two maps: the first creation in a JVM costs ~2 s of runtime codegen.
 */
class ChronicleItemStoreTest
{
    private static final int MAX_ITEM = StoreConfig.DEFAULT_MAX_VALUE_SIZE;

    @TempDir
    Path dir;

    @Test
    void randomOperationsMatchAHashMapModelAndSurviveCleanReopen()
    {
        final StoreConfig config = new StoreConfig().file(dir.resolve("p.map")).maxEntries(20_000).name("model");
        final Map<ByteBuffer, byte[]> model = new HashMap<>();
        final SplittableRandom random = new SplittableRandom(42);
        final UnsafeBuffer offHeapKey = new UnsafeBuffer(BufferUtil.allocateDirectAligned(8192, 64));
        final UnsafeBuffer heapKey = new UnsafeBuffer(new byte[8192]);
        final UnsafeBuffer offHeapValue = new UnsafeBuffer(BufferUtil.allocateDirectAligned(MAX_ITEM + 64, 64));
        final UnsafeBuffer heapValue = new UnsafeBuffer(new byte[MAX_ITEM + 64]);
        final UnsafeBuffer dst = new UnsafeBuffer(BufferUtil.allocateDirectAligned(MAX_ITEM + 64, 64));
        final List<byte[]> keys = new ArrayList<>();

        try (ChronicleItemStore store = ChronicleItemStore.open(config))
        {
            assertFalse(store.recovered());
            for (int op = 0; op < 20_000; op++)
            {
                final boolean offHeap = random.nextBoolean();
                final UnsafeBuffer keyBuffer = offHeap ? offHeapKey : heapKey;
                final UnsafeBuffer valueBuffer = random.nextBoolean() ? offHeapValue : heapValue;
                final int keyOff = random.nextInt(16);
                final byte[] key = keys.isEmpty() || random.nextInt(3) == 0 ? newKey(random, keys) :
                    keys.get(random.nextInt(keys.size()));
                keyBuffer.putBytes(keyOff, key);

                final int kind = random.nextInt(10);
                if (kind < 5)
                {
                    final byte[] value = randomBytes(random, valueSize(random));
                    final int valueOff = random.nextInt(16);
                    valueBuffer.putBytes(valueOff, value);
                    final int previous =
                        store.put(0, keyBuffer, keyOff, key.length, valueBuffer, valueOff, value.length);
                    final byte[] before = model.put(ByteBuffer.wrap(key), value);
                    assertEquals(null == before ? ItemStore.ABSENT : before.length, previous, "put op " + op);
                }
                else if (kind < 8)
                {
                    final int dstOff = random.nextInt(32);
                    final int length = store.get(keyBuffer, keyOff, key.length, dst, dstOff);
                    final byte[] expected = model.get(ByteBuffer.wrap(key));
                    assertEquals(null == expected ? -1 : expected.length, length, "get op " + op);
                    if (null != expected)
                    {
                        assertArrayEquals(expected, copy(dst, dstOff, length), "get op " + op);
                    }
                    assertEquals(length, store.valueLength(keyBuffer, keyOff, key.length), "valueLength op " + op);
                }
                else
                {
                    final boolean removed = store.remove(keyBuffer, keyOff, key.length);
                    assertEquals(null != model.remove(ByteBuffer.wrap(key)), removed, "remove op " + op);
                }
            }
            assertEquals(model.size(), store.size());
            assertSameContents(model, store, dst);
            assertForEachKeyVisitsExactly(model, store);
        }

        try (ChronicleItemStore store = ChronicleItemStore.open(config))
        {
            assertTrue(store.recovered());
            assertEquals(model.size(), store.size());
            assertSameContents(model, store, dst);
            assertForEachKeyVisitsExactly(model, store);
        }

        ChronicleItemStore.delete(config.file());
        assertFalse(Files.exists(config.file()));
    }

    @Test
    void maxSizeItemsFitBesideAverageOnesAndBoundIsReportedAsStoreFull()
    {
        final StoreConfig config = new StoreConfig().file(dir.resolve("big.map")).maxEntries(2000).name("big");
        final SplittableRandom random = new SplittableRandom(7);
        final UnsafeBuffer key = new UnsafeBuffer(new byte[64]);
        final UnsafeBuffer value = new UnsafeBuffer(BufferUtil.allocateDirectAligned(MAX_ITEM, 64));
        final UnsafeBuffer dst = new UnsafeBuffer(BufferUtil.allocateDirectAligned(MAX_ITEM, 64));
        final Map<ByteBuffer, byte[]> model = new HashMap<>();

        try (ChronicleItemStore store = ChronicleItemStore.open(config))
        {
            for (int i = 0; i < 1000; i++)
            {
                final int size = i % 250 == 0 ? 409_600 : 1 + random.nextInt(2048);
                final byte[] bytes = randomBytes(random, size);
                key.putInt(0, i);
                value.putBytes(0, bytes);
                assertEquals(ItemStore.ABSENT, store.put(0, key, 0, 40, value, 0, size), "put " + i);
                model.put(ByteBuffer.wrap(copy(key, 0, 40)), bytes);
            }
            key.putInt(0, 0);
            assertEquals(409_600, store.valueLength(key, 0, 40));
            assertSameContents(model, store, dst);

            // Grow small items to the largest size and back.
            for (int i = 1; i < 3; i++)
            {
                key.putInt(0, i);
                final byte[] bytes = randomBytes(random, MAX_ITEM);
                value.putBytes(0, bytes);
                assertEquals(model.get(ByteBuffer.wrap(copy(key, 0, 40))).length,
                    store.put(0, key, 0, 40, value, 0, MAX_ITEM), "a replace returns the length it replaced");
                model.put(ByteBuffer.wrap(copy(key, 0, 40)), bytes);
            }
            key.putInt(0, 100);
            assertEquals(model.get(ByteBuffer.wrap(copy(key, 0, 40))).length, store.put(0, key, 0, 40, value, 0, 3));
            model.put(ByteBuffer.wrap(copy(key, 0, 40)), copy(value, 0, 3));
            assertSameContents(model, store, dst);

            final UnsafeBuffer small = new UnsafeBuffer(new byte[16]);
            key.putInt(0, 0);
            final IllegalArgumentException tooSmall =
                assertThrows(IllegalArgumentException.class, () -> store.get(key, 0, 40, small, 0));
            assertTrue(tooSmall.getMessage().contains("valueLength=409600"), tooSmall.getMessage());
            assertThrows(IllegalArgumentException.class, () -> store.put(0, key, 0, 40, value, 0, MAX_ITEM + 1));
            assertThrows(IllegalArgumentException.class, () -> store.put(0, key, 0, 0, value, 0, 1));

            // Fill with max-size items until the bound is reached; the store must say so and stay usable.
            StoreFullException full = null;
            int i = 10_000;
            for (; i < 20_000 && null == full; i++)
            {
                key.putInt(0, i);
                value.putInt(0, i);
                final long sizeBefore = store.size();
                try
                {
                    store.put(0, key, 0, 40, value, 0, 409_600);
                    model.put(ByteBuffer.wrap(copy(key, 0, 40)), copy(value, 0, 409_600));
                }
                catch (final StoreFullException ex)
                {
                    full = ex;
                    assertEquals(sizeBefore, store.size());
                    assertEquals(-1, store.valueLength(key, 0, 40));
                }
            }
            if (null == full)
            {
                fail("no StoreFullException after " + store.size() + " entries");
            }
            assertTrue(full.getMessage().contains("name=big"), full.getMessage());
            assertTrue(full.getMessage().contains("maxEntries=2000"), full.getMessage());
            System.out.printf("store full after %d max-size puts: %s%n", i - 10_000, full.getMessage());
            assertSameContents(model, store, dst);

            key.putInt(0, 10_000);
            assertTrue(store.remove(key, 0, 40));
            model.remove(ByteBuffer.wrap(copy(key, 0, 40)));
            key.putInt(0, 99_999);
            assertEquals(ItemStore.ABSENT, store.put(0, key, 0, 40, value, 0, 100));
            model.put(ByteBuffer.wrap(copy(key, 0, 40)), copy(value, 0, 100));
            assertSameContents(model, store, dst);
        }
    }

    @Test
    void aSmallStoreOfLargeAverageItemsCanBeCreatedAndFilled()
    {
        // Chronicle Map's sizing divided by zero for 16 or 64 entries of 256 KB and more on average
        for (final int average : new int[]{262_144, 409_600})
        {
            final StoreConfig config = new StoreConfig().file(dir.resolve("large-" + average + ".map"))
                .maxEntries(16).averageValueSize(average).name("large");
            final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
            final UnsafeBuffer value = new UnsafeBuffer(BufferUtil.allocateDirectAligned(MAX_ITEM, 64));
            final UnsafeBuffer dst = new UnsafeBuffer(BufferUtil.allocateDirectAligned(MAX_ITEM, 64));
            try (ChronicleItemStore store = ChronicleItemStore.open(config))
            {
                for (int i = 0; i < 16; i++)
                {
                    key.putInt(0, i);
                    value.setMemory(0, average, (byte)i);
                    assertEquals(ItemStore.ABSENT, store.put(0, key, 0, 8, value, 0, average), "put " + i);
                }
                for (int i = 0; i < 16; i++)
                {
                    key.putInt(0, i);
                    assertEquals(average, store.get(key, 0, 8, dst, 0));
                    assertEquals((byte)i, dst.getByte(average - 1));
                }
            }
        }
    }

    @Test
    void steadyStateGetPutReplaceAndRemoveAllocateNothing()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final StoreConfig config = new StoreConfig().file(dir.resolve("alloc.map")).maxEntries(20_000).name("alloc");
        final int keys = 1000;
        final SplittableRandom random = new SplittableRandom(3);
        final UnsafeBuffer offHeapKey = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));
        final UnsafeBuffer heapKey = new UnsafeBuffer(new byte[4096]);
        final UnsafeBuffer offHeapValue = new UnsafeBuffer(BufferUtil.allocateDirectAligned(8192, 64));
        final UnsafeBuffer heapValue = new UnsafeBuffer(new byte[8192]);
        final UnsafeBuffer dst = new UnsafeBuffer(BufferUtil.allocateDirectAligned(MAX_ITEM, 64));
        offHeapValue.putBytes(0, randomBytes(random, 8192));
        heapValue.putBytes(0, randomBytes(random, 8192));
        final int[] sizes = new int[1024];
        for (int i = 0; i < sizes.length; i++)
        {
            sizes[i] = 1 + random.nextInt(4000);
        }

        try (ChronicleItemStore store = ChronicleItemStore.open(config))
        {
            for (int i = 0; i < keys; i++)
            {
                offHeapKey.putLong(0, i);
                store.put(0, offHeapKey, 0, 48, offHeapValue, 0, sizes[i]);
            }

            final String[] names = {"get", "put replace", "remove + put insert", "heap buffers: all three"};
            final int rounds = 6;
            final long[][] allocated = new long[names.length][rounds];
            for (int round = 0; round < rounds; round++)
            {
                for (int phase = 0; phase < names.length; phase++)
                {
                    final long before = threads.getCurrentThreadAllocatedBytes();
                    runPhase(store, phase, 10_000, keys, sizes, offHeapKey, heapKey, offHeapValue, heapValue, dst);
                    allocated[phase][round] = threads.getCurrentThreadAllocatedBytes() - before;
                }
            }
            for (int phase = 0; phase < names.length; phase++)
            {
                System.out.printf("bytes allocated per round of 10,000 %s ops: %s%n",
                    names[phase], java.util.Arrays.toString(allocated[phase]));
            }

            // A byte[] per call would be >= 160,000 bytes per round. What remains is sporadic JVM work on this
            // thread (deoptimisation re-materialising scalar-replaced objects, lazy linkage): a few hundred
            // bytes in some rounds, none in most. So: no round may reach 1 byte per op, and each kind of op
            // must have whole rounds that allocate nothing at all.
            for (int phase = 0; phase < names.length; phase++)
            {
                long min = Long.MAX_VALUE;
                for (int round = 1; round < rounds; round++)
                {
                    assertTrue(allocated[phase][round] < 10_000, "bytes allocated over 10,000 " + names[phase] +
                        " ops in round " + round + ": " + allocated[phase][round]);
                    min = Math.min(min, allocated[phase][round]);
                }
                assertEquals(0, min, "no round of 10,000 " + names[phase] + " ops allocated nothing");
            }
            assertEquals(keys, store.size());
        }
    }

    private static void runPhase(
        final ChronicleItemStore store,
        final int phase,
        final int ops,
        final int keys,
        final int[] sizes,
        final MutableDirectBuffer offHeapKey,
        final MutableDirectBuffer heapKey,
        final DirectBuffer offHeapValue,
        final DirectBuffer heapValue,
        final MutableDirectBuffer dst)
    {
        final boolean heap = phase == 3;
        final MutableDirectBuffer key = heap ? heapKey : offHeapKey;
        final DirectBuffer value = heap ? heapValue : offHeapValue;
        for (int i = 0; i < ops; i++)
        {
            final int k = i % keys;
            key.putLong(0, k);
            final int size = sizes[(i * 7) & (sizes.length - 1)];
            if (phase == 0 || (heap && i % 3 == 0))
            {
                if (store.get(key, 0, 48, dst, 0) < 0)
                {
                    throw new IllegalStateException("missing key " + k);
                }
            }
            else if (phase == 1 || (heap && i % 3 == 1))
            {
                if (ItemStore.ABSENT == store.put(0, key, 0, 48, value, 0, size))
                {
                    throw new IllegalStateException("key was absent " + k);
                }
            }
            else
            {
                if (!store.remove(key, 0, 48) || ItemStore.ABSENT != store.put(0, key, 0, 48, value, 0, size))
                {
                    throw new IllegalStateException("remove + insert failed " + k);
                }
            }
        }
    }

    private static void assertSameContents(
        final Map<ByteBuffer, byte[]> model, final ChronicleItemStore store, final MutableDirectBuffer dst)
    {
        for (final Map.Entry<ByteBuffer, byte[]> e : model.entrySet())
        {
            final UnsafeBuffer key = new UnsafeBuffer(e.getKey().array());
            final int length = store.get(key, 0, key.capacity(), dst, 0);
            assertEquals(e.getValue().length, length);
            assertArrayEquals(e.getValue(), copy(dst, 0, length));
        }
        assertEquals(model.size(), store.size());
    }

    private static void assertForEachKeyVisitsExactly(final Map<ByteBuffer, byte[]> model, final ChronicleItemStore store)
    {
        final Set<ByteBuffer> visited = new HashSet<>();
        store.forEachKey((key, off, len, valueLength) ->
        {
            final byte[] bytes = copy(key, off, len);
            assertTrue(visited.add(ByteBuffer.wrap(bytes)), "visited twice");
            final byte[] expected = model.get(ByteBuffer.wrap(bytes));
            assertTrue(null != expected, "visited a key not in the model");
            assertEquals(expected.length, valueLength);
        });
        assertEquals(model.keySet(), visited);
    }

    private static byte[] newKey(final SplittableRandom random, final List<byte[]> keys)
    {
        final int length = random.nextInt(10) == 0 ? 1 + random.nextInt(ChronicleItemStore.MAX_KEY_LENGTH) :
            1 + random.nextInt(100);
        final byte[] key = randomBytes(random, length);
        keys.add(key);
        return key;
    }

    private static int valueSize(final SplittableRandom random)
    {
        final int kind = random.nextInt(100);
        if (kind == 0)
        {
            return MAX_ITEM - random.nextInt(2);
        }
        if (kind < 5)
        {
            return random.nextInt(64 * 1024);
        }
        return random.nextInt(3000);
    }

    private static byte[] randomBytes(final SplittableRandom random, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)random.nextInt();
        }
        return bytes;
    }

    static byte[] copy(final DirectBuffer buffer, final int off, final int len)
    {
        final byte[] bytes = new byte[len];
        buffer.getBytes(off, bytes);
        return bytes;
    }
}
