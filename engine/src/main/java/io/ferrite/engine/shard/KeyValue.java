package io.ferrite.engine.shard;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.Utf8;
import io.ferrite.codecs.number.DecimalCodec;
import io.ferrite.engine.table.KeyType;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A reusable holder of one key attribute value (type and payload) for Query's key condition:
 * S as UTF-8, N in the order-preserving encoding, B as raw bytes. Setting a value copies it in and does
 * not allocate. Not thread-safe: one per request object.
 */
public final class KeyValue
{
    private final UnsafeBuffer bytes;
    private KeyType type;
    private int length;

    KeyValue(final int capacity)
    {
        bytes = new UnsafeBuffer(new byte[capacity]);
    }

    /**
     * @param value a string value (encoded to UTF-8 here, without allocating).
     * @return this.
     */
    public KeyValue string(final CharSequence value)
    {
        final int encodedLength = Utf8.encodedLength(value);
        if (encodedLength > bytes.capacity())
        {
            throw FerriteException.validation("One or more parameter values were invalid: key condition value of " +
                encodedLength + " bytes exceeds the key size limit of " + bytes.capacity() + " bytes");
        }
        type = KeyType.S;
        length = Utf8.encode(value, bytes, 0);
        return this;
    }

    /**
     * @param decimalText a number as DynamoDB writes one, e.g. {@code -1.5E+3}.
     * @return this.
     */
    public KeyValue number(final CharSequence decimalText)
    {
        type = KeyType.N;
        length = DecimalCodec.encode(decimalText, 0, decimalText.length(), bytes, 0);
        return this;
    }

    /**
     * @param value a binary value.
     * @param offset where it starts.
     * @param valueLength its length.
     * @return this.
     */
    public KeyValue binary(final DirectBuffer value, final int offset, final int valueLength)
    {
        if (valueLength > bytes.capacity())
        {
            throw FerriteException.validation(
                "One or more parameter values were invalid: key condition value of " + valueLength +
                " bytes exceeds the key size limit of " + bytes.capacity() + " bytes");
        }
        type = KeyType.B;
        length = valueLength;
        bytes.putBytes(0, value, offset, valueLength);
        return this;
    }

    /**
     * Sets a value from its payload in Ferrite's key encoding (as found in item bytes).
     *
     * @param keyType the value's type.
     * @param payload the payload.
     * @param offset  where it starts.
     * @param payloadLength its length.
     * @return this.
     */
    public KeyValue payload(final KeyType keyType, final DirectBuffer payload, final int offset, final int payloadLength)
    {
        binary(payload, offset, payloadLength);
        type = keyType;
        return this;
    }

    /**
     * Forgets the value.
     */
    public void clear()
    {
        type = null;
        length = 0;
    }

    /**
     * @return the value's type, or null when unset.
     */
    public KeyType type()
    {
        return type;
    }

    /**
     * @return the payload bytes (valid for {@link #length()} bytes).
     */
    public DirectBuffer buffer()
    {
        return bytes;
    }

    /**
     * @return the payload's length.
     */
    public int length()
    {
        return length;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        if (null == type)
        {
            return "unset";
        }
        if (KeyType.N == type)
        {
            return "{N:" + DecimalCodec.toString(bytes, 0, length) + "}";
        }
        if (KeyType.S == type)
        {
            return "{S:" + KeyCodec.describe(bytes, 0, length) + "}";
        }
        return "{B:" + length + " bytes}";
    }
}
