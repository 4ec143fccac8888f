package io.ferrite.cell;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.codecs.item.ItemValidator;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.codecs.key.KeyHash;
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
import io.ferrite.codecs.sbe.ListTablesRequestDecoder;
import io.ferrite.codecs.sbe.ListTablesResponseEncoder;
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
import io.ferrite.engine.admission.BillingMode;
import io.ferrite.engine.admission.TableCapacity;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.store.StoreKind;
import io.ferrite.engine.expr.ConditionExpression;
import io.ferrite.engine.expr.ExpressionCompiler;
import io.ferrite.engine.expr.KeyConditionExpression;
import io.ferrite.engine.expr.ProjectionExpression;
import io.ferrite.engine.expr.UpdateExpression;
import io.ferrite.engine.shard.AttributeUpdates;
import io.ferrite.engine.shard.BatchGetResult;
import io.ferrite.engine.shard.BatchWriteResult;
import io.ferrite.engine.shard.ItemProjection;
import io.ferrite.engine.shard.ItemHandler;
import io.ferrite.engine.shard.ItemUpdate;
import io.ferrite.engine.shard.QueryRequest;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.ScanRequest;
import io.ferrite.engine.shard.Shard;
import io.ferrite.engine.shard.SortKeyCondition;
import io.ferrite.engine.shard.Table;
import io.ferrite.engine.shard.WriteRequest;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableDescription;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.transport.node.TableRequests;
import io.ferrite.transport.node.WireValues;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The replicated state of a cell member: one engine {@link Shard} in direct mode (its own data directory, so
 * its own Chronicle Queue WAL), the table of recent write answers ({@link DedupeTable}) and the cell clock.
 * Requests are applied in the order given, which in a cell is log order; the answer of each is encoded
 * into a buffer and handed to an {@link Answer}. The same state, fed the same requests with the same
 * timestamps, gives the same answers and the same items on every member.
 * <p>
 * <b>Time:</b> nothing here reads the wall clock for state. The shard's clock (stamped into WAL records and
 * into a table's creation time) is {@link #time(long)}, set from the cluster timestamp of each log message.
 * <p>
 * <b>Threading:</b> the service thread only. Item requests (Put, Get, Delete, Update, with or without expressions
 * whose bytes were seen before) and their dedupe entries allocate nothing in steady state (CellStateAllocationTest
 * in the tests); new expressions, batches, Query/Scan, table management, errors and snapshots allocate.
 */
final class CellState implements AutoCloseable
{
    /** Receives an answer; the buffer is reused after the call returns. */
    @FunctionalInterface
    interface Answer
    {
        void send(DirectBuffer buffer, int offset, int length);
    }

    /**
     * Thrown by {@link #onMessage} when a logged message failed for a reason local to this member (an I/O error, a
     * failed WAL sync, a store full only by this member's history, any unexpected exception): the answer would not be
     * the one the other members give, so nothing is answered or recorded and the member must stop; it is rebuilt from
     * its snapshot and the cluster's log when it starts again.
     */
    static final class LocalFailure extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        LocalFailure(final String message, final Throwable cause)
        {
            super(message, cause);
        }
    }

    /**
     * Whether an error is an outcome of the log (the request and the replicated state decide it, so every member
     * answers it alike and it may be answered and recorded in the dedupe table), rather than of this member's
     * circumstances. The one list of it:
     * <ul>
     * <li>deterministic: ValidationException, SerializationException (the request), ConditionalCheckFailedException,
     * ResourceNotFoundException, ResourceInUseException, LimitExceededException (the catalog), and
     * ItemCollectionSizeLimitExceededException (a partition's bounds, decided from its content: EngineConfig.replica);
     * <li>local, so the member stops: InternalServerError (a failed WAL sync, a catalog write's I/O error...),
     * ServiceUnavailable, and the rate-based ProvisionedThroughputExceededException, ThrottlingException and
     * RequestLimitExceeded (they depend on time and admission, which a cell leaves to the node's router);
     * and OK, which is no error (a code an exception should never carry).
     * </ul>
     */
    static boolean isOutcomeOfTheLog(final ErrorCode code)
    {
        switch (code)
        {
            case ValidationException:
            case SerializationException:
            case ConditionalCheckFailedException:
            case ResourceNotFoundException:
            case ResourceInUseException:
            case LimitExceededException:
            case ItemCollectionSizeLimitExceededException:
                return true;
            default:
                return false;
        }
    }

    /** Receives snapshot records; the buffer is reused after the call returns. */
    @FunctionalInterface
    interface SnapshotSink
    {
        void write(DirectBuffer buffer, int offset, int length);
    }

    static final int DEFAULT_DEDUPE_PER_CLIENT = 4096;
    static final int DEFAULT_DEDUPE_TOTAL = 262_144;
    /**
     * Bytes of answers the dedupe table keeps ({@code ferrite.cell.dedupeMaxBytes}): 64 MiB, a quarter of a member's
     * 256 MB heap, and about 2,000 UpdateItem answers of 30 KB; small answers (about 100 bytes) stay bound by the entry
     * counts. It must be the same on every member.
     */
    static final long DEFAULT_DEDUPE_MAX_BYTES = 64L << 20;

    /** 2: the header carries the catalog's next table id and a table record its id (1 had neither). */
    private static final int SNAPSHOT_VERSION = 3;
    /** Version 2: no settings record. */
    private static final int SNAPSHOT_VERSION_WITHOUT_SETTINGS = 2;
    private static final int SNAPSHOT_VERSION_WITHOUT_TABLE_IDS = 1;
    private static final int REC_HEADER = 1;
    private static final int REC_TABLE = 2;
    private static final int REC_ITEMS = 3;
    private static final int REC_DEDUPE = 4;
    private static final int REC_END = 5;
    private static final int REC_SETTINGS = 6;
    private static final int SNAPSHOT_BATCH_BYTES = 256 * 1024;
    private static final int MAX_PAGE_ITEMS = 0xFFFF;
    private static final int SEND_BUFFER_BYTES = 4 * 1024 * 1024;
    /** Room left in a publication's largest message for what Aeron adds (the cluster's 32-byte session header). */
    static final int ANSWER_MARGIN_BYTES = 64 * 1024;
    /**
     * The longest answer: a publication takes at most a message of an eighth of its term length, and a client's egress
     * and read reply publications have the driver's default term, 16 MiB, so 2 MiB (a longer answer would make
     * {@code offer} throw and the request would never be answered). Only a BatchGetItem answer can be longer (a Query
     * or Scan page stops at 1 MiB and one item): what does not fit goes back as unprocessed keys.
     */
    static final int MAX_ANSWER_BYTES = 2 * 1024 * 1024 - ANSWER_MARGIN_BYTES;

    private final EngineConfig config;
    private final CellClock clock = new CellClock();
    private final DedupeTable dedupe;
    private final ExpressionCompiler expressions = new ExpressionCompiler();
    private Shard shard;

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
    private final ListTablesRequestDecoder listTables = new ListTablesRequestDecoder();
    private final UpdateTableRequestDecoder updateTable = new UpdateTableRequestDecoder();
    private final BatchGetItemRequestDecoder batchGet = new BatchGetItemRequestDecoder();
    private final BatchWriteItemRequestDecoder batchWrite = new BatchWriteItemRequestDecoder();
    private final BatchGetItemResponseEncoder batchGetResponse = new BatchGetItemResponseEncoder();
    private final BatchWriteItemResponseEncoder batchWriteResponse = new BatchWriteItemResponseEncoder();
    /** Capacities changed by UpdateTable since the table was created or loaded (the shard's spec keeps the first). */
    private final Map<String, TableCapacity> updatedCapacities = new HashMap<>();
    private final UnsafeBuffer keyConditionView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer conditionView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer updateView = new UnsafeBuffer(0, 0);
    private final WireValues.Expressions wireExpressions = new WireValues.Expressions();
    private static final int TABLE_CACHE_SIZE = 8;
    private static final byte[] NO_BYTES = new byte[0];
    private final byte[][] tableCacheNames = new byte[TABLE_CACHE_SIZE][];
    private final UnsafeBuffer[] tableCacheViews = new UnsafeBuffer[TABLE_CACHE_SIZE];
    private final Table[] tableCacheTables = new Table[TABLE_CACHE_SIZE];
    private int tableCacheSize;
    private int tableCacheNext;
    private final UnsafeBuffer filterView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer projectionView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer namesView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer valuesView = new UnsafeBuffer(0, 0);

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ItemResponseEncoder itemResponse = new ItemResponseEncoder();
    private final ItemsPageResponseEncoder pageResponse = new ItemsPageResponseEncoder();
    private final ErrorResponseEncoder errorResponse = new ErrorResponseEncoder();
    private final TableDescriptionResponseEncoder tableResponse = new TableDescriptionResponseEncoder();
    private final ListTablesResponseEncoder listResponse = new ListTablesResponseEncoder();

    private final UnsafeBuffer frame = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(SEND_BUFFER_BYTES));
    private final UnsafeBuffer nameView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer keyView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer itemView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer removeView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer valueView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer upperView = new UnsafeBuffer(0, 0);
    private final QueryRequest queryRequest = new QueryRequest();
    private final ScanRequest scanRequest = new ScanRequest();
    private final AttributeUpdates attributeUpdates = new AttributeUpdates();
    private final ItemWriter writer = new ItemWriter();
    private final ItemWriter keyWriter = new ItemWriter();
    private final ExpandableDirectByteBuffer snapshotBuffer = new ExpandableDirectByteBuffer(SNAPSHOT_BATCH_BYTES + 64 * 1024);

    private final ItemHandler itemHandler = this::onItem;
    private final ItemHandler pageHandler = this::onPageItem;
    private boolean itemWritten;
    private int pageStart;
    private int pagePosition;
    private int pageCount;

    private long applied;
    private long deduplicated;
    private int answerLimit = MAX_ANSWER_BYTES;
    private int loadingSnapshotVersion = SNAPSHOT_VERSION;

    /** This member's outcome-deciding settings. */
    private final CellSettings ownSettings;
    /** The cell's settings of record (replicated state: the first SETTINGS message of the log), or null. */
    private CellSettings recordedSettings;
    private int recordedSettingsBy = -1;
    private long recordedSettingsAt = -1;

    /**
     * @param config the engine configuration; its data directory is deleted and created afresh (a member's state
     *               is rebuilt from the cluster's snapshot and log, never from this directory).
     */
    CellState(final EngineConfig config)
    {
        this(config, DEFAULT_DEDUPE_PER_CLIENT, DEFAULT_DEDUPE_TOTAL, DEFAULT_DEDUPE_MAX_BYTES);
    }

    /**
     * @param dedupePerClient  answers kept per client.
     * @param dedupeTotal      answers kept in all.
     * @param dedupeMaxBytes   bytes of answers kept in all.
     */
    CellState(final EngineConfig config, final int dedupePerClient, final int dedupeTotal, final long dedupeMaxBytes)
    {
        this.config = config.copy().replica(true); // a store full only by this member's history stops it, not answer
        this.dedupe = new DedupeTable(dedupePerClient, dedupeTotal, dedupeMaxBytes);
        this.ownSettings = CellSettings.of(config, dedupePerClient, dedupeTotal, dedupeMaxBytes);
        requireHashStore(config);
        for (int i = 0; i < TABLE_CACHE_SIZE; i++)
        {
            tableCacheNames[i] = NO_BYTES;
            tableCacheViews[i] = new UnsafeBuffer(NO_BYTES);
        }
        deleteRecursively(config.dataDir());
        shard = Shard.open(this.config, clock); // this.config: the replica flag is set on the copy only
    }

    /**
     * A cell member runs the hash store only: a Chronicle Map store is sized from an entry count and an average entry
     * size, not from {@code ferrite.engine.partitionMaxBytes}, so content within the bound can find it full on one
     * member (a local failure that stops it) and not on another (decision 0013, "Store kind").
     *
     * @throws IllegalArgumentException naming the setting, for any other store kind.
     */
    static void requireHashStore(final EngineConfig config)
    {
        if (StoreKind.HASH != config.storeKind())
        {
            throw new IllegalArgumentException(EngineConfig.PREFIX + "store=" +
                config.storeKind().name().toLowerCase(java.util.Locale.ROOT) + " is not supported in a cell: a cell " +
                "member runs the hash store (" + EngineConfig.PREFIX + "store=hash, the default), the only store sized " +
                "from " + EngineConfig.PREFIX + "partitionMaxBytes so that a partition's content within its bounds " +
                "fits on every member; the Chronicle Map store is sized by entry count and average size and can be " +
                "full below the bound, which would stop a member instead of answering alike");
        }
    }

    Shard shard()
    {
        return shard;
    }

    /**
     * Sets the cell clock (the cluster time of the message being applied).
     */
    void time(final long epochNanos)
    {
        clock.nowNs = epochNanos;
    }

    long applied()
    {
        return applied;
    }

    long deduplicated()
    {
        return deduplicated;
    }

    int dedupeSize()
    {
        return dedupe.size();
    }

    /**
     * Runs the shard's background duties (WAL syncs, periodic checkpoints of its own directory).
     */
    int doDutyCycle(final long nowNs)
    {
        return shard.doDutyCycle(nowNs);
    }

    /**
     * Applies one cell message (envelope + body) and hands its answer to {@code answer}.
     *
     * @param logPosition where the message is in the log (reported by a checksum).
     * @param memberId    this member (reported by a checksum).
     */
    void onMessage(
        final DirectBuffer buffer, final int offset, final int length, final long logPosition, final int memberId,
        final Answer answer)
    {
        final String problem = CellProtocol.check(buffer, offset, length);
        if (null != problem)
        {
            answer.send(sendBuffer, 0, encodeError(0, ErrorCode.SerializationException, problem));
            return;
        }
        final int kind = CellProtocol.kind(buffer, offset);
        final long clientId = CellProtocol.clientId(buffer, offset);
        final int bodyOffset = offset + CellProtocol.HEADER_LENGTH;
        final int bodyLength = length - CellProtocol.HEADER_LENGTH;
        if (CellProtocol.KIND_CHECKSUM == kind)
        {
            final long correlationId = bodyLength >= 8 ? buffer.getLong(bodyOffset, ByteOrder.LITTLE_ENDIAN) : 0;
            final Checksum sum = checksum();
            sum.logPosition = logPosition;
            writer.reset().number("checksum", sum.checksum).number("items", sum.items)
                .number("logPosition", logPosition).number("memberId", memberId);
            startItemResponse(correlationId);
            itemResponse.putItem(writer.buffer(), 0, writer.finish());
            itemResponse.found(BooleanType.TRUE);
            itemWritten = true;
            lastChecksum = sum;
            answer.send(sendBuffer, 0, finishItemResponse());
            return;
        }
        if (CellProtocol.KIND_REQUEST != kind)
        {
            answer.send(sendBuffer, 0, encodeError(0, ErrorCode.SerializationException,
                "unknown cell message kind " + kind + " (1 = request, 2 = checksum; 4 = settings comes from members only)"));
            return;
        }
        apply(clientId, buffer, bodyOffset, bodyLength, answer);
    }

    private Checksum lastChecksum;

    /**
     * @return this member's outcome-deciding settings.
     */
    CellSettings ownSettings()
    {
        return ownSettings;
    }

    /**
     * @return the cell's settings of record, or null while no SETTINGS message has been applied (nor loaded from a
     * snapshot): until then a member applies no client message.
     */
    CellSettings recordedSettings()
    {
        return recordedSettings;
    }

    /**
     * Encodes this member's SETTINGS message (envelope kind SETTINGS, the member id in the client id field, the
     * settings' text as the body).
     *
     * @return its length.
     */
    int encodeSettings(final MutableDirectBuffer buffer, final int memberId)
    {
        CellProtocol.writeHeader(buffer, 0, CellProtocol.KIND_SETTINGS, memberId);
        final byte[] text = ownSettings.text().getBytes(StandardCharsets.UTF_8);
        buffer.putBytes(CellProtocol.HEADER_LENGTH, text);
        return CellProtocol.HEADER_LENGTH + text.length;
    }

    /**
     * Applies a SETTINGS message (a member's own, appended by the leader's service): the first one of the log becomes
     * the cell's settings of record; then this member's own are checked against them.
     *
     * @throws LocalFailure naming every setting that differs.
     */
    void onSettings(final DirectBuffer buffer, final int offset, final int length, final long logPosition)
    {
        if (null != CellProtocol.check(buffer, offset, length) || CellProtocol.KIND_SETTINGS != CellProtocol.kind(buffer, offset))
        {
            return; // not a settings message: nothing a member sends
        }
        if (null == recordedSettings)
        {
            recordedSettings = CellSettings.parse(buffer.getStringWithoutLengthUtf8(
                offset + CellProtocol.HEADER_LENGTH, length - CellProtocol.HEADER_LENGTH));
            recordedSettingsBy = (int)CellProtocol.clientId(buffer, offset);
            recordedSettingsAt = logPosition;
        }
        checkSettings();
    }

    /**
     * Compares this member's settings with the cell's settings of record, if any.
     *
     * @throws LocalFailure naming every setting that differs.
     */
    void checkSettings()
    {
        if (null == recordedSettings)
        {
            return;
        }
        final List<String> differences = ownSettings.differences(recordedSettings);
        if (!differences.isEmpty())
        {
            throw new LocalFailure("this member's settings that decide outcomes of the log differ from the cell's " +
                "(recorded by member " + recordedSettingsBy + " at log position " + recordedSettingsAt + ", fingerprint " +
                Long.toHexString(recordedSettings.fingerprint()) + "; this member's " +
                Long.toHexString(ownSettings.fingerprint()) + "): " + String.join("; ", differences) +
                ". Applying the log with them could answer differently from the other members: start this member " +
                "with the cell's settings", null);
        }
    }

    /**
     * @return the checksum the last CHECKSUM message computed, or null.
     */
    Checksum lastChecksum()
    {
        return lastChecksum;
    }

    /**
     * Serves a read outside the log (an eventually consistent read on this member's applied state): GetItem,
     * Query, Scan, DescribeTable or ListTables; anything else is refused, since only the log may change state.
     */
    void read(final DirectBuffer buffer, final int offset, final int length, final Answer answer)
    {
        read(buffer, offset, length, answer, MAX_ANSWER_BYTES + ANSWER_MARGIN_BYTES);
    }

    /**
     * As {@link #read(DirectBuffer, int, int, Answer)}, for an answer offered to a publication whose largest message is
     * {@code maxMessageLength} bytes: the answer is kept {@link #ANSWER_MARGIN_BYTES} below it (and below
     * {@link #MAX_ANSWER_BYTES}).
     */
    void read(
        final DirectBuffer buffer, final int offset, final int length, final Answer answer, final int maxMessageLength)
    {
        answerLimit = Math.min(MAX_ANSWER_BYTES, maxMessageLength - ANSWER_MARGIN_BYTES);
        try
        {
            readFrame(buffer, offset, length, answer);
        }
        finally
        {
            answerLimit = MAX_ANSWER_BYTES;
        }
    }

    private void readFrame(final DirectBuffer buffer, final int offset, final int length, final Answer answer)
    {
        if (length >= MessageHeaderDecoder.ENCODED_LENGTH + 16)
        {
            final int templateId = header.wrap(buffer, offset).templateId();
            if (GetItemRequestDecoder.TEMPLATE_ID != templateId && QueryRequestDecoder.TEMPLATE_ID != templateId &&
                ScanRequestDecoder.TEMPLATE_ID != templateId && DescribeTableRequestDecoder.TEMPLATE_ID != templateId &&
                ListTablesRequestDecoder.TEMPLATE_ID != templateId && BatchGetItemRequestDecoder.TEMPLATE_ID != templateId)
            {
                final long correlationId = buffer.getLong(offset + MessageHeaderDecoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN);
                answer.send(sendBuffer, 0, encodeError(correlationId, ErrorCode.ValidationException, "template " +
                    templateId + " is not a read: a member's read endpoint serves GetItem, BatchGetItem, Query, Scan, " +
                    "DescribeTable and ListTables; writes go through the cell's log"));
                return;
            }
        }
        handle(0, buffer, offset, length, answer, false);
    }

    /**
     * Applies one SBE request frame from the log (deduplicating writes by client and request id).
     */
    void apply(final long clientId, final DirectBuffer buffer, final int offset, final int length, final Answer answer)
    {
        handle(clientId, buffer, offset, length, answer, true);
    }

    private void handle(
        final long clientId, final DirectBuffer buffer, final int offset, final int length, final Answer answer,
        final boolean logged)
    {
        frame.wrap(buffer, offset, length);
        if (length < MessageHeaderDecoder.ENCODED_LENGTH + 16)
        {
            answer.send(sendBuffer, 0, encodeError(0, ErrorCode.SerializationException,
                "a request frame needs at least " + (MessageHeaderDecoder.ENCODED_LENGTH + 16) + " bytes (header, " +
                "correlationId, requestId), got " + length));
            return;
        }
        header.wrap(frame, 0);
        final int body = MessageHeaderDecoder.ENCODED_LENGTH;
        final long correlationId = frame.getLong(body, ByteOrder.LITTLE_ENDIAN);
        final long requestId = frame.getLong(body + 8, ByteOrder.LITTLE_ENDIAN);
        final int templateId = header.templateId();
        if (MessageHeaderDecoder.SCHEMA_ID != header.schemaId() || header.version() > MessageHeaderDecoder.SCHEMA_VERSION)
        {
            answer.send(sendBuffer, 0, encodeError(correlationId, ErrorCode.SerializationException,
                "schema " + header.schemaId() + " version " + header.version() + " is not Ferrite's (schema " +
                MessageHeaderDecoder.SCHEMA_ID + " up to version " + MessageHeaderDecoder.SCHEMA_VERSION + ")"));
            return;
        }
        final boolean write = logged && isWrite(templateId);
        if (write)
        {
            final int earlierLength = dedupe.find(clientId, requestId, sendBuffer, 0);
            if (earlierLength >= 0)
            {
                deduplicated++;
                sendBuffer.putLong(MessageHeaderEncoder.ENCODED_LENGTH, correlationId, ByteOrder.LITTLE_ENDIAN);
                answer.send(sendBuffer, 0, earlierLength);
                return;
            }
        }

        int responseLength;
        try
        {
            responseLength = execute(templateId, body, header.blockLength(), header.version());
        }
        catch (final FerriteException ex)
        {
            if (logged && !isOutcomeOfTheLog(ex.code()))
            {
                throw localFailure(templateId, clientId, requestId, ex);
            }
            responseLength = encodeError(correlationId, ex.code(), ex.getMessage());
        }
        catch (final IndexOutOfBoundsException ex)
        {
            // the request's own bytes: a field's length points past the frame, on every member alike
            responseLength = encodeError(correlationId, ErrorCode.SerializationException,
                "the request frame is malformed: a field runs past its " + length + " bytes (" + ex.getMessage() + ")");
        }
        catch (final RuntimeException ex)
        {
            if (logged)
            {
                throw localFailure(templateId, clientId, requestId, ex);
            }
            // a read outside the log changed nothing: its client may ask another member
            responseLength = encodeError(correlationId, ErrorCode.InternalServerError, "Internal error in the cell: " + ex);
        }
        applied += logged ? 1 : 0;
        if (write)
        {
            dedupe.record(clientId, requestId, sendBuffer, 0, responseLength);
        }
        answer.send(sendBuffer, 0, responseLength);
    }

    private static LocalFailure localFailure(
        final int templateId, final long clientId, final long requestId, final RuntimeException cause)
    {
        return new LocalFailure("applying template " + templateId + " (client " + clientId + ", request " + requestId +
            ") failed on this member only, not as an outcome of the log: " + cause, cause);
    }

    private static boolean isWrite(final int templateId)
    {
        return PutItemRequestDecoder.TEMPLATE_ID == templateId ||
            DeleteItemRequestDecoder.TEMPLATE_ID == templateId ||
            UpdateItemRequestDecoder.TEMPLATE_ID == templateId ||
            CreateTableRequestDecoder.TEMPLATE_ID == templateId ||
            DeleteTableRequestDecoder.TEMPLATE_ID == templateId ||
            UpdateTableRequestDecoder.TEMPLATE_ID == templateId ||
            BatchWriteItemRequestDecoder.TEMPLATE_ID == templateId;
    }

    private int execute(final int templateId, final int body, final int blockLength, final int version)
    {
        switch (templateId)
        {
            case GetItemRequestDecoder.TEMPLATE_ID:
                getItem.wrap(frame, body, blockLength, version);
                return onGetItem();
            case PutItemRequestDecoder.TEMPLATE_ID:
                putItem.wrap(frame, body, blockLength, version);
                return onPutItem();
            case DeleteItemRequestDecoder.TEMPLATE_ID:
                deleteItem.wrap(frame, body, blockLength, version);
                return onDeleteItem();
            case UpdateItemRequestDecoder.TEMPLATE_ID:
                updateItem.wrap(frame, body, blockLength, version);
                return onUpdateItem();
            case QueryRequestDecoder.TEMPLATE_ID:
                query.wrap(frame, body, blockLength, version);
                return onQuery();
            case ScanRequestDecoder.TEMPLATE_ID:
                scan.wrap(frame, body, blockLength, version);
                return onScan();
            case CreateTableRequestDecoder.TEMPLATE_ID:
                createTable.wrap(frame, body, blockLength, version);
                return onCreateTable();
            case DeleteTableRequestDecoder.TEMPLATE_ID:
            {
                deleteTable.wrap(frame, body, blockLength, version);
                final long correlationId = deleteTable.correlationId();
                final String name = deleteTable.tableName();
                forgetTables();
                final TableDescription deleted = shard.deleteTable(name);
                final int length = encodeDescription(correlationId, deleted, TableStatus.DELETING);
                updatedCapacities.remove(name);
                return length;
            }
            case DescribeTableRequestDecoder.TEMPLATE_ID:
            {
                describeTable.wrap(frame, body, blockLength, version);
                final long correlationId = describeTable.correlationId();
                return encodeDescription(correlationId, shard.describeTable(describeTable.tableName()), TableStatus.ACTIVE);
            }
            case ListTablesRequestDecoder.TEMPLATE_ID:
                listTables.wrap(frame, body, blockLength, version);
                return onListTables();
            case UpdateTableRequestDecoder.TEMPLATE_ID:
                updateTable.wrap(frame, body, blockLength, version);
                return onUpdateTable();
            case BatchGetItemRequestDecoder.TEMPLATE_ID:
                batchGet.wrap(frame, body, blockLength, version);
                return onBatchGet();
            case BatchWriteItemRequestDecoder.TEMPLATE_ID:
                batchWrite.wrap(frame, body, blockLength, version);
                return onBatchWrite();
            default:
                throw FerriteException.validation("a cell does not serve template " + templateId + " (it serves " +
                    "PutItem, GetItem, DeleteItem, UpdateItem, BatchGetItem, BatchWriteItem, Query, Scan, CreateTable, " +
                    "UpdateTable, DeleteTable, DescribeTable and ListTables)");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Items
    // ---------------------------------------------------------------------------------------------

    private int onGetItem()
    {
        final GetItemRequestDecoder d = getItem;
        final long correlationId = d.correlationId();
        d.wrapTableName(nameView);
        final Table table = table(nameView);
        d.wrapKey(keyView);
        d.wrapProjectionExpression(projectionView);
        d.wrapExpressionAttributeNames(namesView);
        final WireValues.Expressions compiled = wireExpressions.compile(GetItemRequestDecoder.TEMPLATE_ID,
            null, null, null, null, projectionView, namesView, null);
        startItemResponse(correlationId);
        shard.getItem(table, keyView, 0, keyView.capacity(), compiled.projection(), itemHandler);
        return finishItemResponse();
    }

    private int onPutItem()
    {
        final PutItemRequestDecoder d = putItem;
        final long correlationId = d.correlationId();
        final ReturnValues returnValues = WireValues.returnValues(d.returnValuesRaw());
        d.wrapTableName(nameView);
        final Table table = table(nameView);
        d.wrapItem(itemView);
        d.wrapConditionExpression(conditionView);
        d.wrapExpressionAttributeNames(namesView);
        d.wrapExpressionAttributeValues(valuesView);
        final WireValues.Expressions compiled = wireExpressions.compile(PutItemRequestDecoder.TEMPLATE_ID,
            conditionView, null, null, null, null, namesView, valuesView);
        startItemResponse(correlationId);
        shard.putItem(table, itemView, 0, itemView.capacity(), compiled.condition(), returnValues, itemHandler);
        return finishItemResponse();
    }

    private int onDeleteItem()
    {
        final DeleteItemRequestDecoder d = deleteItem;
        final long correlationId = d.correlationId();
        final ReturnValues returnValues = WireValues.returnValues(d.returnValuesRaw());
        d.wrapTableName(nameView);
        final Table table = table(nameView);
        d.wrapKey(keyView);
        d.wrapConditionExpression(conditionView);
        d.wrapExpressionAttributeNames(namesView);
        d.wrapExpressionAttributeValues(valuesView);
        final WireValues.Expressions compiled = wireExpressions.compile(DeleteItemRequestDecoder.TEMPLATE_ID,
            conditionView, null, null, null, null, namesView, valuesView);
        startItemResponse(correlationId);
        shard.deleteItem(table, keyView, 0, keyView.capacity(), compiled.condition(), returnValues, itemHandler);
        return finishItemResponse();
    }

    private int onUpdateItem()
    {
        final UpdateItemRequestDecoder d = updateItem;
        final long correlationId = d.correlationId();
        final ReturnValues returnValues = WireValues.returnValues(d.returnValuesRaw());
        d.wrapTableName(nameView);
        final Table table = table(nameView);
        d.wrapKey(keyView);
        d.wrapSetAttributes(itemView);
        d.wrapRemoveAttributes(removeView);
        d.wrapUpdateExpression(updateView);
        d.wrapConditionExpression(conditionView);
        d.wrapExpressionAttributeNames(namesView);
        d.wrapExpressionAttributeValues(valuesView);
        final WireValues.Expressions compiled = wireExpressions.compile(UpdateItemRequestDecoder.TEMPLATE_ID,
            conditionView, updateView, null, null, null, namesView, valuesView);

        final ItemUpdate update;
        if (null != compiled.update())
        {
            if (itemView.capacity() > 0 || removeView.capacity() > 0)
            {
                throw FerriteException.validation("Can not use both expression and non-expression parameters in the same " +
                    "request: Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}");
            }
            update = compiled.update();
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
            update = attributeUpdates.wrap(
                itemView.capacity() > 0 ? itemView : null, 0, itemView.capacity(),
                removeView.capacity() > 0 ? removeView : null, 0, removeView.capacity());
        }
        startItemResponse(correlationId);
        shard.updateItem(table, keyView, 0, keyView.capacity(), update, compiled.condition(), returnValues, itemHandler);
        return finishItemResponse();
    }

    /**
     * The table named by {@code name} (the request's UTF-8 bytes): from a small cache of the tables recently named,
     * so that a request decodes no string; the cache is emptied whenever a table is created or deleted.
     */
    private Table table(final DirectBuffer name)
    {
        final int length = name.capacity();
        for (int i = 0; i < tableCacheSize; i++)
        {
            final byte[] cached = tableCacheNames[i];
            if (cached.length == length && name.compareTo(tableCacheViews[i]) == 0)
            {
                return tableCacheTables[i];
            }
        }
        final String tableName = name.getStringWithoutLengthUtf8(0, length);
        final Table table = shard.table(tableName);
        final int slot = tableCacheSize < TABLE_CACHE_SIZE ? tableCacheSize++ : (tableCacheNext++ & (TABLE_CACHE_SIZE - 1));
        final byte[] bytes = new byte[length];
        name.getBytes(0, bytes);
        tableCacheNames[slot] = bytes;
        tableCacheViews[slot].wrap(bytes);
        tableCacheTables[slot] = table;
        return table;
    }

    private void forgetTables()
    {
        for (int i = 0; i < TABLE_CACHE_SIZE; i++)
        {
            tableCacheNames[i] = NO_BYTES;
            tableCacheViews[i].wrap(NO_BYTES);
            tableCacheTables[i] = null;
        }
        tableCacheSize = 0;
    }

    private static Map<String, String> namesOf(final DirectBuffer view)
    {
        if (0 == view.capacity())
        {
            return null;
        }
        ItemValidator.validate(view, 0, view.capacity());
        final Map<String, String> names = new HashMap<>();
        ItemCodec.decode(view, 0, view.capacity()).forEach((name, value) ->
        {
            if (ItemFormat.TYPE_S != value.type())
            {
                throw FerriteException.validation("ExpressionAttributeNames: " + name + " must map to a string");
            }
            names.put(name, value.asString());
        });
        return names;
    }

    private static Map<String, AttributeValue> valuesOf(final DirectBuffer view)
    {
        if (0 == view.capacity())
        {
            return null;
        }
        ItemValidator.validate(view, 0, view.capacity());
        return ItemCodec.decode(view, 0, view.capacity());
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

    // ---------------------------------------------------------------------------------------------
    // Query and Scan
    // ---------------------------------------------------------------------------------------------

    private int onQuery()
    {
        final QueryRequestDecoder d = query;
        final long correlationId = d.correlationId();
        final QueryRequest q = queryRequest.reset();
        final SortKeyCondition condition = WireValues.sortKeyCondition(d.conditionRaw());
        q.scanIndexForward(WireValues.booleanValue(d.scanIndexForwardRaw(), true, "scanIndexForward"));
        final int pageLimit = d.pageLimit();
        d.wrapTableName(nameView);
        final Table table = table(nameView);
        d.wrapPartitionKeyValue(valueView);
        d.wrapSortKeyValue(keyView);
        d.wrapSortKeyUpper(upperView);
        d.wrapExclusiveStartKey(itemView);
        d.wrapKeyConditionExpression(keyConditionView);
        d.wrapFilterExpression(filterView);
        d.wrapProjectionExpression(projectionView);
        d.wrapExpressionAttributeNames(namesView);
        d.wrapExpressionAttributeValues(valuesView);
        final WireValues.Expressions compiled = wireExpressions.compile(QueryRequestDecoder.TEMPLATE_ID,
            null, null, keyConditionView, filterView, projectionView, namesView, valuesView);
        WireValues.keyConditions(table, compiled.keyCondition(), condition, valueView, keyView, upperView, q);
        q.filter(compiled.filter()).projection(compiled.projection());
        q.exclusiveStartKey(itemView, 0, itemView.capacity());
        q.limit(pageLimit(pageLimit));
        startPage(correlationId);
        shard.query(table, q, pageHandler);
        return finishPage(q.count(), q.scannedCount(), q.lastEvaluatedKey(), q.lastEvaluatedKeyLength());
    }

    private int onScan()
    {
        final ScanRequestDecoder d = scan;
        final long correlationId = d.correlationId();
        final ScanRequest s = scanRequest.reset();
        s.segment(d.segment(), d.totalSegments());
        final int pageLimit = d.pageLimit();
        d.wrapTableName(nameView);
        final Table table = table(nameView);
        d.wrapExclusiveStartKey(keyView);
        d.wrapFilterExpression(filterView);
        d.wrapProjectionExpression(projectionView);
        d.wrapExpressionAttributeNames(namesView);
        d.wrapExpressionAttributeValues(valuesView);
        final WireValues.Expressions compiled = wireExpressions.compile(ScanRequestDecoder.TEMPLATE_ID,
            null, null, null, filterView, projectionView, namesView, valuesView);
        s.filter(compiled.filter()).projection(compiled.projection());
        s.exclusiveStartKey(keyView, 0, keyView.capacity());
        s.limit(pageLimit(pageLimit));
        startPage(correlationId);
        shard.scan(table, s, pageHandler);
        return finishPage(s.count(), s.scannedCount(), s.lastEvaluatedKey(), s.lastEvaluatedKeyLength());
    }

    private static String text(final DirectBuffer view)
    {
        return view.getStringWithoutLengthUtf8(0, view.capacity());
    }

    private static int pageLimit(final int pageLimit)
    {
        if (pageLimit < 0)
        {
            throw FerriteException.validation("1 validation error detected: Value '" + pageLimit + "' at 'limit' failed " +
                "to satisfy constraint: Member must have value greater than or equal to 1");
        }
        return 0 == pageLimit ? MAX_PAGE_ITEMS : Math.min(pageLimit, MAX_PAGE_ITEMS);
    }

    private void startPage(final long correlationId)
    {
        pageResponse.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).correlationId(correlationId).count(0).scannedCount(0)
            .consumedReadHalfUnits(ItemsPageResponseEncoder.consumedReadHalfUnitsNullValue())
            .consumedWriteUnits(ItemsPageResponseEncoder.consumedWriteUnitsNullValue());
        // the items group is written in place below and its count patched at the end
        pageStart = MessageHeaderEncoder.ENCODED_LENGTH + ItemsPageResponseEncoder.BLOCK_LENGTH;
        sendBuffer.putShort(pageStart, (short)0, ByteOrder.LITTLE_ENDIAN); // group block length (only var data)
        sendBuffer.putShort(pageStart + 2, (short)0, ByteOrder.LITTLE_ENDIAN); // numInGroup, patched at the end
        pagePosition = pageStart + 4;
        pageCount = 0;
    }

    private void onPageItem(final DirectBuffer buffer, final int offset, final int length)
    {
        if (pagePosition + 4L + length > SEND_BUFFER_BYTES - 64 * 1024)
        {
            throw FerriteException.validation("the page does not fit the cell's response buffer; use a Limit");
        }
        sendBuffer.putInt(pagePosition, length, ByteOrder.LITTLE_ENDIAN);
        sendBuffer.putBytes(pagePosition + 4, buffer, offset, length);
        pagePosition += 4 + length;
        pageCount++;
    }

    private int finishPage(final int count, final int scannedCount, final DirectBuffer lastKey, final int lastKeyLength)
    {
        sendBuffer.putShort(pageStart, (short)0, ByteOrder.LITTLE_ENDIAN);
        sendBuffer.putShort(pageStart + 2, (short)pageCount, ByteOrder.LITTLE_ENDIAN);
        pageResponse.count(count).scannedCount(scannedCount);
        sendBuffer.putInt(pagePosition, lastKeyLength, ByteOrder.LITTLE_ENDIAN);
        if (lastKeyLength > 0)
        {
            sendBuffer.putBytes(pagePosition + 4, lastKey, 0, lastKeyLength);
        }
        return pagePosition + 4 + lastKeyLength;
    }

    // ---------------------------------------------------------------------------------------------
    // Tables
    // ---------------------------------------------------------------------------------------------

    private int onCreateTable()
    {
        final CreateTableRequestDecoder d = createTable;
        final long correlationId = d.correlationId();
        final TableSpec spec = TableRequests.spec(d);
        forgetTables();
        final TableDescription created = shard.createTable(spec);
        updatedCapacities.remove(spec.tableName());
        return encodeDescription(correlationId, created, TableStatus.ACTIVE);
    }

    private TableCapacity capacityOf(final TableSpec spec)
    {
        final TableCapacity updated = updatedCapacities.get(spec.tableName());
        if (null != updated)
        {
            return updated;
        }
        return null == spec.capacity() ? TableCapacity.ON_DEMAND : spec.capacity();
    }

    /**
     * UpdateTable: a table's billing mode or provisioned throughput (as the node's router checks it). A cell does not
     * throttle (admission is the node's), so the capacity is recorded, described and carried by snapshots.
     */
    private int onUpdateTable()
    {
        final UpdateTableRequestDecoder d = updateTable;
        final long correlationId = d.correlationId();
        final BillingMode mode = TableRequests.billingMode(d.billingModeRaw());
        final long readUnits = d.readCapacityUnits();
        final long writeUnits = d.writeCapacityUnits();
        final TableDescription description = shard.describeTable(d.tableName());
        final TableCapacity capacity = TableCapacity.forUpdate(capacityOf(description.spec()), mode,
            UpdateTableRequestDecoder.readCapacityUnitsNullValue() == readUnits ? 0 : readUnits,
            UpdateTableRequestDecoder.writeCapacityUnitsNullValue() == writeUnits ? 0 : writeUnits);
        updatedCapacities.put(description.spec().tableName(), capacity);
        return encodeDescription(correlationId, description, TableStatus.ACTIVE);
    }

    // ---------------------------------------------------------------------------------------------
    // Batches
    // ---------------------------------------------------------------------------------------------

    private int onBatchGet()
    {
        final long correlationId = batchGet.correlationId();
        final Map<String, List<byte[]>> keysByTable = new LinkedHashMap<>();
        final Map<String, ItemProjection> projections = new LinkedHashMap<>();
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
            final Map<String, String> names = namesOf(namesView);
            if (projectionView.capacity() > 0)
            {
                final ProjectionExpression projection = expressions.projection(text(projectionView), names);
                ExpressionCompiler.checkAllUsed(names, null, projection.usedNames(), Set.of());
                projections.put(tableName, projection);
            }
            else if (null != names)
            {
                throw FerriteException.validation("ExpressionAttributeNames can only be specified when using expressions");
            }
        }
        final BatchGetResult result = shard.batchGetItem(keysByTable, projections);

        // what does not fit one answer (one publication message) goes back as unprocessed keys, as DynamoDB does past
        // its response size
        return WireValues.encodeBatchGetResponse(
            sendBuffer, 0, headerEncoder, batchGetResponse, correlationId, shard, result, consistent, answerLimit,
            keyWriter);
    }

    /**
     * BatchWriteItem: applied by every member in log order, as one message; a retry is answered from the dedupe table.
     */
    private int onBatchWrite()
    {
        final long correlationId = batchWrite.correlationId();
        final Map<String, List<WriteRequest>> writesByTable = new LinkedHashMap<>();
        for (final BatchWriteItemRequestDecoder.TablesDecoder table : batchWrite.tables())
        {
            final List<WriteRequest> writes = new ArrayList<>();
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
                writes.add(WriteOp.DELETE.value() == op ? WriteRequest.delete(bytes) : WriteRequest.put(bytes));
            }
            writesByTable.computeIfAbsent(table.tableName(), k -> new ArrayList<>()).addAll(writes);
        }
        final BatchWriteResult result = shard.batchWriteItem(writesByTable);
        return WireValues.encodeBatchWriteResponse(sendBuffer, 0, headerEncoder, batchWriteResponse, correlationId,
            result.unprocessedItems(), result.writeUnits());
    }

    private int onListTables()
    {
        final ListTablesRequestDecoder d = listTables;
        final long correlationId = d.correlationId();
        final int limit = 0 == d.pageLimit() ? 100 : d.pageLimit();
        final String start = d.exclusiveStartTableName();
        final List<String> names = new ArrayList<>();
        final String last = shard.listTables(start.isEmpty() ? null : start, limit, names);
        listResponse.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).correlationId(correlationId);
        final ListTablesResponseEncoder.TableNamesEncoder group = listResponse.tableNamesCount(names.size());
        for (final String name : names)
        {
            group.next().tableName(name);
        }
        listResponse.lastEvaluatedTableName(null == last ? "" : last);
        return MessageHeaderEncoder.ENCODED_LENGTH + listResponse.encodedLength();
    }

    private int encodeDescription(final long correlationId, final TableDescription description, final TableStatus status)
    {
        final TableSpec spec = description.spec();
        final TableCapacity capacity = capacityOf(spec);
        tableResponse.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .tableId(description.tableId())
            .status(status)
            .itemCount(description.itemCount())
            .sizeBytes(description.sizeBytes())
            .createdEpochMs(description.createdEpochMs())
            .partitionCount(description.partitionCount())
            .billingMode(BillingMode.PROVISIONED == capacity.billingMode() ?
                io.ferrite.codecs.sbe.BillingMode.PROVISIONED : io.ferrite.codecs.sbe.BillingMode.PAY_PER_REQUEST)
            .readCapacityUnits(capacity.readCapacityUnits())
            .writeCapacityUnits(capacity.writeCapacityUnits());
        final TableDescriptionResponseEncoder.KeySchemaEncoder keys =
            tableResponse.keySchemaCount(null == spec.sortKeyName() ? 1 : 2);
        keys.next().keyRole(KeyRole.HASH).attributeType(TableRequests.attributeType(spec.partitionKeyType()))
            .attributeName(spec.partitionKeyName());
        if (null != spec.sortKeyName())
        {
            keys.next().keyRole(KeyRole.RANGE).attributeType(TableRequests.attributeType(spec.sortKeyType())).attributeName(spec.sortKeyName());
        }
        tableResponse.tableName(spec.tableName());
        return MessageHeaderEncoder.ENCODED_LENGTH + tableResponse.encodedLength();
    }

    private int encodeError(final long correlationId, final ErrorCode code, final String message)
    {
        errorResponse.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode(code)
            .message(message);
        return MessageHeaderEncoder.ENCODED_LENGTH + errorResponse.encodedLength();
    }

    // ---------------------------------------------------------------------------------------------
    // Checksum
    // ---------------------------------------------------------------------------------------------

    /** A replica checksum: equal on members that hold the same items. */
    static final class Checksum
    {
        long checksum;
        long items;
        long logPosition;

        public String toString()
        {
            return "checksum=" + checksum + " items=" + items + " logPosition=" + logPosition;
        }
    }

    /**
     * @return an order-independent checksum of every item of every table (the sum of each item's xxh64, seeded
     * by its table name's), and the item count.
     */
    Checksum checksum()
    {
        final Checksum sum = new Checksum();
        final List<String> names = tableNames();
        for (final String name : names)
        {
            final byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
            final long seed = KeyHash.xxh64(new UnsafeBuffer(nameBytes), 0, nameBytes.length, 0);
            forEachItem(shard.table(name), (buffer, offset, length) ->
            {
                sum.checksum += KeyHash.xxh64(buffer, offset, length, seed);
                sum.items++;
            });
        }
        return sum;
    }

    private List<String> tableNames()
    {
        final List<String> names = new ArrayList<>();
        String start = null;
        do
        {
            start = shard.listTables(start, 100, names);
        }
        while (null != start);
        return names;
    }

    private void forEachItem(final Table table, final ItemHandler handler)
    {
        final ScanRequest s = new ScanRequest().reset();
        s.limit(1024);
        do
        {
            shard.scan(table, s, handler);
        }
        while (s.continueFromLastEvaluatedKey());
    }

    // ---------------------------------------------------------------------------------------------
    // Snapshot
    // ---------------------------------------------------------------------------------------------

    /**
     * Writes the whole state as a sequence of records: a header, each table (spec, capacity, creation time, id),
     * its items in batches, the dedupe table in insertion order, an end marker. Little-endian; a string is its
     * UTF-8 length (int32, -1 for null) and bytes:
     * <pre>
     * header := 1:int32 version:int32 clockNs:int64 tableCount:int32 dedupeCount:int64 nextTableId:int32
     * settings := 6:int32 recordedBy:int32 recordedAtLogPosition:int64 text:string   (when recorded)
     * table  := 2:int32 createdEpochMs:int64 provisioned:int8 readUnits:int64 writeUnits:int64
     *           name:string pkName:string pkType:int8 skName:string skType:int8 tableId:int32
     * items  := 3:int32 name:string count:int32 (length:int32 item:bytes)*
     * dedupe := 4:int32 count:int32 (clientId:int64 requestId:int64 length:int32 answer:bytes)*
     * end    := 5:int32
     * </pre>
     * Version 2 had no settings record (a member restored from it records the next SETTINGS message of the log);
     * version 1 had no nextTableId and no tableId: its tables are given new ids in name order when loaded.
     */
    void writeSnapshot(final SnapshotSink sink)
    {
        final MutableDirectBuffer b = snapshotBuffer;
        final List<String> names = tableNames();
        int p = 0;
        b.putInt(p, REC_HEADER, ByteOrder.LITTLE_ENDIAN);
        b.putInt(p + 4, SNAPSHOT_VERSION, ByteOrder.LITTLE_ENDIAN);
        b.putLong(p + 8, clock.nowNs, ByteOrder.LITTLE_ENDIAN);
        b.putInt(p + 16, names.size(), ByteOrder.LITTLE_ENDIAN);
        b.putLong(p + 20, dedupe.size(), ByteOrder.LITTLE_ENDIAN);
        b.putInt(p + 28, shard.nextTableId(), ByteOrder.LITTLE_ENDIAN);
        sink.write(b, 0, 32);
        if (null != recordedSettings)
        {
            b.putInt(0, REC_SETTINGS, ByteOrder.LITTLE_ENDIAN);
            b.putInt(4, recordedSettingsBy, ByteOrder.LITTLE_ENDIAN);
            b.putLong(8, recordedSettingsAt, ByteOrder.LITTLE_ENDIAN);
            sink.write(b, 0, putString(b, 16, recordedSettings.text()));
        }

        for (final String name : names)
        {
            final TableDescription description = shard.describeTable(name);
            final TableSpec spec = description.spec();
            final TableCapacity capacity = capacityOf(spec);
            p = 0;
            b.putInt(p, REC_TABLE, ByteOrder.LITTLE_ENDIAN);
            b.putLong(p + 4, description.createdEpochMs(), ByteOrder.LITTLE_ENDIAN);
            b.putByte(p + 12, (byte)(BillingMode.PROVISIONED == capacity.billingMode() ? 1 : 0));
            b.putLong(p + 13, capacity.readCapacityUnits(), ByteOrder.LITTLE_ENDIAN);
            b.putLong(p + 21, capacity.writeCapacityUnits(), ByteOrder.LITTLE_ENDIAN);
            p = 29;
            p = putString(b, p, spec.tableName());
            p = putString(b, p, spec.partitionKeyName());
            b.putByte(p++, (byte)spec.partitionKeyType().ordinal());
            p = putString(b, p, spec.sortKeyName());
            b.putByte(p++, (byte)(null == spec.sortKeyType() ? -1 : spec.sortKeyType().ordinal()));
            b.putInt(p, description.tableId(), ByteOrder.LITTLE_ENDIAN);
            p += 4;
            sink.write(b, 0, p);

            final int[] batch = new int[2]; // position, count
            final int itemsStart = putString(b, 4, name) + 4;
            startItems(b, batch, itemsStart);
            forEachItem(shard.table(name), (buffer, offset, length) ->
            {
                // the item is copied before the sink is called: the sink may idle, and the scan's buffer is only
                // valid until the shard is used again
                b.putInt(batch[0], length, ByteOrder.LITTLE_ENDIAN);
                b.putBytes(batch[0] + 4, buffer, offset, length);
                batch[0] += 4 + length;
                batch[1]++;
                if (batch[0] >= SNAPSHOT_BATCH_BYTES)
                {
                    flushItems(sink, b, batch, itemsStart);
                    startItems(b, batch, itemsStart);
                }
            });
            if (batch[1] > 0)
            {
                flushItems(sink, b, batch, itemsStart);
            }
        }

        final int[] batch = new int[2];
        batch[0] = 8;
        dedupe.forEach((clientId, requestId, answer, length) ->
        {
            if (batch[0] + 20 + length > SNAPSHOT_BATCH_BYTES && batch[1] > 0)
            {
                flushDedupe(sink, b, batch);
            }
            b.putLong(batch[0], clientId, ByteOrder.LITTLE_ENDIAN);
            b.putLong(batch[0] + 8, requestId, ByteOrder.LITTLE_ENDIAN);
            b.putInt(batch[0] + 16, length, ByteOrder.LITTLE_ENDIAN);
            b.putBytes(batch[0] + 20, answer, 0, length);
            batch[0] += 20 + length;
            batch[1]++;
        });
        if (batch[1] > 0)
        {
            flushDedupe(sink, b, batch);
        }
        b.putInt(0, REC_END, ByteOrder.LITTLE_ENDIAN);
        sink.write(b, 0, 4);
    }

    private static void startItems(final MutableDirectBuffer b, final int[] batch, final int itemsStart)
    {
        batch[0] = itemsStart;
        batch[1] = 0;
    }

    private static void flushItems(final SnapshotSink sink, final MutableDirectBuffer b, final int[] batch, final int itemsStart)
    {
        b.putInt(0, REC_ITEMS, ByteOrder.LITTLE_ENDIAN);
        b.putInt(itemsStart - 4, batch[1], ByteOrder.LITTLE_ENDIAN);
        sink.write(b, 0, batch[0]);
    }

    private static void flushDedupe(final SnapshotSink sink, final MutableDirectBuffer b, final int[] batch)
    {
        b.putInt(0, REC_DEDUPE, ByteOrder.LITTLE_ENDIAN);
        b.putInt(4, batch[1], ByteOrder.LITTLE_ENDIAN);
        sink.write(b, 0, batch[0]);
        batch[0] = 8;
        batch[1] = 0;
    }

    /**
     * Loads one snapshot record (in the order written).
     *
     * @return true after the end marker.
     */
    boolean loadSnapshotRecord(final DirectBuffer b, final int offset, final int length)
    {
        final int type = b.getInt(offset, ByteOrder.LITTLE_ENDIAN);
        switch (type)
        {
            case REC_HEADER:
            {
                final int version = b.getInt(offset + 4, ByteOrder.LITTLE_ENDIAN);
                if (version < SNAPSHOT_VERSION_WITHOUT_TABLE_IDS || version > SNAPSHOT_VERSION)
                {
                    throw new IllegalStateException("cell snapshot version " + version + " is not one of " +
                        SNAPSHOT_VERSION_WITHOUT_TABLE_IDS + " to " + SNAPSHOT_VERSION);
                }
                loadingSnapshotVersion = version;
                clock.nowNs = b.getLong(offset + 8, ByteOrder.LITTLE_ENDIAN);
                if (version >= SNAPSHOT_VERSION_WITHOUT_SETTINGS)
                {
                    shard.restoreNextTableId(b.getInt(offset + 28, ByteOrder.LITTLE_ENDIAN));
                }
                return false;
            }
            case REC_TABLE:
            {
                final long createdEpochMs = b.getLong(offset + 4, ByteOrder.LITTLE_ENDIAN);
                final boolean provisioned = 1 == b.getByte(offset + 12);
                final long read = b.getLong(offset + 13, ByteOrder.LITTLE_ENDIAN);
                final long write = b.getLong(offset + 21, ByteOrder.LITTLE_ENDIAN);
                final int[] p = { offset + 29 };
                final String tableName = getString(b, p);
                final String pkName = getString(b, p);
                final KeyType pkType = KeyType.values()[b.getByte(p[0]++)];
                final String skName = getString(b, p);
                final byte skType = b.getByte(p[0]++);
                final boolean withId = SNAPSHOT_VERSION_WITHOUT_TABLE_IDS != loadingSnapshotVersion;
                final int tableId = withId ? b.getInt(p[0], ByteOrder.LITTLE_ENDIAN) : 0;
                TableSpec spec = TableSpec.of(tableName).partitionKey(pkName, pkType)
                    .capacity(provisioned ? TableCapacity.provisioned(read, write) : TableCapacity.ON_DEMAND);
                if (null != skName)
                {
                    spec = spec.sortKey(skName, KeyType.values()[skType]);
                }
                final long now = clock.nowNs;
                clock.nowNs = createdEpochMs * 1_000_000L; // the table keeps its creation time
                forgetTables();
                if (withId)
                {
                    shard.restoreTable(spec, tableId); // the same id as on the member that wrote it
                }
                else
                {
                    shard.createTable(spec);
                }
                clock.nowNs = now;
                return false;
            }
            case REC_ITEMS:
            {
                final int[] p = { offset + 4 };
                final Table table = shard.table(getString(b, p));
                final int count = b.getInt(p[0], ByteOrder.LITTLE_ENDIAN);
                int q = p[0] + 4;
                for (int i = 0; i < count; i++)
                {
                    final int itemLength = b.getInt(q, ByteOrder.LITTLE_ENDIAN);
                    shard.restoreItem(table, b, q + 4, itemLength); // a stored item: a store's bounds, not a request's
                    q += 4 + itemLength;
                }
                return false;
            }
            case REC_DEDUPE:
            {
                final int count = b.getInt(offset + 4, ByteOrder.LITTLE_ENDIAN);
                int q = offset + 8;
                for (int i = 0; i < count; i++)
                {
                    final long clientId = b.getLong(q, ByteOrder.LITTLE_ENDIAN);
                    final long requestId = b.getLong(q + 8, ByteOrder.LITTLE_ENDIAN);
                    final int answerLength = b.getInt(q + 16, ByteOrder.LITTLE_ENDIAN);
                    dedupe.restore(clientId, requestId, b, q + 20, answerLength);
                    q += 20 + answerLength;
                }
                return false;
            }
            case REC_SETTINGS:
            {
                recordedSettingsBy = b.getInt(offset + 4, ByteOrder.LITTLE_ENDIAN);
                recordedSettingsAt = b.getLong(offset + 8, ByteOrder.LITTLE_ENDIAN);
                recordedSettings = CellSettings.parse(getString(b, new int[] { offset + 16 }));
                return false;
            }
            case REC_END:
                return true;
            default:
                throw new IllegalStateException("unknown cell snapshot record type " + type + " (" + length + " bytes)");
        }
    }

    private static int putString(final MutableDirectBuffer b, final int p, final String s)
    {
        if (null == s)
        {
            b.putInt(p, -1, ByteOrder.LITTLE_ENDIAN);
            return p + 4;
        }
        final byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.putInt(p, bytes.length, ByteOrder.LITTLE_ENDIAN);
        b.putBytes(p + 4, bytes);
        return p + 4 + bytes.length;
    }

    private static String getString(final DirectBuffer b, final int[] p)
    {
        final int length = b.getInt(p[0], ByteOrder.LITTLE_ENDIAN);
        p[0] += 4;
        if (length < 0)
        {
            return null;
        }
        final byte[] bytes = new byte[length];
        b.getBytes(p[0], bytes);
        p[0] += length;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------

    static void deleteRecursively(final Path dir)
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + dir, ex);
        }
    }

    public void close()
    {
        if (null != shard)
        {
            shard.close();
            shard = null;
        }
    }

    /** The cell clock: the cluster time of the message being applied, in epoch nanoseconds. */
    static final class CellClock implements EpochNanoClock
    {
        long nowNs;

        public long nanoTime()
        {
            return nowNs;
        }
    }
}
