package io.ferrite.codecs.item;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.sbe.ErrorCode;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Untrusted item bytes may be anything: the validator must answer every mutation with either a size or a
 * {@link FerriteException} validation, never an index, arithmetic or stack overflow error; and whatever it
 * accepts must be canonical (re-encoding the decoded item gives the same bytes).
 */
class MaliciousItemBytesTest
{
    @Test
    void randomMutationsAndTruncationsOnlyEverFailAsValidation()
    {
        final SplittableRandom random = new SplittableRandom(0xBAD);
        int accepted = 0;
        for (int i = 0; i < 20_000; i++)
        {
            final byte[] valid = ItemCodec.encode(RandomItems.item(random));
            final byte[] mutated = mutate(valid, random);
            // place the item at an offset inside a bigger buffer to catch reads outside [off, off + len)
            final byte[] padded = new byte[mutated.length + 16];
            Arrays.fill(padded, (byte)0x7F);
            System.arraycopy(mutated, 0, padded, 8, mutated.length);
            final UnsafeBuffer buffer = new UnsafeBuffer(padded);
            try
            {
                ItemValidator.validate(buffer, 8, mutated.length, Integer.MAX_VALUE);
                accepted++;
                assertArrayEquals(mutated, ItemCodec.encode(ItemCodec.decode(buffer, 8, mutated.length)),
                    "accepted bytes must be canonical");
            }
            catch (final FerriteException e)
            {
                assertEquals(ErrorCode.ValidationException, e.code());
            }
            catch (final RuntimeException | StackOverflowError e)
            {
                fail("mutation " + i + " escaped as " + e, e);
            }
        }
    }

    @Test
    void hugeLengthsAndCountsAreRejectedWithoutReadingPastTheEnd()
    {
        final byte[] item = ItemRoundTripTest.nestedLists(3);
        final UnsafeBuffer buffer = new UnsafeBuffer(item);
        for (final int offset : new int[]{0, 4, 8, 12})
        {
            for (final int value : new int[]{-1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x10000, 3})
            {
                final byte[] copy = item.clone();
                new UnsafeBuffer(copy).putInt(offset, value, ByteOrder.LITTLE_ENDIAN);
                assertThrows(FerriteException.class,
                    () -> ItemValidator.validate(new UnsafeBuffer(copy), 0, copy.length));
            }
        }
        assertThrows(FerriteException.class, () -> ItemValidator.validate(buffer, 0, 3));
        assertThrows(FerriteException.class, () -> ItemValidator.validate(buffer, 0, item.length + 1));
        assertThrows(FerriteException.class, () -> ItemValidator.validate(buffer, -1, 4));
    }

    @Test
    void deeplyNestedBombIsRejectedWithoutStackOverflow()
    {
        final byte[] bomb = ItemRoundTripTest.nestedLists(100_000);
        final FerriteException e = assertThrows(FerriteException.class,
            () -> ItemValidator.validate(new UnsafeBuffer(bomb), 0, bomb.length, Integer.MAX_VALUE));
        assertEquals(ItemFormat.NESTING_TOO_DEEP, e.getMessage());
    }

    private static byte[] mutate(final byte[] valid, final SplittableRandom random)
    {
        switch (random.nextInt(5))
        {
            case 0:
                return Arrays.copyOf(valid, random.nextInt(valid.length + 1));
            case 1:
            {
                final byte[] copy = Arrays.copyOf(valid, valid.length + 1 + random.nextInt(4));
                return copy;
            }
            case 2:
            {
                final byte[] copy = valid.clone();
                copy[random.nextInt(copy.length)] = (byte)random.nextInt(256);
                return copy;
            }
            case 3:
            {
                final byte[] copy = valid.clone();
                for (int i = 0, n = 1 + random.nextInt(4); i < n; i++)
                {
                    copy[random.nextInt(copy.length)] ^= (byte)(1 << random.nextInt(8));
                }
                return copy;
            }
            default:
            {
                final byte[] copy = valid.clone();
                final int at = random.nextInt(copy.length);
                final int delta = random.nextInt(-3, 4);
                copy[at] = (byte)(copy[at] + delta);
                return copy;
            }
        }
    }
}
