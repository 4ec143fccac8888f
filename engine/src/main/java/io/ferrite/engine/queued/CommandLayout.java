package io.ferrite.engine.queued;

/**
 * The layout of the commands that clients write into the shard's command ring (an Agrona
 * {@code ManyToOneRingBuffer}); the ring's record header carries the message type and the length, so a
 * command is only its body. Integers are little-endian; the ring never leaves the process, so there is no
 * schema version: a change here changes client and agent together.
 * <p>
 * Every command starts with the same 16 bytes:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                   Correlation Id (int64)                      |
 *  |                   chosen by the client, echoed                |
 *  +---------------------------------------------------------------+
 *  |                   Client Id (int32)                           |
 *  +---------------------------------------------------------------+
 *  |                   Table Id (int32), see TableRegistry         |
 *  +---------------------------------------------------------------+
 * </pre>
 * {@link #GET_ITEM}, {@link #PUT_ITEM}, {@link #DELETE_ITEM}: one item or key follows.
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                   common header (16 bytes)                   ...
 *  +---------------+-----------------------------------------------+
 *  | ReturnValues  |                   padding                     |
 *  +---------------+-----------------------------------------------+
 *  |                   Item Length (int32)                         |
 *  +---------------------------------------------------------------+
 *  |                   item bytes (PUT) or key item bytes         ...
 *  +---------------------------------------------------------------+
 * </pre>
 * {@link #UPDATE_ITEM} (attribute-level: set and remove whole attributes, see
 * {@link io.ferrite.engine.shard.AttributeUpdates}):
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                   common header (16 bytes)                   ...
 *  +---------------+-----------------------------------------------+
 *  | ReturnValues  |                   padding                     |
 *  +---------------+-----------------------------------------------+
 *  |                   Key Length (int32)                          |
 *  +---------------------------------------------------------------+
 *  |                   Sets Length (int32)                         |
 *  +---------------------------------------------------------------+
 *  |                   Removes Length (int32)                      |
 *  +---------------------------------------------------------------+
 *  |          key item | item of attributes to set | item of names ...
 *  +---------------------------------------------------------------+
 * </pre>
 * {@link #QUERY}: the fields of a {@link io.ferrite.engine.shard.QueryRequest}. Types are
 * {@code KeyType.ordinal() + 1}, 0 for unset; the condition is {@code SortKeyCondition.ordinal()}.
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                   common header (16 bytes)                   ...
 *  +---------------------------------------------------------------+
 *  |                   Limit (int32), 0 = none                     |
 *  +---------------+---------------+---------------+---------------+
 *  |   Condition   |   Forward     |   PK Type     |   SK Type     |
 *  +---------------+---------------+---------------+---------------+
 *  | SK Upper Type |                   padding                     |
 *  +---------------+-----------------------------------------------+
 *  |                   PK Length (int32)                           |
 *  +---------------------------------------------------------------+
 *  |                   SK Length (int32)                           |
 *  +---------------------------------------------------------------+
 *  |                   SK Upper Length (int32)                     |
 *  +---------------------------------------------------------------+
 *  |                   Exclusive Start Key Length (int32)          |
 *  +---------------------------------------------------------------+
 *  |  PK payload | SK payload | SK upper payload | start key item  ...
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class CommandLayout
{
    /** GetItem: a key item. */
    static final int GET_ITEM = 1;
    /** PutItem: an item. */
    static final int PUT_ITEM = 2;
    /** DeleteItem: a key item. */
    static final int DELETE_ITEM = 3;
    /** UpdateItem with attribute updates. */
    static final int UPDATE_ITEM = 4;
    /** Query: one page. */
    static final int QUERY = 5;

    static final int CORRELATION_ID_OFFSET = 0;
    static final int CLIENT_ID_OFFSET = 8;
    static final int TABLE_ID_OFFSET = 12;
    static final int HEADER_LENGTH = 16;

    static final int RETURN_VALUES_OFFSET = HEADER_LENGTH;
    static final int ITEM_LENGTH_OFFSET = HEADER_LENGTH + 4;
    static final int ITEM_OFFSET = HEADER_LENGTH + 8;

    static final int UPDATE_KEY_LENGTH_OFFSET = HEADER_LENGTH + 4;
    static final int UPDATE_SETS_LENGTH_OFFSET = HEADER_LENGTH + 8;
    static final int UPDATE_REMOVES_LENGTH_OFFSET = HEADER_LENGTH + 12;
    static final int UPDATE_BYTES_OFFSET = HEADER_LENGTH + 16;

    static final int QUERY_LIMIT_OFFSET = HEADER_LENGTH;
    static final int QUERY_CONDITION_OFFSET = HEADER_LENGTH + 4;
    static final int QUERY_FORWARD_OFFSET = HEADER_LENGTH + 5;
    static final int QUERY_PK_TYPE_OFFSET = HEADER_LENGTH + 6;
    static final int QUERY_SK_TYPE_OFFSET = HEADER_LENGTH + 7;
    static final int QUERY_SK_UPPER_TYPE_OFFSET = HEADER_LENGTH + 8;
    static final int QUERY_PK_LENGTH_OFFSET = HEADER_LENGTH + 12;
    static final int QUERY_SK_LENGTH_OFFSET = HEADER_LENGTH + 16;
    static final int QUERY_SK_UPPER_LENGTH_OFFSET = HEADER_LENGTH + 20;
    static final int QUERY_START_KEY_LENGTH_OFFSET = HEADER_LENGTH + 24;
    static final int QUERY_BYTES_OFFSET = HEADER_LENGTH + 28;

    private CommandLayout()
    {
    }
}
