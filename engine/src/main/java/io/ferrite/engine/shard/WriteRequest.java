package io.ferrite.engine.shard;

/**
 * One write of a BatchWriteItem: a put of a whole item, or a delete by key (both as item bytes).
 *
 * @param put   true for a put, false for a delete.
 * @param bytes the item (put) or the key (delete).
 */
public record WriteRequest(boolean put, byte[] bytes)
{
    /**
     * @param item the item bytes.
     * @return a put request.
     */
    public static WriteRequest put(final byte[] item)
    {
        return new WriteRequest(true, item);
    }

    /**
     * @param key the key item bytes.
     * @return a delete request.
     */
    public static WriteRequest delete(final byte[] key)
    {
        return new WriteRequest(false, key);
    }
}
