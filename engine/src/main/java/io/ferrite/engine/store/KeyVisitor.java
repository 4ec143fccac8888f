package io.ferrite.engine.store;

import org.agrona.DirectBuffer;

/**
 * Receives each key of a {@link ItemStore} during {@link ItemStore#forEachKey(KeyVisitor)}.
 * <p>
 * Called on the thread that called {@code forEachKey}. The buffer is a view of the map's memory, valid only
 * for the duration of the call: copy what must be kept. The visitor must not call back into the store.
 */
@FunctionalInterface
public interface KeyVisitor
{
    /**
     * One live key.
     *
     * @param key         buffer holding the key bytes.
     * @param off         offset of the key in {@code key}.
     * @param len         length of the key in bytes.
     * @param valueLength length of the value stored under the key in bytes.
     */
    void onKey(DirectBuffer key, int off, int len, int valueLength);
}
