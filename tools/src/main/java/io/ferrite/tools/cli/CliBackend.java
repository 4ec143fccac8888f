package io.ferrite.tools.cli;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.engine.api.Page;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.SortKeyCondition;
import io.ferrite.engine.table.TableDescription;
import io.ferrite.engine.table.TableSpec;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The seam between {@code ferrite cli} and a database: one method per DynamoDB operation, Java values in
 * and out. The CLI parses the command line, calls exactly one backend method per request (several for a
 * paginated query/scan or a split batch) and prints the result; it never touches storage or transport.
 * <p>
 * Implementations: {@link EmbeddedBackend} (a data directory opened in this process, endpoint
 * {@code file:///dir}) and {@link AeronBackend} over the blocking SBE client ({@code aeron:ipc},
 * {@code aeron:udp?...}), which maps each method onto one client call and each error answer onto a
 * {@link FerriteException}.
 * <p>
 * Contract for every method: a request the database rejects throws {@link FerriteException} carrying the
 * codecs {@code ErrorCode} and DynamoDB's message (the CLI prints it as the AWS CLI prints a service error,
 * exit code 254). Items, keys and returned attributes are {@code Map<String, AttributeValue>}; "no item"
 * is {@code null}. A page limit of 0 means "no Limit parameter".
 * <p>
 * Threading: the CLI calls a backend from one thread only; implementations need not be thread-safe.
 */
public interface CliBackend extends AutoCloseable
{
    /**
     * A request's DynamoDB expressions, passed to the database as given (it compiles and checks them, decision 0008;
     * over the node they travel as decision 0010 says). Every field may be null.
     *
     * @param conditionExpression    ConditionExpression (PutItem, UpdateItem, DeleteItem).
     * @param updateExpression       UpdateExpression (UpdateItem).
     * @param keyConditionExpression KeyConditionExpression (Query).
     * @param filterExpression       FilterExpression (Query, Scan).
     * @param projectionExpression   ProjectionExpression (GetItem, Query, Scan).
     * @param names                  ExpressionAttributeNames.
     * @param values                 ExpressionAttributeValues.
     * @param onConditionFailure     ReturnValuesOnConditionCheckFailure (null: NONE).
     */
    record ExpressionSpec(
        String conditionExpression,
        String updateExpression,
        String keyConditionExpression,
        String filterExpression,
        String projectionExpression,
        Map<String, String> names,
        Map<String, AttributeValue> values,
        io.ferrite.engine.api.ReturnValuesOnConditionCheckFailure onConditionFailure)
    {
        /** No expressions. */
        public static final ExpressionSpec NONE = new ExpressionSpec(null, null, null, null, null, null, null, null);

        /**
         * @return the query as the embedded API and the blocking client take it.
         */
        static io.ferrite.engine.api.Query query(final QuerySpec spec)
        {
            final io.ferrite.engine.api.Query query = io.ferrite.engine.api.Query.on(spec.tableName())
                .scanIndexForward(spec.forward()).exclusiveStartKey(spec.exclusiveStartKey());
            if (null != spec.partitionKey())
            {
                query.partitionKey(spec.partitionKey());
            }
            if (SortKeyCondition.BETWEEN == spec.condition())
            {
                query.sortKey(spec.condition(), spec.sortKeyValue(), spec.sortKeyUpper());
            }
            else if (SortKeyCondition.NONE != spec.condition())
            {
                query.sortKey(spec.condition(), spec.sortKeyValue());
            }
            if (spec.limit() != 0)
            {
                query.limit(spec.limit());
            }
            final ExpressionSpec e = spec.expressions();
            if (null != e)
            {
                query.keyCondition(e.keyConditionExpression()).filter(e.filterExpression())
                    .projection(e.projectionExpression()).names(e.names()).values(e.values());
            }
            return query;
        }

        /**
         * @return the scan as the embedded API and the blocking client take it.
         */
        static io.ferrite.engine.api.Scan scan(final ScanSpec spec)
        {
            final io.ferrite.engine.api.Scan scan = io.ferrite.engine.api.Scan.on(spec.tableName())
                .segment(spec.segment(), spec.totalSegments()).exclusiveStartKey(spec.exclusiveStartKey());
            if (spec.limit() != 0)
            {
                scan.limit(spec.limit());
            }
            final ExpressionSpec e = spec.expressions();
            if (null != e)
            {
                scan.filter(e.filterExpression()).projection(e.projectionExpression()).names(e.names()).values(e.values());
            }
            return scan;
        }
    }

    /**
     * One Query request (a single page).
     *
     * @param tableName         the table.
     * @param partitionKey      the partition key value.
     * @param condition         the sort key condition ({@link SortKeyCondition#NONE} for none).
     * @param sortKeyValue      its operand (the lower bound for BETWEEN), or null.
     * @param sortKeyUpper      BETWEEN's upper bound, or null.
     * @param forward           ScanIndexForward.
     * @param limit             Limit, or 0 for none.
     * @param exclusiveStartKey where to start, or null.
     * @param consistentRead    ConsistentRead.
     * @param expressions       KeyConditionExpression (instead of the key values), FilterExpression,
     *                          ProjectionExpression, names and values.
     */
    record QuerySpec(
        String tableName,
        AttributeValue partitionKey,
        SortKeyCondition condition,
        AttributeValue sortKeyValue,
        AttributeValue sortKeyUpper,
        boolean forward,
        int limit,
        Map<String, AttributeValue> exclusiveStartKey,
        boolean consistentRead,
        ExpressionSpec expressions)
    {
    }

    /**
     * One Scan request (a single page).
     *
     * @param tableName         the table.
     * @param segment           this segment (0 when not parallel).
     * @param totalSegments     segments in all (1 when not parallel).
     * @param limit             Limit, or 0 for none.
     * @param exclusiveStartKey where to start, or null.
     * @param consistentRead    ConsistentRead.
     * @param expressions       FilterExpression, ProjectionExpression, names and values.
     */
    record ScanSpec(
        String tableName,
        int segment,
        int totalSegments,
        int limit,
        Map<String, AttributeValue> exclusiveStartKey,
        boolean consistentRead,
        ExpressionSpec expressions)
    {
    }

    /**
     * One write of a BatchWriteItem.
     *
     * @param put       true for a PutRequest, false for a DeleteRequest.
     * @param itemOrKey the item (put) or the key (delete).
     */
    record Write(boolean put, Map<String, AttributeValue> itemOrKey)
    {
    }

    /**
     * BatchGetItem's answer.
     *
     * @param responses       items found, per table.
     * @param unprocessedKeys keys not read this time, per table (retry them).
     */
    record BatchGetResult(
        Map<String, List<Map<String, AttributeValue>>> responses,
        Map<String, List<Map<String, AttributeValue>>> unprocessedKeys)
    {
    }

    /**
     * @param spec name and key schema.
     * @return the new table's description.
     */
    TableDescription createTable(TableSpec spec);

    /**
     * ReturnConsumedCapacity for the item operations, Query and Scan pages and batches that follow (a node's backend
     * asks the node; others ignore it: the embedded engine counts no capacity).
     *
     * @param mode NONE, TOTAL or INDEXES.
     */
    default void returnConsumedCapacity(final io.ferrite.engine.admission.ReturnConsumedCapacity mode)
    {
    }

    /**
     * @return what the last item operation or the last {@link #query} or {@link #scan} page consumed, when asked and
     * reported by that call; null otherwise (never an earlier call's figure).
     */
    default io.ferrite.engine.admission.ConsumedCapacity lastConsumedCapacity()
    {
        return null;
    }

    /**
     * @return what the last {@link #batchGetItem} or {@link #batchWriteItem} consumed, one entry per table, when asked
     * (ReturnConsumedCapacity TOTAL or INDEXES) and known (a node's backend knows; the embedded engine does not count
     * capacity); empty otherwise, never null.
     */
    default List<io.ferrite.engine.admission.ConsumedCapacity> lastBatchConsumedCapacity()
    {
        return List.of();
    }

    /**
     * UpdateTable: a new billing mode or provisioned throughput.
     */
    TableDescription updateTable(String tableName, io.ferrite.engine.admission.TableCapacity capacity);

    /**
     * @param tableName the table.
     * @return its description.
     */
    TableDescription describeTable(String tableName);

    /**
     * @param tableName the table.
     * @return its description as it was, status DELETING.
     */
    TableDescription deleteTable(String tableName);

    /**
     * @param exclusiveStartTableName list names after this one, or null.
     * @param limit                   the most names to return, or 0 for the backend's page size.
     * @param into                    receives the names, in order.
     * @return the last name returned when more remain (LastEvaluatedTableName), else null.
     */
    String listTables(String exclusiveStartTableName, int limit, List<String> into);

    /**
     * @param tableName    the table.
     * @param item         the item.
     * @param returnValues NONE or ALL_OLD.
     * @return the replaced item for ALL_OLD, else null.
     */
    default Map<String, AttributeValue> putItem(
        final String tableName, final Map<String, AttributeValue> item, final ReturnValues returnValues)
    {
        return putItem(tableName, item, returnValues, ExpressionSpec.NONE);
    }

    /**
     * PutItem with a ConditionExpression.
     *
     * @param tableName    the table.
     * @param item         the item.
     * @param returnValues NONE or ALL_OLD.
     * @param expressions  the condition, its names and values, and ReturnValuesOnConditionCheckFailure.
     * @return the replaced item for ALL_OLD, else null.
     * @throws io.ferrite.engine.api.ConditionalCheckFailedException when the condition failed and ALL_OLD found an item.
     */
    Map<String, AttributeValue> putItem(
        String tableName, Map<String, AttributeValue> item, ReturnValues returnValues, ExpressionSpec expressions);

    /**
     * @param tableName      the table.
     * @param key            the key.
     * @param consistentRead ConsistentRead.
     * @return the item, or null.
     */
    default Map<String, AttributeValue> getItem(
        final String tableName, final Map<String, AttributeValue> key, final boolean consistentRead)
    {
        return getItem(tableName, key, consistentRead, ExpressionSpec.NONE);
    }

    /**
     * GetItem with a ProjectionExpression.
     *
     * @param tableName      the table.
     * @param key            the key.
     * @param consistentRead ConsistentRead.
     * @param expressions    the projection and its names.
     * @return the (projected) item, or null.
     */
    Map<String, AttributeValue> getItem(
        String tableName, Map<String, AttributeValue> key, boolean consistentRead, ExpressionSpec expressions);

    /**
     * Attribute-level UpdateItem (SET whole attributes, REMOVE attributes).
     *
     * @param tableName    the table.
     * @param key          the key.
     * @param set          attributes to set.
     * @param remove       attribute names to remove.
     * @param returnValues which attributes to return.
     * @return the returned attributes, or null.
     */
    Map<String, AttributeValue> updateItem(
        String tableName,
        Map<String, AttributeValue> key,
        Map<String, AttributeValue> set,
        Collection<String> remove,
        ReturnValues returnValues);

    /**
     * @param tableName    the table.
     * @param key          the key.
     * @param returnValues NONE or ALL_OLD.
     * @return the deleted item for ALL_OLD, else null.
     */
    default Map<String, AttributeValue> deleteItem(
        final String tableName, final Map<String, AttributeValue> key, final ReturnValues returnValues)
    {
        return deleteItem(tableName, key, returnValues, ExpressionSpec.NONE);
    }

    /**
     * DeleteItem with a ConditionExpression.
     *
     * @param tableName    the table.
     * @param key          the key.
     * @param returnValues NONE or ALL_OLD.
     * @param expressions  the condition, its names and values, and ReturnValuesOnConditionCheckFailure.
     * @return the deleted item for ALL_OLD, else null.
     */
    Map<String, AttributeValue> deleteItem(
        String tableName, Map<String, AttributeValue> key, ReturnValues returnValues, ExpressionSpec expressions);

    /**
     * UpdateItem by UpdateExpression, with an optional ConditionExpression.
     *
     * @param tableName    the table.
     * @param key          the key.
     * @param returnValues which attributes to return.
     * @param expressions  the update and condition, names, values and ReturnValuesOnConditionCheckFailure.
     * @return the returned attributes, or null.
     */
    Map<String, AttributeValue> updateItem(
        String tableName, Map<String, AttributeValue> key, ReturnValues returnValues, ExpressionSpec expressions);

    /**
     * @param spec the query.
     * @return one page.
     */
    Page query(QuerySpec spec);

    /**
     * @param spec the scan.
     * @return one page.
     */
    Page scan(ScanSpec spec);

    /**
     * @param keysByTable    keys per table (at most 100 in all).
     * @param consistentRead ConsistentRead, per table name (absent: false).
     * @param projections    ProjectionExpression, per table name (absent: whole items), compiled by the database.
     * @param names          ExpressionAttributeNames, per table name (absent: none).
     * @return the (projected) items found and the keys to retry.
     */
    BatchGetResult batchGetItem(
        Map<String, List<Map<String, AttributeValue>>> keysByTable,
        Map<String, Boolean> consistentRead,
        Map<String, String> projections,
        Map<String, Map<String, String>> names);

    /**
     * @param writesByTable puts and deletes per table (at most 25 in all).
     * @return the writes not processed, per table (empty when all were).
     */
    Map<String, List<Write>> batchWriteItem(Map<String, List<Write>> writesByTable);

    /**
     * Releases the connection or the data directory.
     */
    void close();
}
