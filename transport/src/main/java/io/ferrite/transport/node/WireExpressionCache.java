package io.ferrite.transport.node;

import io.ferrite.codecs.key.KeyHash;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * A bounded cache from the raw bytes of a request's expression fields (decision 0010) to what was compiled from
 * them, so that a request repeating an expression finds its compiled form without decoding a string or a map:
 * the caller builds the key ({@link #begin}, {@link #append}), then {@link #find}s, and on a miss compiles and
 * {@link #put}s. Direct mapped (the slot is the key's xxh64 modulo the capacity): a colliding key replaces the
 * entry, which only costs a compile.
 * <p>
 * <b>Threading:</b> one owner thread. A hit allocates nothing; a miss copies the key once ({@link #put}).
 *
 * @param <T> what is cached.
 */
final class WireExpressionCache<T>
{
    private final ExpandableArrayBuffer key = new ExpandableArrayBuffer(512);
    private final long[] hashes;
    private final byte[][] keys;
    private final Object[] values;
    private final int mask;
    private int keyLength;
    private long keyHash;

    /**
     * @param capacity entries kept (rounded up to a power of two).
     */
    WireExpressionCache(final int capacity)
    {
        final int size = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
        hashes = new long[size];
        keys = new byte[size][];
        values = new Object[size];
        mask = size - 1;
    }

    /**
     * Starts a key.
     *
     * @param kind which request (or use) the fields belong to.
     * @return this.
     */
    WireExpressionCache<T> begin(final int kind)
    {
        key.putInt(0, kind);
        keyLength = 4;
        return this;
    }

    /**
     * Appends a field: its length (-1 for a field the request does not have) and bytes.
     *
     * @param field the field's bytes (the whole buffer's capacity), or null.
     * @return this.
     */
    WireExpressionCache<T> append(final DirectBuffer field)
    {
        final int length = null == field ? -1 : field.capacity();
        key.putInt(keyLength, length);
        keyLength += 4;
        if (length > 0)
        {
            key.putBytes(keyLength, field, 0, length);
            keyLength += length;
        }
        return this;
    }

    /**
     * Appends bytes: their length and the bytes.
     *
     * @param bytes what to append.
     * @return this.
     */
    WireExpressionCache<T> append(final byte[] bytes)
    {
        key.putInt(keyLength, bytes.length);
        keyLength += 4;
        key.putBytes(keyLength, bytes);
        keyLength += bytes.length;
        return this;
    }

    /**
     * @return the cached value of the key built since {@link #begin}, or null.
     */
    @SuppressWarnings("unchecked")
    T find()
    {
        keyHash = KeyHash.xxh64(key, 0, keyLength, 0);
        final int slot = (int)keyHash & mask;
        final byte[] cached = keys[slot];
        if (null == cached || hashes[slot] != keyHash || cached.length != keyLength)
        {
            return null;
        }
        for (int i = 0; i < keyLength; i++)
        {
            if (cached[i] != key.getByte(i))
            {
                return null;
            }
        }
        return (T)values[slot];
    }

    /**
     * Caches a value under the key last looked up with {@link #find}.
     *
     * @param value what to keep.
     */
    void put(final T value)
    {
        final int slot = (int)keyHash & mask;
        final byte[] copy = new byte[keyLength];
        key.getBytes(0, copy);
        hashes[slot] = keyHash;
        keys[slot] = copy;
        values[slot] = value;
    }
}
