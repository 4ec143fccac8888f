package io.ferrite.cell;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.cluster.codecs.EventCode;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.codecs.sbe.AttributeType;
import io.ferrite.codecs.sbe.BooleanType;
import io.ferrite.codecs.sbe.CreateTableRequestEncoder;
import io.ferrite.codecs.sbe.DeleteItemRequestEncoder;
import io.ferrite.codecs.sbe.DescribeTableRequestEncoder;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.codecs.sbe.ErrorResponseDecoder;
import io.ferrite.codecs.sbe.GetItemRequestEncoder;
import io.ferrite.codecs.sbe.ItemResponseDecoder;
import io.ferrite.codecs.sbe.ItemsPageResponseDecoder;
import io.ferrite.codecs.sbe.KeyRole;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import io.ferrite.codecs.sbe.PutItemRequestEncoder;
import io.ferrite.codecs.sbe.QueryRequestEncoder;
import io.ferrite.codecs.sbe.ReturnConsumedCapacityType;
import io.ferrite.codecs.sbe.ReturnValuesType;
import io.ferrite.codecs.sbe.SortKeyConditionType;
import io.ferrite.codecs.sbe.UpdateItemRequestEncoder;
import io.ferrite.engine.admission.BillingMode;
import io.ferrite.engine.admission.TableCapacity;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.SortKeyCondition;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.transport.DriverTimeouts;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A blocking client of a cell: one call = one request through cluster ingress = one {@link CellResult}.
 * It finds the leader (Aeron Cluster's client connects to the members' ingress endpoints and is told the
 * leader), follows elections ({@code onNewLeader}), reconnects when its cluster session is closed, and sends
 * an unanswered request again, with its ORIGINAL request id, when a new leader is announced or every
 * {@link CellClientConfig#resendIntervalMs()}; the cell applies a write once per (client id, request id) and
 * answers a repeat with the first answer, so a write retried through a failover is neither lost nor doubled.
 * Every call has a timeout; a call that gets no answer in time returns {@link CellResult.Outcome#TIMED_OUT}
 * with what the client knew (e.g. no leader reachable) instead of hanging.
 * <p>
 * Reads: a strongly consistent GetItem or Query ({@code consistentRead} true) goes through the cell's log, so it is
 * linearizable (docs/decisions/0013-cells.md). An eventually consistent one goes, when the config names the read
 * endpoints, straight to one member (any role), which answers from the state it has applied so far, possibly behind
 * the leader; otherwise through the log as well.
 * <p>
 * <b>Threading:</b> one owner thread makes every call (no locks). Requests are encoded with the schema's
 * generated SBE encoders, as the node's client does. The calls on item bytes ({@link #putItem(String, DirectBuffer,
 * int, int, long, long)}, {@link #getItem(String, DirectBuffer, int, int, boolean, long)}) allocate nothing once
 * connected: the answer stays in the client until the next call ({@link #answerItem()}). The calls on Java maps
 * allocate (their results are Java values).
 */
public final class CellClient implements AutoCloseable
{
    private static final long CONNECT_ATTEMPT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);
    private static final long KEEP_ALIVE_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    /**
     * A session whose leader went away and that hears of no new one within this (a failover takes about two seconds
     * here) is closed by Aeron's client, and the call reconnects: e.g. a session the new leader never learnt of.
     */
    private static final long NEW_LEADER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(4);
    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);

    private final CellClientConfig config;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final IdleStrategy idle;
    private final Egress egress = new Egress();

    private AeronCluster cluster;
    private AeronCluster.AsyncConnect connecting;
    private long connectAttemptDeadlineNs;
    private String lastProblem = "not connected yet";
    private long lastSendNs;

    private final ExpandableDirectByteBuffer sendBuffer = new ExpandableDirectByteBuffer(64 * 1024);
    private final ExpandableArrayBuffer answer = new ExpandableArrayBuffer(64 * 1024);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final PutItemRequestEncoder putEncoder = new PutItemRequestEncoder();
    private final GetItemRequestEncoder getEncoder = new GetItemRequestEncoder();
    private final DeleteItemRequestEncoder deleteEncoder = new DeleteItemRequestEncoder();
    private final UpdateItemRequestEncoder updateEncoder = new UpdateItemRequestEncoder();
    private final QueryRequestEncoder queryEncoder = new QueryRequestEncoder();
    private final CreateTableRequestEncoder createTableEncoder = new CreateTableRequestEncoder();
    private final DescribeTableRequestEncoder describeTableEncoder = new DescribeTableRequestEncoder();
    private final ItemResponseDecoder itemDecoder = new ItemResponseDecoder();
    private final ItemsPageResponseDecoder pageDecoder = new ItemsPageResponseDecoder();
    private final ErrorResponseDecoder errorDecoder = new ErrorResponseDecoder();
    private final ItemWriter writer = new ItemWriter();

    // Starts from the clock so that a client restarted with its old id (to retry old writes) does not reuse ids.
    private long nextRequestId = System.currentTimeMillis() << 10;
    private long nextCorrelationId = 1;
    private long pendingCorrelationId;
    private boolean answered;
    private int answerLength;
    private boolean newLeader;
    private int leaderMemberId = -1;
    private long leaderChanges;
    private long resends;
    private boolean closed;
    private int callAttempts;
    private boolean callSent;

    // the answer of the last allocation-free call (putItem/getItem on buffers)
    private final UnsafeBuffer answerItem = new UnsafeBuffer(0, 0);
    private boolean answerFound;
    private ErrorCode answerErrorCode;
    private String answerTimeout;
    private long answerRequestId;
    private String lastTableName;
    private byte[] lastTableBytes = new byte[0];

    /** Wakes this client's driver after an offer and this client's thread after the driver received (or null). */
    private final DriverWaker waker;
    private final int wakerSlot;
    private final io.aeron.Subscription readReplies;
    private final io.aeron.ExclusivePublication[] readPublications;
    private final io.aeron.FragmentAssembler readAssembler;
    private byte[] readReplyChannel;
    private int readMember;
    private long readsAnswered;

    private CellClient(
        final CellClientConfig config, final MediaDriver driver, final DriverWaker waker, final Aeron aeron)
    {
        this.config = config;
        this.waker = waker;
        this.wakerSlot = null == waker ? -1 : waker.register();
        this.idle = new BackoffIdleStrategy(10, 20, 1_000, TimeUnit.MICROSECONDS.toNanos(config.idleMaxParkUs()));
        this.driver = driver;
        this.aeron = aeron;
        final String readEndpoints = config.readEndpoints();
        if (null == readEndpoints || readEndpoints.isBlank())
        {
            readReplies = null;
            readPublications = new io.aeron.ExclusivePublication[0];
            readAssembler = null;
        }
        else
        {
            final String[] endpoints = readEndpoints.split(",");
            readPublications = new io.aeron.ExclusivePublication[endpoints.length];
            for (int i = 0; i < endpoints.length; i++)
            {
                readPublications[i] = aeron.addExclusivePublication(
                    "aeron:udp?endpoint=" + endpoints[i].trim(), CellProtocol.READ_STREAM_ID);
            }
            readReplies = aeron.addSubscription("aeron:udp?endpoint=" + CellLayout.HOST + ":0", READ_REPLY_STREAM_ID);
            readAssembler = new io.aeron.FragmentAssembler(
                (buffer, offset, length, header) -> egress.onMessage(0, 0, buffer, offset, length, header));
            readMember = ThreadLocalRandom.current().nextInt(endpoints.length);
        }
    }

    private static final int READ_REPLY_STREAM_ID = 1202;

    /**
     * @return how many eventually consistent reads were answered by a member outside the log.
     */
    public long readsAnsweredOutsideTheLog()
    {
        return readsAnswered;
    }

    /**
     * Starts the client's media driver (unless the config names one) and its Aeron client. Does not wait for
     * the cell: the first call connects (within its own timeout).
     *
     * @param config the settings; ingress endpoints are required.
     * @return the client, owned by the calling thread.
     */
    public static CellClient connect(final CellClientConfig config)
    {
        if (null == config.ingressEndpoints() || config.ingressEndpoints().isBlank())
        {
            throw new IllegalArgumentException("a cell client needs the members' ingress endpoints " +
                "(0=127.0.0.1:p0,1=127.0.0.1:p1,...)");
        }
        MediaDriver driver = null;
        DriverWaker waker = config.driverWaker();
        String aeronDir = config.aeronDir();
        if (null == aeronDir)
        {
            waker = new DriverWaker();
            aeronDir = Path.of(System.getProperty("java.io.tmpdir"),
                "ferrite-cell-client-" + ProcessHandle.current().pid() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()))
                .toString();
            driver = MediaDriver.launchEmbedded(waker.configure(new MediaDriver.Context(),
                    new BackoffIdleStrategy(10, 20, 1_000, 100_000))
                .aeronDirectoryName(aeronDir)
                .threadingMode(ThreadingMode.SHARED)
                .termBufferSparseFile(true)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
        }
        try
        {
            // Not Aeron's default error handler: it ends the JVM when the driver stops answering, and a driver the
            // application names (aeronDir) is not this client's to outlive it by.
            final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir).errorHandler(
                DriverTimeouts.reportWithoutExit("ferrite cell client", "the client cannot reach the cell through it: " +
                "close it, and connect a new one once a driver runs")));
            return new CellClient(config, driver, waker, aeron);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            throw ex;
        }
    }

    /**
     * @return a fresh request id (ids only increase; a caller may also choose its own).
     */
    public long newRequestId()
    {
        return nextRequestId++;
    }

    /**
     * @return the id under which the cell remembers this client's writes.
     */
    public long clientId()
    {
        return config.clientId();
    }

    /**
     * @return the leader this client last heard of, or -1.
     */
    public int leaderMemberId()
    {
        return leaderMemberId;
    }

    /**
     * @return how many requests were sent again (new leader, resend interval, reconnect).
     */
    public long resends()
    {
        return resends;
    }

    /**
     * @return how many times a new leader was announced to this client.
     */
    public long leaderChanges()
    {
        return leaderChanges;
    }

    // ---------------------------------------------------------------------------------------------
    // Calls
    // ---------------------------------------------------------------------------------------------

    /**
     * PutItem (unconditional) with the default timeout and a fresh request id.
     */
    public CellResult putItem(final String table, final Map<String, AttributeValue> item)
    {
        return putItem(table, item, null, null, null, newRequestId(), config.requestTimeoutMs());
    }

    /**
     * PutItem, optionally conditional.
     *
     * @param table     the table.
     * @param item      the item.
     * @param condition a ConditionExpression, or null.
     * @param names     ExpressionAttributeNames, or null.
     * @param values    ExpressionAttributeValues, or null.
     * @param requestId the request id (keep it to retry the same write).
     * @param timeoutMs how long to wait for the answer, connecting and failovers included.
     * @return the outcome.
     */
    public CellResult putItem(
        final String table,
        final Map<String, AttributeValue> item,
        final String condition,
        final Map<String, String> names,
        final Map<String, AttributeValue> values,
        final long requestId,
        final long timeoutMs)
    {
        final byte[] itemBytes = ItemCodec.encode(item);
        final long correlationId = nextCorrelationId++;
        beginPut(correlationId, requestId)
            .tableName(table)
            .putItem(itemBytes, 0, itemBytes.length)
            .conditionExpression(nullToEmpty(condition));
        putBytes(namesBytes(names), putEncoder::putExpressionAttributeNames);
        putBytes(valuesBytes(values), putEncoder::putExpressionAttributeValues);
        return call(CellProtocol.KIND_REQUEST, putFrameLength(), correlationId, requestId, timeoutMs);
    }

    /**
     * GetItem with the default timeout.
     */
    public CellResult getItem(final String table, final Map<String, AttributeValue> key, final boolean consistentRead)
    {
        return getItem(table, key, consistentRead, config.requestTimeoutMs());
    }

    /**
     * GetItem. Goes through the cell's log either way (so it is linearizable); {@code consistentRead} is carried.
     *
     * @return OK with the item, or OK with a null item when there is none.
     */
    public CellResult getItem(
        final String table, final Map<String, AttributeValue> key, final boolean consistentRead, final long timeoutMs)
    {
        final byte[] keyBytes = ItemCodec.encode(key);
        final long correlationId = nextCorrelationId++;
        final long requestId = newRequestId();
        final boolean direct = !consistentRead && null != readReplies;
        final int length = encodeGetItem(
            direct, correlationId, requestId, consistentRead, tableBytes(table), new UnsafeBuffer(keyBytes), 0,
            keyBytes.length);
        return direct ? readCall(length, correlationId, requestId, timeoutMs) :
            call(CellProtocol.KIND_REQUEST, length, correlationId, requestId, timeoutMs);
    }

    /**
     * Encodes a GetItem (no projection) into the send buffer: at the read endpoint's frame start when it goes
     * {@code direct} to a member, else after the cell protocol's header.
     *
     * @return the frame's length.
     */
    private int encodeGetItem(
        final boolean direct,
        final long correlationId,
        final long requestId,
        final boolean consistentRead,
        final byte[] tableName,
        final DirectBuffer key,
        final int offset,
        final int length)
    {
        final int start = direct ? readFrameStart() : CellProtocol.HEADER_LENGTH;
        getEncoder.wrapAndApplyHeader(sendBuffer, start, headerEncoder)
            .correlationId(correlationId)
            .requestId(requestId)
            .consistentRead(consistentRead ? BooleanType.TRUE : BooleanType.FALSE)
            .returnConsumedCapacity(ReturnConsumedCapacityType.NONE)
            .putTableName(tableName, 0, tableName.length)
            .putKey(key, offset, length)
            .putProjectionExpression(EMPTY, 0, 0)
            .putExpressionAttributeNames(EMPTY, 0, 0);
        return start + MessageHeaderEncoder.ENCODED_LENGTH + getEncoder.encodedLength();
    }

    // ---------------------------------------------------------------------------------------------
    // Allocation-free calls: items as SBE item-format bytes, the answer kept in the client until the next call
    // ---------------------------------------------------------------------------------------------

    /**
     * PutItem (unconditional, ReturnValues NONE) of an item already in Ferrite's item format, without allocating
     * (once the client is connected and the table name is the same String as in the previous call or its bytes are
     * cached): the answer is read with {@link #answerErrorCode()} and {@link #answerMessage()}.
     *
     * @param table     the table.
     * @param item      the item's bytes (Ferrite's item format, {@link io.ferrite.codecs.item.ItemCodec}).
     * @param offset    where they start.
     * @param length    how many.
     * @param requestId the request id (keep it to retry the same write).
     * @param timeoutMs how long to wait for the answer, connecting and failovers included.
     * @return OK, CONDITION_FAILED, ERROR or TIMED_OUT (the write may or may not be applied: retry with the same id).
     */
    public CellResult.Outcome putItem(
        final String table, final DirectBuffer item, final int offset, final int length, final long requestId,
        final long timeoutMs)
    {
        final byte[] name = tableBytes(table);
        final long correlationId = nextCorrelationId++;
        beginPut(correlationId, requestId)
            .putTableName(name, 0, name.length)
            .putItem(item, offset, length)
            .putConditionExpression(EMPTY, 0, 0)
            .putExpressionAttributeNames(EMPTY, 0, 0)
            .putExpressionAttributeValues(EMPTY, 0, 0);
        final boolean answeredInTime = exchange(CellProtocol.KIND_REQUEST, putFrameLength(), correlationId, timeoutMs);
        return outcome(answeredInTime, requestId, timeoutMs, false);
    }

    /**
     * Starts a PutItem request in {@link #sendBuffer} after the envelope: its fixed fields (ReturnValues and
     * ReturnConsumedCapacity NONE); the caller writes the variable-length fields in the schema's order.
     */
    private PutItemRequestEncoder beginPut(final long correlationId, final long requestId)
    {
        return putEncoder.wrapAndApplyHeader(sendBuffer, CellProtocol.HEADER_LENGTH, headerEncoder)
            .correlationId(correlationId)
            .requestId(requestId)
            .returnValues(ReturnValuesType.NONE)
            .returnConsumedCapacity(ReturnConsumedCapacityType.NONE);
    }

    /**
     * @return the length of the frame holding the PutItem request {@link #beginPut} started, envelope included.
     */
    private int putFrameLength()
    {
        return CellProtocol.HEADER_LENGTH + MessageHeaderEncoder.ENCODED_LENGTH + putEncoder.encodedLength();
    }

    /**
     * GetItem of a key already in Ferrite's item format, without allocating (as {@link #putItem(String, DirectBuffer,
     * int, int, long, long)}): the item found is {@link #answerItem()} ({@link #answerFound()}), valid until the next
     * call. Strongly consistent reads go through the log; eventually consistent ones to a member's read endpoint when
     * the config names them.
     *
     * @return OK (found or not), ERROR or TIMED_OUT.
     */
    public CellResult.Outcome getItem(
        final String table, final DirectBuffer key, final int offset, final int length, final boolean consistentRead,
        final long timeoutMs)
    {
        final long correlationId = nextCorrelationId++;
        final long requestId = newRequestId();
        final boolean direct = !consistentRead && null != readReplies;
        final int frameLength = encodeGetItem(
            direct, correlationId, requestId, consistentRead, tableBytes(table), key, offset, length);
        if (direct)
        {
            return outcome(readExchange(frameLength, correlationId, timeoutMs), requestId, timeoutMs, true);
        }
        return outcome(exchange(CellProtocol.KIND_REQUEST, frameLength, correlationId, timeoutMs), requestId, timeoutMs,
            false);
    }

    /**
     * @return the item of the last allocation-free call's answer (Ferrite's item format; empty when none), valid until
     * the next call.
     */
    public DirectBuffer answerItem()
    {
        return answerItem;
    }

    /**
     * @return whether the last allocation-free GetItem found its item.
     */
    public boolean answerFound()
    {
        return answerFound;
    }

    /**
     * @return the error code of the last allocation-free call's answer, or null when it succeeded or timed out.
     */
    public ErrorCode answerErrorCode()
    {
        return answerErrorCode;
    }

    /**
     * @return what went wrong in the last allocation-free call (its error message or why it timed out), or null; this
     * one allocates.
     */
    public String answerMessage()
    {
        if (null != answerTimeout)
        {
            return answerTimeout;
        }
        if (null != answerErrorCode)
        {
            headerDecoder.wrap(answer, 0);
            return errorDecoder.wrapAndApplyHeader(answer, 0, headerDecoder).message();
        }
        return null;
    }

    /**
     * @return how many times the last call was sent.
     */
    public int answerAttempts()
    {
        return callAttempts;
    }

    private byte[] tableBytes(final String table)
    {
        if (table != lastTableName && !table.equals(lastTableName))
        {
            lastTableBytes = table.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        lastTableName = table;
        return lastTableBytes;
    }

    private CellResult.Outcome outcome(final boolean answeredInTime, final long requestId, final long timeoutMs, final boolean read)
    {
        answerItem.wrap(answer, 0, 0);
        answerFound = false;
        answerErrorCode = null;
        answerTimeout = null;
        answerRequestId = requestId;
        if (!answeredInTime)
        {
            answerTimeout = read ? readTimeoutMessage(timeoutMs) : timedOut(requestId, callAttempts, timeoutMs, callSent).message();
            return CellResult.Outcome.TIMED_OUT;
        }
        headerDecoder.wrap(answer, 0);
        switch (headerDecoder.templateId())
        {
            case ItemResponseDecoder.TEMPLATE_ID:
            {
                itemDecoder.wrapAndApplyHeader(answer, 0, headerDecoder);
                answerFound = BooleanType.TRUE == itemDecoder.found();
                final int itemLength = itemDecoder.itemLength();
                if (answerFound && itemLength > 0)
                {
                    answerItem.wrap(answer, itemDecoder.limit() + 4, itemLength);
                }
                return CellResult.Outcome.OK;
            }
            case ErrorResponseDecoder.TEMPLATE_ID:
            {
                errorDecoder.wrapAndApplyHeader(answer, 0, headerDecoder);
                answerErrorCode = errorDecoder.errorCode();
                return ErrorCode.ConditionalCheckFailedException == answerErrorCode ?
                    CellResult.Outcome.CONDITION_FAILED : CellResult.Outcome.ERROR;
            }
            default:
                return CellResult.Outcome.OK;
        }
    }

    /**
     * UpdateItem with an UpdateExpression (SET, REMOVE, ADD, DELETE) and an optional condition.
     *
     * @param returnValues what to return (NONE, ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW), null for NONE.
     */
    public CellResult updateItem(
        final String table,
        final Map<String, AttributeValue> key,
        final String updateExpression,
        final String condition,
        final Map<String, String> names,
        final Map<String, AttributeValue> values,
        final ReturnValues returnValues,
        final long requestId,
        final long timeoutMs)
    {
        final byte[] keyBytes = ItemCodec.encode(key);
        final long correlationId = nextCorrelationId++;
        final int start = CellProtocol.HEADER_LENGTH;
        updateEncoder.wrapAndApplyHeader(sendBuffer, start, headerEncoder)
            .correlationId(correlationId)
            .requestId(requestId)
            .returnValues(returnValuesType(returnValues))
            .returnConsumedCapacity(ReturnConsumedCapacityType.NONE)
            .tableName(table)
            .putKey(keyBytes, 0, keyBytes.length)
            .putSetAttributes(EMPTY, 0, 0)
            .putRemoveAttributes(EMPTY, 0, 0)
            .updateExpression(nullToEmpty(updateExpression))
            .conditionExpression(nullToEmpty(condition));
        putBytes(namesBytes(names), updateEncoder::putExpressionAttributeNames);
        putBytes(valuesBytes(values), updateEncoder::putExpressionAttributeValues);
        return call(CellProtocol.KIND_REQUEST, start + MessageHeaderEncoder.ENCODED_LENGTH + updateEncoder.encodedLength(),
            correlationId, requestId, timeoutMs);
    }

    /**
     * DeleteItem, optionally conditional.
     */
    public CellResult deleteItem(
        final String table,
        final Map<String, AttributeValue> key,
        final String condition,
        final Map<String, String> names,
        final Map<String, AttributeValue> values,
        final long requestId,
        final long timeoutMs)
    {
        final byte[] keyBytes = ItemCodec.encode(key);
        final long correlationId = nextCorrelationId++;
        final int start = CellProtocol.HEADER_LENGTH;
        deleteEncoder.wrapAndApplyHeader(sendBuffer, start, headerEncoder)
            .correlationId(correlationId)
            .requestId(requestId)
            .returnValues(ReturnValuesType.NONE)
            .returnConsumedCapacity(ReturnConsumedCapacityType.NONE)
            .tableName(table)
            .putKey(keyBytes, 0, keyBytes.length)
            .conditionExpression(nullToEmpty(condition));
        putBytes(namesBytes(names), deleteEncoder::putExpressionAttributeNames);
        putBytes(valuesBytes(values), deleteEncoder::putExpressionAttributeValues);
        return call(CellProtocol.KIND_REQUEST, start + MessageHeaderEncoder.ENCODED_LENGTH + deleteEncoder.encodedLength(),
            correlationId, requestId, timeoutMs);
    }

    /**
     * Query: one page of a partition key's items, optionally with a sort key condition.
     *
     * @param sortKeyCondition NONE, or the condition on {@code sortKey} (and {@code sortKeyUpper} for BETWEEN).
     * @param limit            the most items, 0 for no limit but the page size.
     * @param exclusiveStartKey where the previous page stopped, or null.
     */
    public CellResult query(
        final String table,
        final AttributeValue partitionKey,
        final SortKeyCondition sortKeyCondition,
        final AttributeValue sortKey,
        final AttributeValue sortKeyUpper,
        final int limit,
        final Map<String, AttributeValue> exclusiveStartKey,
        final boolean consistentRead,
        final long timeoutMs)
    {
        final long correlationId = nextCorrelationId++;
        final long requestId = newRequestId();
        final boolean direct = !consistentRead && null != readReplies;
        final int start = direct ? readFrameStart() : CellProtocol.HEADER_LENGTH;
        final SortKeyCondition condition = null == sortKeyCondition ? SortKeyCondition.NONE : sortKeyCondition;
        queryEncoder.wrapAndApplyHeader(sendBuffer, start, headerEncoder)
            .correlationId(correlationId)
            .requestId(requestId)
            .condition(SortKeyConditionType.get((short)condition.ordinal()))
            .scanIndexForward(BooleanType.TRUE)
            .consistentRead(consistentRead ? BooleanType.TRUE : BooleanType.FALSE)
            .pageLimit(limit)
            .returnConsumedCapacity(ReturnConsumedCapacityType.NONE)
            .tableName(table);
        putBytes(valueBytes(partitionKey), queryEncoder::putPartitionKeyValue);
        putBytes(null == sortKey ? null : valueBytes(sortKey), queryEncoder::putSortKeyValue);
        putBytes(null == sortKeyUpper ? null : valueBytes(sortKeyUpper), queryEncoder::putSortKeyUpper);
        putBytes(null == exclusiveStartKey ? null : ItemCodec.encode(exclusiveStartKey), queryEncoder::putExclusiveStartKey);
        queryEncoder.keyConditionExpression("").filterExpression("").projectionExpression("")
            .putExpressionAttributeNames(EMPTY, 0, 0).putExpressionAttributeValues(EMPTY, 0, 0);
        final int length = start + MessageHeaderEncoder.ENCODED_LENGTH + queryEncoder.encodedLength();
        return direct ? readCall(length, correlationId, requestId, timeoutMs) :
            call(CellProtocol.KIND_REQUEST, length, correlationId, requestId, timeoutMs);
    }

    /**
     * CreateTable (a write: retried with its request id, so a retry after a failover answers as the first did).
     */
    public CellResult createTable(final TableSpec spec, final long timeoutMs)
    {
        final long correlationId = nextCorrelationId++;
        final long requestId = newRequestId();
        final int start = CellProtocol.HEADER_LENGTH;
        final TableCapacity capacity = null == spec.capacity() ? TableCapacity.ON_DEMAND : spec.capacity();
        final boolean provisioned = BillingMode.PROVISIONED == capacity.billingMode();
        createTableEncoder.wrapAndApplyHeader(sendBuffer, start, headerEncoder)
            .correlationId(correlationId)
            .requestId(requestId)
            .billingMode(provisioned ? io.ferrite.codecs.sbe.BillingMode.PROVISIONED : io.ferrite.codecs.sbe.BillingMode.PAY_PER_REQUEST)
            .readCapacityUnits(capacity.readCapacityUnits())
            .writeCapacityUnits(capacity.writeCapacityUnits());
        final CreateTableRequestEncoder.KeySchemaEncoder keys = createTableEncoder.keySchemaCount(null == spec.sortKeyName() ? 1 : 2);
        keys.next().keyRole(KeyRole.HASH).attributeType(attributeType(spec.partitionKeyType())).attributeName(spec.partitionKeyName());
        if (null != spec.sortKeyName())
        {
            keys.next().keyRole(KeyRole.RANGE).attributeType(attributeType(spec.sortKeyType())).attributeName(spec.sortKeyName());
        }
        createTableEncoder.tableName(spec.tableName());
        return call(CellProtocol.KIND_REQUEST, start + MessageHeaderEncoder.ENCODED_LENGTH + createTableEncoder.encodedLength(),
            correlationId, requestId, timeoutMs);
    }

    /**
     * DescribeTable: OK when the table exists.
     */
    public CellResult describeTable(final String table, final long timeoutMs)
    {
        final long correlationId = nextCorrelationId++;
        final long requestId = newRequestId();
        final int start = CellProtocol.HEADER_LENGTH;
        describeTableEncoder.wrapAndApplyHeader(sendBuffer, start, headerEncoder)
            .correlationId(correlationId).requestId(requestId).tableName(table);
        return call(CellProtocol.KIND_REQUEST,
            start + MessageHeaderEncoder.ENCODED_LENGTH + describeTableEncoder.encodedLength(), correlationId, requestId, timeoutMs);
    }

    /**
     * Asks every member for its replica checksum at one log position: each writes it to
     * {@code member-i/checksum.properties}; the leader's comes back as the item ({@code checksum}, {@code items},
     * {@code logPosition}, {@code memberId}).
     */
    public CellResult checksum(final long timeoutMs)
    {
        final long correlationId = nextCorrelationId++;
        sendBuffer.putLong(CellProtocol.HEADER_LENGTH, correlationId, ByteOrder.LITTLE_ENDIAN);
        return call(CellProtocol.KIND_CHECKSUM, CellProtocol.HEADER_LENGTH + 8, correlationId, 0, timeoutMs);
    }

    /**
     * Keeps the cluster session alive and processes events while the owner has nothing to send (a session with
     * no traffic for the cell's session timeout, 10 s by default, is closed, and the next call reconnects).
     *
     * @return work done.
     */
    public int poll()
    {
        if (null == cluster || cluster.isClosed())
        {
            return 0;
        }
        int work = cluster.pollEgress();
        final long now = System.nanoTime();
        if (now - lastSendNs > KEEP_ALIVE_INTERVAL_NS && cluster.sendKeepAlive())
        {
            lastSendNs = now;
            work++;
        }
        return work;
    }

    // ---------------------------------------------------------------------------------------------
    // The call loop
    // ---------------------------------------------------------------------------------------------

    private CellResult call(final int kind, final int length, final long correlationId, final long requestId, final long timeoutMs)
    {
        return exchange(kind, length, correlationId, timeoutMs) ? decodeAnswer(requestId, callAttempts) :
            timedOut(requestId, callAttempts, timeoutMs, callSent);
    }

    /**
     * Sends the request in {@link #sendBuffer} until its answer (with this correlation id) is in {@link #answer} or the
     * time is up; leaves the attempts made in {@link #callAttempts}. Allocates nothing while connected.
     *
     * @return true when answered, false when timed out.
     */
    private boolean exchange(final int kind, final int length, final long correlationId, final long timeoutMs)
    {
        if (closed)
        {
            throw new IllegalStateException("the cell client is closed");
        }
        CellProtocol.writeHeader(sendBuffer, 0, kind, config.clientId());
        final long startNs = System.nanoTime();
        final long deadlineNs = startNs + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final long resendIntervalNs = TimeUnit.MILLISECONDS.toNanos(config.resendIntervalMs());
        pendingCorrelationId = correlationId;
        answered = false;
        newLeader = false;
        int attempts = 0;
        boolean sent = false;
        long resendAtNs = 0;
        idle.reset();
        waiting(Thread.currentThread());
        try
        {
            while (true)
            {
                int work = 0;
                final long now = System.nanoTime();
                if (now - deadlineNs >= 0)
                {
                    callAttempts = attempts;
                    callSent = sent;
                    return false;
                }
                if (!connected(now, deadlineNs))
                {
                    sent = false;
                    idle.idle();
                    continue;
                }
                try
                {
                    work += cluster.pollEgress();
                }
                catch (final RuntimeException ex)
                {
                    lastProblem = "the cluster session failed: " + ex.getMessage();
                    CloseHelper.quietClose(cluster);
                    cluster = null;
                    continue;
                }
                if (answered)
                {
                    callAttempts = attempts;
                    callSent = sent;
                    return true;
                }
                if (cluster.isClosed())
                {
                    lastProblem = "the cell closed this client's session";
                    continue;
                }
                if (!sent || newLeader || now - resendAtNs >= 0)
                {
                    long result;
                    try
                    {
                        result = cluster.offer(sendBuffer, 0, length);
                    }
                    catch (final RuntimeException ex)
                    {
                        lastProblem = "offering to the cell failed: " + ex.getMessage();
                        result = Publication.CLOSED;
                    }
                    if (result > 0)
                    {
                        if (sent)
                        {
                            resends++;
                        }
                        sent = true;
                        newLeader = false;
                        attempts++;
                        lastSendNs = now;
                        resendAtNs = now + resendIntervalNs;
                        work++;
                        wakeDriver();
                    }
                    else if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
                    {
                        lastProblem = "the ingress publication closed (" + result + ")";
                        CloseHelper.quietClose(cluster);
                        cluster = null;
                    }
                    else
                    {
                        lastProblem = Publication.NOT_CONNECTED == result ? "the leader's ingress is not connected" :
                            "the leader's ingress is back-pressured";
                    }
                }
                idle.idle(work);
            }
        }
        finally
        {
            pendingCorrelationId = 0;
            waiting(null);
        }
    }

    /**
     * Where a read frame starts after the envelope and the reply address; resolves the reply subscription's port
     * on first use.
     */
    private int readFrameStart()
    {
        if (null == readReplyChannel)
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            String resolved;
            while (null == (resolved = readReplies.tryResolveChannelEndpointPort()))
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw new IllegalStateException("the read reply subscription did not bind a port within 5 s");
                }
                Thread.onSpinWait();
            }
            readReplyChannel = resolved.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return CellProtocol.HEADER_LENGTH + 8 + readReplyChannel.length;
    }

    /**
     * An eventually consistent read: sent to one member's read endpoint, answered from that member's applied state
     * without the log; asked of the next member when unanswered for {@link CellClientConfig#readRetryMs()}.
     */
    private CellResult readCall(final int length, final long correlationId, final long requestId, final long timeoutMs)
    {
        if (readExchange(length, correlationId, timeoutMs))
        {
            return decodeAnswer(requestId, callAttempts);
        }
        return new CellResult(CellResult.Outcome.TIMED_OUT, requestId, null, List.of(), null, null,
            readTimeoutMessage(timeoutMs), callAttempts);
    }

    private String readTimeoutMessage(final long timeoutMs)
    {
        return "no member answered the eventually consistent read within " + timeoutMs + " ms (" + callAttempts +
            " attempt(s) over " + readPublications.length + " read endpoints)";
    }

    private boolean readExchange(final int length, final long correlationId, final long timeoutMs)
    {
        CellProtocol.writeHeader(sendBuffer, 0, CellProtocol.KIND_READ, config.clientId());
        sendBuffer.putInt(CellProtocol.HEADER_LENGTH, READ_REPLY_STREAM_ID, ByteOrder.LITTLE_ENDIAN);
        sendBuffer.putInt(CellProtocol.HEADER_LENGTH + 4, readReplyChannel.length, ByteOrder.LITTLE_ENDIAN);
        sendBuffer.putBytes(CellProtocol.HEADER_LENGTH + 8, readReplyChannel);
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final long retryNs = TimeUnit.MILLISECONDS.toNanos(config.readRetryMs());
        pendingCorrelationId = correlationId;
        answered = false;
        int attempts = 0;
        long nextSendNs = 0;
        long askedSinceNs = System.nanoTime();
        idle.reset();
        waiting(Thread.currentThread());
        try
        {
            while (true)
            {
                final long now = System.nanoTime();
                if (now - deadlineNs >= 0)
                {
                    callAttempts = attempts;
                    return false;
                }
                int work = readReplies.poll(readAssembler, 16);
                if (answered)
                {
                    readsAnswered++;
                    callAttempts = attempts;
                    return true;
                }
                if (now - nextSendNs >= 0)
                {
                    if (now - askedSinceNs >= retryNs)
                    {
                        readMember = (readMember + 1) % readPublications.length; // this one is slow, down or behind
                        askedSinceNs = now;
                    }
                    final long result = readPublications[readMember].offer(sendBuffer, 0, length);
                    if (result > 0)
                    {
                        attempts++;
                        nextSendNs = now + retryNs / 4; // the member drops reads until its reply publication connects
                        work++;
                        wakeDriver();
                    }
                    else
                    {
                        nextSendNs = now + TimeUnit.MILLISECONDS.toNanos(1);
                    }
                }
                idle.idle(work);
            }
        }
        finally
        {
            pendingCorrelationId = 0;
            waiting(null);
        }
    }

    private void waiting(final Thread thread)
    {
        if (null != waker)
        {
            waker.waiting(wakerSlot, thread);
        }
    }

    private void wakeDriver()
    {
        if (null != waker)
        {
            waker.wakeDriver();
        }
    }

    /**
     * @return true when a cluster session is up; otherwise advances (or starts) a connect attempt.
     */
    private boolean connected(final long now, final long deadlineNs)
    {
        if (null != cluster && !cluster.isClosed())
        {
            return true;
        }
        if (null != cluster)
        {
            CloseHelper.quietClose(cluster);
            cluster = null;
        }
        try
        {
            if (null == connecting)
            {
                connectAttemptDeadlineNs = now + CONNECT_ATTEMPT_TIMEOUT_NS;
                connecting = AeronCluster.asyncConnect(new AeronCluster.Context()
                    .aeron(aeron)
                    .ownsAeronClient(false)
                    .ingressChannel("aeron:udp")
                    .ingressEndpoints(config.ingressEndpoints())
                    .egressChannel("aeron:udp?endpoint=" + CellLayout.HOST + ":0")
                    .messageTimeoutNs(CONNECT_ATTEMPT_TIMEOUT_NS)
                    .newLeaderTimeoutNs(NEW_LEADER_TIMEOUT_NS)
                    .egressListener(egress));
            }
            final AeronCluster ready = connecting.poll();
            if (null != ready)
            {
                connecting = null;
                cluster = ready;
                leaderMemberId = ready.leaderMemberId();
                lastSendNs = now;
                return true;
            }
            if (now - connectAttemptDeadlineNs >= 0)
            {
                lastProblem = "no leader answered a connect request within " +
                    TimeUnit.NANOSECONDS.toMillis(CONNECT_ATTEMPT_TIMEOUT_NS) + " ms";
                CloseHelper.quietClose(connecting);
                connecting = null;
            }
        }
        catch (final RuntimeException ex)
        {
            lastProblem = "connecting to the cell failed: " + ex.getMessage();
            CloseHelper.quietClose(connecting);
            connecting = null;
        }
        return false;
    }

    private CellResult timedOut(final long requestId, final int attempts, final long timeoutMs, final boolean sent)
    {
        final String what = null == cluster || cluster.isClosed() ?
            "no leader reachable (" + lastProblem + ")" :
            (sent ? "sent " + attempts + " time(s) without an answer (last known leader: member " + leaderMemberId +
                "; no majority to commit it?)" : lastProblem);
        return new CellResult(CellResult.Outcome.TIMED_OUT, requestId, null, List.of(), null, null,
            "the cell did not answer within " + timeoutMs + " ms: " + what + "; a write may or may not be applied, " +
            "retry it with request id " + requestId, attempts);
    }

    private CellResult decodeAnswer(final long requestId, final int attempts)
    {
        headerDecoder.wrap(answer, 0);
        final int templateId = headerDecoder.templateId();
        switch (templateId)
        {
            case ItemResponseDecoder.TEMPLATE_ID:
            {
                itemDecoder.wrapAndApplyHeader(answer, 0, headerDecoder);
                final boolean found = BooleanType.TRUE == itemDecoder.found();
                final int itemLength = itemDecoder.itemLength();
                final Map<String, AttributeValue> item = found && itemLength > 0 ?
                    ItemCodec.decode(answer, itemDecoder.limit() + 4, itemLength) : null;
                return new CellResult(CellResult.Outcome.OK, requestId, item, List.of(), null, null, null, attempts);
            }
            case ItemsPageResponseDecoder.TEMPLATE_ID:
            {
                pageDecoder.wrapAndApplyHeader(answer, 0, headerDecoder);
                final List<Map<String, AttributeValue>> items = new ArrayList<>();
                for (final ItemsPageResponseDecoder.ItemsDecoder entry : pageDecoder.items())
                {
                    final byte[] bytes = new byte[entry.itemLength()];
                    entry.getItem(bytes, 0, bytes.length);
                    items.add(ItemCodec.decode(new UnsafeBuffer(bytes), 0, bytes.length));
                }
                final byte[] last = new byte[pageDecoder.lastEvaluatedKeyLength()];
                pageDecoder.getLastEvaluatedKey(last, 0, last.length);
                return new CellResult(CellResult.Outcome.OK, requestId, null, Collections.unmodifiableList(items),
                    0 == last.length ? null : ItemCodec.decode(new UnsafeBuffer(last), 0, last.length), null, null, attempts);
            }
            case ErrorResponseDecoder.TEMPLATE_ID:
            {
                errorDecoder.wrapAndApplyHeader(answer, 0, headerDecoder);
                final ErrorCode code = errorDecoder.errorCode();
                final String message = errorDecoder.message();
                return new CellResult(ErrorCode.ConditionalCheckFailedException == code ?
                    CellResult.Outcome.CONDITION_FAILED : CellResult.Outcome.ERROR, requestId, null, List.of(), null, code,
                    message, attempts);
            }
            default:
                // TableDescriptionResponse, ListTablesResponse: success
                return new CellResult(CellResult.Outcome.OK, requestId, null, List.of(), null, null, null, attempts);
        }
    }

    private final class Egress implements EgressListener
    {
        public void onMessage(
            final long clusterSessionId,
            final long timestamp,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final Header header)
        {
            if (answered || 0 == pendingCorrelationId || length < MessageHeaderDecoder.ENCODED_LENGTH + 8)
            {
                return;
            }
            final long correlationId = buffer.getLong(offset + MessageHeaderDecoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN);
            if (correlationId == pendingCorrelationId)
            {
                answer.putBytes(0, buffer, offset, length);
                answerLength = length;
                answered = true;
            }
        }

        public void onSessionEvent(
            final long correlationId,
            final long clusterSessionId,
            final long leadershipTermId,
            final int leaderMemberId,
            final EventCode code,
            final String detail)
        {
            if (EventCode.OK != code)
            {
                lastProblem = "session event " + code + ": " + detail;
            }
        }

        public void onNewLeader(
            final long clusterSessionId, final long leadershipTermId, final int leaderMemberId, final String ingressEndpoints)
        {
            CellClient.this.leaderMemberId = leaderMemberId;
            newLeader = true;
            leaderChanges++;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Encoding helpers
    // ---------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface BytesField
    {
        Object put(byte[] bytes, int offset, int length);
    }

    private static void putBytes(final byte[] bytes, final BytesField field)
    {
        if (null == bytes)
        {
            field.put(new byte[0], 0, 0);
        }
        else
        {
            field.put(bytes, 0, bytes.length);
        }
    }

    private static byte[] namesBytes(final Map<String, String> names)
    {
        if (null == names || names.isEmpty())
        {
            return null;
        }
        final Map<String, AttributeValue> asItem = new HashMap<>();
        names.forEach((k, v) -> asItem.put(k, AttributeValue.s(v)));
        return ItemCodec.encode(asItem);
    }

    private static byte[] valuesBytes(final Map<String, AttributeValue> values)
    {
        return null == values || values.isEmpty() ? null : ItemCodec.encode(values);
    }

    private byte[] valueBytes(final AttributeValue value)
    {
        final int length = ItemCodec.encode(Map.of("v", value), writer);
        final DirectBuffer buffer = writer.buffer();
        final int valueOffset = ItemFormat.valueOffset(buffer, ItemFormat.firstEntry(0));
        final byte[] bytes = new byte[length - valueOffset];
        buffer.getBytes(valueOffset, bytes);
        return bytes;
    }

    private static String nullToEmpty(final String text)
    {
        return null == text ? "" : text;
    }

    private static ReturnValuesType returnValuesType(final ReturnValues returnValues)
    {
        if (null == returnValues)
        {
            return ReturnValuesType.NONE;
        }
        return switch (returnValues)
        {
            case ALL_OLD -> ReturnValuesType.ALL_OLD;
            case UPDATED_OLD -> ReturnValuesType.UPDATED_OLD;
            case ALL_NEW -> ReturnValuesType.ALL_NEW;
            case UPDATED_NEW -> ReturnValuesType.UPDATED_NEW;
            default -> ReturnValuesType.NONE;
        };
    }

    private static AttributeType attributeType(final KeyType type)
    {
        return switch (type)
        {
            case S -> AttributeType.S;
            case N -> AttributeType.N;
            default -> AttributeType.B;
        };
    }

    public void close()
    {
        if (!closed)
        {
            closed = true;
            CloseHelper.quietCloseAll(connecting, cluster);
            CloseHelper.quietCloseAll(readPublications);
            CloseHelper.quietCloseAll(readReplies, aeron, driver);
        }
    }
}
