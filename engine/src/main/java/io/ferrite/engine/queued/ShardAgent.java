package io.ferrite.engine.queued;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.shard.AttributeUpdates;
import io.ferrite.engine.shard.ItemHandler;
import io.ferrite.engine.shard.QueryRequest;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.Shard;
import io.ferrite.engine.shard.SortKeyCondition;
import io.ferrite.engine.shard.Table;
import io.ferrite.engine.table.KeyType;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

import static io.ferrite.engine.queued.CommandLayout.*;

/**
 * The shard loop in queued mode: an Agrona {@link Agent} that owns a {@link Shard} and, each duty cycle,
 * runs a bounded batch of commands from the command ring and of tasks from the task queue, then the shard's
 * own duty cycle (batched fsync, checkpoints). Every command gets exactly one completion, written to the
 * submitting client's response ring: the result, or an error code with a message. A
 * {@link FerriteException} becomes its code; any other RuntimeException becomes InternalServerError, is
 * logged, and the loop goes on.
 * <p>
 * <b>Threading:</b> every method runs on the agent's thread (started by {@link QueuedShard}); the shard is
 * touched by no other thread while the agent runs.
 * <p>
 * <b>A full response ring</b> is never dropped into: the completion that does not fit is parked (one at a
 * time) and the agent stops taking commands, for every client, until that client polls and the completion
 * is written. The command ring then fills and submitters see back-pressure. A slow client therefore stalls
 * the shard: commands share one ring and keep their order, so none can overtake it. Tasks and the shard's
 * duty cycle go on meanwhile. A completion for a closed client is dropped. While the shard closes, a completion
 * that does not fit is kept aside for the client's later polls instead of parked.
 * <p>
 * <b>Allocation:</b> none per command on the success path of GetItem, PutItem, DeleteItem, UpdateItem and
 * Query. Errors and tasks allocate.
 */
public final class ShardAgent implements Agent, ControlledMessageHandler
{
    /** The agent's role name (its thread's name). */
    public static final String ROLE_NAME = "ferrite-shard";
    /** Bytes kept free at the end of a Query completion for its LastEvaluatedKey. */
    static final int LAST_KEY_RESERVE = 8192;
    /** The largest completion the agent builds: a 1 MB page, its per-item lengths and the key. */
    static final int RESPONSE_SCRATCH_BYTES = 2 * 1024 * 1024;
    /** How long close waits for a command claimed in the ring to be committed before it skips it. */
    static final long UNCOMMITTED_CLAIM_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    private static final Logger LOG = LoggerFactory.getLogger(ShardAgent.class);
    private static final ReturnValues[] RETURN_VALUES = ReturnValues.values();
    private static final SortKeyCondition[] CONDITIONS = SortKeyCondition.values();

    private final Shard shard;
    private final ManyToOneRingBuffer commands;
    private final ManyToOneConcurrentArrayQueue<TaskCommand<?>> tasks;
    private final AtomicReferenceArray<ShardClient> clients;
    private final TableRegistry tableRegistry;
    private final NanoClock clock;
    private final int commandBatchLimit;
    private final int taskBatchLimit;

    private final Table[] tables = new Table[TableRegistry.MAX_NAMES];
    private final byte[][] partitionKeyNames = new byte[TableRegistry.MAX_NAMES][];
    private final byte[][] sortKeyNames = new byte[TableRegistry.MAX_NAMES][];
    private final UnsafeBuffer response = new UnsafeBuffer(ByteBuffer.allocateDirect(RESPONSE_SCRATCH_BYTES));
    private final QueryRequest query = new QueryRequest();
    private final AttributeUpdates attributeUpdates = new AttributeUpdates();
    private final ItemHandler itemToResponse = this::onItem;
    private final ItemHandler itemToPage = this::onPageItem;
    private final Consumer<TaskCommand<?>> taskRunner = this::runTask;

    private ShardClient client;
    private int responseLimit;
    private int bodyLength;
    private int pagePosition;
    private int pageCount;
    private int lastItemOffset;
    private int lastItemLength;
    private boolean pageTruncated;

    /** The Error that stopped the shard ({@link #stop}); null while it serves. */
    private Error fatal;
    private String fatalMessage;
    private ShardClient pendingClient;
    private int pendingMsgTypeId;
    private int pendingLength;
    private boolean closing;
    private Throwable closeFailure;

    ShardAgent(
        final Shard shard,
        final ManyToOneRingBuffer commands,
        final ManyToOneConcurrentArrayQueue<TaskCommand<?>> tasks,
        final AtomicReferenceArray<ShardClient> clients,
        final TableRegistry tableRegistry,
        final NanoClock clock,
        final int commandBatchLimit,
        final int taskBatchLimit)
    {
        this.shard = shard;
        this.commands = commands;
        this.tasks = tasks;
        this.clients = clients;
        this.tableRegistry = tableRegistry;
        this.clock = clock;
        this.commandBatchLimit = commandBatchLimit;
        this.taskBatchLimit = taskBatchLimit;
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return ROLE_NAME;
    }

    /**
     * One duty cycle: a parked completion, then up to a batch of tasks and of commands, then the shard's
     * background work.
     *
     * @return work done; 0 lets the idle strategy back off.
     */
    public int doWork()
    {
        int work = 0;
        final boolean stalled = null != pendingClient && !flushPending();
        if (!stalled)
        {
            work += commands.controlledRead(this, commandBatchLimit);
        }
        work += tasks.drain(taskRunner, taskBatchLimit);
        if (null == fatal)
        {
            try
            {
                work += shard.doDutyCycle(clock.nanoTime());
            }
            catch (final Error ex)
            {
                stop(ex);
            }
        }
        return work;
    }

    /**
     * After an {@link Error} on the shard thread (e.g. the {@link InternalError} a SIGBUS in one of the shard's mapped
     * files becomes) the shard's state cannot be trusted: the agent stops using it, and answers every later command
     * (and task) at once with an InternalServerError that says so, instead of dying and leaving its clients waiting.
     * At close the shard is abandoned, as a crash would leave it, and the next open recovers it from its log.
     */
    private void stop(final Error ex)
    {
        if (null == fatal)
        {
            fatal = ex;
            fatalMessage = "The shard stopped after a fatal error (" + ex + ") and serves nothing until it is " +
                "reopened; reopening recovers it from its log";
            LOG.error("shard stopped: every later request is answered with an error until it is reopened", ex);
        }
    }

    /**
     * Runs every command and task submitted before close, then closes the shard, which checkpoints, so a restart finds
     * every executed write without replaying the WAL. A completion that does not fit its client's response ring is
     * kept for the client's later polls ({@link ShardClient#keepAtClose}) rather than dropped: the client that closes
     * the shard is often the one that would poll. The command ring is read until its tail, so a command claimed
     * before close and committed a moment later is run too (see {@code ShardClient.claim}); a failure of the shard's
     * close is kept for {@link QueuedShard#close()} to throw.
     */
    public void onClose()
    {
        closing = true;
        if (null != pendingClient && !flushPending())
        {
            pendingClient.keepAtClose(response, 0, pendingLength);
            pendingClient = null;
        }
        long waitedSinceNs = 0;
        while (true)
        {
            final int work = commands.controlledRead(this, commandBatchLimit) + tasks.drain(taskRunner, taskBatchLimit);
            if (work > 0)
            {
                waitedSinceNs = 0;
                continue;
            }
            if (commands.consumerPosition() == commands.producerPosition() && tasks.isEmpty())
            {
                break;
            }
            // a claim not yet committed (its submitter is between tryClaim and commit): wait for it, within reason
            final long nowNs = System.nanoTime();
            if (0 == waitedSinceNs)
            {
                waitedSinceNs = nowNs;
            }
            else if (nowNs - waitedSinceNs > UNCOMMITTED_CLAIM_TIMEOUT_NS && commands.unblock())
            {
                LOG.warn("a command claimed in the ring was not committed within {} ms of close; it was skipped " +
                    "(its submitter's commit will fail)", TimeUnit.NANOSECONDS.toMillis(UNCOMMITTED_CLAIM_TIMEOUT_NS));
                waitedSinceNs = 0;
            }
            Thread.yield();
        }
        try
        {
            if (null != fatal)
            {
                shard.abandon();
                return;
            }
            shard.close();
        }
        catch (final RuntimeException | Error ex)
        {
            closeFailure = ex;
            throw ex;
        }
    }

    /**
     * @return what the shard's close threw, or null (read by {@link QueuedShard#close()} after the agent's thread
     * ended, which publishes it).
     */
    Throwable closeFailure()
    {
        return closeFailure;
    }

    /**
     * Runs one command and writes its completion. Called by the command ring's read, on the agent thread.
     *
     * @return CONTINUE, or BREAK when the client's response ring is full and the completion is parked.
     */
    public Action onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final long correlationId = buffer.getLong(index + CORRELATION_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
        client = clients.get(buffer.getInt(index + CLIENT_ID_OFFSET, ByteOrder.LITTLE_ENDIAN));
        if (null == client || client.isClosed())
        {
            // Nobody to answer, but the command was accepted: a write still happens.
            client = null;
        }
        responseLimit = null == client ? response.capacity() : Math.min(response.capacity(), client.maxResponseLength());
        bodyLength = 0;
        ErrorCode code = ErrorCode.OK;
        try
        {
            if (null != fatal)
            {
                throw new FerriteException(ErrorCode.InternalServerError, fatalMessage);
            }
            execute(msgTypeId, buffer, index, length);
        }
        catch (final FerriteException ex)
        {
            code = ex.code();
            putMessage(ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            LOG.error("command type {} correlationId {} failed unexpectedly; answered InternalServerError",
                msgTypeId, correlationId, ex);
            code = ErrorCode.InternalServerError;
            putMessage(ex.toString());
        }
        catch (final Error ex)
        {
            stop(ex);
            code = ErrorCode.InternalServerError;
            putMessage(fatalMessage);
        }

        if (null == client)
        {
            return Action.CONTINUE;
        }
        response.putLong(ResponseLayout.CORRELATION_ID_OFFSET, correlationId, ByteOrder.LITTLE_ENDIAN);
        response.putShort(ResponseLayout.ERROR_CODE_OFFSET, (short)code.value(), ByteOrder.LITTLE_ENDIAN);
        response.putShort(ResponseLayout.ERROR_CODE_OFFSET + 2, (short)0, ByteOrder.LITTLE_ENDIAN);
        final int responseLength = ResponseLayout.HEADER_LENGTH + bodyLength;
        if (client.offerResponse(msgTypeId, response, 0, responseLength))
        {
            return Action.CONTINUE;
        }
        if (closing)
        {
            client.keepAtClose(response, 0, responseLength);
            return Action.CONTINUE;
        }
        pendingClient = client;
        pendingMsgTypeId = msgTypeId;
        pendingLength = responseLength;
        return Action.BREAK;
    }

    private boolean flushPending()
    {
        if (pendingClient.isClosed() || pendingClient.offerResponse(pendingMsgTypeId, response, 0, pendingLength))
        {
            pendingClient = null;
            return true;
        }
        return false;
    }

    private void execute(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final int tableId = buffer.getInt(index + TABLE_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
        switch (msgTypeId)
        {
            case GET_ITEM:
            {
                final int itemLength = itemLength(buffer, index, length);
                shard.getItem(table(tableId), buffer, index + ITEM_OFFSET, itemLength, itemToResponse);
                break;
            }
            case PUT_ITEM:
            {
                final int itemLength = itemLength(buffer, index, length);
                shard.putItem(table(tableId), buffer, index + ITEM_OFFSET, itemLength, null,
                    returnValues(buffer, index), itemToResponse);
                break;
            }
            case DELETE_ITEM:
            {
                final int itemLength = itemLength(buffer, index, length);
                shard.deleteItem(table(tableId), buffer, index + ITEM_OFFSET, itemLength, null,
                    returnValues(buffer, index), itemToResponse);
                break;
            }
            case UPDATE_ITEM:
                updateItem(tableId, buffer, index, length);
                break;
            case QUERY:
                query(tableId, buffer, index, length);
                break;
            default:
                throw FerriteException.validation("Unknown command type " + msgTypeId + " (" + length + " bytes)");
        }
    }

    private void updateItem(final int tableId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final int keyLength = buffer.getInt(index + UPDATE_KEY_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final int setsLength = buffer.getInt(index + UPDATE_SETS_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final int removesLength = buffer.getInt(index + UPDATE_REMOVES_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
        checkLengths(length, UPDATE_BYTES_OFFSET, keyLength, setsLength, removesLength, 0);
        final int keyOffset = index + UPDATE_BYTES_OFFSET;
        final int setsOffset = keyOffset + keyLength;
        final int removesOffset = setsOffset + setsLength;
        attributeUpdates.wrap(
            0 == setsLength ? null : buffer, setsOffset, setsLength,
            0 == removesLength ? null : buffer, removesOffset, removesLength);
        shard.updateItem(table(tableId), buffer, keyOffset, keyLength, attributeUpdates, null,
            returnValues(buffer, index), itemToResponse);
    }

    private void query(final int tableId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final int pkLength = buffer.getInt(index + QUERY_PK_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final int skLength = buffer.getInt(index + QUERY_SK_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final int upperLength = buffer.getInt(index + QUERY_SK_UPPER_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final int startKeyLength = buffer.getInt(index + QUERY_START_KEY_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
        checkLengths(length, QUERY_BYTES_OFFSET, pkLength, skLength, upperLength, startKeyLength);
        final int conditionOrdinal = buffer.getByte(index + QUERY_CONDITION_OFFSET);
        if (conditionOrdinal < 0 || conditionOrdinal >= CONDITIONS.length)
        {
            throw FerriteException.validation("Malformed Query command: sort key condition " + conditionOrdinal);
        }

        final Table table = table(tableId);
        int position = index + QUERY_BYTES_OFFSET;
        query.reset();
        setValue(query.partitionKey(), buffer.getByte(index + QUERY_PK_TYPE_OFFSET), buffer, position, pkLength);
        position += pkLength;
        setValue(query.sortKey(CONDITIONS[conditionOrdinal]), buffer.getByte(index + QUERY_SK_TYPE_OFFSET),
            buffer, position, skLength);
        position += skLength;
        setValue(query.sortKeyUpper(), buffer.getByte(index + QUERY_SK_UPPER_TYPE_OFFSET), buffer, position,
            upperLength);
        position += upperLength;
        query.exclusiveStartKey(buffer, position, startKeyLength);
        query.limit(buffer.getInt(index + QUERY_LIMIT_OFFSET, ByteOrder.LITTLE_ENDIAN));
        query.scanIndexForward(0 != buffer.getByte(index + QUERY_FORWARD_OFFSET));

        pagePosition = ResponseLayout.HEADER_LENGTH + ResponseLayout.PAGE_ITEMS_OFFSET;
        pageCount = 0;
        pageTruncated = false;
        shard.query(table, query, itemToPage);

        final int lastKeyLength;
        if (pageTruncated)
        {
            if (0 == pageCount)
            {
                throw responseTooLarge(pagePosition + lastItemLength + ResponseLayout.PAGE_ITEM_LENGTH_LENGTH +
                    LAST_KEY_RESERVE);
            }
            lastKeyLength = keyOf(tableId, table, lastItemOffset, pagePosition);
        }
        else if (query.hasLastEvaluatedKey())
        {
            lastKeyLength = query.lastEvaluatedKeyLength();
            response.putBytes(pagePosition, query.lastEvaluatedKey(), 0, lastKeyLength);
        }
        else
        {
            lastKeyLength = 0;
        }
        final int body = ResponseLayout.HEADER_LENGTH;
        response.putInt(body + ResponseLayout.PAGE_COUNT_OFFSET, pageCount, ByteOrder.LITTLE_ENDIAN);
        response.putInt(body + ResponseLayout.PAGE_LAST_KEY_LENGTH_OFFSET, lastKeyLength, ByteOrder.LITTLE_ENDIAN);
        bodyLength = pagePosition + lastKeyLength - body;
    }

    /**
     * A page bigger than the client's largest completion is cut after the last item that fits, and its
     * LastEvaluatedKey becomes that item's key: the client reads the rest as further pages, as it would
     * after DynamoDB's 1 MB cut.
     */
    private void onPageItem(final DirectBuffer buffer, final int offset, final int length)
    {
        if (pageTruncated)
        {
            return;
        }
        final int end = pagePosition + ResponseLayout.PAGE_ITEM_LENGTH_LENGTH + length;
        if (end > responseLimit - LAST_KEY_RESERVE)
        {
            pageTruncated = true;
            if (0 == pageCount)
            {
                lastItemLength = length;
            }
            return;
        }
        response.putInt(pagePosition, length, ByteOrder.LITTLE_ENDIAN);
        lastItemOffset = pagePosition + ResponseLayout.PAGE_ITEM_LENGTH_LENGTH;
        lastItemLength = length;
        response.putBytes(lastItemOffset, buffer, offset, length);
        pagePosition = end;
        pageCount++;
    }

    private void onItem(final DirectBuffer buffer, final int offset, final int length)
    {
        if (ResponseLayout.HEADER_LENGTH + length > responseLimit)
        {
            throw responseTooLarge(ResponseLayout.HEADER_LENGTH + length);
        }
        response.putBytes(ResponseLayout.HEADER_LENGTH, buffer, offset, length);
        bodyLength = length;
    }

    /**
     * Writes the key item of the item at {@code itemOffset} (its key attributes, in the item's name order,
     * which is the canonical order) at {@code dst}.
     */
    private int keyOf(final int tableId, final Table table, final int itemOffset, final int dst)
    {
        final byte[] pkName = partitionKeyNames[tableId];
        final byte[] skName = table.hasSortKey() ? sortKeyNames[tableId] : null;
        final int count = ItemFormat.attributeCount(response, itemOffset);
        int entry = ItemFormat.firstEntry(itemOffset);
        int out = dst + ItemFormat.COUNT_LENGTH;
        int keys = 0;
        for (int i = 0; i < count; i++)
        {
            final int entryLength = ItemFormat.entryLength(response, entry);
            if (isName(entry, pkName) || (null != skName && isName(entry, skName)))
            {
                response.putBytes(out, response, entry, entryLength);
                out += entryLength;
                keys++;
            }
            entry += entryLength;
        }
        response.putInt(dst, keys, ByteOrder.LITTLE_ENDIAN);
        return out - dst;
    }

    private boolean isName(final int entry, final byte[] name)
    {
        if (ItemFormat.nameLength(response, entry) != name.length)
        {
            return false;
        }
        final int nameOffset = ItemFormat.nameOffset(entry);
        for (int i = 0; i < name.length; i++)
        {
            if (response.getByte(nameOffset + i) != name[i])
            {
                return false;
            }
        }
        return true;
    }

    private Table table(final int tableId)
    {
        final Table cached = tableId >= 0 && tableId < tables.length ? tables[tableId] : null;
        if (null != cached && !cached.isDeleted())
        {
            return cached;
        }
        final String name = tableRegistry.name(tableId);
        if (null == name)
        {
            throw new FerriteException(ErrorCode.ResourceNotFoundException,
                "Requested resource not found: no table name is registered under id " + tableId);
        }
        final Table table = shard.table(name);
        tables[tableId] = table;
        partitionKeyNames[tableId] = table.definition().spec().partitionKeyName().getBytes(StandardCharsets.UTF_8);
        sortKeyNames[tableId] = table.hasSortKey() ?
            table.definition().spec().sortKeyName().getBytes(StandardCharsets.UTF_8) : null;
        return table;
    }

    private static int itemLength(final DirectBuffer buffer, final int index, final int length)
    {
        final int itemLength = buffer.getInt(index + ITEM_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
        checkLengths(length, ITEM_OFFSET, itemLength, 0, 0, 0);
        return itemLength;
    }

    private static ReturnValues returnValues(final DirectBuffer buffer, final int index)
    {
        final int ordinal = buffer.getByte(index + RETURN_VALUES_OFFSET);
        if (ordinal < 0 || ordinal >= RETURN_VALUES.length)
        {
            throw FerriteException.validation("Malformed command: ReturnValues " + ordinal);
        }
        return RETURN_VALUES[ordinal];
    }

    private static void checkLengths(
        final int recordLength, final int fixedLength, final int a, final int b, final int c, final int d)
    {
        if (a < 0 || b < 0 || c < 0 || d < 0 || (long)fixedLength + a + b + c + d != recordLength)
        {
            throw FerriteException.validation("Malformed command: field lengths " + a + ", " + b + ", " + c + ", " +
                d + " after " + fixedLength + " fixed bytes do not add up to the record's " + recordLength + " bytes");
        }
    }

    private static void setValue(
        final io.ferrite.engine.shard.KeyValue value,
        final byte typeCode,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final KeyType type = ShardClient.keyType(typeCode);
        if (null != type)
        {
            value.payload(type, buffer, offset, length);
        }
    }

    private FerriteException responseTooLarge(final int length)
    {
        return new FerriteException(ErrorCode.InternalServerError, "The response of " + length + " bytes does " +
            "not fit this client's response ring, whose largest message is " + responseLimit + " bytes " +
            "(responseQueueBytes=" + (null == client ? 0 : client.responseQueueBytes()) + "); a write, if this " +
            "was one, was applied nevertheless");
    }

    private void putMessage(final String message)
    {
        final String text = null == message ? "" : message;
        final int room = responseLimit - ResponseLayout.HEADER_LENGTH;
        final String fitting = text.length() * 3 > room ? text.substring(0, room / 3) : text;
        bodyLength = response.putStringWithoutLengthUtf8(ResponseLayout.HEADER_LENGTH, fitting);
    }

    private void runTask(final TaskCommand<?> task)
    {
        if (null != fatal)
        {
            task.refuse(new FerriteException(ErrorCode.InternalServerError, fatalMessage));
            return;
        }
        try
        {
            task.run(shard);
        }
        catch (final Error ex)
        {
            stop(ex); // its future already holds the Error
        }
    }
}
