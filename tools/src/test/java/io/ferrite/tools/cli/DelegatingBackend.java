package io.ferrite.tools.cli;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.engine.api.Page;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.table.TableDescription;
import io.ferrite.engine.table.TableSpec;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A backend that forwards to another and does not close it, so that tests share one opened data directory
 * across many CLI invocations; subclasses override calls to inject failures.
 */
class DelegatingBackend implements CliBackend
{
    final CliBackend delegate;

    DelegatingBackend(final CliBackend delegate)
    {
        this.delegate = delegate;
    }

    public TableDescription createTable(final TableSpec spec)
    {
        return delegate.createTable(spec);
    }

    public TableDescription updateTable(final String tableName, final io.ferrite.engine.admission.TableCapacity capacity)
    {
        return delegate.updateTable(tableName, capacity);
    }

    public TableDescription describeTable(final String tableName)
    {
        return delegate.describeTable(tableName);
    }

    public TableDescription deleteTable(final String tableName)
    {
        return delegate.deleteTable(tableName);
    }

    public String listTables(final String exclusiveStartTableName, final int limit, final List<String> into)
    {
        return delegate.listTables(exclusiveStartTableName, limit, into);
    }

    public Map<String, AttributeValue> putItem(
        final String tableName, final Map<String, AttributeValue> item, final ReturnValues returnValues)
    {
        return delegate.putItem(tableName, item, returnValues);
    }

    public Map<String, AttributeValue> getItem(
        final String tableName, final Map<String, AttributeValue> key, final boolean consistentRead)
    {
        return delegate.getItem(tableName, key, consistentRead);
    }

    public Map<String, AttributeValue> updateItem(
        final String tableName,
        final Map<String, AttributeValue> key,
        final Map<String, AttributeValue> set,
        final Collection<String> remove,
        final ReturnValues returnValues)
    {
        return delegate.updateItem(tableName, key, set, remove, returnValues);
    }

    public Map<String, AttributeValue> deleteItem(
        final String tableName, final Map<String, AttributeValue> key, final ReturnValues returnValues)
    {
        return delegate.deleteItem(tableName, key, returnValues);
    }

    public Map<String, AttributeValue> putItem(
        final String tableName, final Map<String, AttributeValue> item, final ReturnValues returnValues,
        final ExpressionSpec expressions)
    {
        return delegate.putItem(tableName, item, returnValues, expressions);
    }

    public Map<String, AttributeValue> getItem(
        final String tableName, final Map<String, AttributeValue> key, final boolean consistentRead,
        final ExpressionSpec expressions)
    {
        return delegate.getItem(tableName, key, consistentRead, expressions);
    }

    public Map<String, AttributeValue> updateItem(
        final String tableName, final Map<String, AttributeValue> key, final ReturnValues returnValues,
        final ExpressionSpec expressions)
    {
        return delegate.updateItem(tableName, key, returnValues, expressions);
    }

    public Map<String, AttributeValue> deleteItem(
        final String tableName, final Map<String, AttributeValue> key, final ReturnValues returnValues,
        final ExpressionSpec expressions)
    {
        return delegate.deleteItem(tableName, key, returnValues, expressions);
    }

    public Page query(final QuerySpec spec)
    {
        return delegate.query(spec);
    }

    public Page scan(final ScanSpec spec)
    {
        return delegate.scan(spec);
    }

    public BatchGetResult batchGetItem(
        final Map<String, List<Map<String, AttributeValue>>> keysByTable,
        final Map<String, Boolean> consistentRead,
        final Map<String, String> projections,
        final Map<String, Map<String, String>> names)
    {
        return delegate.batchGetItem(keysByTable, consistentRead, projections, names);
    }

    public Map<String, List<Write>> batchWriteItem(final Map<String, List<Write>> writesByTable)
    {
        return delegate.batchWriteItem(writesByTable);
    }

    public void returnConsumedCapacity(final io.ferrite.engine.admission.ReturnConsumedCapacity mode)
    {
        delegate.returnConsumedCapacity(mode);
    }

    public io.ferrite.engine.admission.ConsumedCapacity lastConsumedCapacity()
    {
        return delegate.lastConsumedCapacity();
    }

    public List<io.ferrite.engine.admission.ConsumedCapacity> lastBatchConsumedCapacity()
    {
        return delegate.lastBatchConsumedCapacity();
    }

    public void close()
    {
        // the test owns the delegate
    }
}
