package io.ferrite.engine.shard;

import org.agrona.DirectBuffer;

/**
 * Receives one item (or key) as canonical item bytes. The bytes are valid only during the call: copy
 * what you keep. Called on the shard thread.
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
