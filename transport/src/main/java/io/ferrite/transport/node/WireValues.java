package io.ferrite.transport.node;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.codecs.sbe.BatchGetItemResponseEncoder;
import io.ferrite.codecs.sbe.BatchWriteItemResponseEncoder;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import io.ferrite.codecs.sbe.WriteOp;
import io.ferrite.engine.expr.ConditionExpression;
import io.ferrite.engine.expr.KeyConditionExpression;
import io.ferrite.engine.expr.ProjectionExpression;
import io.ferrite.engine.expr.UpdateExpression;
import io.ferrite.engine.shard.BatchGetResult;
import io.ferrite.engine.shard.KeyValue;
import io.ferrite.engine.shard.QueryRequest;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.Shard;
import io.ferrite.engine.shard.SortKeyCondition;
import io.ferrite.engine.shard.Table;
import io.ferrite.engine.shard.WriteRequest;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Request fields as they arrive on the wire, turned into the engine's types with DynamoDB's errors for bad ones:
 * shared by the node's shard loops and the cell's service, which decode the same SBE requests.
 * <p>
 * Threading: stateless static methods; no allocation unless a field is bad.
 */
public final class WireValues
{
    /**
     * Classes a request reaches only when it carries some field, loaded with this class (on the first request) so
     * that no shard thread loads one in the middle of a run: compiled code that meets a class not yet loaded is
     * deoptimized and the thread then loads it. Seen for {@link KeyConditionExpression} on a node whose queries had
     * none: about 25-35 KB of class-loading garbage on the shard thread, the first time a Query was served by the
     * C2-compiled {@link #keyConditions}, 40,000 requests in.
     */
    @SuppressWarnings("unused")
    private static final Class<?>[] LOADED_AHEAD = { KeyConditionExpression.class };

    private WireValues()
    {
    }

    /**
     * @param raw a request's ReturnValues field (0 or the null value 255: NONE).
     * @return the engine's ReturnValues.
     * @throws FerriteException ValidationException for a value outside the enum.
     */
    public static ReturnValues returnValues(final short raw)
    {
        switch (raw)
        {
            case 0:
            case 255:
                return ReturnValues.NONE;
            case 1:
                return ReturnValues.ALL_OLD;
            case 2:
                return ReturnValues.UPDATED_OLD;
            case 3:
                return ReturnValues.ALL_NEW;
            case 4:
                return ReturnValues.UPDATED_NEW;
            default:
                throw FerriteException.validation("1 validation error detected: Value '" + raw + "' at 'returnValues' " +
                    "failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, " +
                    "NONE, UPDATED_NEW]");
        }
    }

    /**
     * @param raw      a BooleanType field as the wire carries it (FALSE 0, TRUE 1, the null value 255, or anything).
     * @param ifNull   the value of an absent or null field.
     * @param field    the field's name, for the error.
     * @return the flag.
     * @throws FerriteException ValidationException for a value outside the enum, naming the field and the value.
     */
    public static boolean booleanValue(final short raw, final boolean ifNull, final String field)
    {
        switch (raw)
        {
            case 0:
                return false;
            case 1:
                return true;
            case 255:
                return ifNull;
            default:
                throw FerriteException.validation("1 validation error detected: Value '" + raw + "' at '" + field +
                    "' failed to satisfy constraint: Member must satisfy enum value set: [true, false]");
        }
    }

    /**
     * @param raw a QueryRequest's condition field (0 or the null value 255: NONE).
     * @return the engine's SortKeyCondition.
     * @throws FerriteException ValidationException for a value outside the enum.
     */
    public static SortKeyCondition sortKeyCondition(final short raw)
    {
        switch (raw)
        {
            case 0:
            case 255:
                return SortKeyCondition.NONE;
            case 1:
                return SortKeyCondition.EQ;
            case 2:
                return SortKeyCondition.LT;
            case 3:
                return SortKeyCondition.LE;
            case 4:
                return SortKeyCondition.GT;
            case 5:
                return SortKeyCondition.GE;
            case 6:
                return SortKeyCondition.BETWEEN;
            case 7:
                return SortKeyCondition.BEGINS_WITH;
            default:
                throw FerriteException.validation("Invalid KeyConditionExpression: unknown sort key condition " + raw +
                    " (expected EQ, LT, LE, GT, GE, BETWEEN or BEGINS_WITH)");
        }
    }

    /**
     * Sets a key value from an item-format value (tag + body) whose bytes nobody has checked yet.
     *
     * @param value  the value's bytes, exactly.
     * @param target receives the key's type and payload.
     * @param field  the request field's name, for the error.
     * @throws FerriteException ValidationException for a type that is not S, N or B; SerializationException when
     *                          the bytes do not hold one value.
     */
    public static void keyValue(final DirectBuffer value, final KeyValue target, final String field)
    {
        final int length = value.capacity();
        final byte tag = value.getByte(0);
        final KeyType type;
        final int payloadOffset;
        final int payloadLength;
        switch (tag)
        {
            case ItemFormat.TYPE_S:
                type = KeyType.S;
                payloadOffset = 5;
                payloadLength = length >= 5 ? value.getInt(1, ByteOrder.LITTLE_ENDIAN) : -1;
                break;
            case ItemFormat.TYPE_B:
                type = KeyType.B;
                payloadOffset = 5;
                payloadLength = length >= 5 ? value.getInt(1, ByteOrder.LITTLE_ENDIAN) : -1;
                break;
            case ItemFormat.TYPE_N:
                type = KeyType.N;
                payloadOffset = 2;
                payloadLength = length >= 2 ? value.getByte(1) & 0xFF : -1;
                break;
            default:
                throw FerriteException.validation("One or more parameter values were invalid: " + field + " has type tag " +
                    tag + ", but a key value must be S, N or B");
        }
        if (payloadLength < 0 || payloadOffset + payloadLength != length)
        {
            throw new FerriteException(ErrorCode.SerializationException, field + " is malformed: " + length +
                " bytes do not hold one " + type + " value");
        }
        target.payload(type, value, payloadOffset, payloadLength);
    }

    /**
     * Sets a Query's key conditions from either its KeyConditionExpression or its structured fields, refusing a
     * request that gives both, as DynamoDB does.
     *
     * @param table        the queried table.
     * @param keyCondition the compiled KeyConditionExpression, or null when the request has none.
     * @param condition    the structured sort key condition.
     * @param partition    the structured partition key value (empty when absent).
     * @param sortKey      the structured sort key value (empty when absent).
     * @param upper        the structured BETWEEN upper bound (empty when absent).
     * @param query        receives the conditions.
     * @throws FerriteException ValidationException for both kinds at once or a bad key value.
     */
    public static void keyConditions(
        final Table table,
        final KeyConditionExpression keyCondition,
        final SortKeyCondition condition,
        final DirectBuffer partition,
        final DirectBuffer sortKey,
        final DirectBuffer upper,
        final QueryRequest query)
    {
        if (null != keyCondition)
        {
            if (partition.capacity() > 0 || SortKeyCondition.NONE != condition)
            {
                throw FerriteException.validation("Can not use both expression and non-expression parameters in the " +
                    "same request: Non-expression parameters: {KeyConditions} Expression parameters: " +
                    "{KeyConditionExpression}");
            }
            keyCondition.applyTo(table, query);
            return;
        }
        if (partition.capacity() > 0)
        {
            keyValue(partition, query.partitionKey(), "partitionKeyValue");
        }
        final KeyValue low = query.sortKey(condition);
        if (SortKeyCondition.NONE != condition && sortKey.capacity() > 0)
        {
            keyValue(sortKey, low, "sortKeyValue");
        }
        if (SortKeyCondition.BETWEEN == condition && upper.capacity() > 0)
        {
            keyValue(upper, query.sortKeyUpper(), "sortKeyUpper");
        }
    }

    /**
     * Encodes a shard's BatchGetItem result as one response of at most {@code budget} bytes: items that would take it
     * past the budget go back as unprocessed keys, as DynamoDB does past its response size, with the keys the shard
     * itself left unprocessed.
     *
     * @param buffer        to write the message (header included) into.
     * @param offset        where the message starts in it.
     * @param header        header encoder to use.
     * @param encoder       response encoder to use.
     * @param correlationId the request's correlation id.
     * @param shard         the shard that read the items (for the tables' key schemas).
     * @param result        what it read.
     * @param consistent    per table of the request, whether its reads were strongly consistent (what they cost).
     * @param budget        the most bytes the whole message (header included) may take.
     * @param keyWriter     scratch writer for the keys of items past the budget.
     * @return the message's length; more than {@code budget} only if the unprocessed keys alone do not fit.
     */
    public static int encodeBatchGetResponse(
        final MutableDirectBuffer buffer,
        final int offset,
        final MessageHeaderEncoder header,
        final BatchGetItemResponseEncoder encoder,
        final long correlationId,
        final Shard shard,
        final BatchGetResult result,
        final Map<String, Boolean> consistent,
        final long budget,
        final ItemWriter keyWriter)
    {
        return encodeBatchGetResponse(buffer, offset, header, encoder, correlationId, result.responses(),
            itemHalfUnits(result, consistent), result.unprocessedKeys(), readHalfUnits(result, consistent),
            name -> shard.table(name).definition().spec(), budget, keyWriter);
    }

    /**
     * @return per table, what a shard's reads for a batch cost in half read capacity units (a new, mutable map).
     */
    static Map<String, Long> readHalfUnits(final BatchGetResult result, final Map<String, Boolean> consistent)
    {
        final Map<String, Long> readHalfUnits = new LinkedHashMap<>();
        for (final String table : result.readBlocks().keySet())
        {
            readHalfUnits.put(table, result.readHalfUnits(table, Boolean.TRUE.equals(consistent.get(table))));
        }
        return readHalfUnits;
    }

    /**
     * @return per table, the half read capacity units each item found cost, in the order of the items (a new map).
     */
    static Map<String, List<Long>> itemHalfUnits(final BatchGetResult result, final Map<String, Boolean> consistent)
    {
        final Map<String, List<Long>> itemHalfUnits = new LinkedHashMap<>();
        for (final Map.Entry<String, List<Long>> entry : result.itemBlocks().entrySet())
        {
            final long perBlock = Boolean.TRUE.equals(consistent.get(entry.getKey())) ? 2 : 1;
            final List<Long> units = new ArrayList<>(entry.getValue().size());
            for (final long blocks : entry.getValue())
            {
                units.add(perBlock * blocks);
            }
            itemHalfUnits.put(entry.getKey(), units);
        }
        return itemHalfUnits;
    }

    /**
     * Writes after a shard's BatchGetItem reply (inside the ring record, never on a client's stream) what each item
     * of the reply cost, so that the router, which may hand some of them back as unprocessed keys, can take exactly
     * their cost off the figure it reports and charges (a projected item's cost is its whole item's, which the router
     * cannot tell from the bytes it gets):
     * <pre>
     *   0                   1                   2                   3
     *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     *  +---------------------------------------------------------------+
     *  |   half read units of the reply's first item (int)             |
     *  +---------------------------------------------------------------+
     *  |   ... one int per item, tables and items in the reply's order ...
     *  +---------------------------------------------------------------+
     * </pre>
     *
     * @param buffer        where the reply was encoded.
     * @param offset        just past the reply's SBE message.
     * @param items         the items of the reply, by table name, in its order.
     * @param itemHalfUnits per table, each item's cost, in the same order.
     * @return the bytes written.
     */
    static int putItemHalfUnits(
        final MutableDirectBuffer buffer,
        final int offset,
        final Map<String, List<byte[]>> items,
        final Map<String, List<Long>> itemHalfUnits)
    {
        int position = offset;
        for (final String table : items.keySet())
        {
            for (final long units : itemHalfUnits.get(table))
            {
                buffer.putInt(position, (int)units);
                position += Integer.BYTES;
            }
        }
        return position - offset;
    }

    /**
     * Encodes a BatchGetItem response of at most {@code budget} bytes from the items found and the keys left
     * unprocessed: every unprocessed key goes in, and then as many items as fit; each item left out goes back as its
     * key, which counts against the budget too (a key can be 3 KB, an item 400 KB). The message's own bytes (header,
     * group headers, each table's name per group, each entry's length) are counted exactly.
     *
     * Items left out are neither reported nor charged: DynamoDB charges a batch for the items it returns, and a
     * client that resends the keys would otherwise pay for them twice (decision 0009).
     *
     * @param items         items found, by table name; the items left out are removed from its lists.
     * @param itemHalfUnits per table, what each of its items cost (half read capacity units), in the items' order;
     *                      kept in step with {@code items}.
     * @param unprocessed   keys not read, by table name.
     * @param readHalfUnits what the reads cost, half read capacity units by table name; lowered by what the items
     *                      left out cost, so that it holds what the response reports (and the caller charges).
     * @param specs         a table's spec by name (for the key of an item left out).
     * @param budget        the most bytes the whole message (header included) may take.
     * @param keyWriter     scratch writer for the keys of items left out.
     * @return the message's length; more than {@code budget} only if the unprocessed keys alone do not fit.
     */
    static int encodeBatchGetResponse(
        final MutableDirectBuffer buffer,
        final int offset,
        final MessageHeaderEncoder header,
        final BatchGetItemResponseEncoder encoder,
        final long correlationId,
        final Map<String, List<byte[]>> items,
        final Map<String, List<Long>> itemHalfUnits,
        final Map<String, List<byte[]>> unprocessed,
        final Map<String, Long> readHalfUnits,
        final Function<String, TableSpec> specs,
        final long budget,
        final ItemWriter keyWriter)
    {
        long keysBytes = batchGetBytes(items.keySet(), unprocessed.keySet(), readHalfUnits.keySet());
        long itemBytes = 0;
        for (final List<byte[]> keys : unprocessed.values())
        {
            keysBytes += entriesBytes(keys);
        }
        for (final List<byte[]> found : items.values())
        {
            itemBytes += entriesBytes(found);
        }
        if (keysBytes + itemBytes <= budget)
        {
            return encodeBatchGetResponse(buffer, offset, header, encoder, correlationId, items, unprocessed,
                readHalfUnits);
        }

        // start from every item left out (keys only) and put items back while they fit
        final Map<String, List<byte[]>> itemKeys = new LinkedHashMap<>();
        for (final Map.Entry<String, List<byte[]>> entry : items.entrySet())
        {
            final KeyItems keyItems = entry.getValue().isEmpty() ? null : new KeyItems(specs.apply(entry.getKey()));
            final List<byte[]> keys = new ArrayList<>(entry.getValue().size());
            for (final byte[] item : entry.getValue())
            {
                keys.add(keyItems.keyOf(item, keyWriter));
            }
            itemKeys.put(entry.getKey(), keys);
            keysBytes += entriesBytes(keys);
        }
        long used = keysBytes;
        final Map<String, List<byte[]>> rest = new LinkedHashMap<>();
        for (final Map.Entry<String, List<byte[]>> entry : items.entrySet())
        {
            final String table = entry.getKey();
            final List<byte[]> found = entry.getValue();
            final List<Long> costs = itemHalfUnits.get(table);
            final List<byte[]> keys = itemKeys.get(table);
            final List<byte[]> kept = new ArrayList<>();
            final List<Long> keptCosts = new ArrayList<>();
            long leftOut = 0;
            for (int i = 0; i < found.size(); i++)
            {
                final long instead = found.get(i).length - keys.get(i).length;
                if (used + instead <= budget)
                {
                    kept.add(found.get(i));
                    keptCosts.add(costs.get(i));
                    used += instead;
                }
                else
                {
                    rest.computeIfAbsent(table, k -> new ArrayList<>()).add(keys.get(i));
                    leftOut += costs.get(i);
                }
            }
            entry.setValue(kept);
            itemHalfUnits.put(table, keptCosts);
            if (leftOut > 0)
            {
                readHalfUnits.merge(table, -leftOut, Long::sum);
            }
        }
        unprocessed.forEach((name, keys) -> rest.computeIfAbsent(name, k -> new ArrayList<>()).addAll(keys));
        return encodeBatchGetResponse(buffer, offset, header, encoder, correlationId, items, rest, readHalfUnits);
    }

    /**
     * @return the bytes of a BatchGetItemResponse apart from its entries: header, block, the three groups' headers,
     * per table (counted in both groups, where it may appear) its items or keys group header and its name, and per
     * table charged its consumed capacity entry.
     */
    private static long batchGetBytes(final Set<String> itemTables, final Set<String> keyTables,
        final Set<String> chargedTables)
    {
        long bytes = MessageHeaderEncoder.ENCODED_LENGTH + BatchGetItemResponseEncoder.BLOCK_LENGTH +
            BatchGetItemResponseEncoder.ResponsesEncoder.HEADER_SIZE +
            BatchGetItemResponseEncoder.UnprocessedKeysEncoder.HEADER_SIZE +
            BatchGetItemResponseEncoder.ConsumedCapacityEncoder.HEADER_SIZE;
        final Set<String> tables = new HashSet<>(itemTables);
        tables.addAll(keyTables);
        for (final String table : tables)
        {
            final int name = table.getBytes(StandardCharsets.UTF_8).length;
            bytes += BatchGetItemResponseEncoder.ResponsesEncoder.ItemsEncoder.HEADER_SIZE +
                BatchGetItemResponseEncoder.ResponsesEncoder.tableNameHeaderLength() + name;
            bytes += BatchGetItemResponseEncoder.UnprocessedKeysEncoder.KeysEncoder.HEADER_SIZE +
                BatchGetItemResponseEncoder.UnprocessedKeysEncoder.tableNameHeaderLength() + name;
        }
        for (final String table : chargedTables)
        {
            bytes += BatchGetItemResponseEncoder.ConsumedCapacityEncoder.sbeBlockLength() +
                BatchGetItemResponseEncoder.ConsumedCapacityEncoder.tableNameHeaderLength() +
                table.getBytes(StandardCharsets.UTF_8).length;
        }
        return bytes;
    }

    /**
     * @return the bytes of items or keys as group entries (each with its length).
     */
    private static long entriesBytes(final List<byte[]> entries)
    {
        long bytes = 0;
        for (final byte[] entry : entries)
        {
            bytes += BatchGetItemResponseEncoder.ResponsesEncoder.ItemsEncoder.itemHeaderLength() + entry.length;
        }
        return bytes;
    }

    /**
     * Encodes a whole BatchGetItem response: the items found and the keys left unprocessed, each by table.
     *
     * @param buffer      to write the message (header included) into.
     * @param offset      where the message starts in it.
     * @param header      header encoder to use.
     * @param encoder     response encoder to use.
     * @param correlationId the request's correlation id.
     * @param items       items found, by table name.
     * @param unprocessed keys not read, by table name.
     * @param readHalfUnits what the reads cost, half read capacity units by table name.
     * @return the message's length.
     */
    public static int encodeBatchGetResponse(
        final MutableDirectBuffer buffer,
        final int offset,
        final MessageHeaderEncoder header,
        final BatchGetItemResponseEncoder encoder,
        final long correlationId,
        final Map<String, List<byte[]>> items,
        final Map<String, List<byte[]>> unprocessed,
        final Map<String, Long> readHalfUnits)
    {
        encoder.wrapAndApplyHeader(buffer, offset, header).correlationId(correlationId);
        final BatchGetItemResponseEncoder.ResponsesEncoder responses = encoder.responsesCount(items.size());
        for (final Map.Entry<String, List<byte[]>> entry : items.entrySet())
        {
            responses.next();
            final BatchGetItemResponseEncoder.ResponsesEncoder.ItemsEncoder group = responses.itemsCount(entry.getValue().size());
            for (final byte[] item : entry.getValue())
            {
                group.next().putItem(item, 0, item.length);
            }
            responses.tableName(entry.getKey());
        }
        final BatchGetItemResponseEncoder.UnprocessedKeysEncoder rest = encoder.unprocessedKeysCount(unprocessed.size());
        for (final Map.Entry<String, List<byte[]>> entry : unprocessed.entrySet())
        {
            rest.next();
            final BatchGetItemResponseEncoder.UnprocessedKeysEncoder.KeysEncoder keys = rest.keysCount(entry.getValue().size());
            for (final byte[] key : entry.getValue())
            {
                keys.next().putKey(key, 0, key.length);
            }
            rest.tableName(entry.getKey());
        }
        final BatchGetItemResponseEncoder.ConsumedCapacityEncoder consumed =
            encoder.consumedCapacityCount(readHalfUnits.size());
        for (final Map.Entry<String, Long> entry : readHalfUnits.entrySet())
        {
            consumed.next().readHalfUnits(entry.getValue()).writeUnits(0).tableName(entry.getKey());
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * Encodes a whole BatchWriteItem response: the writes left unprocessed and what the writes applied cost, each by
     * table.
     *
     * @param buffer        to write the message (header included) into.
     * @param offset        where the message starts in it.
     * @param header        header encoder to use.
     * @param encoder       response encoder to use.
     * @param correlationId the request's correlation id.
     * @param unprocessed   writes not applied, by table name.
     * @param writeUnits    write capacity units consumed, by table name.
     * @return the message's length.
     */
    public static int encodeBatchWriteResponse(
        final MutableDirectBuffer buffer,
        final int offset,
        final MessageHeaderEncoder header,
        final BatchWriteItemResponseEncoder encoder,
        final long correlationId,
        final Map<String, List<WriteRequest>> unprocessed,
        final Map<String, Long> writeUnits)
    {
        encoder.wrapAndApplyHeader(buffer, offset, header).correlationId(correlationId);
        final BatchWriteItemResponseEncoder.UnprocessedItemsEncoder rest =
            encoder.unprocessedItemsCount(unprocessed.size());
        for (final Map.Entry<String, List<WriteRequest>> entry : unprocessed.entrySet())
        {
            rest.next();
            final BatchWriteItemResponseEncoder.UnprocessedItemsEncoder.WritesEncoder writes =
                rest.writesCount(entry.getValue().size());
            for (final WriteRequest write : entry.getValue())
            {
                writes.next().op(write.put() ? WriteOp.PUT : WriteOp.DELETE)
                    .putItemOrKey(write.bytes(), 0, write.bytes().length);
            }
            rest.tableName(entry.getKey());
        }
        final BatchWriteItemResponseEncoder.ConsumedCapacityEncoder consumed =
            encoder.consumedCapacityCount(writeUnits.size());
        for (final Map.Entry<String, Long> entry : writeUnits.entrySet())
        {
            consumed.next().readHalfUnits(0).writeUnits(entry.getValue()).tableName(entry.getKey());
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * A request's expression fields compiled as the node's shard loop compiles them (the same byte-keyed cache, the
     * same DynamoDB rules for names and values), for a service outside this package that decodes the same requests
     * (the cell's): a request that repeats its fields' bytes decodes no string or map and allocates nothing.
     * <p>
     * Threading: one owner thread; after {@link #compile}, the accessors return that request's compiled expressions
     * (null for a field it has not), which hold scratch state and are that thread's.
     */
    public static final class Expressions
    {
        private final WireExpressions expressions = new WireExpressions();
        private WireExpressions.Compiled compiled = WireExpressions.NONE;

        /**
         * Compiles (or finds) a request's expressions. Each field is the var-data field's bytes (the buffer's whole
         * capacity; empty = not given), or null when the request has no such field.
         *
         * @param kind the request's template id.
         * @return this, holding that request's expressions (none after a failed compile).
         * @throws FerriteException ValidationException with DynamoDB's message.
         */
        public Expressions compile(
            final int kind,
            final DirectBuffer condition,
            final DirectBuffer update,
            final DirectBuffer keyCondition,
            final DirectBuffer filter,
            final DirectBuffer projection,
            final DirectBuffer names,
            final DirectBuffer values)
        {
            compiled = WireExpressions.NONE; // what the accessors return if this throws
            compiled = expressions.compile(kind, condition, update, keyCondition, filter, projection, names, values);
            return this;
        }

        /** @return ConditionExpression, or null. */
        public ConditionExpression condition()
        {
            return compiled.condition;
        }

        /** @return UpdateExpression, or null. */
        public UpdateExpression update()
        {
            return compiled.update;
        }

        /** @return KeyConditionExpression, or null. */
        public KeyConditionExpression keyCondition()
        {
            return compiled.keyCondition;
        }

        /** @return FilterExpression, or null. */
        public ConditionExpression filter()
        {
            return compiled.filter;
        }

        /** @return ProjectionExpression, or null. */
        public ProjectionExpression projection()
        {
            return compiled.projection;
        }
    }
}
