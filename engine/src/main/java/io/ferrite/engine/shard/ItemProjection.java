package io.ferrite.engine.shard;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Which parts of an item a read returns: the seam through which ProjectionExpression plugs into GetItem,
 * Query, Scan and BatchGetItem. Called on the shard thread; must not allocate in steady state.
 */
@FunctionalInterface
public interface ItemProjection
{
    /**
     * Writes the projected item.
     *
     * @param item      the whole item.
     * @param offset    where it starts.
     * @param length    its length.
     * @param dst       where to write the projected item (room for at least {@code length} bytes plus the
     *                  item header is guaranteed: a projection is never larger than the item).
     * @param dstOffset where to start.
     * @return the projected item's length.
     */
    int project(DirectBuffer item, int offset, int length, MutableDirectBuffer dst, int dstOffset);
}
