package io.ferrite.codecs.item;

import io.ferrite.codecs.error.FerriteException;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ItemRoundTripTest
{
    private final ItemWriter writer = new ItemWriter(64);

    @Test
    void attributesWrittenInAnyOrderProduceTheSameCanonicalBytes()
    {
        writer.reset().string("b", "x").number("a", "1.50").beginMap("m").bool("z", true).nul("y").endMap()
            .stringSet("s", "q", "p", "q").numberSet("ns", "10", "9", "1e1", "-1");
        final byte[] first = bytes(writer.finish());

        writer.reset().numberSet("ns", "-1", "9", "10").stringSet("s", "p", "q").beginMap("m").nul("y")
            .bool("z", true).endMap().number("a", "1.5").string("b", "x");
        final byte[] second = bytes(writer.finish());
        assertArrayEquals(first, second);

        final UnsafeBuffer buffer = new UnsafeBuffer(first);
        ItemValidator.validate(buffer, 0, first.length);
        final Map<String, AttributeValue> item = ItemCodec.decode(buffer, 0, first.length);
        assertEquals(List.of("a", "b", "m", "ns", "s"), new ArrayList<>(item.keySet()));
        assertEquals(AttributeValue.n("1.5"), item.get("a"));
        assertEquals(List.of("-1", "9", "10"), item.get("ns").asNumberSet());
        assertEquals(List.of("p", "q"), item.get("s").asStringSet());
        assertEquals("{\"M\":{\"y\":{\"NULL\":true},\"z\":{\"BOOL\":true}}}", item.get("m").toString());
        assertArrayEquals(first, ItemCodec.encode(item));
    }

    @Test
    void flyweightNavigationFindsEveryAttribute()
    {
        writer.reset().string("name", "ferrite").number("n", -42).binary("bin", new UnsafeBuffer(new byte[]{1, 2}), 0, 2)
            .beginList("list").string("e0").number(7).beginMap().string("k", "v").endMap().endList()
            .beginBinarySet("bs").binary(new byte[]{3}).binary(new byte[]{1}).endSet();
        final int length = writer.finish();
        final UnsafeBuffer item = new UnsafeBuffer(bytes(length));
        assertEquals(5, ItemFormat.attributeCount(item, 0));

        final int name = ItemFormat.findAttribute(item, 0, length, "name".getBytes(StandardCharsets.UTF_8));
        assertEquals(ItemFormat.TYPE_S, ItemFormat.type(item, name));
        assertEquals("ferrite", item.getStringWithoutLengthUtf8(
            ItemFormat.payloadOffset(item, name), ItemFormat.payloadLength(item, name)));

        final int list = ItemFormat.findAttribute(item, 0, length, "list".getBytes(StandardCharsets.UTF_8));
        assertEquals(3, ItemFormat.containerCount(item, list));
        final int map = ItemFormat.listElement(item, list, 2);
        final int v = ItemFormat.findMapEntry(item, map, "k".getBytes(StandardCharsets.UTF_8));
        assertEquals("v", item.getStringWithoutLengthUtf8(
            ItemFormat.payloadOffset(item, v), ItemFormat.payloadLength(item, v)));
        assertEquals(-1, ItemFormat.findAttribute(item, 0, length, "absent".getBytes(StandardCharsets.UTF_8)));
        assertEquals(-1, ItemFormat.listElement(item, list, 3));

        final int bs = ItemFormat.findAttribute(item, 0, length, "bs".getBytes(StandardCharsets.UTF_8));
        final int firstElement = ItemFormat.firstChild(bs);
        assertEquals(1, item.getByte(ItemFormat.setElementPayloadOffset(ItemFormat.TYPE_BS, firstElement)));

        int entry = ItemFormat.firstEntry(item, 0);
        int total = ItemFormat.EMPTY_ITEM_LENGTH;
        for (int i = 0; i < 5; i++)
        {
            total += ItemFormat.entryLength(item, entry);
            entry = ItemFormat.nextEntry(item, entry);
        }
        assertEquals(length, total);
    }

    @Test
    void rawValuesCopyUntouchedAttributesIntoARebuiltItem()
    {
        writer.reset().string("keep", "me").number("drop", 1).beginMap("nested").number("x", 2).endMap();
        final int length = writer.finish();
        final UnsafeBuffer old = new UnsafeBuffer(bytes(length));

        final ItemWriter rebuilt = new ItemWriter();
        int entry = ItemFormat.firstEntry(old, 0);
        for (int i = 0; i < ItemFormat.attributeCount(old, 0); i++)
        {
            final int nameLength = ItemFormat.nameLength(old, entry);
            if (!"drop".equals(old.getStringWithoutLengthUtf8(ItemFormat.nameOffset(entry), nameLength)))
            {
                rebuilt.rawEntry(old, entry, ItemFormat.entryLength(old, entry));
            }
            entry = ItemFormat.nextEntry(old, entry);
        }
        final int valueOff = ItemFormat.findAttribute(old, 0, length, "keep".getBytes(StandardCharsets.UTF_8));
        rebuilt.rawValue("copy", old, valueOff, ItemFormat.valueLength(old, valueOff)).string("added", "");
        final int rebuiltLength = rebuilt.finish();
        final Map<String, AttributeValue> item = ItemCodec.decode(rebuilt.buffer(), 0, rebuiltLength);
        assertEquals("{added={\"S\":\"\"}, copy={\"S\":\"me\"}, keep={\"S\":\"me\"}, nested={\"M\":{\"x\":{\"N\":\"2\"}}}}",
            item.toString());
    }

    @Test
    void aRunOfRawEntriesCopiedAtOnceMakesTheSameItemAsOneEntryAtATime()
    {
        final SplittableRandom random = new SplittableRandom(606);
        for (int round = 0; round < 500; round++)
        {
            final byte[] encoded = ItemCodec.encode(RandomItems.item(random));
            final UnsafeBuffer old = new UnsafeBuffer(encoded);
            final int count = ItemFormat.attributeCount(old, 0);
            final int from = random.nextInt(count + 1);
            final int to = from + random.nextInt(count - from + 1);
            final ItemWriter oneByOne = new ItemWriter();
            final ItemWriter run = new ItemWriter();
            int entry = ItemFormat.firstEntry(old, 0);
            int runStart = -1;
            for (int i = 0; i < count; i++)
            {
                final int entryLength = ItemFormat.entryLength(old, entry);
                if (i >= from && i < to)
                {
                    oneByOne.rawEntry(old, entry, entryLength);
                    runStart = -1 == runStart ? entry : runStart;
                }
                entry += entryLength;
                if (i == to - 1)
                {
                    run.rawEntries(old, runStart, entry - runStart, to - from);
                }
            }
            run.string("\uFFFFafter", "x");
            oneByOne.string("\uFFFFafter", "x");
            final int length = oneByOne.finish();
            assertEquals(length, run.finish());
            for (int i = 0; i < length; i++)
            {
                assertEquals(oneByOne.buffer().getByte(i), run.buffer().getByte(i), "round " + round + " byte " + i);
            }
        }
        final UnsafeBuffer item = new UnsafeBuffer(ItemCodec.encode(Map.of("a", AttributeValue.s("1"), "b", AttributeValue.s("2"))));
        final int first = ItemFormat.firstEntry(item, 0);
        assertThrows(IllegalArgumentException.class, () -> new ItemWriter().rawEntries(item, first, 3, 1),
            "a length that is not the entries' total is refused");
    }

    @Test
    void duplicateAttributeNamesAreRejectedNamingTheAttribute()
    {
        final FerriteException e = assertThrows(FerriteException.class,
            () -> writer.reset().string("a", "1").string("dup", "x").string("b", "2").number("dup", 3).finish());
        assertEquals("One or more parameter values were invalid: Duplicate attribute name dup", e.getMessage());
        assertThrows(FerriteException.class,
            () -> writer.reset().beginMap("m").nul("k").nul("k").endMap());
        final FerriteException empty = assertThrows(FerriteException.class, () -> writer.reset().nul(""));
        assertTrue(empty.getMessage().contains("Attribute name cannot be empty"), empty.getMessage());
        final FerriteException emptySet = assertThrows(FerriteException.class,
            () -> writer.reset().beginStringSet("s").endSet());
        assertEquals("One or more parameter values were invalid: An string set  may not be empty", emptySet.getMessage());
        assertThrows(IllegalStateException.class, () -> writer.reset().string("value without name"));
        assertThrows(IllegalStateException.class, () -> writer.reset().beginMap("m").endList());
    }

    @Test
    void duplicateSetElementsAreDroppedByDefaultAndRefusedWhenAskedNamingTheInputInItsOrder()
    {
        final int length = writer.reset().beginNumberSet("n").number("2").number("1").number("2.0").endSet().finish();
        assertEquals(2, ItemCodec.decode(writer.buffer(), 0, length).get("n").asNumberSet().size());

        final FerriteException strings = assertThrows(FerriteException.class,
            () -> writer.reset().beginStringSet("s").string("b").string("a").string("b").endSet(true));
        assertEquals("One or more parameter values were invalid: Input collection [b, a, b] contains duplicates.",
            strings.getMessage());
        final FerriteException numbers = assertThrows(FerriteException.class,
            () -> writer.reset().beginNumberSet("n").number("10").number("-1.5").number("1E1").endSet(true));
        assertEquals("One or more parameter values were invalid: Input collection [10, -1.5, 10] contains duplicates.",
            numbers.getMessage());
        final FerriteException binaries = assertThrows(FerriteException.class,
            () -> writer.reset().beginBinarySet("b").binary(new byte[]{1}).binary(new byte[]{1}).endSet(true));
        assertEquals("One or more parameter values were invalid: Input collection [AQ==, AQ==] contains duplicates.",
            binaries.getMessage());

        final int distinct = writer.reset().beginStringSet("s").string("b").string("a").endSet(true).finish();
        assertEquals(List.of("a", "b"),
            ItemCodec.decode(writer.buffer(), 0, distinct).get("s").asStringSet());
    }

    @Test
    void nestingAtDepth32IsAcceptedAnd33IsRejected()
    {
        writer.reset();
        writer.name("deep");
        for (int level = 1; level <= ItemFormat.MAX_DEPTH; level++)
        {
            if (0 == (level & 1))
            {
                writer.beginMap().name("m");
            }
            else
            {
                writer.beginList();
            }
        }
        final FerriteException tooDeep = assertThrows(FerriteException.class, writer::beginList);
        assertEquals(ItemFormat.NESTING_TOO_DEEP, tooDeep.getMessage());

        writer.reset();
        nest(writer, ItemFormat.MAX_DEPTH);
        final int length = writer.finish();
        ItemValidator.validate(writer.buffer(), 0, length);
        assertEquals(length, ItemCodec.encode(ItemCodec.decode(writer.buffer(), 0, length)).length);

        final byte[] depth33 = nestedLists(33);
        final FerriteException rejected = assertThrows(FerriteException.class,
            () -> ItemValidator.validate(new UnsafeBuffer(depth33), 0, depth33.length));
        assertEquals(ItemFormat.NESTING_TOO_DEEP, rejected.getMessage());
        final byte[] depth32 = nestedLists(32);
        ItemValidator.validate(new UnsafeBuffer(depth32), 0, depth32.length);
    }

    @Test
    void itemSizeExactlyAt400KbIsAcceptedAndOneByteOverIsRejected()
    {
        final String at = "x".repeat(ItemValidator.MAX_ITEM_SIZE - 1);
        writer.reset().string("a", at);
        int length = writer.finish();
        assertEquals(ItemValidator.MAX_ITEM_SIZE, ItemValidator.validate(writer.buffer(), 0, length));

        writer.reset().string("a", at + "x");
        length = writer.finish();
        final int over = length;
        final FerriteException e = assertThrows(FerriteException.class,
            () -> ItemValidator.validate(writer.buffer(), 0, over));
        assertEquals("Item size has exceeded the maximum allowed size", e.getMessage());
        assertEquals(ItemValidator.MAX_ITEM_SIZE + 1, ItemValidator.validate(writer.buffer(), 0, over, Integer.MAX_VALUE));
    }

    @Test
    void dynamoDbSizeCountsNamesDigitsAndContainerOverheads()
    {
        writer.reset()
            .string("s", "")                                  // 1 + 0
            .number("n", "12345")                             // 1 + (5 + 1) / 2 + 1 = 5
            .bool("b", true)                                  // 1 + 1
            .beginMap("m").nul("k").endMap()                  // 1 + 3 + (1 + 1 + 1) = 7
            .beginList("l").number(0).string("ab").endList()  // 1 + 3 + (1 + 1) + (2 + 1) = 9
            .stringSet("ss", "abc", "d");                     // 2 + 4
        final int length = writer.finish();
        assertEquals(1 + 5 + 2 + 7 + 9 + 6, ItemValidator.validate(writer.buffer(), 0, length));
    }

    @Test
    void randomItemsRoundTripThroughWriterCodecAndValidator()
    {
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 2_000; i++)
        {
            final Map<String, AttributeValue> item = RandomItems.item(random);
            final byte[] bytes = ItemCodec.encode(item);
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
            ItemValidator.validate(buffer, 0, bytes.length, Integer.MAX_VALUE);
            final Map<String, AttributeValue> decoded = ItemCodec.decode(buffer, 0, bytes.length);
            assertEquals(normalised(item), decoded);
            assertArrayEquals(bytes, ItemCodec.encode(decoded));
        }
    }

    private static Map<String, AttributeValue> normalised(final Map<String, AttributeValue> item)
    {
        return new LinkedHashMap<>(AttributeValue.m(item).asMap());
    }

    private static void nest(final ItemWriter writer, final int levels)
    {
        writer.beginMap("deep");
        for (int level = 2; level <= levels; level++)
        {
            writer.beginMap("d" + level);
        }
        writer.number("leaf", 1);
        for (int level = 1; level <= levels; level++)
        {
            writer.endMap();
        }
    }

    /**
     * Hand-built bytes (not through the writer, which refuses): {"a": [[[...[NULL]...]]]} with the given
     * number of L levels.
     */
    static byte[] nestedLists(final int levels)
    {
        final int valueLength = levels * ItemFormat.CONTAINER_HEADER_LENGTH + 1;
        final UnsafeBuffer item = new UnsafeBuffer(new byte[4 + 2 + 1 + valueLength]);
        item.putInt(0, 1, ByteOrder.LITTLE_ENDIAN);
        item.putShort(4, (short)1, ByteOrder.LITTLE_ENDIAN);
        item.putByte(6, (byte)'a');
        int offset = 7;
        for (int level = 0; level < levels; level++)
        {
            final int innerLength = (levels - 1 - level) * ItemFormat.CONTAINER_HEADER_LENGTH + 1;
            item.putByte(offset, ItemFormat.TYPE_L);
            item.putInt(offset + 1, 4 + innerLength, ByteOrder.LITTLE_ENDIAN);
            item.putInt(offset + 5, 1, ByteOrder.LITTLE_ENDIAN);
            offset += ItemFormat.CONTAINER_HEADER_LENGTH;
        }
        item.putByte(offset, ItemFormat.TYPE_NULL);
        return item.byteArray();
    }

    private byte[] bytes(final int length)
    {
        final byte[] bytes = new byte[length];
        writer.buffer().getBytes(0, bytes);
        return bytes;
    }
}
