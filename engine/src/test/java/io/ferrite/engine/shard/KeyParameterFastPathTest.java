package io.ferrite.engine.shard;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.codecs.item.ItemValidator;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableDefinition;
import io.ferrite.engine.table.TableSpec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link KeyCodec#fromKeyParameter} (one pass for a key in its one valid shape, the general validator otherwise) gives
 * the same index key, or the same error, as the general validator followed by {@link KeyCodec#fromKey} for every
 * input: valid keys of every key type, keys at and over the size limits, wrong shapes, keys with a name index, and
 * thousands of randomly damaged keys. It also checks the fast path really serves every valid plain key, so the
 * equality is not won by always falling back.
 */
class KeyParameterFastPathTest
{
    private static final int CASES_PER_SCHEMA = 4_000;

    /** Schemas covering each key type in each position, a sort key whose name sorts first, multi-byte names. */
    private static final TableSpec[] SCHEMAS = {
        TableSpec.of("s").partitionKey("pk", KeyType.S),
        TableSpec.of("n").partitionKey("id", KeyType.N),
        TableSpec.of("b").partitionKey("k", KeyType.B),
        TableSpec.of("sn").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N),
        TableSpec.of("ns").partitionKey("zz", KeyType.N).sortKey("a", KeyType.S),
        TableSpec.of("bb").partitionKey("日本", KeyType.B).sortKey("Ä", KeyType.B),
        TableSpec.of("sb").partitionKey("a", KeyType.S).sortKey("ab", KeyType.B),
    };

    @Test
    void everyInputGetsTheSameIndexKeyOrTheSameErrorAsTheGeneralPasses()
    {
        final SplittableRandom random = new SplittableRandom(0x5EED_F00DL);
        int fast = 0;
        int compared = 0;
        for (final TableSpec spec : SCHEMAS)
        {
            final Table table = table(spec);
            for (int c = 0; c < CASES_PER_SCHEMA; c++)
            {
                final byte[] valid = ItemCodec.encode(key(spec, random));
                // the fast path must take every valid plain key, byte for byte what the general passes give
                final UnsafeBuffer direct = new UnsafeBuffer(new byte[KeyCodec.MAX_INDEX_KEY_LENGTH]);
                final int written = KeyCodec.canonicalKey(table, new UnsafeBuffer(valid), 0, valid.length, direct, 0);
                final String expected = general(table, valid, 0, valid.length);
                if (!expected.startsWith("error"))
                {
                    assertTrue(written >= 0, () -> spec.tableName() + ": fast path refused a valid key " +
                        Arrays.toString(valid) + " -> " + expected);
                    fast++;
                }
                compare(table, valid, 0, valid.length);
                compared++;

                final byte[] damaged = damage(valid, random);
                final int offset = random.nextInt(3) == 0 ? 0 : random.nextInt(1, 9);
                final byte[] placed = new byte[offset + damaged.length + random.nextInt(0, 9)];
                System.arraycopy(damaged, 0, placed, offset, damaged.length);
                // sometimes claim more bytes than the buffer holds, or fewer than the key has
                final int claimed = switch (random.nextInt(10))
                {
                    case 0 -> placed.length - offset + 1 + random.nextInt(8);
                    case 1 -> Math.max(0, damaged.length - 1 - random.nextInt(4));
                    default -> damaged.length;
                };
                compare(table, placed, offset, claimed);
                compared++;
            }
        }
        assertTrue(fast > SCHEMAS.length * CASES_PER_SCHEMA / 2, "valid keys taken by the fast path: " + fast);
        assertTrue(compared == 2 * SCHEMAS.length * CASES_PER_SCHEMA);
    }

    @Test
    void limitsEmptyValuesWrongShapesAndIndexedKeysMatchTheGeneralPasses()
    {
        final Table sn = table(SCHEMAS[3]);
        final Table ns = table(SCHEMAS[4]);
        final List<Map<String, AttributeValue>> keys = List.of(
            Map.of("pk", AttributeValue.s("x".repeat(2048)), "sk", AttributeValue.n(1)),
            Map.of("pk", AttributeValue.s("x".repeat(2049)), "sk", AttributeValue.n(1)),
            Map.of("pk", AttributeValue.s("é".repeat(1025)), "sk", AttributeValue.n(1)),
            Map.of("pk", AttributeValue.s(""), "sk", AttributeValue.n(1)),
            Map.of("pk", AttributeValue.s("a")),
            Map.of("pk", AttributeValue.s("a"), "sk", AttributeValue.n(1), "x", AttributeValue.n(2)),
            Map.of("pk", AttributeValue.s("a"), "sk", AttributeValue.s("1")),
            Map.of("pk", AttributeValue.n(7), "sk", AttributeValue.n(1)),
            Map.of("pk", AttributeValue.s("a"), "sl", AttributeValue.n(1)),
            Map.of("zz", AttributeValue.n("-12.5"), "a", AttributeValue.s("y".repeat(1024))),
            Map.of("zz", AttributeValue.n("-12.5"), "a", AttributeValue.s("y".repeat(1025))),
            Map.of("zz", AttributeValue.n(3), "a", AttributeValue.s("")),
            Map.of("zz", AttributeValue.n(3), "a", AttributeValue.b(new byte[] {1})),
            Map.of("pk", AttributeValue.s("a"), "sk", AttributeValue.n(new BigDecimal("-1.5E+100"))));
        for (final Map<String, AttributeValue> key : keys)
        {
            final byte[] plain = ItemCodec.encode(key);
            for (final Table table : new Table[] {sn, ns})
            {
                compare(table, plain, 0, plain.length);
                final byte[] indexed = indexed(plain);
                compare(table, indexed, 0, indexed.length);
            }
        }
        // a key with a name index is valid: it is served (by the general passes) with the plain key's index key
        final byte[] plain = ItemCodec.encode(Map.of("pk", AttributeValue.s("a"), "sk", AttributeValue.n(1)));
        final byte[] indexed = indexed(plain);
        assertEquals(KeyCodec.canonicalKey(sn, new UnsafeBuffer(indexed), 0, indexed.length,
            new UnsafeBuffer(new byte[64]), 0), -1);
        assertEquals(general(sn, plain, 0, plain.length), general(sn, indexed, 0, indexed.length));
        assertTrue(!general(sn, plain, 0, plain.length).startsWith("error"));
    }

    private static void compare(final Table table, final byte[] bytes, final int offset, final int length)
    {
        final String expected = general(table, bytes, offset, length);
        final String actual = fastThenGeneral(table, bytes, offset, length);
        assertEquals(expected, actual, () -> table.definition().spec().tableName() + " offset " + offset +
            " length " + length + " bytes " + Arrays.toString(bytes));
    }

    /** The general passes, as the shard made them before the fast path. */
    private static String general(final Table table, final byte[] bytes, final int offset, final int length)
    {
        final UnsafeBuffer dst = new UnsafeBuffer(new byte[KeyCodec.MAX_INDEX_KEY_LENGTH]);
        try
        {
            final UnsafeBuffer key = new UnsafeBuffer(bytes);
            ItemValidator.validate(key, offset, length);
            final int written = KeyCodec.fromKey(table, key, offset, length, dst, 0);
            return Arrays.toString(Arrays.copyOf(dst.byteArray(), written));
        }
        catch (final FerriteException ex)
        {
            return "error " + ex.code() + ": " + ex.getMessage();
        }
    }

    private static String fastThenGeneral(final Table table, final byte[] bytes, final int offset, final int length)
    {
        final UnsafeBuffer dst = new UnsafeBuffer(new byte[KeyCodec.MAX_INDEX_KEY_LENGTH]);
        try
        {
            final int written = KeyCodec.fromKeyParameter(table, new UnsafeBuffer(bytes), offset, length, dst, 0);
            return Arrays.toString(Arrays.copyOf(dst.byteArray(), written));
        }
        catch (final FerriteException ex)
        {
            return "error " + ex.code() + ": " + ex.getMessage();
        }
    }

    private static Table table(final TableSpec spec)
    {
        return new Table(null, new TableDefinition(1, spec, 0L, TableDefinition.evenPartitions(1)), new Partition[0]);
    }

    private static Map<String, AttributeValue> key(final TableSpec spec, final SplittableRandom random)
    {
        final Map<String, AttributeValue> key = new HashMap<>();
        key.put(spec.partitionKeyName(), value(spec.partitionKeyType(), random, 2048));
        if (null != spec.sortKeyName())
        {
            key.put(spec.sortKeyName(), value(spec.sortKeyType(), random, 1024));
        }
        return key;
    }

    private static AttributeValue value(final KeyType type, final SplittableRandom random, final int limit)
    {
        final int length = random.nextInt(20) == 0 ? limit - 1 + random.nextInt(3) : 1 + random.nextInt(40);
        switch (type)
        {
            case S:
            {
                final StringBuilder text = new StringBuilder();
                final String[] pieces = {"a", "Z", "0", "é", "日", "\uD83D\uDE00", " ", "~"};
                while (text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length < length)
                {
                    text.append(pieces[random.nextInt(random.nextBoolean() ? 4 : pieces.length)]);
                }
                return AttributeValue.s(text.toString());
            }
            case N:
            {
                final BigInteger unscaled = new BigInteger(1 + random.nextInt(120), new java.util.Random(random.nextLong()));
                final BigDecimal number = new BigDecimal(random.nextBoolean() ? unscaled.negate() : unscaled,
                    random.nextInt(-60, 60));
                final BigDecimal exact = number.precision() > 38 ?
                    number.round(new java.math.MathContext(38)) : number;
                return AttributeValue.n(exact.abs().compareTo(new BigDecimal("1E+125")) >= 0 ||
                    (exact.signum() != 0 && exact.abs().compareTo(new BigDecimal("1E-129")) <= 0) ?
                    BigDecimal.valueOf(random.nextLong()) : exact);
            }
            default:
            {
                final byte[] bytes = new byte[length];
                for (int i = 0; i < length; i++)
                {
                    bytes[i] = (byte)random.nextInt(256);
                }
                return AttributeValue.b(bytes);
            }
        }
    }

    /** One to three of: a flipped byte, a byte set to a boundary value, a cut, junk appended. */
    private static byte[] damage(final byte[] valid, final SplittableRandom random)
    {
        byte[] bytes = valid.clone();
        for (int i = 0, n = 1 + random.nextInt(3); i < n && bytes.length > 0; i++)
        {
            switch (random.nextInt(5))
            {
                case 0 -> bytes[random.nextInt(bytes.length)] ^= (byte)(1 << random.nextInt(8));
                case 1 -> bytes[random.nextInt(bytes.length)] = (byte)new int[] {0, 1, 2, 3, 0x7F, 0x80, 0xFF}[random.nextInt(7)];
                case 2 -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length));
                case 3 -> bytes = Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(6));
                default -> bytes[random.nextInt(Math.min(bytes.length, 12))] = (byte)random.nextInt(256);
            }
        }
        return bytes;
    }

    /**
     * The key with a name index, as {@link ItemFormat#appendNameIndex} writes one (which it does only from
     * {@link ItemFormat#INDEX_MIN_ATTRIBUTES} attributes up, so never for a key): valid, though no client sends it.
     */
    private static byte[] indexed(final byte[] plain)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[plain.length + 16]);
        buffer.putBytes(0, plain);
        final int count = ItemFormat.attributeCount(buffer, 0);
        final int fingerprints = plain.length;
        final int offsets = fingerprints + count;
        int entry = ItemFormat.firstEntry(0);
        for (int i = 0; i < count; i++)
        {
            final int nameLength = ItemFormat.nameLength(buffer, entry);
            buffer.putByte(fingerprints + i,
                (byte)ItemFormat.nameFingerprint(buffer, ItemFormat.nameOffset(entry), nameLength));
            buffer.putInt(offsets + 4 * i, entry, java.nio.ByteOrder.LITTLE_ENDIAN);
            entry = ItemFormat.nextEntry(buffer, entry);
        }
        buffer.putInt(0, count | ItemFormat.INDEXED_FLAG, java.nio.ByteOrder.LITTLE_ENDIAN);
        return Arrays.copyOf(buffer.byteArray(), offsets + 4 * count);
    }
}
