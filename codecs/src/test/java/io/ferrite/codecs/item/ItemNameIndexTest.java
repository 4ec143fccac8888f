package io.ferrite.codecs.item;

import io.ferrite.codecs.error.FerriteException;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The name index at the end of items of {@link ItemFormat#INDEX_MIN_ATTRIBUTES} attributes or more (decision 0012):
 * written by {@link ItemWriter}, trusted by readers only after {@link ItemValidator} checked it, and items without it
 * still read the same.
 */
class ItemNameIndexTest
{
    /** Short names from a small alphabet (with a two-byte and a four-byte character) so fingerprints collide. */
    private static final String[] LETTERS = {"a", "b", "c", "\u00e9", "\ud83d\ude00", "_", "0"};

    @Test
    void itemsOfEightOrMoreAttributesCarryTheIndexAndSmallerOnesDoNot()
    {
        final byte[] seven = ItemCodec.encode(attributes(7));
        final byte[] eight = ItemCodec.encode(attributes(8));
        assertFalse(ItemFormat.isIndexed(new UnsafeBuffer(seven), 0));
        assertTrue(ItemFormat.isIndexed(new UnsafeBuffer(eight), 0));
        assertEquals(8, ItemFormat.attributeCount(new UnsafeBuffer(eight), 0));
        assertEquals(8 * ItemFormat.INDEX_BYTES_PER_ATTRIBUTE, ItemFormat.indexLength(new UnsafeBuffer(eight), 0));
        assertEquals(unindexed(eight).length, ItemFormat.entriesEnd(new UnsafeBuffer(eight), 0, eight.length));
        assertEquals(attributes(8), ItemCodec.decode(new UnsafeBuffer(eight), 0, eight.length));
        ItemValidator.validate(new UnsafeBuffer(eight), 0, eight.length);
    }

    @Test
    void indexedLookupFindsWhatAWalkFindsForEveryNameAtEverySize()
    {
        final SplittableRandom random = new SplittableRandom(20261206L);
        int lookups = 0;
        for (int round = 0; round < 400; round++)
        {
            final Map<String, AttributeValue> item = new TreeMap<>();
            final int size = 1 + random.nextInt(70);
            while (item.size() < size)
            {
                item.put(name(random), 0 == random.nextInt(2) ? s("v" + item.size()) : n(item.size()));
            }
            final byte[] indexed = ItemCodec.encode(item);
            final byte[] walked = unindexed(indexed);
            final UnsafeBuffer a = new UnsafeBuffer(indexed);
            final UnsafeBuffer b = new UnsafeBuffer(walked);
            assertEquals(size >= ItemFormat.INDEX_MIN_ATTRIBUTES, ItemFormat.isIndexed(a, 0));
            assertFalse(ItemFormat.isIndexed(b, 0));
            ItemValidator.validate(a, 0, indexed.length);
            ItemValidator.validate(b, 0, walked.length);
            assertEquals(item, ItemCodec.decode(b, 0, walked.length), "the old form reads the same");

            for (int probe = 0; probe < 40; probe++)
            {
                final String name = 0 == probe % 2 ? pick(random, item) : name(random);
                final byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
                final int found = ItemFormat.findAttribute(a, 0, indexed.length, utf8);
                final int expected = ItemFormat.findAttribute(b, 0, walked.length, utf8);
                assertEquals(expected < 0, found < 0, name + " in " + item.keySet());
                if (found >= 0)
                {
                    assertEquals(expected, found, "entries sit at the same offsets in both forms: " + name);
                }
                lookups++;
            }
            if (ItemFormat.isIndexed(a, 0))
            {
                final IndexedName[] several = new IndexedName[1 + random.nextInt(6)];
                final int[] values = new int[several.length];
                for (int k = 0; k < several.length; k++)
                {
                    several[k] = new IndexedName((0 == k % 2 ? pick(random, item) : name(random)).getBytes(StandardCharsets.UTF_8));
                }
                IndexedName.findAll(several, a, 0, indexed.length, values);
                for (int k = 0; k < several.length; k++)
                {
                    assertEquals(several[k].find(a, 0, indexed.length), values[k], "findAll agrees with find");
                }
            }
        }
        assertTrue(lookups > 10_000);
    }

    @Test
    void anIndexAppendedAfterwardsIsTheOneTheWriterWrites()
    {
        for (int size = 1; size < 40; size++)
        {
            final byte[] written = ItemCodec.encode(attributes(size));
            final byte[] old = unindexed(written);
            final UnsafeBuffer roomy = new UnsafeBuffer(Arrays.copyOf(old, old.length + 1024));
            final int end = ItemFormat.appendNameIndex(roomy, 0, old.length);
            assertEquals(written.length, end, "size " + size);
            assertEquals(new UnsafeBuffer(written), new UnsafeBuffer(roomy.byteArray(), 0, end), "size " + size);

            final UnsafeBuffer tight = new UnsafeBuffer(old.clone());
            assertEquals(old.length, ItemFormat.appendNameIndex(tight, 0, old.length), "no room: left without an index");
            assertFalse(ItemFormat.isIndexed(tight, 0));
        }
    }

    @Test
    void theValidatorRejectsAnIndexThatDoesNotMatchTheEntries()
    {
        final byte[] good = ItemCodec.encode(attributes(12));
        final int count = 12;
        final int fingerprints = good.length - count * ItemFormat.INDEX_BYTES_PER_ATTRIBUTE;
        final int offsets = fingerprints + count;

        final byte[] badFingerprint = good.clone();
        badFingerprint[fingerprints + 5] ^= 0x40;
        assertRejected(badFingerprint, "fingerprint");

        final byte[] badOffset = good.clone();
        final UnsafeBuffer view = new UnsafeBuffer(badOffset);
        view.putInt(offsets + 4 * 3, view.getInt(offsets + 4 * 4, ByteOrder.LITTLE_ENDIAN), ByteOrder.LITTLE_ENDIAN);
        assertRejected(badOffset, "gives offset");

        final byte[] truncated = Arrays.copyOf(good, good.length - 1);
        assertRejected(truncated, "");

        final byte[] flagWithoutIndex = unindexed(good);
        new UnsafeBuffer(flagWithoutIndex).putInt(0, count | ItemFormat.INDEXED_FLAG, ByteOrder.LITTLE_ENDIAN);
        assertRejected(flagWithoutIndex, "");

        final byte[] emptyIndexed = new byte[ItemFormat.COUNT_LENGTH];
        new UnsafeBuffer(emptyIndexed).putInt(0, ItemFormat.INDEXED_FLAG, ByteOrder.LITTLE_ENDIAN);
        assertRejected(emptyIndexed, "name index");
    }

    private static void assertRejected(final byte[] item, final String messagePart)
    {
        final FerriteException ex = assertThrows(FerriteException.class,
            () -> ItemValidator.validate(new UnsafeBuffer(item), 0, item.length));
        assertTrue(ex.getMessage().contains(messagePart), ex.getMessage());
    }

    /**
     * The same item as written before the index existed: the count without the flag and no index after the entries.
     */
    static byte[] unindexed(final byte[] item)
    {
        final UnsafeBuffer view = new UnsafeBuffer(item);
        final byte[] old = Arrays.copyOf(item, ItemFormat.entriesEnd(view, 0, item.length));
        new UnsafeBuffer(old).putInt(0, ItemFormat.attributeCount(view, 0), ByteOrder.LITTLE_ENDIAN);
        return old;
    }

    private static Map<String, AttributeValue> attributes(final int count)
    {
        final Map<String, AttributeValue> item = new TreeMap<>();
        for (int i = 0; i < count; i++)
        {
            item.put("attribute" + i, n(i));
        }
        return item;
    }

    private static String name(final SplittableRandom random)
    {
        final StringBuilder name = new StringBuilder();
        for (int i = 0, length = 1 + random.nextInt(4); i < length; i++)
        {
            name.append(LETTERS[random.nextInt(LETTERS.length)]);
        }
        return name.toString();
    }

    private static String pick(final SplittableRandom random, final Map<String, AttributeValue> item)
    {
        return item.keySet().stream().skip(random.nextInt(item.size())).findFirst().orElseThrow();
    }
}
