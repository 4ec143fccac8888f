package io.ferrite.transport.client;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.ferrite.codecs.error.FerriteException;
import io.ferrite.transport.DriverTimeouts;
import io.ferrite.codecs.item.Utf8;
import io.ferrite.codecs.sbe.AttributeType;
import io.ferrite.codecs.sbe.BatchGetItemRequestEncoder;
import io.ferrite.codecs.sbe.BatchWriteItemRequestEncoder;
import io.ferrite.codecs.sbe.BooleanType;
import io.ferrite.codecs.sbe.ConnectRequestEncoder;
import io.ferrite.codecs.sbe.ConnectResponseDecoder;
import io.ferrite.codecs.sbe.CreateTableRequestEncoder;
import io.ferrite.codecs.sbe.DeleteItemRequestEncoder;
import io.ferrite.codecs.sbe.DeleteTableRequestEncoder;
import io.ferrite.codecs.sbe.DescribeTableRequestEncoder;
import io.ferrite.codecs.sbe.UpdateTableRequestEncoder;
import io.ferrite.codecs.sbe.ReturnConsumedCapacityType;
import io.ferrite.engine.admission.BillingMode;
import io.ferrite.engine.admission.ReturnConsumedCapacity;
import io.ferrite.codecs.sbe.DisconnectEncoder;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.codecs.sbe.ErrorResponseDecoder;
import io.ferrite.codecs.sbe.GetItemRequestEncoder;
import io.ferrite.codecs.sbe.ItemResponseDecoder;
import io.ferrite.codecs.sbe.ItemsPageResponseDecoder;
import io.ferrite.codecs.sbe.KeepAliveDecoder;
import io.ferrite.codecs.sbe.KeepAliveEncoder;
import io.ferrite.codecs.sbe.KeyRole;
import io.ferrite.codecs.sbe.ListTablesRequestEncoder;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import io.ferrite.codecs.sbe.PutItemRequestEncoder;
import io.ferrite.codecs.sbe.QueryRequestEncoder;
import io.ferrite.codecs.sbe.ReturnValuesType;
import io.ferrite.codecs.sbe.ReturnValuesOnConditionCheckFailureType;
import io.ferrite.codecs.sbe.ScanRequestEncoder;
import io.ferrite.codecs.sbe.SortKeyConditionType;
import io.ferrite.codecs.sbe.UpdateItemRequestEncoder;
import io.ferrite.codecs.sbe.WriteOp;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.WriteRequest;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.transport.ProtocolVersions;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Ferrite's SBE client over Aeron: asynchronous and pipelined. Each send method encodes a request into
 * a slot of its own, offers it to the node, and returns at once with a positive request id, or with a
 * negative status when the request could not be sent ({@link #BACK_PRESSURED}, {@link #IN_FLIGHT_LIMIT},
 * {@link #NOT_CONNECTED}, {@link #CLOSED}); nothing is ever queued without bound. A send that throws instead (a
 * name or expression UTF-8 cannot carry, such as an unpaired surrogate; a request too large for the channel) has
 * sent nothing and holds no in-flight slot. Responses are matched
 * to requests by correlation id and handed to the request's {@link ResponseHandler} from {@link #poll()}.
 * <p>
 * <b>Threading:</b> not thread-safe. One thread owns the client: it sends, and it calls {@link #poll()}
 * (duty-cycle style, in its own loop or as an Agrona {@link Agent}); callbacks run on that thread.
 * <b>Background mode:</b> {@link #startBackgroundThread(IdleStrategy)} makes a thread of the client's own
 * the owner; other threads then hand work to it with {@link #submit(ClientCommand)} (thread-safe, bounded,
 * allocation-free; false when the queue is full), and handlers run on the background thread.
 * {@link #submit(ClientCommand)}, {@link #counters()} and {@link #close()} of a background client may be
 * called from any thread. For a blocking API over Java values, see {@link FerriteBlockingClient}.
 * <p>
 * <b>Allocation:</b> in steady state, sending PutItem, GetItem, DeleteItem, UpdateItem, Query and Scan
 * and receiving their answers allocate nothing (each in-flight slot keeps its encoded request for
 * retries, growing only for a request larger than any it held before). Table management, batches and
 * the error path (message strings) allocate.
 * <p>
 * <b>Timeouts and retries:</b> every request has a deadline ({@link #requestTimeoutNs(long)}, default
 * from the config). An error that {@link RetryPolicy#isRetryable(ErrorCode)} is retried after a
 * jittered exponential back-off, with the same request id and a new correlation id, while the retry
 * budget and the deadline allow; so is a retry that Aeron back-pressures. A request with no answer by
 * its deadline fails with {@link ClientFailure#TIMEOUT}; a late answer is dropped and counted.
 * <p>
 * <b>Session:</b> {@link #connect(ClientConfig)} adds an exclusive request publication and a response
 * subscription, waits for the node, and does the ConnectRequest handshake. The client sends KeepAlive
 * when it has sent nothing for the keep-alive interval or heard nothing for a quarter of
 * {@link ClientConfig#nodeSilenceTimeoutNs()} (the node answers it), Disconnect on {@link #close()}, and when the
 * node goes away (its response image goes unavailable, the request publication closes, or the node sends nothing at
 * all for the node silence timeout while it owes an answer) fails every request in flight with
 * {@link ClientFailure#NODE_UNAVAILABLE}; a new client must then be connected. So a node that dies or freezes is
 * noticed within the node silence timeout through any media driver (see there).
 */
public final class FerriteClient implements Agent, AutoCloseable
{
    /** Send status: Aeron back-pressured the request publication; try again later. */
    public static final long BACK_PRESSURED = -1;
    /** Send status: the most requests allowed are in flight; poll, then try again. */
    public static final long IN_FLIGHT_LIMIT = -2;
    /** Send status: the node is gone (or never connected); connect a new client. */
    public static final long NOT_CONNECTED = -3;
    /** Send status: this client is closed. */
    public static final long CLOSED = -4;

    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final int CORRELATION_ID_OFFSET = HEADER_LENGTH;
    private static final long TIMER_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MALFORMED_LOG_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int INITIAL_SLOT_BYTES = 256;
    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);
    private static final ErrorCode[] ERROR_CODES_BY_VALUE = errorCodesByValue();

    private final ClientConfig config;
    private final RetryPolicy retryPolicy;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final boolean ownsAeron;
    private final Subscription subscription;
    private final ExclusivePublication publication;
    private final FragmentAssembler assembler;
    private final ErrorHandler handlerErrorHandler;
    private final ClientCounters counters = new ClientCounters();
    private final long clientId;
    private final String responseChannel;
    private final int responseStreamId;
    /**
     * The response image the node's ConnectResponse came on: the session's. Only its going away ends the session
     * (another image of the stream, such as one the node opened and gave up on during the handshake, is not the
     * session's). Owner thread only; its {@link Image#isClosed()} is the volatile signal from Aeron's conductor.
     */
    private Image sessionImage;
    private final ManyToOneConcurrentArrayQueue<ClientCommand> commands;
    private final java.util.function.Consumer<ClientCommand> commandRunner = this::runCommand;
    /** Submits between their look at {@link #refusingCommands} and their offer; close waits for none to be left. */
    private final java.util.concurrent.atomic.AtomicInteger submitsInProgress = new java.util.concurrent.atomic.AtomicInteger();
    /** Set by close: submit refuses from now on. */
    private volatile boolean refusingCommands;
    private AgentRunner backgroundRunner;
    private volatile Thread backgroundThread;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final PutItemRequestEncoder putEncoder = new PutItemRequestEncoder();
    private final GetItemRequestEncoder getEncoder = new GetItemRequestEncoder();
    private final DeleteItemRequestEncoder deleteEncoder = new DeleteItemRequestEncoder();
    private final UpdateItemRequestEncoder updateEncoder = new UpdateItemRequestEncoder();
    private final QueryRequestEncoder queryEncoder = new QueryRequestEncoder();
    private final ScanRequestEncoder scanEncoder = new ScanRequestEncoder();
    private final CreateTableRequestEncoder createTableEncoder = new CreateTableRequestEncoder();
    private final DeleteTableRequestEncoder deleteTableEncoder = new DeleteTableRequestEncoder();
    private final DescribeTableRequestEncoder describeTableEncoder = new DescribeTableRequestEncoder();
    private final UpdateTableRequestEncoder updateTableEncoder = new UpdateTableRequestEncoder();
    private ReturnConsumedCapacityType returnConsumedCapacity = ReturnConsumedCapacityType.NONE;
    private final ListTablesRequestEncoder listTablesEncoder = new ListTablesRequestEncoder();
    private final BatchGetItemRequestEncoder batchGetEncoder = new BatchGetItemRequestEncoder();
    private final BatchWriteItemRequestEncoder batchWriteEncoder = new BatchWriteItemRequestEncoder();
    /** How long the handshake waits for a ConnectResponse before sending its ConnectRequest again. */
    static final long CONNECT_RESEND_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private final ConnectRequestEncoder connectEncoder = new ConnectRequestEncoder();
    private final KeepAliveEncoder keepAliveEncoder = new KeepAliveEncoder();
    private final DisconnectEncoder disconnectEncoder = new DisconnectEncoder();
    private final ConnectResponseDecoder connectDecoder = new ConnectResponseDecoder();
    private final ItemResponseDecoder itemDecoder = new ItemResponseDecoder();
    private final ErrorResponseDecoder errorDecoder = new ErrorResponseDecoder();
    private final ItemsPage page = new ItemsPage();
    private final ExpandableArrayBuffer nameBuffer = new ExpandableArrayBuffer(256);
    private final ExpandableArrayBuffer textBuffer = new ExpandableArrayBuffer(256);
    private final UnsafeBuffer failedItemView = new UnsafeBuffer(0, 0);
    private final ExpandableArrayBuffer controlBuffer = new ExpandableArrayBuffer(1024);
    private final UnsafeBuffer byteArrayView = new UnsafeBuffer(new byte[0]);

    private final CorrelationTable correlations;
    private final ResponseCheck responseCheck = new ResponseCheck();
    private long lastMalformedLogNs;
    private long malformedNotLogged;
    private final long[] slotRequestId;
    private final long[] slotCorrelationId;
    private final long[] slotDeadlineNs;
    private final long[] slotTimeoutNs;
    private final long[] slotRetryAtNs;
    private final int[] slotAttempts;
    private final int[] slotLength;
    private final ErrorCode[] slotLastError;
    private final ResponseHandler[] slotHandler;
    private final ExpandableArrayBuffer[] slotBuffer;
    private final int[] freeSlots;
    private int freeCount;
    private int slotHighWater;
    private int pendingRetries;

    private long nextCorrelationId = 1;
    private long nextRequestId = 1;
    private long random;
    private long requestTimeoutNs;
    private long nowNs;
    private long nextTimerCheckNs;
    private long lastSendNs;
    private long keepAliveIntervalNs;
    /** Whether the node answers KeepAlive (its protocol version), so that its silence means it is gone. */
    private boolean nodeAnswersKeepAlive;
    /** The node silence timeout, and a quarter of it: how long the client hears nothing before it sends a KeepAlive. */
    private final long nodeSilenceTimeoutNs;
    private final long silenceProbeIntervalNs;
    /** When a poll last read anything at all from the node. */
    private long lastHeardNs;
    /** When the first message (request, retry or KeepAlive) sent since {@link #lastHeardNs} went; 0 when none has. */
    private long awaitingSinceNs;
    private long lastKeepAliveNs;
    private long sessionId;
    private int sessionTimeoutMs;
    private int nodeProtocolVersion;
    private boolean connected;
    private boolean closed;
    /** True during {@link #poll()}: a poll from a callback it makes is refused. Owner thread only. */
    private boolean polling;

    private long handshakeCorrelationId;
    private boolean handshakeAnswered;
    private ErrorCode handshakeError;
    private String handshakeErrorMessage;

    private FerriteClient(final ClientConfig config, final MediaDriver driver, final Aeron aeron, final boolean ownsAeron)
    {
        this.config = config;
        this.retryPolicy = config.retryPolicy();
        this.driver = driver;
        this.aeron = aeron;
        this.ownsAeron = ownsAeron;
        this.clientId = ThreadLocalRandom.current().nextLong();
        this.random = clientId | 1;
        this.requestTimeoutNs = config.requestTimeoutNs();
        this.nodeSilenceTimeoutNs = config.nodeSilenceTimeoutNs();
        this.silenceProbeIntervalNs = nodeSilenceTimeoutNs / 4;

        commands = new ManyToOneConcurrentArrayQueue<>(config.commandQueueCapacity());
        final int maxInFlight = config.maxInFlight();
        correlations = new CorrelationTable(maxInFlight);
        slotRequestId = new long[maxInFlight];
        slotCorrelationId = new long[maxInFlight];
        slotDeadlineNs = new long[maxInFlight];
        slotTimeoutNs = new long[maxInFlight];
        slotRetryAtNs = new long[maxInFlight];
        slotAttempts = new int[maxInFlight];
        slotLength = new int[maxInFlight];
        slotLastError = new ErrorCode[maxInFlight];
        slotHandler = new ResponseHandler[maxInFlight];
        slotBuffer = new ExpandableArrayBuffer[maxInFlight];
        freeSlots = new int[maxInFlight];
        for (int i = 0; i < maxInFlight; i++)
        {
            slotBuffer[i] = new ExpandableArrayBuffer(INITIAL_SLOT_BYTES);
            freeSlots[i] = maxInFlight - 1 - i;
        }
        freeCount = maxInFlight;

        final FragmentHandler handler = this::onFragment;
        assembler = new FragmentAssembler(handler);
        // Aeron hands an exception thrown by a fragment handler (so by a ResponseHandler called from onFragment) to
        // this error handler and goes on; the client does the same for the handlers it calls outside a fragment.
        handlerErrorHandler = aeron.context().subscriberErrorHandler();

        Subscription sub = null;
        ExclusivePublication pub = null;
        try
        {
            responseStreamId = 0 != config.responseStreamId() ? config.responseStreamId() :
                ThreadLocalRandom.current().nextInt(0x10000, Integer.MAX_VALUE);
            sub = aeron.addSubscription(
                config.responseChannel(), responseStreamId, FerriteClient::onImageAvailable, FerriteClient::onImageUnavailable);
            subscription = sub;
            responseChannel = resolveResponseChannel(sub, config);
            pub = aeron.addExclusivePublication(config.requestChannel(), config.requestStreamId());
            publication = pub;
            handshake();
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(pub, sub);
            throw ex;
        }
    }

    /**
     * Connects to a node: starts an embedded media driver or connects to one (unless the config gives an
     * Aeron instance), adds the publication and subscription, waits for the node and does the handshake.
     *
     * @param config where and how to connect.
     * @return a connected client, owned by the calling thread.
     * @throws FerriteClientException {@link ClientFailure#NODE_UNAVAILABLE} when no media driver or no
     *     node answers within the connect timeout, naming the channel and directory tried.
     * @throws FerriteException when the node refuses the connection (its error code and message).
     */
    public static FerriteClient connect(final ClientConfig config)
    {
        MediaDriver driver = null;
        Aeron aeron = config.aeron();
        boolean ownsAeron = false;
        try
        {
            if (null == aeron)
            {
                String aeronDir = config.aeronDir();
                if (config.embeddedDriver())
                {
                    driver = MediaDriver.launch(new MediaDriver.Context()
                        .aeronDirectoryName(aeronDir)
                        .threadingMode(ThreadingMode.SHARED)
                        .sharedIdleStrategy(new BackoffIdleStrategy())
                        // a node publication sends heartbeats every 100 ms when idle: an image silent this long is
                        // a node gone (host dead, network cut), and its going away fails the requests in flight
                        .imageLivenessTimeoutNs(config.nodeSilenceTimeoutNs())
                        .dirDeleteOnStart(true)
                        .dirDeleteOnShutdown(true));
                    aeronDir = driver.aeronDirectoryName();
                }
                else if (!CommonContext.isDriverActive(
                    // Aeron's own driver timeout, not the connect timeout: the driver's heartbeat is as old as its
                    // thread's last run, and on a loaded host that can be more than a short connect timeout, which
                    // read a live driver as none ("no media driver is running").
                    new java.io.File(aeronDir), CommonContext.DRIVER_TIMEOUT_MS, message -> { }))
                {
                    throw new FerriteClientException(ClientFailure.NODE_UNAVAILABLE, "no media driver is running " +
                        "in aeron dir " + aeronDir + ": start the node (tools/bin/ferrite server) or set " +
                        ClientConfig.PREFIX + "aeronDir to its aeron dir, or use an embedded driver for UDP");
                }
                aeron = Aeron.connect(
                    new Aeron.Context().aeronDirectoryName(aeronDir).errorHandler(DriverTimeouts.reportWithoutExit(
                        "ferrite client", "through the node's driver, over IPC, the node went with it; the session " +
                        "is over (NODE_UNAVAILABLE): connect a new client")));
                ownsAeron = true;
            }
            return new FerriteClient(config, driver, aeron, ownsAeron);
        }
        catch (final RuntimeException ex)
        {
            if (ownsAeron)
            {
                CloseHelper.quietClose(aeron);
            }
            CloseHelper.quietClose(driver);
            throw ex;
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Asynchronous API
    // ------------------------------------------------------------------------------------------------

    /**
     * PutItem.
     *
     * @param tableName    the table.
     * @param item         buffer holding the item bytes.
     * @param offset       where they start.
     * @param length       their length.
     * @param returnValues NONE or ALL_OLD.
     * @param handler      receives the answer ({@link ResponseHandler#onItem}).
     * @return the request id (positive), or a negative send status.
     */
    public long putItem(
        final CharSequence tableName,
        final DirectBuffer item,
        final int offset,
        final int length,
        final ReturnValues returnValues,
        final ResponseHandler handler)
    {
        return putItem(tableName, item, offset, length, returnValues, null, handler);
    }

    /**
     * PutItem with a ConditionExpression (its ExpressionAttributeNames and ExpressionAttributeValues) and
     * ReturnValuesOnConditionCheckFailure. A failed condition answers {@link ResponseHandler#onError} with
     * ConditionalCheckFailedException, or {@link ResponseHandler#onConditionalCheckFailed} with the current item
     * when ALL_OLD was asked and there is one.
     *
     * @param tableName    the table.
     * @param item         buffer holding the item bytes.
     * @param offset       where they start.
     * @param length       their length.
     * @param returnValues NONE or ALL_OLD.
     * @param expressions  the condition and its names and values (read during this call only), or null.
     * @param handler      receives the answer ({@link ResponseHandler#onItem}).
     * @return the request id (positive), or a negative send status.
     */
    public long putItem(
        final CharSequence tableName,
        final DirectBuffer item,
        final int offset,
        final int length,
        final ReturnValues returnValues,
        final ExpressionParams expressions,
        final ResponseHandler handler)
    {
        final int slot = acquireSlot();
        if (slot < 0)
        {
            return slot;
        }
        final int nameLength = encodeName(tableName);
        putEncoder.wrapAndApplyHeader(slotBuffer[slot], 0, headerEncoder)
            .correlationId(nextCorrelationId)
            .requestId(nextRequestId)
            .returnValues(returnValuesType(returnValues))
            .returnConsumedCapacity(returnConsumedCapacity)
            .returnValuesOnConditionCheckFailure(onConditionFailure(expressions))
            .putTableName(nameBuffer, 0, nameLength)
            .putItem(item, offset, length);
        final int conditionLength = text(null == expressions ? null : expressions.conditionExpression);
        putEncoder.putConditionExpression(textBuffer, 0, conditionLength);
        if (null == expressions)
        {
            putEncoder.putExpressionAttributeNames(EMPTY, 0, 0).putExpressionAttributeValues(EMPTY, 0, 0);
        }
        else
        {
            putEncoder
                .putExpressionAttributeNames(orEmpty(expressions.names), expressions.namesOffset, expressions.namesLength)
                .putExpressionAttributeValues(orEmpty(expressions.values), expressions.valuesOffset, expressions.valuesLength);
        }
        return dispatch(slot, HEADER_LENGTH + putEncoder.encodedLength(), handler);
    }

    /**
     * GetItem.
     *
     * @param tableName      the table.
     * @param key            buffer holding the key's item bytes (the key attributes only).
     * @param offset         where they start.
     * @param length         their length.
     * @param consistentRead true for a strongly consistent read.
     * @param handler        receives the answer ({@link ResponseHandler#onItem}; found=false when there is no item).
     * @return the request id (positive), or a negative send status.
     */
    public long getItem(
        final CharSequence tableName,
        final DirectBuffer key,
        final int offset,
        final int length,
        final boolean consistentRead,
        final ResponseHandler handler)
    {
        return getItem(tableName, key, offset, length, consistentRead, null, handler);
    }

    /**
     * GetItem with a ProjectionExpression (and its ExpressionAttributeNames).
     *
     * @param tableName      the table.
     * @param key            buffer holding the key's item bytes (the key attributes only).
     * @param offset         where they start.
     * @param length         their length.
     * @param consistentRead true for a strongly consistent read.
     * @param expressions    the projection and its names (read during this call only), or null for the whole item.
     * @param handler        receives the answer ({@link ResponseHandler#onItem}; found=false when there is no item).
     * @return the request id (positive), or a negative send status.
     */
    public long getItem(
        final CharSequence tableName,
        final DirectBuffer key,
        final int offset,
        final int length,
        final boolean consistentRead,
        final ExpressionParams expressions,
        final ResponseHandler handler)
    {
        final int slot = acquireSlot();
        if (slot < 0)
        {
            return slot;
        }
        final int nameLength = encodeName(tableName);
        getEncoder.wrapAndApplyHeader(slotBuffer[slot], 0, headerEncoder)
            .correlationId(nextCorrelationId)
            .requestId(nextRequestId)
            .consistentRead(consistentRead ? BooleanType.TRUE : BooleanType.FALSE)
            .returnConsumedCapacity(returnConsumedCapacity)
            .putTableName(nameBuffer, 0, nameLength)
            .putKey(key, offset, length);
        final int projectionLength = text(null == expressions ? null : expressions.projectionExpression);
        getEncoder.putProjectionExpression(textBuffer, 0, projectionLength);
        if (null == expressions)
        {
            getEncoder.putExpressionAttributeNames(EMPTY, 0, 0);
        }
        else
        {
            getEncoder.putExpressionAttributeNames(orEmpty(expressions.names), expressions.namesOffset, expressions.namesLength);
        }
        return dispatch(slot, HEADER_LENGTH + getEncoder.encodedLength(), handler);
    }

    /**
     * DeleteItem.
     *
     * @param tableName    the table.
     * @param key          buffer holding the key's item bytes.
     * @param offset       where they start.
     * @param length       their length.
     * @param returnValues NONE or ALL_OLD.
     * @param handler      receives the answer ({@link ResponseHandler#onItem}).
     * @return the request id (positive), or a negative send status.
     */
    public long deleteItem(
        final CharSequence tableName,
        final DirectBuffer key,
        final int offset,
        final int length,
        final ReturnValues returnValues,
        final ResponseHandler handler)
    {
        return deleteItem(tableName, key, offset, length, returnValues, null, handler);
    }

    /**
     * DeleteItem with a ConditionExpression (its ExpressionAttributeNames and ExpressionAttributeValues) and
     * ReturnValuesOnConditionCheckFailure (as {@link #putItem(CharSequence, DirectBuffer, int, int, ReturnValues,
     * ExpressionParams, ResponseHandler)}).
     *
     * @param tableName    the table.
     * @param key          buffer holding the key's item bytes.
     * @param offset       where they start.
     * @param length       their length.
     * @param returnValues NONE or ALL_OLD.
     * @param expressions  the condition and its names and values (read during this call only), or null.
     * @param handler      receives the answer ({@link ResponseHandler#onItem}).
     * @return the request id (positive), or a negative send status.
     */
    public long deleteItem(
        final CharSequence tableName,
        final DirectBuffer key,
        final int offset,
        final int length,
        final ReturnValues returnValues,
        final ExpressionParams expressions,
        final ResponseHandler handler)
    {
        final int slot = acquireSlot();
        if (slot < 0)
        {
            return slot;
        }
        final int nameLength = encodeName(tableName);
        deleteEncoder.wrapAndApplyHeader(slotBuffer[slot], 0, headerEncoder)
            .correlationId(nextCorrelationId)
            .requestId(nextRequestId)
            .returnValues(returnValuesType(returnValues))
            .returnConsumedCapacity(returnConsumedCapacity)
            .returnValuesOnConditionCheckFailure(onConditionFailure(expressions))
            .putTableName(nameBuffer, 0, nameLength)
            .putKey(key, offset, length);
        final int conditionLength = text(null == expressions ? null : expressions.conditionExpression);
        deleteEncoder.putConditionExpression(textBuffer, 0, conditionLength);
        if (null == expressions)
        {
            deleteEncoder.putExpressionAttributeNames(EMPTY, 0, 0).putExpressionAttributeValues(EMPTY, 0, 0);
        }
        else
        {
            deleteEncoder
                .putExpressionAttributeNames(orEmpty(expressions.names), expressions.namesOffset, expressions.namesLength)
                .putExpressionAttributeValues(orEmpty(expressions.values), expressions.valuesOffset, expressions.valuesLength);
        }
        return dispatch(slot, HEADER_LENGTH + deleteEncoder.encodedLength(), handler);
    }

    /**
     * UpdateItem at attribute level: sets whole attributes and removes others (creating the item when
     * it does not exist, unless the update only removes).
     *
     * @param tableName    the table.
     * @param key          buffer holding the key's item bytes.
     * @param keyOffset    where they start.
     * @param keyLength    their length.
     * @param set          buffer holding item bytes of the attributes to set, or null for none.
     * @param setOffset    where they start.
     * @param setLength    their length.
     * @param remove       buffer holding item bytes whose attribute names are to be removed (values
     *                     ignored, e.g. NULL), or null for none.
     * @param removeOffset where they start.
     * @param removeLength their length.
     * @param returnValues which attributes to return.
     * @param handler      receives the answer ({@link ResponseHandler#onItem}).
     * @return the request id (positive), or a negative send status.
     */
    public long updateItem(
        final CharSequence tableName,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer set,
        final int setOffset,
        final int setLength,
        final DirectBuffer remove,
        final int removeOffset,
        final int removeLength,
        final ReturnValues returnValues,
        final ResponseHandler handler)
    {
        return updateItem(tableName, key, keyOffset, keyLength, set, setOffset, setLength, remove, removeOffset,
            removeLength, returnValues, null, handler);
    }

    /**
     * UpdateItem with an UpdateExpression (SET, REMOVE, ADD, DELETE), an optional ConditionExpression, their
     * ExpressionAttributeNames and ExpressionAttributeValues, and ReturnValuesOnConditionCheckFailure.
     *
     * @param tableName    the table.
     * @param key          buffer holding the key's item bytes.
     * @param keyOffset    where they start.
     * @param keyLength    their length.
     * @param returnValues NONE, ALL_OLD, UPDATED_OLD, ALL_NEW or UPDATED_NEW.
     * @param expressions  the update, the condition, their names and values (read during this call only).
     * @param handler      receives the answer ({@link ResponseHandler#onItem}).
     * @return the request id (positive), or a negative send status.
     */
    public long updateItem(
        final CharSequence tableName,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final ReturnValues returnValues,
        final ExpressionParams expressions,
        final ResponseHandler handler)
    {
        return updateItem(tableName, key, keyOffset, keyLength, null, 0, 0, null, 0, 0, returnValues, expressions, handler);
    }

    /**
     * UpdateItem at attribute level (as {@link #updateItem(CharSequence, DirectBuffer, int, int, DirectBuffer, int,
     * int, DirectBuffer, int, int, ReturnValues, ResponseHandler)}) or by UpdateExpression, with an optional
     * ConditionExpression; an UpdateExpression cannot be combined with set or remove attributes.
     *
     * @param tableName    the table.
     * @param key          buffer holding the key's item bytes.
     * @param keyOffset    where they start.
     * @param keyLength    their length.
     * @param set          item bytes of the attributes to set, or null for none.
     * @param setOffset    where they start.
     * @param setLength    their length.
     * @param remove       item bytes whose attribute names are to be removed, or null for none.
     * @param removeOffset where they start.
     * @param removeLength their length.
     * @param returnValues which attributes to return.
     * @param expressions  update and condition expressions, names and values (read during this call only), or null.
     * @param handler      receives the answer ({@link ResponseHandler#onItem}).
     * @return the request id (positive), or a negative send status.
     */
    public long updateItem(
        final CharSequence tableName,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer set,
        final int setOffset,
        final int setLength,
        final DirectBuffer remove,
        final int removeOffset,
        final int removeLength,
        final ReturnValues returnValues,
        final ExpressionParams expressions,
        final ResponseHandler handler)
    {
        final int slot = acquireSlot();
        if (slot < 0)
        {
            return slot;
        }
        final int nameLength = encodeName(tableName);
        updateEncoder.wrapAndApplyHeader(slotBuffer[slot], 0, headerEncoder)
            .correlationId(nextCorrelationId)
            .requestId(nextRequestId)
            .returnValues(returnValuesType(returnValues))
            .returnConsumedCapacity(returnConsumedCapacity)
            .returnValuesOnConditionCheckFailure(onConditionFailure(expressions))
            .putTableName(nameBuffer, 0, nameLength)
            .putKey(key, keyOffset, keyLength)
            .putSetAttributes(null == set ? EMPTY : set, null == set ? 0 : setOffset, null == set ? 0 : setLength)
            .putRemoveAttributes(
                null == remove ? EMPTY : remove, null == remove ? 0 : removeOffset, null == remove ? 0 : removeLength);
        final int updateLength = text(null == expressions ? null : expressions.updateExpression);
        updateEncoder.putUpdateExpression(textBuffer, 0, updateLength);
        final int conditionLength = text(null == expressions ? null : expressions.conditionExpression);
        updateEncoder.putConditionExpression(textBuffer, 0, conditionLength);
        if (null == expressions)
        {
            updateEncoder.putExpressionAttributeNames(EMPTY, 0, 0).putExpressionAttributeValues(EMPTY, 0, 0);
        }
        else
        {
            updateEncoder
                .putExpressionAttributeNames(orEmpty(expressions.names), expressions.namesOffset, expressions.namesLength)
                .putExpressionAttributeValues(orEmpty(expressions.values), expressions.valuesOffset, expressions.valuesLength);
        }
        return dispatch(slot, HEADER_LENGTH + updateEncoder.encodedLength(), handler);
    }

    /**
     * Query: one page.
     *
     * @param query   what to query (read during this call only).
     * @param handler receives the page ({@link ResponseHandler#onPage}).
     * @return the request id (positive), or a negative send status.
     */
    public long query(final QueryParams query, final ResponseHandler handler)
    {
        final int slot = acquireSlot();
        if (slot < 0)
        {
            return slot;
        }
        final int nameLength = encodeName(query.tableName);
        queryEncoder.wrapAndApplyHeader(slotBuffer[slot], 0, headerEncoder)
            .correlationId(nextCorrelationId)
            .requestId(nextRequestId)
            .condition(SortKeyConditionType.get((short)query.condition.ordinal()))
            .scanIndexForward(query.forward ? BooleanType.TRUE : BooleanType.FALSE)
            .consistentRead(query.consistentRead ? BooleanType.TRUE : BooleanType.FALSE)
            .pageLimit(query.limit)
            .returnConsumedCapacity(returnConsumedCapacity)
            .putTableName(nameBuffer, 0, nameLength);
        putOptional(query.partitionKey, query.partitionKeyOffset, query.partitionKeyLength, VarField.PARTITION_KEY);
        putOptional(query.sortKey, query.sortKeyOffset, query.sortKeyLength, VarField.SORT_KEY);
        putOptional(query.sortKeyUpper, query.sortKeyUpperOffset, query.sortKeyUpperLength, VarField.SORT_KEY_UPPER);
        putOptional(
            query.exclusiveStartKey, query.exclusiveStartKeyOffset, query.exclusiveStartKeyLength, VarField.QUERY_START);
        queryEncoder.putKeyConditionExpression(textBuffer, 0, text(query.keyConditionExpression));
        queryEncoder.putFilterExpression(textBuffer, 0, text(query.filterExpression));
        queryEncoder.putProjectionExpression(textBuffer, 0, text(query.projectionExpression));
        queryEncoder
            .putExpressionAttributeNames(orEmpty(query.names), query.namesOffset, query.namesLength)
            .putExpressionAttributeValues(orEmpty(query.values), query.valuesOffset, query.valuesLength);
        return dispatch(slot, HEADER_LENGTH + queryEncoder.encodedLength(), handler);
    }

    /**
     * Scan: one page.
     *
     * @param scan    what to scan (read during this call only).
     * @param handler receives the page ({@link ResponseHandler#onPage}).
     * @return the request id (positive), or a negative send status.
     */
    public long scan(final ScanParams scan, final ResponseHandler handler)
    {
        final int slot = acquireSlot();
        if (slot < 0)
        {
            return slot;
        }
        final int nameLength = encodeName(scan.tableName);
        scanEncoder.wrapAndApplyHeader(slotBuffer[slot], 0, headerEncoder)
            .correlationId(nextCorrelationId)
            .requestId(nextRequestId)
            .segment(scan.segment)
            .totalSegments(scan.totalSegments)
            .consistentRead(scan.consistentRead ? BooleanType.TRUE : BooleanType.FALSE)
            .pageLimit(scan.limit)
            .returnConsumedCapacity(returnConsumedCapacity)
            .putTableName(nameBuffer, 0, nameLength);
        putOptional(scan.exclusiveStartKey, scan.exclusiveStartKeyOffset, scan.exclusiveStartKeyLength, VarField.SCAN_START);
        scanEncoder.putFilterExpression(textBuffer, 0, text(scan.filterExpression));
        scanEncoder.putProjectionExpression(textBuffer, 0, text(scan.projectionExpression));
        scanEncoder
            .putExpressionAttributeNames(orEmpty(scan.names), scan.namesOffset, scan.namesLength)
            .putExpressionAttributeValues(orEmpty(scan.values), scan.valuesOffset, scan.valuesLength);
        return dispatch(slot, HEADER_LENGTH + scanEncoder.encodedLength(), handler);
    }

    /**
     * CreateTable.
     *
     * @param spec    name, key schema and capacity (billing mode and provisioned throughput).
     * @param handler receives the {@code TableDescriptionResponse} ({@link ResponseHandler#onResponse}).
     * @return the request id (positive), or a negative send status.
     */
    public long createTable(final TableSpec spec, final ResponseHandler handler)
    {
        final int slot = acquireSlot();
        if (slot < 0)
        {
            return slot;
        }
        final boolean hasSortKey = null != spec.sortKeyName();
        final boolean hasPartitionKey = null != spec.partitionKeyName();
        final CreateTableRequestEncoder.KeySchemaEncoder keySchema = createTableEncoder
            .wrapAndApplyHeader(slotBuffer[slot], 0, headerEncoder)
            .correlationId(nextCorrelationId)
            .requestId(nextRequestId)
            .billingMode(BillingMode.PROVISIONED == spec.capacity().billingMode() ?
                io.ferrite.codecs.sbe.BillingMode.PROVISIONED : io.ferrite.codecs.sbe.BillingMode.PAY_PER_REQUEST)
            .readCapacityUnits(spec.capacity().readCapacityUnits())
            .writeCapacityUnits(spec.capacity().writeCapacityUnits())
            .keySchemaCount((hasPartitionKey ? 1 : 0) + (hasSortKey ? 1 : 0));
        if (hasPartitionKey)
        {
            keySchema.next().keyRole(KeyRole.HASH)
                .attributeType(null == spec.partitionKeyType() ? AttributeType.NULL_VAL :
                    AttributeType.get(spec.partitionKeyType().tag()))
                .attributeName(spec.partitionKeyName());
        }
        if (hasSortKey)
        {
            keySchema.next().keyRole(KeyRole.RANGE)
                .attributeType(null == spec.sortKeyType() ? AttributeType.NULL_VAL : AttributeType.get(spec.sortKeyType().tag()))
                .attributeName(spec.sortKeyName());
        }
        createTableEncoder.tableName(spec.tableName());
        return dispatch(slot, HEADER_LENGTH + createTableEncoder.encodedLength(), handler);
    }

    /**
     * DeleteTable.
     *
     * @param tableName the table.
     * @param handler   receives the {@code TableDescriptionResponse} ({@link ResponseHandler#onResponse}).
     * @return the request id (positive), or a negative send status.
     */
    public long deleteTable(final CharSequence tableName, final ResponseHandler handler)
    {
        final int slot = acquireSlot();
        if (slot < 0)
        {
            return slot;
        }
        final int nameLength = encodeName(tableName);
        deleteTableEncoder.wrapAndApplyHeader(slotBuffer[slot], 0, headerEncoder)
            .correlationId(nextCorrelationId)
            .requestId(nextRequestId)
            .putTableName(nameBuffer, 0, nameLength);
        return dispatch(slot, HEADER_LENGTH + deleteTableEncoder.encodedLength(), handler);
    }

    /**
     * Sets DynamoDB's ReturnConsumedCapacity for the item requests (Put, Get, Delete, UpdateItem, Query, Scan) sent
     * from now on: with TOTAL or INDEXES the node says what each consumed, delivered to
     * {@link ResponseHandler#onConsumedCapacity} before the answer. NONE (the default) asks for nothing. (BatchGetItem
     * and BatchWriteItem requests carry no such field: their responses always hold what each table consumed, in their
     * {@code consumedCapacity} group, whatever the mode; {@link FerriteBlockingClient} hands that group on only when
     * this mode is TOTAL or INDEXES, as DynamoDB returns ConsumedCapacity only when asked.)
     *
     * @param mode NONE, TOTAL or INDEXES.
     * @return this.
     */
    public FerriteClient returnConsumedCapacity(final ReturnConsumedCapacity mode)
    {
        switch (mode)
        {
            case TOTAL:
                returnConsumedCapacity = ReturnConsumedCapacityType.TOTAL;
                break;
            case INDEXES:
                returnConsumedCapacity = ReturnConsumedCapacityType.INDEXES;
                break;
            default:
                returnConsumedCapacity = ReturnConsumedCapacityType.NONE;
                break;
        }
        return this;
    }

    /**
     * @return the ReturnConsumedCapacity that the item requests sent from now on carry, as last set by
     * {@link #returnConsumedCapacity(ReturnConsumedCapacity)} (NONE by default).
     */
    public ReturnConsumedCapacity returnConsumedCapacity()
    {
        switch (returnConsumedCapacity)
        {
            case TOTAL:
                return ReturnConsumedCapacity.TOTAL;
            case INDEXES:
                return ReturnConsumedCapacity.INDEXES;
            default:
                return ReturnConsumedCapacity.NONE;
        }
    }

    /**
     * UpdateTable: changes a table's billing mode or provisioned throughput (DynamoDB's rules: units only for
     * PROVISIONED; a table switching to PROVISIONED must be given both).
     *
     * @param tableName          the table.
     * @param billingMode        the new mode, or null to keep the table's.
     * @param readCapacityUnits  new RCU, or 0 to keep them.
     * @param writeCapacityUnits new WCU, or 0 to keep them.
     * @param handler            receives the {@code TableDescriptionResponse} ({@link ResponseHandler#onResponse}).
     * @return the request id (positive), or a negative send status.
     */
    public long updateTable(
        final CharSequence tableName,
        final BillingMode billingMode,
        final long readCapacityUnits,
        final long writeCapacityUnits,
        final ResponseHandler handler)
    {
        final int slot = acquireSlot();
        if (slot < 0)
        {
            return slot;
        }
        final int nameLength = encodeName(tableName);
        updateTableEncoder.wrapAndApplyHeader(slotBuffer[slot], 0, headerEncoder)
            .correlationId(nextCorrelationId)
            .requestId(nextRequestId)
            .billingMode(null == billingMode ? io.ferrite.codecs.sbe.BillingMode.NULL_VAL :
                BillingMode.PROVISIONED == billingMode ? io.ferrite.codecs.sbe.BillingMode.PROVISIONED :
                io.ferrite.codecs.sbe.BillingMode.PAY_PER_REQUEST)
            .readCapacityUnits(readCapacityUnits)
            .writeCapacityUnits(writeCapacityUnits)
            .putTableName(nameBuffer, 0, nameLength);
        return dispatch(slot, HEADER_LENGTH + updateTableEncoder.encodedLength(), handler);
    }

    /**
     * DescribeTable.
     *
     * @param tableName the table.
     * @param handler   receives the {@code TableDescriptionResponse} ({@link ResponseHandler#onResponse}).
     * @return the request id (positive), or a negative send status.
     */
    public long describeTable(final CharSequence tableName, final ResponseHandler handler)
    {
        final int slot = acquireSlot();
        if (slot < 0)
        {
            return slot;
        }
        final int nameLength = encodeName(tableName);
        describeTableEncoder.wrapAndApplyHeader(slotBuffer[slot], 0, headerEncoder)
            .correlationId(nextCorrelationId)
            .requestId(nextRequestId)
            .putTableName(nameBuffer, 0, nameLength);
        return dispatch(slot, HEADER_LENGTH + describeTableEncoder.encodedLength(), handler);
    }

    /**
     * ListTables: one page of table names.
     *
     * @param pageLimit               the most names, or 0 for the node's default.
     * @param exclusiveStartTableName the previous page's last name, or null to start at the beginning.
     * @param handler                 receives the {@code ListTablesResponse} ({@link ResponseHandler#onResponse}).
     * @return the request id (positive), or a negative send status.
     */
    public long listTables(final int pageLimit, final CharSequence exclusiveStartTableName, final ResponseHandler handler)
    {
        final int slot = acquireSlot();
        if (slot < 0)
        {
            return slot;
        }
        final int nameLength = null == exclusiveStartTableName ? 0 : encodeName(exclusiveStartTableName);
        listTablesEncoder.wrapAndApplyHeader(slotBuffer[slot], 0, headerEncoder)
            .correlationId(nextCorrelationId)
            .requestId(nextRequestId)
            .pageLimit(pageLimit)
            .putExclusiveStartTableName(nameBuffer, 0, nameLength);
        return dispatch(slot, HEADER_LENGTH + listTablesEncoder.encodedLength(), handler);
    }

    /**
     * BatchGetItem (allocates: not a hot-path call).
     *
     * @param keysByTable    key item bytes per table name.
     * @param consistentRead true for strongly consistent reads.
     * @param handler        receives the {@code BatchGetItemResponse} ({@link ResponseHandler#onResponse}).
     * @return the request id (positive), or a negative send status.
     */
    public long batchGetItem(
        final Map<String, List<byte[]>> keysByTable, final boolean consistentRead, final ResponseHandler handler)
    {
        return batchGetItem(keysByTable, consistentRead, null, null, handler);
    }

    /**
     * BatchGetItem with a ProjectionExpression (and its ExpressionAttributeNames) per table (allocates: not a hot-path
     * call).
     *
     * @param keysByTable        key item bytes per table name.
     * @param consistentRead     true for strongly consistent reads.
     * @param projectionsByTable ProjectionExpression per table name (tables without one return whole items), or null.
     * @param namesByTable       ExpressionAttributeNames per table name, or null.
     * @param handler            receives the {@code BatchGetItemResponse} ({@link ResponseHandler#onResponse}).
     * @return the request id (positive), or a negative send status.
     */
    public long batchGetItem(
        final Map<String, List<byte[]>> keysByTable,
        final boolean consistentRead,
        final Map<String, String> projectionsByTable,
        final Map<String, Map<String, String>> namesByTable,
        final ResponseHandler handler)
    {
        final Map<String, Boolean> consistentByTable = new java.util.HashMap<>();
        for (final String table : keysByTable.keySet())
        {
            consistentByTable.put(table, consistentRead);
        }
        return batchGetItem(keysByTable, consistentByTable, projectionsByTable, namesByTable, handler);
    }

    /**
     * BatchGetItem with DynamoDB's per-table ConsistentRead, ProjectionExpression and ExpressionAttributeNames
     * (allocates: not a hot-path call). The response's {@code consumedCapacity} group says what each table's reads
     * cost, at its own consistency.
     *
     * @param keysByTable        key item bytes per table name.
     * @param consistentByTable  true for a table read strongly consistently; a table not in it is read eventually
     *                           consistently.
     * @param projectionsByTable ProjectionExpression per table name (tables without one return whole items), or null.
     * @param namesByTable       ExpressionAttributeNames per table name, or null.
     * @param handler            receives the {@code BatchGetItemResponse} ({@link ResponseHandler#onResponse}).
     * @return the request id (positive), or a negative send status.
     */
    public long batchGetItem(
        final Map<String, List<byte[]>> keysByTable,
        final Map<String, Boolean> consistentByTable,
        final Map<String, String> projectionsByTable,
        final Map<String, Map<String, String>> namesByTable,
        final ResponseHandler handler)
    {
        final int slot = acquireSlot();
        if (slot < 0)
        {
            return slot;
        }
        final BatchGetItemRequestEncoder.TablesEncoder tables = batchGetEncoder
            .wrapAndApplyHeader(slotBuffer[slot], 0, headerEncoder)
            .correlationId(nextCorrelationId)
            .requestId(nextRequestId)
            .tablesCount(keysByTable.size());
        for (final Map.Entry<String, List<byte[]>> entry : keysByTable.entrySet())
        {
            final boolean consistentRead = Boolean.TRUE.equals(consistentByTable.get(entry.getKey()));
            tables.next().consistentRead(consistentRead ? BooleanType.TRUE : BooleanType.FALSE);
            final BatchGetItemRequestEncoder.TablesEncoder.KeysEncoder keys = tables.keysCount(entry.getValue().size());
            for (final byte[] key : entry.getValue())
            {
                keys.next().putKey(key, 0, key.length);
            }
            tables.tableName(entry.getKey());
            final String projection = null == projectionsByTable ? null : projectionsByTable.get(entry.getKey());
            final byte[] names = null == namesByTable ? null : ExpressionParams.encodeNames(namesByTable.get(entry.getKey()));
            tables.projectionExpression(null == projection ? "" : projection)
                .putExpressionAttributeNames(null == names ? EMPTY : new UnsafeBuffer(names), 0,
                    null == names ? 0 : names.length);
        }
        return dispatch(slot, HEADER_LENGTH + batchGetEncoder.encodedLength(), handler);
    }

    /**
     * BatchWriteItem (allocates: not a hot-path call).
     *
     * @param writesByTable puts (item bytes) and deletes (key bytes) per table name.
     * @param handler       receives the {@code BatchWriteItemResponse} ({@link ResponseHandler#onResponse}).
     * @return the request id (positive), or a negative send status.
     */
    public long batchWriteItem(final Map<String, List<WriteRequest>> writesByTable, final ResponseHandler handler)
    {
        final int slot = acquireSlot();
        if (slot < 0)
        {
            return slot;
        }
        final BatchWriteItemRequestEncoder.TablesEncoder tables = batchWriteEncoder
            .wrapAndApplyHeader(slotBuffer[slot], 0, headerEncoder)
            .correlationId(nextCorrelationId)
            .requestId(nextRequestId)
            .tablesCount(writesByTable.size());
        for (final Map.Entry<String, List<WriteRequest>> entry : writesByTable.entrySet())
        {
            final BatchWriteItemRequestEncoder.TablesEncoder.WritesEncoder writes =
                tables.next().writesCount(entry.getValue().size());
            for (final WriteRequest write : entry.getValue())
            {
                writes.next().op(write.put() ? WriteOp.PUT : WriteOp.DELETE).putItemOrKey(write.bytes(), 0, write.bytes().length);
            }
            tables.tableName(entry.getKey());
        }
        return dispatch(slot, HEADER_LENGTH + batchWriteEncoder.encodedLength(), handler);
    }

    /**
     * Reads responses and runs timers: dispatches answers to their handlers, fails timed-out requests,
     * re-sends requests whose retry is due, sends a KeepAlive when idle or when the node has been quiet, and notices a
     * node that went away or fell silent.
     * Not from inside a {@link ResponseHandler} callback (nor a {@link ClientCommand}): see there.
     *
     * @return the amount of work done (0 when idle, so a caller can back off).
     * @throws IllegalStateException when called from inside a callback of this client's poll (nothing is done).
     */
    public int poll()
    {
        checkNotPolling();
        if (closed)
        {
            return 0;
        }
        polling = true;
        try
        {
            int work = commands.isEmpty() ? 0 : commands.drain(commandRunner, config.fragmentLimit());
            nowNs = System.nanoTime();
            final int fragments = subscription.poll(assembler, config.fragmentLimit());
            work += fragments;
            if (connected && (sessionImage.isClosed() || publication.isClosed()))
            {
                nodeLost(sessionImage.isClosed() ? "the node's response stream went away (image unavailable)" :
                    "the request publication closed (media driver gone?)", false);
                return work + 1;
            }
            if (connected && nodeAnswersKeepAlive)
            {
                if (fragments > 0)
                {
                    lastHeardNs = nowNs;
                    awaitingSinceNs = 0;
                }
                else if (isSilent(nowNs))
                {
                    nodeLost("the node sent nothing for " + TimeUnit.NANOSECONDS.toMillis(nowNs - lastHeardNs) +
                        " ms, not even an answer to KeepAlive (" + ClientConfig.PREFIX + "nodeSilenceTimeoutMs=" +
                        TimeUnit.NANOSECONDS.toMillis(nodeSilenceTimeoutNs) + "): it is dead, frozen or cut off", true);
                    return work + 1;
                }
            }
            if (nowNs >= nextTimerCheckNs)
            {
                work += checkTimers(nowNs);
            }
            if (connected && (nowNs - lastSendNs >= keepAliveIntervalNs || isQuiet(nowNs)))
            {
                work += sendKeepAlive(nowNs);
            }
            return work;
        }
        finally
        {
            polling = false;
        }
    }

    /**
     * Refuses a poll (or a blocking call, which polls) made while this client is polling, that is from a
     * {@link ResponseHandler} callback or a {@link ClientCommand} it runs: that would re-enter the subscription mid-poll,
     * where Aeron hands the fragment being handled over again, and re-enter the timers and the command queue.
     *
     * @throws IllegalStateException when called from inside a poll.
     */
    void checkNotPolling()
    {
        if (polling)
        {
            throw new IllegalStateException("poll() (or a FerriteBlockingClient call, which polls) was called from " +
                "inside a ResponseHandler callback or a ClientCommand, while the client is polling on thread " +
                Thread.currentThread().getName() + ": that would re-enter the response subscription mid-poll and be " +
                "handed the same fragments again; send from the callback and handle the answer in its own callback " +
                "instead");
        }
    }

    /**
     * Hands work to the client's owning thread (in background mode, its background thread). Thread-safe;
     * allocation-free; never blocks.
     *
     * Every command this accepts runs exactly once: on the owning thread at its next poll, or, when the client closes
     * first, by {@link #close()} once the client is closed (on the thread that closes it: the background thread in
     * background mode), where every send it makes returns {@link #CLOSED}. So a request a command sends always ends
     * in one outcome: a callback to its handler, or the negative status the send returned to the command.
     *
     * @param command run on the owning thread at its next poll, where it may send requests.
     * @return false when the command queue ({@link ClientConfig#commandQueueCapacity()}) is full (back-pressure, try
     *     again later) or the client is closing or closed (the command will never run).
     */
    public boolean submit(final ClientCommand command)
    {
        // close() sets refusingCommands, then waits for the submits between their check and their offer, then runs
        // what is queued: a submit either sees the flag and refuses, or its command is queued before close drains it
        submitsInProgress.getAndIncrement();
        try
        {
            return !refusingCommands && commands.offer(command);
        }
        finally
        {
            submitsInProgress.getAndDecrement();
        }
    }

    /**
     * Background mode: starts a thread that owns the client from now on and polls it with the given idle
     * strategy. Call once, right after {@link #connect(ClientConfig)}, from the thread that connected; from
     * then on use {@link #submit(ClientCommand)} from other threads, and {@link #close()} (any thread) to
     * stop the thread and close the client.
     *
     * @param idle what the background thread does when a poll finds no work (backoff or yield on shared
     *             cores; busy-spin only on a dedicated core).
     * @return this.
     */
    public FerriteClient startBackgroundThread(final IdleStrategy idle)
    {
        if (null != backgroundRunner)
        {
            throw new IllegalStateException("the background thread is already running");
        }
        backgroundRunner = new AgentRunner(idle, Throwable::printStackTrace, null, this);
        AgentRunner.startOnThread(backgroundRunner);
        return this;
    }

    private void runCommand(final ClientCommand command)
    {
        command.execute(this);
    }

    /**
     * {@inheritDoc}
     */
    public int doWork()
    {
        return poll();
    }

    /**
     * {@inheritDoc}
     */
    public void onStart()
    {
        backgroundThread = Thread.currentThread();
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return "ferrite-client";
    }

    /**
     * {@inheritDoc}
     */
    public void onClose()
    {
        close();
    }

    /**
     * Sends Disconnect (best effort), fails the requests still in flight with
     * {@link ClientFailure#CLIENT_CLOSED}, runs the {@link #submit submitted} commands no poll ran yet (their sends
     * return {@link #CLOSED}), and closes the publication, the subscription and any Aeron and media driver the client
     * started. Idempotent. In background mode, the failures and the commands run on the background thread, and this
     * returns once they have.
     */
    public void close()
    {
        final AgentRunner runner = backgroundRunner;
        if (null != runner && Thread.currentThread() != backgroundThread)
        {
            // Stops the thread (whose onClose closes this client there) and waits for it to end, which makes
            // its writes visible here; if it never started, the client is closed below on this thread.
            runner.close();
        }
        if (closed)
        {
            return;
        }
        if (connected && !publication.isClosed())
        {
            disconnectEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder).sessionId(sessionId);
            publication.offer(controlBuffer, 0, HEADER_LENGTH + disconnectEncoder.encodedLength());
        }
        connected = false;
        closed = true; // before the handlers run: a request a handler sends now is refused with CLOSED
        try
        {
            failAll(ClientFailure.CLIENT_CLOSED, "the client was closed with the request in flight");
        }
        finally
        {
            runCommandsLeftAtClose();
            CloseHelper.quietCloseAll(publication, subscription);
            if (ownsAeron)
            {
                CloseHelper.quietClose(aeron);
            }
            CloseHelper.quietClose(driver);
        }
    }

    /**
     * Runs every command submit accepted and no poll ran, once the client is closed (so their sends return CLOSED):
     * refuses further submits first, then waits for the submits already past that check to finish their offer.
     */
    private void runCommandsLeftAtClose()
    {
        refusingCommands = true;
        while (0 != submitsInProgress.get())
        {
            Thread.onSpinWait(); // a submit is non-blocking: the wait is a few instructions long
        }
        ClientCommand command;
        while (null != (command = commands.poll()))
        {
            try
            {
                command.execute(this);
            }
            catch (final Exception ex)
            {
                handlerErrorHandler.onError(ex);
            }
        }
    }

    /**
     * @param timeoutNs the deadline, retries included, of requests sent from now on.
     * @return this.
     */
    public FerriteClient requestTimeoutNs(final long timeoutNs)
    {
        if (timeoutNs <= 0)
        {
            throw new IllegalArgumentException("request timeout must be positive: " + timeoutNs + " ns");
        }
        requestTimeoutNs = timeoutNs;
        return this;
    }

    /**
     * @return the deadline, retries included, of requests sent from now on, in nanoseconds.
     */
    public long requestTimeoutNs()
    {
        return requestTimeoutNs;
    }

    /**
     * @return this client's counters (readable from any thread).
     */
    public ClientCounters counters()
    {
        return counters;
    }

    /**
     * @return requests in flight (sent or waiting for a retry, not yet answered).
     */
    public int inFlight()
    {
        return slotHandler.length - freeCount;
    }

    /**
     * @return the most requests allowed in flight.
     */
    public int maxInFlight()
    {
        return slotHandler.length;
    }

    /**
     * @return true while the session with the node is up.
     */
    public boolean isConnected()
    {
        return connected && !closed;
    }

    /**
     * @return the session id the node gave in its ConnectResponse.
     */
    public long sessionId()
    {
        return sessionId;
    }

    /**
     * @return the random id this client named in its ConnectRequest.
     */
    public long clientId()
    {
        return clientId;
    }

    /**
     * @return the schema version the node speaks (from its ConnectResponse).
     */
    public int nodeProtocolVersion()
    {
        return nodeProtocolVersion;
    }

    /**
     * @return the node's session timeout in milliseconds (from its ConnectResponse).
     */
    public int sessionTimeoutMs()
    {
        return sessionTimeoutMs;
    }

    /**
     * @return the keep-alive interval in use, in nanoseconds.
     */
    public long keepAliveIntervalNs()
    {
        return keepAliveIntervalNs;
    }

    /**
     * @return the response channel named in the ConnectRequest (a UDP port 0 resolved to the bound port).
     */
    public String responseChannel()
    {
        return responseChannel;
    }

    /**
     * @return the response stream id named in the ConnectRequest.
     */
    public int responseStreamId()
    {
        return responseStreamId;
    }

    /**
     * @return the configuration this client was connected with.
     */
    public ClientConfig config()
    {
        return config;
    }

    /**
     * @return the largest request, header included, that the request channel carries, in bytes.
     */
    public int maxRequestLength()
    {
        return publication.maxMessageLength();
    }

    // ------------------------------------------------------------------------------------------------
    // Sending
    // ------------------------------------------------------------------------------------------------

    private int acquireSlot()
    {
        if (closed)
        {
            return (int)CLOSED;
        }
        if (connected && sessionImage.isClosed())
        {
            nodeLost("the node's response stream went away (image unavailable)", false);
        }
        if (!connected)
        {
            return (int)NOT_CONNECTED;
        }
        if (0 == freeCount)
        {
            counters.onInFlightLimitReached();
            return (int)IN_FLIGHT_LIMIT;
        }
        // not taken yet: dispatch takes it once the request is offered, so a send that throws while encoding (an
        // unpaired surrogate in a name or expression, a field too long) leaves it free, with nothing to give back
        return freeSlots[freeCount - 1];
    }

    private void releaseSlot(final int slot)
    {
        slotHandler[slot] = null;
        slotRetryAtNs[slot] = 0;
        slotLastError[slot] = null;
        freeSlots[freeCount++] = slot;
    }

    /**
     * Offers a message to the node. ADMIN_ACTION means the offer met the term's end and the log rotated to the next
     * term (once per term length of requests, 16 MiB on a node's IPC channel): the same offer then goes at once, so
     * it is repeated here instead of being reported as back-pressure (which an HTTP client saw as a throttle).
     */
    private long offer(final DirectBuffer buffer, final int length)
    {
        long result = publication.offer(buffer, 0, length);
        for (int i = 0; Publication.ADMIN_ACTION == result && i < 3; i++)
        {
            result = publication.offer(buffer, 0, length);
        }
        return result;
    }

    /**
     * Offers the request encoded in {@code slot}, the one {@link #acquireSlot()} named, and takes the slot if it went.
     */
    private long dispatch(final int slot, final int length, final ResponseHandler handler)
    {
        if (null == handler)
        {
            throw new NullPointerException("handler");
        }
        if (length > publication.maxMessageLength())
        {
            throw FerriteException.validation("request of " + length + " bytes is larger than the largest message " +
                "the request channel carries (" + publication.maxMessageLength() + " bytes: its term length / 8)");
        }

        final long correlationId = nextCorrelationId;
        final long result = offer(slotBuffer[slot], length);
        if (result < 0)
        {
            if (Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result)
            {
                counters.onBackPressured();
                return BACK_PRESSURED;
            }
            if (Publication.NOT_CONNECTED == result || Publication.CLOSED == result ||
                Publication.MAX_POSITION_EXCEEDED == result)
            {
                nodeLost("the request publication is not connected to the node (offer returned " + result + ")", false);
                return NOT_CONNECTED;
            }
            counters.onBackPressured();
            return BACK_PRESSURED;
        }

        freeCount--; // the slot acquireSlot named is the top of the free stack
        final long now = System.nanoTime();
        final long requestId = nextRequestId++;
        nextCorrelationId++;
        slotRequestId[slot] = requestId;
        slotCorrelationId[slot] = correlationId;
        slotDeadlineNs[slot] = now + requestTimeoutNs;
        slotTimeoutNs[slot] = requestTimeoutNs;
        slotRetryAtNs[slot] = 0;
        slotAttempts[slot] = 1;
        slotLength[slot] = length;
        slotHandler[slot] = handler;
        if (slot >= slotHighWater)
        {
            slotHighWater = slot + 1;
        }
        correlations.put(correlationId, slot);
        counters.onSent();
        sentAt(now);
        if (nextTimerCheckNs > now + TIMER_INTERVAL_NS || 0 == nextTimerCheckNs)
        {
            nextTimerCheckNs = now + TIMER_INTERVAL_NS;
        }
        return requestId;
    }

    private int encodeName(final CharSequence name)
    {
        if (null == name)
        {
            throw FerriteException.validation("1 validation error detected: Value null at 'tableName' failed to " +
                "satisfy constraint: Member must not be null");
        }
        return Utf8.encode(name, nameBuffer, 0);
    }

    /**
     * Encodes an expression's text into the reused text buffer.
     *
     * @return its UTF-8 length (0 for null).
     */
    private int text(final CharSequence expression)
    {
        return null == expression ? 0 : Utf8.encode(expression, textBuffer, 0);
    }

    private static DirectBuffer orEmpty(final DirectBuffer buffer)
    {
        return null == buffer ? EMPTY : buffer;
    }

    private static ReturnValuesOnConditionCheckFailureType onConditionFailure(final ExpressionParams expressions)
    {
        return null != expressions &&
            io.ferrite.engine.api.ReturnValuesOnConditionCheckFailure.ALL_OLD == expressions.returnValuesOnConditionCheckFailure ?
            ReturnValuesOnConditionCheckFailureType.ALL_OLD : ReturnValuesOnConditionCheckFailureType.NONE;
    }

    private enum VarField
    {
        PARTITION_KEY, SORT_KEY, SORT_KEY_UPPER, QUERY_START, SCAN_START
    }

    private void putOptional(final DirectBuffer buffer, final int offset, final int length, final VarField field)
    {
        final DirectBuffer source = null == buffer ? EMPTY : buffer;
        final int sourceOffset = null == buffer ? 0 : offset;
        final int sourceLength = null == buffer ? 0 : length;
        switch (field)
        {
            case PARTITION_KEY:
                queryEncoder.putPartitionKeyValue(source, sourceOffset, sourceLength);
                break;
            case SORT_KEY:
                queryEncoder.putSortKeyValue(source, sourceOffset, sourceLength);
                break;
            case SORT_KEY_UPPER:
                queryEncoder.putSortKeyUpper(source, sourceOffset, sourceLength);
                break;
            case QUERY_START:
                queryEncoder.putExclusiveStartKey(source, sourceOffset, sourceLength);
                break;
            default:
                scanEncoder.putExclusiveStartKey(source, sourceOffset, sourceLength);
                break;
        }
    }

    private static ReturnValuesType returnValuesType(final ReturnValues returnValues)
    {
        if (null == returnValues)
        {
            return ReturnValuesType.NONE;
        }
        switch (returnValues)
        {
            case ALL_OLD:
                return ReturnValuesType.ALL_OLD;
            case UPDATED_OLD:
                return ReturnValuesType.UPDATED_OLD;
            case ALL_NEW:
                return ReturnValuesType.ALL_NEW;
            case UPDATED_NEW:
                return ReturnValuesType.UPDATED_NEW;
            default:
                return ReturnValuesType.NONE;
        }
    }

    private int sendKeepAlive(final long now)
    {
        keepAliveEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder).sessionId(sessionId);
        if (offer(controlBuffer, HEADER_LENGTH + keepAliveEncoder.encodedLength()) > 0)
        {
            sentAt(now);
            lastKeepAliveNs = now;
            counters.onKeepAlive();
            return 1;
        }
        return 0;
    }

    /**
     * A message went to the node: it owes an answer from now on, unless it already owed one.
     */
    private void sentAt(final long now)
    {
        lastSendNs = now;
        if (0 == awaitingSinceNs)
        {
            awaitingSinceNs = now;
        }
    }

    /**
     * The node has said nothing for a quarter of the silence timeout, and no KeepAlive went for as long: time to ask
     * it for a sign of life (it answers a KeepAlive at once, whatever its shards are doing).
     */
    private boolean isQuiet(final long now)
    {
        return nodeAnswersKeepAlive && now - lastHeardNs >= silenceProbeIntervalNs &&
            now - lastKeepAliveNs >= silenceProbeIntervalNs;
    }

    /**
     * The node is taken as gone when it has sent nothing at all for the silence timeout while it owed an answer for
     * three quarters of it (a request or a KeepAlive of ours was waiting). The second condition keeps a pause of this
     * client's own (a thread that stopped polling and sending for a while) from reading as the node's silence: the
     * node is then asked anew and given that long to answer.
     */
    private boolean isSilent(final long now)
    {
        return 0 != awaitingSinceNs && now - lastHeardNs >= nodeSilenceTimeoutNs &&
            now - awaitingSinceNs >= nodeSilenceTimeoutNs - silenceProbeIntervalNs;
    }

    // ------------------------------------------------------------------------------------------------
    // Timers and retries
    // ------------------------------------------------------------------------------------------------

    private int checkTimers(final long now)
    {
        int work = 0;
        long next = now + TIMER_INTERVAL_NS;
        for (int slot = 0, limit = slotHighWater; slot < limit; slot++)
        {
            if (null == slotHandler[slot])
            {
                continue;
            }
            final long retryAt = slotRetryAtNs[slot];
            if (now >= slotDeadlineNs[slot])
            {
                work++;
                expire(slot, retryAt);
            }
            else if (0 != retryAt)
            {
                if (now >= retryAt)
                {
                    work++;
                    resend(slot, now);
                }
                if (0 != slotRetryAtNs[slot] && slotRetryAtNs[slot] < next)
                {
                    next = slotRetryAtNs[slot];
                }
            }
        }
        nextTimerCheckNs = next;
        return work;
    }

    private void expire(final int slot, final long retryAt)
    {
        final long requestId = slotRequestId[slot];
        final ResponseHandler handler = slotHandler[slot];
        final int attempts = slotAttempts[slot];
        final ErrorCode lastError = slotLastError[slot];
        final long timeoutNs = slotTimeoutNs[slot];
        if (0 == retryAt)
        {
            correlations.remove(slotCorrelationId[slot]);
        }
        else
        {
            pendingRetries--;
        }
        releaseSlot(slot);
        final boolean backPressured = 0 != retryAt && null == lastError;
        if (backPressured)
        {
            counters.onBackPressured();
        }
        else
        {
            counters.onTimedOut();
        }
        notifyFailure(handler, requestId, backPressured ? ClientFailure.BACK_PRESSURED : ClientFailure.TIMEOUT,
            "request " + requestId + " got no answer within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) +
            " ms after " + attempts + " attempt(s)" + (null == lastError ? "" : "; last error " + lastError) +
            (backPressured ? "; the request publication stayed back-pressured" : ""));
    }

    /**
     * Calls a handler's onFailure from outside a fragment (timers, a lost node, close): an exception it throws goes
     * to the Aeron error handler, as one thrown from a fragment does, so that it cannot stop the client half-way
     * through failing its other requests or closing.
     */
    private void notifyFailure(
        final ResponseHandler handler, final long requestId, final ClientFailure failure, final String message)
    {
        try
        {
            handler.onFailure(requestId, failure, message);
        }
        catch (final Exception ex)
        {
            handlerErrorHandler.onError(ex);
        }
    }

    private boolean scheduleRetry(final int slot, final ErrorCode code, final long now)
    {
        final int attempts = slotAttempts[slot];
        if (!retryPolicy.mayRetry(attempts))
        {
            return false;
        }
        random = RetryPolicy.nextRandom(random);
        final long retryAt = now + retryPolicy.backoffNs(attempts, random) + 1;
        if (retryAt >= slotDeadlineNs[slot])
        {
            return false;
        }
        slotRetryAtNs[slot] = retryAt;
        slotLastError[slot] = code;
        pendingRetries++;
        if (retryAt < nextTimerCheckNs)
        {
            nextTimerCheckNs = retryAt;
        }
        return true;
    }

    private void resend(final int slot, final long now)
    {
        final long correlationId = nextCorrelationId++;
        final ExpandableArrayBuffer buffer = slotBuffer[slot];
        buffer.putLong(CORRELATION_ID_OFFSET, correlationId, ByteOrder.LITTLE_ENDIAN);
        final long result = offer(buffer, slotLength[slot]);
        if (result > 0)
        {
            slotCorrelationId[slot] = correlationId;
            slotRetryAtNs[slot] = 0;
            slotAttempts[slot]++;
            pendingRetries--;
            correlations.put(correlationId, slot);
            counters.onRetried();
            sentAt(now);
        }
        else if (Publication.NOT_CONNECTED == result || Publication.CLOSED == result ||
            Publication.MAX_POSITION_EXCEEDED == result)
        {
            nodeLost("the request publication is not connected to the node (offer returned " + result + ")", false);
        }
        else
        {
            counters.onBackPressured();
            slotLastError[slot] = null;
            random = RetryPolicy.nextRandom(random);
            slotRetryAtNs[slot] = now + retryPolicy.backoffNs(slotAttempts[slot], random) + 1;
        }
    }

    /**
     * Ends the session: the node went away ({@code silent}: it said nothing for the node silence timeout).
     */
    private void nodeLost(final String reason, final boolean silent)
    {
        connected = false;
        counters.onNodeLost(silent);
        final int failed = failAll(ClientFailure.NODE_UNAVAILABLE, "node unavailable: " + reason);
        for (int i = 0; i < failed; i++)
        {
            counters.onNodeUnavailable();
        }
    }

    private int failAll(final ClientFailure failure, final String message)
    {
        int failed = 0;
        for (int slot = 0, limit = slotHighWater; slot < limit; slot++)
        {
            final ResponseHandler handler = slotHandler[slot];
            if (null != handler)
            {
                final long requestId = slotRequestId[slot];
                releaseSlot(slot);
                failed++;
                notifyFailure(handler, requestId, failure, message);
            }
        }
        correlations.clear();
        pendingRetries = 0;
        return failed;
    }

    // ------------------------------------------------------------------------------------------------
    // Receiving
    // ------------------------------------------------------------------------------------------------

    private static void onImageAvailable(final Image image)
    {
    }

    private static void onImageUnavailable(final Image image)
    {
        // nothing to do here: the owner thread sees the session image closed (Image.isClosed, volatile) when it polls
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (!responseCheck.hasCorrelationId(buffer, offset, length))
        {
            malformedUnmatched();
            return;
        }
        headerDecoder.wrap(buffer, offset);
        final int templateId = headerDecoder.templateId();
        if (KeepAliveDecoder.TEMPLATE_ID == templateId)
        {
            counters.onKeepAliveAnswered(); // a sign of life, and no more: poll counts the node as heard
            return;
        }
        final long correlationId = buffer.getLong(offset + CORRELATION_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final boolean wellFormed = responseCheck.check(buffer, offset, length, headerDecoder.version());
        if (ConnectResponseDecoder.TEMPLATE_ID == templateId)
        {
            if (wellFormed)
            {
                onConnectResponse(buffer, offset, correlationId, header);
            }
            else
            {
                malformedUnmatched(); // the handshake asks again, and fails on its own timeout naming the channel
            }
            return;
        }
        if (ErrorResponseDecoder.TEMPLATE_ID == templateId && correlationId == handshakeCorrelationId && !connected)
        {
            if (!wellFormed)
            {
                malformedUnmatched();
                return;
            }
            errorDecoder.wrap(buffer, offset + HEADER_LENGTH, headerDecoder.blockLength(), headerDecoder.version());
            handshakeError = errorCode(errorDecoder.errorCodeRaw());
            handshakeErrorMessage = errorDecoder.message();
            handshakeAnswered = true;
            return;
        }

        final int slot = correlations.remove(correlationId);
        if (CorrelationTable.MISSING == slot)
        {
            if (wellFormed)
            {
                counters.onUnmatched();
            }
            else
            {
                malformedUnmatched();
            }
            return;
        }
        final long requestId = slotRequestId[slot];
        final ResponseHandler handler = slotHandler[slot];
        if (!wellFormed)
        {
            releaseSlot(slot); // not one waiting for a retry: those have no correlation id mapped
            counters.onMalformedResponse();
            handler.onFailure(requestId, ClientFailure.BAD_RESPONSE, "the node's answer to request " + requestId +
                " could not be read: " + responseCheck.describe());
            return;
        }

        switch (templateId)
        {
            case ItemResponseDecoder.TEMPLATE_ID:
            {
                itemDecoder.wrap(buffer, offset + HEADER_LENGTH, headerDecoder.blockLength(), headerDecoder.version());
                final boolean found = BooleanType.TRUE == itemDecoder.found();
                final long readHalfUnits = itemDecoder.consumedReadHalfUnits();
                final long writeUnits = itemDecoder.consumedWriteUnits();
                final int lengthOffset = itemDecoder.limit();
                final int itemLength = buffer.getInt(lengthOffset, ByteOrder.LITTLE_ENDIAN);
                releaseSlot(slot);
                counters.onCompleted();
                if (ItemResponseDecoder.consumedReadHalfUnitsNullValue() != readHalfUnits)
                {
                    handler.onConsumedCapacity(requestId, readHalfUnits, writeUnits);
                }
                handler.onItem(requestId, found, buffer, lengthOffset + ItemResponseDecoder.itemHeaderLength(), itemLength);
                break;
            }
            case ItemsPageResponseDecoder.TEMPLATE_ID:
            {
                page.wrap(buffer, offset, headerDecoder);
                releaseSlot(slot);
                counters.onCompleted();
                if (ItemsPageResponseDecoder.consumedReadHalfUnitsNullValue() != page.consumedReadHalfUnits())
                {
                    handler.onConsumedCapacity(requestId, page.consumedReadHalfUnits(), 0);
                }
                handler.onPage(requestId, page);
                break;
            }
            case ErrorResponseDecoder.TEMPLATE_ID:
            {
                errorDecoder.wrap(buffer, offset + HEADER_LENGTH, headerDecoder.blockLength(), headerDecoder.version());
                final ErrorCode code = errorCode(errorDecoder.errorCodeRaw());
                if (RetryPolicy.isThrottle(code))
                {
                    counters.onThrottled();
                }
                if (RetryPolicy.isRetryable(code) && scheduleRetry(slot, code, nowNs))
                {
                    return;
                }
                final String message = errorDecoder.message();
                errorDecoder.wrapItem(failedItemView);
                releaseSlot(slot);
                counters.onError(code);
                if (ErrorCode.ConditionalCheckFailedException == code && failedItemView.capacity() > 0)
                {
                    handler.onConditionalCheckFailed(requestId, message, failedItemView, 0, failedItemView.capacity());
                }
                else
                {
                    handler.onError(requestId, code, message);
                }
                break;
            }
            case io.ferrite.codecs.sbe.TableDescriptionResponseDecoder.TEMPLATE_ID:
            case io.ferrite.codecs.sbe.ListTablesResponseDecoder.TEMPLATE_ID:
            case io.ferrite.codecs.sbe.BatchGetItemResponseDecoder.TEMPLATE_ID:
            case io.ferrite.codecs.sbe.BatchWriteItemResponseDecoder.TEMPLATE_ID:
                releaseSlot(slot);
                counters.onCompleted();
                handler.onResponse(requestId, templateId, buffer, offset, length);
                break;
            default:
                releaseSlot(slot);
                counters.onMalformedResponse();
                handler.onFailure(requestId, ClientFailure.BAD_RESPONSE, "the node answered request " + requestId +
                    " with template id " + templateId + ", which is not a response this client knows");
                break;
        }
    }

    /**
     * A response frame that is garbled and answers no request in flight (its correlation id unreadable, or matching
     * none): counted, and logged at most once a second with the number not logged since, so a node (or a channel)
     * sending garbage cannot flood the log; the client carries on.
     */
    private void malformedUnmatched()
    {
        counters.onMalformedResponse();
        final long now = System.nanoTime();
        if (0 == lastMalformedLogNs || now - lastMalformedLogNs >= MALFORMED_LOG_INTERVAL_NS)
        {
            System.err.println("ferrite client " + Long.toHexString(clientId) + ": dropped a malformed response that " +
                "answers no request in flight: " + responseCheck.describe() +
                (malformedNotLogged > 0 ? " (and " + malformedNotLogged + " more since the last such line)" : ""));
            lastMalformedLogNs = now;
            malformedNotLogged = 0;
        }
        else
        {
            malformedNotLogged++;
        }
    }

    private void onConnectResponse(
        final DirectBuffer buffer, final int offset, final long correlationId, final Header header)
    {
        if (connected || correlationId != handshakeCorrelationId)
        {
            counters.onUnmatched();
            return;
        }
        connectDecoder.wrap(buffer, offset + HEADER_LENGTH, headerDecoder.blockLength(), headerDecoder.version());
        sessionId = connectDecoder.sessionId();
        sessionTimeoutMs = connectDecoder.sessionTimeoutMs();
        nodeProtocolVersion = connectDecoder.protocolVersion();
        nodeAnswersKeepAlive = nodeProtocolVersion >= ProtocolVersions.KEEP_ALIVE_ANSWERED;
        keepAliveIntervalNs = 0 != config.keepAliveIntervalNs() ? config.keepAliveIntervalNs() :
            TimeUnit.MILLISECONDS.toNanos(Math.max(1, connectDecoder.keepAliveIntervalMs()));
        sessionImage = (Image)header.context(); // Aeron's Image gives itself as its header's context
        handshakeAnswered = true;
    }

    private static ErrorCode errorCode(final int raw)
    {
        return raw >= 0 && raw < ERROR_CODES_BY_VALUE.length && null != ERROR_CODES_BY_VALUE[raw] ?
            ERROR_CODES_BY_VALUE[raw] : ErrorCode.InternalServerError;
    }

    private static ErrorCode[] errorCodesByValue()
    {
        int max = 0;
        for (final ErrorCode code : ErrorCode.values())
        {
            if (ErrorCode.NULL_VAL != code)
            {
                max = Math.max(max, code.value());
            }
        }
        final ErrorCode[] byValue = new ErrorCode[max + 1];
        for (final ErrorCode code : ErrorCode.values())
        {
            if (ErrorCode.NULL_VAL != code)
            {
                byValue[code.value()] = code;
            }
        }
        return byValue;
    }

    // ------------------------------------------------------------------------------------------------
    // Connecting
    // ------------------------------------------------------------------------------------------------

    private static String resolveResponseChannel(final Subscription subscription, final ClientConfig config)
    {
        final String channel = config.responseChannel();
        if (!channel.startsWith("aeron:udp"))
        {
            return channel;
        }
        final long deadline = System.nanoTime() + config.connectTimeoutNs();
        final IdleStrategy idle = new BackoffIdleStrategy();
        while (true)
        {
            final String resolved = subscription.tryResolveChannelEndpointPort();
            if (null != resolved)
            {
                return resolved;
            }
            if (System.nanoTime() > deadline)
            {
                throw new FerriteClientException(ClientFailure.NODE_UNAVAILABLE,
                    "could not bind the response channel " + channel + " within the connect timeout");
            }
            idle.idle();
        }
    }

    private void handshake()
    {
        final long connectTimeoutNs = config.connectTimeoutNs();
        final long deadline = System.nanoTime() + connectTimeoutNs;
        final IdleStrategy idle = new BackoffIdleStrategy();
        while (!publication.isConnected())
        {
            if (System.nanoTime() > deadline)
            {
                throw new FerriteClientException(ClientFailure.NODE_UNAVAILABLE, "no node is listening on " +
                    config.requestChannel() + " stream " + config.requestStreamId() + " (waited " +
                    TimeUnit.NANOSECONDS.toMillis(connectTimeoutNs) + " ms): is the node running" +
                    (config.requestChannel().startsWith("aeron:ipc") ? " on aeron dir " + aeron.context().aeronDirectoryName() : "") +
                    "?");
            }
            idle.idle();
        }

        handshakeCorrelationId = nextCorrelationId++;
        connectEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .correlationId(handshakeCorrelationId)
            .clientId(clientId)
            .responseStreamId(responseStreamId)
            .protocolVersion(ConnectRequestEncoder.SCHEMA_VERSION)
            .responseChannel(responseChannel);
        final int length = HEADER_LENGTH + connectEncoder.encodedLength();
        while (publication.offer(controlBuffer, 0, length) < 0)
        {
            if (System.nanoTime() > deadline || publication.isClosed())
            {
                throw new FerriteClientException(ClientFailure.NODE_UNAVAILABLE,
                    "could not send ConnectRequest to " + config.requestChannel() + " within the connect timeout");
            }
            idle.idle();
        }
        long lastConnectSentNs = System.nanoTime();

        idle.reset();
        while (!handshakeAnswered)
        {
            nowNs = System.nanoTime();
            if (nowNs - lastConnectSentNs > CONNECT_RESEND_INTERVAL_NS)
            {
                // The node gives up on a response channel that does not connect within its own connect timeout
                // (a loaded host, a slow first UDP setup): asking again, with the same correlation id, makes it try
                // anew; while it still holds the session, it just answers again once connected.
                publication.offer(controlBuffer, 0, length);
                lastConnectSentNs = nowNs;
            }
            if (nowNs > deadline)
            {
                throw new FerriteClientException(ClientFailure.NODE_UNAVAILABLE, "the node on " +
                    config.requestChannel() + " stream " + config.requestStreamId() + " did not answer the " +
                    "ConnectRequest within " + TimeUnit.NANOSECONDS.toMillis(connectTimeoutNs) + " ms (responses " +
                    "expected on " + responseChannel + " stream " + responseStreamId + "): is it running there, and " +
                    "at this client's protocol version " + ConnectRequestEncoder.SCHEMA_VERSION + " or later? A node " +
                    "older than its clients drops their ConnectRequest unanswered (upgrade nodes first)");
            }
            idle.idle(subscription.poll(assembler, config.fragmentLimit()));
        }
        if (null != handshakeError)
        {
            throw new FerriteException(handshakeError, "the node refused the connection: " + handshakeErrorMessage);
        }
        connected = true;
        lastSendNs = System.nanoTime();
        lastHeardNs = lastSendNs; // the ConnectResponse
        lastKeepAliveNs = lastSendNs;
        awaitingSinceNs = 0;
    }

    /**
     * Wraps a byte array in a reused view (for the blocking API, on the owning thread).
     *
     * @param bytes the array.
     * @return a view over it, valid until the next call.
     */
    DirectBuffer view(final byte[] bytes)
    {
        byteArrayView.wrap(bytes);
        return byteArrayView;
    }

    /**
     * @return the polling thread's clock reading at the last poll, in nanoseconds.
     */
    long nowNs()
    {
        return nowNs;
    }

    int pendingRetries()
    {
        return pendingRetries;
    }
}
