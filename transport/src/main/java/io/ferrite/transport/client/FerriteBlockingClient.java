package io.ferrite.transport.client;

import io.ferrite.engine.admission.BillingMode;
import io.ferrite.engine.admission.ConsumedCapacity;
import io.ferrite.engine.admission.ReturnConsumedCapacity;
import io.ferrite.engine.admission.TableCapacity;
import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.codecs.sbe.BatchGetItemResponseDecoder;
import io.ferrite.codecs.sbe.BatchWriteItemResponseDecoder;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.codecs.sbe.KeyRole;
import io.ferrite.codecs.sbe.ListTablesResponseDecoder;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import io.ferrite.codecs.sbe.TableDescriptionResponseDecoder;
import io.ferrite.codecs.sbe.WriteOp;
import io.ferrite.engine.api.ConditionalCheckFailedException;
import io.ferrite.engine.api.Ferrite;
import io.ferrite.engine.api.ReturnValuesOnConditionCheckFailure;
import io.ferrite.engine.api.Page;
import io.ferrite.engine.api.Query;
import io.ferrite.engine.api.Scan;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.WriteRequest;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableDescription;
import io.ferrite.engine.table.TableSpec;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Ferrite's blocking client API for tools, the CLI and tests: every operation takes and returns Java
 * values ({@code Map<String, AttributeValue>}, or item bytes) and waits for its answer, using the same
 * result types as the embedded API ({@link TableDescription}, {@link Page}, {@link Ferrite.BatchGet},
 * {@link WriteRequest}). Built on a {@link FerriteClient}: a call sends through it and polls it until
 * its answer arrives (answers to other requests of that client are dispatched meanwhile).
 * <p>
 * <b>Errors:</b> an error answer from the node throws {@link FerriteException} with the node's
 * {@link ErrorCode} and message (after the client's retries of retryable errors); a failure without an
 * answer (timeout, node gone, back-pressure past the deadline, closed, interrupted) throws
 * {@link FerriteClientException}. A send that Aeron back-pressures, or that finds the in-flight bound
 * reached, is retried with a backing-off wait; the request timeout bounds the whole call, that wait included.
 * An interrupt of the calling thread ends the call with {@link ClientFailure#INTERRUPTED} and leaves the
 * thread's interrupt status set (a request already sent stays in flight; the node may still apply it).
 * <p>
 * <b>Threading:</b> not thread-safe; one thread owns this object and its {@link FerriteClient}. Calls
 * allocate (it is the convenience API); use {@link #async()} for the garbage-free path.
 */
public final class FerriteBlockingClient implements AutoCloseable
{
    private final FerriteClient client;
    private final IdleStrategy idle = new BackoffIdleStrategy(
        1, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(200));
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ItemWriter writer = new ItemWriter();

    private ConsumedCapacity lastConsumedCapacity;
    private List<ConsumedCapacity> lastBatchConsumedCapacity = List.of();

    /**
     * Uses a client the caller connected (and still owns: closing this closes it).
     *
     * @param client a connected client, owned by the calling thread.
     */
    public FerriteBlockingClient(final FerriteClient client)
    {
        this.client = client;
    }

    /**
     * Connects a new client.
     *
     * @param config where and how to connect.
     * @return the blocking client.
     * @throws FerriteClientException when no node answers within the connect timeout.
     */
    public static FerriteBlockingClient connect(final ClientConfig config)
    {
        return new FerriteBlockingClient(FerriteClient.connect(config));
    }

    /**
     * @return the asynchronous client underneath (same owning thread).
     */
    public FerriteClient async()
    {
        return client;
    }

    /**
     * @return the client's counters.
     */
    public ClientCounters counters()
    {
        return client.counters();
    }

    /**
     * Closes the client underneath (Disconnect, then Aeron resources).
     */
    public void close()
    {
        client.close();
    }

    // ------------------------------------------------------------------------------------------------
    // Table management
    // ------------------------------------------------------------------------------------------------

    /**
     * CreateTable.
     *
     * @param spec name and key schema.
     * @return the new table's description.
     */
    public TableDescription createTable(final TableSpec spec)
    {
        final BlockingCall call = new BlockingCall();
        executeTableOperation(call, () -> client.createTable(spec, call));
        return tableDescription(call);
    }

    /**
     * DeleteTable.
     *
     * @param tableName the table.
     * @return the table's description as it was deleted.
     */
    public TableDescription deleteTable(final String tableName)
    {
        final BlockingCall call = new BlockingCall();
        executeTableOperation(call, () -> client.deleteTable(tableName, call));
        return tableDescription(call);
    }

    /**
     * UpdateTable: changes the billing mode or provisioned throughput; the node applies it at once (the answer's
     * status is ACTIVE).
     *
     * @param tableName the table.
     * @param capacity  the new capacity ({@link TableCapacity#provisioned} or {@link TableCapacity#ON_DEMAND}).
     * @return the table's description with its new capacity.
     */
    public TableDescription updateTable(final String tableName, final TableCapacity capacity)
    {
        final BlockingCall call = new BlockingCall();
        executeTableOperation(call, () -> client.updateTable(tableName, capacity.billingMode(),
            capacity.readCapacityUnits(), capacity.writeCapacityUnits(), call));
        return tableDescription(call);
    }

    /**
     * Sets DynamoDB's ReturnConsumedCapacity for the item operations, Query and Scan pages and batches called from now
     * on (NONE by default); with TOTAL or INDEXES, {@link #lastConsumedCapacity()} says what the last item operation or
     * {@link #query}/{@link #scan} page consumed and
     * {@link #lastBatchConsumedCapacity()} what the last BatchGetItem or BatchWriteItem consumed, per table. Setting
     * NONE forgets both. The mode is the {@link #async()} client's: setting it there counts here too.
     *
     * @param mode NONE, TOTAL or INDEXES.
     * @return this.
     */
    public FerriteBlockingClient returnConsumedCapacity(final ReturnConsumedCapacity mode)
    {
        client.returnConsumedCapacity(mode);
        if (ReturnConsumedCapacity.NONE == mode)
        {
            lastConsumedCapacity = null;
            lastBatchConsumedCapacity = List.of();
        }
        return this;
    }

    /**
     * What the last item operation (GetItem, PutItem, UpdateItem, DeleteItem) or the last {@link #query} or
     * {@link #scan} page consumed, as DynamoDB's ConsumedCapacity: the node reports it for each of
     * them while ReturnConsumedCapacity is TOTAL or INDEXES. For a Query or Scan page it is that one page's cost, read
     * units only: the total size of the items the page examined (before its FilterExpression and projection), rounded
     * up to 4 KB once for the page, half a unit a block when eventually consistent (decision 0009); a Scan page that
     * walked on through several of the node's shards reports as one page. A caller that reads several pages sums them
     * itself, as the AWS CLI does.
     * <p>
     * Null when the last item operation or page reported nothing (ReturnConsumedCapacity NONE, a failure the node
     * answered without it such as an unknown table or a throttle, a failure without an answer, a node older than
     * schema version 3): never an earlier call's figure, so that a caller summing pages or calls counts each report
     * once. Table operations and batches leave it as it was ({@link #lastBatchConsumedCapacity()}).
     *
     * @return what the last item operation or Query/Scan page consumed, or null if it reported nothing.
     */
    public ConsumedCapacity lastConsumedCapacity()
    {
        return lastConsumedCapacity;
    }

    /**
     * What the last {@link #batchGetItem} or {@link #batchWriteItem} consumed, as DynamoDB's BatchGetItem and
     * BatchWriteItem answer ConsumedCapacity: one entry per table the batch consumed capacity on, in the order of the
     * node's response, each with the table's total, read and write capacity units (a batch read reports read units
     * only, a batch write write units only).
     * <p>
     * The list is <b>empty, never null</b>, when that batch was called while ReturnConsumedCapacity was NONE (the
     * default: the node reports what a batch consumed whatever the mode, and this client drops it unless asked, as
     * DynamoDB answers no ConsumedCapacity unless asked), when it failed, when no batch has been called since the mode
     * was last set to NONE, and when the node is older than schema version 5 (its batch responses say nothing of
     * capacity). An item operation leaves it as it was.
     *
     * @return an unmodifiable list of what each table consumed, empty when not asked for or not known.
     */
    public List<ConsumedCapacity> lastBatchConsumedCapacity()
    {
        return lastBatchConsumedCapacity;
    }

    /**
     * DescribeTable.
     *
     * @param tableName the table.
     * @return its description.
     */
    public TableDescription describeTable(final String tableName)
    {
        final BlockingCall call = new BlockingCall();
        execute(call, () -> client.describeTable(tableName, call));
        return tableDescription(call);
    }

    /**
     * ListTables: every table name, following pages.
     *
     * @return the names in order.
     */
    public List<String> listTables()
    {
        final List<String> names = new ArrayList<>();
        String start = null;
        do
        {
            final ListTablesPage page = listTables(0, start);
            names.addAll(page.tableNames());
            start = page.lastEvaluatedTableName();
        }
        while (null != start);
        return names;
    }

    /**
     * ListTables: one page.
     *
     * @param limit                   the most names, or 0 for the node's default.
     * @param exclusiveStartTableName the previous page's LastEvaluatedTableName, or null.
     * @return the page.
     */
    public ListTablesPage listTables(final int limit, final String exclusiveStartTableName)
    {
        final BlockingCall call = new BlockingCall();
        execute(call, () -> client.listTables(limit, exclusiveStartTableName, call));
        final ListTablesResponseDecoder decoder = new ListTablesResponseDecoder();
        final UnsafeBuffer buffer = new UnsafeBuffer(call.message);
        headerDecoder.wrap(buffer, 0);
        decoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
        final List<String> names = new ArrayList<>();
        for (final ListTablesResponseDecoder.TableNamesDecoder entry : decoder.tableNames())
        {
            names.add(entry.tableName());
        }
        final String last = decoder.lastEvaluatedTableName();
        return new ListTablesPage(names, last.isEmpty() ? null : last);
    }

    /**
     * One page of ListTables.
     *
     * @param tableNames             the names, in order.
     * @param lastEvaluatedTableName where the next page starts, or null when this is the last.
     */
    public record ListTablesPage(List<String> tableNames, String lastEvaluatedTableName)
    {
    }

    // ------------------------------------------------------------------------------------------------
    // Items
    // ------------------------------------------------------------------------------------------------

    /**
     * PutItem.
     *
     * @param tableName the table.
     * @param item      the item, key attributes included.
     */
    public void putItem(final String tableName, final Map<String, AttributeValue> item)
    {
        putItem(tableName, item, ReturnValues.NONE);
    }

    /**
     * PutItem with ReturnValues.
     *
     * @param tableName    the table.
     * @param item         the item.
     * @param returnValues NONE or ALL_OLD.
     * @return the replaced item for ALL_OLD when there was one, else null.
     */
    public Map<String, AttributeValue> putItem(
        final String tableName, final Map<String, AttributeValue> item, final ReturnValues returnValues)
    {
        return decode(putItem(tableName, ItemCodec.encode(item), returnValues));
    }

    /**
     * PutItem of item bytes.
     *
     * @param tableName    the table.
     * @param item         the item's bytes ({@link ItemFormat}).
     * @param returnValues NONE or ALL_OLD.
     * @return the replaced item's bytes for ALL_OLD when there was one, else null.
     */
    public byte[] putItem(final String tableName, final byte[] item, final ReturnValues returnValues)
    {
        final BlockingCall call = new BlockingCall(tableName);
        executeItem(call, () -> client.putItem(tableName, client.view(item), 0, item.length, returnValues, call));
        return call.found ? call.item : null;
    }

    /**
     * GetItem (eventually consistent).
     *
     * @param tableName the table.
     * @param key       the key attributes, exactly.
     * @return the item, or null when there is none.
     */
    public Map<String, AttributeValue> getItem(final String tableName, final Map<String, AttributeValue> key)
    {
        return getItem(tableName, key, false);
    }

    /**
     * GetItem.
     *
     * @param tableName      the table.
     * @param key            the key attributes, exactly.
     * @param consistentRead true for a strongly consistent read.
     * @return the item, or null when there is none.
     */
    public Map<String, AttributeValue> getItem(
        final String tableName, final Map<String, AttributeValue> key, final boolean consistentRead)
    {
        return decode(getItem(tableName, ItemCodec.encode(key), consistentRead));
    }

    /**
     * GetItem by key bytes.
     *
     * @param tableName      the table.
     * @param key            the key's item bytes.
     * @param consistentRead true for a strongly consistent read.
     * @return the item's bytes, or null when there is none.
     */
    public byte[] getItem(final String tableName, final byte[] key, final boolean consistentRead)
    {
        final BlockingCall call = new BlockingCall(tableName);
        executeItem(call, () -> client.getItem(tableName, client.view(key), 0, key.length, consistentRead, call));
        return call.found ? call.item : null;
    }

    /**
     * DeleteItem.
     *
     * @param tableName the table.
     * @param key       the key attributes.
     */
    public void deleteItem(final String tableName, final Map<String, AttributeValue> key)
    {
        deleteItem(tableName, key, ReturnValues.NONE);
    }

    /**
     * DeleteItem with ReturnValues.
     *
     * @param tableName    the table.
     * @param key          the key attributes.
     * @param returnValues NONE or ALL_OLD.
     * @return the deleted item for ALL_OLD when there was one, else null.
     */
    public Map<String, AttributeValue> deleteItem(
        final String tableName, final Map<String, AttributeValue> key, final ReturnValues returnValues)
    {
        return decode(deleteItem(tableName, ItemCodec.encode(key), returnValues));
    }

    /**
     * DeleteItem by key bytes.
     *
     * @param tableName    the table.
     * @param key          the key's item bytes.
     * @param returnValues NONE or ALL_OLD.
     * @return the deleted item's bytes for ALL_OLD when there was one, else null.
     */
    public byte[] deleteItem(final String tableName, final byte[] key, final ReturnValues returnValues)
    {
        final BlockingCall call = new BlockingCall(tableName);
        executeItem(call, () -> client.deleteItem(tableName, client.view(key), 0, key.length, returnValues, call));
        return call.found ? call.item : null;
    }

    /**
     * UpdateItem at attribute level: sets whole attributes and removes others, creating the item if it
     * does not exist (unless the update only removes).
     *
     * @param tableName    the table.
     * @param key          the key attributes.
     * @param set          attributes to set (not key attributes); may be empty.
     * @param remove       attribute names to remove; may be empty.
     * @param returnValues which attributes to return.
     * @return the returned attributes, or null for NONE or when there are none.
     */
    public Map<String, AttributeValue> updateItem(
        final String tableName,
        final Map<String, AttributeValue> key,
        final Map<String, AttributeValue> set,
        final Collection<String> remove,
        final ReturnValues returnValues)
    {
        final byte[] keyBytes = ItemCodec.encode(key);
        final byte[] setBytes = ItemCodec.encode(set);
        final Map<String, AttributeValue> removeMap = new TreeMap<>();
        for (final String name : remove)
        {
            removeMap.put(name, AttributeValue.nul());
        }
        final byte[] removeBytes = ItemCodec.encode(removeMap);
        final BlockingCall call = new BlockingCall(tableName);
        executeItem(call, () -> client.updateItem(tableName,
            new UnsafeBuffer(keyBytes), 0, keyBytes.length,
            new UnsafeBuffer(setBytes), 0, setBytes.length,
            new UnsafeBuffer(removeBytes), 0, removeBytes.length,
            returnValues, call));
        return call.found ? decode(call.item) : null;
    }

    /**
     * GetItem with a ProjectionExpression.
     *
     * @param tableName            the table.
     * @param key                  the key attributes, exactly.
     * @param projectionExpression the attributes (document paths) to return, or null for all.
     * @param names                ExpressionAttributeNames, or null.
     * @return the (projected) item, or null when there is none.
     */
    public Map<String, AttributeValue> getItem(
        final String tableName,
        final Map<String, AttributeValue> key,
        final String projectionExpression,
        final Map<String, String> names)
    {
        final byte[] keyBytes = ItemCodec.encode(key);
        final ExpressionParams expressions = new ExpressionParams().projectionExpression(projectionExpression)
            .expressionAttributeNames(names);
        final BlockingCall call = new BlockingCall(tableName);
        executeItem(call, () -> client.getItem(tableName, client.view(keyBytes), 0, keyBytes.length, false, expressions, call));
        return call.found ? decode(call.item) : null;
    }

    /**
     * PutItem with a ConditionExpression.
     *
     * @param tableName           the table.
     * @param item                the item.
     * @param conditionExpression a condition on the current item, or null.
     * @param names               ExpressionAttributeNames, or null.
     * @param values              ExpressionAttributeValues, or null.
     * @param returnValues        NONE or ALL_OLD.
     * @param onConditionFailure  ALL_OLD to get the current item in a {@link ConditionalCheckFailedException}.
     * @return the replaced item for ALL_OLD when there was one, else null.
     * @throws ConditionalCheckFailedException when the condition failed and ALL_OLD found an item; otherwise a failed
     *                                         condition is a {@link FerriteException} with that code.
     */
    public Map<String, AttributeValue> putItem(
        final String tableName,
        final Map<String, AttributeValue> item,
        final String conditionExpression,
        final Map<String, String> names,
        final Map<String, AttributeValue> values,
        final ReturnValues returnValues,
        final ReturnValuesOnConditionCheckFailure onConditionFailure)
    {
        final byte[] bytes = ItemCodec.encode(item);
        final ExpressionParams expressions = new ExpressionParams().conditionExpression(conditionExpression)
            .expressionAttributeNames(names).expressionAttributeValues(values)
            .returnValuesOnConditionCheckFailure(onConditionFailure);
        final BlockingCall call = new BlockingCall(tableName);
        executeItem(call, () -> client.putItem(tableName, client.view(bytes), 0, bytes.length, returnValues, expressions, call));
        return call.found ? decode(call.item) : null;
    }

    /**
     * DeleteItem with a ConditionExpression.
     *
     * @param tableName           the table.
     * @param key                 the key attributes.
     * @param conditionExpression a condition on the current item, or null.
     * @param names               ExpressionAttributeNames, or null.
     * @param values              ExpressionAttributeValues, or null.
     * @param returnValues        NONE or ALL_OLD.
     * @param onConditionFailure  ALL_OLD to get the current item in a {@link ConditionalCheckFailedException}.
     * @return the deleted item for ALL_OLD when there was one, else null.
     */
    public Map<String, AttributeValue> deleteItem(
        final String tableName,
        final Map<String, AttributeValue> key,
        final String conditionExpression,
        final Map<String, String> names,
        final Map<String, AttributeValue> values,
        final ReturnValues returnValues,
        final ReturnValuesOnConditionCheckFailure onConditionFailure)
    {
        final byte[] bytes = ItemCodec.encode(key);
        final ExpressionParams expressions = new ExpressionParams().conditionExpression(conditionExpression)
            .expressionAttributeNames(names).expressionAttributeValues(values)
            .returnValuesOnConditionCheckFailure(onConditionFailure);
        final BlockingCall call = new BlockingCall(tableName);
        executeItem(call, () -> client.deleteItem(tableName, client.view(bytes), 0, bytes.length, returnValues, expressions, call));
        return call.found ? decode(call.item) : null;
    }

    /**
     * UpdateItem with an UpdateExpression and an optional ConditionExpression (the embedded API's signature).
     *
     * @param tableName           the table.
     * @param key                 the key attributes.
     * @param updateExpression    SET / REMOVE / ADD / DELETE clauses.
     * @param conditionExpression a condition on the current item, or null.
     * @param names               ExpressionAttributeNames (shared by both expressions), or null.
     * @param values              ExpressionAttributeValues (shared by both expressions), or null.
     * @param returnValues        NONE, ALL_OLD, UPDATED_OLD, ALL_NEW or UPDATED_NEW.
     * @param onConditionFailure  ALL_OLD to get the current item in a {@link ConditionalCheckFailedException}.
     * @return the returned attributes, or null for NONE or when there are none.
     */
    public Map<String, AttributeValue> updateItem(
        final String tableName,
        final Map<String, AttributeValue> key,
        final String updateExpression,
        final String conditionExpression,
        final Map<String, String> names,
        final Map<String, AttributeValue> values,
        final ReturnValues returnValues,
        final ReturnValuesOnConditionCheckFailure onConditionFailure)
    {
        final byte[] keyBytes = ItemCodec.encode(key);
        final ExpressionParams expressions = new ExpressionParams().updateExpression(updateExpression)
            .conditionExpression(conditionExpression).expressionAttributeNames(names).expressionAttributeValues(values)
            .returnValuesOnConditionCheckFailure(onConditionFailure);
        final BlockingCall call = new BlockingCall(tableName);
        executeItem(call, () -> client.updateItem(tableName, client.view(keyBytes), 0, keyBytes.length, returnValues,
            expressions, call));
        return call.found ? decode(call.item) : null;
    }

    /**
     * Query: one page. With ReturnConsumedCapacity TOTAL or INDEXES, {@link #lastConsumedCapacity()} then says what
     * this page consumed.
     *
     * @param query the query (partition key, sort key condition, direction, Limit, ExclusiveStartKey).
     * @return the page.
     */
    public Page query(final Query query)
    {
        return query(query, false);
    }

    /**
     * Query: one page, read eventually consistently (false) or strongly consistently (true), DynamoDB's ConsistentRead
     * (the embedded API's {@link Query} has no such field: one process reads its own writes). A strongly consistent
     * page costs twice an eventually consistent one.
     *
     * @param query          the query (partition key, sort key condition, direction, Limit, ExclusiveStartKey).
     * @param consistentRead ConsistentRead.
     * @return the page.
     */
    public Page query(final Query query, final boolean consistentRead)
    {
        if (query.hasLimit())
        {
            checkLimit(query.limit());
        }
        if (null == query.partitionKey() && null == query.keyConditionExpression())
        {
            throw FerriteException.validation("Query condition missed key schema element: the partition key " +
                "value is not set");
        }
        final byte[] partitionKey = null == query.partitionKey() ? null : valueBytes(query.partitionKey());
        final byte[] sortKey = null == query.sortKeyValue() ? null : valueBytes(query.sortKeyValue());
        final byte[] sortKeyUpper = null == query.sortKeyUpper() ? null : valueBytes(query.sortKeyUpper());
        final byte[] start = null == query.exclusiveStartKey() ? null : ItemCodec.encode(query.exclusiveStartKey());
        final QueryParams params = new QueryParams()
            .tableName(query.tableName())
            .scanIndexForward(query.scanIndexForward())
            .consistentRead(consistentRead)
            .limit(query.hasLimit() ? query.limit() : 0)
            .keyConditionExpression(query.keyConditionExpression())
            .filterExpression(query.filterExpression())
            .projectionExpression(query.projectionExpression());
        if (null != partitionKey)
        {
            params.partitionKey(new UnsafeBuffer(partitionKey), 0, partitionKey.length);
        }
        final byte[] names = ExpressionParams.encodeNames(query.expressionAttributeNames());
        final byte[] values = ExpressionParams.encodeValues(query.expressionAttributeValues());
        if (null != names)
        {
            params.expressionAttributeNames(new UnsafeBuffer(names), 0, names.length);
        }
        if (null != values)
        {
            params.expressionAttributeValues(new UnsafeBuffer(values), 0, values.length);
        }
        if (null != sortKey)
        {
            params.sortKey(query.condition(), new UnsafeBuffer(sortKey), 0, sortKey.length);
        }
        else if (null != partitionKey)
        {
            params.sortKey(query.condition(), null, 0, 0);
        }
        if (null != sortKeyUpper)
        {
            params.sortKeyUpper(new UnsafeBuffer(sortKeyUpper), 0, sortKeyUpper.length);
        }
        if (null != start)
        {
            params.exclusiveStartKey(new UnsafeBuffer(start), 0, start.length);
        }
        final BlockingCall call = new BlockingCall(query.tableName());
        executeItem(call, () -> client.query(params, call));
        return page(call);
    }

    /**
     * Scan: one page. With ReturnConsumedCapacity TOTAL or INDEXES, {@link #lastConsumedCapacity()} then says what
     * this page consumed (the whole page's, when it walked on through several of the node's shards).
     *
     * @param scan the scan (segment, Limit, ExclusiveStartKey).
     * @return the page.
     */
    public Page scan(final Scan scan)
    {
        return scan(scan, false);
    }

    /**
     * Scan: one page, read eventually consistently (false) or strongly consistently (true), DynamoDB's ConsistentRead
     * (the embedded API's {@link Scan} has no such field). A strongly consistent page costs twice an eventually
     * consistent one.
     *
     * @param scan           the scan (segment, Limit, ExclusiveStartKey).
     * @param consistentRead ConsistentRead.
     * @return the page.
     */
    public Page scan(final Scan scan, final boolean consistentRead)
    {
        if (scan.hasLimit())
        {
            checkLimit(scan.limit());
        }
        final byte[] start = null == scan.exclusiveStartKey() ? null : ItemCodec.encode(scan.exclusiveStartKey());
        final ScanParams params = new ScanParams()
            .tableName(scan.tableName())
            .segment(scan.segment(), scan.totalSegments())
            .consistentRead(consistentRead)
            .limit(scan.hasLimit() ? scan.limit() : 0)
            .filterExpression(scan.filterExpression())
            .projectionExpression(scan.projectionExpression());
        final byte[] names = ExpressionParams.encodeNames(scan.expressionAttributeNames());
        final byte[] values = ExpressionParams.encodeValues(scan.expressionAttributeValues());
        if (null != names)
        {
            params.expressionAttributeNames(new UnsafeBuffer(names), 0, names.length);
        }
        if (null != values)
        {
            params.expressionAttributeValues(new UnsafeBuffer(values), 0, values.length);
        }
        if (null != start)
        {
            params.exclusiveStartKey(new UnsafeBuffer(start), 0, start.length);
        }
        final BlockingCall call = new BlockingCall(scan.tableName());
        executeItem(call, () -> client.scan(params, call));
        return page(call);
    }

    /**
     * BatchGetItem.
     *
     * @param keysByTable keys per table name (at most 100 in all).
     * @return the items found per table, and the unprocessed keys per table (to retry).
     */
    public Ferrite.BatchGet batchGetItem(final Map<String, List<Map<String, AttributeValue>>> keysByTable)
    {
        return batchGetItem(keysByTable, null, null);
    }

    /**
     * BatchGetItem with a ProjectionExpression (and its ExpressionAttributeNames) per table (the embedded API's
     * signature), every table read eventually consistently.
     *
     * @param keysByTable        keys per table name (at most 100 in all).
     * @param projectionsByTable ProjectionExpression per table name; tables without one return whole items; or null.
     * @param namesByTable       ExpressionAttributeNames per table name, or null.
     * @return the (projected) items found per table, and the unprocessed keys per table (to retry).
     */
    public Ferrite.BatchGet batchGetItem(
        final Map<String, List<Map<String, AttributeValue>>> keysByTable,
        final Map<String, String> projectionsByTable,
        final Map<String, Map<String, String>> namesByTable)
    {
        return batchGetItem(keysByTable, Map.of(), projectionsByTable, namesByTable);
    }

    /**
     * BatchGetItem with DynamoDB's per-table ConsistentRead, ProjectionExpression and ExpressionAttributeNames. With
     * ReturnConsumedCapacity TOTAL or INDEXES, {@link #lastBatchConsumedCapacity()} then says what each table's reads
     * cost: each key its whole item's 4 KB blocks (one for a miss), whatever the projection, at half price for a table
     * read eventually consistently.
     *
     * @param keysByTable        keys per table name (at most 100 in all).
     * @param consistentByTable  true for a table to read strongly consistently; a table not in it (or null) is read
     *                           eventually consistently.
     * @param projectionsByTable ProjectionExpression per table name; tables without one return whole items; or null.
     * @param namesByTable       ExpressionAttributeNames per table name, or null.
     * @return the (projected) items found per table, and the unprocessed keys per table (to retry, with a backoff):
     *     those of a table over its provisioned rate (the call throws ProvisionedThroughputExceeded only when every
     *     table is over), and those past the largest answer the node sends.
     */
    public Ferrite.BatchGet batchGetItem(
        final Map<String, List<Map<String, AttributeValue>>> keysByTable,
        final Map<String, Boolean> consistentByTable,
        final Map<String, String> projectionsByTable,
        final Map<String, Map<String, String>> namesByTable)
    {
        final Map<String, List<byte[]>> encoded = new LinkedHashMap<>();
        keysByTable.forEach((table, keys) ->
        {
            final List<byte[]> list = new ArrayList<>(keys.size());
            keys.forEach(key -> list.add(ItemCodec.encode(key)));
            encoded.put(table, list);
        });
        final Map<String, Boolean> consistent = null == consistentByTable ? Map.of() : consistentByTable;
        final boolean reportCapacity = startBatch();
        final BlockingCall call = new BlockingCall();
        execute(call, () -> client.batchGetItem(encoded, consistent, projectionsByTable, namesByTable, call));

        final BatchGetItemResponseDecoder decoder = new BatchGetItemResponseDecoder();
        final UnsafeBuffer buffer = new UnsafeBuffer(call.message);
        headerDecoder.wrap(buffer, 0);
        decoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
        final Map<String, List<Map<String, AttributeValue>>> responses = new LinkedHashMap<>();
        for (final BatchGetItemResponseDecoder.ResponsesDecoder table : decoder.responses())
        {
            final List<Map<String, AttributeValue>> items = new ArrayList<>();
            for (final BatchGetItemResponseDecoder.ResponsesDecoder.ItemsDecoder item : table.items())
            {
                items.add(decode(readVar(item.itemLength(), item::getItem)));
            }
            responses.put(table.tableName(), items);
        }
        final Map<String, List<Map<String, AttributeValue>>> unprocessed = new LinkedHashMap<>();
        for (final BatchGetItemResponseDecoder.UnprocessedKeysDecoder table : decoder.unprocessedKeys())
        {
            final List<Map<String, AttributeValue>> keys = new ArrayList<>();
            for (final BatchGetItemResponseDecoder.UnprocessedKeysDecoder.KeysDecoder key : table.keys())
            {
                keys.add(decode(readVar(key.keyLength(), key::getKey)));
            }
            unprocessed.put(table.tableName(), keys);
        }
        if (reportCapacity)
        {
            final Map<String, long[]> consumed = new LinkedHashMap<>();
            for (final BatchGetItemResponseDecoder.ConsumedCapacityDecoder table : decoder.consumedCapacity())
            {
                // the fixed fields before the table name: SBE reads a group entry's fields in schema order
                final long readHalfUnits = table.readHalfUnits();
                final long writeUnits = table.writeUnits();
                addCapacity(consumed, table.tableName(), readHalfUnits, writeUnits);
            }
            lastBatchConsumedCapacity = capacityList(consumed);
        }
        return new Ferrite.BatchGet(responses, unprocessed);
    }

    /**
     * BatchWriteItem. With ReturnConsumedCapacity TOTAL or INDEXES, {@link #lastBatchConsumedCapacity()} then says
     * what each table's writes cost: each write what the node charges the same PutItem or DeleteItem, 1 KB a unit, at
     * least 1, of the new item, or of the larger of the old and the new where the shard read the old one (decision
     * 0009: a batch's writes have no condition and return nothing, so the shard reads no old item: a put pays for its
     * new item, a delete 1 unit).
     *
     * @param writesByTable puts and deletes per table name (at most 25 in all); make them with
     *                      {@link Ferrite#put(Map)} and {@link Ferrite#delete(Map)}.
     * @return the writes not processed, per table (to retry, with a backoff): a table over its provisioned rate comes
     *     back whole while the others' writes are applied (the call throws ProvisionedThroughputExceeded only when
     *     every table is over), as do writes a full partition refused; empty when all were applied.
     */
    public Map<String, List<WriteRequest>> batchWriteItem(final Map<String, List<WriteRequest>> writesByTable)
    {
        final boolean reportCapacity = startBatch();
        final BlockingCall call = new BlockingCall();
        execute(call, () -> client.batchWriteItem(writesByTable, call));

        final BatchWriteItemResponseDecoder decoder = new BatchWriteItemResponseDecoder();
        final UnsafeBuffer buffer = new UnsafeBuffer(call.message);
        headerDecoder.wrap(buffer, 0);
        decoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
        final Map<String, List<WriteRequest>> unprocessed = new LinkedHashMap<>();
        for (final BatchWriteItemResponseDecoder.UnprocessedItemsDecoder table : decoder.unprocessedItems())
        {
            final List<WriteRequest> writes = new ArrayList<>();
            for (final BatchWriteItemResponseDecoder.UnprocessedItemsDecoder.WritesDecoder write : table.writes())
            {
                final boolean put = WriteOp.PUT == write.op();
                final byte[] bytes = readVar(write.itemOrKeyLength(), write::getItemOrKey);
                writes.add(put ? WriteRequest.put(bytes) : WriteRequest.delete(bytes));
            }
            unprocessed.put(table.tableName(), writes);
        }
        if (reportCapacity)
        {
            final Map<String, long[]> consumed = new LinkedHashMap<>();
            for (final BatchWriteItemResponseDecoder.ConsumedCapacityDecoder table : decoder.consumedCapacity())
            {
                final long readHalfUnits = table.readHalfUnits();
                final long writeUnits = table.writeUnits();
                addCapacity(consumed, table.tableName(), readHalfUnits, writeUnits);
            }
            lastBatchConsumedCapacity = capacityList(consumed);
        }
        return unprocessed;
    }

    // ------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface VarReader
    {
        int read(byte[] dst, int dstOffset, int length);
    }

    private static byte[] readVar(final int length, final VarReader reader)
    {
        final byte[] bytes = new byte[length];
        reader.read(bytes, 0, length);
        return bytes;
    }

    /**
     * Forgets the previous batch's capacity (so a batch that fails leaves none) and says whether this one's is to be
     * kept: only when asked for, since the node reports it for every batch.
     */
    private boolean startBatch()
    {
        lastBatchConsumedCapacity = List.of();
        return ReturnConsumedCapacity.NONE != client.returnConsumedCapacity();
    }

    /** Sums a table's entries (the node sends one per table; an entry repeated would still count once per table). */
    private static void addCapacity(
        final Map<String, long[]> consumed, final String tableName, final long readHalfUnits, final long writeUnits)
    {
        final long[] units = consumed.computeIfAbsent(tableName, name -> new long[2]);
        units[0] += readHalfUnits;
        units[1] += writeUnits;
    }

    private static List<ConsumedCapacity> capacityList(final Map<String, long[]> consumed)
    {
        final List<ConsumedCapacity> list = new ArrayList<>(consumed.size());
        consumed.forEach((tableName, units) -> list.add(ConsumedCapacity.of(tableName, units[0], units[1])));
        return List.copyOf(list);
    }

    private void executeTableOperation(final BlockingCall call, final LongSupplier send)
    {
        final long timeoutNs = client.requestTimeoutNs();
        client.requestTimeoutNs(Math.max(timeoutNs, client.config().tableTimeoutNs()));
        try
        {
            execute(call, send);
        }
        finally
        {
            client.requestTimeoutNs(timeoutNs);
        }
    }

    /**
     * An item operation or a Query/Scan page: {@link #lastConsumedCapacity()} becomes what this call reports, or null.
     */
    private void executeItem(final BlockingCall call, final LongSupplier send)
    {
        lastConsumedCapacity = null;
        execute(call, send);
    }

    /**
     * Sends (trying again, with a backing-off wait, while Aeron back-pressures or the in-flight bound is reached),
     * then polls until the answer. The request timeout bounds the whole call: the request is sent with what is left
     * of it, so a send that waited for room does not then get a full timeout of its own. An interrupt ends the wait
     * (the backing-off idle cannot park with the interrupt status set, so ignoring it would spin a core until the
     * timeout).
     */
    private void execute(final BlockingCall call, final LongSupplier send)
    {
        client.checkNotPolling(); // before sending: a call from a handler would send, then fail at its first poll
        final long timeoutNs = client.requestTimeoutNs();
        final long deadline = System.nanoTime() + timeoutNs;
        long requestId = 0;
        idle.reset();
        try
        {
            while (true)
            {
                if (Thread.currentThread().isInterrupted())
                {
                    throw new FerriteClientException(ClientFailure.INTERRUPTED,
                        "the thread was interrupted before the request was sent; nothing was sent");
                }
                final long remainingNs = deadline - System.nanoTime();
                if (remainingNs <= 0)
                {
                    throw new FerriteClientException(ClientFailure.BACK_PRESSURED, "could not send the request " +
                        "within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms: " +
                        (FerriteClient.IN_FLIGHT_LIMIT == requestId ? "the in-flight limit (" + client.maxInFlight() + ") stayed reached" :
                        "the request publication stayed back-pressured"));
                }
                client.requestTimeoutNs(remainingNs);
                requestId = send.getAsLong();
                if (requestId > 0)
                {
                    break;
                }
                if (FerriteClient.NOT_CONNECTED == requestId)
                {
                    throw new FerriteClientException(ClientFailure.NODE_UNAVAILABLE,
                        "not connected to the node: the session ended; connect a new client");
                }
                if (FerriteClient.CLOSED == requestId)
                {
                    throw new FerriteClientException(ClientFailure.CLIENT_CLOSED, "the client is closed");
                }
                idle.idle(client.poll());
            }
        }
        finally
        {
            client.requestTimeoutNs(timeoutNs);
        }

        idle.reset();
        while (!call.done)
        {
            if (Thread.currentThread().isInterrupted())
            {
                throw new FerriteClientException(ClientFailure.INTERRUPTED, "the thread was interrupted while " +
                    "waiting for the answer to request " + requestId + ": the request stays in flight and may still " +
                    "be applied by the node; its answer will be dropped");
            }
            idle.idle(client.poll());
        }
        if (call.consumedReported)
        {
            lastConsumedCapacity = ConsumedCapacity.of(call.tableName, call.consumedReadHalfUnits, call.consumedWriteUnits);
        }
        call.throwIfFailed();
    }

    private static void checkLimit(final int limit)
    {
        if (limit < 1)
        {
            throw FerriteException.validation("1 validation error detected: Value '" + limit + "' at 'limit' failed " +
                "to satisfy constraint: Member must have value greater than or equal to 1");
        }
    }

    private static Map<String, AttributeValue> decode(final byte[] item)
    {
        return null == item ? null : ItemCodec.decode(new UnsafeBuffer(item), 0, item.length);
    }

    /**
     * @param value a key attribute value.
     * @return its item-format value bytes (tag and body), as Query's key values travel.
     */
    byte[] valueBytes(final AttributeValue value)
    {
        final int length = ItemCodec.encode(Map.of("v", value), writer);
        final DirectBuffer buffer = writer.buffer();
        final int valueOffset = ItemFormat.valueOffset(buffer, ItemFormat.firstEntry(0));
        final byte[] bytes = new byte[length - valueOffset];
        buffer.getBytes(valueOffset, bytes);
        return bytes;
    }

    private Page page(final BlockingCall call)
    {
        final List<Map<String, AttributeValue>> items = new ArrayList<>(call.items.size());
        for (final byte[] item : call.items)
        {
            items.add(decode(item));
        }
        return new Page(items, call.count, call.scannedCount, decode(call.lastEvaluatedKey));
    }

    private TableDescription tableDescription(final BlockingCall call)
    {
        final TableDescriptionResponseDecoder decoder = new TableDescriptionResponseDecoder();
        final UnsafeBuffer buffer = new UnsafeBuffer(call.message);
        headerDecoder.wrap(buffer, 0);
        decoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
        final int tableId = decoder.tableId();
        final String status = decoder.status().name();
        final long itemCount = decoder.itemCount();
        final long sizeBytes = decoder.sizeBytes();
        final long created = decoder.createdEpochMs();
        final int partitions = decoder.partitionCount();
        String hashName = null;
        KeyType hashType = null;
        String rangeName = null;
        KeyType rangeType = null;
        for (final TableDescriptionResponseDecoder.KeySchemaDecoder key : decoder.keySchema())
        {
            final KeyRole role = key.keyRole();
            final KeyType type = KeyType.fromTag((byte)key.attributeTypeRaw());
            final String name = key.attributeName();
            if (KeyRole.HASH == role)
            {
                hashName = name;
                hashType = type;
            }
            else
            {
                rangeName = name;
                rangeType = type;
            }
        }
        final TableCapacity capacity = io.ferrite.codecs.sbe.BillingMode.PROVISIONED == decoder.billingMode() ?
            new TableCapacity(BillingMode.PROVISIONED, decoder.readCapacityUnits(), decoder.writeCapacityUnits()) :
            TableCapacity.ON_DEMAND;
        TableSpec spec = TableSpec.of(decoder.tableName()).partitionKey(hashName, hashType).capacity(capacity);
        if (null != rangeName)
        {
            spec = spec.sortKey(rangeName, rangeType);
        }
        return new TableDescription(spec, tableId, status, itemCount, sizeBytes, created, partitions);
    }

    /**
     * Collects one answer for the blocking API (copies: the buffers are only valid during the callback).
     */
    private static final class BlockingCall implements ResponseHandler
    {
        final String tableName;
        boolean consumedReported;
        long consumedReadHalfUnits;
        long consumedWriteUnits;
        boolean done;

        BlockingCall()
        {
            this(null);
        }

        BlockingCall(final String tableName)
        {
            this.tableName = tableName;
        }

        public void onConsumedCapacity(final long requestId, final long readHalfUnits, final long writeUnits)
        {
            consumedReported = true;
            consumedReadHalfUnits = readHalfUnits;
            consumedWriteUnits = writeUnits;
        }

        boolean found;
        byte[] item;
        final List<byte[]> items = new ArrayList<>();
        int count;
        int scannedCount;
        byte[] lastEvaluatedKey;
        byte[] message;
        ErrorCode errorCode;
        ClientFailure failure;
        String failureMessage;

        public void onItem(final long requestId, final boolean found, final DirectBuffer buffer, final int offset,
            final int length)
        {
            this.found = found && length > 0;
            if (this.found)
            {
                item = new byte[length];
                buffer.getBytes(offset, item);
            }
            done = true;
        }

        public void onPage(final long requestId, final ItemsPage page)
        {
            count = page.count();
            scannedCount = page.scannedCount();
            while (page.nextItem())
            {
                final byte[] bytes = new byte[page.itemLength()];
                page.buffer().getBytes(page.itemOffset(), bytes);
                items.add(bytes);
            }
            if (page.lastEvaluatedKeyLength() > 0)
            {
                lastEvaluatedKey = new byte[page.lastEvaluatedKeyLength()];
                page.buffer().getBytes(page.lastEvaluatedKeyOffset(), lastEvaluatedKey);
            }
            done = true;
        }

        public void onResponse(final long requestId, final int templateId, final DirectBuffer buffer, final int offset,
            final int length)
        {
            message = new byte[length];
            buffer.getBytes(offset, message);
            done = true;
        }

        public void onError(final long requestId, final ErrorCode code, final String message)
        {
            errorCode = code;
            failureMessage = message;
            done = true;
        }

        public void onConditionalCheckFailed(
            final long requestId, final String message, final DirectBuffer item, final int offset, final int length)
        {
            failedItem = new byte[length];
            item.getBytes(offset, failedItem);
            onError(requestId, ErrorCode.ConditionalCheckFailedException, message);
        }

        public void onFailure(final long requestId, final ClientFailure failure, final String message)
        {
            this.failure = failure;
            failureMessage = message;
            done = true;
        }

        byte[] failedItem;

        void throwIfFailed()
        {
            if (null != failedItem)
            {
                throw new ConditionalCheckFailedException(decode(failedItem));
            }
            if (null != errorCode)
            {
                throw new FerriteException(errorCode, failureMessage);
            }
            if (null != failure)
            {
                throw new FerriteClientException(failure, failureMessage);
            }
        }
    }
}
