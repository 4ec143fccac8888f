package io.ferrite.transport.node;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.ItemValidator;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.codecs.sbe.BatchGetItemRequestDecoder;
import io.ferrite.codecs.sbe.BatchGetItemResponseEncoder;
import io.ferrite.codecs.sbe.BatchWriteItemRequestDecoder;
import io.ferrite.codecs.sbe.BatchWriteItemResponseEncoder;
import io.ferrite.codecs.sbe.BooleanType;
import io.ferrite.codecs.sbe.CreateTableRequestDecoder;
import io.ferrite.codecs.sbe.DeleteItemRequestDecoder;
import io.ferrite.codecs.sbe.DeleteTableRequestDecoder;
import io.ferrite.codecs.sbe.DescribeTableRequestDecoder;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.codecs.sbe.ErrorResponseEncoder;
import io.ferrite.codecs.sbe.GetItemRequestDecoder;
import io.ferrite.codecs.sbe.ItemResponseEncoder;
import io.ferrite.codecs.sbe.ItemsPageResponseEncoder;
import io.ferrite.codecs.sbe.KeyRole;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import io.ferrite.codecs.sbe.PutItemRequestDecoder;
import io.ferrite.codecs.sbe.QueryRequestDecoder;
import io.ferrite.codecs.sbe.ScanRequestDecoder;
import io.ferrite.codecs.sbe.TableDescriptionResponseEncoder;
import io.ferrite.codecs.sbe.TableStatus;
import io.ferrite.codecs.sbe.UpdateItemRequestDecoder;
import io.ferrite.codecs.sbe.UpdateTableRequestDecoder;
import io.ferrite.codecs.sbe.WriteOp;
import io.ferrite.engine.admission.CapacityUnits;
import io.ferrite.engine.shard.AttributeUpdates;
import io.ferrite.engine.shard.BatchGetResult;
import io.ferrite.engine.shard.BatchWriteResult;
import io.ferrite.engine.shard.ItemHandler;
import io.ferrite.engine.shard.QueryRequest;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.ScanRequest;
import io.ferrite.engine.shard.Shard;
import io.ferrite.engine.shard.SortKeyCondition;
import io.ferrite.engine.shard.Table;
import io.ferrite.engine.shard.WriteRequest;
import io.ferrite.engine.table.TableDescription;
import io.ferrite.engine.table.TableSpec;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One shard loop: an Agrona agent on its own thread that owns one engine {@link Shard} (direct mode) and
 * executes the requests the router hands it through its ring buffer. Single-shard requests (Get, Put,
 * Delete, UpdateItem, Query, and Scan pages) are answered straight to the client's response
 * publication; parts of scatter-gather requests (table management, batches) are answered to the router
 * through the shared reply ring; a Scan that finds nothing here goes back to the router to walk on to the
 * next shard.
 * <p>
 * <b>Threading:</b> every method runs on the loop's thread, except construction and {@link #bind}
 * before the loop starts. The shard is touched by no other thread.
 * <p>
 * <b>Allocation:</b> none in steady state for Get, Put, Delete, UpdateItem, Query and Scan (decoders,
 * encoders, engine request objects and buffers are reused; latency is recorded into pre-sized HdrHistograms).
 * Errors, table management and batches allocate.
 */
final class ShardLoop implements Agent, MessageHandler
{
    private static final int SEND_BUFFER_BYTES = 4 * 1024 * 1024;
    private static final int MAX_PAGE_ITEMS = 0xFFFF;
    private static final long HIGHEST_TRACKABLE_NS = 60_000_000_000L;

    private final int shardIndex;
    private final Shard shard;
    private final RingBuffer inbound;
    private final RingBuffer replies;
    private final AtomicReferenceArray<ResponseTarget> slots;
    private final AtomicReferenceArray<TableAdmission> admissions;
    private final NodeCounters counters;
    private final ResponseSender sender;
    private final Path histogramDir;
    private final Int2ObjectHashMap<Table> tables = new Int2ObjectHashMap<>();
    private final Histogram[] latency = new Histogram[Operations.COUNT];

    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final GetItemRequestDecoder getItem = new GetItemRequestDecoder();
    private final PutItemRequestDecoder putItem = new PutItemRequestDecoder();
    private final DeleteItemRequestDecoder deleteItem = new DeleteItemRequestDecoder();
    private final UpdateItemRequestDecoder updateItem = new UpdateItemRequestDecoder();
    private final QueryRequestDecoder query = new QueryRequestDecoder();
    private final ScanRequestDecoder scan = new ScanRequestDecoder();
    private final CreateTableRequestDecoder createTable = new CreateTableRequestDecoder();
    private final DeleteTableRequestDecoder deleteTable = new DeleteTableRequestDecoder();
    private final DescribeTableRequestDecoder describeTable = new DescribeTableRequestDecoder();
    private final BatchGetItemRequestDecoder batchGet = new BatchGetItemRequestDecoder();
    private final UpdateTableRequestDecoder updateTable = new UpdateTableRequestDecoder();
    private final BatchWriteItemRequestDecoder batchWrite = new BatchWriteItemRequestDecoder();

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ItemResponseEncoder itemResponse = new ItemResponseEncoder();
    private final ItemsPageResponseEncoder pageResponse = new ItemsPageResponseEncoder();
    private final ErrorResponseEncoder errorResponse = new ErrorResponseEncoder();
    private final TableDescriptionResponseEncoder tableResponse = new TableDescriptionResponseEncoder();
    private final BatchGetItemResponseEncoder batchGetResponse = new BatchGetItemResponseEncoder();
    private final BatchWriteItemResponseEncoder batchWriteResponse = new BatchWriteItemResponseEncoder();

    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(SEND_BUFFER_BYTES));
    private final UnsafeBuffer replyBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(SEND_BUFFER_BYTES));
    private final UnsafeBuffer nameView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer keyView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer itemView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer removeView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer valueView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer upperView = new UnsafeBuffer(0, 0);
    private final QueryRequest queryRequest = new QueryRequest();
    private final ScanRequest scanRequest = new ScanRequest();
    private final AttributeUpdates attributeUpdates = new AttributeUpdates();
    private final ItemWriter keyWriter = new ItemWriter();
    private final UnsafeBuffer nameBuffer = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer partitionView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer conditionView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer updateView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer keyConditionView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer filterView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer projectionView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer namesView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer valuesView = new UnsafeBuffer(0, 0);
    private final WireExpressions expressions = new WireExpressions();
    private final FailedItemCapture failedItem = new FailedItemCapture();

    private final ItemHandler itemHandler = this::onItem;
    private final ItemHandler pageHandler = this::onPageItem;
    private boolean itemWritten;
    private long receivedNs;
    private int pagePosition;
    private int pageCount;

    private long histogramRequestsSeen;
    /** The Error that stopped the shard ({@link #stop}); null while it serves. */
    private Error fatal;
    private String fatalMessage;

    ShardLoop(
        final int shardIndex,
        final Shard shard,
        final RingBuffer inbound,
        final RingBuffer replies,
        final AtomicReferenceArray<ResponseTarget> slots,
        final AtomicReferenceArray<TableAdmission> admissions,
        final NodeCounters counters,
        final long backPressureTimeoutNs,
        final Path histogramDir)
    {
        this.shardIndex = shardIndex;
        this.shard = shard;
        this.inbound = inbound;
        this.replies = replies;
        this.slots = slots;
        this.admissions = admissions;
        this.counters = counters;
        this.sender = new ResponseSender(backPressureTimeoutNs, counters);
        this.histogramDir = histogramDir;
        for (int i = 0; i < latency.length; i++)
        {
            latency[i] = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        }
        histogramRequestsSeen = counters.histogramRequests.get();
    }

    /**
     * Binds a route id to a table of this shard (start-up, or after CreateTable on this thread).
     */
    void bind(final int routeId, final Table table)
    {
        tables.put(routeId, table);
    }

    Shard shard()
    {
        return shard;
    }

    public String roleName()
    {
        return "ferrite-shard-" + shardIndex;
    }

    public int doWork()
    {
        int work = inbound.read(this, 64);
        if (null == fatal)
        {
            try
            {
                work += shard.doDutyCycle(System.nanoTime());
            }
            catch (final Error ex)
            {
                stop(ex);
            }
        }
        // a stopped shard's loop still writes its histograms: `ferrite stat --histograms` waits for every shard's
        final long histogramRequests = counters.histogramRequests.get();
        if (histogramRequests != histogramRequestsSeen)
        {
            histogramRequestsSeen = histogramRequests;
            dumpHistograms();
            work++;
        }
        return work;
    }

    public void onClose()
    {
        if (null != fatal)
        {
            shard.abandon();
            return;
        }
        shard.close();
    }

    /**
     * After an {@link Error} on this thread (e.g. the {@link InternalError} a SIGBUS in one of the shard's mapped
     * files becomes) the shard's state cannot be trusted and its log may hold half a record: the loop stops using the
     * shard but goes on draining its queue, answering every request for it at once with an error that says so,
     * so that its clients do not wait for their timeouts, the router never blocks on a full queue, and the node's
     * other shards carry on. Restarting the node recovers the shard (from its last checkpoint and its log, as after
     * a crash: {@link #onClose()} does not checkpoint it).
     */
    private void stop(final Error ex)
    {
        if (null == fatal)
        {
            fatal = ex;
            fatalMessage = "Shard " + shardIndex + " stopped after a fatal error (" + ex + ") and serves no request " +
                "until the node is restarted; the restart recovers it from its log";
            System.err.println("ferrite node: shard " + shardIndex + " stopped: " + ex);
            ex.printStackTrace(System.err);
        }
    }

    private static long correlationIdOf(final DirectBuffer buffer, final int body)
    {
        // every request's block starts with its correlation id (SBE, little-endian)
        return buffer.getLong(body, ByteOrder.LITTLE_ENDIAN);
    }

    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        counters.shardRequests[shardIndex].incrementRelease();
        final int frameOffset = index + RingLayout.HEADER_LENGTH;
        final int frameLength = length - RingLayout.HEADER_LENGTH;
        header.wrap(buffer, frameOffset);
        final int templateId = header.templateId();
        if (RingLayout.OP_GATHER == msgTypeId)
        {
            onGather(buffer, index, frameOffset, frameLength, templateId);
            return;
        }

        final long token = buffer.getLong(index + RingLayout.TOKEN_OFFSET);
        final int slot = buffer.getInt(index + RingLayout.SLOT_OFFSET);
        final ResponseTarget target = slots.get(slot);
        if (null == target || target.token() != token)
        {
            counters.inFlight.getAndAdd(-1);
            return;
        }

        final int routeId = buffer.getInt(index + RingLayout.ROUTE_ID_OFFSET);
        final int body = frameOffset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = header.blockLength();
        final int version = header.version();
        final int operation = Operations.ofTemplate(templateId);
        receivedNs = buffer.getLong(index + RingLayout.RECEIVED_NS_OFFSET);
        int responseLength;
        long correlationId = 0;
        failedItem.reset();
        try
        {
            if (null != fatal)
            {
                correlationId = correlationIdOf(buffer, body);
                throw new FerriteException(ErrorCode.InternalServerError, fatalMessage);
            }
            switch (templateId)
            {
                case GetItemRequestDecoder.TEMPLATE_ID:
                    correlationId = getItem.wrap(buffer, body, blockLength, version).correlationId();
                    responseLength = onGetItem(routeId);
                    break;
                case PutItemRequestDecoder.TEMPLATE_ID:
                    correlationId = putItem.wrap(buffer, body, blockLength, version).correlationId();
                    responseLength = onPutItem(routeId);
                    break;
                case DeleteItemRequestDecoder.TEMPLATE_ID:
                    correlationId = deleteItem.wrap(buffer, body, blockLength, version).correlationId();
                    responseLength = onDeleteItem(routeId);
                    break;
                case UpdateItemRequestDecoder.TEMPLATE_ID:
                    correlationId = updateItem.wrap(buffer, body, blockLength, version).correlationId();
                    responseLength = onUpdateItem(routeId);
                    break;
                case QueryRequestDecoder.TEMPLATE_ID:
                    correlationId = query.wrap(buffer, body, blockLength, version).correlationId();
                    responseLength = onQuery(routeId);
                    break;
                case ScanRequestDecoder.TEMPLATE_ID:
                    correlationId = scan.wrap(buffer, body, blockLength, version).correlationId();
                    responseLength = onScan(buffer, index, length, routeId);
                    if (responseLength < 0)
                    {
                        return;
                    }
                    break;
                default:
                    throw new IllegalStateException("template " + templateId + " is not a single-shard request");
            }
        }
        catch (final FerriteException ex)
        {
            if (ErrorCode.ConditionalCheckFailedException == ex.code())
            {
                chargeFailedCondition(templateId, routeId);
            }
            responseLength = ErrorCode.ConditionalCheckFailedException == ex.code() && failedItem.captured() ?
                encodeError(sendBuffer, 0, correlationId, ex.code(), ex.getMessage(), failedItem.buffer,
                failedItem.length) :
                encodeError(sendBuffer, correlationId, ex.code(), ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            responseLength = encodeError(sendBuffer, correlationId, ErrorCode.InternalServerError,
                "Internal error on shard " + shardIndex + ": " + ex);
        }
        catch (final Error ex)
        {
            stop(ex);
            responseLength = encodeError(sendBuffer, correlationIdOf(buffer, body), ErrorCode.InternalServerError,
                fatalMessage);
        }
        finally
        {
            failedItem.condition = null;
        }

        respond(target, slot, responseLength);
        counters.inFlight.getAndAdd(-1);
        if (Operations.NONE != operation)
        {
            final long latencyNs = System.nanoTime() - buffer.getLong(index + RingLayout.RECEIVED_NS_OFFSET);
            latency[operation].recordValue(Math.min(Math.max(latencyNs, 0), HIGHEST_TRACKABLE_NS));
        }
    }

    private void respond(final ResponseTarget target, final int slot, final int length)
    {
        if (target.isAbandoned())
        {
            // a loop gave up on this session and asked the router to close it: no second bound spent on it
            counters.responsesDroppedSessionClosing.increment();
            return;
        }
        if (!sender.send(target.publication(), sendBuffer, 0, length))
        {
            target.abandon();
            requestClose(slot, target.token());
        }
    }

    private void requestClose(final int slot, final long token)
    {
        replyBuffer.putLong(RingLayout.TOKEN_OFFSET, token);
        replyBuffer.putInt(RingLayout.SLOT_OFFSET, slot);
        writeReply(RingLayout.REPLY_CLOSE_SESSION, replyBuffer, 0, RingLayout.HEADER_LENGTH);
    }

    private void writeReply(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        while (!replies.write(type, buffer, offset, length))
        {
            // the router drains this ring every duty cycle and never waits on a shard
            Thread.onSpinWait();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Single-shard requests
    // ---------------------------------------------------------------------------------------------

    private int onGetItem(final int routeId)
    {
        final GetItemRequestDecoder d = getItem;
        d.wrapTableName(nameView);
        final Table table = table(routeId, nameView);
        d.wrapKey(keyView);
        d.wrapProjectionExpression(projectionView);
        d.wrapExpressionAttributeNames(namesView);
        final WireExpressions.Compiled compiled = expressions.compile(GetItemRequestDecoder.TEMPLATE_ID,
            null, null, null, null, projectionView, namesView, null);
        startItemResponse(d.correlationId());
        shard.getItem(table, keyView, 0, keyView.capacity(), compiled.projection, itemHandler);
        final boolean consistent = 1 == d.consistentReadRaw();
        // the whole item, whatever the projection returned (DynamoDB charges what it read)
        final long halfUnits = CapacityUnits.readHalfUnits(itemWritten ? shard.lastReadChargeBytes() : 0, consistent);
        chargeAfter(routeId, false, halfUnits - (consistent ? 2 : 1));
        if (asked(d.returnConsumedCapacityRaw()))
        {
            itemResponse.consumedReadHalfUnits(halfUnits).consumedWriteUnits(0);
        }
        return finishItemResponse();
    }

    private int onPutItem(final int routeId)
    {
        final PutItemRequestDecoder d = putItem;
        final ReturnValues returnValues = WireValues.returnValues(d.returnValuesRaw());
        d.wrapTableName(nameView);
        final Table table = table(routeId, nameView);
        d.wrapItem(itemView);
        d.wrapConditionExpression(conditionView);
        d.wrapExpressionAttributeNames(namesView);
        d.wrapExpressionAttributeValues(valuesView);
        final WireExpressions.Compiled compiled = expressions.compile(PutItemRequestDecoder.TEMPLATE_ID,
            conditionView, null, null, null, null, namesView, valuesView);
        final io.ferrite.engine.shard.ItemCondition condition =
            failedItem.wrap(compiled.condition, d.returnValuesOnConditionCheckFailureRaw());
        startItemResponse(d.correlationId());
        shard.putItem(table, itemView, 0, itemView.capacity(), condition, returnValues, itemHandler);
        chargeWrite(routeId, CapacityUnits.writeUnits(0, itemView.capacity()), d.returnConsumedCapacityRaw());
        return finishItemResponse();
    }

    private int onDeleteItem(final int routeId)
    {
        final DeleteItemRequestDecoder d = deleteItem;
        final ReturnValues returnValues = WireValues.returnValues(d.returnValuesRaw());
        d.wrapTableName(nameView);
        final Table table = table(routeId, nameView);
        d.wrapKey(keyView);
        d.wrapConditionExpression(conditionView);
        d.wrapExpressionAttributeNames(namesView);
        d.wrapExpressionAttributeValues(valuesView);
        final WireExpressions.Compiled compiled = expressions.compile(DeleteItemRequestDecoder.TEMPLATE_ID,
            conditionView, null, null, null, null, namesView, valuesView);
        final io.ferrite.engine.shard.ItemCondition condition =
            failedItem.wrap(compiled.condition, d.returnValuesOnConditionCheckFailureRaw());
        startItemResponse(d.correlationId());
        shard.deleteItem(table, keyView, 0, keyView.capacity(), condition, returnValues, itemHandler);
        chargeWrite(routeId, 1, d.returnConsumedCapacityRaw());
        return finishItemResponse();
    }

    private int onUpdateItem(final int routeId)
    {
        final UpdateItemRequestDecoder d = updateItem;
        final ReturnValues returnValues = WireValues.returnValues(d.returnValuesRaw());
        d.wrapTableName(nameView);
        final Table table = table(routeId, nameView);
        d.wrapKey(keyView);
        d.wrapSetAttributes(itemView);
        d.wrapRemoveAttributes(removeView);
        d.wrapUpdateExpression(updateView);
        d.wrapConditionExpression(conditionView);
        d.wrapExpressionAttributeNames(namesView);
        d.wrapExpressionAttributeValues(valuesView);
        final WireExpressions.Compiled compiled = expressions.compile(UpdateItemRequestDecoder.TEMPLATE_ID,
            conditionView, updateView, null, null, null, namesView, valuesView);
        final io.ferrite.engine.shard.ItemUpdate update;
        if (null != compiled.update)
        {
            if (itemView.capacity() > 0 || removeView.capacity() > 0)
            {
                throw FerriteException.validation("Can not use both expression and non-expression parameters in the " +
                    "same request: Non-expression parameters: {AttributeUpdates} Expression parameters: " +
                    "{UpdateExpression}");
            }
            update = compiled.update;
        }
        else
        {
            if (itemView.capacity() > 0)
            {
                ItemValidator.validate(itemView, 0, itemView.capacity());
            }
            if (removeView.capacity() > 0)
            {
                ItemValidator.validate(removeView, 0, removeView.capacity());
            }
            attributeUpdates.wrap(
                itemView.capacity() > 0 ? itemView : null, 0, itemView.capacity(),
                removeView.capacity() > 0 ? removeView : null, 0, removeView.capacity());
            update = attributeUpdates;
        }
        final io.ferrite.engine.shard.ItemCondition condition =
            failedItem.wrap(compiled.condition, d.returnValuesOnConditionCheckFailureRaw());
        startItemResponse(d.correlationId());
        shard.updateItem(table, keyView, 0, keyView.capacity(), update, condition, returnValues, itemHandler);
        chargeWrite(routeId, 1, d.returnConsumedCapacityRaw());
        return finishItemResponse();
    }

    /**
     * A successful write costs the larger of its item before and after (DynamoDB's rule, as far as the shard knows the
     * item before: {@link io.ferrite.engine.shard.Shard#lastWriteChargeBytes()}); the router charged
     * {@code chargedUpFront} when it admitted the request, and the table's write bucket is charged the rest.
     */
    private void chargeWrite(final int routeId, final long chargedUpFront, final short returnConsumedCapacity)
    {
        final long units = CapacityUnits.writeUnits(0, shard.lastWriteChargeBytes());
        chargeAfter(routeId, true, units - chargedUpFront);
        if (asked(returnConsumedCapacity))
        {
            itemResponse.consumedReadHalfUnits(0).consumedWriteUnits(Math.max(units, chargedUpFront));
        }
    }

    /**
     * A write whose condition failed is still charged (DynamoDB: on the size of the existing item, at least one unit);
     * the router took the new item's units (PutItem) or one (UpdateItem, DeleteItem) up front, and the table's write
     * bucket is charged what the existing item costs beyond that. (A PutItem whose new item is larger than the
     * existing one stays charged the new item's units: a bucket takes no refunds.)
     */
    private void chargeFailedCondition(final int templateId, final int routeId)
    {
        final long chargedUpFront;
        switch (templateId)
        {
            case PutItemRequestDecoder.TEMPLATE_ID:
                chargedUpFront = CapacityUnits.writeUnits(0, itemView.capacity());
                break;
            case DeleteItemRequestDecoder.TEMPLATE_ID:
            case UpdateItemRequestDecoder.TEMPLATE_ID:
                chargedUpFront = 1;
                break;
            default:
                return;
        }
        chargeAfter(routeId, true, CapacityUnits.writeUnits(0, shard.lastWriteChargeBytes()) - chargedUpFront);
    }

    /**
     * Charges the table's read (half units) or write bucket what the work cost beyond what the router took up front
     * (decision 0009), on the router's clock reading for this request.
     */
    private void chargeAfter(final int routeId, final boolean write, final long units)
    {
        if (units > 0)
        {
            final TableAdmission admission = admissions.get(routeId);
            if (null != admission)
            {
                admission.chargeAfter(receivedNs, write, units);
            }
        }
    }

    /**
     * A page is charged on the bytes of the items it read (DynamoDB sums the sizes, then rounds up once): every item
     * examined, before the FilterExpression and the projection ({@link io.ferrite.engine.shard.PageResult#scannedBytes}),
     * not the page returned. A Scan page that walked on from earlier shards has been charged for what they read
     * ({@code bytesBefore}: the router's minimum up front, and each shard the page's cost so far beyond it), so this
     * shard charges what its bytes add to the page's cost, and the page's whole cost is what it reports.
     */
    private void chargePageAfter(
        final int routeId, final long bytesBefore, final long bytes, final boolean consistent, final boolean report)
    {
        final long halfUnits = CapacityUnits.queryHalfUnits(bytesBefore + bytes, consistent);
        chargeAfter(routeId, false, halfUnits - CapacityUnits.queryHalfUnits(bytesBefore, consistent));
        if (report)
        {
            pageResponse.consumedReadHalfUnits(halfUnits).consumedWriteUnits(0);
        }
    }

    /**
     * @return true when a request's raw ReturnConsumedCapacity is TOTAL or INDEXES (NONE, absent or null: false).
     */
    private static boolean asked(final short returnConsumedCapacityRaw)
    {
        return 1 == returnConsumedCapacityRaw || 2 == returnConsumedCapacityRaw;
    }

    private void startItemResponse(final long correlationId)
    {
        itemResponse.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).correlationId(correlationId).found(BooleanType.FALSE)
            .consumedReadHalfUnits(ItemResponseEncoder.consumedReadHalfUnitsNullValue())
            .consumedWriteUnits(ItemResponseEncoder.consumedWriteUnitsNullValue());
        itemWritten = false;
    }

    private void onItem(final DirectBuffer buffer, final int offset, final int length)
    {
        itemResponse.putItem(buffer, offset, length);
        itemResponse.found(BooleanType.TRUE);
        itemWritten = true;
    }

    private int finishItemResponse()
    {
        if (!itemWritten)
        {
            itemResponse.putItem(sendBuffer, 0, 0);
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + itemResponse.encodedLength();
    }

    private int onQuery(final int routeId)
    {
        final QueryRequestDecoder d = query;
        final QueryRequest q = queryRequest.reset();
        final SortKeyCondition condition = WireValues.sortKeyCondition(d.conditionRaw());
        q.scanIndexForward(WireValues.booleanValue(d.scanIndexForwardRaw(), true, "scanIndexForward"));
        final int pageLimit = d.pageLimit();
        d.wrapTableName(nameView);
        final Table table = table(routeId, nameView);
        d.wrapPartitionKeyValue(partitionView);
        d.wrapSortKeyValue(valueView);
        d.wrapSortKeyUpper(upperView);
        d.wrapExclusiveStartKey(keyView);
        d.wrapKeyConditionExpression(keyConditionView);
        d.wrapFilterExpression(filterView);
        d.wrapProjectionExpression(projectionView);
        d.wrapExpressionAttributeNames(namesView);
        d.wrapExpressionAttributeValues(valuesView);
        final WireExpressions.Compiled compiled = expressions.compile(QueryRequestDecoder.TEMPLATE_ID,
            null, null, keyConditionView, filterView, projectionView, namesView, valuesView);
        WireValues.keyConditions(table, compiled.keyCondition, condition, partitionView, valueView, upperView, q);
        q.filter(compiled.filter).projection(compiled.projection);
        q.exclusiveStartKey(keyView, 0, keyView.capacity());
        q.limit(pageLimit(pageLimit));
        startPage(d.correlationId());
        shard.query(table, q, pageHandler);
        chargePageAfter(routeId, 0, q.scannedBytes(), 1 == d.consistentReadRaw(), asked(d.returnConsumedCapacityRaw()));
        return finishPage(q.count(), q.scannedCount(), q.lastEvaluatedKey(), q.lastEvaluatedKeyLength());
    }

    /**
     * A Scan page on this shard's part of the segment. A page is one read whatever shards it walks (DynamoDB's Limit
     * bounds the items it evaluates, at most 1 MB is read, ScannedCount and ConsumedCapacity are the whole page's): a
     * page that walked on from earlier shards that found nothing for it carries what they evaluated and read in the
     * ring record ({@link RingLayout#SCAN_ITEMS_EVALUATED_OFFSET}, {@link RingLayout#SCAN_BYTES_READ_OFFSET}), and this
     * shard goes on with the Limit and the 1 MB that are left, and answers (or hands on) the totals.
     *
     * @return the response length, or -1 when the Scan went back to the router to continue on the next shard.
     */
    private int onScan(final MutableDirectBuffer buffer, final int index, final int length, final int routeId)
    {
        final ScanRequestDecoder d = scan;
        final ScanRequest s = scanRequest.reset();
        final int evaluatedBefore = buffer.getInt(index + RingLayout.SCAN_ITEMS_EVALUATED_OFFSET);
        final long bytesBefore = buffer.getLong(index + RingLayout.SCAN_BYTES_READ_OFFSET);
        s.segment(d.segment(), d.totalSegments());
        final int pageLimit = d.pageLimit();
        d.wrapTableName(nameView);
        final Table table = table(routeId, nameView);
        d.wrapExclusiveStartKey(keyView);
        d.wrapFilterExpression(filterView);
        d.wrapProjectionExpression(projectionView);
        d.wrapExpressionAttributeNames(namesView);
        d.wrapExpressionAttributeValues(valuesView);
        final WireExpressions.Compiled compiled = expressions.compile(ScanRequestDecoder.TEMPLATE_ID,
            null, null, null, filterView, projectionView, namesView, valuesView);
        s.filter(compiled.filter).projection(compiled.projection);
        final int flags = buffer.getInt(index + RingLayout.FLAGS_OFFSET);
        if (0 == (flags & RingLayout.FLAG_IGNORE_START_KEY))
        {
            s.exclusiveStartKey(keyView, 0, keyView.capacity());
        }
        // a page that walked on from earlier shards stopped there short of its Limit, so at least one item is left
        s.limit(pageLimit(pageLimit) - evaluatedBefore);
        s.bytesReadBefore(bytesBefore);
        startPage(d.correlationId());
        shard.scan(table, s, pageHandler);
        chargePageAfter(routeId, bytesBefore, s.scannedBytes(), 1 == d.consistentReadRaw(),
            asked(d.returnConsumedCapacityRaw()));
        final int evaluated = evaluatedBefore + s.scannedCount();

        final int lastShard = buffer.getInt(index + RingLayout.SCAN_LAST_SHARD_OFFSET);
        if (!s.hasLastEvaluatedKey() && shardIndex < lastShard)
        {
            if (0 == s.count())
            {
                buffer.putInt(index + RingLayout.FLAGS_OFFSET, flags | RingLayout.FLAG_IGNORE_START_KEY);
                buffer.putLong(index + RingLayout.GATHER_ID_OFFSET, shardIndex + 1);
                buffer.putLong(index + RingLayout.SCAN_BYTES_READ_OFFSET, bytesBefore + s.scannedBytes());
                buffer.putInt(index + RingLayout.SCAN_ITEMS_EVALUATED_OFFSET, evaluated);
                writeReply(RingLayout.REPLY_SCAN_NEXT, buffer, index, length);
                return -1;
            }
            // more shards follow: this page ends here with items, and the next resumes after the last item it evaluated
            // (not the last it returned: the filter may have passed over items after it; and a projection may have
            // left the key out), on this shard, then the next
            return finishPage(s.count(), evaluated, s.lastItemKey(), s.lastItemKeyLength());
        }
        return finishPage(s.count(), evaluated, s.lastEvaluatedKey(), s.lastEvaluatedKeyLength());
    }

    private void startPage(final long correlationId)
    {
        pageResponse.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).correlationId(correlationId).count(0).scannedCount(0)
            .consumedReadHalfUnits(ItemsPageResponseEncoder.consumedReadHalfUnitsNullValue())
            .consumedWriteUnits(ItemsPageResponseEncoder.consumedWriteUnitsNullValue());
        final int groupOffset = pageResponse.limit();
        sendBuffer.putShort(groupOffset, (short)0, ByteOrder.LITTLE_ENDIAN);
        sendBuffer.putShort(groupOffset + 2, (short)0, ByteOrder.LITTLE_ENDIAN);
        pagePosition = groupOffset + 4;
        pageCount = 0;
    }

    private void onPageItem(final DirectBuffer buffer, final int offset, final int length)
    {
        sendBuffer.putInt(pagePosition, length, ByteOrder.LITTLE_ENDIAN);
        sendBuffer.putBytes(pagePosition + 4, buffer, offset, length);
        pagePosition += 4 + length;
        pageCount++;
    }

    private int finishPage(final int count, final int scannedCount, final DirectBuffer lastKey, final int lastKeyLength)
    {
        final int groupOffset = MessageHeaderEncoder.ENCODED_LENGTH + ItemsPageResponseEncoder.BLOCK_LENGTH;
        sendBuffer.putShort(groupOffset + 2, (short)pageCount, ByteOrder.LITTLE_ENDIAN);
        pageResponse.limit(pagePosition);
        pageResponse.putLastEvaluatedKey(lastKey, 0, lastKeyLength);
        pageResponse.count(count).scannedCount(scannedCount);
        return MessageHeaderEncoder.ENCODED_LENGTH + pageResponse.encodedLength();
    }

    private static int pageLimit(final int requested)
    {
        if (requested < 0)
        {
            return requested;
        }
        return 0 == requested || requested > MAX_PAGE_ITEMS ? MAX_PAGE_ITEMS : requested;
    }

    // ---------------------------------------------------------------------------------------------
    // Scatter-gather parts: answered to the router
    // ---------------------------------------------------------------------------------------------

    private void onGather(
        final MutableDirectBuffer buffer, final int index, final int frameOffset, final int frameLength, final int templateId)
    {
        final int routeId = buffer.getInt(index + RingLayout.ROUTE_ID_OFFSET);
        final int body = frameOffset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = header.blockLength();
        final int version = header.version();
        replyBuffer.putBytes(0, buffer, index, RingLayout.HEADER_LENGTH);
        final int frameStart = RingLayout.HEADER_LENGTH;
        long correlationId = 0;
        int length;
        try
        {
            if (null != fatal)
            {
                correlationId = correlationIdOf(buffer, body);
                throw new FerriteException(ErrorCode.InternalServerError, fatalMessage);
            }
            switch (templateId)
            {
                case CreateTableRequestDecoder.TEMPLATE_ID:
                {
                    correlationId = createTable.wrap(buffer, body, blockLength, version).correlationId();
                    final TableSpec spec = TableRequests.spec(createTable);
                    final TableDescription description = shard.createTable(spec);
                    bind(routeId, shard.table(spec.tableName()));
                    length = encodeDescription(correlationId, description, TableStatus.ACTIVE);
                    break;
                }
                case DeleteTableRequestDecoder.TEMPLATE_ID:
                {
                    correlationId = deleteTable.wrap(buffer, body, blockLength, version).correlationId();
                    final String name = deleteTable.tableName();
                    tables.remove(routeId);
                    length = encodeDescription(correlationId, shard.deleteTable(name), TableStatus.DELETING);
                    break;
                }
                case DescribeTableRequestDecoder.TEMPLATE_ID:
                {
                    correlationId = describeTable.wrap(buffer, body, blockLength, version).correlationId();
                    length = encodeDescription(correlationId, shard.describeTable(describeTable.tableName()), TableStatus.ACTIVE);
                    break;
                }
                case UpdateTableRequestDecoder.TEMPLATE_ID:
                {
                    // the router changed the capacity (routing metadata); a shard contributes its counts and sizes
                    correlationId = updateTable.wrap(buffer, body, blockLength, version).correlationId();
                    length = encodeDescription(correlationId, shard.describeTable(updateTable.tableName()), TableStatus.ACTIVE);
                    break;
                }
                case BatchGetItemRequestDecoder.TEMPLATE_ID:
                    correlationId = batchGet.wrap(buffer, body, blockLength, version).correlationId();
                    length = onBatchGet(correlationId);
                    break;
                case BatchWriteItemRequestDecoder.TEMPLATE_ID:
                    correlationId = batchWrite.wrap(buffer, body, blockLength, version).correlationId();
                    length = onBatchWrite(correlationId);
                    break;
                default:
                    throw new IllegalStateException("template " + templateId + " is not a scatter-gather request");
            }
        }
        catch (final FerriteException ex)
        {
            length = encodeError(replyBuffer, frameStart, correlationId, ex.code(), ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            length = encodeError(replyBuffer, frameStart, correlationId, ErrorCode.InternalServerError,
                "Internal error on shard " + shardIndex + ": " + ex);
        }
        catch (final Error ex)
        {
            stop(ex);
            length = encodeError(replyBuffer, frameStart, correlationIdOf(buffer, body), ErrorCode.InternalServerError,
                fatalMessage);
        }
        try
        {
            writeReply(RingLayout.REPLY_GATHER, replyBuffer, 0, frameStart + length);
        }
        catch (final RuntimeException ex)
        {
            // e.g. longer than the ring's largest message: the router's gather still needs this shard's one reply
            length = encodeError(replyBuffer, frameStart, correlationId, ErrorCode.InternalServerError,
                "Internal error on shard " + shardIndex + ": its reply of " + length + " bytes could not go to the router: " + ex);
            writeReply(RingLayout.REPLY_GATHER, replyBuffer, 0, frameStart + length);
        }
    }

    private int encodeDescription(final long correlationId, final TableDescription description, final TableStatus status)
    {
        final TableSpec spec = description.spec();
        tableResponse.wrapAndApplyHeader(replyBuffer, RingLayout.HEADER_LENGTH, headerEncoder)
            .correlationId(correlationId)
            .tableId(description.tableId())
            .status(status)
            .itemCount(description.itemCount())
            .sizeBytes(description.sizeBytes())
            .createdEpochMs(description.createdEpochMs())
            .partitionCount(description.partitionCount());
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
        return MessageHeaderEncoder.ENCODED_LENGTH + tableResponse.encodedLength();
    }

    private int onBatchGet(final long correlationId)
    {
        final Map<String, List<byte[]>> keysByTable = new LinkedHashMap<>();
        final Map<String, io.ferrite.engine.shard.ItemProjection> projections = new LinkedHashMap<>();
        final Map<String, Boolean> consistent = new LinkedHashMap<>();
        for (final BatchGetItemRequestDecoder.TablesDecoder table : batchGet.tables())
        {
            final boolean consistentRead = BooleanType.TRUE == table.consistentRead();
            final List<byte[]> keys = new ArrayList<>();
            for (final BatchGetItemRequestDecoder.TablesDecoder.KeysDecoder key : table.keys())
            {
                final byte[] bytes = new byte[key.keyLength()];
                key.getKey(bytes, 0, bytes.length);
                keys.add(bytes);
            }
            final String tableName = table.tableName();
            keysByTable.computeIfAbsent(tableName, k -> new ArrayList<>()).addAll(keys);
            consistent.put(tableName, consistentRead);
            table.wrapProjectionExpression(projectionView);
            table.wrapExpressionAttributeNames(namesView);
            final WireExpressions.Compiled compiled = expressions.compile(BatchGetItemRequestDecoder.TEMPLATE_ID,
                null, null, null, null, projectionView, namesView, null);
            if (null != compiled.projection)
            {
                projections.put(tableName, compiled.projection);
            }
        }
        final BatchGetResult result = projections.isEmpty() ? shard.batchGetItem(keysByTable) :
            shard.batchGetItem(keysByTable, projections);

        // what does not fit one reply goes back as unprocessed keys, as DynamoDB does past its response size; the
        // reply is followed by each item's cost, for the router's own cut (room for 100 kept aside)
        final int budget = Math.min(replies.maxMsgLength(), SEND_BUFFER_BYTES) - RingLayout.HEADER_LENGTH -
            Shard.MAX_BATCH_GET_KEYS * Integer.BYTES;
        final Map<String, List<byte[]>> items = result.responses();
        final Map<String, List<Long>> itemHalfUnits = WireValues.itemHalfUnits(result, consistent);
        final int length = WireValues.encodeBatchGetResponse(
            replyBuffer, RingLayout.HEADER_LENGTH, headerEncoder, batchGetResponse, correlationId, items, itemHalfUnits,
            result.unprocessedKeys(), WireValues.readHalfUnits(result, consistent),
            name -> shard.table(name).definition().spec(), budget, keyWriter);
        return length + WireValues.putItemHalfUnits(replyBuffer, RingLayout.HEADER_LENGTH + length, items, itemHalfUnits);
    }

    private int onBatchWrite(final long correlationId)
    {
        final Map<String, List<WriteRequest>> writesByTable = new LinkedHashMap<>();
        for (final BatchWriteItemRequestDecoder.TablesDecoder table : batchWrite.tables())
        {
            final List<WriteRequest> writes = new ArrayList<>();
            for (final BatchWriteItemRequestDecoder.TablesDecoder.WritesDecoder write : table.writes())
            {
                final WriteOp op = write.op();
                final byte[] bytes = new byte[write.itemOrKeyLength()];
                write.getItemOrKey(bytes, 0, bytes.length);
                writes.add(WriteOp.DELETE == op ? WriteRequest.delete(bytes) : WriteRequest.put(bytes));
            }
            writesByTable.computeIfAbsent(table.tableName(), k -> new ArrayList<>()).addAll(writes);
        }
        final BatchWriteResult result = shard.batchWriteItem(writesByTable);
        return WireValues.encodeBatchWriteResponse(replyBuffer, RingLayout.HEADER_LENGTH, headerEncoder,
            batchWriteResponse, correlationId, result.unprocessedItems(), result.writeUnits());
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------

    private Table table(final int routeId, final DirectBuffer name)
    {
        final Table table = tables.get(routeId);
        if (null == table || table.isDeleted())
        {
            throw new FerriteException(ErrorCode.ResourceNotFoundException, "Requested resource not found: Table: " +
                name.getStringWithoutLengthUtf8(0, name.capacity()) + " not found");
        }
        return table;
    }

    private int encodeError(final MutableDirectBuffer buffer, final long correlationId, final ErrorCode code, final String message)
    {
        return encodeError(buffer, 0, correlationId, code, message);
    }

    private int encodeError(
        final MutableDirectBuffer buffer, final int offset, final long correlationId, final ErrorCode code, final String message)
    {
        return encodeError(buffer, offset, correlationId, code, message, sendBuffer, 0);
    }

    private int encodeError(
        final MutableDirectBuffer buffer,
        final int offset,
        final long correlationId,
        final ErrorCode code,
        final String message,
        final DirectBuffer item,
        final int itemLength)
    {
        counters.error(code);
        errorResponse.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .correlationId(correlationId)
            .errorCode(code)
            .message(message)
            .putItem(item, 0, itemLength);
        return MessageHeaderEncoder.ENCODED_LENGTH + errorResponse.encodedLength();
    }

    private void dumpHistograms()
    {
        try
        {
            Files.createDirectories(histogramDir);
            final Path file = histogramDir.resolve("shard-" + shardIndex + ".hlog");
            final Path temp = histogramDir.resolve("shard-" + shardIndex + ".hlog.tmp");
            try (PrintStream out = new PrintStream(temp.toFile(), StandardCharsets.US_ASCII))
            {
                final HistogramLogWriter writer = new HistogramLogWriter(out);
                writer.outputLogFormatVersion();
                writer.outputComment("Ferrite shard " + shardIndex + ": request latency in ns, received by the router " +
                    "to response published, per operation (tag)");
                writer.outputLegend();
                for (int i = 0; i < latency.length; i++)
                {
                    if (latency[i].getTotalCount() > 0)
                    {
                        latency[i].setTag(Operations.name(i));
                        writer.outputIntervalHistogram(latency[i]);
                    }
                }
            }
            Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final FileNotFoundException ex)
        {
            System.err.println("ferrite shard " + shardIndex + ": cannot write histograms: " + ex);
        }
        catch (final java.io.IOException ex)
        {
            System.err.println("ferrite shard " + shardIndex + ": cannot write histograms: " + ex);
        }
        counters.histogramDumps.increment();
    }

    /**
     * ReturnValuesOnConditionCheckFailure ALL_OLD: wraps a request's condition and copies the item that fails it, so
     * the ConditionalCheckFailedException carries it (ErrorResponse.item). Reused for every request.
     */
    static final class FailedItemCapture implements io.ferrite.engine.shard.ItemCondition
    {
        final org.agrona.ExpandableDirectByteBuffer buffer = new org.agrona.ExpandableDirectByteBuffer(4096);
        int length = -1;
        io.ferrite.engine.shard.ItemCondition condition;

        void reset()
        {
            length = -1;
            condition = null;
        }

        boolean captured()
        {
            return length >= 0;
        }

        /**
         * @return the condition to pass to the shard: this capture for ALL_OLD, else the condition itself.
         */
        io.ferrite.engine.shard.ItemCondition wrap(
            final io.ferrite.engine.shard.ItemCondition condition, final short returnValuesOnConditionCheckFailureRaw)
        {
            if (null == condition)
            {
                return null;
            }
            switch (returnValuesOnConditionCheckFailureRaw)
            {
                case 1:
                    this.condition = condition;
                    return this;
                case 0:
                case 255:
                    return condition;
                default:
                    throw FerriteException.validation("1 validation error detected: Value '" +
                        returnValuesOnConditionCheckFailureRaw + "' at 'returnValuesOnConditionCheckFailure' failed " +
                        "to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]");
            }
        }

        public boolean test(final DirectBuffer item, final int offset, final int length)
        {
            final boolean passed = condition.test(item, offset, length);
            if (!passed && length >= 0)
            {
                buffer.putBytes(0, item, offset, length);
                this.length = length;
            }
            return passed;
        }
    }
}
