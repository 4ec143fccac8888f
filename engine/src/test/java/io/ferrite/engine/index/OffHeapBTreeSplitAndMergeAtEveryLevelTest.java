package io.ferrite.engine.index;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Model-based: seeded random puts, gets, removes, seeks and scans against a {@link TreeMap} with unsigned byte
 * order, with keys of 1..4096 bytes sharing long prefixes and differing only in their last bytes, through grow and
 * shrink phases so that leaves and inner pages split and merge, the root grows and collapses. The structure is
 * walked for broken invariants as it goes. A failure names the seed and the operation number.
 */
final class OffHeapBTreeSplitAndMergeAtEveryLevelTest
{
    private static final byte[] ALPHABET = { 0x00, 0x01, 0x41, 0x7F, (byte)0x80, (byte)0xFE, (byte)0xFF };
    private static final int PHASE_OPERATIONS = 6_000;
    private static final int PHASES = 8;
    private static final int MAX_SCAN = 24;

    private final NavigableMap<byte[], Long> model = new TreeMap<>(Arrays::compareUnsigned);
    private final List<byte[]> candidates = new ArrayList<>();
    private final byte[][] prefixes = new byte[12][];
    private final UnsafeBuffer direct = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(2 * 4096 + 64));
    private SplittableRandom random;

    @ParameterizedTest(name = "seed={0} pageSize={1}")
    @CsvSource({
        "1, 16384",
        "42, 16384",
        "20240917, 16384",
        "7, 32768",
        "99, 65536",
    })
    void shouldAgreeWithTreeMapThroughSplitsAndMergesAtEveryLevel(final long seed, final int pageSize)
    {
        random = new SplittableRandom(seed);
        for (int i = 0; i < prefixes.length; i++)
        {
            prefixes[i] = randomBytes(1 + random.nextInt(i < 4 ? 64 : 4000));
        }

        try (OffHeapBTree tree = new OffHeapBTree(pageSize))
        {
            final OffHeapBTree.Cursor cursor = tree.newCursor();
            int maxInnerLevels = 0;
            long operation = 0;
            for (int phase = 0; phase < PHASES; phase++)
            {
                final int putPercent = phase % 2 == 0 ? 70 : 25;
                final int removePercent = phase % 2 == 0 ? 10 : 55;
                for (int i = 0; i < PHASE_OPERATIONS; i++, operation++)
                {
                    final String where = "seed=" + seed + " operation=" + operation;
                    step(tree, cursor, putPercent, removePercent, where);
                    maxInnerLevels = Math.max(maxInnerLevels, tree.innerLevels());
                    if (operation % 3_000 == 0)
                    {
                        TreeInvariants.check(tree);
                    }
                }

                TreeInvariants.check(tree);
                scanAll(tree, cursor, "seed=" + seed + " after phase " + phase);
            }

            drain(tree);
            assertTrue(maxInnerLevels >= 2, "tree never grew past 2 levels: " + maxInnerLevels);
            assertTrue(tree.leafSplits > 0 && tree.innerSplits > 0, "splits leaf=" + tree.leafSplits +
                " inner=" + tree.innerSplits);
            assertTrue(tree.leafMerges > 0 && tree.innerMerges > 0, "merges leaf=" + tree.leafMerges +
                " inner=" + tree.innerMerges);
            assertTrue(tree.rootCollapses > 0, "root never collapsed");
        }
    }

    private void step(
        final OffHeapBTree tree,
        final OffHeapBTree.Cursor cursor,
        final int putPercent,
        final int removePercent,
        final String where)
    {
        final int roll = random.nextInt(100);
        final byte[] key = nextKey();
        final UnsafeBuffer buffer = buffer(key);
        final int offset = bufferOffset;
        if (roll < putPercent)
        {
            long value = random.nextLong();
            value = value == OffHeapBTree.MISSING ? 0 : value;
            final boolean isNew = !model.containsKey(key);
            model.put(key, value);
            candidates.add(key);
            assertEquals(isNew, tree.put(buffer, offset, key.length, value), where + " put");
            assertEquals(model.size(), tree.size(), where + " size after put");
        }
        else if (roll < putPercent + removePercent)
        {
            final boolean present = model.remove(key) != null;
            assertEquals(present, tree.remove(buffer, offset, key.length), where + " remove");
            assertEquals(model.size(), tree.size(), where + " size after remove");
        }
        else if (roll < putPercent + removePercent + 10)
        {
            final Long expected = model.get(key);
            assertEquals(expected == null ? OffHeapBTree.MISSING : expected, tree.get(buffer, offset, key.length),
                where + " get");
        }
        else
        {
            seekAndScan(cursor, key, buffer, offset, where);
        }
    }

    private void seekAndScan(
        final OffHeapBTree.Cursor cursor, final byte[] key, final UnsafeBuffer buffer, final int offset,
        final String where)
    {
        final int kind = random.nextInt(4);
        final Map.Entry<byte[], Long> expected;
        final boolean found;
        switch (kind)
        {
            case 0:
                expected = model.ceilingEntry(key);
                found = cursor.seekGE(buffer, offset, key.length);
                break;
            case 1:
                expected = model.higherEntry(key);
                found = cursor.seekGT(buffer, offset, key.length);
                break;
            case 2:
                expected = model.floorEntry(key);
                found = cursor.seekLE(buffer, offset, key.length);
                break;
            default:
                expected = model.lowerEntry(key);
                found = cursor.seekLT(buffer, offset, key.length);
                break;
        }

        final String what = where + " seek kind " + kind;
        assertEquals(expected != null, found, what);
        assertEquals(found, cursor.isValid(), what);
        if (!found)
        {
            return;
        }

        assertEntry(expected, cursor, what);
        final boolean forward = random.nextBoolean();
        final Iterator<Map.Entry<byte[], Long>> iterator = forward ?
            model.tailMap(expected.getKey(), false).entrySet().iterator() :
            model.headMap(expected.getKey(), false).descendingMap().entrySet().iterator();
        final int steps = random.nextInt(MAX_SCAN);
        for (int i = 0; i < steps; i++)
        {
            final boolean moved = forward ? cursor.next() : cursor.prev();
            assertEquals(iterator.hasNext(), moved, what + " step " + i);
            if (!moved)
            {
                assertFalse(cursor.isValid(), what);
                return;
            }

            assertEntry(iterator.next(), cursor, what + " step " + i);
        }
    }

    private void scanAll(final OffHeapBTree tree, final OffHeapBTree.Cursor cursor, final String where)
    {
        Iterator<Map.Entry<byte[], Long>> iterator = model.entrySet().iterator();
        boolean valid = cursor.seekFirst();
        while (iterator.hasNext())
        {
            assertTrue(valid, where + " forward scan ended early");
            assertEntry(iterator.next(), cursor, where + " forward");
            valid = cursor.next();
        }

        assertFalse(valid, where + " forward scan ran past the model");

        iterator = model.descendingMap().entrySet().iterator();
        valid = cursor.seekLast();
        while (iterator.hasNext())
        {
            assertTrue(valid, where + " backward scan ended early");
            assertEntry(iterator.next(), cursor, where + " backward");
            valid = cursor.prev();
        }

        assertFalse(valid, where + " backward scan ran past the model");
        assertEquals(model.size(), tree.size(), where);
    }

    private void drain(final OffHeapBTree tree)
    {
        final List<byte[]> keys = new ArrayList<>(model.keySet());
        for (int i = keys.size() - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final byte[] swap = keys.get(i);
            keys.set(i, keys.get(j));
            keys.set(j, swap);
        }

        for (int i = 0; i < keys.size(); i++)
        {
            final byte[] key = keys.get(i);
            assertTrue(tree.remove(buffer(key), bufferOffset, key.length), "drain remove " + i);
            if (i % 2_000 == 0)
            {
                TreeInvariants.check(tree);
            }
        }

        model.clear();
        TreeInvariants.check(tree);
        assertEquals(0, tree.size());
        assertEquals(0, tree.innerLevels());
        assertEquals(1, tree.pagesInUse(), "pages left after removing every key");
        assertFalse(tree.newCursor().seekFirst());
    }

    private static void assertEntry(
        final Map.Entry<byte[], Long> expected, final OffHeapBTree.Cursor cursor, final String where)
    {
        final byte[] actual = new byte[cursor.keyLength()];
        cursor.keyBuffer().getBytes(cursor.keyOffset(), actual);
        assertArrayEquals(expected.getKey(), actual, where + " key");
        assertEquals(expected.getValue().longValue(), cursor.value(), where + " value");
    }

    private int bufferOffset;

    /**
     * Half the time the key bytes on the heap at offset 0, else in a direct buffer at a random offset.
     */
    private UnsafeBuffer buffer(final byte[] key)
    {
        if (random.nextBoolean())
        {
            bufferOffset = 0;
            return new UnsafeBuffer(key);
        }

        bufferOffset = random.nextInt(64);
        direct.putBytes(bufferOffset, key);
        return direct;
    }

    private byte[] nextKey()
    {
        final int mode = random.nextInt(100);
        if (mode < 35 && !candidates.isEmpty())
        {
            final byte[] known = candidates.get(random.nextInt(candidates.size()));
            if (mode < 25)
            {
                return known;
            }

            // Neighbours: a prefix of a known key, or the key with its last byte changed or a byte added.
            final int variant = random.nextInt(3);
            if (variant == 0 && known.length > 1)
            {
                return Arrays.copyOf(known, 1 + random.nextInt(known.length - 1));
            }

            if (variant == 1 || known.length == OffHeapBTree.MAX_KEY_LENGTH)
            {
                final byte[] changed = known.clone();
                changed[changed.length - 1] = randomByte();
                return changed;
            }

            final byte[] longer = Arrays.copyOf(known, known.length + 1);
            longer[known.length] = randomByte();
            return longer;
        }

        if (mode < 55)
        {
            return randomBytes(1 + random.nextInt(24));
        }

        if (mode < 97)
        {
            final byte[] prefix = prefixes[random.nextInt(prefixes.length)];
            final int prefixLength = 1 + random.nextInt(prefix.length);
            final int suffixLength = Math.min(
                OffHeapBTree.MAX_KEY_LENGTH - prefixLength, random.nextInt(mode < 85 ? 4 : 40));
            final byte[] key = Arrays.copyOf(prefix, prefixLength + suffixLength);
            for (int i = prefixLength; i < key.length; i++)
            {
                key[i] = randomByte();
            }

            return key;
        }

        return randomBytes(OffHeapBTree.MAX_KEY_LENGTH - random.nextInt(3));
    }

    private byte[] randomBytes(final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = randomByte();
        }

        return bytes;
    }

    private byte randomByte()
    {
        return random.nextInt(4) == 0 ? (byte)random.nextInt(256) : ALPHABET[random.nextInt(ALPHABET.length)];
    }
}
