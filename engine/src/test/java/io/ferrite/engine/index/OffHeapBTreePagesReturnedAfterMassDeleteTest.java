package io.ferrite.engine.index;

import java.nio.ByteOrder;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A million index-shaped keys (decision 0001: hash BE, pkLength BE, pk) put, all removed in another order, then
 * put again: every page but the root leaf must be back on the free list, and the refill must not reserve more.
 */
final class OffHeapBTreePagesReturnedAfterMassDeleteTest
{
    private static final int KEYS = 1_000_000;
    private static final int KEY_LENGTH = 8 + 2 + 8;

    private final UnsafeBuffer key = new UnsafeBuffer(new byte[KEY_LENGTH]);

    @Test
    void shouldReturnEveryPageToTheFreeListAndReuseThemOnRefill()
    {
        try (OffHeapBTree tree = new OffHeapBTree())
        {
            fill(tree);
            TreeInvariants.check(tree);
            final long reserved = tree.offHeapBytes();
            final int pagesWhenFull = tree.pagesInUse();
            assertTrue(tree.innerLevels() >= 2, "a million keys should need inner levels: " + tree.innerLevels());
            assertTrue(reserved < 128L * 1024 * 1024, "a million 18-byte keys reserved " + reserved + " bytes");

            // Remove in an order unrelated to key order or insertion order.
            for (long i = 0; i < KEYS; i++)
            {
                final long n = (i * 700_001L) % KEYS;
                assertTrue(tree.remove(key(n), 0, KEY_LENGTH), "remove " + n);
            }

            assertEquals(0, tree.size());
            assertEquals(0, tree.innerLevels());
            assertEquals(1, tree.pagesInUse(), "pages still in use after removing every key");
            assertTrue(tree.freePages() >= pagesWhenFull - 1, "free pages " + tree.freePages() +
                " < pages used when full " + pagesWhenFull + " - 1");
            assertEquals(reserved, tree.offHeapBytes(), "removal changed the reserved bytes");
            assertFalse(tree.newCursor().seekFirst());
            TreeInvariants.check(tree);

            fill(tree);
            assertEquals(KEYS, tree.size());
            assertEquals(reserved, tree.offHeapBytes(), "refill reserved more memory instead of reusing pages");
            assertEquals(pagesWhenFull, tree.pagesInUse());

            tree.clear();
            assertEquals(0, tree.size());
            assertEquals(1, tree.pagesInUse());
            fill(tree);
            assertEquals(reserved, tree.offHeapBytes(), "refill after clear reserved more memory");
        }
    }

    private void fill(final OffHeapBTree tree)
    {
        for (long n = 0; n < KEYS; n++)
        {
            assertTrue(tree.put(key(n), 0, KEY_LENGTH, n), "put " + n);
        }

        assertEquals(KEYS, tree.size());
        for (long n = 0; n < KEYS; n += 9_973)
        {
            assertEquals(n, tree.get(key(n), 0, KEY_LENGTH));
        }
    }

    private UnsafeBuffer key(final long n)
    {
        key.putLong(0, mix(n), ByteOrder.BIG_ENDIAN);
        key.putShort(8, (short)8, ByteOrder.BIG_ENDIAN);
        key.putLong(10, n, ByteOrder.BIG_ENDIAN);
        return key;
    }

    private static long mix(final long n)
    {
        long z = n + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
