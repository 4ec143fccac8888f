package io.ferrite.engine.queued;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.shard.KeyValue;
import io.ferrite.engine.shard.QueryRequest;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.ThreadOwner;
import io.ferrite.engine.table.KeyType;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentLinkedQueue;

import static io.ferrite.engine.queued.CommandLayout.*;

/**
 * One submitting thread's handle on a {@link QueuedShard}: requests go into the shard's shared command
 * ring, completions come back through this client's own response ring and are delivered when the client
 * {@link #poll polls}, matched by the correlation id the caller chose (any long; the shard does not
 * interpret it, so ids may repeat if the caller can tell the completions apart).
 * <p>
 * <b>Threading:</b> not thread-safe. One thread owns a client and makes every call on it; every thread that
 * submits needs its own client ({@link QueuedShard#newClient()}). The response ring is single-producer
 * (the shard thread) and single-consumer (this thread). The first thread to submit or poll owns the client; a submit
 * or poll from another thread while the owner lives is refused with an IllegalStateException (a check of the calling
 * thread, no allocation), and once the owner has ended (joined, say) the next thread to use the client owns it.
 * {@link #close()}, {@link #isClosed()}, {@link #inFlight()} and {@link #tableId} may be called from any thread.
 * <p>
 * <b>Back-pressure:</b> a submit method returns false at once when the command ring has no room; nothing is
 * buffered and nothing blocks. Poll and try again later. A request bigger than the command ring's largest
 * message (commandQueueBytes / 8) can never be queued and is refused with an IllegalArgumentException, as is a
 * null buffer or an offset and length that are not inside their buffer; nothing is submitted then, and the shard
 * goes on serving every client.
 * <p>
 * <b>Allocation:</b> the submit methods and {@link #poll} allocate nothing. Requests are copied into the
 * ring, so the caller's buffers may be reused as soon as a submit returns. The blocking conveniences and
 * error completions' messages allocate.
 */
public final class ShardClient implements AutoCloseable
{
    private static final KeyType[] KEY_TYPES = KeyType.values();

    private final int clientId;
    private final QueuedShard owner;
    private final ManyToOneRingBuffer commands;
    private final OneToOneRingBuffer responses;
    private final MessageHandler responseReader = this::onResponseRecord;
    private final IdleStrategy blockingIdle = new BackoffIdleStrategy();
    private final BlockingCapture blockingCapture = new BlockingCapture();
    /**
     * Completions the agent wrote while the shard closed that did not fit the response ring (the client was not
     * polling), in order after everything in the ring: {@link #poll} delivers them once the ring is empty.
     */
    private final ConcurrentLinkedQueue<byte[]> closeOverflow = new ConcurrentLinkedQueue<>();
    private final UnsafeBuffer overflowView = new UnsafeBuffer(new byte[0]);
    /** Set (once) by the agent when a completion went to {@link #closeOverflow}; later ones follow it there. */
    private volatile boolean overflowed;
    private ResponseHandler handler;
    private long inFlight;
    private volatile boolean closed;
    /** The thread that submits and polls ({@link #checkOwner()}); none until the first submit or poll. */
    private final ThreadOwner ownerThread = new ThreadOwner();

    ShardClient(
        final int clientId, final QueuedShard owner, final ManyToOneRingBuffer commands, final OneToOneRingBuffer responses)
    {
        this.clientId = clientId;
        this.owner = owner;
        this.commands = commands;
        this.responses = responses;
    }

    /**
     * The id to pass as {@code tableId}; registers the name on first use (allocates then only). The id
     * stands for the name: requests for a name with no table complete with ResourceNotFoundException. Ids are never
     * reused (an id a caller still holds must not come to mean another table), so a queued shard registers at most
     * 4,096 distinct names in its life, names that never had a table included: keep an id per name rather than
     * asking for generated names' ids.
     *
     * @param tableName the table's name.
     * @return its id, valid for every client of the same shard.
     * @throws IllegalStateException when 4,096 other names are registered already, saying so.
     */
    public int tableId(final String tableName)
    {
        return owner.tableId(tableName);
    }

    /**
     * GetItem. Completes with the item bytes, or an empty body when there is no item.
     *
     * @param correlationId echoed in the completion.
     * @param tableId       from {@link #tableId}.
     * @param key           key item bytes: exactly the key attributes.
     * @param offset        where they start.
     * @param length        their length.
     * @return false when the command ring is full (back-pressure): nothing was submitted.
     */
    public boolean getItem(
        final long correlationId, final int tableId, final DirectBuffer key, final int offset, final int length)
    {
        return submitItem(GET_ITEM, correlationId, tableId, ReturnValues.NONE, key, offset, length);
    }

    /**
     * PutItem, returning nothing.
     *
     * @param correlationId echoed in the completion.
     * @param tableId       from {@link #tableId}.
     * @param item          canonical item bytes, key attributes included.
     * @param offset        where they start.
     * @param length        their length.
     * @return false when the command ring is full (back-pressure): nothing was submitted.
     */
    public boolean putItem(
        final long correlationId, final int tableId, final DirectBuffer item, final int offset, final int length)
    {
        return submitItem(PUT_ITEM, correlationId, tableId, ReturnValues.NONE, item, offset, length);
    }

    /**
     * PutItem. Completes with the replaced item for ALL_OLD when there was one, else an empty body.
     *
     * @param correlationId echoed in the completion.
     * @param tableId       from {@link #tableId}.
     * @param item          canonical item bytes, key attributes included.
     * @param offset        where they start.
     * @param length        their length.
     * @param returnValues  NONE or ALL_OLD.
     * @return false when the command ring is full (back-pressure): nothing was submitted.
     */
    public boolean putItem(
        final long correlationId,
        final int tableId,
        final DirectBuffer item,
        final int offset,
        final int length,
        final ReturnValues returnValues)
    {
        return submitItem(PUT_ITEM, correlationId, tableId, returnValues, item, offset, length);
    }

    /**
     * DeleteItem. Completes with the deleted item for ALL_OLD when there was one, else an empty body.
     *
     * @param correlationId echoed in the completion.
     * @param tableId       from {@link #tableId}.
     * @param key           key item bytes.
     * @param offset        where they start.
     * @param length        their length.
     * @param returnValues  NONE or ALL_OLD.
     * @return false when the command ring is full (back-pressure): nothing was submitted.
     */
    public boolean deleteItem(
        final long correlationId,
        final int tableId,
        final DirectBuffer key,
        final int offset,
        final int length,
        final ReturnValues returnValues)
    {
        return submitItem(DELETE_ITEM, correlationId, tableId, returnValues, key, offset, length);
    }

    /**
     * UpdateItem with attribute updates (set whole attributes, remove whole attributes; see
     * {@link io.ferrite.engine.shard.AttributeUpdates}). Completes with what ReturnValues asks for.
     *
     * @param correlationId echoed in the completion.
     * @param tableId       from {@link #tableId}.
     * @param key           key item bytes.
     * @param keyOffset     where they start.
     * @param keyLength     their length.
     * @param sets          an item of the attributes to set, or null.
     * @param setsOffset    where it starts.
     * @param setsLength    its length.
     * @param removes       an item naming the attributes to remove (values ignored), or null.
     * @param removesOffset where it starts.
     * @param removesLength its length.
     * @param returnValues  which attributes to return.
     * @return false when the command ring is full (back-pressure): nothing was submitted.
     */
    public boolean updateItem(
        final long correlationId,
        final int tableId,
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer sets, final int setsOffset, final int setsLength,
        final DirectBuffer removes, final int removesOffset, final int removesLength,
        final ReturnValues returnValues)
    {
        checkRange("key", key, keyOffset, keyLength);
        final int setsBytes = null == sets ? 0 : setsLength;
        final int removesBytes = null == removes ? 0 : removesLength;
        if (null != sets)
        {
            checkRange("sets", sets, setsOffset, setsLength);
        }
        if (null != removes)
        {
            checkRange("removes", removes, removesOffset, removesLength);
        }
        final int index = claim(UPDATE_ITEM, UPDATE_BYTES_OFFSET + keyLength + setsBytes + removesBytes);
        if (index < 0)
        {
            return false;
        }
        try
        {
            final AtomicBuffer buffer = commands.buffer();
            putHeader(buffer, index, correlationId, tableId);
            buffer.putByte(index + RETURN_VALUES_OFFSET, (byte)returnValues.ordinal());
            buffer.putInt(index + UPDATE_KEY_LENGTH_OFFSET, keyLength, ByteOrder.LITTLE_ENDIAN);
            buffer.putInt(index + UPDATE_SETS_LENGTH_OFFSET, setsBytes, ByteOrder.LITTLE_ENDIAN);
            buffer.putInt(index + UPDATE_REMOVES_LENGTH_OFFSET, removesBytes, ByteOrder.LITTLE_ENDIAN);
            int position = index + UPDATE_BYTES_OFFSET;
            buffer.putBytes(position, key, keyOffset, keyLength);
            position += keyLength;
            if (setsBytes > 0)
            {
                buffer.putBytes(position, sets, setsOffset, setsBytes);
                position += setsBytes;
            }
            if (removesBytes > 0)
            {
                buffer.putBytes(position, removes, removesOffset, removesBytes);
            }
        }
        catch (final RuntimeException | Error ex)
        {
            abort(index);
            throw ex;
        }
        return commit(index);
    }

    /**
     * Query: one page. The request's inputs are copied (its outcome fields are not touched; the outcome
     * arrives in the completion, read with {@link QueryPage}). To read the next page, set the page's
     * LastEvaluatedKey as the request's ExclusiveStartKey and submit again. A request with a filter or a
     * projection is refused with an IllegalArgumentException: those are compiled objects, which cannot cross the
     * command ring.
     *
     * @param correlationId echoed in the completion.
     * @param tableId       from {@link #tableId}.
     * @param request       the query's inputs.
     * @return false when the command ring is full (back-pressure): nothing was submitted.
     */
    public boolean query(final long correlationId, final int tableId, final QueryRequest request)
    {
        if (null != request.filter() || null != request.projection())
        {
            throw new IllegalArgumentException("a Query with a " + (null != request.filter() ?
                "FilterExpression" : "ProjectionExpression") + " cannot be submitted: compiled expressions are " +
                "objects and the command ring carries bytes, so the shard would run it without; run it as a task " +
                "(QueuedShard.execute) or filter and project the page's items here");
        }
        final KeyValue pk = request.partitionKey();
        final KeyValue sk = request.sortKeyValue();
        final KeyValue upper = request.sortKeyUpper();
        final int startKeyLength = request.exclusiveStartKeyLength();
        final int index = claim(
            QUERY, QUERY_BYTES_OFFSET + pk.length() + sk.length() + upper.length() + startKeyLength);
        if (index < 0)
        {
            return false;
        }
        try
        {
            writeQuery(index, correlationId, tableId, request, startKeyLength);
        }
        catch (final RuntimeException | Error ex)
        {
            abort(index);
            throw ex;
        }
        return commit(index);
    }

    private void writeQuery(
        final int index, final long correlationId, final int tableId, final QueryRequest request,
        final int startKeyLength)
    {
        final KeyValue pk = request.partitionKey();
        final KeyValue sk = request.sortKeyValue();
        final KeyValue upper = request.sortKeyUpper();
        final AtomicBuffer buffer = commands.buffer();
        putHeader(buffer, index, correlationId, tableId);
        buffer.putInt(index + QUERY_LIMIT_OFFSET, request.limit(), ByteOrder.LITTLE_ENDIAN);
        buffer.putByte(index + QUERY_CONDITION_OFFSET, (byte)request.condition().ordinal());
        buffer.putByte(index + QUERY_FORWARD_OFFSET, (byte)(request.scanIndexForward() ? 1 : 0));
        buffer.putByte(index + QUERY_PK_TYPE_OFFSET, typeCode(pk.type()));
        buffer.putByte(index + QUERY_SK_TYPE_OFFSET, typeCode(sk.type()));
        buffer.putByte(index + QUERY_SK_UPPER_TYPE_OFFSET, typeCode(upper.type()));
        buffer.putInt(index + QUERY_PK_LENGTH_OFFSET, pk.length(), ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(index + QUERY_SK_LENGTH_OFFSET, sk.length(), ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(index + QUERY_SK_UPPER_LENGTH_OFFSET, upper.length(), ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(index + QUERY_START_KEY_LENGTH_OFFSET, startKeyLength, ByteOrder.LITTLE_ENDIAN);
        int position = index + QUERY_BYTES_OFFSET;
        position = putValue(buffer, position, pk);
        position = putValue(buffer, position, sk);
        position = putValue(buffer, position, upper);
        buffer.putBytes(position, request.exclusiveStartKey(), 0, startKeyLength);
    }

    /**
     * Delivers the completions that have arrived, up to a batch of them.
     *
     * @param handler receives each completion.
     * @return how many were delivered.
     */
    public int poll(final ResponseHandler handler)
    {
        return poll(handler, Integer.MAX_VALUE);
    }

    /**
     * Delivers up to {@code limit} completions that have arrived. A handler may submit, but not poll (nor make a
     * blocking call): that is refused with an IllegalStateException.
     *
     * @param handler receives each completion.
     * @param limit   the most to deliver.
     * @return how many were delivered.
     */
    public int poll(final ResponseHandler handler, final int limit)
    {
        checkOwner();
        if (null != this.handler)
        {
            // the ring's head moves only when the outer read ends: an inner read would deliver the same records again
            throw new IllegalStateException("client " + clientId + " was polled from inside a ResponseHandler (a " +
                "blocking call does too): record what the handler needs and act on it after poll returns; " +
                "submitting from a handler is allowed");
        }
        this.handler = handler;
        try
        {
            int delivered = responses.read(responseReader, limit);
            if (delivered < limit && overflowed)
            {
                delivered += pollOverflow(limit - delivered);
            }
            return delivered;
        }
        finally
        {
            this.handler = null;
        }
    }

    /**
     * Delivers completions kept aside at close, once every completion before them in the ring has been delivered
     * (the ring is read in blocks that end at its wrap, so it is read until it is empty first). Close path only.
     */
    private int pollOverflow(final int limit)
    {
        int delivered = 0;
        while (delivered < limit)
        {
            final int read = responses.read(responseReader, limit - delivered);
            delivered += read;
            if (0 == read)
            {
                break;
            }
        }
        while (delivered < limit)
        {
            final byte[] record = closeOverflow.poll();
            if (null == record)
            {
                break;
            }
            overflowView.wrap(record);
            onResponseRecord(0, overflowView, 0, record.length);
            delivered++;
        }
        return delivered;
    }

    /**
     * @return requests submitted whose completions have not been delivered yet.
     */
    public long inFlight()
    {
        return inFlight;
    }

    /**
     * GetItem, waiting for its completion (allocates). Only with no other request in flight, so that no
     * completion of another request is taken here.
     *
     * @param tableId   from {@link #tableId}.
     * @param key       key item bytes.
     * @param offset    where they start.
     * @param length    their length.
     * @param timeoutNs the longest to wait for room and for the completion.
     * @return a copy of the item, or null when there is none.
     * @throws FerriteException     for an error completion.
     * @throws IllegalStateException when requests are in flight, on the shard's own thread (a task), or on timeout
     *                              (the completion then arrives at a later poll).
     */
    public byte[] getItemBlocking(
        final int tableId, final DirectBuffer key, final int offset, final int length, final long timeoutNs)
    {
        final long deadlineNs = beginBlocking(timeoutNs);
        while (!getItem(0, tableId, key, offset, length))
        {
            idleUntil(deadlineNs);
        }
        awaitBlocking(deadlineNs);
        return blockingCapture.body.length > 0 ? blockingCapture.body : null;
    }

    /**
     * PutItem, waiting for its completion (allocates). Only with no other request in flight.
     *
     * @param tableId   from {@link #tableId}.
     * @param item      canonical item bytes.
     * @param offset    where they start.
     * @param length    their length.
     * @param timeoutNs the longest to wait for room and for the completion.
     * @throws FerriteException     for an error completion.
     * @throws IllegalStateException when requests are in flight, on the shard's own thread (a task), or on timeout.
     */
    public void putItemBlocking(
        final int tableId, final DirectBuffer item, final int offset, final int length, final long timeoutNs)
    {
        final long deadlineNs = beginBlocking(timeoutNs);
        while (!putItem(0, tableId, item, offset, length))
        {
            idleUntil(deadlineNs);
        }
        awaitBlocking(deadlineNs);
    }

    /**
     * Stops the shard from answering this client: completions still to come are dropped. Commands already
     * queued are still executed.
     */
    public void close()
    {
        closed = true;
        owner.release(clientId);
    }

    /**
     * @return true once {@link #close()} has been called.
     */
    public boolean isClosed()
    {
        return closed;
    }

    int clientId()
    {
        return clientId;
    }

    /**
     * Called on the shard thread only: the single producer of the response ring.
     */
    boolean offerResponse(final int msgTypeId, final DirectBuffer buffer, final int offset, final int length)
    {
        return !overflowed && responses.write(msgTypeId, buffer, offset, length);
    }

    /**
     * Called on the shard thread only, while the shard closes: keeps a completion that the response ring has no room
     * for (allocating: close path only), to be delivered by a later {@link #poll}, after what the ring holds.
     */
    void keepAtClose(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] record = new byte[length];
        buffer.getBytes(offset, record);
        closeOverflow.add(record);
        overflowed = true;
    }

    int maxResponseLength()
    {
        return responses.maxMsgLength();
    }

    int responseQueueBytes()
    {
        return responses.capacity();
    }

    private boolean submitItem(
        final int msgTypeId,
        final long correlationId,
        final int tableId,
        final ReturnValues returnValues,
        final DirectBuffer bytes,
        final int offset,
        final int length)
    {
        checkRange(GET_ITEM == msgTypeId || DELETE_ITEM == msgTypeId ? "key" : "item", bytes, offset, length);
        final int index = claim(msgTypeId, ITEM_OFFSET + length);
        if (index < 0)
        {
            return false;
        }
        try
        {
            final AtomicBuffer buffer = commands.buffer();
            putHeader(buffer, index, correlationId, tableId);
            buffer.putByte(index + RETURN_VALUES_OFFSET, (byte)returnValues.ordinal());
            buffer.putInt(index + ITEM_LENGTH_OFFSET, length, ByteOrder.LITTLE_ENDIAN);
            buffer.putBytes(index + ITEM_OFFSET, bytes, offset, length);
        }
        catch (final RuntimeException | Error ex)
        {
            abort(index);
            throw ex;
        }
        return commit(index);
    }

    /**
     * Refuses a range that is not inside its buffer before anything is claimed in the command ring: a write that
     * failed half way into a claimed slot would leave it uncommitted, and the agent, reading the ring in order, would
     * wait for it for ever.
     */
    private static void checkRange(final String what, final DirectBuffer buffer, final int offset, final int length)
    {
        if (null == buffer)
        {
            throw new IllegalArgumentException(what + " buffer is null");
        }
        if (offset < 0 || length < 0 || (long)offset + length > buffer.capacity())
        {
            throw new IllegalArgumentException(what + " [offset=" + offset + ", length=" + length + "] is outside " +
                "its buffer of " + buffer.capacity() + " bytes");
        }
    }

    /**
     * Refuses a second live thread: two threads on one client would race on {@link #inFlight} and, polling, would both
     * consume the single-consumer response ring. The first caller binds the client; a caller after the owner ended
     * takes it over (the end of a thread happens-before another thread sees it not alive).
     */
    private void checkOwner()
    {
        if (!ownerThread.isOwnedByCaller())
        {
            throw new IllegalStateException("client " + clientId + " is used by thread " + ownerThread.ownerName() +
                ", not by " + Thread.currentThread().getName() + ": a ShardClient belongs to one thread; take one per " +
                "submitting thread (QueuedShard.newClient())");
        }
    }

    /**
     * Gives a claimed slot back as padding, which the agent skips, so that a failure after the claim cannot leave it
     * uncommitted and stall the ring.
     */
    private void abort(final int index)
    {
        commands.abort(index);
    }

    private int claim(final int msgTypeId, final int length)
    {
        checkOwner();
        if (closed)
        {
            throw new IllegalStateException("client " + clientId + " is closed");
        }
        if (owner.isClosed())
        {
            throw new IllegalStateException("queued shard is closed: " + owner.dataDir());
        }
        if (length > commands.maxMsgLength())
        {
            throw new IllegalArgumentException("a command of " + length + " bytes exceeds the command ring's " +
                "largest message of " + commands.maxMsgLength() + " bytes (ferrite.engine.commandQueueBytes=" +
                (commands.capacity()) + ", the largest message is an eighth of it)");
        }
        // tryClaim reserves space with a CAS on the tail; the record stays invisible to the agent until
        // commit() publishes its length with a release (ordered) store.
        final int index = commands.tryClaim(msgTypeId, length);
        if (index < 0)
        {
            return -1;
        }
        // Read again after the claim's CAS (a full fence): close sets the flag (volatile) before the agent's last
        // read of the tail, so either this read sees it and the slot is given back, or the agent's read sees the
        // claim and waits for its commit. A command is then never left in the ring unrun and unanswered.
        if (owner.isClosed())
        {
            commands.abort(index);
            throw new IllegalStateException("queued shard is closed: " + owner.dataDir());
        }
        return index;
    }

    private boolean commit(final int index)
    {
        commands.commit(index);
        inFlight++;
        return true;
    }

    private void putHeader(final MutableDirectBuffer buffer, final int index, final long correlationId, final int tableId)
    {
        buffer.putLong(index + CORRELATION_ID_OFFSET, correlationId, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(index + CLIENT_ID_OFFSET, clientId, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(index + TABLE_ID_OFFSET, tableId, ByteOrder.LITTLE_ENDIAN);
    }

    private static int putValue(final MutableDirectBuffer buffer, final int position, final KeyValue value)
    {
        buffer.putBytes(position, value.buffer(), 0, value.length());
        return position + value.length();
    }

    private static byte typeCode(final KeyType type)
    {
        return null == type ? 0 : (byte)(type.ordinal() + 1);
    }

    static KeyType keyType(final byte code)
    {
        return code <= 0 || code > KEY_TYPES.length ? null : KEY_TYPES[code - 1];
    }

    private void onResponseRecord(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        inFlight--;
        final long correlationId = buffer.getLong(index + ResponseLayout.CORRELATION_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final ErrorCode code = ErrorCode.get(buffer.getShort(index + ResponseLayout.ERROR_CODE_OFFSET,
            ByteOrder.LITTLE_ENDIAN) & 0xFFFF);
        handler.onResponse(correlationId, code, buffer, index + ResponseLayout.HEADER_LENGTH,
            length - ResponseLayout.HEADER_LENGTH);
    }

    private long beginBlocking(final long timeoutNs)
    {
        if (owner.onShardThread())
        {
            throw new IllegalStateException("a blocking call on the shard's own thread (from a task) would wait for " +
                "a completion only that thread can write, stalling every client for its timeout; use the Shard the " +
                "task is given");
        }
        if (0 != inFlight)
        {
            throw new IllegalStateException("a blocking call needs no request in flight; " + inFlight +
                " completions are still to be polled");
        }
        blockingCapture.reset();
        blockingIdle.reset();
        return System.nanoTime() + timeoutNs;
    }

    private void awaitBlocking(final long deadlineNs)
    {
        blockingIdle.reset();
        while (!blockingCapture.done)
        {
            if (0 == poll(blockingCapture, 1))
            {
                idleUntil(deadlineNs);
            }
        }
        if (ErrorCode.OK != blockingCapture.code)
        {
            throw new FerriteException(blockingCapture.code, blockingCapture.message);
        }
    }

    private void idleUntil(final long deadlineNs)
    {
        if (System.nanoTime() - deadlineNs > 0)
        {
            throw new IllegalStateException("no completion from the shard within the timeout; " + inFlight +
                " requests in flight");
        }
        blockingIdle.idle();
    }

    private static final class BlockingCapture implements ResponseHandler
    {
        private static final byte[] EMPTY = new byte[0];

        boolean done;
        ErrorCode code;
        String message;
        byte[] body = EMPTY;

        void reset()
        {
            done = false;
            code = null;
            message = null;
            body = EMPTY;
        }

        public void onResponse(
            final long correlationId, final ErrorCode errorCode, final DirectBuffer buffer, final int offset,
            final int length)
        {
            done = true;
            code = errorCode;
            if (ErrorCode.OK == errorCode)
            {
                body = new byte[length];
                buffer.getBytes(offset, body);
            }
            else
            {
                message = ResponseLayout.message(errorCode, buffer, offset, length);
            }
        }
    }
}
