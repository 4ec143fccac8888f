package io.ferrite.transport.node;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.sbe.BatchGetItemRequestEncoder;
import io.ferrite.codecs.sbe.BatchGetItemResponseDecoder;
import io.ferrite.codecs.sbe.BatchWriteItemRequestEncoder;
import io.ferrite.codecs.sbe.BatchWriteItemResponseDecoder;
import io.ferrite.codecs.sbe.BooleanType;
import io.ferrite.codecs.sbe.ConnectRequestEncoder;
import io.ferrite.codecs.sbe.ConnectResponseDecoder;
import io.ferrite.codecs.sbe.CreateTableRequestEncoder;
import io.ferrite.codecs.sbe.DeleteItemRequestEncoder;
import io.ferrite.codecs.sbe.DeleteTableRequestEncoder;
import io.ferrite.codecs.sbe.DescribeTableRequestEncoder;
import io.ferrite.codecs.sbe.DisconnectEncoder;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.codecs.sbe.ErrorResponseDecoder;
import io.ferrite.codecs.sbe.GetItemRequestEncoder;
import io.ferrite.codecs.sbe.ItemResponseDecoder;
import io.ferrite.codecs.sbe.ItemsPageResponseDecoder;
import io.ferrite.codecs.sbe.KeepAliveEncoder;
import io.ferrite.codecs.sbe.KeyRole;
import io.ferrite.codecs.sbe.ListTablesRequestEncoder;
import io.ferrite.codecs.sbe.ListTablesResponseDecoder;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import io.ferrite.codecs.sbe.PutItemRequestEncoder;
import io.ferrite.codecs.sbe.QueryRequestEncoder;
import io.ferrite.codecs.sbe.ReturnValuesType;
import io.ferrite.codecs.sbe.ScanRequestEncoder;
import io.ferrite.codecs.sbe.SortKeyConditionType;
import io.ferrite.codecs.sbe.TableDescriptionResponseDecoder;
import io.ferrite.codecs.sbe.UpdateItemRequestEncoder;
import io.ferrite.codecs.sbe.WriteOp;
import io.ferrite.codecs.sbe.AttributeType;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Test-side raw session: speaks protocol 0004 with hand-encoded SBE frames on an Aeron publication and
 * collects responses by correlation id. Not the client library (that is another component); just enough
 * to drive a node from tests, including sending frames no client would send.
 * <p>
 * Threading: one test thread.
 */
final class RawSession implements AutoCloseable
{
    static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    final ExclusivePublication publication;
    final Subscription subscription;
    final String responseChannel;
    final int responseStreamId;
    final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4 * 1024 * 1024));
    final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final Long2ObjectHashMap<byte[]> responses = new Long2ObjectHashMap<>();
    private final List<byte[]> uncorrelated = new ArrayList<>();
    final List<byte[]> received = new ArrayList<>();
    private final FragmentHandler assembler = new FragmentAssembler(this::onResponse);
    private long nextCorrelationId = 1;
    long sessionId;
    /** KeepAlives the node answered (kept apart from the responses to requests). */
    int keepAliveAnswers;
    int keepAliveIntervalMs;
    int sessionTimeoutMs;

    /**
     * @param responseChannelBase e.g. {@code aeron:ipc} or {@code aeron:udp?endpoint=127.0.0.1:PORT}.
     */
    RawSession(final Aeron aeron, final String requestChannel, final int requestStreamId, final String responseChannelBase,
        final int responseStreamId)
    {
        publication = aeron.addExclusivePublication(requestChannel, requestStreamId);
        this.responseStreamId = responseStreamId;
        subscription = aeron.addSubscription(responseChannelBase + (responseChannelBase.contains("?") ? "|" : "?") +
            "session-id=" + publication.sessionId(), responseStreamId);
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        if (responseChannelBase.endsWith(":0"))
        {
            while (subscription.localSocketAddresses().isEmpty())
            {
                check(deadline, "response subscription to bind");
                Thread.onSpinWait();
            }
            responseChannel = "aeron:udp?endpoint=" + subscription.localSocketAddresses().get(0);
        }
        else
        {
            responseChannel = responseChannelBase;
        }
        while (!publication.isConnected())
        {
            check(deadline, "request publication to connect");
            Thread.onSpinWait();
        }
    }

    RawSession connect()
    {
        return connect(MessageHeaderEncoder.SCHEMA_VERSION);
    }

    /**
     * Connects as a client of that protocol version says it does in its ConnectRequest.
     */
    RawSession connect(final int protocolVersion)
    {
        return connect(protocolVersion, true);
    }

    /**
     * Connects with a single ConnectRequest, never sent again: for tests that the node answers the first one.
     */
    RawSession connectOnce()
    {
        return connect(MessageHeaderEncoder.SCHEMA_VERSION, false);
    }

    private RawSession connect(final int protocolVersion, final boolean resend)
    {
        final long correlationId = nextCorrelationId++;
        final ConnectRequestEncoder encoder = new ConnectRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(correlationId).clientId(42).responseStreamId(responseStreamId)
            .protocolVersion(protocolVersion).responseChannel(responseChannel);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        // Asked again every second until answered, as FerriteClient's handshake does: the node drops a session whose
        // response publication it cannot add, e.g. for the few seconds Aeron lingers a publication it closed on the
        // same channel and session id (this session's own, after a timeout), and only a new request opens another.
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        byte[] answer = null;
        while (null == answer)
        {
            check(deadline, "response to correlation id " + correlationId + " (ConnectRequest, " +
                (resend ? "sent every second)" : "sent once)"));
            send(buffer, 0, length);
            answer = await(correlationId, resend ? Math.min(TimeUnit.SECONDS.toNanos(1), deadline - System.nanoTime()) :
                deadline - System.nanoTime());
        }
        final ConnectResponseDecoder decoder = new ConnectResponseDecoder();
        decoder.wrapAndApplyHeader(new UnsafeBuffer(answer), 0, new MessageHeaderDecoder());
        sessionId = decoder.sessionId();
        keepAliveIntervalMs = decoder.keepAliveIntervalMs();
        sessionTimeoutMs = decoder.sessionTimeoutMs();
        return this;
    }

    long nextCorrelationId()
    {
        return nextCorrelationId++;
    }

    private long lastSendNs;

    void send(final DirectBuffer frame, final int offset, final int length)
    {
        lastSendNs = System.nanoTime();
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        long result;
        while ((result = publication.offer(frame, offset, length)) < 0)
        {
            if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
            {
                throw new IllegalStateException("publication refused: " + result);
            }
            check(deadline, "offer");
            poll();
        }
    }

    /**
     * Sends the frame in {@link #buffer} of that length and waits for its response.
     */
    byte[] call(final long correlationId, final int length)
    {
        send(buffer, 0, length);
        return await(correlationId);
    }

    byte[] await(final long correlationId)
    {
        final byte[] response = await(correlationId, TIMEOUT_NS);
        if (null == response)
        {
            throw new AssertionError("timed out waiting for response to correlation id " + correlationId);
        }
        return response;
    }

    /**
     * @return the response to {@code correlationId}, or null if none came within {@code timeoutNs}.
     */
    private byte[] await(final long correlationId, final long timeoutNs)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        byte[] response;
        while (null == (response = responses.remove(correlationId)))
        {
            if (System.nanoTime() - deadline > 0)
            {
                return null;
            }
            if (keepAliveIntervalMs > 0 && System.nanoTime() - lastSendNs > TimeUnit.MILLISECONDS.toNanos(keepAliveIntervalMs))
            {
                // as a real client does while it waits: a slow answer must not time the session out
                keepAlive();
            }
            if (0 == poll())
            {
                Thread.yield();
            }
        }
        return response;
    }

    /**
     * Polls for up to {@code ms} and returns what arrived with no awaited id.
     */
    Map<Long, byte[]> drain(final long ms)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (System.nanoTime() - deadline < 0)
        {
            if (0 == poll())
            {
                Thread.yield();
            }
        }
        final Map<Long, byte[]> all = new LinkedHashMap<>();
        responses.forEach(all::put);
        responses.clear();
        return all;
    }

    int poll()
    {
        return subscription.poll(assembler, 16);
    }

    private void onResponse(final DirectBuffer buffer, final int offset, final int length, final io.aeron.logbuffer.Header h)
    {
        if (length >= MessageHeaderDecoder.ENCODED_LENGTH &&
            io.ferrite.codecs.sbe.KeepAliveDecoder.TEMPLATE_ID == buffer.getShort(offset + 2, java.nio.ByteOrder.LITTLE_ENDIAN))
        {
            keepAliveAnswers++; // the node's answer to a KeepAlive (protocol version 6 on): not a response to a request
            return;
        }
        final byte[] frame = new byte[length];
        buffer.getBytes(offset, frame);
        received.add(frame);
        final long correlationId = length >= 16 ? buffer.getLong(offset + 8, java.nio.ByteOrder.LITTLE_ENDIAN) : -1;
        if (responses.containsKey(correlationId))
        {
            uncorrelated.add(frame);
        }
        responses.put(correlationId, frame);
    }

    /**
     * Polls until {@code count} frames have been received in all.
     */
    void awaitReceived(final int count)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (received.size() < count)
        {
            check(deadline, count + " responses (got " + received.size() + ")");
            if (0 == poll())
            {
                Thread.yield();
            }
        }
    }

    List<byte[]> duplicates()
    {
        return uncorrelated;
    }

    private static void check(final long deadline, final String what)
    {
        if (System.nanoTime() - deadline > 0)
        {
            throw new AssertionError("timed out waiting for " + what);
        }
    }

    public void close()
    {
        publication.close();
        subscription.close();
    }

    // ---------------------------------------------------------------------------------------------
    // Requests
    // ---------------------------------------------------------------------------------------------

    /**
     * CreateTable as a client of schema version 2 sends it (no capacity fields: the node makes an on-demand table),
     * so that every node test also proves older frames are still served.
     */
    byte[] createTable(final String table, final String pk, final AttributeType pkType, final String sk, final AttributeType skType)
    {
        final long c = nextCorrelationId();
        final CreateTableRequestEncoder e = new CreateTableRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(c).requestId(c);
        final CreateTableRequestEncoder.KeySchemaEncoder keys = e.keySchemaCount(null == sk ? 1 : 2);
        keys.next().keyRole(KeyRole.HASH).attributeType(pkType).attributeName(pk);
        if (null != sk)
        {
            keys.next().keyRole(KeyRole.RANGE).attributeType(skType).attributeName(sk);
        }
        e.tableName(table);
        // version 2's block is the first 16 bytes (correlationId, requestId)
        return call(c, toVersion2(MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength(), CreateTableRequestEncoder.BLOCK_LENGTH, 16));
    }

    /**
     * Turns the version 3 frame in the buffer into the version 2 frame an older client sends: the block is cut to its
     * version 2 length (the fields version 3 appended at its end go) and the header says version 2.
     *
     * @return the new frame length.
     */
    private int toVersion2(final int v3Length, final int v3Block, final int v2Block)
    {
        final int cut = v3Block - v2Block;
        final int afterBlock = MessageHeaderEncoder.ENCODED_LENGTH + v3Block;
        buffer.putBytes(afterBlock - cut, buffer, afterBlock, v3Length - afterBlock);
        header.wrap(buffer, 0).blockLength(v2Block).version(2);
        return v3Length - cut;
    }

    /**
     * CreateTable of schema version 3 with a capacity.
     */
    byte[] createProvisionedTable(final String table, final String pk, final AttributeType pkType, final long read, final long write)
    {
        final long c = nextCorrelationId();
        final CreateTableRequestEncoder e = new CreateTableRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(c).requestId(c).billingMode(io.ferrite.codecs.sbe.BillingMode.PROVISIONED)
            .readCapacityUnits(read).writeCapacityUnits(write);
        e.keySchemaCount(1).next().keyRole(KeyRole.HASH).attributeType(pkType).attributeName(pk);
        e.tableName(table);
        return call(c, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    byte[] deleteTable(final String table)
    {
        final long c = nextCorrelationId();
        final DeleteTableRequestEncoder e = new DeleteTableRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(c).requestId(c).tableName(table);
        return call(c, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    byte[] describeTable(final String table)
    {
        final long c = nextCorrelationId();
        final DescribeTableRequestEncoder e = new DescribeTableRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(c).requestId(c).tableName(table);
        return call(c, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    byte[] listTables(final int limit, final String exclusiveStart)
    {
        final long c = nextCorrelationId();
        final ListTablesRequestEncoder e = new ListTablesRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(c).requestId(c).pageLimit(limit).exclusiveStartTableName(null == exclusiveStart ? "" : exclusiveStart);
        return call(c, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    byte[] putItem(final String table, final Map<String, AttributeValue> item, final ReturnValuesType returnValues)
    {
        final long c = nextCorrelationId();
        final byte[] bytes = ItemCodec.encode(item);
        final PutItemRequestEncoder e = new PutItemRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(c).requestId(c).returnValues(returnValues)
            .returnConsumedCapacity(io.ferrite.codecs.sbe.ReturnConsumedCapacityType.NONE).tableName(table).putItem(bytes, 0, bytes.length)
            .conditionExpression("").putExpressionAttributeNames(new byte[0], 0, 0).putExpressionAttributeValues(new byte[0], 0, 0);
        return call(c, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    byte[] getItem(final String table, final Map<String, AttributeValue> key)
    {
        final long c = nextCorrelationId();
        final byte[] bytes = ItemCodec.encode(key);
        final GetItemRequestEncoder e = new GetItemRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(c).requestId(c).consistentRead(BooleanType.TRUE).tableName(table).putKey(bytes, 0, bytes.length)
            .projectionExpression("").putExpressionAttributeNames(new byte[0], 0, 0);
        // sent as a schema version 2 client would (no returnConsumedCapacity): older frames must still be served
        return call(c, toVersion2(MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength(), GetItemRequestEncoder.BLOCK_LENGTH, 17));
    }

    byte[] deleteItem(final String table, final Map<String, AttributeValue> key, final ReturnValuesType returnValues)
    {
        final long c = nextCorrelationId();
        final byte[] bytes = ItemCodec.encode(key);
        final DeleteItemRequestEncoder e = new DeleteItemRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(c).requestId(c).returnValues(returnValues)
            .returnConsumedCapacity(io.ferrite.codecs.sbe.ReturnConsumedCapacityType.NONE).tableName(table).putKey(bytes, 0, bytes.length)
            .conditionExpression("").putExpressionAttributeNames(new byte[0], 0, 0).putExpressionAttributeValues(new byte[0], 0, 0);
        return call(c, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    byte[] updateItem(final String table, final Map<String, AttributeValue> key, final Map<String, AttributeValue> set,
        final Map<String, AttributeValue> remove, final ReturnValuesType returnValues, final String updateExpression)
    {
        final long c = nextCorrelationId();
        final byte[] keyBytes = ItemCodec.encode(key);
        final byte[] setBytes = null == set ? new byte[0] : ItemCodec.encode(set);
        final byte[] removeBytes = null == remove ? new byte[0] : ItemCodec.encode(remove);
        final UpdateItemRequestEncoder e = new UpdateItemRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(c).requestId(c).returnValues(returnValues)
            .returnConsumedCapacity(io.ferrite.codecs.sbe.ReturnConsumedCapacityType.NONE).tableName(table).putKey(keyBytes, 0, keyBytes.length)
            .putSetAttributes(setBytes, 0, setBytes.length).putRemoveAttributes(removeBytes, 0, removeBytes.length)
            .updateExpression(updateExpression).conditionExpression("")
            .putExpressionAttributeNames(new byte[0], 0, 0).putExpressionAttributeValues(new byte[0], 0, 0);
        return call(c, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    /**
     * @param pk    the partition key value as an item-format value (see {@link #value}).
     * @param low   the condition's operand, or null.
     * @param high  BETWEEN's upper bound, or null.
     */
    byte[] query(final String table, final byte[] pk, final SortKeyConditionType condition, final byte[] low,
        final byte[] high, final boolean forward, final int limit, final byte[] exclusiveStartKey)
    {
        final long c = nextCorrelationId();
        final byte[] empty = new byte[0];
        final QueryRequestEncoder e = new QueryRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(c).requestId(c).condition(condition).scanIndexForward(forward ? BooleanType.TRUE : BooleanType.FALSE)
            .consistentRead(BooleanType.TRUE).pageLimit(limit).tableName(table)
            .putPartitionKeyValue(pk, 0, pk.length)
            .putSortKeyValue(null == low ? empty : low, 0, null == low ? 0 : low.length)
            .putSortKeyUpper(null == high ? empty : high, 0, null == high ? 0 : high.length)
            .putExclusiveStartKey(null == exclusiveStartKey ? empty : exclusiveStartKey, 0,
                null == exclusiveStartKey ? 0 : exclusiveStartKey.length)
            .keyConditionExpression("").filterExpression("").projectionExpression("")
            .putExpressionAttributeNames(empty, 0, 0).putExpressionAttributeValues(empty, 0, 0);
        return call(c, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    byte[] scan(final String table, final int segment, final int totalSegments, final int limit, final byte[] exclusiveStartKey)
    {
        return scan(table, segment, totalSegments, limit, exclusiveStartKey, "");
    }

    /**
     * Scan with a FilterExpression that uses no placeholders ("" for none).
     */
    byte[] scan(final String table, final int segment, final int totalSegments, final int limit,
        final byte[] exclusiveStartKey, final String filter)
    {
        final long c = nextCorrelationId();
        final byte[] empty = new byte[0];
        final ScanRequestEncoder e = new ScanRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(c).requestId(c).segment(segment).totalSegments(totalSegments).consistentRead(BooleanType.TRUE)
            .pageLimit(limit).tableName(table)
            .putExclusiveStartKey(null == exclusiveStartKey ? empty : exclusiveStartKey, 0,
                null == exclusiveStartKey ? 0 : exclusiveStartKey.length)
            .filterExpression(filter).projectionExpression("")
            .putExpressionAttributeNames(empty, 0, 0).putExpressionAttributeValues(empty, 0, 0);
        return call(c, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    /**
     * PutItem with a ConditionExpression; names and values as item-format maps (null: none).
     */
    byte[] putItemIf(final String table, final Map<String, AttributeValue> item, final String condition,
        final Map<String, AttributeValue> names, final Map<String, AttributeValue> values)
    {
        final long c = nextCorrelationId();
        final byte[] bytes = ItemCodec.encode(item);
        final byte[] namesBytes = null == names ? new byte[0] : ItemCodec.encode(names);
        final byte[] valuesBytes = null == values ? new byte[0] : ItemCodec.encode(values);
        final PutItemRequestEncoder e = new PutItemRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(c).requestId(c).returnValues(ReturnValuesType.NONE)
            .returnConsumedCapacity(io.ferrite.codecs.sbe.ReturnConsumedCapacityType.NONE)
            .returnValuesOnConditionCheckFailure(io.ferrite.codecs.sbe.ReturnValuesOnConditionCheckFailureType.ALL_OLD)
            .tableName(table).putItem(bytes, 0, bytes.length).conditionExpression(condition)
            .putExpressionAttributeNames(namesBytes, 0, namesBytes.length)
            .putExpressionAttributeValues(valuesBytes, 0, valuesBytes.length);
        return call(c, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    /**
     * UpdateItem with an UpdateExpression and an optional ConditionExpression; names and values as item-format maps.
     */
    byte[] updateItemExpression(final String table, final Map<String, AttributeValue> key, final String update,
        final String condition, final Map<String, AttributeValue> names, final Map<String, AttributeValue> values,
        final ReturnValuesType returnValues)
    {
        final long c = nextCorrelationId();
        final byte[] keyBytes = ItemCodec.encode(key);
        final byte[] namesBytes = null == names ? new byte[0] : ItemCodec.encode(names);
        final byte[] valuesBytes = null == values ? new byte[0] : ItemCodec.encode(values);
        final UpdateItemRequestEncoder e = new UpdateItemRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(c).requestId(c).returnValues(returnValues)
            .returnConsumedCapacity(io.ferrite.codecs.sbe.ReturnConsumedCapacityType.NONE)
            .returnValuesOnConditionCheckFailure(io.ferrite.codecs.sbe.ReturnValuesOnConditionCheckFailureType.NONE)
            .tableName(table).putKey(keyBytes, 0, keyBytes.length)
            .putSetAttributes(new byte[0], 0, 0).putRemoveAttributes(new byte[0], 0, 0)
            .updateExpression(update).conditionExpression(null == condition ? "" : condition)
            .putExpressionAttributeNames(namesBytes, 0, namesBytes.length)
            .putExpressionAttributeValues(valuesBytes, 0, valuesBytes.length);
        return call(c, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    /**
     * Query by KeyConditionExpression, with an optional FilterExpression; names and values as item-format maps.
     */
    byte[] queryExpression(final String table, final String keyCondition, final String filter,
        final Map<String, AttributeValue> names, final Map<String, AttributeValue> values, final int limit)
    {
        final long c = nextCorrelationId();
        final byte[] empty = new byte[0];
        final byte[] namesBytes = null == names ? empty : ItemCodec.encode(names);
        final byte[] valuesBytes = null == values ? empty : ItemCodec.encode(values);
        final QueryRequestEncoder e = new QueryRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(c).requestId(c).condition(SortKeyConditionType.NONE).scanIndexForward(BooleanType.TRUE)
            .consistentRead(BooleanType.TRUE).pageLimit(limit).tableName(table)
            .putPartitionKeyValue(empty, 0, 0).putSortKeyValue(empty, 0, 0).putSortKeyUpper(empty, 0, 0)
            .putExclusiveStartKey(empty, 0, 0)
            .keyConditionExpression(keyCondition).filterExpression(null == filter ? "" : filter).projectionExpression("")
            .putExpressionAttributeNames(namesBytes, 0, namesBytes.length)
            .putExpressionAttributeValues(valuesBytes, 0, valuesBytes.length);
        return call(c, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    byte[] batchWrite(final String table, final List<Map<String, AttributeValue>> puts, final List<Map<String, AttributeValue>> deletes)
    {
        final long c = nextCorrelationId();
        final BatchWriteItemRequestEncoder e = new BatchWriteItemRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(c).requestId(c);
        final BatchWriteItemRequestEncoder.TablesEncoder tables = e.tablesCount(1).next();
        final BatchWriteItemRequestEncoder.TablesEncoder.WritesEncoder writes = tables.writesCount(puts.size() + deletes.size());
        for (final Map<String, AttributeValue> item : puts)
        {
            final byte[] bytes = ItemCodec.encode(item);
            writes.next().op(WriteOp.PUT).putItemOrKey(bytes, 0, bytes.length);
        }
        for (final Map<String, AttributeValue> key : deletes)
        {
            final byte[] bytes = ItemCodec.encode(key);
            writes.next().op(WriteOp.DELETE).putItemOrKey(bytes, 0, bytes.length);
        }
        tables.tableName(table);
        return call(c, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    byte[] batchGet(final String table, final List<Map<String, AttributeValue>> keys)
    {
        final long c = nextCorrelationId();
        final BatchGetItemRequestEncoder e = new BatchGetItemRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(c).requestId(c);
        final BatchGetItemRequestEncoder.TablesEncoder tables = e.tablesCount(1).next().consistentRead(BooleanType.TRUE);
        final BatchGetItemRequestEncoder.TablesEncoder.KeysEncoder group = tables.keysCount(keys.size());
        for (final Map<String, AttributeValue> key : keys)
        {
            final byte[] bytes = ItemCodec.encode(key);
            group.next().putKey(bytes, 0, bytes.length);
        }
        tables.tableName(table).projectionExpression("").putExpressionAttributeNames(new byte[0], 0, 0);
        return call(c, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    private final UnsafeBuffer keepAliveBuffer = new UnsafeBuffer(new byte[64]);

    void keepAlive()
    {
        final KeepAliveEncoder e = new KeepAliveEncoder().wrapAndApplyHeader(keepAliveBuffer, 0, header).sessionId(sessionId);
        send(keepAliveBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    void disconnect()
    {
        final DisconnectEncoder e = new DisconnectEncoder().wrapAndApplyHeader(buffer, 0, header).sessionId(sessionId);
        send(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    // ---------------------------------------------------------------------------------------------
    // Decoding helpers
    // ---------------------------------------------------------------------------------------------

    static int templateId(final byte[] frame)
    {
        return new MessageHeaderDecoder().wrap(new UnsafeBuffer(frame), 0).templateId();
    }

    /**
     * @return "Code: message" of an ErrorResponse, or null if the frame is not one.
     */
    static String error(final byte[] frame)
    {
        if (ErrorResponseDecoder.TEMPLATE_ID != templateId(frame))
        {
            return null;
        }
        final ErrorResponseDecoder d = new ErrorResponseDecoder().wrapAndApplyHeader(new UnsafeBuffer(frame), 0, new MessageHeaderDecoder());
        final ErrorCode code = d.errorCode();
        return code + ": " + d.message();
    }

    static byte[] ok(final byte[] frame)
    {
        final String error = error(frame);
        if (null != error)
        {
            throw new AssertionError("expected success, got " + error);
        }
        return frame;
    }

    /**
     * @return the item of an ItemResponse, or null when found is false.
     */
    static Map<String, AttributeValue> item(final byte[] frame)
    {
        ok(frame);
        final ItemResponseDecoder d = new ItemResponseDecoder().wrapAndApplyHeader(new UnsafeBuffer(frame), 0, new MessageHeaderDecoder());
        final boolean found = BooleanType.TRUE == d.found();
        final byte[] item = new byte[d.itemLength()];
        d.getItem(item, 0, item.length);
        return found ? ItemCodec.decode(new UnsafeBuffer(item), 0, item.length) : null;
    }

    /**
     * A decoded ItemsPageResponse.
     */
    record Page(List<Map<String, AttributeValue>> items, int count, byte[] lastEvaluatedKey)
    {
    }

    static Page page(final byte[] frame)
    {
        ok(frame);
        final ItemsPageResponseDecoder d = new ItemsPageResponseDecoder().wrapAndApplyHeader(new UnsafeBuffer(frame), 0,
            new MessageHeaderDecoder());
        final int count = d.count();
        final List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (final ItemsPageResponseDecoder.ItemsDecoder item : d.items())
        {
            final byte[] bytes = new byte[item.itemLength()];
            item.getItem(bytes, 0, bytes.length);
            items.add(ItemCodec.decode(new UnsafeBuffer(bytes), 0, bytes.length));
        }
        final byte[] lek = new byte[d.lastEvaluatedKeyLength()];
        d.getLastEvaluatedKey(lek, 0, lek.length);
        return new Page(items, count, lek.length == 0 ? null : lek);
    }

    static long itemCount(final byte[] frame)
    {
        ok(frame);
        return new TableDescriptionResponseDecoder().wrapAndApplyHeader(new UnsafeBuffer(frame), 0, new MessageHeaderDecoder())
            .itemCount();
    }

    static List<String> tableNames(final byte[] frame)
    {
        ok(frame);
        final ListTablesResponseDecoder d = new ListTablesResponseDecoder().wrapAndApplyHeader(new UnsafeBuffer(frame), 0,
            new MessageHeaderDecoder());
        final List<String> names = new ArrayList<>();
        for (final ListTablesResponseDecoder.TableNamesDecoder name : d.tableNames())
        {
            names.add(name.tableName());
        }
        final String last = d.lastEvaluatedTableName();
        if (!last.isEmpty())
        {
            names.add("...after " + last);
        }
        return names;
    }

    /**
     * @return items found (per table all together) and how many keys came back unprocessed.
     */
    static List<Map<String, AttributeValue>> batchGetItems(final byte[] frame, final int[] unprocessed)
    {
        ok(frame);
        final BatchGetItemResponseDecoder d = new BatchGetItemResponseDecoder().wrapAndApplyHeader(new UnsafeBuffer(frame), 0,
            new MessageHeaderDecoder());
        final List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (final BatchGetItemResponseDecoder.ResponsesDecoder responses : d.responses())
        {
            for (final BatchGetItemResponseDecoder.ResponsesDecoder.ItemsDecoder item : responses.items())
            {
                final byte[] bytes = new byte[item.itemLength()];
                item.getItem(bytes, 0, bytes.length);
                items.add(ItemCodec.decode(new UnsafeBuffer(bytes), 0, bytes.length));
            }
            responses.tableName();
        }
        for (final BatchGetItemResponseDecoder.UnprocessedKeysDecoder rest : d.unprocessedKeys())
        {
            unprocessed[0] += rest.keys().count();
            for (final BatchGetItemResponseDecoder.UnprocessedKeysDecoder.KeysDecoder key : rest.keys())
            {
                key.skipKey();
            }
            rest.tableName();
        }
        return items;
    }

    static int batchWriteUnprocessed(final byte[] frame)
    {
        ok(frame);
        final BatchWriteItemResponseDecoder d = new BatchWriteItemResponseDecoder().wrapAndApplyHeader(new UnsafeBuffer(frame), 0,
            new MessageHeaderDecoder());
        int count = 0;
        for (final BatchWriteItemResponseDecoder.UnprocessedItemsDecoder rest : d.unprocessedItems())
        {
            count += rest.writes().count();
            for (final BatchWriteItemResponseDecoder.UnprocessedItemsDecoder.WritesDecoder write : rest.writes())
            {
                write.skipItemOrKey();
            }
            rest.tableName();
        }
        return count;
    }

    /**
     * @return a single item-format value (tag + body) for Query's key fields.
     */
    static byte[] value(final AttributeValue value)
    {
        final byte[] item = ItemCodec.encode(Map.of("v", value));
        // item = count(4) + nameLength(2) + "v"(1) + value
        final byte[] result = new byte[item.length - 7];
        System.arraycopy(item, 7, result, 0, result.length);
        return result;
    }

    static Map<String, AttributeValue> item(final Object... namesAndValues)
    {
        final Map<String, AttributeValue> item = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2)
        {
            final Object value = namesAndValues[i + 1];
            item.put((String)namesAndValues[i], value instanceof AttributeValue ? (AttributeValue)value :
                value instanceof Number ? AttributeValue.n(((Number)value).longValue()) : AttributeValue.s(value.toString()));
        }
        return item;
    }
}
