package io.ferrite.perf;

import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.codecs.key.KeyHash;
import io.ferrite.codecs.number.DecimalCodec;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The benchmark data: {@code items} items of {@value #ITEM_BYTES} encoded bytes in a table with a string
 * partition key {@code pk} ({@code "p"} and seven digits) and a number sort key {@code sk} (1 to
 * {@value #ITEMS_PER_PARTITION}), so that every partition key holds exactly {@value #ITEMS_PER_PARTITION}
 * items and a Query of one partition key returns {@value #ITEMS_PER_PARTITION} items.
 * <p>
 * The other attributes follow a {@link Layout}: an order's fields and a binary payload ({@link Layout#ORDER},
 * the JMH benchmarks'), or YCSB's ten fields ({@link Layout#YCSB}, the latency harness's).
 * <p>
 * Item {@code i} has {@code pk = i / 10} and {@code sk = i % 10 + 1}. Items, key items and index keys are
 * produced by patching the seven partition key digits into one pre-encoded template per sort key value, so
 * that making the input of an operation costs a few nanoseconds and allocates nothing; the benchmarks
 * measure the engine, not the item builder.
 * <p>
 * <b>Threading:</b> not thread-safe; one per benchmark thread. All buffers are off-heap (direct), as a
 * trading application's would be.
 */
public final class Dataset
{
    /** Encoded size of every item, DynamoDB's "1 KB item". */
    public static final int ITEM_BYTES = 1024;
    /** Items per partition key: a Query returns this many. */
    public static final int ITEMS_PER_PARTITION = 10;
    /** Table name. */
    public static final String TABLE = "bench";
    /** Partition key attribute. */
    public static final String PK = "pk";
    /** Sort key attribute. */
    public static final String SK = "sk";

    private static final int PK_DIGITS = 7;
    private static final String PK_TEMPLATE = "p0000000";
    private static final int INDEX_KEY_HEADER = 10;

    /** What the attributes besides the keys are. */
    public enum Layout
    {
        /** An order: price, qty, side, status, account, ts and a binary payload filling the item to 1 KB. */
        ORDER,
        /** YCSB's record: ten binary fields {@code field0}..{@code field9} of about 90 bytes each, 1 KB in all. */
        YCSB
    }

    /** Fields of a {@link Layout#YCSB} record. */
    public static final int YCSB_FIELDS = 10;

    private static final String[] YCSB_FIELD_NAMES = {
        "field0", "field1", "field2", "field3", "field4", "field5", "field6", "field7", "field8", "field9" };

    private final int items;
    private final Layout layout;
    private final UnsafeBuffer[] itemTemplates = new UnsafeBuffer[ITEMS_PER_PARTITION];
    private final int[] itemLengths = new int[ITEMS_PER_PARTITION];
    private final int[] itemPkOffsets = new int[ITEMS_PER_PARTITION];
    private final int itemPayloadOffset;
    private final UnsafeBuffer[] keyTemplates = new UnsafeBuffer[ITEMS_PER_PARTITION];
    private final int[] keyLengths = new int[ITEMS_PER_PARTITION];
    private final int[] keyPkOffsets = new int[ITEMS_PER_PARTITION];
    private final UnsafeBuffer[] skPayloads = new UnsafeBuffer[ITEMS_PER_PARTITION];
    private final int[] skPayloadLengths = new int[ITEMS_PER_PARTITION];
    private final UnsafeBuffer pkPayload = new UnsafeBuffer(ByteBuffer.allocateDirect(PK_TEMPLATE.length()));
    private final StringBuilder pkText = new StringBuilder(PK_TEMPLATE);
    private long randomState;

    /**
     * @param items how many items the data set has; a multiple of {@value #ITEMS_PER_PARTITION}.
     * @param seed  of the random item choice.
     */
    public Dataset(final int items, final long seed)
    {
        this(items, seed, Layout.ORDER);
    }

    /**
     * @param items  how many items the data set has; a multiple of {@value #ITEMS_PER_PARTITION}.
     * @param seed   of the random item choice.
     * @param layout the attributes besides the keys.
     */
    public Dataset(final int items, final long seed, final Layout layout)
    {
        if (items <= 0 || 0 != items % ITEMS_PER_PARTITION || items / ITEMS_PER_PARTITION > 10_000_000)
        {
            throw new IllegalArgumentException("items must be a positive multiple of " + ITEMS_PER_PARTITION +
                " with at most 10^7 partition keys: " + items);
        }
        this.items = items;
        this.layout = layout;
        this.randomState = new SplittableRandom(seed).nextLong() | 1;

        final byte[] padding = new byte[ITEM_BYTES];
        new SplittableRandom(seed).nextBytes(padding);
        final ItemWriter writer = new ItemWriter(2 * ITEM_BYTES);
        int payloadOffset = -1;
        for (int s = 0; s < ITEMS_PER_PARTITION; s++)
        {
            final int sk = s + 1;
            int paddingLength = 0;
            int length = writeItem(writer, layout, sk, padding, paddingLength);
            paddingLength = ITEM_BYTES - length;
            length = writeItem(writer, layout, sk, padding, paddingLength);
            if (ITEM_BYTES != length)
            {
                throw new IllegalStateException("item template is " + length + " bytes, wanted " + ITEM_BYTES);
            }
            itemTemplates[s] = copyToDirect(writer.buffer(), length);
            itemLengths[s] = length;
            itemPkOffsets[s] = find(itemTemplates[s], length, PK_TEMPLATE);
            final int found = find(itemTemplates[s], length, padding, 16);
            if (payloadOffset >= 0 && found != payloadOffset)
            {
                throw new IllegalStateException("payload moves between templates: " + payloadOffset + " " + found);
            }
            payloadOffset = found;

            writer.reset().string(PK, PK_TEMPLATE).number(SK, sk);
            final int keyLength = writer.finish();
            keyTemplates[s] = copyToDirect(writer.buffer(), keyLength);
            keyLengths[s] = keyLength;
            keyPkOffsets[s] = find(keyTemplates[s], keyLength, PK_TEMPLATE);

            skPayloads[s] = new UnsafeBuffer(ByteBuffer.allocateDirect(DecimalCodec.MAX_ENCODED_LENGTH));
            skPayloadLengths[s] = DecimalCodec.encode(sk, skPayloads[s], 0);
        }
        itemPayloadOffset = payloadOffset;
    }

    /**
     * @return how many items the data set has.
     */
    public int items()
    {
        return items;
    }

    /**
     * @return how many partition keys the data set has.
     */
    public int partitionKeys()
    {
        return items / ITEMS_PER_PARTITION;
    }

    /**
     * @return a pseudo-random item number in {@code [0, items)} (xorshift; no allocation).
     */
    public int randomItem()
    {
        return (int)Long.remainderUnsigned(nextRandom(), items);
    }

    /**
     * @return a pseudo-random partition key number in {@code [0, partitionKeys)}.
     */
    public int randomPartitionKey()
    {
        return (int)Long.remainderUnsigned(nextRandom(), partitionKeys());
    }

    /**
     * Writes item {@code item} into its template and returns the template.
     *
     * @param item    the item number.
     * @param version written into the payload so that successive puts of one item differ.
     * @return the buffer holding the item from offset 0; its length is {@link #itemLength(int)}.
     */
    public DirectBuffer item(final int item, final long version)
    {
        final int s = item % ITEMS_PER_PARTITION;
        final UnsafeBuffer template = itemTemplates[s];
        writeDigits(template, itemPkOffsets[s] + 1, item / ITEMS_PER_PARTITION);
        template.putLong(itemPayloadOffset, version);
        return template;
    }

    /**
     * @param item the item number.
     * @return the encoded length of the item (always {@value #ITEM_BYTES}).
     */
    public int itemLength(final int item)
    {
        return itemLengths[item % ITEMS_PER_PARTITION];
    }

    /**
     * Writes the key item (GetItem's Key parameter) of item {@code item} into its template.
     *
     * @param item the item number.
     * @return the buffer holding the key item from offset 0; its length is {@link #keyLength(int)}.
     */
    public DirectBuffer key(final int item)
    {
        final int s = item % ITEMS_PER_PARTITION;
        writeDigits(keyTemplates[s], keyPkOffsets[s] + 1, item / ITEMS_PER_PARTITION);
        return keyTemplates[s];
    }

    /**
     * @param item the item number.
     * @return the length of its key item.
     */
    public int keyLength(final int item)
    {
        return keyLengths[item % ITEMS_PER_PARTITION];
    }

    /**
     * Writes the store's key of item {@code item} as the engine stores it (decision 0001: XXH64 of the
     * partition key payload, big-endian; partition key length; partition key payload; sort key payload), for
     * driving a raw Chronicle Map with the same keys.
     *
     * @param item the item number.
     * @param dst  receives the key from offset 0.
     * @return the key's length.
     */
    public int indexKey(final int item, final MutableDirectBuffer dst)
    {
        final int s = item % ITEMS_PER_PARTITION;
        pkPayload.putByte(0, (byte)'p');
        writeDigits(pkPayload, 1, item / ITEMS_PER_PARTITION);
        final int pkLength = PK_TEMPLATE.length();
        dst.putLong(0, KeyHash.xxh64(pkPayload, 0, pkLength, 0), ByteOrder.BIG_ENDIAN);
        dst.putShort(8, (short)pkLength, ByteOrder.BIG_ENDIAN);
        dst.putBytes(INDEX_KEY_HEADER, pkPayload, 0, pkLength);
        dst.putBytes(INDEX_KEY_HEADER + pkLength, skPayloads[s], 0, skPayloadLengths[s]);
        return INDEX_KEY_HEADER + pkLength + skPayloadLengths[s];
    }

    /**
     * The partition key text of partition key number {@code partitionKey}, in a reused builder.
     *
     * @param partitionKey the partition key number.
     * @return the text, valid until the next call.
     */
    public CharSequence partitionKeyText(final int partitionKey)
    {
        int value = partitionKey;
        for (int i = PK_DIGITS; i >= 1; i--)
        {
            pkText.setCharAt(i, (char)('0' + value % 10));
            value /= 10;
        }
        return pkText;
    }

    private long nextRandom()
    {
        long x = randomState;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        randomState = x;
        return x;
    }

    /**
     * @return the data set's item layout.
     */
    public Layout layout()
    {
        return layout;
    }

    private static int writeItem(
        final ItemWriter writer, final Layout layout, final int sk, final byte[] padding, final int paddingLength)
    {
        if (Layout.YCSB == layout)
        {
            // The payload bytes are spread over ten fields, the last taking the remainder.
            final UnsafeBuffer paddingBuffer = new UnsafeBuffer(padding);
            writer.reset().string(PK, PK_TEMPLATE).number(SK, sk);
            final int each = Math.max(paddingLength, 0) / YCSB_FIELDS;
            for (int f = 0; f < YCSB_FIELDS; f++)
            {
                final int length = YCSB_FIELDS - 1 == f ? Math.max(paddingLength, 0) - each * (YCSB_FIELDS - 1) : each;
                writer.binary(YCSB_FIELD_NAMES[f], paddingBuffer, f * each, length);
            }
            return writer.finish();
        }
        final UnsafeBuffer paddingBuffer = new UnsafeBuffer(padding, 0, Math.max(paddingLength, 0));
        return writer.reset()
            .string(PK, PK_TEMPLATE)
            .number(SK, sk)
            .number("price", "101.25")
            .number("qty", 300)
            .string("side", "BUY")
            .string("status", "OPEN")
            .string("account", "ACC-0001")
            .number("ts", 1_700_000_000_000L + sk)
            .binary("payload", paddingBuffer, 0, Math.max(paddingLength, 0))
            .finish();
    }

    private static void writeDigits(final MutableDirectBuffer buffer, final int offset, final int number)
    {
        int value = number;
        for (int i = PK_DIGITS - 1; i >= 0; i--)
        {
            buffer.putByte(offset + i, (byte)('0' + value % 10));
            value /= 10;
        }
    }

    private static UnsafeBuffer copyToDirect(final DirectBuffer source, final int length)
    {
        final UnsafeBuffer copy = new UnsafeBuffer(ByteBuffer.allocateDirect(length));
        copy.putBytes(0, source, 0, length);
        return copy;
    }

    private static int find(final DirectBuffer buffer, final int length, final String ascii)
    {
        final byte[] needle = ascii.getBytes(StandardCharsets.US_ASCII);
        return find(buffer, length, needle, needle.length);
    }

    private static int find(final DirectBuffer buffer, final int length, final byte[] needle, final int needleLength)
    {
        int found = -1;
        for (int i = 0; i + needleLength <= length; i++)
        {
            int j = 0;
            while (j < needleLength && buffer.getByte(i + j) == needle[j])
            {
                j++;
            }
            if (j == needleLength)
            {
                if (found >= 0)
                {
                    throw new IllegalStateException("pattern found twice in a template");
                }
                found = i;
            }
        }
        if (found < 0)
        {
            throw new IllegalStateException("pattern not found in a template");
        }
        return found;
    }
}
