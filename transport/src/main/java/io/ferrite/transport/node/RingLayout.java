package io.ferrite.transport.node;

/**
 * Layout of the messages between the router and the shard loops (Agrona ring buffers).
 * <p>
 * Router to shard (one one-to-one ring per shard); the message type says what the shard does with the
 * request frame that follows the header:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                    session token (long)                       |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |             received at, System.nanoTime (long)               |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |               gather id (long), 0 when none                   |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     session slot (int)                        |
 *  +---------------------------------------------------------------+
 *  |                       route id (int)                          |
 *  +---------------------------------------------------------------+
 *  |          last shard of a Scan's walk (int)                    |
 *  +---------------------------------------------------------------+
 *  |                         flags (int)                           |
 *  +---------------------------------------------------------------+
 *  |      a Scan page's bytes read on earlier shards (long)        |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |    a Scan page's items evaluated on earlier shards (int)      |
 *  +---------------------------------------------------------------+
 *  |                      (padding, int)                           |
 *  +---------------------------------------------------------------+
 *  |         the client's SBE frame (header + message) ...        ...
 *  +---------------------------------------------------------------+
 * </pre>
 * The two Scan fields are 0 as the router sends a request; a Scan page that walks on from a shard that found nothing
 * for it carries in them what the shards before read, so that the page's Limit, 1 MB, ScannedCount and
 * ConsumedCapacity are those of the whole page.
 * <p>
 * Shard to router (one many-to-one ring): {@link #REPLY_GATHER} carries the same header followed by an
 * SBE frame (the shard's part of a scatter-gather answer, or an ErrorResponse); {@link #REPLY_SCAN_NEXT}
 * carries a Scan message to send on to the next shard; {@link #REPLY_CLOSE_SESSION} asks the router to
 * close a session whose response publication stayed back-pressured.
 */
final class RingLayout
{
    static final int TOKEN_OFFSET = 0;
    static final int RECEIVED_NS_OFFSET = 8;
    static final int GATHER_ID_OFFSET = 16;
    static final int SLOT_OFFSET = 24;
    static final int ROUTE_ID_OFFSET = 28;
    static final int SCAN_LAST_SHARD_OFFSET = 32;
    static final int FLAGS_OFFSET = 36;
    static final int SCAN_BYTES_READ_OFFSET = 40;
    static final int SCAN_ITEMS_EVALUATED_OFFSET = 48;
    static final int HEADER_LENGTH = 56;

    /** Flag: a Scan continuing on a later shard starts at the shard's first item, ignoring ExclusiveStartKey. */
    static final int FLAG_IGNORE_START_KEY = 1;

    /** A single-shard request (Get, Put, Delete, UpdateItem, Query): the shard answers the client. */
    static final int OP_DIRECT = 1;
    /** A Scan: the shard answers the client, or hands the Scan back to go on to the next shard. */
    static final int OP_SCAN = 2;
    /** A part of a scatter-gather request (tables, batches): the shard replies to the router. */
    static final int OP_GATHER = 3;

    static final int REPLY_GATHER = 11;
    static final int REPLY_SCAN_NEXT = 12;
    static final int REPLY_CLOSE_SESSION = 13;

    private RingLayout()
    {
    }
}
