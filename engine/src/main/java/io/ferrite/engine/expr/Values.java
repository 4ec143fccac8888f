package io.ferrite.engine.expr;

import io.ferrite.codecs.bytes.UnsignedBytes;
import io.ferrite.codecs.item.ItemFormat;
import org.agrona.DirectBuffer;

import static io.ferrite.codecs.item.ItemFormat.*;

/**
 * Comparisons of values in item bytes, as DynamoDB's expressions define them. Canonical item bytes make
 * equality a byte comparison: map entries and set elements are sorted, numbers normalised. Order is
 * defined for S (UTF-8 bytes), N (numeric: the number encoding sorts numerically) and B (unsigned bytes)
 * of the same type only.
 * <p>
 * Threading: stateless; no allocation.
 */
final class Values
{
    /** Returned by {@link #compare} when the two values have no order between them. */
    static final int UNORDERED = Integer.MIN_VALUE;

    private Values()
    {
    }

    static boolean isOrderable(final byte type)
    {
        return TYPE_S == type || TYPE_N == type || TYPE_B == type;
    }

    static boolean isSet(final byte type)
    {
        return TYPE_SS == type || TYPE_NS == type || TYPE_BS == type;
    }

    static boolean equal(final DirectBuffer a, final int aOff, final DirectBuffer b, final int bOff)
    {
        if (a.getByte(aOff) != b.getByte(bOff))
        {
            return false;
        }
        final int aLen = ItemFormat.valueLength(a, aOff);
        final int bLen = ItemFormat.valueLength(b, bOff);
        return aLen == bLen && 0 == UnsignedBytes.compare(a, aOff, aLen, b, bOff, bLen);
    }

    /**
     * @return negative, zero or positive, or {@link #UNORDERED} when the values are not both S, both N or
     * both B.
     */
    static int compare(final DirectBuffer a, final int aOff, final DirectBuffer b, final int bOff)
    {
        final byte type = a.getByte(aOff);
        if (type != b.getByte(bOff) || !isOrderable(type))
        {
            return UNORDERED;
        }
        final int result = UnsignedBytes.compare(
            a, payloadOffset(aOff, type), payloadLength(a, aOff), b, payloadOffset(bOff, type), payloadLength(b, bOff));
        return Integer.signum(result);
    }

    static boolean beginsWith(final DirectBuffer a, final int aOff, final DirectBuffer b, final int bOff)
    {
        final byte type = a.getByte(aOff);
        if (type != b.getByte(bOff) || (TYPE_S != type && TYPE_B != type))
        {
            return false;
        }
        return UnsignedBytes.startsWith(
            a, payloadOffset(aOff, type), payloadLength(a, aOff), b, payloadOffset(bOff, type), payloadLength(b, bOff));
    }

    /**
     * DynamoDB's contains: a substring of an S, a sub-sequence of a B, an element of a set (of the
     * operand's scalar type) or an element of a list (any type, by equality).
     */
    static boolean contains(final DirectBuffer a, final int aOff, final DirectBuffer b, final int bOff)
    {
        final byte type = a.getByte(aOff);
        final byte operandType = b.getByte(bOff);
        switch (type)
        {
            case TYPE_S:
            case TYPE_B:
                return type == operandType && indexOf(a, payloadOffset(aOff, type), payloadLength(a, aOff),
                    b, payloadOffset(bOff, type), payloadLength(b, bOff)) >= 0;

            case TYPE_SS:
            case TYPE_NS:
            case TYPE_BS:
                return elementType(type) == operandType && setContains(a, aOff, b, payloadOffset(bOff, operandType),
                    payloadLength(b, bOff));

            case TYPE_L:
            {
                final int count = containerCount(a, aOff);
                int element = firstChild(aOff);
                for (int i = 0; i < count; i++)
                {
                    if (equal(a, element, b, bOff))
                    {
                        return true;
                    }
                    element = nextListElement(a, element);
                }
                return false;
            }

            default:
                return false;
        }
    }

    static byte elementType(final byte setType)
    {
        return TYPE_SS == setType ? TYPE_S : TYPE_NS == setType ? TYPE_N : TYPE_B;
    }

    static byte setTypeOf(final byte elementType)
    {
        return TYPE_S == elementType ? TYPE_SS : TYPE_N == elementType ? TYPE_NS : TYPE_BS;
    }

    static boolean setContains(
        final DirectBuffer set, final int setOff, final DirectBuffer payload, final int payloadOff, final int payloadLen)
    {
        final byte setType = set.getByte(setOff);
        final int count = containerCount(set, setOff);
        int element = firstChild(setOff);
        for (int i = 0; i < count; i++)
        {
            final int off = setElementPayloadOffset(setType, element);
            final int len = setElementPayloadLength(set, setType, element);
            final int cmp = UnsignedBytes.compare(set, off, len, payload, payloadOff, payloadLen);
            if (0 == cmp)
            {
                return true;
            }
            if (cmp > 0)
            {
                return false;
            }
            element = off + len;
        }
        return false;
    }

    /**
     * DynamoDB's size: the length of an S in UTF-16 code units (what DynamoDB counts: "é𝄞" has size 3), bytes of a
     * B, elements of a set or list, entries of a map.
     *
     * @return the size, or -1 when the type has none (N, BOOL, NULL).
     */
    static int size(final DirectBuffer buf, final int off)
    {
        final byte type = buf.getByte(off);
        switch (type)
        {
            case TYPE_S:
                return utf16Length(buf, payloadOffset(off, type), payloadLength(buf, off));
            case TYPE_B:
                return payloadLength(buf, off);
            case TYPE_M:
            case TYPE_L:
            case TYPE_SS:
            case TYPE_NS:
            case TYPE_BS:
                return containerCount(buf, off);
            default:
                return -1;
        }
    }

    /**
     * UTF-16 code units of valid UTF-8: one per character, two for a character outside the Basic Multilingual Plane
     * (a four-byte sequence), counted from the bytes without decoding them.
     */
    static int utf16Length(final DirectBuffer buf, final int off, final int len)
    {
        int units = 0;
        for (int i = off, end = off + len; i < end; i++)
        {
            final int b = buf.getByte(i) & 0xFF;
            if ((b & 0xC0) != 0x80)
            {
                units += b >= 0xF0 ? 2 : 1;
            }
        }
        return units;
    }

    private static int indexOf(
        final DirectBuffer a, final int aOff, final int aLen, final DirectBuffer b, final int bOff, final int bLen)
    {
        outer:
        for (int i = 0; i + bLen <= aLen; i++)
        {
            for (int j = 0; j < bLen; j++)
            {
                if (a.getByte(aOff + i + j) != b.getByte(bOff + j))
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
