package io.ferrite.codecs.item;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.number.DecimalCodec;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Base64;

import static io.ferrite.codecs.item.ItemFormat.*;

/**
 * Builds canonical item bytes ({@link ItemFormat}) from attributes written in any order: entries are
 * sorted by name at every map level, set elements are sorted and de-duplicated, numbers are normalised.
 * <p>
 * Threading: not thread-safe; one writer per thread, reused for item after item. Allocation-free in
 * steady state: internal buffers grow only when an item bigger than any before is written.
 * <p>
 * Usage: an entry (in the item or in a map) is a {@code name(...)} followed by one value; every value
 * method also has a form taking the name first. Inside a list, values are written without names; inside
 * a set, {@code string}/{@code number}/{@code binary} write elements of the set's type.
 * <pre>{@code
 * writer.reset()
 *     .string("pk", "user#1")
 *     .number("age", 42)
 *     .beginMap("address").string("city", "Oslo").endMap()
 *     .beginList("tags").string("a").number("1.5").beginMap().bool("x", true).endMap().endList()
 *     .beginStringSet("roles").string("admin").string("dev").endSet();
 * final int length = writer.finish();   // canonical bytes in writer.buffer(), [0, length)
 * }</pre>
 * Data errors (names empty or over 65535 bytes, bad numbers, duplicate names, empty sets, nesting over
 * {@link ItemFormat#MAX_DEPTH}) throw {@link FerriteException}; misuse (a value without a name in a map,
 * unbalanced begin/end) throws {@link IllegalStateException}. After either, call {@link #reset()}.
 * The DynamoDB size limit is not checked here: run {@link ItemValidator} on the result where it matters.
 */
public final class ItemWriter
{
    private static final byte FRAME_ITEM = 0;
    private static final int INITIAL_CAPACITY = 1024;
    private static final int INITIAL_CHILDREN = 64;
    private static final int INSERTION_SORT_THRESHOLD = 12;

    private final ExpandableArrayBuffer buffer;
    private final ExpandableArrayBuffer scratch;
    private final byte[] frameType = new byte[MAX_DEPTH + 2];
    private final int[] frameValueOff = new int[MAX_DEPTH + 2];
    private final int[] frameCount = new int[MAX_DEPTH + 2];
    private final int[] frameFirstChild = new int[MAX_DEPTH + 2];
    private int[] childOffsets = new int[INITIAL_CHILDREN];
    private int[] childLengths = new int[INITIAL_CHILDREN];
    private int childTop;
    private int depth;
    private int position;
    private boolean namePending;
    private boolean finished;

    /**
     * A writer with default initial capacity, ready to write an item.
     */
    public ItemWriter()
    {
        this(INITIAL_CAPACITY);
    }

    /**
     * @param initialCapacity bytes to reserve for items; grows as needed.
     */
    public ItemWriter(final int initialCapacity)
    {
        buffer = new ExpandableArrayBuffer(Math.max(initialCapacity, 16));
        scratch = new ExpandableArrayBuffer(Math.max(initialCapacity, 16));
        reset();
    }

    /**
     * Discard anything written and start a new, empty item.
     *
     * @return this writer.
     */
    public ItemWriter reset()
    {
        depth = 0;
        frameType[0] = FRAME_ITEM;
        frameValueOff[0] = 0;
        frameCount[0] = 0;
        frameFirstChild[0] = 0;
        childTop = 0;
        position = COUNT_LENGTH;
        namePending = false;
        finished = false;
        return this;
    }

    /**
     * Start an entry of the item or of the current map; the next value written is its value.
     *
     * @param name attribute name, 1..65535 UTF-8 bytes.
     * @return this writer.
     * @throws FerriteException if the name is empty, too long or not valid UTF-16.
     */
    public ItemWriter name(final CharSequence name)
    {
        final int entryOff = beginName();
        final int length = Utf8.encode(name, buffer, entryOff + NAME_LENGTH_LENGTH);
        return endName(entryOff, length);
    }

    /**
     * Start an entry whose name is UTF-8 bytes in a buffer.
     *
     * @param name    buffer holding the UTF-8 name.
     * @param nameOff offset of the name.
     * @param nameLen length of the name, 1..65535.
     * @return this writer.
     * @throws FerriteException if the name is empty, too long or not valid UTF-8.
     */
    public ItemWriter name(final DirectBuffer name, final int nameOff, final int nameLen)
    {
        if (!Utf8.isValid(name, nameOff, nameLen))
        {
            throw FerriteException.validation(
                "One or more parameter values were invalid: attribute name is not valid UTF-8");
        }
        final int entryOff = beginName();
        buffer.putBytes(entryOff + NAME_LENGTH_LENGTH, name, nameOff, nameLen);
        return endName(entryOff, nameLen);
    }

    /**
     * Write an S value, or an element of the current string set.
     *
     * @param value the string; may be empty (not as a key, which the engine checks).
     * @return this writer.
     */
    public ItemWriter string(final CharSequence value)
    {
        final int lengthOff = beginStringLike(TYPE_S, TYPE_SS);
        final int length = Utf8.encode(value, buffer, lengthOff + 4);
        buffer.putInt(lengthOff, length, ByteOrder.LITTLE_ENDIAN);
        position = lengthOff + 4 + length;
        return this;
    }

    /**
     * Write an S value, or a string set element, from UTF-8 bytes.
     *
     * @param value buffer holding UTF-8 bytes.
     * @param off   offset of the bytes.
     * @param len   length of the bytes.
     * @return this writer.
     * @throws FerriteException if the bytes are not valid UTF-8.
     */
    public ItemWriter string(final DirectBuffer value, final int off, final int len)
    {
        if (!Utf8.isValid(value, off, len))
        {
            throw FerriteException.validation("One or more parameter values were invalid: string value is not " +
                "valid UTF-8");
        }
        return putLengthPrefixed(beginStringLike(TYPE_S, TYPE_SS), value, off, len);
    }

    /**
     * Write a B value, or an element of the current binary set.
     *
     * @param value buffer holding the bytes.
     * @param off   offset of the bytes.
     * @param len   length of the bytes.
     * @return this writer.
     */
    public ItemWriter binary(final DirectBuffer value, final int off, final int len)
    {
        return putLengthPrefixed(beginStringLike(TYPE_B, TYPE_BS), value, off, len);
    }

    /**
     * Write a B value, or an element of the current binary set.
     *
     * @param value the bytes.
     * @return this writer.
     */
    public ItemWriter binary(final byte[] value)
    {
        final int lengthOff = beginStringLike(TYPE_B, TYPE_BS);
        buffer.putInt(lengthOff, value.length, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(lengthOff + 4, value);
        position = lengthOff + 4 + value.length;
        return this;
    }

    /**
     * Write an N value, or an element of the current number set, from DynamoDB number text.
     *
     * @param decimalText the number, e.g. "-1.5E3".
     * @return this writer.
     * @throws FerriteException if the text is not a number DynamoDB can store.
     */
    public ItemWriter number(final CharSequence decimalText)
    {
        final int lengthOff = beginNumber();
        final int length = DecimalCodec.encode(decimalText, 0, decimalText.length(), buffer, lengthOff + 1);
        return endNumber(lengthOff, length);
    }

    /**
     * Write an N value, or an element of the current number set.
     *
     * @param value the number.
     * @return this writer.
     */
    public ItemWriter number(final long value)
    {
        final int lengthOff = beginNumber();
        return endNumber(lengthOff, DecimalCodec.encode(value, buffer, lengthOff + 1));
    }

    /**
     * Write an N value, or an element of the current number set, already in {@link DecimalCodec}'s encoding.
     *
     * @param src buffer holding a valid encoding.
     * @param off offset of the encoding.
     * @param len length of the encoding.
     * @return this writer.
     * @throws FerriteException if the bytes are not a normalised encoding.
     */
    public ItemWriter encodedNumber(final DirectBuffer src, final int off, final int len)
    {
        if (!DecimalCodec.isValidEncoding(src, off, len))
        {
            throw FerriteException.validation("One or more parameter values were invalid: not a number encoding");
        }
        final int lengthOff = beginNumber();
        buffer.putBytes(lengthOff + 1, src, off, len);
        return endNumber(lengthOff, len);
    }

    /**
     * Write a BOOL value.
     *
     * @param value the boolean.
     * @return this writer.
     */
    public ItemWriter bool(final boolean value)
    {
        final int valueOff = beginValue(TYPE_BOOL);
        buffer.putByte(valueOff + 1, (byte)(value ? 1 : 0));
        position = valueOff + 2;
        return this;
    }

    /**
     * Write a NULL value.
     *
     * @return this writer.
     */
    public ItemWriter nul()
    {
        position = beginValue(TYPE_NULL) + 1;
        return this;
    }

    /**
     * Open an M value; entries follow, then {@link #endMap()}.
     *
     * @return this writer.
     * @throws FerriteException if nesting would exceed {@link ItemFormat#MAX_DEPTH}.
     */
    public ItemWriter beginMap()
    {
        return beginContainer(TYPE_M);
    }

    /**
     * Close the current M value, sorting its entries.
     *
     * @return this writer.
     * @throws FerriteException if two entries have the same name.
     */
    public ItemWriter endMap()
    {
        requireFrame(TYPE_M, "endMap");
        sortEntries();
        return endContainer();
    }

    /**
     * Open an L value; values follow without names, then {@link #endList()}.
     *
     * @return this writer.
     * @throws FerriteException if nesting would exceed {@link ItemFormat#MAX_DEPTH}.
     */
    public ItemWriter beginList()
    {
        return beginContainer(TYPE_L);
    }

    /**
     * Close the current L value.
     *
     * @return this writer.
     */
    public ItemWriter endList()
    {
        requireFrame(TYPE_L, "endList");
        return endContainer();
    }

    /**
     * Open an SS value; {@link #string(CharSequence)} adds elements, then {@link #endSet()}.
     *
     * @return this writer.
     */
    public ItemWriter beginStringSet()
    {
        return beginContainer(TYPE_SS);
    }

    /**
     * Open an NS value; {@link #number(CharSequence)} adds elements, then {@link #endSet()}.
     *
     * @return this writer.
     */
    public ItemWriter beginNumberSet()
    {
        return beginContainer(TYPE_NS);
    }

    /**
     * Open a BS value; {@link #binary(DirectBuffer, int, int)} adds elements, then {@link #endSet()}.
     *
     * @return this writer.
     */
    public ItemWriter beginBinarySet()
    {
        return beginContainer(TYPE_BS);
    }

    /**
     * Close the current set, sorting its elements and dropping duplicates.
     *
     * @return this writer.
     * @throws FerriteException if the set is empty.
     */
    public ItemWriter endSet()
    {
        return endSet(false);
    }

    /**
     * Close the current set, sorting its elements; duplicates are dropped, or refused as DynamoDB's API refuses
     * them ("One or more parameter values were invalid: Input collection [a, a] contains duplicates."). Numbers are
     * equal by value ("1" and "1.0").
     *
     * @param rejectDuplicates true to refuse a set with two equal elements, false to keep one of them.
     * @return this writer.
     * @throws FerriteException if the set is empty, or has duplicates and {@code rejectDuplicates} is true.
     */
    public ItemWriter endSet(final boolean rejectDuplicates)
    {
        final byte type = frameType[depth];
        if (TYPE_SS != type && TYPE_NS != type && TYPE_BS != type)
        {
            throw new IllegalStateException("endSet with no set open");
        }
        if (0 == frameCount[depth])
        {
            throw FerriteException.validation("One or more parameter values were invalid: An " +
                (TYPE_SS == type ? "string" : TYPE_NS == type ? "number" : "binary") + " set  may not be empty");
        }
        sortSetElements(type, rejectDuplicates);
        return endContainer();
    }

    /**
     * Copy an already-encoded value (for instance an untouched attribute of a stored item being updated).
     * The bytes are trusted: they must be a valid value, and an M or L must not push nesting past
     * {@link ItemFormat#MAX_DEPTH} at the place it is copied to.
     *
     * @param src      buffer holding the value.
     * @param valueOff offset of the value's tag.
     * @param valueLen bytes of the value ({@link ItemFormat#valueLength}).
     * @return this writer.
     */
    public ItemWriter rawValue(final DirectBuffer src, final int valueOff, final int valueLen)
    {
        final int off = beginValue(src.getByte(valueOff));
        buffer.putBytes(off, src, valueOff, valueLen);
        position = off + valueLen;
        return this;
    }

    /**
     * Copy an already-encoded entry (name and value) into the item or current map; trusted like
     * {@link #rawValue(DirectBuffer, int, int)}.
     *
     * @param src      buffer holding the entry.
     * @param entryOff offset of the entry.
     * @param entryLen bytes of the entry ({@link ItemFormat#entryLength}).
     * @return this writer.
     */
    public ItemWriter rawEntry(final DirectBuffer src, final int entryOff, final int entryLen)
    {
        final int off = beginName();
        buffer.putBytes(off, src, entryOff, entryLen);
        position = off + entryLen;
        namePending = false;
        frameCount[depth]++;
        return this;
    }

    /**
     * Copy a run of consecutive already-encoded entries (names and values) into the item or current map in one
     * copy; trusted like {@link #rawValue(DirectBuffer, int, int)}. The same as calling
     * {@link #rawEntry(DirectBuffer, int, int)} for each, without a copy per entry.
     *
     * @param src        buffer holding the entries.
     * @param firstEntry offset of the first entry.
     * @param length     bytes of the run: the sum of its entries' lengths.
     * @param count      entries in the run.
     * @return this writer.
     * @throws IllegalArgumentException if the entries do not add up to {@code length}.
     */
    public ItemWriter rawEntries(final DirectBuffer src, final int firstEntry, final int length, final int count)
    {
        if (0 == count)
        {
            return this;
        }
        final int start = beginName();
        childTop--; // beginName pushed the first entry; every entry is pushed below
        namePending = false;
        final int shift = start - firstEntry;
        int entry = firstEntry;
        for (int i = 0; i < count; i++)
        {
            pushChild(entry + shift);
            entry += ItemFormat.entryLength(src, entry);
        }
        if (entry - firstEntry != length)
        {
            childTop -= count;
            throw new IllegalArgumentException(count + " entries take " + (entry - firstEntry) + " bytes, not " + length);
        }
        buffer.putBytes(start, src, firstEntry, length);
        position = start + length;
        frameCount[depth] += count;
        return this;
    }

    /**
     * Copy entries {@code [from, to)} of an item that carries a name index into the item or current map in one
     * copy, taking their offsets from the index instead of walking them; trusted like
     * {@link #rawValue(DirectBuffer, int, int)}. The same as {@link #rawEntries} over those entries.
     *
     * @param src     buffer holding the item, which must be {@link ItemFormat#isIndexed indexed}.
     * @param itemOff offset of the item.
     * @param itemLen length of the item.
     * @param from    first entry to copy, by position in name order.
     * @param to      entry after the last one to copy.
     * @return this writer.
     */
    public ItemWriter rawIndexedEntries(
        final DirectBuffer src, final int itemOff, final int itemLen, final int from, final int to)
    {
        if (from >= to)
        {
            return this;
        }
        final int count = ItemFormat.attributeCount(src, itemOff);
        final int first = ItemFormat.indexedEntry(src, itemOff, itemLen, count, from);
        final int end = to < count ?
            ItemFormat.indexedEntry(src, itemOff, itemLen, count, to) : ItemFormat.entriesEnd(src, itemOff, itemLen);
        final int start = beginName();
        childTop--; // beginName pushed the first entry; every entry is pushed below
        namePending = false;
        final int shift = start - first;
        for (int j = from; j < to; j++)
        {
            pushChild(ItemFormat.indexedEntry(src, itemOff, itemLen, count, j) + shift);
        }
        buffer.putBytes(start, src, first, end - first);
        position = start + end - first;
        frameCount[depth] += to - from;
        return this;
    }

    /**
     * Shorthand for {@code name(name).string(value)}.
     *
     * @param name  attribute name.
     * @param value string value.
     * @return this writer.
     */
    public ItemWriter string(final CharSequence name, final CharSequence value)
    {
        return name(name).string(value);
    }

    /**
     * Shorthand for {@code name(name).string(value, off, len)}.
     *
     * @param name  attribute name.
     * @param value buffer holding UTF-8 bytes.
     * @param off   offset of the bytes.
     * @param len   length of the bytes.
     * @return this writer.
     */
    public ItemWriter string(final CharSequence name, final DirectBuffer value, final int off, final int len)
    {
        return name(name).string(value, off, len);
    }

    /**
     * Shorthand for {@code name(name).number(decimalText)}.
     *
     * @param name        attribute name.
     * @param decimalText the number.
     * @return this writer.
     */
    public ItemWriter number(final CharSequence name, final CharSequence decimalText)
    {
        return name(name).number(decimalText);
    }

    /**
     * Shorthand for {@code name(name).number(value)}.
     *
     * @param name  attribute name.
     * @param value the number.
     * @return this writer.
     */
    public ItemWriter number(final CharSequence name, final long value)
    {
        return name(name).number(value);
    }

    /**
     * Shorthand for {@code name(name).binary(value, off, len)}.
     *
     * @param name  attribute name.
     * @param value buffer holding the bytes.
     * @param off   offset of the bytes.
     * @param len   length of the bytes.
     * @return this writer.
     */
    public ItemWriter binary(final CharSequence name, final DirectBuffer value, final int off, final int len)
    {
        return name(name).binary(value, off, len);
    }

    /**
     * Shorthand for {@code name(name).bool(value)}.
     *
     * @param name  attribute name.
     * @param value the boolean.
     * @return this writer.
     */
    public ItemWriter bool(final CharSequence name, final boolean value)
    {
        return name(name).bool(value);
    }

    /**
     * Shorthand for {@code name(name).nul()}.
     *
     * @param name attribute name.
     * @return this writer.
     */
    public ItemWriter nul(final CharSequence name)
    {
        return name(name).nul();
    }

    /**
     * Shorthand for {@code name(name).beginMap()}.
     *
     * @param name attribute name.
     * @return this writer.
     */
    public ItemWriter beginMap(final CharSequence name)
    {
        return name(name).beginMap();
    }

    /**
     * Shorthand for {@code name(name).beginList()}.
     *
     * @param name attribute name.
     * @return this writer.
     */
    public ItemWriter beginList(final CharSequence name)
    {
        return name(name).beginList();
    }

    /**
     * Shorthand for {@code name(name).beginStringSet()}.
     *
     * @param name attribute name.
     * @return this writer.
     */
    public ItemWriter beginStringSet(final CharSequence name)
    {
        return name(name).beginStringSet();
    }

    /**
     * Shorthand for {@code name(name).beginNumberSet()}.
     *
     * @param name attribute name.
     * @return this writer.
     */
    public ItemWriter beginNumberSet(final CharSequence name)
    {
        return name(name).beginNumberSet();
    }

    /**
     * Shorthand for {@code name(name).beginBinarySet()}.
     *
     * @param name attribute name.
     * @return this writer.
     */
    public ItemWriter beginBinarySet(final CharSequence name)
    {
        return name(name).beginBinarySet();
    }

    /**
     * Write a whole SS attribute (the varargs array is the caller's allocation).
     *
     * @param name   attribute name.
     * @param values set elements; at least one.
     * @return this writer.
     */
    public ItemWriter stringSet(final CharSequence name, final CharSequence... values)
    {
        name(name).beginStringSet();
        for (final CharSequence value : values)
        {
            string(value);
        }
        return endSet();
    }

    /**
     * Write a whole NS attribute (the varargs array is the caller's allocation).
     *
     * @param name         attribute name.
     * @param decimalTexts set elements as number text; at least one.
     * @return this writer.
     */
    public ItemWriter numberSet(final CharSequence name, final CharSequence... decimalTexts)
    {
        name(name).beginNumberSet();
        for (final CharSequence value : decimalTexts)
        {
            number(value);
        }
        return endSet();
    }

    /**
     * Shorthand for {@code name(name).rawValue(src, valueOff, valueLen)}.
     *
     * @param name     attribute name.
     * @param src      buffer holding the value.
     * @param valueOff offset of the value's tag.
     * @param valueLen bytes of the value.
     * @return this writer.
     */
    public ItemWriter rawValue(final CharSequence name, final DirectBuffer src, final int valueOff, final int valueLen)
    {
        return name(name).rawValue(src, valueOff, valueLen);
    }

    /**
     * Shorthand for {@code name(name, nameOff, nameLen).rawValue(src, valueOff, valueLen)}.
     *
     * @param name     buffer holding the UTF-8 name.
     * @param nameOff  offset of the name.
     * @param nameLen  length of the name.
     * @param src      buffer holding the value.
     * @param valueOff offset of the value's tag.
     * @param valueLen bytes of the value.
     * @return this writer.
     */
    public ItemWriter rawValue(
        final DirectBuffer name,
        final int nameOff,
        final int nameLen,
        final DirectBuffer src,
        final int valueOff,
        final int valueLen)
    {
        return name(name, nameOff, nameLen).rawValue(src, valueOff, valueLen);
    }

    /**
     * Complete the item: sort the top-level entries and write the count. The bytes are then
     * {@link #buffer()} {@code [0, length)} until the next {@link #reset()}.
     *
     * @return length of the item in bytes.
     * @throws FerriteException if two top-level attributes have the same name.
     */
    public int finish()
    {
        if (finished)
        {
            return position;
        }
        if (0 != depth || namePending)
        {
            throw new IllegalStateException("finish with " + depth + " containers open" +
                (namePending ? " and a name without a value" : ""));
        }
        sortEntries();
        final int count = frameCount[0];
        if (count >= ItemFormat.INDEX_MIN_ATTRIBUTES && childTop - frameFirstChild[0] == count)
        {
            writeNameIndex(count);
            buffer.putInt(0, count | ItemFormat.INDEXED_FLAG, ByteOrder.LITTLE_ENDIAN);
        }
        else
        {
            buffer.putInt(0, count, ByteOrder.LITTLE_ENDIAN);
        }
        finished = true;
        return position;
    }

    /**
     * Appends the name index (decision 0012) after the sorted top-level entries, whose offsets are
     * {@code childOffsets[0, count)} in order.
     */
    private void writeNameIndex(final int count)
    {
        final int first = frameFirstChild[0];
        final int fingerprints = position;
        final int offsets = fingerprints + count;
        buffer.checkLimit(offsets + 4 * count);
        for (int i = 0; i < count; i++)
        {
            final int entry = childOffsets[first + i];
            final int nameLength = buffer.getShort(entry, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
            buffer.putByte(fingerprints + i, (byte)ItemFormat.nameFingerprint(buffer, entry + NAME_LENGTH_LENGTH, nameLength));
            buffer.putInt(offsets + 4 * i, entry, ByteOrder.LITTLE_ENDIAN);
        }
        position = offsets + 4 * count;
    }

    /**
     * Complete the item and copy it out.
     *
     * @param dst       to copy the item to.
     * @param dstOffset at which to copy.
     * @return length of the item in bytes.
     */
    public int finish(final MutableDirectBuffer dst, final int dstOffset)
    {
        final int length = finish();
        dst.putBytes(dstOffset, buffer, 0, length);
        return length;
    }

    /**
     * @return the buffer holding the item from offset 0; complete only after {@link #finish()}.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return bytes written so far; the item's length after {@link #finish()}.
     */
    public int length()
    {
        return position;
    }

    private void checkOpen()
    {
        if (finished)
        {
            throw new IllegalStateException("item already finished; call reset()");
        }
    }

    private int beginName()
    {
        checkOpen();
        final byte type = frameType[depth];
        if ((FRAME_ITEM != type && TYPE_M != type) || namePending)
        {
            throw new IllegalStateException(namePending ? "name written twice without a value" :
                "names belong in the item or a map, not in a list or set");
        }
        pushChild(position);
        namePending = true;
        return position;
    }

    private ItemWriter endName(final int entryOff, final int length)
    {
        if (0 == length)
        {
            throw FerriteException.validation("One or more parameter values were invalid: " +
                "Attribute name cannot be empty");
        }
        if (length > MAX_NAME_LENGTH)
        {
            throw FerriteException.validation("One or more parameter values were invalid: Attribute name of " +
                length + " bytes is longer than " + MAX_NAME_LENGTH + " bytes");
        }
        buffer.putShort(entryOff, (short)length, ByteOrder.LITTLE_ENDIAN);
        position = entryOff + NAME_LENGTH_LENGTH + length;
        return this;
    }

    /**
     * @return offset at which the value's tag is to be written.
     */
    private int beginValue(final byte tag)
    {
        checkOpen();
        final byte type = frameType[depth];
        if (FRAME_ITEM == type || TYPE_M == type)
        {
            if (!namePending)
            {
                throw new IllegalStateException("value without a name in " + (FRAME_ITEM == type ? "the item" : "a map"));
            }
            namePending = false;
        }
        else if (TYPE_L != type)
        {
            throw new IllegalStateException("value of type " + tag + " cannot be an element of a set of type " + type);
        }
        frameCount[depth]++;
        buffer.putByte(position, tag);
        return position;
    }

    /**
     * @return offset of the u32 length field.
     */
    private int beginStringLike(final byte valueType, final byte setType)
    {
        if (setType == frameType[depth])
        {
            checkOpen();
            pushChild(position);
            frameCount[depth]++;
            return position;
        }
        return beginValue(valueType) + 1;
    }

    private ItemWriter putLengthPrefixed(final int lengthOff, final DirectBuffer value, final int off, final int len)
    {
        buffer.putInt(lengthOff, len, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(lengthOff + 4, value, off, len);
        position = lengthOff + 4 + len;
        return this;
    }

    /**
     * @return offset of the u8 length field.
     */
    private int beginNumber()
    {
        return beginStringLike(TYPE_N, TYPE_NS);
    }

    private ItemWriter endNumber(final int lengthOff, final int length)
    {
        buffer.putByte(lengthOff, (byte)length);
        position = lengthOff + 1 + length;
        return this;
    }

    private ItemWriter beginContainer(final byte type)
    {
        if (depth + 1 > MAX_DEPTH && (TYPE_M == type || TYPE_L == type))
        {
            throw FerriteException.validation(NESTING_TOO_DEEP);
        }
        final int valueOff = beginValue(type);
        depth++;
        frameType[depth] = type;
        frameValueOff[depth] = valueOff;
        frameCount[depth] = 0;
        frameFirstChild[depth] = childTop;
        position = valueOff + CONTAINER_HEADER_LENGTH;
        return this;
    }

    private ItemWriter endContainer()
    {
        if (namePending)
        {
            throw new IllegalStateException("name without a value at the end of a map");
        }
        final int valueOff = frameValueOff[depth];
        buffer.putInt(valueOff + TAG_LENGTH, position - (valueOff + TAG_LENGTH + SIZE_LENGTH), ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(valueOff + TAG_LENGTH + SIZE_LENGTH, frameCount[depth], ByteOrder.LITTLE_ENDIAN);
        childTop = frameFirstChild[depth];
        depth--;
        return this;
    }

    private void requireFrame(final byte type, final String operation)
    {
        checkOpen();
        if (frameType[depth] != type)
        {
            throw new IllegalStateException(operation + " does not match the open container (type " +
                frameType[depth] + ")");
        }
    }

    private void pushChild(final int offset)
    {
        if (childTop == childOffsets.length)
        {
            childOffsets = Arrays.copyOf(childOffsets, childTop * 2);
            childLengths = Arrays.copyOf(childLengths, childTop * 2);
        }
        childOffsets[childTop++] = offset;
    }

    private void computeChildLengths(final int lo, final int hi)
    {
        for (int i = lo; i < hi; i++)
        {
            childLengths[i] = (i + 1 < hi ? childOffsets[i + 1] : position) - childOffsets[i];
        }
    }

    private void sortEntries()
    {
        final int lo = frameFirstChild[depth];
        final int hi = childTop;
        if (hi - lo < 2)
        {
            return;
        }

        computeChildLengths(lo, hi);
        if (isStrictlyAscending(lo, hi, FRAME_ITEM))
        {
            return; // already in order with no two names alike (a merge of sorted inputs): one pass decides it
        }
        if (!isSorted(lo, hi, FRAME_ITEM))
        {
            sort(lo, hi, FRAME_ITEM);
            rewrite(lo, hi);
        }
        for (int i = lo + 1; i < hi; i++)
        {
            if (0 == compareChildren(i - 1, i, FRAME_ITEM))
            {
                final int nameOff = childOffsets[i] + NAME_LENGTH_LENGTH;
                throw FerriteException.validation("One or more parameter values were invalid: " +
                    "Duplicate attribute name " + buffer.getStringWithoutLengthUtf8(nameOff,
                    buffer.getShort(childOffsets[i], ByteOrder.LITTLE_ENDIAN) & 0xFFFF));
            }
        }
    }

    private void sortSetElements(final byte type, final boolean rejectDuplicates)
    {
        final int lo = frameFirstChild[depth];
        final int hi = childTop;
        if (hi - lo < 2)
        {
            return;
        }

        computeChildLengths(lo, hi);
        boolean unique = true;
        if (!isSorted(lo, hi, type))
        {
            sort(lo, hi, type);
            unique = false;
        }
        else
        {
            for (int i = lo + 1; i < hi && unique; i++)
            {
                unique = 0 != compareChildren(i - 1, i, type);
            }
        }

        if (!unique)
        {
            int kept = lo + 1;
            for (int i = lo + 1; i < hi; i++)
            {
                if (0 == compareChildren(kept - 1, i, type))
                {
                    if (rejectDuplicates)
                    {
                        throw FerriteException.validation("One or more parameter values were invalid: Input " +
                            "collection " + inputCollection(lo, hi, type) + " contains duplicates.");
                    }
                }
                else
                {
                    childOffsets[kept] = childOffsets[i];
                    childLengths[kept] = childLengths[i];
                    kept++;
                }
            }
            frameCount[depth] = kept - lo;
            childTop = kept;
            rewrite(lo, kept);
        }
        else
        {
            rewrite(lo, hi);
        }
    }

    /**
     * The set's elements as the request gave them, "[a, b, a]" (error path only: allocates). The elements still
     * lie in the buffer in the order they were written, whatever order the sort left their offsets in.
     */
    private String inputCollection(final int lo, final int hi, final byte type)
    {
        final int[] offsets = Arrays.copyOfRange(childOffsets, lo, hi);
        Arrays.sort(offsets);
        final StringBuilder text = new StringBuilder().append('[');
        for (int i = 0; i < offsets.length; i++)
        {
            final int payloadOff = setElementPayloadOffset(type, offsets[i]);
            final int payloadLen = setElementPayloadLength(buffer, type, offsets[i]);
            if (i > 0)
            {
                text.append(", ");
            }
            if (TYPE_SS == type)
            {
                text.append(buffer.getStringWithoutLengthUtf8(payloadOff, payloadLen));
            }
            else if (TYPE_NS == type)
            {
                DecimalCodec.appendTo(buffer, payloadOff, payloadLen, text);
            }
            else
            {
                final byte[] bytes = new byte[payloadLen];
                buffer.getBytes(payloadOff, bytes);
                text.append(Base64.getEncoder().encodeToString(bytes));
            }
        }
        return text.append(']').toString();
    }

    private boolean isStrictlyAscending(final int lo, final int hi, final byte kind)
    {
        for (int i = lo + 1; i < hi; i++)
        {
            if (compareChildren(i - 1, i, kind) >= 0)
            {
                return false;
            }
        }
        return true;
    }

    private boolean isSorted(final int lo, final int hi, final byte kind)
    {
        for (int i = lo + 1; i < hi; i++)
        {
            if (compareChildren(i - 1, i, kind) > 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Copy children [lo, hi) in their current array order to the start of the open level's children,
     * which then end at the new {@link #position}.
     */
    private void rewrite(final int lo, final int hi)
    {
        final int regionStart = 0 == depth ? COUNT_LENGTH : frameValueOff[depth] + CONTAINER_HEADER_LENGTH;
        int total = 0;
        boolean inPlace = true;
        int expected = regionStart;
        for (int i = lo; i < hi; i++)
        {
            inPlace &= childOffsets[i] == expected;
            expected += childLengths[i];
        }
        if (inPlace)
        {
            position = expected;
            return;
        }

        for (int i = lo; i < hi; i++)
        {
            scratch.putBytes(total, buffer, childOffsets[i], childLengths[i]);
            total += childLengths[i];
        }
        buffer.putBytes(regionStart, scratch, 0, total);
        int offset = regionStart;
        for (int i = lo; i < hi; i++)
        {
            childOffsets[i] = offset;
            offset += childLengths[i];
        }
        position = regionStart + total;
    }

    private int compareChildren(final int i, final int j, final byte kind)
    {
        final int a = childOffsets[i];
        final int b = childOffsets[j];
        if (FRAME_ITEM == kind)
        {
            return compareNames(
                buffer, a + NAME_LENGTH_LENGTH, buffer.getShort(a, ByteOrder.LITTLE_ENDIAN) & 0xFFFF,
                buffer, b + NAME_LENGTH_LENGTH, buffer.getShort(b, ByteOrder.LITTLE_ENDIAN) & 0xFFFF);
        }
        return compareNames(
            buffer, setElementPayloadOffset(kind, a), setElementPayloadLength(buffer, kind, a),
            buffer, setElementPayloadOffset(kind, b), setElementPayloadLength(buffer, kind, b));
    }

    private void sort(final int lo, final int hi, final byte kind)
    {
        if (hi - lo <= INSERTION_SORT_THRESHOLD)
        {
            for (int i = lo + 1; i < hi; i++)
            {
                for (int j = i; j > lo && compareChildren(j - 1, j, kind) > 0; j--)
                {
                    swap(j - 1, j);
                }
            }
            return;
        }

        final int n = hi - lo;
        for (int root = n / 2 - 1; root >= 0; root--)
        {
            siftDown(lo, root, n, kind);
        }
        for (int end = n - 1; end > 0; end--)
        {
            swap(lo, lo + end);
            siftDown(lo, 0, end, kind);
        }
    }

    private void siftDown(final int lo, final int start, final int n, final byte kind)
    {
        int root = start;
        while (true)
        {
            int child = 2 * root + 1;
            if (child >= n)
            {
                return;
            }
            if (child + 1 < n && compareChildren(lo + child, lo + child + 1, kind) < 0)
            {
                child++;
            }
            if (compareChildren(lo + root, lo + child, kind) >= 0)
            {
                return;
            }
            swap(lo + root, lo + child);
            root = child;
        }
    }

    private void swap(final int i, final int j)
    {
        final int offset = childOffsets[i];
        childOffsets[i] = childOffsets[j];
        childOffsets[j] = offset;
        final int length = childLengths[i];
        childLengths[i] = childLengths[j];
        childLengths[j] = length;
    }
}
