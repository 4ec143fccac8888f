package io.ferrite.engine.expr;

import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.codecs.number.DecimalCodec;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * A node of a compiled expression that yields a value: a document path, an expression attribute value,
 * size(), or (in an UpdateExpression) if_not_exists, list_append, {@code +} and {@code -}. Resolving it
 * over an item gives the offset of a value's tag in {@link #buffer} (the item itself, the constants, or
 * the node's own scratch buffer for computed values), or -1 when there is no value.
 * <p>
 * Threading: a node keeps the buffer of its last result and computed nodes own scratch buffers, so a
 * compiled expression is used by one thread at a time. No allocation when resolving (list_append's
 * scratch grows only for a longer result than any before).
 */
abstract class Operand
{
    DirectBuffer buffer;

    /**
     * @param item    the item (or the key item of a missing item, for updates).
     * @param itemOff its offset.
     * @param itemLen its length, -1 for no item.
     * @return the value's tag offset in {@link #buffer}, or -1 when there is no value.
     */
    abstract int resolve(DirectBuffer item, int itemOff, int itemLen);

    /**
     * @return the value's type when known before evaluation (an expression attribute value), else 0.
     */
    byte constantType()
    {
        return 0;
    }

    boolean isPath()
    {
        return false;
    }

    /** A document path in the item. */
    static final class Path extends Operand
    {
        final DocumentPath path;
        private TopLevelAttributes topLevel;
        private int slot;

        Path(final DocumentPath path)
        {
            this.path = path;
        }

        void topLevel(final TopLevelAttributes topLevel, final int slot)
        {
            this.topLevel = topLevel;
            this.slot = slot;
        }

        int resolve(final DirectBuffer item, final int itemOff, final int itemLen)
        {
            buffer = item;
            if (null != topLevel && topLevel.isValid())
            {
                return path.resolveFrom(item, topLevel.offset(slot));
            }
            return path.resolve(item, itemOff, itemLen);
        }

        boolean isPath()
        {
            return true;
        }

        public String toString()
        {
            return path.toString();
        }
    }

    /** An expression attribute value, held in the encoded values item. */
    static final class Constant extends Operand
    {
        final String placeholder;
        final int offset;

        Constant(final String placeholder, final DirectBuffer constants, final int offset)
        {
            this.placeholder = placeholder;
            this.offset = offset;
            this.buffer = constants;
        }

        int resolve(final DirectBuffer item, final int itemOff, final int itemLen)
        {
            return offset;
        }

        byte constantType()
        {
            return buffer.getByte(offset);
        }

        public String toString()
        {
            return placeholder;
        }
    }

    /** size(path): a number, or no value for types without a size. */
    static final class Size extends Operand
    {
        private final Operand argument;
        private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[2 + DecimalCodec.MAX_ENCODED_LENGTH]);

        Size(final Operand argument)
        {
            this.argument = argument;
            this.buffer = scratch;
        }

        int resolve(final DirectBuffer item, final int itemOff, final int itemLen)
        {
            final int value = argument.resolve(item, itemOff, itemLen);
            if (value < 0)
            {
                return -1;
            }
            final int size = Values.size(argument.buffer, value);
            if (size < 0)
            {
                return -1;
            }
            scratch.putByte(0, ItemFormat.TYPE_N);
            scratch.putByte(1, (byte)DecimalCodec.encode(size, scratch, 2));
            return 0;
        }

        public String toString()
        {
            return "size(" + argument + ")";
        }
    }

    /** if_not_exists(path, operand): the path's value if it exists, else the operand's. */
    static final class IfNotExists extends Operand
    {
        private final Operand path;
        private final Operand fallback;

        IfNotExists(final Operand path, final Operand fallback)
        {
            this.path = path;
            this.fallback = fallback;
        }

        int resolve(final DirectBuffer item, final int itemOff, final int itemLen)
        {
            final int value = path.resolve(item, itemOff, itemLen);
            if (value >= 0)
            {
                buffer = path.buffer;
                return value;
            }
            final int other = fallback.resolve(item, itemOff, itemLen);
            buffer = fallback.buffer;
            return other;
        }

        public String toString()
        {
            return "if_not_exists(" + path + ", " + fallback + ")";
        }
    }

    /** list_append(a, b): the elements of list a followed by those of list b. */
    static final class ListAppend extends Operand
    {
        private final Operand first;
        private final Operand second;
        private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(256);

        ListAppend(final Operand first, final Operand second)
        {
            this.first = first;
            this.second = second;
            this.buffer = scratch;
        }

        int resolve(final DirectBuffer item, final int itemOff, final int itemLen)
        {
            final int a = listOperand(first, item, itemOff, itemLen);
            final int b = listOperand(second, item, itemOff, itemLen);
            final DirectBuffer aBuf = first.buffer;
            final DirectBuffer bBuf = second.buffer;
            final int aBody = ItemFormat.valueLength(aBuf, a) - ItemFormat.CONTAINER_HEADER_LENGTH;
            final int bBody = ItemFormat.valueLength(bBuf, b) - ItemFormat.CONTAINER_HEADER_LENGTH;
            scratch.putByte(0, ItemFormat.TYPE_L);
            scratch.putInt(1, ItemFormat.COUNT_LENGTH + aBody + bBody, ByteOrder.LITTLE_ENDIAN);
            scratch.putInt(5, ItemFormat.containerCount(aBuf, a) + ItemFormat.containerCount(bBuf, b),
                ByteOrder.LITTLE_ENDIAN);
            scratch.putBytes(ItemFormat.CONTAINER_HEADER_LENGTH, aBuf, ItemFormat.firstChild(a), aBody);
            scratch.putBytes(ItemFormat.CONTAINER_HEADER_LENGTH + aBody, bBuf, ItemFormat.firstChild(b), bBody);
            return 0;
        }

        private static int listOperand(
            final Operand operand, final DirectBuffer item, final int itemOff, final int itemLen)
        {
            final int value = operand.resolve(item, itemOff, itemLen);
            if (value < 0)
            {
                throw Errors.missingOperand();
            }
            final byte type = operand.buffer.getByte(value);
            if (ItemFormat.TYPE_L != type)
            {
                throw Errors.incorrectDataType();
            }
            return value;
        }

        public String toString()
        {
            return "list_append(" + first + ", " + second + ")";
        }
    }

    /** a + b or a - b over numbers, exact to DynamoDB's 38 digits. */
    static final class Arithmetic extends Operand
    {
        private final Operand left;
        private final Operand right;
        private final boolean subtract;
        private final DecimalMath math;
        private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[2 + DecimalCodec.MAX_ENCODED_LENGTH]);

        Arithmetic(final Operand left, final Operand right, final boolean subtract, final DecimalMath math)
        {
            this.left = left;
            this.right = right;
            this.subtract = subtract;
            this.math = math;
            this.buffer = scratch;
        }

        int resolve(final DirectBuffer item, final int itemOff, final int itemLen)
        {
            final int a = numberOperand(left, item, itemOff, itemLen);
            final int b = numberOperand(right, item, itemOff, itemLen);
            math.addValues(left.buffer, a, right.buffer, b, subtract, scratch, 0);
            return 0;
        }

        private int numberOperand(final Operand operand, final DirectBuffer item, final int itemOff, final int itemLen)
        {
            final int value = operand.resolve(item, itemOff, itemLen);
            if (value < 0)
            {
                throw Errors.missingOperand();
            }
            final byte type = operand.buffer.getByte(value);
            if (ItemFormat.TYPE_N != type)
            {
                throw Errors.incorrectDataType();
            }
            return value;
        }

        public String toString()
        {
            return left + (subtract ? " - " : " + ") + right;
        }
    }
}
