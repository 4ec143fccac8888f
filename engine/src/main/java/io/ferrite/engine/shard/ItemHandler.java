package io.ferrite.engine.shard;

import org.agrona.DirectBuffer;

/**
 * Receives one item (or key) as canonical item bytes. The bytes are valid only during the call: copy
 * what you keep. Called on the shard thread.
 * <p>
 * A handler must not call the shard that called it (to read or write another item, say): the bytes it reads are
 * the shard's stored item or scratch buffers, which the inner call would change under it, so the shard refuses such
 * a call with an IllegalStateException. Copy what is needed and make the call after the operation returns.
 * <p>
 * An exception thrown by a handler propagates to the caller of the operation and leaves the shard consistent. A
 * write (PutItem, DeleteItem, UpdateItem) calls its handler after the write was logged and applied, so the write
 * stands although the call threw: do not retry it as if it had failed (an UpdateItem that adds would add twice).
 */
@FunctionalInterface
public interface ItemHandler
{
    /**
     * @param buffer holding the item bytes.
     * @param offset where they start.
     * @param length how many there are.
     */
    void onItem(DirectBuffer buffer, int offset, int length);
}
