package io.ferrite.transport.client;

import io.ferrite.codecs.sbe.BatchGetItemResponseDecoder;
import io.ferrite.codecs.sbe.BatchWriteItemResponseDecoder;
import io.ferrite.codecs.sbe.ConnectResponseDecoder;
import io.ferrite.codecs.sbe.ErrorResponseDecoder;
import io.ferrite.codecs.sbe.ItemResponseDecoder;
import io.ferrite.codecs.sbe.ItemsPageResponseDecoder;
import io.ferrite.codecs.sbe.ListTablesResponseDecoder;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import io.ferrite.codecs.sbe.TableDescriptionResponseDecoder;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Checks a response frame before the client decodes it: the SBE header, the correlation id, the block, and every
 * var-data and group length of the messages the client reads itself (ItemResponse, ItemsPageResponse,
 * ErrorResponse, ConnectResponse), so that a frame cut short or garbled fails its request at once instead of being
 * read past its end. Messages handed whole to {@link ResponseHandler#onResponse} are checked up to their block; their
 * groups are the reader's to decode. Owner thread only; allocates nothing unless a frame is bad (the description).
 */
final class ResponseCheck
{
    static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int CORRELATION_ID_END = Long.BYTES;
    private static final int VAR_LENGTH_HEADER = 4;
    private static final int GROUP_HEADER = 4;

    private static final int OK = 0;
    private static final int SHORTER_THAN_HEADER = 1;
    private static final int OTHER_SCHEMA = 2;
    private static final int NO_CORRELATION_ID = 3;
    private static final int BLOCK_PAST_END = 4;
    private static final int BLOCK_TOO_SHORT = 5;
    private static final int VAR_PAST_END = 6;
    private static final int GROUP_PAST_END = 7;

    private int problem;
    private int frameLength;
    private int schemaId;
    private int templateId;
    private int blockLength;
    private int expected;
    private long value;
    private String field;

    /**
     * @param buffer holding the frame.
     * @param offset where it starts.
     * @param length its length.
     * @return true when the frame's correlation id can be read (it is a response of this schema with at least a
     *     correlation id in its block); then {@link #check} says whether the rest can be.
     */
    boolean hasCorrelationId(final DirectBuffer buffer, final int offset, final int length)
    {
        frameLength = length;
        templateId = -1;
        field = null;
        if (length < HEADER_LENGTH)
        {
            return fail(SHORTER_THAN_HEADER);
        }
        schemaId = buffer.getShort(offset + 4, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        templateId = buffer.getShort(offset + 2, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        blockLength = buffer.getShort(offset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        if (MessageHeaderDecoder.SCHEMA_ID != schemaId)
        {
            return fail(OTHER_SCHEMA);
        }
        if (blockLength < CORRELATION_ID_END || length < HEADER_LENGTH + CORRELATION_ID_END)
        {
            return fail(NO_CORRELATION_ID);
        }
        problem = OK;
        return true;
    }

    /**
     * Checks the frame {@link #hasCorrelationId} accepted, for its template and version.
     *
     * @return true when the client may decode it; else {@link #describe()} says what is wrong.
     */
    boolean check(final DirectBuffer buffer, final int offset, final int length, final int version)
    {
        final int end = offset + length;
        if (HEADER_LENGTH + blockLength > length)
        {
            return fail(BLOCK_PAST_END);
        }
        int limit = offset + HEADER_LENGTH + blockLength;
        switch (templateId)
        {
            case ItemResponseDecoder.TEMPLATE_ID:
                if (!block(version < 3 ? ItemResponseDecoder.foundEncodingOffset() +
                    ItemResponseDecoder.foundEncodingLength() : ItemResponseDecoder.BLOCK_LENGTH))
                {
                    return false;
                }
                return varData(buffer, limit, end, "item") >= 0;

            case ErrorResponseDecoder.TEMPLATE_ID:
                if (!block(ErrorResponseDecoder.BLOCK_LENGTH))
                {
                    return false;
                }
                limit = varData(buffer, limit, end, "message");
                return limit >= 0 && (version < 4 || varData(buffer, limit, end, "item") >= 0);

            case ItemsPageResponseDecoder.TEMPLATE_ID:
            {
                if (!block(version < 3 ? ItemsPageResponseDecoder.scannedCountEncodingOffset() +
                    ItemsPageResponseDecoder.scannedCountEncodingLength() : ItemsPageResponseDecoder.BLOCK_LENGTH))
                {
                    return false;
                }
                if (limit + GROUP_HEADER > end)
                {
                    field = "items";
                    return fail(GROUP_PAST_END);
                }
                final int itemBlockLength = buffer.getShort(limit, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
                final int count = buffer.getShort(limit + 2, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
                limit += GROUP_HEADER;
                for (int i = 0; i < count; i++)
                {
                    if (limit + itemBlockLength > end)
                    {
                        field = "items";
                        value = count;
                        return fail(GROUP_PAST_END);
                    }
                    limit = varData(buffer, limit + itemBlockLength, end, "items.item");
                    if (limit < 0)
                    {
                        return false;
                    }
                }
                return varData(buffer, limit, end, "lastEvaluatedKey") >= 0;
            }

            case ConnectResponseDecoder.TEMPLATE_ID:
                return block(ConnectResponseDecoder.BLOCK_LENGTH);

            case TableDescriptionResponseDecoder.TEMPLATE_ID:
            case ListTablesResponseDecoder.TEMPLATE_ID:
            case BatchGetItemResponseDecoder.TEMPLATE_ID:
            case BatchWriteItemResponseDecoder.TEMPLATE_ID:
            default:
                return true; // handed over whole (or an unknown template, which the client reports as such)
        }
    }

    private boolean block(final int expectedBlockLength)
    {
        if (blockLength < expectedBlockLength)
        {
            expected = expectedBlockLength;
            return fail(BLOCK_TOO_SHORT);
        }
        return true;
    }

    /**
     * @return where the var-data field at {@code limit} ends, or -1 (and the problem recorded) when it runs past the end.
     */
    private int varData(final DirectBuffer buffer, final int limit, final int end, final String name)
    {
        if (limit + VAR_LENGTH_HEADER > end)
        {
            field = name;
            value = -1;
            fail(VAR_PAST_END);
            return -1;
        }
        final long length = buffer.getInt(limit, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        if (limit + VAR_LENGTH_HEADER + length > end)
        {
            field = name;
            value = length;
            fail(VAR_PAST_END);
            return -1;
        }
        return limit + VAR_LENGTH_HEADER + (int)length;
    }

    private boolean fail(final int problem)
    {
        this.problem = problem;
        return false;
    }

    /**
     * @return what was wrong with the last frame that failed a check, naming the values (allocates).
     */
    String describe()
    {
        final String frame = "a " + frameLength + "-byte response frame";
        final String message = "template id " + templateId;
        switch (problem)
        {
            case SHORTER_THAN_HEADER:
                return frame + " is shorter than the " + HEADER_LENGTH + "-byte SBE message header";
            case OTHER_SCHEMA:
                return frame + " has schema id " + schemaId + ", not Ferrite's " + MessageHeaderDecoder.SCHEMA_ID;
            case NO_CORRELATION_ID:
                return frame + " (" + message + ", block length " + blockLength + ") is too short to hold a " +
                    "correlation id";
            case BLOCK_PAST_END:
                return frame + " (" + message + ") is cut short: its block length " + blockLength +
                    " runs past the end of the frame";
            case BLOCK_TOO_SHORT:
                return frame + " (" + message + ") has a block length of " + blockLength + ", shorter than the " +
                    expected + " bytes of its fields";
            case VAR_PAST_END:
                return frame + " (" + message + ") is cut short or garbled: var-data field " + field +
                    (value < 0 ? "'s length header" : " of length " + value) + " runs past the end of the frame";
            case GROUP_PAST_END:
                return frame + " (" + message + ") is cut short or garbled: group " + field +
                    " runs past the end of the frame";
            default:
                return frame + " (" + message + ") is well formed";
        }
    }
}
