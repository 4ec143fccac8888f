package io.ferrite.engine.index;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The API's edges: bad key lengths and page sizes are refused with the values named, unsigned and prefix order,
 * value replacement, an empty tree's cursor, and a cursor used after a mutation failing loudly instead of reading
 * a page that has moved on.
 */
final class OffHeapBTreeContractTest
{
    @Test
    void shouldRejectKeyLengthsOutsideOneTo4096NamingLengthAndLimit()
    {
        try (OffHeapBTree tree = new OffHeapBTree())
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[5000]);
            final IllegalArgumentException tooLong =
                assertThrows(IllegalArgumentException.class, () -> tree.put(buffer, 0, 4097, 1));
            assertTrue(tooLong.getMessage().contains("4097") && tooLong.getMessage().contains("4096"),
                tooLong.getMessage());
            final IllegalArgumentException empty =
                assertThrows(IllegalArgumentException.class, () -> tree.get(buffer, 0, 0));
            assertTrue(empty.getMessage().contains("key length 0"), empty.getMessage());
            assertThrows(IllegalArgumentException.class, () -> tree.remove(buffer, 0, -1));
            assertThrows(IllegalArgumentException.class, () -> tree.newCursor().seekGE(buffer, 0, 4097));
            assertThrows(IndexOutOfBoundsException.class, () -> tree.put(buffer, 4000, 4096, 1));

            assertTrue(tree.put(buffer, 0, 4096, 7));
            assertEquals(7, tree.get(buffer, 0, 4096));
        }
    }

    @Test
    void shouldRejectPageSizesThatAreNotPowersOfTwoOrTooSmallForMaxLengthKeys()
    {
        final IllegalArgumentException small =
            assertThrows(IllegalArgumentException.class, () -> new OffHeapBTree(8192));
        assertTrue(small.getMessage().contains("8192"), small.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new OffHeapBTree(20_000));
        assertThrows(IllegalArgumentException.class, () -> new OffHeapBTree(2 * 1024 * 1024));
    }

    @Test
    void shouldReturnTheReplacedAndRemovedValuesFromOneDescent()
    {
        try (OffHeapBTree tree = new OffHeapBTree())
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
            for (int i = 0; i < 5000; i++)
            {
                buffer.putInt(0, Integer.reverseBytes(i));
                assertEquals(OffHeapBTree.MISSING, tree.upsert(buffer, 0, 4, 10L * i), "new key " + i);
            }
            for (int i = 0; i < 5000; i += 3)
            {
                buffer.putInt(0, Integer.reverseBytes(i));
                assertEquals(10L * i, tree.upsert(buffer, 0, 4, 10L * i + 1), "replaced key " + i);
            }
            assertEquals(5000, tree.size());
            for (int i = 0; i < 5000; i += 2)
            {
                buffer.putInt(0, Integer.reverseBytes(i));
                assertEquals(0 == i % 3 ? 10L * i + 1 : 10L * i, tree.removeValue(buffer, 0, 4), "removed key " + i);
                assertEquals(OffHeapBTree.MISSING, tree.removeValue(buffer, 0, 4), "removed twice " + i);
            }
            assertEquals(2500, tree.size());
            buffer.putInt(0, Integer.reverseBytes(3));
            assertEquals(31, tree.get(buffer, 0, 4));
            assertFalse(tree.put(buffer, 0, 4, 32), "put still says replaced");
            assertTrue(tree.remove(buffer, 0, 4));
            assertFalse(tree.remove(buffer, 0, 4));
        }
    }

    @Test
    void shouldRejectStoringMissingBecauseGetCouldNotTellItFromAbsent()
    {
        try (OffHeapBTree tree = new OffHeapBTree())
        {
            final IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> tree.put(key(1), 0, 1, OffHeapBTree.MISSING));
            assertTrue(missing.getMessage().contains(Long.toString(Long.MIN_VALUE)), missing.getMessage());
            assertEquals(0, tree.size());
        }
    }

    @Test
    void positionAsPutsACursorWhereAnotherIsAndTheyThenMoveApart()
    {
        try (OffHeapBTree tree = new OffHeapBTree(); OffHeapBTree other = new OffHeapBTree())
        {
            final UnsafeBuffer key = new UnsafeBuffer(new byte[4]);
            for (int i = 0; i < 2_000; i++) // several leaves, so that moving crosses pages
            {
                key.putInt(0, i, java.nio.ByteOrder.BIG_ENDIAN);
                assertTrue(tree.put(key, 0, 4, i));
            }
            final OffHeapBTree.Cursor main = tree.newCursor();
            final OffHeapBTree.Cursor ahead = tree.newCursor();
            key.putInt(0, 500, java.nio.ByteOrder.BIG_ENDIAN);
            assertTrue(main.seekGE(key, 0, 4));
            assertTrue(ahead.positionAs(main));
            assertEquals(500, ahead.value());
            for (int i = 0; i < 700; i++)
            {
                assertTrue(ahead.next());
            }
            assertEquals(1_200, ahead.value());
            assertEquals(500, main.value(), "the other cursor stays where it was");
            assertTrue(main.prev());
            assertEquals(499, main.value());
            assertEquals(1_200, ahead.value());

            final OffHeapBTree.Cursor unpositioned = tree.newCursor();
            assertFalse(ahead.positionAs(unpositioned), "an invalid cursor leaves this one invalid");
            assertFalse(ahead.isValid());
            assertThrows(IllegalArgumentException.class, () -> ahead.positionAs(other.newCursor()));
        }
    }

    @Test
    void shouldOrderBytesUnsignedWithProperPrefixFirst()
    {
        try (OffHeapBTree tree = new OffHeapBTree())
        {
            final byte[][] sorted = {
                { 0x00 }, { 0x00, 0x00 }, { 0x7F }, { 0x7F, 0, 0, 0, 0, 0, 0, 0, 0 },
                { 0x7F, 0, 0, 0, 0, 0, 0, 0, 1 }, { (byte)0x80 }, { (byte)0x80, 1, 2, 3, 4, 5, 6, 7 },
                { (byte)0x80, 1, 2, 3, 4, 5, 6, (byte)0x87 }, { (byte)0xFF }, { (byte)0xFF, (byte)0xFF },
            };
            for (int i = sorted.length - 1; i >= 0; i--)
            {
                assertTrue(tree.put(new UnsafeBuffer(sorted[i]), 0, sorted[i].length, i));
            }

            final OffHeapBTree.Cursor cursor = tree.newCursor();
            int i = 0;
            for (boolean valid = cursor.seekFirst(); valid; valid = cursor.next(), i++)
            {
                final byte[] actual = new byte[cursor.keyLength()];
                cursor.keyBuffer().getBytes(cursor.keyOffset(), actual);
                assertArrayEquals(sorted[i], actual, "position " + i);
                assertEquals(i, cursor.value());
            }

            assertEquals(sorted.length, i);
        }
    }

    @Test
    void shouldReplaceValueOfExistingKeyAndReportItWasNotNew()
    {
        try (OffHeapBTree tree = new OffHeapBTree())
        {
            assertTrue(tree.put(key(3), 0, 1, 30));
            assertFalse(tree.put(key(3), 0, 1, 31));
            assertEquals(31, tree.get(key(3), 0, 1));
            assertEquals(1, tree.size());
            assertEquals(OffHeapBTree.MISSING, tree.get(key(4), 0, 1));
            assertTrue(tree.remove(key(3), 0, 1));
            assertFalse(tree.remove(key(3), 0, 1));
            assertEquals(0, tree.size());
        }
    }

    @Test
    void shouldFindNothingInAnEmptyTree()
    {
        try (OffHeapBTree tree = new OffHeapBTree())
        {
            final OffHeapBTree.Cursor cursor = tree.newCursor();
            assertFalse(cursor.isValid());
            assertFalse(cursor.seekFirst());
            assertFalse(cursor.seekLast());
            assertFalse(cursor.seekGE(key(1), 0, 1));
            assertFalse(cursor.seekLE(key(1), 0, 1));
            assertFalse(cursor.next());
            assertFalse(cursor.prev());
            assertThrows(IllegalStateException.class, cursor::value);
        }
    }

    @Test
    void shouldStayOffTheEndAfterMovingPastIt()
    {
        try (OffHeapBTree tree = new OffHeapBTree())
        {
            tree.put(key(1), 0, 1, 1);
            tree.put(key(2), 0, 1, 2);
            final OffHeapBTree.Cursor cursor = tree.newCursor();
            assertTrue(cursor.seekGT(key(1), 0, 1));
            assertEquals(2, cursor.value());
            assertFalse(cursor.next());
            assertFalse(cursor.isValid());
            assertFalse(cursor.prev());
            assertTrue(cursor.seekLT(key(2), 0, 1));
            assertEquals(1, cursor.value());
            assertFalse(cursor.prev());
        }
    }

    @Test
    void shouldRefuseCursorUseAfterMutationUntilReseek()
    {
        try (OffHeapBTree tree = new OffHeapBTree())
        {
            tree.put(key(1), 0, 1, 1);
            tree.put(key(2), 0, 1, 2);
            final OffHeapBTree.Cursor cursor = tree.newCursor();
            assertTrue(cursor.seekFirst());
            tree.put(key(3), 0, 1, 3);
            assertFalse(cursor.isValid());
            final IllegalStateException stale = assertThrows(IllegalStateException.class, cursor::next);
            assertTrue(stale.getMessage().contains("seek again"), stale.getMessage());
            assertThrows(IllegalStateException.class, cursor::keyLength);

            assertTrue(cursor.seekGT(key(1), 0, 1));
            assertEquals(2, cursor.value());
            tree.clear();
            assertThrows(IllegalStateException.class, cursor::prev);
            assertFalse(cursor.seekFirst());
        }
    }

    @Test
    void shouldCloseIdempotently()
    {
        final OffHeapBTree tree = new OffHeapBTree();
        assertTrue(tree.offHeapBytes() > 0);
        tree.close();
        tree.close();
    }

    private static UnsafeBuffer key(final int b)
    {
        return new UnsafeBuffer(new byte[] { (byte)b });
    }
}
