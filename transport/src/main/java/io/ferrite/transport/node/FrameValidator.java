package io.ferrite.transport.node;

import io.ferrite.codecs.sbe.BatchGetItemRequestDecoder;
import io.ferrite.codecs.sbe.BatchWriteItemRequestDecoder;
import io.ferrite.codecs.sbe.ConnectRequestDecoder;
import io.ferrite.codecs.sbe.CreateTableRequestDecoder;
import io.ferrite.codecs.sbe.DeleteItemRequestDecoder;
import io.ferrite.codecs.sbe.DeleteTableRequestDecoder;
import io.ferrite.codecs.sbe.DescribeTableRequestDecoder;
import io.ferrite.codecs.sbe.DisconnectDecoder;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.codecs.sbe.GetItemRequestDecoder;
import io.ferrite.codecs.sbe.KeepAliveDecoder;
import io.ferrite.codecs.sbe.ListTablesRequestDecoder;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import io.ferrite.codecs.sbe.PutItemRequestDecoder;
import io.ferrite.codecs.sbe.QueryRequestDecoder;
import io.ferrite.codecs.sbe.ScanRequestDecoder;
import io.ferrite.codecs.sbe.UpdateItemRequestDecoder;
import io.ferrite.codecs.sbe.UpdateTableRequestDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Checks a request frame before the router acts on it: header (length, schema id, version, template id,
 * block length) and every var-data field and group of the message, so that nothing downstream reads past
 * the frame. Expression fields are checked for bounds here and compiled on the shard (decision 0010).
 * <p>
 * The frame is read through a view bounded to the frame's length, so a length field that points past the
 * frame fails here with the field's name, never later on a shard.
 * <p>
 * <b>Threading:</b> one per router thread. Allocation-free for a good frame; a bad one allocates its message.
 */
final class FrameValidator
{
    /**
     * CreateTableRequest's block before schema version 3 appended billingMode and the capacity units (the item
     * requests' version 2 blocks, before returnConsumedCapacity, are the literal lengths in {@link #walk}).
     */
    static final int CREATE_TABLE_V2_BLOCK_LENGTH = 16;

    /**
     * PutItem, DeleteItem and UpdateItem requests' block before schema version 4 appended
     * returnValuesOnConditionCheckFailure (version 2: 17 bytes, before returnConsumedCapacity).
     */
    static final int WRITE_V3_BLOCK_LENGTH = 18;

    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final ConnectRequestDecoder connect = new ConnectRequestDecoder();
    private final KeepAliveDecoder keepAlive = new KeepAliveDecoder();
    private final DisconnectDecoder disconnect = new DisconnectDecoder();
    private final CreateTableRequestDecoder createTable = new CreateTableRequestDecoder();
    private final DeleteTableRequestDecoder deleteTable = new DeleteTableRequestDecoder();
    private final DescribeTableRequestDecoder describeTable = new DescribeTableRequestDecoder();
    private final ListTablesRequestDecoder listTables = new ListTablesRequestDecoder();
    private final UpdateTableRequestDecoder updateTable = new UpdateTableRequestDecoder();
    private final PutItemRequestDecoder putItem = new PutItemRequestDecoder();
    private final GetItemRequestDecoder getItem = new GetItemRequestDecoder();
    private final DeleteItemRequestDecoder deleteItem = new DeleteItemRequestDecoder();
    private final UpdateItemRequestDecoder updateItem = new UpdateItemRequestDecoder();
    private final QueryRequestDecoder query = new QueryRequestDecoder();
    private final ScanRequestDecoder scan = new ScanRequestDecoder();
    private final BatchGetItemRequestDecoder batchGet = new BatchGetItemRequestDecoder();
    private final BatchWriteItemRequestDecoder batchWrite = new BatchWriteItemRequestDecoder();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);

    private int frameLength;
    private String messageName;
    private ErrorCode errorCode;
    private String errorMessage;
    private long correlationId;

    /**
     * Checks a whole frame.
     *
     * @param buffer       holding the frame.
     * @param offset       where it starts.
     * @param length       its length.
     * @param maxFrameBytes the node's limit.
     * @return true if the frame may be acted on; else {@link #errorCode()} and {@link #errorMessage()} say why.
     */
    boolean validate(final DirectBuffer buffer, final int offset, final int length, final int maxFrameBytes)
    {
        errorCode = null;
        errorMessage = null;
        correlationId = 0;
        frameLength = length;
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return fail(ErrorCode.SerializationException, "Frame of " + length + " bytes is shorter than the " +
                MessageHeaderDecoder.ENCODED_LENGTH + "-byte SBE message header");
        }
        header.wrap(buffer, offset);
        final int schemaId = header.schemaId();
        final int version = header.version();
        final int templateId = header.templateId();
        final int blockLength = header.blockLength();
        if (MessageHeaderDecoder.SCHEMA_ID == schemaId && length >= MessageHeaderDecoder.ENCODED_LENGTH + 8 &&
            blockLength >= 8 && isRequestWithCorrelationId(templateId))
        {
            correlationId = buffer.getLong(offset + MessageHeaderDecoder.ENCODED_LENGTH, java.nio.ByteOrder.LITTLE_ENDIAN);
        }
        if (length > maxFrameBytes)
        {
            return fail(ErrorCode.ValidationException, "Request of " + length + " bytes exceeds the node's maximum " +
                "frame size of " + maxFrameBytes + " bytes (ferrite.node.maxFrameBytes)");
        }
        if (MessageHeaderDecoder.SCHEMA_ID != schemaId)
        {
            return fail(ErrorCode.SerializationException, "Unknown schema id " + schemaId + ": the node speaks schema " +
                MessageHeaderDecoder.SCHEMA_ID);
        }
        if (version > MessageHeaderDecoder.SCHEMA_VERSION)
        {
            return fail(ErrorCode.SerializationException, "Schema version " + version + " is newer than the node's " +
                MessageHeaderDecoder.SCHEMA_VERSION + " (template id " + templateId + ")");
        }
        if (Operations.NONE == Operations.ofTemplate(templateId))
        {
            return fail(ErrorCode.SerializationException, "Unknown template id " + templateId + ": not a request the " +
                "node takes (schema " + schemaId + " version " + version + ")");
        }

        view.wrap(buffer, offset, length);
        final int body = MessageHeaderDecoder.ENCODED_LENGTH;
        try
        {
            return walk(templateId, body, blockLength, version);
        }
        catch (final IndexOutOfBoundsException | IllegalArgumentException ex)
        {
            return fail(ErrorCode.SerializationException, "Malformed " + messageName + " in a " + length + "-byte frame: " +
                ex.getMessage());
        }
    }

    private boolean walk(final int templateId, final int body, final int blockLength, final int version)
    {
        switch (templateId)
        {
            case ConnectRequestDecoder.TEMPLATE_ID:
                start("ConnectRequest", blockLength, ConnectRequestDecoder.BLOCK_LENGTH);
                connect.wrap(view, body, blockLength, version);
                connect.skipResponseChannel();
                return end(connect.limit());

            case KeepAliveDecoder.TEMPLATE_ID:
                start("KeepAlive", blockLength, KeepAliveDecoder.BLOCK_LENGTH);
                keepAlive.wrap(view, body, blockLength, version);
                return end(keepAlive.limit());

            case DisconnectDecoder.TEMPLATE_ID:
                start("Disconnect", blockLength, DisconnectDecoder.BLOCK_LENGTH);
                disconnect.wrap(view, body, blockLength, version);
                return end(disconnect.limit());

            case CreateTableRequestDecoder.TEMPLATE_ID:
            {
                // a version 2 frame ends its block before the capacity fields version 3 appended
                start("CreateTableRequest", blockLength, version < 3 ? CREATE_TABLE_V2_BLOCK_LENGTH :
                    CreateTableRequestDecoder.BLOCK_LENGTH);
                createTable.wrap(view, body, blockLength, version);
                final CreateTableRequestDecoder.KeySchemaDecoder keySchema = createTable.keySchema();
                while (keySchema.hasNext())
                {
                    keySchema.next();
                    var(createTable.limit(), keySchema.skipAttributeName(), createTable.limit(), "keySchema.attributeName");
                }
                var(createTable.limit(), createTable.skipTableName(), createTable.limit(), "tableName");
                return end(createTable.limit());
            }

            case DeleteTableRequestDecoder.TEMPLATE_ID:
                start("DeleteTableRequest", blockLength, DeleteTableRequestDecoder.BLOCK_LENGTH);
                deleteTable.wrap(view, body, blockLength, version);
                var(deleteTable.limit(), deleteTable.skipTableName(), deleteTable.limit(), "tableName");
                return end(deleteTable.limit());

            case DescribeTableRequestDecoder.TEMPLATE_ID:
                start("DescribeTableRequest", blockLength, DescribeTableRequestDecoder.BLOCK_LENGTH);
                describeTable.wrap(view, body, blockLength, version);
                var(describeTable.limit(), describeTable.skipTableName(), describeTable.limit(), "tableName");
                return end(describeTable.limit());

            case UpdateTableRequestDecoder.TEMPLATE_ID:
                start("UpdateTableRequest", blockLength, UpdateTableRequestDecoder.BLOCK_LENGTH);
                updateTable.wrap(view, body, blockLength, version);
                var(updateTable.limit(), updateTable.skipTableName(), updateTable.limit(), "tableName");
                return end(updateTable.limit());

            case ListTablesRequestDecoder.TEMPLATE_ID:
                start("ListTablesRequest", blockLength, ListTablesRequestDecoder.BLOCK_LENGTH);
                listTables.wrap(view, body, blockLength, version);
                var(listTables.limit(), listTables.skipExclusiveStartTableName(), listTables.limit(),
                    "exclusiveStartTableName");
                return end(listTables.limit());

            case PutItemRequestDecoder.TEMPLATE_ID:
            {
                start("PutItemRequest", blockLength, writeBlockLength(version, PutItemRequestDecoder.BLOCK_LENGTH));
                final PutItemRequestDecoder d = putItem.wrap(view, body, blockLength, version);
                var(d.limit(), d.skipTableName(), d.limit(), "tableName");
                var(d.limit(), d.skipItem(), d.limit(), "item");
                var(d.limit(), d.skipConditionExpression(), d.limit(), "conditionExpression");
                var(d.limit(), d.skipExpressionAttributeNames(), d.limit(), "expressionAttributeNames");
                var(d.limit(), d.skipExpressionAttributeValues(), d.limit(), "expressionAttributeValues");
                return end(d.limit());
            }

            case GetItemRequestDecoder.TEMPLATE_ID:
            {
                start("GetItemRequest", blockLength, version < 3 ? 17 : GetItemRequestDecoder.BLOCK_LENGTH);
                final GetItemRequestDecoder d = getItem.wrap(view, body, blockLength, version);
                var(d.limit(), d.skipTableName(), d.limit(), "tableName");
                var(d.limit(), d.skipKey(), d.limit(), "key");
                var(d.limit(), d.skipProjectionExpression(), d.limit(), "projectionExpression");
                var(d.limit(), d.skipExpressionAttributeNames(), d.limit(), "expressionAttributeNames");
                return end(d.limit());
            }

            case DeleteItemRequestDecoder.TEMPLATE_ID:
            {
                start("DeleteItemRequest", blockLength, writeBlockLength(version, DeleteItemRequestDecoder.BLOCK_LENGTH));
                final DeleteItemRequestDecoder d = deleteItem.wrap(view, body, blockLength, version);
                var(d.limit(), d.skipTableName(), d.limit(), "tableName");
                var(d.limit(), d.skipKey(), d.limit(), "key");
                var(d.limit(), d.skipConditionExpression(), d.limit(), "conditionExpression");
                var(d.limit(), d.skipExpressionAttributeNames(), d.limit(), "expressionAttributeNames");
                var(d.limit(), d.skipExpressionAttributeValues(), d.limit(), "expressionAttributeValues");
                return end(d.limit());
            }

            case UpdateItemRequestDecoder.TEMPLATE_ID:
            {
                start("UpdateItemRequest", blockLength, writeBlockLength(version, UpdateItemRequestDecoder.BLOCK_LENGTH));
                final UpdateItemRequestDecoder d = updateItem.wrap(view, body, blockLength, version);
                var(d.limit(), d.skipTableName(), d.limit(), "tableName");
                var(d.limit(), d.skipKey(), d.limit(), "key");
                var(d.limit(), d.skipSetAttributes(), d.limit(), "setAttributes");
                var(d.limit(), d.skipRemoveAttributes(), d.limit(), "removeAttributes");
                var(d.limit(), d.skipUpdateExpression(), d.limit(), "updateExpression");
                var(d.limit(), d.skipConditionExpression(), d.limit(), "conditionExpression");
                var(d.limit(), d.skipExpressionAttributeNames(), d.limit(), "expressionAttributeNames");
                var(d.limit(), d.skipExpressionAttributeValues(), d.limit(), "expressionAttributeValues");
                return end(d.limit());
            }

            case QueryRequestDecoder.TEMPLATE_ID:
            {
                start("QueryRequest", blockLength, version < 3 ? 23 : QueryRequestDecoder.BLOCK_LENGTH);
                final QueryRequestDecoder d = query.wrap(view, body, blockLength, version);
                var(d.limit(), d.skipTableName(), d.limit(), "tableName");
                var(d.limit(), d.skipPartitionKeyValue(), d.limit(), "partitionKeyValue");
                var(d.limit(), d.skipSortKeyValue(), d.limit(), "sortKeyValue");
                var(d.limit(), d.skipSortKeyUpper(), d.limit(), "sortKeyUpper");
                var(d.limit(), d.skipExclusiveStartKey(), d.limit(), "exclusiveStartKey");
                var(d.limit(), d.skipKeyConditionExpression(), d.limit(), "keyConditionExpression");
                var(d.limit(), d.skipFilterExpression(), d.limit(), "filterExpression");
                var(d.limit(), d.skipProjectionExpression(), d.limit(), "projectionExpression");
                var(d.limit(), d.skipExpressionAttributeNames(), d.limit(), "expressionAttributeNames");
                var(d.limit(), d.skipExpressionAttributeValues(), d.limit(), "expressionAttributeValues");
                return end(d.limit());
            }

            case ScanRequestDecoder.TEMPLATE_ID:
            {
                start("ScanRequest", blockLength, version < 3 ? 29 : ScanRequestDecoder.BLOCK_LENGTH);
                final ScanRequestDecoder d = scan.wrap(view, body, blockLength, version);
                var(d.limit(), d.skipTableName(), d.limit(), "tableName");
                var(d.limit(), d.skipExclusiveStartKey(), d.limit(), "exclusiveStartKey");
                var(d.limit(), d.skipFilterExpression(), d.limit(), "filterExpression");
                var(d.limit(), d.skipProjectionExpression(), d.limit(), "projectionExpression");
                var(d.limit(), d.skipExpressionAttributeNames(), d.limit(), "expressionAttributeNames");
                var(d.limit(), d.skipExpressionAttributeValues(), d.limit(), "expressionAttributeValues");
                return end(d.limit());
            }

            case BatchGetItemRequestDecoder.TEMPLATE_ID:
            {
                start("BatchGetItemRequest", blockLength, BatchGetItemRequestDecoder.BLOCK_LENGTH);
                final BatchGetItemRequestDecoder d = batchGet.wrap(view, body, blockLength, version);
                final BatchGetItemRequestDecoder.TablesDecoder tables = d.tables();
                while (tables.hasNext())
                {
                    tables.next();
                    final BatchGetItemRequestDecoder.TablesDecoder.KeysDecoder keys = tables.keys();
                    while (keys.hasNext())
                    {
                        keys.next();
                        var(d.limit(), keys.skipKey(), d.limit(), "tables.keys.key");
                    }
                    var(d.limit(), tables.skipTableName(), d.limit(), "tables.tableName");
                    var(d.limit(), tables.skipProjectionExpression(), d.limit(), "tables.projectionExpression");
                    var(d.limit(), tables.skipExpressionAttributeNames(), d.limit(), "tables.expressionAttributeNames");
                }
                return end(d.limit());
            }

            case BatchWriteItemRequestDecoder.TEMPLATE_ID:
            {
                start("BatchWriteItemRequest", blockLength, BatchWriteItemRequestDecoder.BLOCK_LENGTH);
                final BatchWriteItemRequestDecoder d = batchWrite.wrap(view, body, blockLength, version);
                final BatchWriteItemRequestDecoder.TablesDecoder tables = d.tables();
                while (tables.hasNext())
                {
                    tables.next();
                    final BatchWriteItemRequestDecoder.TablesDecoder.WritesDecoder writes = tables.writes();
                    while (writes.hasNext())
                    {
                        writes.next();
                        var(d.limit(), writes.skipItemOrKey(), d.limit(), "tables.writes.itemOrKey");
                    }
                    var(d.limit(), tables.skipTableName(), d.limit(), "tables.tableName");
                }
                return end(d.limit());
            }

            default:
                return fail(ErrorCode.SerializationException, "Unknown template id " + templateId);
        }
    }

    private void start(final String name, final int blockLength, final int expectedBlockLength)
    {
        messageName = name;
        if (blockLength < expectedBlockLength)
        {
            throw new IllegalArgumentException("block length " + blockLength + " is shorter than the " +
                expectedBlockLength + " bytes of " + name + "'s fields");
        }
        if (MessageHeaderDecoder.ENCODED_LENGTH + blockLength > frameLength)
        {
            throw new IndexOutOfBoundsException("block length " + blockLength + " runs past the end of the frame");
        }
    }

    /**
     * Checks where a var-data field left the decoder: the arguments are evaluated in order, so
     * {@code before} is the limit before the skip and {@code after} the limit after it.
     */
    private int var(final int before, final int length, final int after, final String field)
    {
        if (length < 0 || after < before || after > frameLength)
        {
            throw new IndexOutOfBoundsException("var-data field " + field + " of length " +
                Integer.toUnsignedString(length) + " at offset " + before + " runs past the end of the frame");
        }
        return length;
    }

    private boolean end(final int limit)
    {
        if (limit > frameLength)
        {
            throw new IndexOutOfBoundsException("message ends at " + limit);
        }
        return true;
    }

    private static int writeBlockLength(final int version, final int current)
    {
        return version < 3 ? 17 : version < 4 ? WRITE_V3_BLOCK_LENGTH : current;
    }

    private boolean fail(final ErrorCode code, final String message)
    {
        errorCode = code;
        errorMessage = message;
        return false;
    }

    private static boolean isRequestWithCorrelationId(final int templateId)
    {
        final int operation = Operations.ofTemplate(templateId);
        return Operations.NONE != operation && Operations.KEEP_ALIVE != operation && Operations.DISCONNECT != operation;
    }

    ErrorCode errorCode()
    {
        return errorCode;
    }

    String errorMessage()
    {
        return errorMessage;
    }

    /**
     * @return the correlation id of the last frame checked, if it could be read, else 0.
     */
    long correlationId()
    {
        return correlationId;
    }
}
