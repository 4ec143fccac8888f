package io.ferrite.transport.node;

import io.aeron.Aeron;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.exceptions.RegistrationException;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.codecs.item.ItemValidator;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.codecs.sbe.BatchGetItemRequestDecoder;
import io.ferrite.codecs.sbe.BatchGetItemRequestEncoder;
import io.ferrite.codecs.sbe.BatchGetItemResponseDecoder;
import io.ferrite.codecs.sbe.BatchGetItemResponseEncoder;
import io.ferrite.codecs.sbe.BatchWriteItemRequestDecoder;
import io.ferrite.codecs.sbe.BatchWriteItemRequestEncoder;
import io.ferrite.codecs.sbe.BatchWriteItemResponseDecoder;
import io.ferrite.codecs.sbe.BatchWriteItemResponseEncoder;
import io.ferrite.codecs.sbe.BooleanType;
import io.ferrite.codecs.sbe.ConnectRequestDecoder;
import io.ferrite.codecs.sbe.ConnectResponseEncoder;
import io.ferrite.codecs.sbe.CreateTableRequestDecoder;
import io.ferrite.codecs.sbe.DeleteItemRequestDecoder;
import io.ferrite.codecs.sbe.DeleteTableRequestDecoder;
import io.ferrite.codecs.sbe.DescribeTableRequestDecoder;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.codecs.sbe.ErrorResponseDecoder;
import io.ferrite.codecs.sbe.ErrorResponseEncoder;
import io.ferrite.codecs.sbe.GetItemRequestDecoder;
import io.ferrite.codecs.sbe.KeepAliveEncoder;
import io.ferrite.codecs.sbe.KeyRole;
import io.ferrite.codecs.sbe.ListTablesRequestDecoder;
import io.ferrite.codecs.sbe.ListTablesResponseEncoder;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import io.ferrite.codecs.sbe.PutItemRequestDecoder;
import io.ferrite.codecs.sbe.QueryRequestDecoder;
import io.ferrite.codecs.sbe.ScanRequestDecoder;
import io.ferrite.codecs.sbe.TableDescriptionResponseDecoder;
import io.ferrite.codecs.sbe.TableDescriptionResponseEncoder;
import io.ferrite.codecs.sbe.TableStatus;
import io.ferrite.codecs.sbe.UpdateItemRequestDecoder;
import io.ferrite.codecs.sbe.UpdateTableRequestDecoder;
import io.ferrite.codecs.sbe.AdmissionDemandEncoder;
import io.ferrite.engine.admission.CapacityUnits;
import io.ferrite.engine.admission.TableCapacity;
import io.ferrite.engine.admission.TokenBucket;
import io.ferrite.codecs.sbe.WriteOp;
import io.ferrite.engine.shard.Shard;
import io.ferrite.engine.shard.WriteRequest;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.NameRules;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.transport.ProtocolVersions;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.IntArrayQueue;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The router: an Agrona agent on its own thread that polls the request subscriptions (IPC and UDP),
 * owns the session table, and hands each request to the shard loop that owns its partition key's hash
 * (single-shard requests, answered by the shard), or scatters it to several shards and gathers their
 * replies (table management, batches), or answers it itself (ListTables, sessions, bad frames).
 * <p>
 * <b>Threading:</b> every method runs on the router's thread except {@link #beginDrain()} and
 * {@link #isDrained()} (any thread) and the image handlers, which only enqueue. The router never waits
 * on a shard: a full shard ring makes it leave the fragment in the Aeron image ({@code ABORT}) and retry
 * on a later duty cycle, which pushes back on the client through Aeron flow control.
 * <p>
 * <b>Allocation:</b> none in steady state for Get, Put, Delete, UpdateItem, Query and Scan. Sessions,
 * table management, batches, Scan continuations and errors allocate.
 */
final class Router implements Agent
{
    private static final int SEND_BUFFER_BYTES = 4 * 1024 * 1024;
    static final String THROTTLE_MESSAGE = "The level of configured provisioned throughput for the table was exceeded. " +
        "Consider increasing your provisioning level with the UpdateTable API.";
    private static final long HOUSEKEEPING_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(20);
    /** How long a session waits before asking the driver again for a response publication that clashed. */
    private static final long ADD_AGAIN_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private final NodeConfig config;
    private final NodeCounters counters;
    private final RoutingMetadata metadata;
    private final RingBuffer[] toShards;
    private final RingBuffer replies;
    private final AtomicReferenceArray<ResponseTarget> slots;
    private final Aeron aeron;
    private final Subscription[] subscriptions;
    private final ControlledFragmentAssembler[] assemblers;
    private final ResponseSender sender;
    private final FrameValidator validator = new FrameValidator();
    private final PartitionKeys partitionKeys = new PartitionKeys();
    private final Long2ObjectHashMap<Session> sessions = new Long2ObjectHashMap<>();
    private final IntArrayQueue freeSlots = new IntArrayQueue();
    private final Long2ObjectHashMap<Gather> gathers = new Long2ObjectHashMap<>();
    private final ArrayDeque<byte[]>[] backlogs;
    private final ManyToOneConcurrentLinkedQueue<Long> unavailableImages = new ManyToOneConcurrentLinkedQueue<>();
    private final ArrayList<Session> toClose = new ArrayList<>();
    private final ItemWriter keyWriter = new ItemWriter();

    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final ConnectRequestDecoder connect = new ConnectRequestDecoder();
    private final GetItemRequestDecoder getItem = new GetItemRequestDecoder();
    private final PutItemRequestDecoder putItem = new PutItemRequestDecoder();
    private final DeleteItemRequestDecoder deleteItem = new DeleteItemRequestDecoder();
    private final UpdateItemRequestDecoder updateItem = new UpdateItemRequestDecoder();
    private final QueryRequestDecoder query = new QueryRequestDecoder();
    private final ScanRequestDecoder scan = new ScanRequestDecoder();
    private final CreateTableRequestDecoder createTable = new CreateTableRequestDecoder();
    private final DeleteTableRequestDecoder deleteTable = new DeleteTableRequestDecoder();
    private final DescribeTableRequestDecoder describeTable = new DescribeTableRequestDecoder();
    private final ListTablesRequestDecoder listTables = new ListTablesRequestDecoder();
    private final UpdateTableRequestDecoder updateTable = new UpdateTableRequestDecoder();
    private final BatchGetItemRequestDecoder batchGet = new BatchGetItemRequestDecoder();
    private final BatchWriteItemRequestDecoder batchWrite = new BatchWriteItemRequestDecoder();
    private final TableDescriptionResponseDecoder tableReply = new TableDescriptionResponseDecoder();
    private final BatchGetItemResponseDecoder batchGetReply = new BatchGetItemResponseDecoder();
    private final BatchWriteItemResponseDecoder batchWriteReply = new BatchWriteItemResponseDecoder();
    private final ErrorResponseDecoder errorReply = new ErrorResponseDecoder();

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ConnectResponseEncoder connectResponse = new ConnectResponseEncoder();
    private final KeepAliveEncoder keepAliveAnswer = new KeepAliveEncoder();
    private final ErrorResponseEncoder errorResponse = new ErrorResponseEncoder();
    private final ListTablesResponseEncoder listTablesResponse = new ListTablesResponseEncoder();
    private final TableDescriptionResponseEncoder tableResponse = new TableDescriptionResponseEncoder();
    private final BatchGetItemResponseEncoder batchGetResponse = new BatchGetItemResponseEncoder();
    private final BatchWriteItemResponseEncoder batchWriteResponse = new BatchWriteItemResponseEncoder();
    private final BatchGetItemRequestEncoder batchGetRequest = new BatchGetItemRequestEncoder();
    private final BatchWriteItemRequestEncoder batchWriteRequest = new BatchWriteItemRequestEncoder();

    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(SEND_BUFFER_BYTES));
    private final UnsafeBuffer nameView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer keyView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer backlogView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer keyConditionView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer namesView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer valuesView = new UnsafeBuffer(0, 0);
    private final WireExpressions keyConditions = new WireExpressions();
    private final MessageHandler replyHandler = this::onReply;
    private final AtomicReferenceArray<TableAdmission> admissions;
    private final NodeAdmission nodeAdmission;
    private final int enginePartitions;
    private final long routerId = new java.util.SplittableRandom().nextLong();
    private final Publication demandPublication;
    private final Subscription grants;
    private final FragmentHandler grantHandler = this::onGrant;
    private final AdmissionDemandEncoder demandEncoder = new AdmissionDemandEncoder();
    private final GrantReader grantReader = new GrantReader();
    private final UnsafeBuffer demandBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final UnsafeBuffer grantChannelBytes = new UnsafeBuffer(new byte[256]);
    private int grantChannelLength;
    private long lastDemandReportNs;
    private final UnsafeBuffer throttleMessage = new UnsafeBuffer(THROTTLE_MESSAGE.getBytes(StandardCharsets.UTF_8));

    private volatile boolean draining;
    private long nowNs;
    private long lastHousekeepingNs;
    private long nextToken = 1;
    private long nextGatherId = 1;
    private int pendingConnects;

    @SuppressWarnings("unchecked")
    Router(
        final NodeConfig config,
        final NodeCounters counters,
        final RoutingMetadata metadata,
        final RingBuffer[] toShards,
        final RingBuffer replies,
        final AtomicReferenceArray<ResponseTarget> slots,
        final AtomicReferenceArray<TableAdmission> admissions,
        final Aeron aeron,
        final List<String> requestChannels,
        final String admissionServiceChannel)
    {
        this.admissions = admissions;
        if (null != admissionServiceChannel)
        {
            demandPublication = aeron.addExclusivePublication(admissionServiceChannel, AdmissionService.DEMAND_STREAM_ID);
            grants = aeron.addSubscription(config.admissionGrantChannel(), AdmissionService.GRANT_STREAM_ID);
        }
        else
        {
            demandPublication = null;
            grants = null;
        }
        this.config = config;
        this.counters = counters;
        this.metadata = metadata;
        this.toShards = toShards;
        this.replies = replies;
        this.slots = slots;
        this.aeron = aeron;
        this.sender = new ResponseSender(config.responseBackPressureTimeoutNs(), counters);
        this.backlogs = new ArrayDeque[toShards.length];
        for (int i = 0; i < backlogs.length; i++)
        {
            backlogs[i] = new ArrayDeque<>();
        }
        for (int i = 0; i < slots.length(); i++)
        {
            freeSlots.addInt(i);
        }
        subscriptions = new Subscription[requestChannels.size()];
        assemblers = new ControlledFragmentAssembler[requestChannels.size()];
        for (int i = 0; i < subscriptions.length; i++)
        {
            final int subscriptionIndex = i;
            subscriptions[i] = aeron.addSubscription(requestChannels.get(i), config.requestStreamId(), null,
                image -> unavailableImages.offer(sessionKey(subscriptionIndex, image.sessionId())));
            assemblers[i] = new ControlledFragmentAssembler(
                (buffer, offset, length, fragmentHeader) -> onFrame(subscriptionIndex, buffer, offset, length, fragmentHeader),
                64 * 1024, true);
        }
        final long startNs = System.nanoTime();
        enginePartitions = config.engine().initialPartitions();
        nodeAdmission = new NodeAdmission(
            2L * config.admissionNodeReadUnits(), config.admissionNodeWriteUnits(), startNs);
        for (final TableRoute route : metadata.tables())
        {
            route.requests = counters.newTableCounter(route.name());
            openAdmission(route, startNs);
        }
        counters.routingEpoch.setRelease(metadata.epoch());
    }

    Subscription subscription(final int index)
    {
        return subscriptions[index];
    }

    public String roleName()
    {
        return "ferrite-router";
    }

    /**
     * Stops taking requests (any thread): subscriptions are no longer polled; what is in flight completes.
     */
    void beginDrain()
    {
        draining = true;
    }

    /**
     * @return true once draining and nothing is in flight (any thread; approximate).
     */
    boolean isDrained()
    {
        return draining && counters.inFlight.get() <= 0;
    }

    public int doWork()
    {
        nowNs = System.nanoTime();
        int work = drainUnavailableImages();
        work += replies.read(replyHandler, 64);
        work += flushBacklogs();
        if (!draining)
        {
            for (int i = 0; i < subscriptions.length; i++)
            {
                work += subscriptions[i].controlledPoll(assemblers[i], 16);
            }
        }
        if (pendingConnects > 0 || nowNs - lastHousekeepingNs >= HOUSEKEEPING_INTERVAL_NS)
        {
            work += housekeeping();
        }
        if (null != grants)
        {
            work += grants.poll(grantHandler, 16);
            if (nowNs - lastDemandReportNs >= config.admissionIntervalNs())
            {
                lastDemandReportNs = nowNs;
                work += reportDemand();
            }
        }
        return work;
    }

    public void onClose()
    {
        for (final Session session : new ArrayList<>(sessions.values()))
        {
            closeSession(session);
        }
        for (final Subscription subscription : subscriptions)
        {
            CloseHelper.quietClose(subscription);
        }
        CloseHelper.quietClose(grants);
        CloseHelper.quietClose(demandPublication);
    }

    // ---------------------------------------------------------------------------------------------
    // Frames from clients
    // ---------------------------------------------------------------------------------------------

    private ControlledFragmentHandler.Action onFrame(
        final int subscriptionIndex, final DirectBuffer buffer, final int offset, final int length, final Header fragmentHeader)
    {
        final long key = sessionKey(subscriptionIndex, fragmentHeader.sessionId());
        final Session session = sessions.get(key);
        if (null != session)
        {
            session.lastActivityNs = nowNs;
        }
        if (!validator.validate(buffer, offset, length, config.maxFrameBytes()))
        {
            counters.bytesIn.getAndAddRelease(length);
            if (null != session && session.connected)
            {
                sendError(session, validator.correlationId(), validator.errorCode(), validator.errorMessage());
            }
            else
            {
                counters.framesDropped.incrementRelease();
            }
            return ControlledFragmentHandler.Action.CONTINUE;
        }

        header.wrap(buffer, offset);
        final int operation = Operations.ofTemplate(header.templateId());
        if (Operations.CONNECT == operation)
        {
            countRequest(operation, length);
            onConnect(subscriptionIndex, fragmentHeader.sessionId(), key, session, buffer, offset);
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        if (null == session || !session.connected)
        {
            counters.bytesIn.getAndAddRelease(length);
            counters.framesDropped.incrementRelease();
            return ControlledFragmentHandler.Action.CONTINUE;
        }

        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        try
        {
            return onRequest(session, operation, buffer, offset, length, body, header.blockLength(), header.version());
        }
        catch (final FerriteException ex)
        {
            // a request the router refuses itself (an enum value outside its set), answered with its own error
            sendError(session, buffer.getLong(body, java.nio.ByteOrder.LITTLE_ENDIAN), ex.code(), ex.getMessage());
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        catch (final RuntimeException ex)
        {
            // every request gets exactly one answer, whatever went wrong on the way (the correlation id is the first
            // field of every request, and the validator saw the block hold it)
            sendError(session, buffer.getLong(body, java.nio.ByteOrder.LITTLE_ENDIAN), ErrorCode.InternalServerError,
                "Internal error on the router: " + ex);
            return ControlledFragmentHandler.Action.CONTINUE;
        }
    }

    private ControlledFragmentHandler.Action onRequest(
        final Session session,
        final int operation,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int body,
        final int blockLength,
        final int version)
    {
        switch (operation)
        {
            case Operations.KEEP_ALIVE:
                countRequest(operation, length);
                answerKeepAlive(session);
                return ControlledFragmentHandler.Action.CONTINUE;

            case Operations.DISCONNECT:
                countRequest(operation, length);
                closeSession(session);
                return ControlledFragmentHandler.Action.CONTINUE;

            case Operations.GET_ITEM:
            {
                final GetItemRequestDecoder d = getItem.wrap(buffer, body, blockLength, version);
                final long halfUnits = WireValues.booleanValue(d.consistentReadRaw(), false, "consistentRead") ? 2 : 1;
                d.wrapTableName(nameView);
                d.wrapKey(keyView);
                return routeByKeyAttribute(session, operation, d.correlationId(), -halfUnits, buffer, offset, length);
            }

            case Operations.PUT_ITEM:
            {
                final PutItemRequestDecoder d = putItem.wrap(buffer, body, blockLength, version);
                d.wrapTableName(nameView);
                d.wrapItem(keyView);
                return routeByKeyAttribute(session, operation, d.correlationId(),
                    CapacityUnits.writeUnits(0, keyView.capacity()), buffer, offset, length);
            }

            case Operations.DELETE_ITEM:
            {
                final DeleteItemRequestDecoder d = deleteItem.wrap(buffer, body, blockLength, version);
                d.wrapTableName(nameView);
                d.wrapKey(keyView);
                return routeByKeyAttribute(session, operation, d.correlationId(), 1, buffer, offset, length);
            }

            case Operations.UPDATE_ITEM:
            {
                final UpdateItemRequestDecoder d = updateItem.wrap(buffer, body, blockLength, version);
                d.wrapTableName(nameView);
                d.wrapKey(keyView);
                return routeByKeyAttribute(session, operation, d.correlationId(), 1, buffer, offset, length);
            }

            case Operations.QUERY:
            {
                final QueryRequestDecoder d = query.wrap(buffer, body, blockLength, version);
                final long halfUnits = WireValues.booleanValue(d.consistentReadRaw(), false, "consistentRead") ? 2 : 1;
                d.wrapTableName(nameView);
                final TableRoute route = activeRoute(session, d.correlationId());
                if (null == route)
                {
                    countRequest(operation, length);
                    return ControlledFragmentHandler.Action.CONTINUE;
                }
                d.wrapPartitionKeyValue(keyView);
                final boolean hashed = keyView.capacity() > 0 ? partitionKeys.hashValue(keyView, 0, keyView.capacity()) :
                    hashKeyCondition(d, route);
                final int shard = hashed ? metadata.shardFor(partitionKeys.hash()) : 0;
                final int partition = hashed ? PartitionAdmission.slot(shard, partitionKeys.hash(), enginePartitions) : -1;
                return dispatchOrAbort(RingLayout.OP_DIRECT, shard, 0, 0, session, route, operation,
                    d.correlationId(), -halfUnits, partition, buffer, offset, length);
            }

            case Operations.SCAN:
                return onScan(session, operation, buffer, offset, length, body, blockLength, version);

            case Operations.LIST_TABLES:
                countRequest(operation, length);
                onListTables(session, buffer, body, blockLength, version);
                return ControlledFragmentHandler.Action.CONTINUE;

            default:
                countRequest(operation, length);
                onScatter(session, operation, buffer, offset, length, body, blockLength, version);
                return ControlledFragmentHandler.Action.CONTINUE;
        }
    }

    /**
     * A Query by KeyConditionExpression: finds (cached by expression and names) which ExpressionAttributeValues entry
     * the partition key is compared with, and hashes that value. The decoder is past partitionKeyValue.
     *
     * @return true if the partition key value was found and hashed; else the shard that gets it reports why.
     */
    private boolean hashKeyCondition(final QueryRequestDecoder d, final TableRoute route)
    {
        d.skipSortKeyValue();
        d.skipSortKeyUpper();
        d.skipExclusiveStartKey();
        d.wrapKeyConditionExpression(keyConditionView);
        if (0 == keyConditionView.capacity())
        {
            return false;
        }
        d.skipFilterExpression();
        d.skipProjectionExpression();
        d.wrapExpressionAttributeNames(namesView);
        d.wrapExpressionAttributeValues(valuesView);
        final byte[] placeholder = keyConditions.partitionKeyPlaceholder(
            route.routeId, route.partitionKeyName, keyConditionView, namesView, valuesView);
        return null != placeholder && partitionKeys.hashAttribute(valuesView, 0, valuesView.capacity(), placeholder);
    }

    /**
     * @param units the capacity charged up front: write units when positive, half read units when negative.
     */
    private ControlledFragmentHandler.Action routeByKeyAttribute(
        final Session session,
        final int operation,
        final long correlationId,
        final long units,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final TableRoute route = activeRoute(session, correlationId);
        if (null == route)
        {
            countRequest(operation, length);
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        final boolean hashed = partitionKeys.hashAttribute(keyView, 0, keyView.capacity(), route.partitionKeyName);
        final int shard = hashed ? metadata.shardFor(partitionKeys.hash()) : 0;
        final int partition = hashed ? PartitionAdmission.slot(shard, partitionKeys.hash(), enginePartitions) : -1;
        return dispatchOrAbort(RingLayout.OP_DIRECT, shard, 0, 0, session, route, operation, correlationId, units,
            partition, buffer, offset, length);
    }

    private ControlledFragmentHandler.Action onScan(
        final Session session,
        final int operation,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int body,
        final int blockLength,
        final int version)
    {
        final ScanRequestDecoder d = scan.wrap(buffer, body, blockLength, version);
        final long halfUnits = WireValues.booleanValue(d.consistentReadRaw(), false, "consistentRead") ? 2 : 1;
        final int segment = d.segment();
        final int totalSegments = d.totalSegments();
        d.wrapTableName(nameView);
        final TableRoute route = activeRoute(session, d.correlationId());
        if (null == route)
        {
            countRequest(operation, length);
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        d.wrapExclusiveStartKey(keyView);

        int firstShard = 0;
        int lastShard = metadata.shardCount() - 1;
        if (totalSegments >= 1 && totalSegments <= io.ferrite.engine.shard.ScanRequest.MAX_TOTAL_SEGMENTS &&
            segment >= 0 && segment < totalSegments)
        {
            final long step = RoutingMetadata.divideUnsigned(-1L, totalSegments);
            final long segmentLow = segment * step;
            final long segmentHigh = segment == totalSegments - 1 ? -1L : (segment + 1) * step - 1;
            firstShard = metadata.shardFor(segmentLow);
            lastShard = metadata.shardFor(segmentHigh);
        }
        else
        {
            lastShard = 0;
        }
        if (keyView.capacity() > 0 && partitionKeys.hashAttribute(keyView, 0, keyView.capacity(), route.partitionKeyName))
        {
            firstShard = Math.min(metadata.shardFor(partitionKeys.hash()), lastShard);
        }
        return dispatchOrAbort(RingLayout.OP_SCAN, firstShard, lastShard, 0, session, route, operation, d.correlationId(),
            -halfUnits, -1, buffer, offset, length);
    }

    private ControlledFragmentHandler.Action dispatchOrAbort(
        final int type,
        final int shard,
        final int lastShard,
        final int flags,
        final Session session,
        final TableRoute route,
        final int operation,
        final long correlationId,
        final long units,
        final int partition,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final RingBuffer ring = toShards[shard];
        final int index = ring.tryClaim(type, RingLayout.HEADER_LENGTH + length);
        if (index < 0)
        {
            counters.shardQueueFull.incrementRelease();
            return ControlledFragmentHandler.Action.ABORT;
        }
        // charged only once the ring has room: an aborted fragment comes back next duty cycle and must not pay twice
        final TableAdmission admission = route.admission;
        if (null != admission)
        {
            final long admitted = admission.tryAt(nowNs, units > 0, Math.abs(units), partition, nodeAdmission);
            if (TokenBucket.ADMITTED != admitted)
            {
                ring.abort(index);
                countRequest(operation, length);
                route.requests.incrementRelease();
                if (TableAdmission.PARTITION_THROTTLED == admitted)
                {
                    counters.partitionThrottles.incrementRelease();
                }
                sendThrottle(session, correlationId, admission);
                return ControlledFragmentHandler.Action.CONTINUE;
            }
            if (PartitionAdmission.BURST == admission.lastAdmittedAs)
            {
                counters.partitionBursts.incrementRelease();
            }
        }
        final AtomicBuffer ringBuffer = ring.buffer();
        ringBuffer.putLong(index + RingLayout.TOKEN_OFFSET, session.token);
        ringBuffer.putLong(index + RingLayout.RECEIVED_NS_OFFSET, nowNs);
        ringBuffer.putLong(index + RingLayout.GATHER_ID_OFFSET, 0);
        ringBuffer.putInt(index + RingLayout.SLOT_OFFSET, session.slot);
        ringBuffer.putInt(index + RingLayout.ROUTE_ID_OFFSET, route.routeId);
        ringBuffer.putInt(index + RingLayout.SCAN_LAST_SHARD_OFFSET, lastShard);
        ringBuffer.putInt(index + RingLayout.FLAGS_OFFSET, flags);
        ringBuffer.putLong(index + RingLayout.SCAN_BYTES_READ_OFFSET, 0);
        ringBuffer.putInt(index + RingLayout.SCAN_ITEMS_EVALUATED_OFFSET, 0);
        ringBuffer.putBytes(index + RingLayout.HEADER_LENGTH, buffer, offset, length);
        counters.inFlight.getAndAdd(1);
        ring.commit(index);
        countRequest(operation, length);
        route.requests.incrementRelease();
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    private TableRoute activeRoute(final Session session, final long correlationId)
    {
        final TableRoute route = metadata.lookup(nameView, 0, nameView.capacity());
        if (null != route && TableStatus.ACTIVE == route.status)
        {
            return route;
        }
        final String name = nameView.getStringWithoutLengthUtf8(0, nameView.capacity());
        try
        {
            NameRules.checkTableName(name, "tableName");
            sendError(session, correlationId, ErrorCode.ResourceNotFoundException,
                "Requested resource not found: Table: " + name + " not found");
        }
        catch (final FerriteException ex)
        {
            sendError(session, correlationId, ex.code(), ex.getMessage());
        }
        return null;
    }

    private void countRequest(final int operation, final int length)
    {
        counters.operations[operation].incrementRelease();
        counters.bytesIn.getAndAddRelease(length);
    }

    // ---------------------------------------------------------------------------------------------
    // Sessions
    // ---------------------------------------------------------------------------------------------

    private void onConnect(
        final int subscriptionIndex,
        final int imageSessionId,
        final long key,
        final Session existing,
        final DirectBuffer buffer,
        final int offset)
    {
        connect.wrapAndApplyHeader(buffer, offset, header);
        final long correlationId = connect.correlationId();
        final long clientId = connect.clientId();
        final int streamId = connect.responseStreamId();
        final int protocolVersion = connect.protocolVersion();
        final String channel = connect.responseChannel();
        if (null != existing)
        {
            existing.connectCorrelationId = correlationId;
            if (existing.connected)
            {
                sendConnectResponse(existing);
            }
            return;
        }
        if (freeSlots.isEmpty())
        {
            System.err.println("ferrite router: refused ConnectRequest from client " + clientId + ": " +
                config.maxSessions() + " sessions open (ferrite.node.maxSessions)");
            counters.framesDropped.incrementRelease();
            return;
        }

        final String responseChannel = channel.contains("session-id=") ? channel :
            channel + (channel.contains("?") ? "|" : "?") + "session-id=" + imageSessionId;
        final long registrationId;
        try
        {
            registrationId = aeron.asyncAddPublication(responseChannel, streamId);
        }
        catch (final RuntimeException ex)
        {
            System.err.println("ferrite router: refused ConnectRequest from client " + clientId + ": response channel " +
                responseChannel + " stream " + streamId + ": " + ex.getMessage());
            counters.framesDropped.incrementRelease();
            return;
        }
        final Session session = new Session(key, imageSessionId, freeSlots.pollInt(), nextToken++, registrationId, clientId);
        session.connectCorrelationId = correlationId;
        session.connectDeadlineNs = nowNs + config.connectTimeoutNs();
        session.lastActivityNs = nowNs;
        session.description = responseChannel + " stream " + streamId;
        session.responseChannel = responseChannel;
        session.responseStreamId = streamId;
        session.answersKeepAlive = protocolVersion >= ProtocolVersions.KEEP_ALIVE_ANSWERED;
        sessions.put(key, session);
        pendingConnects++;
        counters.sessionsOpened.incrementRelease();
        counters.sessionsOpen.incrementRelease();
    }

    private void sendConnectResponse(final Session session)
    {
        if (!offerConnectResponse(session))
        {
            counters.sessionsClosedBackPressure.incrementRelease();
            closeSession(session);
        }
    }

    /**
     * The ConnectResponse, without closing the session when it cannot be sent (housekeeping closes it after its
     * pass over the sessions, which closing from inside would change under it).
     *
     * @return whether it was sent.
     */
    private boolean offerConnectResponse(final Session session)
    {
        connectResponse.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(session.connectCorrelationId)
            .sessionId(session.imageSessionId)
            .keepAliveIntervalMs((int)TimeUnit.NANOSECONDS.toMillis(config.keepAliveIntervalNs()))
            .sessionTimeoutMs((int)TimeUnit.NANOSECONDS.toMillis(config.sessionTimeoutNs()))
            .protocolVersion(MessageHeaderEncoder.SCHEMA_VERSION);
        return sender.send(
            session.publication, sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + connectResponse.encodedLength());
    }

    /**
     * Answers a KeepAlive with one, for a client that connected with a protocol version that expects it: how the client
     * tells this node alive from one dead or frozen behind a media driver it does not own (decision 0006). One offer,
     * nothing retried: a response stream that is back-pressured or not connected has answers enough in it, or is
     * handled by the path that meets it with a real answer. Allocation-free.
     */
    private void answerKeepAlive(final Session session)
    {
        if (session.answersKeepAlive)
        {
            keepAliveAnswer.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).sessionId(session.imageSessionId);
            final int length = MessageHeaderEncoder.ENCODED_LENGTH + keepAliveAnswer.encodedLength();
            if (session.publication.offer(sendBuffer, 0, length) > 0)
            {
                counters.bytesOut.getAndAdd(length);
            }
        }
    }

    private int housekeeping()
    {
        lastHousekeepingNs = nowNs;
        counters.heartbeat(System.currentTimeMillis());
        toClose.clear();
        // every session still waiting for its publication, those dropped below included: closeSession counts them off
        int pending = 0;
        for (final Session session : sessions.values())
        {
            if (!session.connected)
            {
                if (null == session.publication)
                {
                    try
                    {
                        if (Aeron.NULL_VALUE == session.registrationId)
                        {
                            if (nowNs - session.addAgainAtNs < 0)
                            {
                                pending++;
                                continue;
                            }
                            session.registrationId = aeron.asyncAddPublication(session.responseChannel,
                                session.responseStreamId);
                        }
                        session.publication = aeron.getPublication(session.registrationId);
                    }
                    catch (final RuntimeException ex)
                    {
                        if (isClashWithAClosingPublication(ex) && nowNs - session.connectDeadlineNs < 0)
                        {
                            // This client's previous session on the same channel and session id was just closed, and
                            // the driver still holds its publication (it lingers): ask again until the deadline, so
                            // that the client's one ConnectRequest is answered rather than dropped.
                            session.registrationId = Aeron.NULL_VALUE;
                            session.addAgainAtNs = nowNs + ADD_AGAIN_INTERVAL_NS;
                            counters.responsePublicationsAddedAgain.incrementRelease();
                            pending++;
                            continue;
                        }
                        System.err.println("ferrite router: cannot answer client " + session.clientId + " on " +
                            session.description + ": " + ex.getMessage());
                        toClose.add(session);
                        pending++;
                        continue;
                    }
                }
                if (null != session.publication && session.publication.isConnected())
                {
                    session.connected = true;
                    slots.set(session.slot, new ResponseTarget(session.token, session.imageSessionId, session.publication));
                    if (!offerConnectResponse(session))
                    {
                        counters.sessionsClosedBackPressure.incrementRelease();
                        toClose.add(session);
                    }
                }
                else if (nowNs - session.connectDeadlineNs > 0)
                {
                    // The client asks again while it waits (FerriteClient's handshake), which opens a new session.
                    System.err.println("ferrite router: response channel of client " + session.clientId + " (" +
                        session.description + ") did not connect within " +
                        TimeUnit.NANOSECONDS.toMillis(config.connectTimeoutNs()) + " ms; session dropped");
                    toClose.add(session);
                    pending++;
                }
                else
                {
                    pending++;
                }
            }
            else if (nowNs - session.lastActivityNs > config.sessionTimeoutNs())
            {
                counters.sessionsTimedOut.incrementRelease();
                toClose.add(session);
            }
        }
        pendingConnects = pending;
        for (int i = 0; i < toClose.size(); i++)
        {
            closeSession(toClose.get(i));
        }
        return toClose.size();
    }

    /**
     * Whether the driver refused a response publication because one on the same channel and session id is still
     * there: the publication of this client's previous session, closed but lingering (Aeron 1.51's message; a generic
     * error code, so the message is what tells it from a channel the driver cannot use at all).
     */
    static boolean isClashWithAClosingPublication(final RuntimeException ex)
    {
        return ex instanceof RegistrationException && null != ex.getMessage() &&
            ex.getMessage().contains("clashing sessionId");
    }

    /**
     * @return sessions waiting for their response publication, as the router counts them (router thread; tests read
     * it after an acquire of a counter the router released later).
     */
    int pendingConnects()
    {
        return pendingConnects;
    }

    private int drainUnavailableImages()
    {
        int work = 0;
        Long key;
        while (null != (key = unavailableImages.poll()))
        {
            final Session session = sessions.get(key.longValue());
            if (null != session)
            {
                closeSession(session);
            }
            work++;
        }
        return work;
    }

    private void closeSession(final Session session)
    {
        if (sessions.remove(session.key) != session)
        {
            return;
        }
        if (!session.connected)
        {
            pendingConnects = Math.max(0, pendingConnects - 1);
        }
        slots.set(session.slot, null);
        freeSlots.addInt(session.slot);
        closeResponsePublication(aeron, session.publication, session.registrationId);
        counters.sessionsOpen.getAndAddRelease(-1);
    }

    /**
     * Closes a session's response publication; one not yet taken from the client (its asynchronous add may still be
     * pending, when {@code getPublication} returns null and closes nothing) is removed by its registration id, so that
     * the add does not complete later into a publication nobody closes until shutdown.
     *
     * @param publication    the publication, or null if not yet taken with {@code getPublication}.
     * @param registrationId what {@code asyncAddPublication} returned for it.
     */
    static void closeResponsePublication(final Aeron aeron, final Publication publication, final long registrationId)
    {
        if (null != publication)
        {
            CloseHelper.quietClose(publication);
            return;
        }
        try
        {
            // pending: the add is cancelled; ready: the publication is closed; failed or unknown: nothing to do
            aeron.asyncRemovePublication(registrationId);
        }
        catch (final RuntimeException ignore)
        {
            // the client is closing, and closes every publication it holds
        }
    }

    private Session sessionOf(final int slot, final long token)
    {
        final ResponseTarget target = slots.get(slot);
        if (null == target || target.token() != token)
        {
            return null;
        }
        for (final Session session : sessions.values())
        {
            if (session.token == token)
            {
                return session;
            }
        }
        return null;
    }

    private void send(final Session session, final int length)
    {
        if (!sender.send(session.publication, sendBuffer, 0, length))
        {
            counters.sessionsClosedBackPressure.incrementRelease();
            closeSession(session);
        }
    }

    private void sendThrottle(final Session session, final long correlationId, final TableAdmission admission)
    {
        counters.error(ErrorCode.ProvisionedThroughputExceededException);
        counters.throttles.incrementRelease();
        admission.throttles.incrementRelease();
        errorResponse.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode(ErrorCode.ProvisionedThroughputExceededException)
            .putMessage(throttleMessage, 0, throttleMessage.capacity())
            .putItem(throttleMessage, 0, 0);
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + errorResponse.encodedLength());
    }

    /**
     * Sends each provisioned table's demand since the last report to the admission service (decision 0009).
     */
    private int reportDemand()
    {
        if (0 == grantChannelLength)
        {
            final List<String> bound = grants.localSocketAddresses();
            if (bound.isEmpty())
            {
                return 0;
            }
            final String channel = "aeron:udp?endpoint=" + bound.get(0);
            grantChannelLength = grantChannelBytes.putStringWithoutLengthUtf8(0, channel);
        }
        int sent = 0;
        for (final TableRoute route : metadata.routes())
        {
            final TableAdmission admission = route.admission;
            if (null == admission || !admission.isProvisioned())
            {
                continue;
            }
            final TableCapacity capacity = route.spec.capacity();
            demandEncoder.wrapAndApplyHeader(demandBuffer, 0, headerEncoder)
                .routerId(routerId)
                .grantStreamId(AdmissionService.GRANT_STREAM_ID)
                .readRate(2 * capacity.readCapacityUnits())
                .writeRate(capacity.writeCapacityUnits())
                .readDemand(admission.readDemand)
                .writeDemand(admission.writeDemand)
                .putTableName(route.nameBytes, 0, route.nameBytes.length)
                .putGrantChannel(grantChannelBytes, 0, grantChannelLength);
            admission.readDemand = 0;
            admission.writeDemand = 0;
            if (demandPublication.offer(demandBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + demandEncoder.encodedLength()) > 0)
            {
                sent++;
            }
        }
        return sent;
    }

    private void onGrant(final DirectBuffer buffer, final int offset, final int length, final Header fragmentHeader)
    {
        // anything but a whole grant (another message, or a datagram cut short) is dropped
        if (GrantReader.Result.GRANT == grantReader.read(buffer, offset, length))
        {
            final UnsafeBuffer name = grantReader.tableName();
            final TableRoute route = metadata.lookup(name, 0, name.capacity());
            if (null != route && null != route.admission)
            {
                route.admission.applyShare(nowNs, grantReader.readRate(), grantReader.writeRate());
            }
        }
    }

    /**
     * Admits a batch table by table, as DynamoDB processes what each table's throughput allows and hands the rest back
     * unprocessed: a table whose bucket lacks its units is refused, the others are charged their estimate. When every
     * table is refused, nothing is charged and the batch is answered ProvisionedThroughputExceeded, as DynamoDB answers
     * a batch none of whose items could be processed for want of throughput. A refused table's units still count as its
     * demand for global admission (units asked for, admitted or not), as a single request's do.
     *
     * @return the tables refused, in the batch's order: empty when all were admitted and charged; all of them when the
     * batch is throttled whole (then the throttle is counted against the first).
     */
    static List<TableRoute> admitBatch(final Map<TableRoute, Long> charges, final boolean writes, final long nowNs)
    {
        final List<TableRoute> refused = new ArrayList<>();
        for (final Map.Entry<TableRoute, Long> charge : charges.entrySet())
        {
            final TableAdmission admission = charge.getKey().admission;
            // a table costing more than the whole burst is admitted on a full bucket and leaves it in debt
            if (null != admission && !(writes ? admission.writes : admission.reads)
                .wouldAdmit(nowNs, Math.min(charge.getValue(), TokenBucket.MAX_UNITS_PER_CALL)))
            {
                refused.add(charge.getKey());
            }
        }
        for (final Map.Entry<TableRoute, Long> charge : charges.entrySet())
        {
            final TableAdmission admission = charge.getKey().admission;
            if (null != admission)
            {
                final long units = Math.min(charge.getValue(), TokenBucket.MAX_UNITS_PER_CALL);
                if (refused.contains(charge.getKey()))
                {
                    if (writes)
                    {
                        admission.writeDemand += units;
                    }
                    else
                    {
                        admission.readDemand += units;
                    }
                }
                else if (writes)
                {
                    admission.tryWrite(nowNs, units);
                }
                else
                {
                    admission.tryRead(nowNs, units);
                }
            }
        }
        return refused;
    }

    /**
     * Takes the tables a batch's admission refused out of it, to be handed back unprocessed: their entries leave
     * {@code byTable} and {@code charges} (nothing was charged for them, so nothing is charged or given back when the
     * batch completes) and go into the map returned; each refused table's throttle is counted, and the request once.
     */
    private <T> Map<String, List<T>> handBack(
        final List<TableRoute> refused, final Map<String, List<T>> byTable, final Map<TableRoute, Long> charges)
    {
        final Map<String, List<T>> handedBack = new LinkedHashMap<>();
        if (refused.isEmpty())
        {
            return handedBack;
        }
        for (final TableRoute route : refused)
        {
            handedBack.put(route.name(), byTable.remove(route.name()));
            charges.remove(route);
            route.admission.throttles.incrementRelease();
        }
        counters.throttles.incrementRelease();
        return handedBack;
    }

    /**
     * For the tests of this package, from their thread: the units a table's bucket holds now (the bucket is atomic;
     * the routing table is read without the router's knowledge, so call it while no table is created or deleted).
     *
     * @param write true for the write bucket's write units, false for the read bucket's half read units.
     * @return the units, or -1 when the table has no bucket (on-demand admission is off or no such table).
     */
    long unitsAvailable(final String table, final boolean write)
    {
        final TableRoute route = metadata.lookup(table);
        return null == route || null == route.admission ? -1 :
            (write ? route.admission.writes : route.admission.reads).availableUnits(System.nanoTime());
    }

    private void openAdmission(final TableRoute route, final long nowNs)
    {
        final TableAdmission admission = new TableAdmission(route.spec.capacity(), config.admissionBurstSeconds(), nowNs);
        admission.attach(new PartitionAdmission(PartitionAdmission.slots(metadata.shardCount(), enginePartitions),
            2L * config.admissionPartitionReadUnits(), config.admissionPartitionWriteUnits(), config.admissionBurstSeconds(),
            nowNs));
        admission.throttles = counters.newTableThrottleCounter(route.name());
        route.admission = admission;
        admissions.set(route.routeId, admission);
    }

    private void closeAdmission(final TableRoute route)
    {
        if (null != route.admission)
        {
            admissions.set(route.routeId, null);
            counters.free(route.admission.throttles);
            route.admission = null;
        }
    }

    private void sendError(final Session session, final long correlationId, final ErrorCode code, final String message)
    {
        counters.error(code);
        errorResponse.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode(code)
            .message(message)
            .putItem(sendBuffer, 0, 0);
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + errorResponse.encodedLength());
    }

    // ---------------------------------------------------------------------------------------------
    // Replies from shards
    // ---------------------------------------------------------------------------------------------

    private void onReply(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        switch (msgTypeId)
        {
            case RingLayout.REPLY_CLOSE_SESSION:
            {
                final Session session = sessionOf(
                    buffer.getInt(index + RingLayout.SLOT_OFFSET), buffer.getLong(index + RingLayout.TOKEN_OFFSET));
                if (null != session)
                {
                    counters.sessionsClosedBackPressure.incrementRelease();
                    closeSession(session);
                }
                break;
            }

            case RingLayout.REPLY_SCAN_NEXT:
            {
                final int nextShard = (int)buffer.getLong(index + RingLayout.GATHER_ID_OFFSET);
                buffer.putLong(index + RingLayout.GATHER_ID_OFFSET, 0);
                // straight onto the next shard's ring, allocating nothing, unless earlier messages wait for it or it
                // is full: then behind them, in order
                if (!backlogs[nextShard].isEmpty() || !toShards[nextShard].write(RingLayout.OP_SCAN, buffer, index, length))
                {
                    final byte[] message = new byte[length + 4];
                    new UnsafeBuffer(message).putInt(0, RingLayout.OP_SCAN);
                    buffer.getBytes(index, message, 4, length);
                    backlogs[nextShard].addLast(message);
                }
                break;
            }

            case RingLayout.REPLY_GATHER:
            {
                final Gather gather = gathers.get(buffer.getLong(index + RingLayout.GATHER_ID_OFFSET));
                if (null != gather)
                {
                    final byte[] frame = new byte[length - RingLayout.HEADER_LENGTH];
                    buffer.getBytes(index + RingLayout.HEADER_LENGTH, frame);
                    gather.replies.add(frame);
                    if (gather.replies.size() == gather.expected)
                    {
                        gathers.remove(gather.id);
                        try
                        {
                            finishGather(gather);
                        }
                        catch (final RuntimeException ex)
                        {
                            answerInternalError(gather, ex);
                        }
                        finally
                        {
                            counters.inFlight.getAndAdd(-1);
                        }
                    }
                }
                break;
            }

            default:
                break;
        }
    }

    private int flushBacklogs()
    {
        int work = 0;
        for (int shard = 0; shard < backlogs.length; shard++)
        {
            final ArrayDeque<byte[]> backlog = backlogs[shard];
            while (!backlog.isEmpty())
            {
                final byte[] message = backlog.peekFirst();
                backlogView.wrap(message);
                final int type = backlogView.getInt(0);
                if (!toShards[shard].write(type, backlogView, 4, message.length - 4))
                {
                    break;
                }
                backlog.removeFirst();
                work++;
            }
        }
        return work;
    }

    // ---------------------------------------------------------------------------------------------
    // ListTables: answered from the routing metadata
    // ---------------------------------------------------------------------------------------------

    private void onListTables(
        final Session session, final DirectBuffer buffer, final int body, final int blockLength, final int version)
    {
        final ListTablesRequestDecoder d = listTables.wrap(buffer, body, blockLength, version);
        final long correlationId = d.correlationId();
        final int requested = d.pageLimit();
        final String start = d.exclusiveStartTableName();
        final int limit = 0 == requested ? 100 : requested;
        try
        {
            if (limit < 1 || limit > 100)
            {
                throw FerriteException.validation("1 validation error detected: Value '" + limit + "' at 'limit' failed " +
                    "to satisfy constraint: Member must have value " + (limit < 1 ?
                    "greater than or equal to 1" : "less than or equal to 100"));
            }
            if (!start.isEmpty())
            {
                NameRules.checkTableName(start, "exclusiveStartTableName");
            }
        }
        catch (final FerriteException ex)
        {
            sendError(session, correlationId, ex.code(), ex.getMessage());
            return;
        }
        final List<String> names = metadata.namesAfter(start.isEmpty() ? null : start);
        final int count = Math.min(limit, names.size());
        listTablesResponse.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).correlationId(correlationId);
        final ListTablesResponseEncoder.TableNamesEncoder group = listTablesResponse.tableNamesCount(count);
        for (int i = 0; i < count; i++)
        {
            group.next().tableName(names.get(i));
        }
        listTablesResponse.lastEvaluatedTableName(names.size() > count ? names.get(count - 1) : "");
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + listTablesResponse.encodedLength());
    }

    // ---------------------------------------------------------------------------------------------
    // Scatter-gather: table management and batches
    // ---------------------------------------------------------------------------------------------

    private void onScatter(
        final Session session,
        final int operation,
        final DirectBuffer buffer,
        final int frameOffset,
        final int frameLength,
        final int body,
        final int blockLength,
        final int version)
    {
        final long correlationId = buffer.getLong(body, java.nio.ByteOrder.LITTLE_ENDIAN);
        try
        {
            switch (operation)
            {
                case Operations.CREATE_TABLE:
                    onCreateTable(session, correlationId, buffer, frameOffset, frameLength, body, blockLength, version);
                    break;
                case Operations.DELETE_TABLE:
                {
                    final String name = deleteTable.wrap(buffer, body, blockLength, version).tableName();
                    final TableRoute route = requireRoute(name, true);
                    metadata.status(route, TableStatus.DELETING);
                    counters.routingEpoch.setRelease(metadata.epoch());
                    broadcast(session, correlationId, operation, route, buffer, frameOffset, frameLength);
                    break;
                }
                case Operations.DESCRIBE_TABLE:
                {
                    final String name = describeTable.wrap(buffer, body, blockLength, version).tableName();
                    final TableRoute route = requireRoute(name, false);
                    broadcast(session, correlationId, operation, route, buffer, frameOffset, frameLength);
                    break;
                }
                case Operations.UPDATE_TABLE:
                {
                    final UpdateTableRequestDecoder d = updateTable.wrap(buffer, body, blockLength, version);
                    final io.ferrite.engine.admission.BillingMode mode = TableRequests.billingMode(d.billingModeRaw());
                    final long readUnits = d.readCapacityUnits();
                    final long writeUnits = d.writeCapacityUnits();
                    final String name = d.tableName();
                    final TableRoute route = requireRoute(name, true);
                    final TableCapacity capacity = TableCapacity.forUpdate(route.spec.capacity(), mode, readUnits, writeUnits);
                    metadata.capacity(route, capacity);
                    if (null != route.admission)
                    {
                        route.admission.reconfigure(nowNs, capacity);
                    }
                    counters.routingEpoch.setRelease(metadata.epoch());
                    broadcast(session, correlationId, operation, route, buffer, frameOffset, frameLength);
                    break;
                }
                case Operations.BATCH_GET_ITEM:
                    onBatchGet(session, correlationId, buffer, body, blockLength, version);
                    break;
                case Operations.BATCH_WRITE_ITEM:
                    onBatchWrite(session, correlationId, buffer, body, blockLength, version);
                    break;
                default:
                    throw new IllegalStateException("operation " + operation + " is not scattered");
            }
        }
        catch (final FerriteException ex)
        {
            sendError(session, correlationId, ex.code(), ex.getMessage());
        }
    }

    private void onCreateTable(
        final Session session,
        final long correlationId,
        final DirectBuffer buffer,
        final int frameOffset,
        final int frameLength,
        final int body,
        final int blockLength,
        final int version)
    {
        createTable.wrap(buffer, body, blockLength, version);
        final TableSpec spec = TableRequests.spec(createTable);
        final TableRoute existing = metadata.lookup(spec.tableName());
        if (null != existing)
        {
            throw new FerriteException(ErrorCode.ResourceInUseException, TableStatus.ACTIVE == existing.status ?
                "Table already exists: " + spec.tableName() :
                "Attempt to change a resource which is still in use: Table is being " +
                (TableStatus.CREATING == existing.status ? "created" : "deleted") + ": " + spec.tableName());
        }
        if (null == spec.partitionKeyName() || null == spec.partitionKeyType())
        {
            throw FerriteException.validation("1 validation error detected: Value null at 'keySchema' failed to " +
                "satisfy constraint: Member must not be null (a table needs a HASH key)");
        }
        NameRules.checkTableName(spec.tableName(), "tableName");
        if (metadata.tables().size() >= Shard.MAX_TABLES)
        {
            throw new FerriteException(ErrorCode.LimitExceededException,
                "Subscriber limit exceeded: a node holds at most " + Shard.MAX_TABLES + " tables");
        }
        final TableRoute route = new TableRoute(metadata.nextRouteId(), spec, TableStatus.CREATING, System.currentTimeMillis(), 0);
        metadata.put(route);
        counters.routingEpoch.setRelease(metadata.epoch());
        broadcast(session, correlationId, Operations.CREATE_TABLE, route, buffer, frameOffset, frameLength);
    }

    private TableRoute requireRoute(final String name, final boolean forChange)
    {
        final TableRoute route = metadata.lookup(name);
        if (null == route || TableStatus.CREATING == route.status)
        {
            NameRules.checkTableName(name, "tableName");
            throw new FerriteException(ErrorCode.ResourceNotFoundException,
                "Requested resource not found: Table: " + name + " not found");
        }
        if (forChange && TableStatus.ACTIVE != route.status)
        {
            throw new FerriteException(ErrorCode.ResourceInUseException,
                "Attempt to change a resource which is still in use: Table is being deleted: " + name);
        }
        return route;
    }

    private void broadcast(
        final Session session,
        final long correlationId,
        final int operation,
        final TableRoute route,
        final DirectBuffer buffer,
        final int frameOffset,
        final int frameLength)
    {
        final Gather gather = newGather(session, correlationId, operation, metadata.shardCount());
        gather.route = route;
        for (int shard = 0; shard < metadata.shardCount(); shard++)
        {
            enqueue(shard, gather, route.routeId, buffer, frameOffset, frameLength);
        }
    }

    private Gather newGather(final Session session, final long correlationId, final int operation, final int expected)
    {
        if (expected < 1)
        {
            // it would never finish, and its client would wait for its timeout: answered at once instead
            throw new IllegalStateException(Operations.name(operation) + " was sent to no shard");
        }
        final Gather gather = new Gather(nextGatherId++, session.slot, session.token, correlationId, operation, expected);
        gathers.put(gather.id, gather);
        counters.inFlight.getAndAdd(1);
        return gather;
    }

    private void enqueue(
        final int shard, final Gather gather, final int routeId, final DirectBuffer frame, final int offset, final int length)
    {
        final byte[] message = new byte[4 + RingLayout.HEADER_LENGTH + length];
        final UnsafeBuffer view = new UnsafeBuffer(message);
        view.putInt(0, RingLayout.OP_GATHER);
        view.putLong(4 + RingLayout.TOKEN_OFFSET, gather.token);
        view.putLong(4 + RingLayout.RECEIVED_NS_OFFSET, nowNs);
        view.putLong(4 + RingLayout.GATHER_ID_OFFSET, gather.id);
        view.putInt(4 + RingLayout.SLOT_OFFSET, gather.slot);
        view.putInt(4 + RingLayout.ROUTE_ID_OFFSET, routeId);
        view.putBytes(4 + RingLayout.HEADER_LENGTH, frame, offset, length);
        backlogs[shard].addLast(message);
    }

    private void onBatchGet(
        final Session session, final long correlationId, final DirectBuffer buffer, final int body, final int blockLength,
        final int version)
    {
        final Map<String, List<byte[]>> keysByTable = new LinkedHashMap<>();
        final Map<String, Boolean> consistent = new LinkedHashMap<>();
        final Map<String, String> projections = new LinkedHashMap<>();
        final Map<String, byte[]> names = new LinkedHashMap<>();
        int total = 0;
        for (final BatchGetItemRequestDecoder.TablesDecoder table : batchGet.wrap(buffer, body, blockLength, version).tables())
        {
            final List<byte[]> keys = new ArrayList<>();
            final boolean consistentRead = WireValues.booleanValue(table.consistentReadRaw(), false, "consistentRead");
            for (final BatchGetItemRequestDecoder.TablesDecoder.KeysDecoder key : table.keys())
            {
                final byte[] bytes = new byte[key.keyLength()];
                key.getKey(bytes, 0, bytes.length);
                keys.add(bytes);
            }
            final String name = table.tableName();
            final String projection = table.projectionExpression();
            final byte[] namesBytes = new byte[table.expressionAttributeNamesLength()];
            table.getExpressionAttributeNames(namesBytes, 0, namesBytes.length);
            keysByTable.computeIfAbsent(name, k -> new ArrayList<>()).addAll(keys);
            consistent.put(name, consistentRead);
            projections.put(name, projection);
            names.put(name, namesBytes);
            total += keys.size();
        }
        if (0 == total)
        {
            throw FerriteException.validation("1 validation error detected: Value at 'requestItems' failed to satisfy " +
                "constraint: Member must have length greater than or equal to 1");
        }
        if (total > Shard.MAX_BATCH_GET_KEYS)
        {
            throw FerriteException.validation("Too many items requested for the BatchGetItem call: " + total +
                " keys, the limit is " + Shard.MAX_BATCH_GET_KEYS);
        }
        Shard.checkEveryBatchGetTableHasKeys(keysByTable);

        final Map<TableRoute, Long> readCharges = new LinkedHashMap<>();
        for (final Map.Entry<String, List<byte[]>> entry : keysByTable.entrySet())
        {
            readCharges.put(requireRoute(entry.getKey(), false),
                (consistent.get(entry.getKey()) ? 2L : 1L) * entry.getValue().size());
        }
        final List<TableRoute> readThrottled = admitBatch(readCharges, false, nowNs);
        if (readThrottled.size() == readCharges.size())
        {
            sendThrottle(session, correlationId, readThrottled.get(0).admission);
            return;
        }
        final Map<String, List<byte[]>> throttledKeys = handBack(readThrottled, keysByTable, readCharges);

        final TreeMap<Integer, Map<String, List<byte[]>>> byShard = new TreeMap<>();
        for (final Map.Entry<String, List<byte[]>> entry : keysByTable.entrySet())
        {
            final TableRoute route = requireRoute(entry.getKey(), false);
            for (final byte[] key : entry.getValue())
            {
                final int shard = shardOf(route, key);
                byShard.computeIfAbsent(shard, s -> new LinkedHashMap<>())
                    .computeIfAbsent(entry.getKey(), k -> new ArrayList<>()).add(key);
            }
        }

        final Gather gather = newGather(session, correlationId, Operations.BATCH_GET_ITEM, byShard.size());
        gather.charges = readCharges;
        gather.throttledKeys = throttledKeys;
        for (final Map.Entry<Integer, Map<String, List<byte[]>>> part : byShard.entrySet())
        {
            // Each table's projection and names go along with its keys: the frame holds them too.
            int bytes = frameBytes(part.getValue(), 16);
            for (final String table : part.getValue().keySet())
            {
                bytes += 8 + projections.get(table).length() * 3 + names.get(table).length;
            }
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[bytes]);
            batchGetRequest.wrapAndApplyHeader(frame, 0, headerEncoder).correlationId(correlationId).requestId(0);
            final BatchGetItemRequestEncoder.TablesEncoder tables = batchGetRequest.tablesCount(part.getValue().size());
            for (final Map.Entry<String, List<byte[]>> entry : part.getValue().entrySet())
            {
                tables.next().consistentRead(consistent.get(entry.getKey()) ? BooleanType.TRUE : BooleanType.FALSE);
                final BatchGetItemRequestEncoder.TablesEncoder.KeysEncoder keys = tables.keysCount(entry.getValue().size());
                for (final byte[] key : entry.getValue())
                {
                    keys.next().putKey(key, 0, key.length);
                }
                final byte[] namesBytes = names.get(entry.getKey());
                tables.tableName(entry.getKey()).projectionExpression(projections.get(entry.getKey()))
                    .putExpressionAttributeNames(namesBytes, 0, namesBytes.length);
            }
            enqueue(part.getKey(), gather, 0, frame, 0, MessageHeaderEncoder.ENCODED_LENGTH + batchGetRequest.encodedLength());
        }
    }

    private void onBatchWrite(
        final Session session, final long correlationId, final DirectBuffer buffer, final int body, final int blockLength,
        final int version)
    {
        final Map<String, List<byte[]>> puts = new LinkedHashMap<>();
        final Map<String, List<Boolean>> isPut = new LinkedHashMap<>();
        int total = 0;
        for (final BatchWriteItemRequestDecoder.TablesDecoder table : batchWrite.wrap(buffer, body, blockLength, version).tables())
        {
            final List<byte[]> writes = new ArrayList<>();
            final List<Boolean> kinds = new ArrayList<>();
            for (final BatchWriteItemRequestDecoder.TablesDecoder.WritesDecoder write : table.writes())
            {
                final short op = write.opRaw();
                if (WriteOp.PUT.value() != op && WriteOp.DELETE.value() != op)
                {
                    throw FerriteException.validation("1 validation error detected: write op " + op + " is neither " +
                        "PutRequest nor DeleteRequest");
                }
                final byte[] bytes = new byte[write.itemOrKeyLength()];
                write.getItemOrKey(bytes, 0, bytes.length);
                writes.add(bytes);
                kinds.add(WriteOp.PUT.value() == op);
            }
            final String name = table.tableName();
            puts.computeIfAbsent(name, k -> new ArrayList<>()).addAll(writes);
            isPut.computeIfAbsent(name, k -> new ArrayList<>()).addAll(kinds);
            total += writes.size();
        }
        if (total < 1 || total > Shard.MAX_BATCH_WRITES)
        {
            throw FerriteException.validation("1 validation error detected: Value at 'requestItems' failed to satisfy " +
                "constraint: Map value must satisfy constraint: [Member must have length less than or equal to " +
                Shard.MAX_BATCH_WRITES + ", Member must have length greater than or equal to 1] (the request has " +
                total + " writes)");
        }
        Shard.checkEveryBatchWriteTableHasWrites(puts);

        // checked whole before any shard writes, so that a bad write does not leave the others half-applied
        final TreeMap<Integer, Map<String, List<Integer>>> byShard = new TreeMap<>();
        for (final Map.Entry<String, List<byte[]>> entry : puts.entrySet())
        {
            final TableRoute route = requireRoute(entry.getKey(), false);
            final List<Boolean> kinds = isPut.get(entry.getKey());
            for (int i = 0; i < entry.getValue().size(); i++)
            {
                final byte[] bytes = entry.getValue().get(i);
                checkWrite(route, bytes, kinds.get(i));
                final int shard = shardOf(route, bytes);
                byShard.computeIfAbsent(shard, s -> new LinkedHashMap<>())
                    .computeIfAbsent(entry.getKey(), k -> new ArrayList<>()).add(i);
            }
        }

        final Map<TableRoute, Long> writeCharges = new LinkedHashMap<>();
        for (final Map.Entry<String, List<byte[]>> entry : puts.entrySet())
        {
            long units = 0;
            final List<Boolean> kinds = isPut.get(entry.getKey());
            for (int i = 0; i < entry.getValue().size(); i++)
            {
                units += kinds.get(i) ? CapacityUnits.writeUnits(0, entry.getValue().get(i).length) : 1;
            }
            writeCharges.put(requireRoute(entry.getKey(), false), units);
        }
        final List<TableRoute> writeThrottled = admitBatch(writeCharges, true, nowNs);
        if (writeThrottled.size() == writeCharges.size())
        {
            sendThrottle(session, correlationId, writeThrottled.get(0).admission);
            return;
        }
        final Map<String, List<byte[]>> throttledWrites = handBack(writeThrottled, puts, writeCharges);
        final Map<String, List<WriteRequest>> handedBack = new LinkedHashMap<>();
        throttledWrites.forEach((table, writes) ->
        {
            final List<WriteRequest> requests = new ArrayList<>();
            for (int i = 0; i < writes.size(); i++)
            {
                requests.add(isPut.get(table).get(i) ? WriteRequest.put(writes.get(i)) : WriteRequest.delete(writes.get(i)));
            }
            handedBack.put(table, requests);
        });
        byShard.values().forEach(tables -> tables.keySet().removeAll(throttledWrites.keySet()));
        byShard.values().removeIf(Map::isEmpty);

        final Gather gather = newGather(session, correlationId, Operations.BATCH_WRITE_ITEM, byShard.size());
        gather.charges = writeCharges;
        gather.throttledWrites = handedBack;
        for (final Map.Entry<Integer, Map<String, List<Integer>>> part : byShard.entrySet())
        {
            int bytes = 64;
            for (final Map.Entry<String, List<Integer>> entry : part.getValue().entrySet())
            {
                bytes += 16 + entry.getKey().length() * 4;
                for (final int i : entry.getValue())
                {
                    bytes += 8 + puts.get(entry.getKey()).get(i).length;
                }
            }
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[bytes]);
            batchWriteRequest.wrapAndApplyHeader(frame, 0, headerEncoder).correlationId(correlationId).requestId(0);
            final BatchWriteItemRequestEncoder.TablesEncoder tables = batchWriteRequest.tablesCount(part.getValue().size());
            for (final Map.Entry<String, List<Integer>> entry : part.getValue().entrySet())
            {
                tables.next();
                final BatchWriteItemRequestEncoder.TablesEncoder.WritesEncoder writes = tables.writesCount(entry.getValue().size());
                for (final int i : entry.getValue())
                {
                    final byte[] itemOrKey = puts.get(entry.getKey()).get(i);
                    writes.next().op(isPut.get(entry.getKey()).get(i) ? WriteOp.PUT : WriteOp.DELETE)
                        .putItemOrKey(itemOrKey, 0, itemOrKey.length);
                }
                tables.tableName(entry.getKey());
            }
            enqueue(part.getKey(), gather, 0, frame, 0, MessageHeaderEncoder.ENCODED_LENGTH + batchWriteRequest.encodedLength());
        }
    }

    private void checkWrite(final TableRoute route, final byte[] bytes, final boolean put)
    {
        final UnsafeBuffer view = new UnsafeBuffer(bytes);
        ItemValidator.validate(view, 0, bytes.length);
        final TableSpec spec = route.spec;
        final int keys = null == spec.sortKeyName() ? 1 : 2;
        if (!put && ItemFormat.attributeCount(view, 0) != keys)
        {
            throw FerriteException.validation("The provided key element does not match the schema");
        }
        checkKeyAttribute(view, bytes.length, spec.partitionKeyName(), spec.partitionKeyType(), put);
        if (null != spec.sortKeyName())
        {
            checkKeyAttribute(view, bytes.length, spec.sortKeyName(), spec.sortKeyType(), put);
        }
    }

    private static void checkKeyAttribute(
        final UnsafeBuffer item, final int length, final String name, final KeyType type, final boolean put)
    {
        final int value = ItemFormat.findAttribute(item, 0, length, name.getBytes(StandardCharsets.UTF_8));
        if (value < 0)
        {
            throw FerriteException.validation(put ? "One or more parameter values were invalid: Missing the key " + name +
                " in the item" : "The provided key element does not match the schema");
        }
        final byte actual = ItemFormat.type(item, value);
        if (actual != type.tag())
        {
            throw FerriteException.validation(put ? "One or more parameter values were invalid: Type mismatch for key " +
                name + " expected: " + type + " actual: " + ItemFormat.typeName(actual) :
                "The provided key element does not match the schema");
        }
    }

    private int shardOf(final TableRoute route, final byte[] itemOrKey)
    {
        final UnsafeBuffer view = new UnsafeBuffer(itemOrKey);
        return partitionKeys.hashAttribute(view, 0, itemOrKey.length, route.partitionKeyName) ?
            metadata.shardFor(partitionKeys.hash()) : 0;
    }

    private static int frameBytes(final Map<String, List<byte[]>> byTable, final int perEntry)
    {
        int bytes = 64;
        for (final Map.Entry<String, List<byte[]>> entry : byTable.entrySet())
        {
            bytes += 16 + entry.getKey().length() * 4;
            for (final byte[] value : entry.getValue())
            {
                bytes += perEntry + value.length;
            }
        }
        return bytes;
    }

    private void finishGather(final Gather gather)
    {
        final Session session = sessionOf(gather.slot, gather.token);
        switch (gather.operation)
        {
            case Operations.CREATE_TABLE:
                finishCreateTable(gather, session);
                break;
            case Operations.DELETE_TABLE:
                finishDeleteTable(gather, session);
                break;
            case Operations.DESCRIBE_TABLE:
            case Operations.UPDATE_TABLE:
                if (null != session)
                {
                    answerTableGather(gather, session, gather.route.status);
                }
                break;
            case Operations.BATCH_GET_ITEM:
                finishBatchGet(gather, session);
                break;
            case Operations.BATCH_WRITE_ITEM:
                finishBatchWrite(gather, session);
                break;
            default:
                break;
        }
    }

    /**
     * Charges each table of a batch what the batch's answer reports it cost (DynamoDB's per-item figures: a key read
     * costs its whole item's 4 KB blocks, a write the larger of its old and new item) beyond the estimate the router
     * took up front, as a single read or write is charged after the work (the bucket may go into debt); when the
     * estimate was more (keys or writes handed back unprocessed, which the estimate counted), the difference is given
     * back, so a batch pays only for what it answers and a resent key is paid for once. Charged whether or not the
     * client is still there to be answered: the work was done.
     */
    private void chargeBatchAfter(final Gather gather, final Map<String, Long> consumed, final boolean writes)
    {
        if (null == gather.charges)
        {
            return;
        }
        for (final Map.Entry<TableRoute, Long> charged : gather.charges.entrySet())
        {
            final TableRoute route = charged.getKey();
            // a table none of whose keys or writes was processed consumed nothing
            final long reported = consumed.getOrDefault(route.name(), 0L);
            // the same table, not a later one of the same name
            if (null != route.admission && metadata.lookup(route.name()) == route)
            {
                final long rest = reported - Math.min(charged.getValue(), TokenBucket.MAX_UNITS_PER_CALL);
                if (rest >= 0)
                {
                    route.admission.chargeAfter(nowNs, writes, rest);
                }
                else
                {
                    // the estimate covered keys or writes handed back unprocessed: they are paid for when resent
                    route.admission.refund(nowNs, writes, -rest);
                }
            }
        }
    }

    /**
     * Whatever failed while merging a gather's replies, its request gets one answer.
     */
    private void answerInternalError(final Gather gather, final RuntimeException ex)
    {
        final Session session = sessionOf(gather.slot, gather.token);
        if (null != session)
        {
            sendError(session, gather.correlationId, ErrorCode.InternalServerError,
                "Internal error on the router: " + Operations.name(gather.operation) + " could not be answered: " + ex);
        }
    }

    private void finishCreateTable(final Gather gather, final Session session)
    {
        final TableRoute route = gather.route;
        final int failures = failures(gather);
        if (0 == failures)
        {
            route.requests = counters.newTableCounter(route.name());
            openAdmission(route, nowNs);
            metadata.status(route, TableStatus.ACTIVE);
            counters.routingEpoch.setRelease(metadata.epoch());
            if (null != session)
            {
                answerTableGather(gather, session, TableStatus.ACTIVE);
            }
            return;
        }
        if (failures == gather.expected)
        {
            metadata.remove(route.name());
            counters.routingEpoch.setRelease(metadata.epoch());
            if (null != session)
            {
                answerFirstError(gather, session);
            }
            return;
        }
        // some shards have the table and some do not: it stays CREATING and start-up completes it
        System.err.println("ferrite router: CreateTable " + route.name() + " failed on " + failures + " of " +
            gather.expected + " shards; it stays CREATING until the node restarts and completes it");
        if (null != session)
        {
            answerFirstError(gather, session);
        }
    }

    private void finishDeleteTable(final Gather gather, final Session session)
    {
        final TableRoute route = gather.route;
        int failures = 0;
        for (final byte[] reply : gather.replies)
        {
            if (isError(reply) && errorCodeOf(reply) != ErrorCode.ResourceNotFoundException)
            {
                failures++;
            }
        }
        if (0 == failures)
        {
            metadata.remove(route.name());
            counters.routingEpoch.setRelease(metadata.epoch());
            if (null != route.requests)
            {
                counters.free(route.requests);
                route.requests = null;
            }
            closeAdmission(route);
            if (null != session)
            {
                answerTableGather(gather, session, TableStatus.DELETING);
            }
            return;
        }
        System.err.println("ferrite router: DeleteTable " + route.name() + " failed on " + failures + " shards; it stays " +
            "DELETING until the node restarts and completes it");
        if (null != session)
        {
            answerFirstError(gather, session);
        }
    }

    private void answerTableGather(final Gather gather, final Session session, final TableStatus status)
    {
        long items = 0;
        long bytes = 0;
        int partitions = 0;
        for (final byte[] reply : gather.replies)
        {
            if (isError(reply))
            {
                if (TableStatus.DELETING == status && errorCodeOf(reply) == ErrorCode.ResourceNotFoundException)
                {
                    continue;
                }
                answerFirstError(gather, session);
                return;
            }
            final UnsafeBuffer view = new UnsafeBuffer(reply);
            tableReply.wrapAndApplyHeader(view, 0, header);
            items += tableReply.itemCount();
            bytes += tableReply.sizeBytes();
            partitions += tableReply.partitionCount();
        }
        final TableRoute route = gather.route;
        final TableSpec spec = route.spec;
        tableResponse.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(gather.correlationId)
            .tableId(route.routeId)
            .status(status)
            .itemCount(items)
            .sizeBytes(bytes)
            .createdEpochMs(route.createdEpochMs)
            .partitionCount(partitions);
        final TableCapacity capacity = spec.capacity();
        tableResponse.billingMode(TableRequests.wireBillingMode(capacity)).readCapacityUnits(capacity.readCapacityUnits())
            .writeCapacityUnits(capacity.writeCapacityUnits());
        final TableDescriptionResponseEncoder.KeySchemaEncoder keys =
            tableResponse.keySchemaCount(null == spec.sortKeyName() ? 1 : 2);
        keys.next().keyRole(KeyRole.HASH).attributeType(TableRequests.attributeType(spec.partitionKeyType()))
            .attributeName(spec.partitionKeyName());
        if (null != spec.sortKeyName())
        {
            keys.next().keyRole(KeyRole.RANGE).attributeType(TableRequests.attributeType(spec.sortKeyType()))
                .attributeName(spec.sortKeyName());
        }
        tableResponse.tableName(spec.tableName());
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + tableResponse.encodedLength());
    }

    private void finishBatchGet(final Gather gather, final Session session)
    {
        if (failures(gather) > 0)
        {
            if (null != session)
            {
                answerFirstError(gather, session);
            }
            return;
        }
        final Map<String, List<byte[]>> items = new LinkedHashMap<>();
        final Map<String, List<Long>> itemHalfUnits = new LinkedHashMap<>();
        final Map<String, List<byte[]>> unprocessed = new LinkedHashMap<>();
        final Map<String, Long> readHalfUnits = new LinkedHashMap<>();
        for (final byte[] reply : gather.replies)
        {
            final UnsafeBuffer replyBuffer = new UnsafeBuffer(reply);
            batchGetReply.wrapAndApplyHeader(replyBuffer, 0, header);
            final List<String> replyTables = new ArrayList<>();
            final List<Integer> replyCounts = new ArrayList<>();
            for (final BatchGetItemResponseDecoder.ResponsesDecoder responses : batchGetReply.responses())
            {
                final List<byte[]> found = new ArrayList<>();
                for (final BatchGetItemResponseDecoder.ResponsesDecoder.ItemsDecoder item : responses.items())
                {
                    final byte[] bytes = new byte[item.itemLength()];
                    item.getItem(bytes, 0, bytes.length);
                    found.add(bytes);
                }
                final String table = responses.tableName();
                items.computeIfAbsent(table, k -> new ArrayList<>()).addAll(found);
                replyTables.add(table);
                replyCounts.add(found.size());
            }
            for (final BatchGetItemResponseDecoder.UnprocessedKeysDecoder rest : batchGetReply.unprocessedKeys())
            {
                final List<byte[]> keys = new ArrayList<>();
                for (final BatchGetItemResponseDecoder.UnprocessedKeysDecoder.KeysDecoder key : rest.keys())
                {
                    final byte[] bytes = new byte[key.keyLength()];
                    key.getKey(bytes, 0, bytes.length);
                    keys.add(bytes);
                }
                unprocessed.computeIfAbsent(rest.tableName(), k -> new ArrayList<>()).addAll(keys);
            }
            for (final BatchGetItemResponseDecoder.ConsumedCapacityDecoder consumed : batchGetReply.consumedCapacity())
            {
                final long units = consumed.readHalfUnits();
                readHalfUnits.merge(consumed.tableName(), units, Long::sum);
            }
            readItemHalfUnits(replyBuffer, batchGetReply.limit(), reply.length, replyTables, replyCounts, itemHalfUnits);
        }

        if (null == session)
        {
            // no one to answer: the shards did the reads
            chargeBatchAfter(gather, readHalfUnits, false);
            return;
        }
        // the tables admission refused go back whole, after what the shards handed back
        gather.throttledKeys.forEach((table, keys) -> unprocessed.computeIfAbsent(table, k -> new ArrayList<>())
            .addAll(keys));
        // what does not fit the session's largest message goes back as unprocessed keys, and is then neither
        // reported nor charged (readHalfUnits is lowered by what those items cost)
        final int budget = Math.min(session.publication.maxMessageLength(), SEND_BUFFER_BYTES);
        final int length = WireValues.encodeBatchGetResponse(sendBuffer, 0, headerEncoder, batchGetResponse,
            gather.correlationId, items, itemHalfUnits, unprocessed, readHalfUnits, name -> metadata.lookup(name).spec,
            budget, keyWriter);
        chargeBatchAfter(gather, readHalfUnits, false);
        send(session, length);
    }

    /**
     * Reads the cost of each item a shard's BatchGetItem reply holds, which the shard wrote after the reply's message
     * ({@link WireValues#putItemHalfUnits}), into {@code itemHalfUnits}, by table, in the items' order.
     */
    private static void readItemHalfUnits(
        final UnsafeBuffer reply,
        final int offset,
        final int length,
        final List<String> tables,
        final List<Integer> counts,
        final Map<String, List<Long>> itemHalfUnits)
    {
        int items = 0;
        for (final int count : counts)
        {
            items += count;
        }
        if (length - offset != items * Integer.BYTES)
        {
            throw new IllegalStateException("a shard's BatchGetItem reply of " + items + " items carries " +
                (length - offset) + " bytes of item costs after its message, not " + items * Integer.BYTES);
        }
        int position = offset;
        for (int t = 0; t < tables.size(); t++)
        {
            final List<Long> costs = itemHalfUnits.computeIfAbsent(tables.get(t), k -> new ArrayList<>());
            for (int i = 0; i < counts.get(t); i++)
            {
                costs.add((long)reply.getInt(position));
                position += Integer.BYTES;
            }
        }
    }

    private void finishBatchWrite(final Gather gather, final Session session)
    {
        if (failures(gather) > 0)
        {
            if (null != session)
            {
                answerFirstError(gather, session);
            }
            return;
        }
        final Map<String, List<WriteRequest>> unprocessed = new LinkedHashMap<>();
        final Map<String, Long> writeUnits = new LinkedHashMap<>();
        for (final byte[] reply : gather.replies)
        {
            batchWriteReply.wrapAndApplyHeader(new UnsafeBuffer(reply), 0, header);
            for (final BatchWriteItemResponseDecoder.UnprocessedItemsDecoder rest : batchWriteReply.unprocessedItems())
            {
                final List<WriteRequest> writes = new ArrayList<>();
                for (final BatchWriteItemResponseDecoder.UnprocessedItemsDecoder.WritesDecoder write : rest.writes())
                {
                    final boolean put = WriteOp.PUT == write.op();
                    final byte[] itemOrKey = new byte[write.itemOrKeyLength()];
                    write.getItemOrKey(itemOrKey, 0, itemOrKey.length);
                    writes.add(put ? WriteRequest.put(itemOrKey) : WriteRequest.delete(itemOrKey));
                }
                unprocessed.computeIfAbsent(rest.tableName(), k -> new ArrayList<>()).addAll(writes);
            }
            for (final BatchWriteItemResponseDecoder.ConsumedCapacityDecoder consumed :
                batchWriteReply.consumedCapacity())
            {
                final long units = consumed.writeUnits();
                writeUnits.merge(consumed.tableName(), units, Long::sum);
            }
        }
        chargeBatchAfter(gather, writeUnits, true);
        if (null == session)
        {
            return;
        }
        // the tables admission refused go back whole, after what the shards handed back
        gather.throttledWrites.forEach((table, writes) -> unprocessed.computeIfAbsent(table, k -> new ArrayList<>())
            .addAll(writes));
        send(session, WireValues.encodeBatchWriteResponse(sendBuffer, 0, headerEncoder, batchWriteResponse,
            gather.correlationId, unprocessed, writeUnits));
    }

    private int failures(final Gather gather)
    {
        int failures = 0;
        for (final byte[] reply : gather.replies)
        {
            if (isError(reply))
            {
                failures++;
            }
        }
        return failures;
    }

    private boolean isError(final byte[] reply)
    {
        return new UnsafeBuffer(reply).getShort(2) == ErrorResponseDecoder.TEMPLATE_ID;
    }

    private ErrorCode errorCodeOf(final byte[] reply)
    {
        errorReply.wrapAndApplyHeader(new UnsafeBuffer(reply), 0, header);
        return errorReply.errorCode();
    }

    private void answerFirstError(final Gather gather, final Session session)
    {
        for (final byte[] reply : gather.replies)
        {
            if (isError(reply))
            {
                // already counted by the shard that produced it
                sendBuffer.putBytes(0, reply);
                send(session, reply.length);
                return;
            }
        }
    }

    static long sessionKey(final int subscriptionIndex, final int imageSessionId)
    {
        return ((long)subscriptionIndex << 32) | (imageSessionId & 0xFFFF_FFFFL);
    }

    /**
     * A client session as the router holds it.
     */
    static final class Session
    {
        final long key;
        final int imageSessionId;
        final int slot;
        final long token;
        /** The pending add of the response publication; {@code Aeron.NULL_VALUE} while waiting to ask again. */
        long registrationId;
        final long clientId;
        Publication publication;
        String description;
        String responseChannel;
        int responseStreamId;
        /** When to ask the driver again for a response publication that clashed with one still closing. */
        long addAgainAtNs;
        long connectCorrelationId;
        long connectDeadlineNs;
        long lastActivityNs;
        boolean connected;
        /** The client named a protocol version that expects its KeepAlive answered ({@link ProtocolVersions}). */
        boolean answersKeepAlive;

        Session(final long key, final int imageSessionId, final int slot, final long token, final long registrationId,
            final long clientId)
        {
            this.key = key;
            this.imageSessionId = imageSessionId;
            this.slot = slot;
            this.token = token;
            this.registrationId = registrationId;
            this.clientId = clientId;
        }
    }

    /**
     * A request scattered to several shards, waiting for their replies.
     */
    static final class Gather
    {
        final long id;
        final int slot;
        final long token;
        final long correlationId;
        final int operation;
        final int expected;
        final List<byte[]> replies = new ArrayList<>();
        TableRoute route;
        /** A batch's tables and the units the router took from each up front, charged the rest when it completes. */
        Map<TableRoute, Long> charges;
        /** A BatchGetItem's keys of the tables admission refused, handed back unprocessed in its answer. */
        Map<String, List<byte[]>> throttledKeys = Map.of();
        /** A BatchWriteItem's writes to the tables admission refused, handed back unprocessed in its answer. */
        Map<String, List<WriteRequest>> throttledWrites = Map.of();

        Gather(final long id, final int slot, final long token, final long correlationId, final int operation, final int expected)
        {
            this.id = id;
            this.slot = slot;
            this.token = token;
            this.correlationId = correlationId;
            this.operation = operation;
            this.expected = expected;
        }
    }
}
