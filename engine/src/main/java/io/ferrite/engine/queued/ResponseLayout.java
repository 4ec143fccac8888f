package io.ferrite.engine.queued;

import io.ferrite.codecs.sbe.ErrorCode;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * The layout of a completion in a client's response ring (an Agrona {@code OneToOneRingBuffer}, written by
 * the shard thread, read by the client). The ring record's message type echoes the command's type. Integers
 * are little-endian. A {@link ResponseHandler} is handed the body, after the 12-byte header:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                   Correlation Id (int64)                      |
 *  |                                                               |
 *  +-------------------------------+-------------------------------+
 *  |   Error Code (uint16, SBE)    |           reserved            |
 *  +-------------------------------+-------------------------------+
 *  |                   body                                       ...
 *  +---------------------------------------------------------------+
 * </pre>
 * The body by outcome:
 * <ul>
 *   <li>error (code other than OK): the message, UTF-8 (see {@link #message}).</li>
 *   <li>GetItem: the item bytes; empty when there is no item.</li>
 *   <li>PutItem, DeleteItem, UpdateItem: the attributes ReturnValues asked for, as item bytes; empty for
 *   NONE or when there was nothing to return.</li>
 *   <li>Query: a page, read with {@link QueryPage}:</li>
 * </ul>
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                   Count (int32): items in the page            |
 *  +---------------------------------------------------------------+
 *  |        LastEvaluatedKey Length (int32), 0 = no more pages     |
 *  +---------------------------------------------------------------+
 *  |                   Item Length (int32)                         |  repeated
 *  +---------------------------------------------------------------+  Count
 *  |                   item bytes                                 ...  times
 *  +---------------------------------------------------------------+
 *  |                   LastEvaluatedKey: key item bytes           ...  at the end
 *  +---------------------------------------------------------------+
 * </pre>
 * The LastEvaluatedKey sits at the end because the agent knows it only after the last item.
 */
public final class ResponseLayout
{
    static final int CORRELATION_ID_OFFSET = 0;
    static final int ERROR_CODE_OFFSET = 8;
    /** Bytes before the body. */
    public static final int HEADER_LENGTH = 12;

    static final int PAGE_COUNT_OFFSET = 0;
    static final int PAGE_LAST_KEY_LENGTH_OFFSET = 4;
    static final int PAGE_ITEMS_OFFSET = 8;
    static final int PAGE_ITEM_LENGTH_LENGTH = 4;

    private ResponseLayout()
    {
    }

    /**
     * Decodes an error completion's message (allocates: error path only).
     *
     * @param code   the error code delivered with it.
     * @param buffer the body's buffer.
     * @param offset where the body starts.
     * @param length its length.
     * @return the message, or "" for OK.
     */
    public static String message(final ErrorCode code, final DirectBuffer buffer, final int offset, final int length)
    {
        if (ErrorCode.OK == code || 0 == length)
        {
            return "";
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
