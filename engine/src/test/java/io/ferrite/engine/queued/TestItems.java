package io.ferrite.engine.queued;

import io.ferrite.codecs.item.ItemWriter;
import org.agrona.MutableDirectBuffer;

/**
 * Test helper: builds items of table "items" (pk S, sk N) into a caller's buffer without allocating.
 */
final class TestItems
{
    private final ItemWriter writer = new ItemWriter(64 * 1024);

    int item(final MutableDirectBuffer dst, final String pk, final long sk, final CharSequence value)
    {
        return writer.reset().string("pk", pk).number("sk", sk).string("v", value).finish(dst, 0);
    }

    int key(final MutableDirectBuffer dst, final String pk, final long sk)
    {
        return writer.reset().string("pk", pk).number("sk", sk).finish(dst, 0);
    }
}
