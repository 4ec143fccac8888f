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
        boolean consistentRead)
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
     */
    record ScanSpec(
        String tableName,
        int segment,
        int totalSegments,
        int limit,
        Map<String, AttributeValue> exclusiveStartKey,
        boolean consistentRead)
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
     * ReturnConsumedCapacity for the item operations that follow (a node's backend asks the node; others ignore it).
     */
    default void returnConsumedCapacity(final io.ferrite.engine.admission.ReturnConsumedCapacity mode)
    {
    }

    /**
     * @return what the last item operation consumed, when asked and known; null otherwise.
     */
    default io.ferrite.engine.admission.ConsumedCapacity lastConsumedCapacity()
    {
        return null;
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
    Map<String, AttributeValue> putItem(String tableName, Map<String, AttributeValue> item, ReturnValues returnValues);

    /**
     * @param tableName      the table.
     * @param key            the key.
     * @param consistentRead ConsistentRead.
     * @return the item, or null.
     */
    Map<String, AttributeValue> getItem(String tableName, Map<String, AttributeValue> key, boolean consistentRead);

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
    Map<String, AttributeValue> deleteItem(String tableName, Map<String, AttributeValue> key, ReturnValues returnValues);

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
     * @return the items found and the keys to retry.
     */
    BatchGetResult batchGetItem(Map<String, List<Map<String, AttributeValue>>> keysByTable, Map<String, Boolean> consistentRead);

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
