package io.ferrite.http;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.codecs.sbe.BatchGetItemResponseDecoder;
import io.ferrite.codecs.sbe.BatchWriteItemResponseDecoder;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.codecs.sbe.KeyRole;
import io.ferrite.codecs.sbe.ListTablesResponseDecoder;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import io.ferrite.codecs.sbe.TableDescriptionResponseDecoder;
import io.ferrite.codecs.sbe.WriteOp;
import io.ferrite.engine.admission.BillingMode;
import io.ferrite.engine.admission.ReturnConsumedCapacity;
import io.ferrite.engine.admission.TableCapacity;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.WriteRequest;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.engine.api.ReturnValuesOnConditionCheckFailure;
import io.ferrite.transport.client.ClientFailure;
import io.ferrite.transport.client.ExpressionParams;
import io.ferrite.transport.client.FerriteClient;
import io.ferrite.transport.client.ItemsPage;
import io.ferrite.transport.client.QueryParams;
import io.ferrite.transport.client.ResponseHandler;
import io.ferrite.transport.client.ScanParams;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.EventExecutor;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * One event loop's bridge between DynamoDB's JSON operations and the node: it owns one {@link FerriteClient}
 * session (so every HTTP request goes through the node's router, admission and shards like any SBE request),
 * reads each request body with the loop's {@link JsonIn} into reused item writers and the client's encoders,
 * and writes each SBE answer straight out as DynamoDB's JSON with the loop's {@link JsonOut}: nothing allocated
 * per request on GetItem, PutItem, UpdateItem, DeleteItem, Query and Scan. Requests in flight are matched to their HTTP
 * connections by the client's request id.
 * <p>
 * Expressions (condition, update, key condition, filter, projection, ExpressionAttributeNames/Values,
 * ReturnValuesOnConditionCheckFailure) travel to the node as they came, in the client's {@link ExpressionParams},
 * {@link QueryParams} and {@link ScanParams}, and BatchGetItem's per-table ProjectionExpression and
 * ExpressionAttributeNames in its request; the node compiles and checks them (decisions 0008, 0010).
 * <p>
 * Threading: every method runs on its event loop's thread, which also polls the client (while requests are in
 * flight, a poll task re-submits itself for up to 50 us after the last answer or request, then the front's waker
 * thread re-submits it every ~50 us; otherwise a timer polls for keep-alives).
 */
final class DynamoDispatcher implements ResponseHandler
{
    private static final Logger LOG = LoggerFactory.getLogger(DynamoDispatcher.class);
    /** How long the poll task spins on an empty client before it waits for the waker (a quiet node answers sooner). */
    private static final long SPIN_NS = 50_000;
    /** The waker's delay between polls once spinning stopped: it parks with microsecond precision. */
    private static final long WAKE_DELAY_NS = 50_000;

    /** How long a failed reconnect waits before the next try. */
    private static final long RECONNECT_BACKOFF_MS = 500;

    /** The loop's session with the node; replaced by a new one when the node ended it ({@link #reconnect}). */
    private FerriteClient client;
    private final Supplier<FerriteClient> connector;
    /** A new session is being opened on a thread of its own; requests meanwhile get a retryable 503. */
    private boolean reconnecting;
    /** Written on the loop, read by the reconnecting thread. */
    private volatile boolean closed;
    private final EventExecutor loop;
    private final HttpConfig config;
    private final JsonIn jsonIn = new JsonIn();
    /** The one JSON writer of this loop's answers (each is copied into its response buffer before the next). */
    private final JsonOut json = new JsonOut();
    private byte[] bodyBytes = new byte[4096];
    private final ItemJson items = new ItemJson();
    private final DynamoRequest request = new DynamoRequest();
    private final Long2ObjectHashMap<Pending> inFlight = new Long2ObjectHashMap<>();
    private final ArrayDeque<Pending> pool = new ArrayDeque<>();
    private final QueryParams queryParams = new QueryParams();
    private final ScanParams scanParams = new ScanParams();
    private final ExpressionParams expressionParams = new ExpressionParams();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final TableDescriptionResponseDecoder tableDecoder = new TableDescriptionResponseDecoder();
    private final ListTablesResponseDecoder listDecoder = new ListTablesResponseDecoder();
    private final BatchGetItemResponseDecoder batchGetDecoder = new BatchGetItemResponseDecoder();
    private final BatchWriteItemResponseDecoder batchWriteDecoder = new BatchWriteItemResponseDecoder();
    private final Runnable pollTask = this::pollTask;
    private final PollWaker waker;
    private final PollWaker.Alarm alarm;
    private Pending sending;
    private boolean pollScheduled;
    private long lastWorkNs;
    private final ResponseWriter responses;
    private boolean polling;
    private DynamoHttpHandler[] toFlush = new DynamoHttpHandler[16];
    private int toFlushCount;
    private final long itemTimeoutNs;
    private final long tableTimeoutNs;

    /** What one HTTP request waits for. */
    static final class Pending
    {
        DynamoHttpHandler http;
        Operation operation;
        boolean answered;
        boolean selectCount;
        Map<String, String> batchProjections;
        Map<String, Map<String, String>> batchNames;
        Map<String, Boolean> batchConsistent;
        ReturnConsumedCapacity capacity = ReturnConsumedCapacity.NONE;
        final ItemJson.Chars tableName = new ItemJson.Chars();
        long readHalfUnits;
        long writeUnits;
        boolean consumed;

        void clear()
        {
            http = null;
            operation = null;
            answered = false;
            selectCount = false;
            batchProjections = null;
            batchNames = null;
            batchConsistent = null;
            capacity = ReturnConsumedCapacity.NONE;
            tableName.clear();
            consumed = false;
        }
    }

    DynamoDispatcher(
        final FerriteClient client, final EventExecutor loop, final HttpConfig config,
        final PollWaker waker)
    {
        this(client, null, loop, config, waker);
    }

    /**
     * @param client    the loop's session with the node, connected.
     * @param connector opens a new session when the node ends this one (called on a thread of its own; may block
     *                  for its connect timeout); null: the front answers 503 once the session is gone.
     * @param loop      the event loop that owns this dispatcher and its client.
     * @param config    the front's settings.
     * @param waker     the front's poll waker.
     */
    DynamoDispatcher(
        final FerriteClient client, final Supplier<FerriteClient> connector, final EventExecutor loop,
        final HttpConfig config, final PollWaker waker)
    {
        this.client = client;
        this.connector = connector;
        this.loop = loop;
        this.waker = waker;
        this.alarm = waker.alarm(() -> loop.execute(pollTask));
        this.config = config;
        this.responses = new ResponseWriter(Long.toHexString(client.clientId()).toUpperCase() + "-");
        this.itemTimeoutNs = client.config().requestTimeoutNs();
        this.tableTimeoutNs = client.config().tableTimeoutNs();
    }

    String region()
    {
        return config.region();
    }

    ResponseWriter responses()
    {
        return responses;
    }

    // ------------------------------------------------------------------------------------------------
    // Polling
    // ------------------------------------------------------------------------------------------------

    /**
     * Polls the client: called by the keep-alive timer, and by the poll task while requests are in flight. Never
     * throws (a throwable from an answer's callback is logged).
     */
    void pollOnce()
    {
        poll();
    }

    /**
     * Polls the client; the answers it delivers are written to their connections and flushed together after it
     * (one flush per connection per poll, not per answer).
     */
    private int poll()
    {
        if (!reconnecting && !client.isConnected())
        {
            reconnect();
        }
        polling = true;
        try
        {
            return client.poll();
        }
        catch (final Throwable ex)
        {
            // A bug of ours in an answer's callback. Not let out: it would cancel the keep-alive timer that runs
            // pollOnce for good (a periodic task that throws is not run again) or stop the poll task's re-arming.
            LOG.error("the HTTP front's poll of its node session failed; it polls on", ex);
            return 1;
        }
        finally
        {
            polling = false;
            for (int i = 0; i < toFlushCount; i++)
            {
                toFlush[i].flushNow();
                toFlush[i] = null;
            }
            toFlushCount = 0;
        }
    }

    /**
     * @param http a connection that has just written an answer.
     * @return true when it is flushed after the current poll; false when it must flush now (not in a poll).
     */
    boolean flushAfterPoll(final DynamoHttpHandler http)
    {
        if (!polling)
        {
            return false;
        }
        if (toFlushCount == toFlush.length)
        {
            toFlush = java.util.Arrays.copyOf(toFlush, toFlush.length * 2);
        }
        toFlush[toFlushCount++] = http;
        return true;
    }

    private void pollTask()
    {
        pollScheduled = false;
        final int work = poll();
        if (client.inFlight() > 0)
        {
            final long nowNs = System.nanoTime();
            if (work > 0)
            {
                lastWorkNs = nowNs;
            }
            pollScheduled = true;
            if (nowNs - lastWorkNs < SPIN_NS)
            {
                loop.execute(pollTask);
            }
            else
            {
                // Not loop.schedule: the NIO selector's timeout has millisecond granularity, so a 50 us delay became
                // ~1 ms and a slow answer waited that long. The waker thread parks with microsecond precision and
                // hands the poll back to this loop (a selector wake-up).
                waker.arm(alarm, WAKE_DELAY_NS);
            }
        }
    }

    private void schedulePoll()
    {
        lastWorkNs = System.nanoTime();
        if (!pollScheduled)
        {
            pollScheduled = true;
            loop.execute(pollTask);
        }
    }

    void close()
    {
        closed = true;
        client.close();
    }

    /**
     * This loop's session with the node is over: the node ended it (it closes a session it has not heard from for its
     * session timeout, e.g. after a long pause of this loop, or one whose answers it could not deliver), or the client
     * ended it because the node went silent (dead or frozen: {@code ferrite.client.nodeSilenceTimeoutMs}). Open a new
     * one on a thread of its own, and hand it to this loop, which owns it from then on. Requests that arrive meanwhile get a retryable 503;
     * the old session's requests were failed when it ended. A failed attempt is retried every
     * {@value #RECONNECT_BACKOFF_MS} ms until the front closes.
     */
    private void reconnect()
    {
        if (null == connector || closed)
        {
            return;
        }
        reconnecting = true;
        LOG.warn("the HTTP front's session {} with the node is over ({}; event loop {}); opening a new one",
            client.sessionId(), client.counters().silentNodes() > 0 ? "the node went silent" :
            "the node ended it or went away", loop);
        final Thread thread = new Thread(this::connectUntilClosed, "ferrite-http-reconnect");
        thread.setDaemon(true);
        thread.start();
    }

    private void connectUntilClosed()
    {
        while (!closed && !loop.isShuttingDown())
        {
            try
            {
                final FerriteClient fresh = connector.get();
                try
                {
                    loop.execute(() -> adopt(fresh));
                }
                catch (final RejectedExecutionException ex)
                {
                    fresh.close(); // the front closed meanwhile
                }
                return;
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("the HTTP front could not open a new session with the node ({}); retrying in {} ms",
                    ex.toString(), RECONNECT_BACKOFF_MS);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RECONNECT_BACKOFF_MS));
            }
        }
    }

    private void adopt(final FerriteClient fresh)
    {
        if (closed)
        {
            fresh.close();
            return;
        }
        final FerriteClient old = client;
        client = fresh;
        reconnecting = false;
        old.close();
        LOG.info("the HTTP front serves again on its new node session {} (event loop {})", fresh.sessionId(), loop);
    }

    // ------------------------------------------------------------------------------------------------
    // Requests
    // ------------------------------------------------------------------------------------------------

    /**
     * Reads one request and sends it to the node; its answer comes back through this handler's callbacks.
     *
     * @param http      the connection to answer on.
     * @param operation the operation named by X-Amz-Target.
     * @param body      the JSON body (read during this call only).
     */
    void dispatch(final DynamoHttpHandler http, final Operation operation, final ByteBuf body)
    {
        final Pending pending = acquire();
        pending.http = http;
        pending.operation = operation;
        boolean parsed = false;
        try
        {
            request.reset();
            request.batch = null;
            final Map<String, List<byte[]>> batchKeys = Operation.BatchGetItem == operation ? new LinkedHashMap<>() : null;
            final Map<String, List<WriteRequest>> batchWrites =
                Operation.BatchWriteItem == operation ? new LinkedHashMap<>() : null;
            if (null != batchKeys)
            {
                pending.batchProjections = new HashMap<>();
                pending.batchNames = new HashMap<>();
                pending.batchConsistent = new HashMap<>();
                request.batch = parser -> readBatchGet(parser, batchKeys, pending);
            }
            else if (null != batchWrites)
            {
                request.batch = parser -> readBatchWrite(parser, batchWrites);
            }
            final int bodyLength = body.readableBytes();
            if (0 == bodyLength)
            {
                throw new FerriteException(ErrorCode.SerializationException, "The request body is empty: it must be " +
                    "a JSON object");
            }
            try
            {
                final JsonIn parser = parser(body, bodyLength);
                request.read(parser, items);
                if (null != parser.nextToken())
                {
                    throw new FerriteException(ErrorCode.SerializationException, "Unexpected data after the JSON " +
                        "object of the request body");
                }
                parsed = true;
            }
            catch (final JsonIn.MalformedJson ex)
            {
                throw new FerriteException(ErrorCode.SerializationException, "Malformed JSON in the request body: " +
                    ex.getMessage());
            }
            send(pending, batchKeys, batchWrites);
        }
        catch (final FerriteException ex)
        {
            sending = null;
            answerError(pending, DynamoErrors.status(ex.code()), DynamoErrors.type(ex.code()), ex.getMessage());
        }
        catch (final IllegalStateException | IOException ex)
        {
            sending = null;
            answerError(pending, HttpResponseStatus.BAD_REQUEST, DynamoErrors.SERIALIZATION,
                "Could not read the request: " + ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            // A bug of ours, not the client's: still an answer (a request left unanswered hangs its connection).
            sending = null;
            if (pending.answered || http != pending.http)
            {
                throw ex; // thrown while answering (or after): the connection's handler closes the connection
            }
            if (parsed)
            {
                answerError(pending, HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    DynamoErrors.type(ErrorCode.InternalServerError), "Could not send the request: " + ex);
            }
            else
            {
                answerError(pending, HttpResponseStatus.BAD_REQUEST, DynamoErrors.SERIALIZATION,
                    "Could not read the request: " + ex);
            }
        }
    }

    private void send(
        final Pending pending,
        final Map<String, List<byte[]>> batchKeys,
        final Map<String, List<WriteRequest>> batchWrites)
    {
        final DynamoRequest r = request;
        final Operation operation = pending.operation;
        if (Operation.ListTables != operation && Operation.BatchGetItem != operation &&
            Operation.BatchWriteItem != operation)
        {
            requireTableName(r);
            pending.tableName.set(r.tableName);
        }
        if (null != r.indexName)
        {
            throw FerriteException.validation("Ferrite does not support secondary indexes yet: IndexName " + r.indexName);
        }
        pending.capacity = consumedCapacity(r.returnConsumedCapacity);
        client.returnConsumedCapacity(pending.capacity);
        // Table changes wait for every shard (the first table of a process takes seconds: Chronicle Map code generation).
        client.requestTimeoutNs(isTableChange(operation) ? tableTimeoutNs : itemTimeoutNs);
        sending = pending;
        final long requestId;
        switch (operation)
        {
            case PutItem ->
            {
                require(r.hasItem, "Item");
                requestId = client.putItem(r.tableName, r.item.buffer(), 0, r.item.finish(),
                    returnValues(r.returnValues, true), expressions(r).conditionExpression(r.conditionExpression), this);
            }
            case DeleteItem ->
            {
                require(r.hasKey, "Key");
                requestId = client.deleteItem(r.tableName, r.key.buffer(), 0, r.key.finish(),
                    returnValues(r.returnValues, true), expressions(r).conditionExpression(r.conditionExpression), this);
            }
            case GetItem ->
            {
                require(r.hasKey, "Key");
                requestId = client.getItem(r.tableName, r.key.buffer(), 0, r.key.finish(), r.consistentRead,
                    expressions(r).projectionExpression(r.projectionExpression), this);
            }
            case UpdateItem ->
            {
                require(r.hasKey, "Key");
                requestId = client.updateItem(r.tableName, r.key.buffer(), 0, r.key.finish(),
                    returnValues(r.returnValues, false), expressions(r).updateExpression(r.updateExpression)
                    .conditionExpression(r.conditionExpression), this);
            }
            case Query -> requestId = sendQuery(pending, r);
            case Scan -> requestId = sendScan(pending, r);
            case CreateTable -> requestId = client.createTable(tableSpec(r), this);
            case DeleteTable -> requestId = client.deleteTable(r.tableName, this);
            case DescribeTable -> requestId = client.describeTable(r.tableName, this);
            case UpdateTable ->
            {
                if (r.hasSecondaryIndexes)
                {
                    throw FerriteException.validation("Ferrite does not support secondary indexes yet: " +
                        "GlobalSecondaryIndexUpdates");
                }
                r.refuseUnsupportedTableFeature();
                requestId = client.updateTable(r.tableName, billingMode(r.billingMode), r.readCapacityUnits,
                    r.writeCapacityUnits, this);
            }
            case ListTables ->
            {
                if (r.hasLimit && (r.limit < 1 || r.limit > 100))
                {
                    throw FerriteException.validation("1 validation error detected: Value '" + r.limit + "' at " +
                        "'limit' failed to satisfy constraint: Member must have value between 1 and 100");
                }
                requestId = client.listTables(r.hasLimit ? r.limit : 100, r.exclusiveStartTableName, this);
            }
            case BatchGetItem ->
            {
                if (batchKeys.isEmpty())
                {
                    throw FerriteException.validation("1 validation error detected: Value at 'requestItems' failed " +
                        "to satisfy constraint: Member must have length greater than or equal to 1");
                }
                requestId = client.batchGetItem(batchKeys, pending.batchConsistent, pending.batchProjections,
                    pending.batchNames, this);
            }
            case BatchWriteItem ->
            {
                if (batchWrites.isEmpty())
                {
                    throw FerriteException.validation("1 validation error detected: Value at 'requestItems' failed " +
                        "to satisfy constraint: Member must have length greater than or equal to 1");
                }
                requestId = client.batchWriteItem(batchWrites, this);
            }
            default -> throw new IllegalStateException("unhandled operation " + operation);
        }
        sent(pending, requestId);
    }

    private static boolean isTableChange(final Operation operation)
    {
        return Operation.CreateTable == operation || Operation.DeleteTable == operation ||
            Operation.UpdateTable == operation;
    }

    private void sent(final Pending pending, final long requestId)
    {
        sending = null;
        if (requestId < 0)
        {
            if (!pending.answered)
            {
                if (FerriteClient.BACK_PRESSURED == requestId || FerriteClient.IN_FLIGHT_LIMIT == requestId)
                {
                    answerError(pending, HttpResponseStatus.BAD_REQUEST, DynamoErrors.type(ErrorCode.ThrottlingException),
                        "The node is busy (" + (FerriteClient.BACK_PRESSURED == requestId ? "back-pressured" :
                        "too many requests in flight") + "); retry");
                }
                else
                {
                    if (!reconnecting)
                    {
                        reconnect();
                    }
                    answerError(pending, HttpResponseStatus.SERVICE_UNAVAILABLE,
                        DynamoErrors.type(ErrorCode.ServiceUnavailable), null == connector ?
                        "The HTTP front has lost its session with the node" :
                        "The HTTP front lost its session with the node and is opening a new one; retry");
                }
            }
            return;
        }
        if (pending.answered)
        {
            release(pending);
            return;
        }
        inFlight.put(requestId, pending);
        schedulePoll();
    }

    private long sendQuery(final Pending pending, final DynamoRequest r)
    {
        if (null == r.keyConditionExpression)
        {
            throw FerriteException.validation("Either the KeyConditions or KeyConditionExpression parameter must be " +
                "specified in the request.");
        }
        pending.selectCount = select(r.select);
        queryParams.reset().tableName(r.tableName).scanIndexForward(r.scanIndexForward).consistentRead(r.consistentRead)
            .keyConditionExpression(r.keyConditionExpression)
            .filterExpression(r.filterExpression)
            .projectionExpression(r.projectionExpression);
        if (r.hasNames)
        {
            queryParams.expressionAttributeNames(r.names.buffer(), 0, r.names.finish());
        }
        if (r.hasValues)
        {
            queryParams.expressionAttributeValues(r.values.buffer(), 0, r.values.finish());
        }
        if (r.hasLimit)
        {
            queryParams.limit(checkLimit(r.limit));
        }
        if (r.hasStartKey)
        {
            queryParams.exclusiveStartKey(r.startKey.buffer(), 0, r.startKey.finish());
        }
        return client.query(queryParams, this);
    }

    private long sendScan(final Pending pending, final DynamoRequest r)
    {
        pending.selectCount = select(r.select);
        scanParams.reset().tableName(r.tableName).consistentRead(r.consistentRead)
            .filterExpression(r.filterExpression)
            .projectionExpression(r.projectionExpression);
        if (r.hasNames)
        {
            scanParams.expressionAttributeNames(r.names.buffer(), 0, r.names.finish());
        }
        if (r.hasValues)
        {
            scanParams.expressionAttributeValues(r.values.buffer(), 0, r.values.finish());
        }
        if (r.hasSegment != r.hasTotalSegments)
        {
            throw FerriteException.validation("The TotalSegments parameter is required but was not present in the " +
                "request when Segment parameter is present");
        }
        if (r.hasTotalSegments)
        {
            if (r.totalSegments < 1 || r.totalSegments > 1_000_000)
            {
                throw FerriteException.validation("1 validation error detected: Value '" + r.totalSegments + "' at " +
                    "'totalSegments' failed to satisfy constraint: Member must have value between 1 and 1000000");
            }
            if (r.segment < 0 || r.segment >= r.totalSegments)
            {
                throw FerriteException.validation("The Segment parameter is zero-based and must be less than " +
                    "parameter TotalSegments: Segment: " + r.segment + " is not less than TotalSegments: " +
                    r.totalSegments);
            }
            scanParams.segment(r.segment, r.totalSegments);
        }
        if (r.hasLimit)
        {
            scanParams.limit(checkLimit(r.limit));
        }
        if (r.hasStartKey)
        {
            scanParams.exclusiveStartKey(r.startKey.buffer(), 0, r.startKey.finish());
        }
        return client.scan(scanParams, this);
    }

    private TableSpec tableSpec(final DynamoRequest r)
    {
        if (r.hasSecondaryIndexes)
        {
            throw FerriteException.validation("Ferrite does not support secondary indexes yet: GlobalSecondaryIndexes " +
                "and LocalSecondaryIndexes must be absent");
        }
        r.refuseUnsupportedTableFeature();
        if (null == r.hashKey)
        {
            throw FerriteException.validation("1 validation error detected: Value null at 'keySchema' failed to " +
                "satisfy constraint: Member must not be null (a KeySchema with one HASH element is required)");
        }
        if (r.keySchemaCount != r.attributeDefinitions.size())
        {
            throw FerriteException.validation("One or more parameter values were invalid: Number of attributes in " +
                "KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
        }
        TableSpec spec = TableSpec.of(r.tableName.toString()).partitionKey(r.hashKey, keyType(r, r.hashKey));
        if (null != r.rangeKey)
        {
            spec = spec.sortKey(r.rangeKey, keyType(r, r.rangeKey));
        }
        return spec.capacity(TableCapacity.forCreate(billingMode(r.billingMode), r.readCapacityUnits,
            r.writeCapacityUnits));
    }

    private static KeyType keyType(final DynamoRequest r, final String name)
    {
        final String type = r.attributeDefinitions.get(name);
        if (null == type)
        {
            throw FerriteException.validation("One or more parameter values were invalid: Some index key attributes " +
                "are not defined in AttributeDefinitions. Keys: [" + name + "], AttributeDefinitions: " +
                r.attributeDefinitions.keySet());
        }
        return switch (type)
        {
            case "S" -> KeyType.S;
            case "N" -> KeyType.N;
            case "B" -> KeyType.B;
            default -> throw FerriteException.validation("1 validation error detected: Value '" + type + "' at " +
                "'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum " +
                "value set: [B, N, S]");
        };
    }

    private static BillingMode billingMode(final String mode)
    {
        if (null == mode)
        {
            return null;
        }
        return switch (mode)
        {
            case "PROVISIONED" -> BillingMode.PROVISIONED;
            case "PAY_PER_REQUEST" -> BillingMode.PAY_PER_REQUEST;
            default -> throw FerriteException.validation("1 validation error detected: Value '" + mode + "' at " +
                "'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, " +
                "PAY_PER_REQUEST]");
        };
    }

    private void readBatchGet(final JsonIn parser, final Map<String, List<byte[]>> keys, final Pending pending)
        throws IOException
    {
        final ItemWriter writer = request.key;
        while (parser.nextToken() == JsonToken.FIELD_NAME)
        {
            final String table = parser.currentName();
            parser.nextToken();
            ItemJson.expect(parser, JsonToken.START_OBJECT, "RequestItems." + table);
            final List<byte[]> tableKeys = new ArrayList<>();
            String projection = null;
            Map<String, String> names = null;
            boolean consistent = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME)
            {
                final String member = parser.currentName();
                parser.nextToken();
                switch (member)
                {
                    case "Keys" ->
                    {
                        ItemJson.expect(parser, JsonToken.START_ARRAY, "RequestItems." + table + ".Keys");
                        while (parser.nextToken() != JsonToken.END_ARRAY)
                        {
                            items.readItem(parser, writer.reset(), "Keys");
                            final int length = writer.finish();
                            final byte[] key = new byte[length];
                            writer.buffer().getBytes(0, key);
                            tableKeys.add(key);
                        }
                    }
                    case "ConsistentRead" -> consistent = DynamoRequest.bool(parser, member);
                    case "ProjectionExpression" -> projection = DynamoRequest.string(parser, member);
                    case "ExpressionAttributeNames" ->
                    {
                        names = new LinkedHashMap<>();
                        ItemJson.expect(parser, JsonToken.START_OBJECT, member);
                        while (parser.nextToken() == JsonToken.FIELD_NAME)
                        {
                            final String name = parser.currentName();
                            parser.nextToken();
                            names.put(name, DynamoRequest.string(parser, member));
                        }
                    }
                    case "AttributesToGet" -> throw DynamoRequest.legacy(member);
                    default -> parser.skipChildren();
                }
            }
            if (tableKeys.isEmpty())
            {
                throw FerriteException.validation("1 validation error detected: Value at 'requestItems." + table +
                    ".member.keys' failed to satisfy constraint: Member must have length greater than or equal to 1");
            }
            if (null != projection)
            {
                pending.batchProjections.put(table, projection);
            }
            if (null != names)
            {
                pending.batchNames.put(table, names);
            }
            pending.batchConsistent.put(table, consistent);
            keys.put(table, tableKeys);
        }
    }

    private void readBatchWrite(final JsonIn parser, final Map<String, List<WriteRequest>> writes) throws IOException
    {
        final ItemWriter writer = request.item;
        while (parser.nextToken() == JsonToken.FIELD_NAME)
        {
            final String table = parser.currentName();
            parser.nextToken();
            ItemJson.expect(parser, JsonToken.START_ARRAY, "RequestItems." + table);
            final List<WriteRequest> tableWrites = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY)
            {
                ItemJson.expect(parser, JsonToken.START_OBJECT, "RequestItems." + table + "[]");
                int requests = 0;
                while (parser.nextToken() == JsonToken.FIELD_NAME)
                {
                    final String kind = parser.currentName();
                    parser.nextToken();
                    final boolean put = "PutRequest".equals(kind);
                    if (!put && !"DeleteRequest".equals(kind))
                    {
                        parser.skipChildren();
                        continue;
                    }
                    requests++;
                    ItemJson.expect(parser, JsonToken.START_OBJECT, kind);
                    boolean found = false;
                    while (parser.nextToken() == JsonToken.FIELD_NAME)
                    {
                        final String member = parser.currentName();
                        parser.nextToken();
                        if ((put && "Item".equals(member)) || (!put && "Key".equals(member)))
                        {
                            items.readItem(parser, writer.reset(), kind + "." + member);
                            final int length = writer.finish();
                            final byte[] bytes = new byte[length];
                            writer.buffer().getBytes(0, bytes);
                            tableWrites.add(put ? WriteRequest.put(bytes) : WriteRequest.delete(bytes));
                            found = true;
                        }
                        else
                        {
                            parser.skipChildren();
                        }
                    }
                    if (!found)
                    {
                        throw FerriteException.validation("1 validation error detected: Value null at '" +
                            (put ? "item" : "key") + "' failed to satisfy constraint: Member must not be null");
                    }
                }
                if (1 != requests)
                {
                    throw FerriteException.validation("One or more parameter values were invalid: a WriteRequest of " +
                        "RequestItems." + table + " must hold exactly one of PutRequest and DeleteRequest");
                }
            }
            writes.put(table, tableWrites);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Answers
    // ------------------------------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     */
    public void onConsumedCapacity(final long requestId, final long readHalfUnits, final long writeUnits)
    {
        final Pending pending = lookup(requestId, false);
        if (null != pending)
        {
            pending.consumed = true;
            pending.readHalfUnits = readHalfUnits;
            pending.writeUnits = writeUnits;
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onItem(final long requestId, final boolean found, final DirectBuffer buffer, final int offset,
        final int length)
    {
        final Pending pending = lookup(requestId, true);
        if (null == pending)
        {
            return;
        }
        final JsonOut out = json.reset();
        try
        {
            out.writeStartObject();
            if (found && length > 0)
            {
                out.writeFieldName(Operation.GetItem == pending.operation ? "Item" : "Attributes");
                items.writeItem(out, buffer, offset);
            }
            writeConsumed(out, pending);
            out.writeEndObject();
        }
        catch (final RuntimeException ex)
        {
            internal(pending, ex);
            return;
        }
        answer(pending, HttpResponseStatus.OK);
    }

    /**
     * {@inheritDoc}
     */
    public void onPage(final long requestId, final ItemsPage page)
    {
        final Pending pending = lookup(requestId, true);
        if (null == pending)
        {
            return;
        }
        final JsonOut out = json.reset();
        try
        {
            out.writeStartObject();
            if (!pending.selectCount)
            {
                out.writeArrayFieldStart("Items");
                while (page.nextItem())
                {
                    items.writeItem(out, page.buffer(), page.itemOffset());
                }
                out.writeEndArray();
            }
            out.writeNumberField("Count", page.count());
            out.writeNumberField("ScannedCount", page.scannedCount());
            if (page.lastEvaluatedKeyLength() > 0)
            {
                out.writeFieldName("LastEvaluatedKey");
                items.writeItem(out, page.buffer(), page.lastEvaluatedKeyOffset());
            }
            writeConsumed(out, pending);
            out.writeEndObject();
        }
        catch (final RuntimeException ex)
        {
            internal(pending, ex);
            return;
        }
        answer(pending, HttpResponseStatus.OK);
    }

    /**
     * {@inheritDoc}
     */
    public void onResponse(final long requestId, final int templateId, final DirectBuffer buffer, final int offset,
        final int length)
    {
        final Pending pending = lookup(requestId, true);
        if (null == pending)
        {
            return;
        }
        final JsonOut out = json.reset();
        try
        {
            out.writeStartObject();
            switch (templateId)
            {
                case TableDescriptionResponseDecoder.TEMPLATE_ID ->
                {
                    tableDecoder.wrapAndApplyHeader(buffer, offset, header);
                    out.writeFieldName(Operation.DescribeTable == pending.operation ? "Table" : "TableDescription");
                    writeTableDescription(out, tableDecoder, Operation.DeleteTable == pending.operation);
                }
                case ListTablesResponseDecoder.TEMPLATE_ID ->
                {
                    listDecoder.wrapAndApplyHeader(buffer, offset, header);
                    out.writeArrayFieldStart("TableNames");
                    for (final ListTablesResponseDecoder.TableNamesDecoder name : listDecoder.tableNames())
                    {
                        out.writeString(name.tableName());
                    }
                    out.writeEndArray();
                    final String last = listDecoder.lastEvaluatedTableName();
                    if (!last.isEmpty())
                    {
                        out.writeStringField("LastEvaluatedTableName", last);
                    }
                }
                case BatchGetItemResponseDecoder.TEMPLATE_ID -> writeBatchGet(out, pending, buffer, offset);
                case BatchWriteItemResponseDecoder.TEMPLATE_ID -> writeBatchWrite(out, pending, buffer, offset);
                default -> throw new IllegalStateException("unexpected response template " + templateId);
            }
            out.writeEndObject();
        }
        catch (final RuntimeException ex)
        {
            internal(pending, ex);
            return;
        }
        answer(pending, HttpResponseStatus.OK);
    }

    /**
     * {@inheritDoc}
     */
    public void onError(final long requestId, final ErrorCode code, final String message)
    {
        final Pending pending = lookup(requestId, true);
        if (null == pending)
        {
            return;
        }
        answerError(pending, DynamoErrors.status(code), DynamoErrors.type(code), message);
    }

    /**
     * {@inheritDoc}
     */
    public void onConditionalCheckFailed(
        final long requestId, final String message, final DirectBuffer item, final int offset, final int length)
    {
        final Pending pending = lookup(requestId, true);
        if (null == pending)
        {
            return;
        }
        final JsonOut out = json.reset();
        try
        {
            out.writeStartObject();
            out.writeStringField("__type", DynamoErrors.type(ErrorCode.ConditionalCheckFailedException));
            out.writeStringField("message", message);
            if (length > 0)
            {
                out.writeFieldName("Item");
                items.writeItem(out, item, offset);
            }
            out.writeEndObject();
        }
        catch (final RuntimeException ex)
        {
            internal(pending, ex);
            return;
        }
        answer(pending, DynamoErrors.status(ErrorCode.ConditionalCheckFailedException));
    }

    /**
     * {@inheritDoc}
     */
    public void onFailure(final long requestId, final ClientFailure failure, final String message)
    {
        final Pending pending = lookup(requestId, true);
        if (null == pending)
        {
            return;
        }
        final ErrorCode code = switch (failure)
        {
            case BACK_PRESSURED -> ErrorCode.ThrottlingException;
            case NODE_UNAVAILABLE, CLIENT_CLOSED -> ErrorCode.ServiceUnavailable;
            default -> ErrorCode.InternalServerError;
        };
        answerError(pending, DynamoErrors.status(code), DynamoErrors.type(code), failure + ": " + message);
    }

    private void writeTableDescription(final JsonOut out, final TableDescriptionResponseDecoder d,
        final boolean deleting)
    {
        final String[] schema = new String[2];
        d.sbeRewind();
        for (final TableDescriptionResponseDecoder.KeySchemaDecoder key : d.keySchema())
        {
            schema[KeyRole.HASH == key.keyRole() ? 0 : 1] = key.attributeName();
        }
        d.tableName();
        final String[] types = new String[2];
        d.sbeRewind();
        for (final TableDescriptionResponseDecoder.KeySchemaDecoder key : d.keySchema())
        {
            types[KeyRole.HASH == key.keyRole() ? 0 : 1] = key.attributeType().name();
            key.attributeName();
        }
        final String name = d.tableName();
        out.writeStartObject();
        out.writeStringField("TableName", name);
        out.writeStringField("TableStatus", deleting ? "DELETING" : d.status().name());
        out.writeNumberField("CreationDateTime", d.createdEpochMs() / 1000.0);
        out.writeArrayFieldStart("KeySchema");
        for (int i = 0; i < 2; i++)
        {
            if (null != schema[i])
            {
                out.writeStartObject();
                out.writeStringField("AttributeName", schema[i]);
                out.writeStringField("KeyType", 0 == i ? "HASH" : "RANGE");
                out.writeEndObject();
            }
        }
        out.writeEndArray();
        out.writeArrayFieldStart("AttributeDefinitions");
        for (int i = 0; i < 2; i++)
        {
            if (null != schema[i])
            {
                out.writeStartObject();
                out.writeStringField("AttributeName", schema[i]);
                out.writeStringField("AttributeType", types[i]);
                out.writeEndObject();
            }
        }
        out.writeEndArray();
        out.writeNumberField("ItemCount", d.itemCount());
        out.writeNumberField("TableSizeBytes", d.sizeBytes());
        out.writeStringField("TableArn", "arn:aws:dynamodb:" + config.region() + ":000000000000:table/" + name);
        out.writeStringField("TableId", new java.util.UUID(d.tableId(), d.createdEpochMs()).toString());
        final boolean provisioned = io.ferrite.codecs.sbe.BillingMode.PROVISIONED == d.billingMode();
        out.writeObjectFieldStart("ProvisionedThroughput");
        out.writeNumberField("NumberOfDecreasesToday", 0);
        out.writeNumberField("ReadCapacityUnits", provisioned ? d.readCapacityUnits() : 0);
        out.writeNumberField("WriteCapacityUnits", provisioned ? d.writeCapacityUnits() : 0);
        out.writeEndObject();
        out.writeObjectFieldStart("BillingModeSummary");
        out.writeStringField("BillingMode", provisioned ? "PROVISIONED" : "PAY_PER_REQUEST");
        out.writeEndObject();
        out.writeEndObject();
    }

    private void writeBatchGet(final JsonOut out, final Pending pending, final DirectBuffer buffer, final int offset)
    {
        batchGetDecoder.wrapAndApplyHeader(buffer, offset, header);
        final Map<String, List<byte[]>> responses = new LinkedHashMap<>();
        for (final BatchGetItemResponseDecoder.ResponsesDecoder table : batchGetDecoder.responses())
        {
            final List<byte[]> found = new ArrayList<>();
            for (final BatchGetItemResponseDecoder.ResponsesDecoder.ItemsDecoder item : table.items())
            {
                final byte[] bytes = new byte[item.itemLength()];
                item.getItem(bytes, 0, bytes.length);
                found.add(bytes);
            }
            responses.computeIfAbsent(table.tableName(), name -> new ArrayList<>()).addAll(found);
        }
        final Map<String, List<byte[]>> unprocessed = new LinkedHashMap<>();
        for (final BatchGetItemResponseDecoder.UnprocessedKeysDecoder table : batchGetDecoder.unprocessedKeys())
        {
            final List<byte[]> keys = new ArrayList<>();
            for (final BatchGetItemResponseDecoder.UnprocessedKeysDecoder.KeysDecoder key : table.keys())
            {
                final byte[] bytes = new byte[key.keyLength()];
                key.getKey(bytes, 0, bytes.length);
                keys.add(bytes);
            }
            unprocessed.computeIfAbsent(table.tableName(), name -> new ArrayList<>()).addAll(keys);
        }
        final List<BatchTableCapacity> consumed = new ArrayList<>();
        for (final BatchGetItemResponseDecoder.ConsumedCapacityDecoder table : batchGetDecoder.consumedCapacity())
        {
            final long readHalfUnits = table.readHalfUnits();
            final long writeUnits = table.writeUnits();
            consumed.add(new BatchTableCapacity(table.tableName(), readHalfUnits, writeUnits));
        }
        final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        out.writeObjectFieldStart("Responses");
        for (final Map.Entry<String, List<byte[]>> table : responses.entrySet())
        {
            out.writeArrayFieldStart(table.getKey());
            for (final byte[] item : table.getValue())
            {
                view.wrap(item);
                items.writeItem(out, view, 0);
            }
            out.writeEndArray();
        }
        out.writeEndObject();
        out.writeObjectFieldStart("UnprocessedKeys");
        for (final Map.Entry<String, List<byte[]>> table : unprocessed.entrySet())
        {
            out.writeObjectFieldStart(table.getKey());
            out.writeArrayFieldStart("Keys");
            for (final byte[] key : table.getValue())
            {
                view.wrap(key);
                items.writeItem(out, view, 0);
            }
            out.writeEndArray();
            if (Boolean.TRUE.equals(pending.batchConsistent.get(table.getKey())))
            {
                out.writeBooleanField("ConsistentRead", true);
            }
            // UnprocessedKeys has RequestItems' shape: sent again as it is, it must read what was asked.
            final String projection = pending.batchProjections.get(table.getKey());
            if (null != projection)
            {
                out.writeStringField("ProjectionExpression", projection);
            }
            final Map<String, String> names = pending.batchNames.get(table.getKey());
            if (null != names)
            {
                out.writeObjectFieldStart("ExpressionAttributeNames");
                for (final Map.Entry<String, String> name : names.entrySet())
                {
                    out.writeStringField(name.getKey(), name.getValue());
                }
                out.writeEndObject();
            }
            out.writeEndObject();
        }
        out.writeEndObject();
        writeBatchConsumed(out, pending, consumed);
    }

    private void writeBatchWrite(final JsonOut out, final Pending pending, final DirectBuffer buffer, final int offset)
    {
        batchWriteDecoder.wrapAndApplyHeader(buffer, offset, header);
        final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        final Map<String, List<WriteRequest>> unprocessed = new LinkedHashMap<>();
        for (final BatchWriteItemResponseDecoder.UnprocessedItemsDecoder table : batchWriteDecoder.unprocessedItems())
        {
            final List<WriteRequest> writes = new ArrayList<>();
            for (final BatchWriteItemResponseDecoder.UnprocessedItemsDecoder.WritesDecoder write : table.writes())
            {
                final boolean put = WriteOp.PUT == write.op();
                final byte[] bytes = new byte[write.itemOrKeyLength()];
                write.getItemOrKey(bytes, 0, bytes.length);
                writes.add(put ? WriteRequest.put(bytes) : WriteRequest.delete(bytes));
            }
            unprocessed.computeIfAbsent(table.tableName(), name -> new ArrayList<>()).addAll(writes);
        }
        final List<BatchTableCapacity> consumed = new ArrayList<>();
        for (final BatchWriteItemResponseDecoder.ConsumedCapacityDecoder table : batchWriteDecoder.consumedCapacity())
        {
            final long readHalfUnits = table.readHalfUnits();
            final long writeUnits = table.writeUnits();
            consumed.add(new BatchTableCapacity(table.tableName(), readHalfUnits, writeUnits));
        }
        out.writeObjectFieldStart("UnprocessedItems");
        for (final Map.Entry<String, List<WriteRequest>> table : unprocessed.entrySet())
        {
            out.writeArrayFieldStart(table.getKey());
            for (final WriteRequest write : table.getValue())
            {
                view.wrap(write.bytes());
                out.writeStartObject();
                out.writeObjectFieldStart(write.put() ? "PutRequest" : "DeleteRequest");
                out.writeFieldName(write.put() ? "Item" : "Key");
                items.writeItem(out, view, 0);
                out.writeEndObject();
                out.writeEndObject();
            }
            out.writeEndArray();
        }
        out.writeEndObject();
        writeBatchConsumed(out, pending, consumed);
    }

    /** What one table of a batch consumed, as the node's response said (batches allocate: off the item path). */
    private record BatchTableCapacity(String tableName, long readHalfUnits, long writeUnits)
    {
    }

    /**
     * A batch's {@code ConsumedCapacity}: DynamoDB's list, one entry per table the batch consumed capacity on, when
     * the request asked for TOTAL or INDEXES.
     */
    private static void writeBatchConsumed(
        final JsonOut out, final Pending pending, final List<BatchTableCapacity> consumed)
    {
        if (ReturnConsumedCapacity.NONE == pending.capacity)
        {
            return;
        }
        out.writeArrayFieldStart("ConsumedCapacity");
        for (final BatchTableCapacity table : consumed)
        {
            out.writeStartObject();
            writeCapacity(out, pending.capacity, table.tableName(), table.readHalfUnits(), table.writeUnits());
            out.writeEndObject();
        }
        out.writeEndArray();
    }

    private void writeConsumed(final JsonOut out, final Pending pending)
    {
        if (ReturnConsumedCapacity.NONE == pending.capacity || !pending.consumed)
        {
            return;
        }
        out.writeObjectFieldStart("ConsumedCapacity");
        writeCapacity(out, pending.capacity, pending.tableName, pending.readHalfUnits, pending.writeUnits);
        out.writeEndObject();
    }

    /**
     * The members of one ConsumedCapacity object: the table, its total units, its read or write units (only those
     * it consumed), and with INDEXES the table's own Capacity (Ferrite has no secondary indexes to list).
     */
    private static void writeCapacity(
        final JsonOut out,
        final ReturnConsumedCapacity mode,
        final CharSequence tableName,
        final long readHalfUnits,
        final long writeUnits)
    {
        final long halves = readHalfUnits + 2 * writeUnits;
        out.writeStringField("TableName", tableName);
        out.writeHalvesField("CapacityUnits", halves);
        if (readHalfUnits > 0)
        {
            out.writeHalvesField("ReadCapacityUnits", readHalfUnits);
        }
        if (writeUnits > 0)
        {
            out.writeHalvesField("WriteCapacityUnits", 2 * writeUnits);
        }
        if (ReturnConsumedCapacity.INDEXES == mode)
        {
            out.writeObjectFieldStart("Table");
            out.writeHalvesField("CapacityUnits", halves);
            out.writeEndObject();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------

    /**
     * Writes DynamoDB's error body into the loop's JSON writer.
     */
    JsonOut errorBody(final String type, final String message)
    {
        final JsonOut out = json.reset();
        out.writeStartObject();
        out.writeStringField("__type", type);
        if (null != message)
        {
            out.writeStringField("message", message);
        }
        out.writeEndObject();
        return out;
    }

    private void answer(final Pending pending, final HttpResponseStatus status)
    {
        final DynamoHttpHandler http = pending.http;
        release(pending);
        http.respond(status, json);
    }

    private void answerError(final Pending pending, final HttpResponseStatus status, final String type,
        final String message)
    {
        final DynamoHttpHandler http = pending.http;
        pending.answered = true;
        if (sending != pending)
        {
            release(pending);
        }
        http.respondError(status, type, message);
    }

    private void internal(final Pending pending, final Exception ex)
    {
        answerError(pending, HttpResponseStatus.INTERNAL_SERVER_ERROR, DynamoErrors.type(ErrorCode.InternalServerError),
            "Could not write the response: " + ex);
    }

    /**
     * The loop's reader over the body's bytes: its backing array when it has one, else a copy into this loop's
     * reused array (one memory copy; no parser object per document).
     */
    private JsonIn parser(final ByteBuf body, final int length)
    {
        if (body.hasArray())
        {
            return jsonIn.reset(body.array(), body.arrayOffset() + body.readerIndex(), length);
        }
        if (bodyBytes.length < length)
        {
            bodyBytes = new byte[Math.max(length, bodyBytes.length * 2)];
        }
        body.getBytes(body.readerIndex(), bodyBytes, 0, length);
        return jsonIn.reset(bodyBytes, 0, length);
    }

    private Pending lookup(final long requestId, final boolean remove)
    {
        final Pending pending = remove ? inFlight.remove(requestId) : inFlight.get(requestId);
        if (null != pending)
        {
            return pending;
        }
        // An answer during the send call itself (a request that failed at once): not yet in the map.
        if (null != sending && !sending.answered)
        {
            return sending;
        }
        return null;
    }

    private Pending acquire()
    {
        final Pending pending = pool.poll();
        return null == pending ? new Pending() : pending;
    }

    private void release(final Pending pending)
    {
        if (sending == pending)
        {
            pending.answered = true;
            return;
        }
        pending.clear();
        pool.add(pending);
    }

    private static void requireTableName(final DynamoRequest r)
    {
        if (!r.hasTableName)
        {
            throw FerriteException.validation("1 validation error detected: Value null at 'tableName' failed to " +
                "satisfy constraint: Member must not be null");
        }
    }

    private static void require(final boolean present, final String member)
    {
        if (!present)
        {
            throw FerriteException.validation("1 validation error detected: Value null at '" +
                DynamoRequest.lowerFirst(member) + "' failed to satisfy constraint: Member must not be null");
        }
    }

    /**
     * The request's ExpressionAttributeNames/Values and ReturnValuesOnConditionCheckFailure in the reused
     * {@link ExpressionParams}; the caller adds the expressions its operation carries.
     */
    private ExpressionParams expressions(final DynamoRequest r)
    {
        expressionParams.reset().returnValuesOnConditionCheckFailure(onConditionCheckFailure(
            r.returnValuesOnConditionCheckFailure));
        if (r.hasNames)
        {
            expressionParams.expressionAttributeNames(r.names.buffer(), 0, r.names.finish());
        }
        if (r.hasValues)
        {
            expressionParams.expressionAttributeValues(r.values.buffer(), 0, r.values.finish());
        }
        return expressionParams;
    }

    private static ReturnValuesOnConditionCheckFailure onConditionCheckFailure(final String value)
    {
        if (null == value || "NONE".equals(value))
        {
            return ReturnValuesOnConditionCheckFailure.NONE;
        }
        if ("ALL_OLD".equals(value))
        {
            return ReturnValuesOnConditionCheckFailure.ALL_OLD;
        }
        throw FerriteException.validation("1 validation error detected: Value '" + value + "' at " +
            "'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: " +
            "[ALL_OLD, NONE]");
    }

    private static ReturnValues returnValues(final String value, final boolean allOldOnly)
    {
        if (null == value)
        {
            return ReturnValues.NONE;
        }
        final ReturnValues returnValues;
        try
        {
            returnValues = ReturnValues.valueOf(value);
        }
        catch (final IllegalArgumentException ex)
        {
            throw FerriteException.validation("1 validation error detected: Value '" + value + "' at 'returnValues' " +
                "failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, " +
                "UPDATED_NEW]");
        }
        if (allOldOnly && ReturnValues.NONE != returnValues && ReturnValues.ALL_OLD != returnValues)
        {
            throw FerriteException.validation("Return values set to invalid value");
        }
        return returnValues;
    }

    private static ReturnConsumedCapacity consumedCapacity(final String value)
    {
        if (null == value)
        {
            return ReturnConsumedCapacity.NONE;
        }
        return switch (value)
        {
            case "NONE" -> ReturnConsumedCapacity.NONE;
            case "TOTAL" -> ReturnConsumedCapacity.TOTAL;
            case "INDEXES" -> ReturnConsumedCapacity.INDEXES;
            default -> throw FerriteException.validation("1 validation error detected: Value '" + value + "' at " +
                "'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, " +
                "TOTAL, NONE]");
        };
    }

    private static boolean select(final String select)
    {
        if (null == select || "ALL_ATTRIBUTES".equals(select) || "SPECIFIC_ATTRIBUTES".equals(select))
        {
            return false;
        }
        if ("COUNT".equals(select))
        {
            return true;
        }
        throw FerriteException.validation("1 validation error detected: Value '" + select + "' at 'select' failed " +
            "to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, " +
            "ALL_PROJECTED_ATTRIBUTES]" + ("ALL_PROJECTED_ATTRIBUTES".equals(select) ? " (Ferrite has no indexes)" : ""));
    }

    private static int checkLimit(final int limit)
    {
        if (limit < 1)
        {
            throw FerriteException.validation("1 validation error detected: Value '" + limit + "' at 'limit' failed " +
                "to satisfy constraint: Member must have value greater than or equal to 1");
        }
        return limit;
    }
}
