package io.ferrite.engine.api;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.expr.ConditionExpression;
import io.ferrite.engine.expr.ExpressionCompiler;
import io.ferrite.engine.expr.KeyConditionExpression;
import io.ferrite.engine.expr.ProjectionExpression;
import io.ferrite.engine.expr.UpdateExpression;
import io.ferrite.engine.shard.AttributeUpdates;
import io.ferrite.engine.shard.BatchGetResult;
import io.ferrite.engine.shard.BatchWriteResult;
import io.ferrite.engine.shard.ItemCondition;
import io.ferrite.engine.shard.KeyValue;
import io.ferrite.engine.shard.QueryRequest;
import io.ferrite.engine.shard.RecoveryReport;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.ScanRequest;
import io.ferrite.engine.shard.Shard;
import io.ferrite.engine.shard.SortKeyCondition;
import io.ferrite.engine.shard.Table;
import io.ferrite.engine.shard.WriteRequest;
import io.ferrite.engine.table.TableDescription;
import io.ferrite.engine.table.TableSpec;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.OffsetEpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Ferrite embedded in an application: a shard on the application's own thread ("direct mode"), with a
 * convenient API over Java values ({@link AttributeValue} maps). For the garbage-free hot path use
 * {@link #shard()} and its flyweight methods (item bytes in, a callback out) on the same thread.
 * <p>
 * <b>Threading:</b> not thread-safe, and checked. One thread owns the instance and makes every call; that thread is
 * the shard loop. The first thread to call it after {@link #open} owns it; a call from another thread while the owner
 * lives, a read as much as a write or a table change, throws an IllegalStateException naming both threads before it
 * touches anything (one compare of the current thread per call; see {@link Shard}). An owner that has ended hands the
 * instance over by itself, to the next thread that calls; {@link #releaseOwnership()} hands it over explicitly, for an
 * instance opened and prepared on one thread and used on another. For access from several threads use the queued
 * mode ({@link io.ferrite.engine.queued.QueuedShard}).
 * <p>
 * <b>Durability:</b> a call that returns has appended its write to the WAL under the configured fsync
 * policy (see the README). Checkpoints are taken only by {@link #doDutyCycle()}: call it from your loop when idle.
 * Every write of this class (put, update, delete, batch write) also runs it, before the write, so that a failure
 * it reports (a periodic checkpoint's, once) means the write was not done; the flyweight {@link Shard} methods do
 * not, so a loop that writes only through them and never calls it never checkpoints, and its log grows until close
 * (and is replayed whole after a crash). The WAL's batched fsync runs on a thread of its own either way.
 * <pre>{@code
 * try (Ferrite db = Ferrite.open(new EngineConfig().dataDir(Path.of("data"))))
 * {
 *     db.createTable(TableSpec.of("orders").partitionKey("customer", KeyType.S).sortKey("id", KeyType.N));
 *     db.putItem("orders", Map.of("customer", AttributeValue.s("alice"), "id", AttributeValue.n("1")));
 * }
 * }</pre>
 * <b>Expressions:</b> DynamoDB's ConditionExpression, UpdateExpression, KeyConditionExpression,
 * FilterExpression and ProjectionExpression (with ExpressionAttributeNames and Values) are accepted by
 * the overloads that take expression text, by {@link Query} and by {@link Scan}. They are compiled once
 * and cached by text, names and values ({@link #expressions()}); the compiled forms also plug into the
 * flyweight {@link Shard} methods.
 * <pre>{@code
 * db.updateItem("orders", key, "SET #s = :paid, amount = amount + :add", "#s = :open",
 *     Map.of("#s", "status"), Map.of(":paid", s("PAID"), ":open", s("OPEN"), ":add", n("12.50")),
 *     ReturnValues.UPDATED_NEW, ReturnValuesOnConditionCheckFailure.NONE);
 * }</pre>
 */
public final class Ferrite implements AutoCloseable
{
    private final Shard shard;
    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer secondView = new UnsafeBuffer(new byte[0]);
    private final QueryRequest queryRequest = new QueryRequest();
    private final ScanRequest scanRequest = new ScanRequest();
    private final AttributeUpdates attributeUpdates = new AttributeUpdates();
    private final ExpressionCompiler expressions = new ExpressionCompiler();

    private Ferrite(final Shard shard)
    {
        this.shard = shard;
    }

    /**
     * Opens (or creates) the data directory and recovers it. The first thread to call the instance owns it (see the
     * threading contract above).
     *
     * @param config the engine configuration (at least a data directory).
     * @return the embedded database.
     */
    public static Ferrite open(final EngineConfig config)
    {
        return new Ferrite(Shard.open(config, new OffsetEpochNanoClock()));
    }

    /**
     * @return the shard, for the garbage-free flyweight operations (same thread only).
     */
    public Shard shard()
    {
        return shard;
    }

    /**
     * @return the compiler (and cache) of this instance's expressions, for compiled expressions to pass to
     * the flyweight {@link Shard} methods on the owning thread.
     */
    public ExpressionCompiler expressions()
    {
        return expressions;
    }

    /**
     * @return what opening the data directory found and did.
     */
    public RecoveryReport recoveryReport()
    {
        return shard.recoveryReport();
    }

    /**
     * Runs due background work: a periodic checkpoint when {@code checkpointIntervalRecords} records or
     * {@code checkpointIntervalMs} have passed since the last (the store sync runs on a checkpoint thread).
     *
     * @return work done.
     */
    public int doDutyCycle()
    {
        return shard.doDutyCycle(System.nanoTime());
    }

    /**
     * A write's duty cycle, run before the write: a failure it reports (a periodic checkpoint's) then means the write
     * was not done, not that a write which was logged and applied failed.
     */
    private void beforeWrite()
    {
        doDutyCycle();
    }

    /**
     * CreateTable.
     *
     * @param spec name and key schema.
     * @return the table's description.
     */
    public TableDescription createTable(final TableSpec spec)
    {
        return shard.createTable(spec);
    }

    /**
     * DeleteTable.
     *
     * @param tableName the table.
     * @return its description as it was, status DELETING.
     */
    public TableDescription deleteTable(final String tableName)
    {
        return shard.deleteTable(tableName);
    }

    /**
     * DescribeTable.
     *
     * @param tableName the table.
     * @return its description.
     */
    public TableDescription describeTable(final String tableName)
    {
        return shard.describeTable(tableName);
    }

    /**
     * ListTables: every table name, in order.
     *
     * @return the names.
     */
    public List<String> listTables()
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

    /**
     * PutItem.
     *
     * @param tableName the table.
     * @param item      the item, including its key attributes.
     */
    public void putItem(final String tableName, final Map<String, AttributeValue> item)
    {
        putItem(tableName, item, null, ReturnValues.NONE);
    }

    /**
     * PutItem with a condition and return values.
     *
     * @param tableName    the table.
     * @param item         the item.
     * @param condition    a condition on the current item, or null.
     * @param returnValues NONE or ALL_OLD.
     * @return the replaced item for ALL_OLD, else null.
     */
    public Map<String, AttributeValue> putItem(
        final String tableName,
        final Map<String, AttributeValue> item,
        final ItemCondition condition,
        final ReturnValues returnValues)
    {
        final Table table = shard.table(tableName);
        beforeWrite();
        final byte[] bytes = ItemCodec.encode(item);
        view.wrap(bytes);
        final ItemCapture old = new ItemCapture();
        shard.putItem(table, view, 0, bytes.length, condition, returnValues, old);
        return old.item;
    }

    /**
     * GetItem.
     *
     * @param tableName the table.
     * @param key       the key attributes, exactly.
     * @return the item, or null when there is none.
     */
    public Map<String, AttributeValue> getItem(final String tableName, final Map<String, AttributeValue> key)
    {
        final Table table = shard.table(tableName);
        final byte[] bytes = ItemCodec.encode(key);
        view.wrap(bytes);
        final ItemCapture found = new ItemCapture();
        shard.getItem(table, view, 0, bytes.length, found);
        return found.item;
    }

    /**
     * DeleteItem.
     *
     * @param tableName    the table.
     * @param key          the key attributes.
     * @param condition    a condition on the current item, or null.
     * @param returnValues NONE or ALL_OLD.
     * @return the deleted item for ALL_OLD, else null.
     */
    public Map<String, AttributeValue> deleteItem(
        final String tableName,
        final Map<String, AttributeValue> key,
        final ItemCondition condition,
        final ReturnValues returnValues)
    {
        final Table table = shard.table(tableName);
        final byte[] bytes = ItemCodec.encode(key);
        beforeWrite();
        view.wrap(bytes);
        final ItemCapture old = new ItemCapture();
        shard.deleteItem(table, view, 0, bytes.length, condition, returnValues, old);
        return old.item;
    }

    /**
     * DeleteItem without condition or return values.
     *
     * @param tableName the table.
     * @param key       the key attributes.
     */
    public void deleteItem(final String tableName, final Map<String, AttributeValue> key)
    {
        deleteItem(tableName, key, null, ReturnValues.NONE);
    }

    /**
     * UpdateItem at attribute level: sets whole attributes and removes others, creating the item if it
     * does not exist (unless the update only removes).
     *
     * @param tableName    the table.
     * @param key          the key attributes.
     * @param set          attributes to set (not key attributes), may be empty.
     * @param remove       attribute names to remove, may be empty.
     * @param condition    a condition on the current item, or null.
     * @param returnValues which attributes to return.
     * @return the returned attributes, or null for NONE or when there are none.
     */
    public Map<String, AttributeValue> updateItem(
        final String tableName,
        final Map<String, AttributeValue> key,
        final Map<String, AttributeValue> set,
        final Collection<String> remove,
        final ItemCondition condition,
        final ReturnValues returnValues)
    {
        final Table table = shard.table(tableName);
        final byte[] keyBytes = ItemCodec.encode(key);
        final byte[] setBytes = ItemCodec.encode(set);
        beforeWrite();
        final Map<String, AttributeValue> removeMap = new TreeMap<>();
        for (final String name : remove)
        {
            removeMap.put(name, AttributeValue.nul());
        }
        final byte[] removeBytes = ItemCodec.encode(removeMap);
        view.wrap(setBytes);
        secondView.wrap(removeBytes);
        attributeUpdates.wrap(view, 0, setBytes.length, secondView, 0, removeBytes.length);

        final UnsafeBuffer keyView = new UnsafeBuffer(keyBytes);
        final ItemCapture returned = new ItemCapture();
        shard.updateItem(table, keyView, 0, keyBytes.length, attributeUpdates, condition, returnValues, returned);
        return returned.item;
    }

    /**
     * GetItem with a ProjectionExpression.
     *
     * @param tableName            the table.
     * @param key                  the key attributes, exactly.
     * @param projectionExpression the attributes (document paths) to return, or null for all.
     * @param names                ExpressionAttributeNames, or null.
     * @return the projected item, or null when there is no item.
     */
    public Map<String, AttributeValue> getItem(
        final String tableName,
        final Map<String, AttributeValue> key,
        final String projectionExpression,
        final Map<String, String> names)
    {
        final Table table = shard.table(tableName);
        final ProjectionExpression projection = null == projectionExpression ?
            null : expressions.projection(projectionExpression, names);
        ExpressionCompiler.checkAllUsed(names, null, null == projection ? Set.of() : projection.usedNames(), Set.of());
        final byte[] bytes = ItemCodec.encode(key);
        view.wrap(bytes);
        final ItemCapture found = new ItemCapture();
        shard.getItem(table, view, 0, bytes.length, projection, found);
        return found.item;
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
     * @return the replaced item for ALL_OLD, else null.
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
        final Table table = shard.table(tableName);
        final ItemCapture failed = new ItemCapture();
        final ItemCondition condition = condition(conditionExpression, names, values, null, onConditionFailure, failed);
        final byte[] bytes = ItemCodec.encode(item);
        beforeWrite();
        view.wrap(bytes);
        final ItemCapture old = new ItemCapture();
        try
        {
            shard.putItem(table, view, 0, bytes.length, condition, returnValues, old);
        }
        catch (final FerriteException ex)
        {
            throw withFailedItem(ex, failed);
        }
        return old.item;
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
     * @return the deleted item for ALL_OLD, else null.
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
        final Table table = shard.table(tableName);
        final ItemCapture failed = new ItemCapture();
        final ItemCondition condition = condition(conditionExpression, names, values, null, onConditionFailure, failed);
        final byte[] bytes = ItemCodec.encode(key);
        view.wrap(bytes);
        beforeWrite();
        final ItemCapture old = new ItemCapture();
        try
        {
            shard.deleteItem(table, view, 0, bytes.length, condition, returnValues, old);
        }
        catch (final FerriteException ex)
        {
            throw withFailedItem(ex, failed);
        }
        return old.item;
    }

    /**
     * UpdateItem with an UpdateExpression and an optional ConditionExpression.
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
        final Table table = shard.table(tableName);
        final UpdateExpression update = expressions.update(updateExpression, names, values);
        final ItemCapture failed = new ItemCapture();
        final ItemCondition condition =
            condition(conditionExpression, names, values, update, onConditionFailure, failed);
        final byte[] keyBytes = ItemCodec.encode(key);
        beforeWrite();
        final UnsafeBuffer keyView = new UnsafeBuffer(keyBytes);
        final ItemCapture returned = new ItemCapture();
        try
        {
            shard.updateItem(table, keyView, 0, keyBytes.length, update, condition, returnValues, returned);
        }
        catch (final FerriteException ex)
        {
            throw withFailedItem(ex, failed);
        }
        return returned.item;
    }

    /**
     * Compiles a write's condition, checks that the request's names and values are all used (by it and
     * the update), and wraps it to capture the current item when the condition fails and ALL_OLD is asked.
     */
    private ItemCondition condition(
        final String conditionExpression,
        final Map<String, String> names,
        final Map<String, AttributeValue> values,
        final UpdateExpression update,
        final ReturnValuesOnConditionCheckFailure onConditionFailure,
        final ItemCapture failed)
    {
        final ConditionExpression condition = null == conditionExpression ?
            null : expressions.condition(conditionExpression, names, values);
        final Set<String> usedNames = new HashSet<>();
        final Set<String> usedValues = new HashSet<>();
        if (null != condition)
        {
            usedNames.addAll(condition.usedNames());
            usedValues.addAll(condition.usedValues());
        }
        if (null != update)
        {
            usedNames.addAll(update.usedNames());
            usedValues.addAll(update.usedValues());
        }
        ExpressionCompiler.checkAllUsed(names, values, usedNames, usedValues);
        if (null == condition)
        {
            return null;
        }
        return ReturnValuesOnConditionCheckFailure.ALL_OLD == onConditionFailure ?
            condition.returningItemOnFailure(failed) : condition;
    }

    private static RuntimeException withFailedItem(final FerriteException ex, final ItemCapture failed)
    {
        if (ErrorCode.ConditionalCheckFailedException == ex.code() && null != failed.item)
        {
            return new ConditionalCheckFailedException(failed.item);
        }
        return ex;
    }

    /**
     * Query: one page.
     *
     * @param query the query.
     * @return the page.
     */
    public Page query(final Query query)
    {
        final Table table = shard.table(query.tableName);
        final QueryRequest request = queryRequest.reset();
        final Set<String> usedNames = new HashSet<>();
        final Set<String> usedValues = new HashSet<>();
        if (null != query.keyConditionExpression)
        {
            if (null != query.partitionKey || SortKeyCondition.NONE != query.condition)
            {
                throw FerriteException.validation("Can not use both expression and non-expression parameters in the " +
                    "same request: Non-expression parameters: {KeyConditions} Expression parameters: " +
                    "{KeyConditionExpression}");
            }
            final KeyConditionExpression keyCondition =
                expressions.keyCondition(query.keyConditionExpression, query.names, query.values);
            usedNames.addAll(keyCondition.usedNames());
            usedValues.addAll(keyCondition.usedValues());
            keyCondition.applyTo(table, request);
        }
        else
        {
            if (null == query.partitionKey)
            {
                throw FerriteException.validation("Query condition missed key schema element: " +
                    table.definition().spec().partitionKeyName());
            }
            setKeyValue(request.partitionKey(), query.partitionKey);
            if (null != query.sortKeyValue)
            {
                setKeyValue(request.sortKey(query.condition), query.sortKeyValue);
            }
            else
            {
                request.sortKey(query.condition);
            }
            if (null != query.sortKeyUpper)
            {
                setKeyValue(request.sortKeyUpper(), query.sortKeyUpper);
            }
        }
        readExpressions(request, query.filterExpression, query.projectionExpression, query.names, query.values,
            usedNames, usedValues);
        request.scanIndexForward(query.forward).limit(checkedLimit(query.limit, query.limitSet));
        if (null != query.exclusiveStartKey)
        {
            final byte[] start = ItemCodec.encode(query.exclusiveStartKey);
            request.exclusiveStartKey(new UnsafeBuffer(start), 0, start.length);
        }

        final ItemList items = new ItemList();
        shard.query(table, request, items);
        return new Page(items.items, request.count(), request.scannedCount(), lastEvaluatedKey(request));
    }

    /**
     * Scan: one page.
     *
     * @param scan the scan.
     * @return the page.
     */
    public Page scan(final Scan scan)
    {
        final Table table = shard.table(scan.tableName);
        final ScanRequest request = scanRequest.reset();
        request.segment(scan.segment, scan.totalSegments).limit(checkedLimit(scan.limit, scan.limitSet));
        readExpressions(request, scan.filterExpression, scan.projectionExpression, scan.names, scan.values,
            new HashSet<>(), new HashSet<>());
        if (null != scan.exclusiveStartKey)
        {
            final byte[] start = ItemCodec.encode(scan.exclusiveStartKey);
            request.exclusiveStartKey(new UnsafeBuffer(start), 0, start.length);
        }

        final ItemList items = new ItemList();
        shard.scan(table, request, items);
        return new Page(items.items, request.count(), request.scannedCount(), lastEvaluatedKey(request));
    }

    /**
     * BatchGetItem.
     *
     * @param keysByTable keys per table name (at most 100 in all).
     * @return items found per table, and unprocessed keys per table (to retry).
     */
    public BatchGet batchGetItem(final Map<String, List<Map<String, AttributeValue>>> keysByTable)
    {
        final Map<String, List<byte[]>> encoded = new LinkedHashMap<>();
        keysByTable.forEach((table, keys) ->
        {
            final List<byte[]> list = new ArrayList<>(keys.size());
            keys.forEach(key -> list.add(ItemCodec.encode(key)));
            encoded.put(table, list);
        });

        final BatchGetResult result = shard.batchGetItem(encoded);
        return new BatchGet(decodeAll(result.responses()), decodeAll(result.unprocessedKeys()));
    }

    /**
     * BatchGetItem with a ProjectionExpression (and its ExpressionAttributeNames) per table.
     *
     * @param keysByTable        keys per table name (at most 100 in all).
     * @param projectionsByTable ProjectionExpression per table name; tables without one return whole items.
     * @param namesByTable       ExpressionAttributeNames per table name, or null.
     * @return (projected) items found per table, and unprocessed keys per table (to retry).
     */
    public BatchGet batchGetItem(
        final Map<String, List<Map<String, AttributeValue>>> keysByTable,
        final Map<String, String> projectionsByTable,
        final Map<String, Map<String, String>> namesByTable)
    {
        shard.checkOwnerThread(); // before the projections are compiled into this instance's cache
        final Map<String, List<byte[]>> encoded = new LinkedHashMap<>();
        keysByTable.forEach((table, keys) ->
        {
            final List<byte[]> list = new ArrayList<>(keys.size());
            keys.forEach(key -> list.add(ItemCodec.encode(key)));
            encoded.put(table, list);
        });
        final Map<String, io.ferrite.engine.shard.ItemProjection> projections = new LinkedHashMap<>();
        projectionsByTable.forEach((table, text) ->
        {
            final Map<String, String> names = null == namesByTable ? null : namesByTable.get(table);
            final ProjectionExpression projection = expressions.projection(text, names);
            ExpressionCompiler.checkAllUsed(names, null, projection.usedNames(), Set.of());
            projections.put(table, projection);
        });

        final BatchGetResult result = shard.batchGetItem(encoded, projections);
        return new BatchGet(decodeAll(result.responses()), decodeAll(result.unprocessedKeys()));
    }

    /**
     * BatchWriteItem.
     *
     * @param writesByTable puts and deletes per table name (at most 25 in all).
     * @return the writes not processed, per table (to retry).
     */
    public Map<String, List<WriteRequest>> batchWriteItem(final Map<String, List<WriteRequest>> writesByTable)
    {
        beforeWrite();
        final BatchWriteResult result = shard.batchWriteItem(writesByTable);
        return result.unprocessedItems();
    }

    /**
     * A put for {@link #batchWriteItem}.
     *
     * @param item the item.
     * @return the write.
     */
    public static WriteRequest put(final Map<String, AttributeValue> item)
    {
        return WriteRequest.put(ItemCodec.encode(item));
    }

    /**
     * A delete for {@link #batchWriteItem}.
     *
     * @param key the key.
     * @return the write.
     */
    public static WriteRequest delete(final Map<String, AttributeValue> key)
    {
        return WriteRequest.delete(ItemCodec.encode(key));
    }

    /**
     * BatchGetItem's answer in Java values.
     *
     * @param responses       items per table.
     * @param unprocessedKeys keys to retry per table.
     */
    public record BatchGet(
        Map<String, List<Map<String, AttributeValue>>> responses,
        Map<String, List<Map<String, AttributeValue>>> unprocessedKeys)
    {
    }

    /**
     * Hands this instance over to another thread: its owner gives it up, and the next thread to call it owns it
     * ({@link Shard#releaseOwnership()}). Call it on the thread that opened and prepared it, after its last call, when
     * another thread is to use it from then on.
     *
     * @throws IllegalStateException when called by a thread other than the owner while the owner lives.
     */
    public void releaseOwnership()
    {
        shard.releaseOwnership();
    }

    /**
     * Checkpoints and closes the data directory.
     */
    public void close()
    {
        shard.close();
    }

    private void readExpressions(
        final io.ferrite.engine.shard.PageResult request,
        final String filterExpression,
        final String projectionExpression,
        final Map<String, String> names,
        final Map<String, AttributeValue> values,
        final Set<String> usedNames,
        final Set<String> usedValues)
    {
        if (null != filterExpression)
        {
            final ConditionExpression filter = expressions.filter(filterExpression, names, values);
            usedNames.addAll(filter.usedNames());
            usedValues.addAll(filter.usedValues());
            request.filter(filter);
        }
        if (null != projectionExpression)
        {
            final ProjectionExpression projection = expressions.projection(projectionExpression, names);
            usedNames.addAll(projection.usedNames());
            request.projection(projection);
        }
        ExpressionCompiler.checkAllUsed(names, values, usedNames, usedValues);
    }

    private static int checkedLimit(final int limit, final boolean set)
    {
        if (set && limit < 1)
        {
            throw FerriteException.validation("1 validation error detected: Value '" + limit + "' at 'limit' failed " +
                "to satisfy constraint: Member must have value greater than or equal to 1");
        }
        return limit;
    }

    private static void setKeyValue(final KeyValue target, final AttributeValue value)
    {
        final byte type = value.type();
        if (ItemFormat.TYPE_S == type)
        {
            target.string(value.asString());
        }
        else if (ItemFormat.TYPE_N == type)
        {
            target.number(value.asNumber());
        }
        else if (ItemFormat.TYPE_B == type)
        {
            final byte[] bytes = value.asBytes();
            target.binary(new UnsafeBuffer(bytes), 0, bytes.length);
        }
        else
        {
            throw FerriteException.validation("One or more parameter values were invalid: Condition parameter type " +
                "does not match schema type (" + ItemFormat.typeName(type) + " cannot be a key)");
        }
    }

    private static Map<String, AttributeValue> lastEvaluatedKey(final io.ferrite.engine.shard.PageResult result)
    {
        if (!result.hasLastEvaluatedKey())
        {
            return null;
        }
        return ItemCodec.decode(result.lastEvaluatedKey(), 0, result.lastEvaluatedKeyLength());
    }

    private static Map<String, List<Map<String, AttributeValue>>> decodeAll(final Map<String, List<byte[]>> byTable)
    {
        final Map<String, List<Map<String, AttributeValue>>> decoded = new LinkedHashMap<>();
        byTable.forEach((table, items) ->
        {
            final List<Map<String, AttributeValue>> list = new ArrayList<>(items.size());
            for (final byte[] item : items)
            {
                list.add(ItemCodec.decode(new UnsafeBuffer(item), 0, item.length));
            }
            decoded.put(table, list);
        });
        return decoded;
    }

    private static final class ItemCapture implements io.ferrite.engine.shard.ItemHandler
    {
        Map<String, AttributeValue> item;

        public void onItem(final DirectBuffer buffer, final int offset, final int length)
        {
            item = ItemCodec.decode(buffer, offset, length);
        }
    }

    private static final class ItemList implements io.ferrite.engine.shard.ItemHandler
    {
        final List<Map<String, AttributeValue>> items = new ArrayList<>();

        public void onItem(final DirectBuffer buffer, final int offset, final int length)
        {
            items.add(ItemCodec.decode(buffer, offset, length));
        }
    }

}
