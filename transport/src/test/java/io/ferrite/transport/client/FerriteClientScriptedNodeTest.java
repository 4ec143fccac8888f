package io.ferrite.transport.client;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.codecs.sbe.BatchGetItemRequestDecoder;
import io.ferrite.codecs.sbe.BatchWriteItemRequestDecoder;
import io.ferrite.codecs.sbe.BooleanType;
import io.ferrite.codecs.sbe.CreateTableRequestDecoder;
import io.ferrite.codecs.sbe.DeleteItemRequestDecoder;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.codecs.sbe.GetItemRequestDecoder;
import io.ferrite.codecs.sbe.KeyRole;
import io.ferrite.codecs.sbe.ListTablesRequestDecoder;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import io.ferrite.codecs.sbe.PutItemRequestDecoder;
import io.ferrite.codecs.sbe.QueryRequestDecoder;
import io.ferrite.codecs.sbe.ReturnValuesType;
import io.ferrite.codecs.sbe.ScanRequestDecoder;
import io.ferrite.codecs.sbe.SortKeyConditionType;
import io.ferrite.codecs.sbe.UpdateItemRequestDecoder;
import io.ferrite.codecs.sbe.WriteOp;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.SortKeyCondition;
import io.ferrite.engine.shard.WriteRequest;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client against a scripted stand-in node (no engine): what it puts on the wire for every request,
 * how it matches answers, retries, times out, reports back-pressure and the in-flight bound, keeps the
 * session alive, says goodbye, and notices a node that went away.
 */
class FerriteClientScriptedNodeTest
{
    @TempDir
    Path tempDir;

    private ScriptedNode node;
    private FerriteClient client;
    private io.aeron.Aeron ownAeron;
    private final Recorder recorder = new Recorder();

    @AfterEach
    void closeAll()
    {
        if (null != client)
        {
            client.close();
        }
        if (null != ownAeron)
        {
            ownAeron.close();
        }
        if (null != node)
        {
            node.close();
        }
    }

    private ClientConfig config()
    {
        return new ClientConfig()
            .aeronDir(node.aeronDir())
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(5))
            .requestTimeoutNs(TimeUnit.SECONDS.toNanos(5))
            .retryBaseBackoffNs(TimeUnit.MICROSECONDS.toNanos(100))
            .retryMaxBackoffNs(TimeUnit.MILLISECONDS.toNanos(2));
    }

    private void start(final ClientConfig config)
    {
        client = FerriteClient.connect(config);
    }

    private void startIpc()
    {
        node = new ScriptedNode(tempDir.resolve("aeron"), "aeron:ipc");
        start(config());
    }

    private void pollUntil(final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("condition not met within 10 s; counters " + client.counters());
            }
            if (0 == client.poll())
            {
                Thread.onSpinWait();
            }
        }
    }

    private static byte[] item(final Map<String, AttributeValue> item)
    {
        return ItemCodec.encode(item);
    }

    @Test
    void connectNamesTheMissingDriver()
    {
        final FerriteClientException ex = assertThrows(FerriteClientException.class, () -> FerriteClient.connect(
            new ClientConfig().aeronDir(tempDir.resolve("no-driver-here").toString()).connectTimeoutNs(TimeUnit.MILLISECONDS.toNanos(200))));
        assertEquals(ClientFailure.NODE_UNAVAILABLE, ex.failure());
        assertTrue(ex.getMessage().contains("no media driver"), ex.getMessage());
    }

    @Test
    void connectNamesTheChannelWhenNoNodeListens()
    {
        node = new ScriptedNode(tempDir.resolve("aeron"), "aeron:ipc");
        final FerriteClientException ex = assertThrows(FerriteClientException.class, () -> FerriteClient.connect(
            config().requestStreamId(4242).connectTimeoutNs(TimeUnit.MILLISECONDS.toNanos(300))));
        assertEquals(ClientFailure.NODE_UNAVAILABLE, ex.failure());
        assertTrue(ex.getMessage().contains("no node is listening on aeron:ipc stream 4242"), ex.getMessage());
    }

    @Test
    void aNodeThatNeverAnswersTheConnectRequestIsNamedWithTheVersionItMayLack()
    {
        node = new ScriptedNode(tempDir.resolve("aeron"), "aeron:ipc");
        node.connectRequestsToIgnore.set(Integer.MAX_VALUE); // as a node older than the client does
        final FerriteClientException ex = assertThrows(FerriteClientException.class, () -> FerriteClient.connect(
            config().connectTimeoutNs(TimeUnit.MILLISECONDS.toNanos(1_500))));
        assertEquals(ClientFailure.NODE_UNAVAILABLE, ex.failure());
        assertTrue(ex.getMessage().contains("did not answer the ConnectRequest") && ex.getMessage().contains(
            "protocol version " + io.ferrite.codecs.sbe.ConnectRequestEncoder.SCHEMA_VERSION + " or later"),
            ex.getMessage());
    }

    @Test
    void anUnansweredConnectRequestIsSentAgainUntilTheNodeAnswers()
    {
        node = new ScriptedNode(tempDir.resolve("aeron"), "aeron:ipc");
        node.connectRequestsToIgnore.set(2);
        start(config());
        assertTrue(client.isConnected());
        assertEquals(3, node.connectRequests.get(), "two ignored, the third answered");
        assertEquals(1, node.connects.get());
    }

    @Test
    void everyRequestIsEncodedWithItsFieldsACorrelationIdAndARequestId()
    {
        startIpc();
        final byte[] itemBytes = item(Map.of("pk", s("a"), "v", n(1)));
        final byte[] keyBytes = item(Map.of("pk", s("a")));
        final byte[] setBytes = item(Map.of("v", n(2)));
        final byte[] removeBytes = item(Map.of("gone", AttributeValue.nul()));
        final UnsafeBuffer pkValue = new UnsafeBuffer(new byte[]{ 1, 1, 0, 0, 0, 'a' });
        final UnsafeBuffer low = new UnsafeBuffer(new byte[]{ 2, 1, (byte)0x80 });
        final UnsafeBuffer high = new UnsafeBuffer(new byte[]{ 2, 1, (byte)0xC1 });

        final List<Long> ids = new ArrayList<>();
        ids.add(client.putItem("t1", new UnsafeBuffer(itemBytes), 0, itemBytes.length, ReturnValues.ALL_OLD, recorder));
        ids.add(client.getItem("t1", new UnsafeBuffer(keyBytes), 0, keyBytes.length, true, recorder));
        ids.add(client.deleteItem("t1", new UnsafeBuffer(keyBytes), 0, keyBytes.length, ReturnValues.ALL_OLD, recorder));
        ids.add(client.updateItem("t1", new UnsafeBuffer(keyBytes), 0, keyBytes.length, new UnsafeBuffer(setBytes), 0,
            setBytes.length, new UnsafeBuffer(removeBytes), 0, removeBytes.length, ReturnValues.UPDATED_NEW, recorder));
        ids.add(client.query(new QueryParams().tableName("t1").partitionKey(pkValue, 0, pkValue.capacity())
            .sortKey(SortKeyCondition.BETWEEN, low, 0, low.capacity()).sortKeyUpper(high, 0, high.capacity())
            .scanIndexForward(false).limit(7).exclusiveStartKey(new UnsafeBuffer(keyBytes), 0, keyBytes.length), recorder));
        ids.add(client.scan(new ScanParams().tableName("t1").segment(2, 5).limit(3), recorder));
        ids.add(client.createTable(TableSpec.of("t2").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N), recorder));
        ids.add(client.deleteTable("t2", recorder));
        ids.add(client.describeTable("t2", recorder));
        ids.add(client.listTables(10, "t0", recorder));
        final Map<String, List<byte[]>> keys = new LinkedHashMap<>();
        keys.put("t1", List.of(keyBytes, keyBytes));
        ids.add(client.batchGetItem(keys, true, recorder));
        final Map<String, List<WriteRequest>> writes = new LinkedHashMap<>();
        writes.put("t1", List.of(WriteRequest.put(itemBytes), WriteRequest.delete(keyBytes)));
        ids.add(client.batchWriteItem(writes, recorder));

        for (final long id : ids)
        {
            assertTrue(id > 0, "send status " + id);
        }
        assertEquals(ids.size(), new HashSet<>(ids).size(), "request ids are unique");
        pollUntil(() -> node.received.size() == ids.size());

        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        final Set<Long> correlationIds = new HashSet<>();
        int index = 0;
        for (final ScriptedNode.Received received : node.received)
        {
            assertEquals(ids.get(index++).longValue(), received.requestId(), "request id travels as sent");
            assertTrue(correlationIds.add(received.correlationId()), "correlation ids are unique");
            final UnsafeBuffer buffer = new UnsafeBuffer(received.bytes());
            header.wrap(buffer, 0);
            switch (received.templateId())
            {
                case PutItemRequestDecoder.TEMPLATE_ID:
                {
                    final PutItemRequestDecoder d = new PutItemRequestDecoder().wrapAndApplyHeader(buffer, 0, header);
                    assertEquals(ReturnValuesType.ALL_OLD, d.returnValues());
                    assertEquals("t1", d.tableName());
                    assertArrayEquals(itemBytes, bytes(d.itemLength(), d::getItem));
                    break;
                }
                case GetItemRequestDecoder.TEMPLATE_ID:
                {
                    final GetItemRequestDecoder d = new GetItemRequestDecoder().wrapAndApplyHeader(buffer, 0, header);
                    assertEquals(BooleanType.TRUE, d.consistentRead());
                    assertEquals("t1", d.tableName());
                    assertArrayEquals(keyBytes, bytes(d.keyLength(), d::getKey));
                    break;
                }
                case DeleteItemRequestDecoder.TEMPLATE_ID:
                {
                    final DeleteItemRequestDecoder d = new DeleteItemRequestDecoder().wrapAndApplyHeader(buffer, 0, header);
                    assertEquals(ReturnValuesType.ALL_OLD, d.returnValues());
                    assertEquals("t1", d.tableName());
                    assertArrayEquals(keyBytes, bytes(d.keyLength(), d::getKey));
                    break;
                }
                case UpdateItemRequestDecoder.TEMPLATE_ID:
                {
                    final UpdateItemRequestDecoder d = new UpdateItemRequestDecoder().wrapAndApplyHeader(buffer, 0, header);
                    assertEquals(ReturnValuesType.UPDATED_NEW, d.returnValues());
                    assertEquals("t1", d.tableName());
                    assertArrayEquals(keyBytes, bytes(d.keyLength(), d::getKey));
                    assertArrayEquals(setBytes, bytes(d.setAttributesLength(), d::getSetAttributes));
                    assertArrayEquals(removeBytes, bytes(d.removeAttributesLength(), d::getRemoveAttributes));
                    break;
                }
                case QueryRequestDecoder.TEMPLATE_ID:
                {
                    final QueryRequestDecoder d = new QueryRequestDecoder().wrapAndApplyHeader(buffer, 0, header);
                    assertEquals(SortKeyConditionType.BETWEEN, d.condition());
                    assertEquals(BooleanType.FALSE, d.scanIndexForward());
                    assertEquals(7, d.pageLimit());
                    assertEquals("t1", d.tableName());
                    assertArrayEquals(bytes(pkValue), bytes(d.partitionKeyValueLength(), d::getPartitionKeyValue));
                    assertArrayEquals(bytes(low), bytes(d.sortKeyValueLength(), d::getSortKeyValue));
                    assertArrayEquals(bytes(high), bytes(d.sortKeyUpperLength(), d::getSortKeyUpper));
                    assertArrayEquals(keyBytes, bytes(d.exclusiveStartKeyLength(), d::getExclusiveStartKey));
                    break;
                }
                case ScanRequestDecoder.TEMPLATE_ID:
                {
                    final ScanRequestDecoder d = new ScanRequestDecoder().wrapAndApplyHeader(buffer, 0, header);
                    assertEquals(2, d.segment());
                    assertEquals(5, d.totalSegments());
                    assertEquals(3, d.pageLimit());
                    assertEquals("t1", d.tableName());
                    assertEquals(0, d.exclusiveStartKeyLength());
                    break;
                }
                case CreateTableRequestDecoder.TEMPLATE_ID:
                {
                    final CreateTableRequestDecoder d = new CreateTableRequestDecoder().wrapAndApplyHeader(buffer, 0, header);
                    final CreateTableRequestDecoder.KeySchemaDecoder schema = d.keySchema();
                    assertEquals(2, schema.count());
                    schema.next();
                    assertEquals(KeyRole.HASH, schema.keyRole());
                    assertEquals(io.ferrite.codecs.sbe.AttributeType.S, schema.attributeType());
                    assertEquals("pk", schema.attributeName());
                    schema.next();
                    assertEquals(KeyRole.RANGE, schema.keyRole());
                    assertEquals(io.ferrite.codecs.sbe.AttributeType.N, schema.attributeType());
                    assertEquals("sk", schema.attributeName());
                    assertEquals("t2", d.tableName());
                    break;
                }
                case io.ferrite.codecs.sbe.DeleteTableRequestDecoder.TEMPLATE_ID:
                    assertEquals("t2", new io.ferrite.codecs.sbe.DeleteTableRequestDecoder()
                        .wrapAndApplyHeader(buffer, 0, header).tableName());
                    break;
                case io.ferrite.codecs.sbe.DescribeTableRequestDecoder.TEMPLATE_ID:
                    assertEquals("t2", new io.ferrite.codecs.sbe.DescribeTableRequestDecoder()
                        .wrapAndApplyHeader(buffer, 0, header).tableName());
                    break;
                case ListTablesRequestDecoder.TEMPLATE_ID:
                {
                    final ListTablesRequestDecoder d = new ListTablesRequestDecoder().wrapAndApplyHeader(buffer, 0, header);
                    assertEquals(10, d.pageLimit());
                    assertEquals("t0", d.exclusiveStartTableName());
                    break;
                }
                case BatchGetItemRequestDecoder.TEMPLATE_ID:
                {
                    final BatchGetItemRequestDecoder d = new BatchGetItemRequestDecoder().wrapAndApplyHeader(buffer, 0, header);
                    final BatchGetItemRequestDecoder.TablesDecoder tables = d.tables();
                    assertEquals(1, tables.count());
                    tables.next();
                    assertEquals(BooleanType.TRUE, tables.consistentRead());
                    final BatchGetItemRequestDecoder.TablesDecoder.KeysDecoder keyGroup = tables.keys();
                    assertEquals(2, keyGroup.count());
                    for (final BatchGetItemRequestDecoder.TablesDecoder.KeysDecoder key : keyGroup)
                    {
                        assertArrayEquals(keyBytes, bytes(key.keyLength(), key::getKey));
                    }
                    assertEquals("t1", tables.tableName());
                    break;
                }
                case BatchWriteItemRequestDecoder.TEMPLATE_ID:
                {
                    final BatchWriteItemRequestDecoder d = new BatchWriteItemRequestDecoder().wrapAndApplyHeader(buffer, 0, header);
                    final BatchWriteItemRequestDecoder.TablesDecoder tables = d.tables();
                    tables.next();
                    final BatchWriteItemRequestDecoder.TablesDecoder.WritesDecoder w = tables.writes();
                    assertEquals(2, w.count());
                    w.next();
                    assertEquals(WriteOp.PUT, w.op());
                    assertArrayEquals(itemBytes, bytes(w.itemOrKeyLength(), w::getItemOrKey));
                    w.next();
                    assertEquals(WriteOp.DELETE, w.op());
                    assertArrayEquals(keyBytes, bytes(w.itemOrKeyLength(), w::getItemOrKey));
                    assertEquals("t1", tables.tableName());
                    break;
                }
                default:
                    throw new AssertionError("unexpected template " + received.templateId());
            }
        }
        assertEquals(12, index);
    }

    /**
     * A response stream that the node opened and gave up on during the handshake (its own connect timeout ran out
     * just as the client's side connected), before it answered a repeated ConnectRequest on a fresh one, is not the
     * session's: its going away must not end the session. Before, any response image that went away, even one from
     * before the handshake finished, made the first poll after connecting fail every request as NODE_UNAVAILABLE.
     */
    @Test
    void aResponseStreamAbandonedDuringTheHandshakeDoesNotEndTheSession()
    {
        node = new ScriptedNode(tempDir.resolve("aeron"), "aeron:ipc");
        node.connectRequestsToAbandon.set(1);
        node.responder((templateId, correlationId, request, offset, length, out) ->
            ScriptedNode.itemResponse(correlationId, false, null, 0, 0, out));
        start(config());
        assertEquals(2, node.connectRequests.get(), "the first abandoned, the second answered");
        final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        pollUntil(() -> System.nanoTime() > until);
        assertTrue(client.isConnected(), "counters " + client.counters());
        final byte[] key = item(Map.of("pk", s("k")));
        final long id = client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, recorder);
        assertTrue(id > 0, "send status " + id);
        pollUntil(() -> recorder.done.contains(id));
        assertTrue(recorder.items.containsKey(id), String.valueOf(recorder.failures));
    }

    @Test
    void answersAreMatchedByCorrelationIdNotByOrder()
    {
        startIpc();
        final int count = 50;
        node.responder((templateId, correlationId, request, offset, length, out) ->
        {
            final GetItemRequestDecoder d = new GetItemRequestDecoder().wrap(request,
                offset + MessageHeaderDecoder.ENCODED_LENGTH, GetItemRequestDecoder.BLOCK_LENGTH, GetItemRequestDecoder.SCHEMA_VERSION);
            d.skipTableName();
            final byte[] key = new byte[d.keyLength()];
            d.getKey(key, 0, key.length);
            final int answerLength = ScriptedNode.itemResponse(correlationId, true, new UnsafeBuffer(key), 0, key.length, out);
            node.defer(out, answerLength);
            if (node.received.size() == count)
            {
                node.releaseDeferredInReverse();
            }
            return 0;
        });
        final Map<Long, byte[]> sentKeyByRequest = new LinkedHashMap<>();
        for (int i = 0; i < count; i++)
        {
            final byte[] key = item(Map.of("pk", s("key-" + i)));
            final long id = client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, recorder);
            assertTrue(id > 0);
            sentKeyByRequest.put(id, key);
        }
        pollUntil(() -> recorder.items.size() == count);
        sentKeyByRequest.forEach((id, key) -> assertArrayEquals(key, recorder.items.get(id), "answer of request " + id));
        final List<Long> completionOrder = new ArrayList<>(recorder.completionOrder);
        final List<Long> reversed = new ArrayList<>(sentKeyByRequest.keySet());
        java.util.Collections.reverse(reversed);
        assertEquals(reversed, completionOrder, "answers came back in reverse");
        assertEquals(0, client.inFlight());
    }

    @Test
    void throttledRequestIsRetriedWithItsRequestIdUnderANewCorrelationId()
    {
        startIpc();
        final Map<Long, Integer> attempts = new ConcurrentHashMap<>();
        node.responder((templateId, correlationId, request, offset, length, out) ->
        {
            final long requestId = request.getLong(offset + MessageHeaderDecoder.ENCODED_LENGTH + 8, java.nio.ByteOrder.LITTLE_ENDIAN);
            final int attempt = attempts.merge(requestId, 1, Integer::sum);
            return attempt <= 2 ?
                ScriptedNode.error(correlationId, attempt == 1 ? ErrorCode.ThrottlingException :
                    ErrorCode.ProvisionedThroughputExceededException, "slow down", out) :
                ScriptedNode.itemResponse(correlationId, false, null, 0, 0, out);
        });
        final byte[] key = item(Map.of("pk", s("k")));
        final long id = client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, recorder);
        pollUntil(() -> recorder.done.contains(id));
        assertTrue(recorder.items.containsKey(id), "succeeded after retries: " + recorder.failures);
        assertEquals(3, node.received.size());
        final Set<Long> correlationIds = new HashSet<>();
        for (final ScriptedNode.Received received : node.received)
        {
            assertEquals(id, received.requestId());
            assertTrue(correlationIds.add(received.correlationId()));
        }
        assertEquals(2, client.counters().retries());
        assertEquals(2, client.counters().throttled());
        assertEquals(1, client.counters().sent());
        assertEquals(1, client.counters().completed());
    }

    @Test
    void persistentThrottlingReachesTheCallerAsProvisionedThroughputExceededOnceTheBudgetIsSpent()
    {
        node = new ScriptedNode(tempDir.resolve("aeron"), "aeron:ipc");
        start(config().maxAttempts(4));
        node.responder((templateId, correlationId, request, offset, length, out) ->
            ScriptedNode.error(correlationId, ErrorCode.ProvisionedThroughputExceededException, "over the rate", out));
        final byte[] key = item(Map.of("pk", s("k")));
        final long id = client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, recorder);
        pollUntil(() -> recorder.done.contains(id));
        assertEquals("ProvisionedThroughputExceededException: over the rate", recorder.failures.get(id));
        assertEquals(4, node.received.size());
        assertEquals(3, client.counters().retries());
        assertEquals(4, client.counters().throttled());
        assertEquals(1, client.counters().errors(ErrorCode.ProvisionedThroughputExceededException));
    }

    @Test
    void nonRetryableErrorIsReportedOnceWithTheNodesMessage()
    {
        startIpc();
        node.responder((templateId, correlationId, request, offset, length, out) ->
            ScriptedNode.error(correlationId, ErrorCode.ValidationException, "bad key: pk missing", out));
        final byte[] key = item(Map.of("x", s("k")));
        final long id = client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, recorder);
        pollUntil(() -> recorder.done.contains(id));
        assertEquals("ValidationException: bad key: pk missing", recorder.failures.get(id));
        assertEquals(1, node.received.size());
        assertEquals(1, client.counters().errors(ErrorCode.ValidationException));
        assertEquals(0, client.counters().retries());
    }

    @Test
    void retryBudgetRunsOutOnPersistentServerErrors()
    {
        node = new ScriptedNode(tempDir.resolve("aeron"), "aeron:ipc");
        start(config().maxAttempts(3));
        node.responder((templateId, correlationId, request, offset, length, out) ->
            ScriptedNode.error(correlationId, ErrorCode.InternalServerError, "disk on fire", out));
        final byte[] key = item(Map.of("pk", s("k")));
        final long id = client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, recorder);
        pollUntil(() -> recorder.done.contains(id));
        assertEquals("InternalServerError: disk on fire", recorder.failures.get(id));
        assertEquals(3, node.received.size());
        assertEquals(2, client.counters().retries());
    }

    @Test
    void unansweredRequestTimesOutAndALateAnswerIsDropped()
    {
        node = new ScriptedNode(tempDir.resolve("aeron"), "aeron:ipc");
        start(config().requestTimeoutNs(TimeUnit.MILLISECONDS.toNanos(100)));
        node.responder((templateId, correlationId, request, offset, length, out) ->
        {
            node.defer(out, ScriptedNode.itemResponse(correlationId, false, null, 0, 0, out));
            return 0;
        });
        final byte[] key = item(Map.of("pk", s("k")));
        final long id = client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, recorder);
        pollUntil(() -> recorder.done.contains(id));
        assertTrue(recorder.failures.get(id).startsWith("TIMEOUT: request " + id + " got no answer within 100 ms"),
            recorder.failures.get(id));
        assertEquals(1, client.counters().timeouts());
        node.releaseDeferredInReverse();
        pollUntil(() -> client.counters().unmatched() == 1);
        assertEquals(1, recorder.done.size(), "the late answer completes nothing");
    }

    @Test
    void fullInFlightTableIsReportedAtOnce()
    {
        node = new ScriptedNode(tempDir.resolve("aeron"), "aeron:ipc");
        start(config().maxInFlight(4));
        node.responder((templateId, correlationId, request, offset, length, out) -> 0);
        final byte[] key = item(Map.of("pk", s("k")));
        for (int i = 0; i < 4; i++)
        {
            assertTrue(client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, recorder) > 0);
        }
        assertEquals(FerriteClient.IN_FLIGHT_LIMIT, client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, recorder));
        assertEquals(1, client.counters().inFlightLimitReached());
        assertEquals(4, client.inFlight());
    }

    /**
     * Every send that throws while encoding (here an unpaired surrogate, which UTF-8 cannot carry, in a table name
     * or an expression) gives its in-flight slot back: before, each leaked one, and maxInFlight of them left the
     * client refusing every request for good.
     */
    @Test
    void sendsThatFailWhileEncodingGiveTheirInFlightSlotBack()
    {
        node = new ScriptedNode(tempDir.resolve("aeron"), "aeron:ipc");
        start(config().maxInFlight(2));
        node.responder((templateId, correlationId, request, offset, length, out) -> 0);
        final String bad = "\ud800";
        final byte[] key = item(Map.of("pk", s("k")));
        final UnsafeBuffer keyBuffer = new UnsafeBuffer(key);
        final List<Runnable> sends = List.of(
            () -> client.putItem(bad, keyBuffer, 0, key.length, ReturnValues.NONE, recorder),
            () -> client.putItem("t", keyBuffer, 0, key.length, ReturnValues.NONE,
                new ExpressionParams().conditionExpression("attribute_exists(" + bad + ")"), recorder),
            () -> client.getItem(bad, keyBuffer, 0, key.length, false, recorder),
            () -> client.getItem("t", keyBuffer, 0, key.length, false,
                new ExpressionParams().projectionExpression(bad), recorder),
            () -> client.deleteItem(bad, keyBuffer, 0, key.length, ReturnValues.NONE, recorder),
            () -> client.updateItem("t", keyBuffer, 0, key.length, null, 0, 0, null, 0, 0, ReturnValues.NONE,
                new ExpressionParams().updateExpression("SET a = " + bad), recorder),
            () -> client.query(new QueryParams().tableName(bad), recorder),
            () -> client.query(new QueryParams().tableName("t").keyConditionExpression(bad), recorder),
            () -> client.scan(new ScanParams().tableName("t").filterExpression(bad), recorder),
            () -> client.deleteTable(bad, recorder),
            () -> client.describeTable(bad, recorder),
            () -> client.updateTable(bad, null, 1, 1, recorder),
            () -> client.listTables(10, bad, recorder));
        for (final Runnable send : sends)
        {
            for (int i = 0; i < 3; i++)
            {
                final FerriteException ex = assertThrows(FerriteException.class, send::run);
                assertTrue(ex.getMessage().contains("surrogate"), ex.getMessage());
                assertEquals(0, client.inFlight(), "a send that threw holds no slot");
            }
        }
        assertEquals(0, client.counters().inFlightLimitReached());
        assertTrue(client.getItem("t", keyBuffer, 0, key.length, false, recorder) > 0);
        assertTrue(client.getItem("t", keyBuffer, 0, key.length, false, recorder) > 0);
        assertEquals(2, client.inFlight());
    }

    @Test
    void backPressuredPublicationIsReportedAtOnceNotBuffered()
    {
        node = new ScriptedNode(tempDir.resolve("aeron"), "aeron:ipc");
        start(config().requestChannel("aeron:ipc?term-length=64k").maxInFlight(10_000));
        node.paused(true);
        final byte[] big = item(Map.of("pk", s("k"), "blob", AttributeValue.b(new byte[1000])));
        final UnsafeBuffer buffer = new UnsafeBuffer(big);
        long status = 0;
        int sent = 0;
        while (sent < 1000)
        {
            status = client.putItem("t", buffer, 0, big.length, ReturnValues.NONE, recorder);
            if (status < 0)
            {
                break;
            }
            sent++;
        }
        assertEquals(FerriteClient.BACK_PRESSURED, status);
        assertTrue(sent > 5 && sent < 100, "a 64 KiB term holds a few dozen 1 KB requests, sent " + sent);
        assertEquals(sent, client.inFlight(), "the refused request is not held");
        assertEquals(1, client.counters().backPressured());
        node.paused(false);
        final int expected = sent;
        pollUntil(() -> recorder.done.size() == expected);
        // the driver raises the publication limit on its next duty cycle after the node has read
        final long[] again = { 0 };
        pollUntil(() -> (again[0] = client.putItem("t", buffer, 0, big.length, ReturnValues.NONE, recorder)) > 0);
        assertTrue(again[0] > 0, "sends again once drained");
    }

    @Test
    void idleClientSendsKeepAlivesAndSaysGoodbyeOnClose()
    {
        node = new ScriptedNode(tempDir.resolve("aeron"), "aeron:ipc");
        node.keepAliveIntervalMs(20);
        start(config());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(20), client.keepAliveIntervalNs());
        final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        pollUntil(() -> System.nanoTime() > until);
        // the client is no longer polled, so it sends no more; its last keep-alive may still be on its way
        final long sent = client.counters().keepAlives();
        assertTrue(sent >= 3, "keep-alives sent " + sent);
        final long arrivalDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (node.keepAlives.get() < sent && System.nanoTime() < arrivalDeadline)
        {
            Thread.onSpinWait();
        }
        assertEquals(sent, node.keepAlives.get(), "every keep-alive sent arrived");
        client.close();
        client = null;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (node.disconnects.get() == 0 && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
        assertEquals(1, node.disconnects.get());
    }

    @Test
    void nodeThatGoesAwayFailsEveryRequestInFlight()
    {
        startIpc();
        node.responder((templateId, correlationId, request, offset, length, out) -> 0);
        final byte[] key = item(Map.of("pk", s("k")));
        final List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            ids.add(client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, recorder));
        }
        pollUntil(() -> node.received.size() == 3);
        node.dropSessions();
        pollUntil(() -> recorder.done.size() == 3);
        for (final long id : ids)
        {
            assertTrue(recorder.failures.get(id).startsWith("NODE_UNAVAILABLE"), recorder.failures.get(id));
        }
        assertFalse(client.isConnected());
        assertEquals(FerriteClient.NOT_CONNECTED, client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, recorder));
        assertEquals(3, client.counters().nodeUnavailable());
    }

    @Test
    void closeFailsRequestsStillInFlight()
    {
        startIpc();
        node.responder((templateId, correlationId, request, offset, length, out) -> 0);
        final byte[] key = item(Map.of("pk", s("k")));
        final long id = client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, recorder);
        client.close();
        assertTrue(recorder.failures.get(id).startsWith("CLIENT_CLOSED"), recorder.failures.get(id));
        assertEquals(FerriteClient.CLOSED, client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, recorder));
    }

    @Test
    void blockingApiThrowsTheNodesErrorCodeAndMessage()
    {
        startIpc();
        node.responder((templateId, correlationId, request, offset, length, out) ->
            ScriptedNode.error(correlationId, ErrorCode.ResourceNotFoundException, "Requested resource not found: " +
                "Table: nope not found", out));
        final FerriteBlockingClient blocking = new FerriteBlockingClient(client);
        final FerriteException ex = assertThrows(FerriteException.class,
            () -> blocking.getItem("nope", Map.of("pk", s("k"))));
        assertEquals(ErrorCode.ResourceNotFoundException, ex.code());
        assertEquals("Requested resource not found: Table: nope not found", ex.getMessage());
    }

    @Test
    void blockingApiThrowsTimeoutWhenTheNodeIsSilent()
    {
        node = new ScriptedNode(tempDir.resolve("aeron"), "aeron:ipc");
        start(config().requestTimeoutNs(TimeUnit.MILLISECONDS.toNanos(50)));
        node.responder((templateId, correlationId, request, offset, length, out) -> 0);
        final FerriteBlockingClient blocking = new FerriteBlockingClient(client);
        final FerriteClientException ex = assertThrows(FerriteClientException.class,
            () -> blocking.putItem("t", Map.of("pk", s("k"))));
        assertEquals(ClientFailure.TIMEOUT, ex.failure());
    }

    @Test
    void blockingApiEncodesQueryKeyValuesAsTagAndBody()
    {
        startIpc();
        node.responder((templateId, correlationId, request, offset, length, out) ->
            ScriptedNode.error(correlationId, ErrorCode.ValidationException, "stop here", out));
        final FerriteBlockingClient blocking = new FerriteBlockingClient(client);
        assertThrows(FerriteException.class, () -> blocking.query(io.ferrite.engine.api.Query.on("t")
            .partitionKey(s("ab")).sortKey(SortKeyCondition.GE, n(-5)).scanIndexForward(false).limit(2)));
        final ScriptedNode.Received received = node.received.peek();
        final UnsafeBuffer buffer = new UnsafeBuffer(received.bytes());
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        header.wrap(buffer, 0);
        final QueryRequestDecoder d = new QueryRequestDecoder().wrapAndApplyHeader(buffer, 0, header);
        assertEquals(SortKeyConditionType.GE, d.condition());
        assertEquals(2, d.pageLimit());
        d.skipTableName();
        assertArrayEquals(new byte[]{ 1, 2, 0, 0, 0, 'a', 'b' }, bytes(d.partitionKeyValueLength(), d::getPartitionKeyValue));
        final byte[] sortKey = bytes(d.sortKeyValueLength(), d::getSortKeyValue);
        assertEquals(2, sortKey[0], "N tag");
        assertEquals(sortKey.length - 2, sortKey[1], "N body length");

        final FerriteException limit = assertThrows(FerriteException.class, () -> blocking.query(
            io.ferrite.engine.api.Query.on("t").partitionKey(s("ab")).limit(0)));
        assertTrue(limit.getMessage().contains("Member must have value greater than or equal to 1"), limit.getMessage());
    }

    @Test
    void udpRoundTripWithTheClientsOwnDriverAndAnEphemeralResponsePort()
    {
        final int port = freeUdpPort();
        node = new ScriptedNode(tempDir.resolve("aeron-node"), "aeron:udp?endpoint=127.0.0.1:" + port);
        node.responder((templateId, correlationId, request, offset, length, out) ->
            ScriptedNode.itemResponse(correlationId, true, request, offset, 4, out));
        start(new ClientConfig()
            .embeddedDriver(true)
            .aeronDir(tempDir.resolve("aeron-client").toString())
            .requestChannel("aeron:udp?endpoint=127.0.0.1:" + port)
            .responseChannel("aeron:udp?endpoint=127.0.0.1:0")
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(5)));
        assertTrue(client.responseChannel().matches("aeron:udp\\?endpoint=127\\.0\\.0\\.1:[1-9][0-9]*"),
            client.responseChannel());
        final byte[] key = item(Map.of("pk", s("k")));
        final long id = client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, recorder);
        pollUntil(() -> recorder.done.contains(id));
        assertTrue(recorder.items.containsKey(id), String.valueOf(recorder.failures));
    }

    @Test
    void backgroundThreadOwnsTheClientAndOtherThreadsSubmitWork() throws Exception
    {
        node = new ScriptedNode(tempDir.resolve("aeron"), "aeron:ipc");
        node.responder((templateId, correlationId, request, offset, length, out) ->
            ScriptedNode.itemResponse(correlationId, true, request, offset, 8, out));
        start(config());
        client.startBackgroundThread(new org.agrona.concurrent.BackoffIdleStrategy());
        final java.util.concurrent.atomic.AtomicLong answered = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicReference<Thread> handlerThread = new java.util.concurrent.atomic.AtomicReference<>();
        final ResponseHandler handler = new ResponseHandler()
        {
            public void onItem(final long requestId, final boolean found, final DirectBuffer buffer, final int offset,
                final int length)
            {
                handlerThread.set(Thread.currentThread());
                answered.incrementAndGet();
            }

            public void onError(final long requestId, final ErrorCode code, final String message)
            {
            }

            public void onFailure(final long requestId, final ClientFailure failure, final String message)
            {
            }
        };
        final byte[] key = item(Map.of("pk", s("k")));
        final UnsafeBuffer keyBuffer = new UnsafeBuffer(key);
        final ClientCommand get = c -> c.getItem("t", keyBuffer, 0, key.length, false, handler);
        final Thread[] submitters = new Thread[3];
        for (int t = 0; t < submitters.length; t++)
        {
            submitters[t] = new Thread(() ->
            {
                int submitted = 0;
                while (submitted < 100)
                {
                    if (client.submit(get))
                    {
                        submitted++;
                    }
                    else
                    {
                        Thread.yield();
                    }
                }
            });
            submitters[t].start();
        }
        for (final Thread submitter : submitters)
        {
            submitter.join();
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (answered.get() < 300 && System.nanoTime() < deadline)
        {
            Thread.sleep(1);
        }
        assertEquals(300, answered.get());
        assertTrue(handlerThread.get().getName().contains("ferrite-client"), handlerThread.get().getName());
        client.close();
        assertFalse(client.isConnected());
        assertFalse(client.submit(get), "a closed client takes no work");
        client = null;
    }

    /**
     * A handler that throws from {@code onFailure} while the client closes: the exception goes to the Aeron error
     * handler (where Aeron already sends a fragment handler's), and the other requests still fail and the client
     * still closes. Before, close() stopped at the throwing handler: the requests after it never got an outcome, and
     * the publication, the subscription and the client's Aeron stayed open.
     */
    @Test
    void aHandlerThatThrowsWhileTheClientClosesStopsNeitherTheOtherFailuresNorTheClose()
    {
        node = new ScriptedNode(tempDir.resolve("aeron"), "aeron:ipc");
        final List<Throwable> handlerErrors = new java.util.concurrent.CopyOnWriteArrayList<>();
        ownAeron = io.aeron.Aeron.connect(new io.aeron.Aeron.Context().aeronDirectoryName(node.aeronDir())
            .errorHandler(handlerErrors::add));
        start(config().aeron(ownAeron));
        node.responder((templateId, correlationId, request, offset, length, out) -> 0);
        final IllegalStateException bug = new IllegalStateException("a bug in the application's handler");
        final byte[] key = item(Map.of("pk", s("k")));
        final long first = client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, throwingOnFailure(bug));
        final long second = client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, recorder);
        final long third = client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, recorder);
        assertTrue(first > 0 && second > 0 && third > 0);

        client.close();

        assertEquals(List.of(bug), handlerErrors);
        assertTrue(recorder.failures.get(second).startsWith("CLIENT_CLOSED"), String.valueOf(recorder.failures));
        assertTrue(recorder.failures.get(third).startsWith("CLIENT_CLOSED"), String.valueOf(recorder.failures));
        assertEquals(0, client.inFlight());
        assertEquals(FerriteClient.CLOSED, client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, recorder));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (0 == node.requestImagesLost.get() && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
        assertEquals(1, node.requestImagesLost.get(), "the request publication was closed");
        client = null;
    }

    /**
     * As above when the node goes away: every other request fails at once with NODE_UNAVAILABLE. Before, the
     * throwing handler stopped the sweep, and the requests after it waited for their own timeouts.
     */
    @Test
    void aHandlerThatThrowsWhenTheNodeGoesAwayDoesNotHoldBackTheOtherFailures()
    {
        node = new ScriptedNode(tempDir.resolve("aeron"), "aeron:ipc");
        final List<Throwable> handlerErrors = new java.util.concurrent.CopyOnWriteArrayList<>();
        ownAeron = io.aeron.Aeron.connect(new io.aeron.Aeron.Context().aeronDirectoryName(node.aeronDir())
            .errorHandler(handlerErrors::add));
        start(config().aeron(ownAeron).requestTimeoutNs(TimeUnit.SECONDS.toNanos(30)));
        node.responder((templateId, correlationId, request, offset, length, out) -> 0);
        final IllegalStateException bug = new IllegalStateException("a bug in the application's handler");
        final byte[] key = item(Map.of("pk", s("k")));
        client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, throwingOnFailure(bug));
        final long second = client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, recorder);
        final long third = client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, recorder);
        pollUntil(() -> node.received.size() == 3);

        node.dropSessions();
        pollUntil(() -> recorder.done.size() == 2);

        assertEquals(List.of(bug), handlerErrors);
        assertTrue(recorder.failures.get(second).startsWith("NODE_UNAVAILABLE"), String.valueOf(recorder.failures));
        assertTrue(recorder.failures.get(third).startsWith("NODE_UNAVAILABLE"), String.valueOf(recorder.failures));
        assertEquals(0, client.inFlight());
        assertEquals(3, client.counters().nodeUnavailable());
    }

    /**
     * A timeout names the request's own timeout, not the client's current default: before, a request sent with 100
     * ms, after which the default went back to 5 s, said it got no answer "within 5000 ms".
     */
    @Test
    void aTimeoutNamesTheTimeoutTheRequestWasSentWith()
    {
        startIpc();
        node.responder((templateId, correlationId, request, offset, length, out) -> 0);
        final byte[] key = item(Map.of("pk", s("k")));
        final long defaultTimeoutNs = client.requestTimeoutNs();
        client.requestTimeoutNs(TimeUnit.MILLISECONDS.toNanos(100));
        final long id = client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, recorder);
        client.requestTimeoutNs(defaultTimeoutNs);
        pollUntil(() -> recorder.done.contains(id));
        assertTrue(recorder.failures.get(id).startsWith("TIMEOUT: request " + id + " got no answer within 100 ms"),
            recorder.failures.get(id));
    }

    /**
     * A blocking call on an interrupted thread stops waiting and says so (INTERRUPTED), keeping the interrupt status
     * for the caller. Before, the interrupt was ignored: the backing-off wait no longer parked (a set interrupt status
     * makes parkNanos return at once), so the thread spun on a core until the request timed out.
     */
    @Test
    void blockingCallOnAnInterruptedThreadStopsWaitingAndKeepsTheInterrupt() throws InterruptedException
    {
        node = new ScriptedNode(tempDir.resolve("aeron"), "aeron:ipc");
        start(config().requestTimeoutNs(TimeUnit.SECONDS.toNanos(3)));
        node.responder((templateId, correlationId, request, offset, length, out) -> 0);
        final FerriteBlockingClient blocking = new FerriteBlockingClient(client);

        Thread.currentThread().interrupt();
        final FerriteClientException before;
        try
        {
            before = assertThrows(FerriteClientException.class, () -> blocking.putItem("t", Map.of("pk", s("k"))));
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt status is kept");
        }
        finally
        {
            Thread.interrupted();
        }
        assertEquals(ClientFailure.INTERRUPTED, before.failure());
        assertEquals(0, client.inFlight(), "an interrupted thread sends nothing");

        final Thread caller = Thread.currentThread();
        final Thread interrupter = new Thread(() ->
        {
            final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (node.received.isEmpty() && System.nanoTime() < until)
            {
                Thread.onSpinWait();
            }
            caller.interrupt();
        });
        interrupter.start();
        final FerriteClientException during;
        try
        {
            during = assertThrows(FerriteClientException.class, () -> blocking.putItem("t", Map.of("pk", s("k"))));
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt status is kept");
        }
        finally
        {
            Thread.interrupted();
            interrupter.join();
        }
        assertEquals(ClientFailure.INTERRUPTED, during.failure());
        assertTrue(during.getMessage().contains("may still be applied"), during.getMessage());
        assertEquals(1, client.inFlight(), "the request it stopped waiting for is still in flight, answered later");
    }

    /**
     * The request timeout bounds a blocking call whole: time spent waiting for room to send counts. Before, a call
     * that waited 900 ms of its 1 s for a back-pressured publication then gave the request a full second more.
     */
    @Test
    void blockingCallWaitingForRoomToSendKeepsItsOneDeadline() throws InterruptedException
    {
        node = new ScriptedNode(tempDir.resolve("aeron"), "aeron:ipc");
        final long timeoutNs = TimeUnit.SECONDS.toNanos(1);
        start(config().requestChannel("aeron:ipc?term-length=64k").maxInFlight(10_000).requestTimeoutNs(timeoutNs));
        node.responder((templateId, correlationId, request, offset, length, out) -> 0);
        node.paused(true);
        final byte[] big = item(Map.of("pk", s("k"), "blob", AttributeValue.b(new byte[1000])));
        final UnsafeBuffer buffer = new UnsafeBuffer(big);
        while (client.putItem("t", buffer, 0, big.length, ReturnValues.NONE, recorder) > 0)
        {
            assertTrue(client.inFlight() < 1000, "the 64 KiB term should have filled");
        }
        final Thread resumer = new Thread(() ->
        {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(900));
            node.paused(false);
        });
        final FerriteBlockingClient blocking = new FerriteBlockingClient(client);
        final long start = System.nanoTime();
        resumer.start();
        final FerriteClientException ex = assertThrows(FerriteClientException.class,
            () -> blocking.putItem("t", Map.of("pk", s("late"))));
        final long elapsedNs = System.nanoTime() - start;
        resumer.join();
        assertEquals(ClientFailure.TIMEOUT, ex.failure(), ex.getMessage());
        assertTrue(elapsedNs < timeoutNs + TimeUnit.MILLISECONDS.toNanos(600),
            "the call took " + TimeUnit.NANOSECONDS.toMillis(elapsedNs) + " ms for a 1000 ms timeout: " + ex.getMessage());
        assertEquals(timeoutNs, client.requestTimeoutNs(), "the client's default is left as it was");
    }

    private static ResponseHandler throwingOnFailure(final RuntimeException bug)
    {
        return new ResponseHandler()
        {
            public void onError(final long requestId, final ErrorCode code, final String message)
            {
            }

            public void onFailure(final long requestId, final ClientFailure failure, final String message)
            {
                throw bug;
            }
        };
    }

    @Test
    void asyncGetAndPutAllocateNothingInSteadyState()
    {
        final java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;

        startIpc();
        node.record(false);
        node.responder((templateId, correlationId, request, offset, length, out) ->
            ScriptedNode.itemResponse(correlationId, true, request, offset, Math.min(length, 64), out));
        final ItemWriter writer = new ItemWriter();
        final CountingHandler handler = new CountingHandler();
        final String table = "orders";

        roundTrips(writer, handler, table, 20_000);
        final long threadId = Thread.currentThread().getId();
        final long before = threads.getThreadAllocatedBytes(threadId);
        roundTrips(writer, handler, table, 20_000);
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
        assertEquals(40_000 * 2, handler.items, "every round trip answered");
        assertEquals(0, handler.failures);
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes over 40k pipelined Get/Put round trips");
    }

    /**
     * The rest of the hot path the client's javadoc promises garbage-free: Query and Scan (pages read in place),
     * UpdateItem and DeleteItem, each with expressions, names and values, and a throttle retried once on the way.
     */
    @Test
    void asyncQueryScanUpdateDeleteWithExpressionsAndRetriesAllocateNothingInSteadyState()
    {
        final java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;

        startIpc();
        node.record(false);
        final io.ferrite.codecs.sbe.ItemsPageResponseEncoder pageEncoder = new io.ferrite.codecs.sbe.ItemsPageResponseEncoder();
        final io.ferrite.codecs.sbe.MessageHeaderEncoder headerEncoder = new io.ferrite.codecs.sbe.MessageHeaderEncoder();
        final Set<Long> throttled = ConcurrentHashMap.newKeySet();
        node.responder((templateId, correlationId, request, offset, length, out) ->
        {
            final long requestId = request.getLong(offset + MessageHeaderDecoder.ENCODED_LENGTH + 8,
                java.nio.ByteOrder.LITTLE_ENDIAN);
            if (0 == (requestId & 15) && throttled.add(requestId))
            {
                // every 16th request is throttled once, so its retry is the one answered
                return ScriptedNode.error(correlationId, ErrorCode.ThrottlingException, "slow down", out);
            }
            if (QueryRequestDecoder.TEMPLATE_ID == templateId || ScanRequestDecoder.TEMPLATE_ID == templateId)
            {
                final io.ferrite.codecs.sbe.ItemsPageResponseEncoder.ItemsEncoder items = pageEncoder
                    .wrapAndApplyHeader(out, 0, headerEncoder)
                    .correlationId(correlationId)
                    .count(2)
                    .scannedCount(2)
                    .consumedReadHalfUnits(io.ferrite.codecs.sbe.ItemsPageResponseEncoder.consumedReadHalfUnitsNullValue())
                    .consumedWriteUnits(io.ferrite.codecs.sbe.ItemsPageResponseEncoder.consumedWriteUnitsNullValue())
                    .itemsCount(2);
                items.next().putItem(request, offset, 16);
                items.next().putItem(request, offset, 24);
                pageEncoder.putLastEvaluatedKey(request, offset, 0);
                return MessageHeaderDecoder.ENCODED_LENGTH + pageEncoder.encodedLength();
            }
            return ScriptedNode.itemResponse(correlationId, true, request, offset, 32, out);
        });
        final ItemWriter key = new ItemWriter();
        final ItemWriter values = new ItemWriter();
        final ItemWriter names = new ItemWriter();
        values.reset().number(":one", 1).string(":s", "x");
        final int valuesLength = values.finish();
        names.reset().string("#c", "count");
        final int namesLength = names.finish();
        final QueryParams query = new QueryParams();
        final ScanParams scan = new ScanParams();
        final ExpressionParams update = new ExpressionParams();
        final ExpressionParams condition = new ExpressionParams();
        final PageCountingHandler handler = new PageCountingHandler();
        final StringBuilder table = new StringBuilder("orders");

        final Runnable[] sends = new Runnable[4];
        sends[0] = () ->
        {
            key.reset().string("pk", "a");
            final int length = key.finish();
            query.reset().tableName(table).partitionKey(key.buffer(), 0, length).limit(10)
                .filterExpression("#c > :one").expressionAttributeNames(names.buffer(), 0, namesLength)
                .expressionAttributeValues(values.buffer(), 0, valuesLength);
            check(client.query(query, handler));
        };
        sends[1] = () ->
        {
            scan.reset().tableName(table).limit(10).filterExpression("#c > :one")
                .expressionAttributeNames(names.buffer(), 0, namesLength)
                .expressionAttributeValues(values.buffer(), 0, valuesLength);
            check(client.scan(scan, handler));
        };
        sends[2] = () ->
        {
            key.reset().string("pk", "a").number("id", 7);
            final int length = key.finish();
            update.reset().updateExpression("SET #c = #c + :one, s = :s").conditionExpression("attribute_exists(pk)")
                .expressionAttributeNames(names.buffer(), 0, namesLength)
                .expressionAttributeValues(values.buffer(), 0, valuesLength);
            check(client.updateItem(table, key.buffer(), 0, length, ReturnValues.ALL_NEW, update, handler));
        };
        sends[3] = () ->
        {
            key.reset().string("pk", "a").number("id", 7);
            final int length = key.finish();
            condition.reset().conditionExpression("#c > :one")
                .expressionAttributeNames(names.buffer(), 0, namesLength)
                .expressionAttributeValues(values.buffer(), 0, valuesLength);
            check(client.deleteItem(table, key.buffer(), 0, length, ReturnValues.ALL_OLD, condition, handler));
        };

        mixedRoundTrips(sends, handler, 8_000);
        final long threadId = Thread.currentThread().getId();
        final long before = threads.getThreadAllocatedBytes(threadId);
        mixedRoundTrips(sends, handler, 8_000);
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
        assertEquals(0, handler.failures, handler.lastFailure);
        assertTrue(client.counters().retries() > 0, "throttles were retried");
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes over 8k pipelined Query/Scan/Update/Delete " +
            "round trips with expressions and retries");
    }

    private static void check(final long requestId)
    {
        if (requestId < 0)
        {
            throw new AssertionError("send refused " + requestId);
        }
    }

    private void mixedRoundTrips(final Runnable[] sends, final PageCountingHandler handler, final int count)
    {
        final long target = handler.answers + handler.failures + count;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int sent = 0;
        while (handler.answers + handler.failures < target)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("round trips not done within 60 s; counters " + client.counters());
            }
            while (sent < count && client.inFlight() < 16)
            {
                sends[sent & 3].run();
                sent++;
            }
            client.poll();
        }
    }

    private static final class PageCountingHandler implements ResponseHandler
    {
        long answers;
        long failures;
        long bytes;

        public void onItem(final long requestId, final boolean found, final DirectBuffer buffer, final int offset,
            final int length)
        {
            answers++;
            bytes += length;
        }

        public void onPage(final long requestId, final ItemsPage page)
        {
            while (page.nextItem())
            {
                bytes += page.itemLength();
            }
            answers++;
        }

        public void onError(final long requestId, final ErrorCode code, final String message)
        {
            failures++;
            lastFailure = code + ": " + message;
        }

        public void onFailure(final long requestId, final ClientFailure failure, final String message)
        {
            failures++;
            lastFailure = failure + ": " + message;
        }

        String lastFailure;
    }

    private void roundTrips(final ItemWriter writer, final CountingHandler handler, final String table, final int count)
    {
        final int window = 16;
        int sent = 0;
        final long target = handler.items + 2L * count;
        while (handler.items < target)
        {
            while (sent < count && client.inFlight() < window)
            {
                writer.reset().string("pk", table).number("id", sent);
                final int length = writer.finish();
                final long put = client.putItem(table, writer.buffer(), 0, length, ReturnValues.NONE, handler);
                final long get = put > 0 ? client.getItem(table, writer.buffer(), 0, length, false, handler) : put;
                if (put < 0 || get < 0)
                {
                    throw new AssertionError("send refused " + put + "/" + get);
                }
                sent++;
            }
            client.poll();
        }
    }

    private static final class CountingHandler implements ResponseHandler
    {
        long items;
        long failures;
        long bytes;

        public void onItem(final long requestId, final boolean found, final DirectBuffer buffer, final int offset,
            final int length)
        {
            items++;
            bytes += length;
        }

        public void onError(final long requestId, final ErrorCode code, final String message)
        {
            failures++;
        }

        public void onFailure(final long requestId, final ClientFailure failure, final String message)
        {
            failures++;
        }
    }

    private static int freeUdpPort()
    {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static byte[] bytes(final UnsafeBuffer buffer)
    {
        final byte[] bytes = new byte[buffer.capacity()];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    @FunctionalInterface
    private interface Getter
    {
        int get(byte[] dst, int offset, int length);
    }

    private static byte[] bytes(final int length, final Getter getter)
    {
        final byte[] bytes = new byte[length];
        getter.get(bytes, 0, length);
        return bytes;
    }

    /** Records every outcome by request id. */
    static final class Recorder implements ResponseHandler
    {
        final Map<Long, byte[]> items = new LinkedHashMap<>();
        final Map<Long, String> failures = new LinkedHashMap<>();
        final Set<Long> done = new HashSet<>();
        final List<Long> completionOrder = new ArrayList<>();

        public void onItem(final long requestId, final boolean found, final DirectBuffer buffer, final int offset,
            final int length)
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            items.put(requestId, bytes);
            complete(requestId);
        }

        public void onPage(final long requestId, final ItemsPage page)
        {
            complete(requestId);
        }

        public void onResponse(final long requestId, final int templateId, final DirectBuffer buffer, final int offset,
            final int length)
        {
            complete(requestId);
        }

        public void onError(final long requestId, final ErrorCode code, final String message)
        {
            failures.put(requestId, code + ": " + message);
            complete(requestId);
        }

        public void onFailure(final long requestId, final ClientFailure failure, final String message)
        {
            failures.put(requestId, failure + ": " + message);
            complete(requestId);
        }

        private void complete(final long requestId)
        {
            assertTrue(done.add(requestId), "one outcome per request: " + requestId);
            completionOrder.add(requestId);
        }
    }
}
