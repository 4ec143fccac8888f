package io.ferrite.tools.cli;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.engine.api.Ferrite;
import io.ferrite.engine.api.Page;
import io.ferrite.engine.api.Query;
import io.ferrite.engine.api.Scan;
import io.ferrite.engine.config.Settings;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.SortKeyCondition;
import io.ferrite.engine.shard.WriteRequest;
import io.ferrite.engine.table.TableDescription;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.transport.client.ClientConfig;
import io.ferrite.transport.client.FerriteBlockingClient;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link CliBackend} that talks to a running node over Aeron with the blocking SBE client: one client call
 * per backend call; the node's error answers arrive as {@code FerriteException} (printed as service errors,
 * exit 254), failures without an answer (timeout, node gone) as the client's exception (exit 255).
 * <p>
 * Endpoints: {@code aeron:ipc} through the media driver in the Aeron directory of the client settings
 * ({@code ferrite.client.aeronDir}, default the node's default, {@code AeronDirectory.defaultName()});
 * {@code aeron:udp?endpoint=HOST:PORT} with an embedded media driver in a temporary directory (removed on
 * close) and responses on {@code ferrite.client.responseChannel}, by default {@code aeron:udp?endpoint=127.0.0.1:0}
 * for a loopback node. Other {@code ferrite.client.*} settings (timeouts, retries) come from system properties
 * or the {@code FERRITE_CONFIG} file.
 * <p>
 * Threading: one thread, as {@link FerriteBlockingClient}.
 */
public final class AeronBackend implements CliBackend
{
    private final FerriteBlockingClient client;
    private final Path embeddedDriverDir;

    /**
     * Connects.
     *
     * @param endpointUrl {@code aeron:ipc} or {@code aeron:udp?endpoint=HOST:PORT}.
     * @param settings    the {@code ferrite.client.*} settings.
     */
    public AeronBackend(final String endpointUrl, final Settings settings)
    {
        final ClientConfig config = ClientConfig.from(settings);
        Path driverDir = null;
        if (endpointUrl.startsWith("aeron:udp"))
        {
            final String host = endpointUrl.replaceAll(".*endpoint=([^:|]+):.*", "$1");
            String responseChannel = settings.string(ClientConfig.PREFIX + "responseChannel", null);
            if (null == responseChannel)
            {
                if (!host.equals("localhost") && !host.startsWith("127."))
                {
                    throw ParamException.parameter("--endpoint-url " + endpointUrl + ": set " + ClientConfig.PREFIX +
                        "responseChannel=aeron:udp?endpoint=THIS_HOST:0 (an address the node can reach) with " +
                        "FERRITE_JAVA_OPTS=-D... or in FERRITE_CONFIG");
                }
                responseChannel = "aeron:udp?endpoint=127.0.0.1:0";
            }
            try
            {
                driverDir = Files.createTempDirectory("ferrite-cli-aeron");
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            config.embeddedDriver(true).aeronDir(driverDir.toString()).requestChannel(endpointUrl)
                .responseChannel(responseChannel);
        }
        else
        {
            config.requestChannel(endpointUrl);
        }
        this.embeddedDriverDir = driverDir;
        try
        {
            this.client = FerriteBlockingClient.connect(config);
        }
        catch (final RuntimeException ex)
        {
            deleteDriverDir();
            throw new IllegalStateException("Could not connect to the endpoint URL: \"" + endpointUrl + "\": " +
                ex.getMessage(), ex);
        }
    }

    /**
     * {@inheritDoc}
     */
    public TableDescription createTable(final TableSpec spec)
    {
        return client.createTable(spec);
    }

    /**
     * {@inheritDoc}
     */
    public void returnConsumedCapacity(final io.ferrite.engine.admission.ReturnConsumedCapacity mode)
    {
        client.returnConsumedCapacity(mode);
    }

    /**
     * {@inheritDoc}
     */
    public io.ferrite.engine.admission.ConsumedCapacity lastConsumedCapacity()
    {
        return client.lastConsumedCapacity();
    }

    /**
     * {@inheritDoc}
     */
    public List<io.ferrite.engine.admission.ConsumedCapacity> lastBatchConsumedCapacity()
    {
        return client.lastBatchConsumedCapacity();
    }

    public TableDescription updateTable(final String tableName, final io.ferrite.engine.admission.TableCapacity capacity)
    {
        return client.updateTable(tableName, capacity);
    }

    public TableDescription describeTable(final String tableName)
    {
        return client.describeTable(tableName);
    }

    /**
     * {@inheritDoc}
     */
    public TableDescription deleteTable(final String tableName)
    {
        return client.deleteTable(tableName);
    }

    /**
     * {@inheritDoc}
     */
    public String listTables(final String exclusiveStartTableName, final int limit, final List<String> into)
    {
        final FerriteBlockingClient.ListTablesPage page = client.listTables(0 == limit ? 100 : limit,
            exclusiveStartTableName);
        into.addAll(page.tableNames());
        return page.lastEvaluatedTableName();
    }

    /**
     * {@inheritDoc}
     */
    public Map<String, AttributeValue> putItem(
        final String tableName,
        final Map<String, AttributeValue> item,
        final ReturnValues returnValues,
        final ExpressionSpec e)
    {
        return client.putItem(tableName, item, e.conditionExpression(), e.names(), e.values(), returnValues,
            e.onConditionFailure());
    }

    /**
     * {@inheritDoc}
     */
    public Map<String, AttributeValue> getItem(
        final String tableName, final Map<String, AttributeValue> key, final boolean consistentRead, final ExpressionSpec e)
    {
        if (null == e.projectionExpression() && null == e.names())
        {
            return client.getItem(tableName, key, consistentRead);
        }
        return client.getItem(tableName, key, e.projectionExpression(), e.names());
    }

    /**
     * {@inheritDoc}
     */
    public Map<String, AttributeValue> updateItem(
        final String tableName,
        final Map<String, AttributeValue> key,
        final Map<String, AttributeValue> set,
        final Collection<String> remove,
        final ReturnValues returnValues)
    {
        return client.updateItem(tableName, key, set, remove, returnValues);
    }

    /**
     * {@inheritDoc}
     */
    public Map<String, AttributeValue> updateItem(
        final String tableName, final Map<String, AttributeValue> key, final ReturnValues returnValues, final ExpressionSpec e)
    {
        return client.updateItem(tableName, key, e.updateExpression(), e.conditionExpression(), e.names(), e.values(),
            returnValues, e.onConditionFailure());
    }

    /**
     * {@inheritDoc}
     */
    public Map<String, AttributeValue> deleteItem(
        final String tableName, final Map<String, AttributeValue> key, final ReturnValues returnValues, final ExpressionSpec e)
    {
        return client.deleteItem(tableName, key, e.conditionExpression(), e.names(), e.values(), returnValues,
            e.onConditionFailure());
    }

    /**
     * {@inheritDoc}
     */
    public Page query(final QuerySpec spec)
    {
        return client.query(ExpressionSpec.query(spec), spec.consistentRead());
    }

    /**
     * {@inheritDoc}
     */
    public Page scan(final ScanSpec spec)
    {
        return client.scan(ExpressionSpec.scan(spec), spec.consistentRead());
    }

    /**
     * {@inheritDoc}
     */
    public BatchGetResult batchGetItem(
        final Map<String, List<Map<String, AttributeValue>>> keysByTable,
        final Map<String, Boolean> consistentRead,
        final Map<String, String> projections,
        final Map<String, Map<String, String>> names)
    {
        final Ferrite.BatchGet result = client.batchGetItem(keysByTable, consistentRead, projections, names);
        return new BatchGetResult(result.responses(), result.unprocessedKeys());
    }

    /**
     * {@inheritDoc}
     */
    public Map<String, List<Write>> batchWriteItem(final Map<String, List<Write>> writesByTable)
    {
        final Map<String, List<WriteRequest>> requests = new LinkedHashMap<>();
        writesByTable.forEach((table, writes) ->
        {
            final List<WriteRequest> list = new ArrayList<>(writes.size());
            writes.forEach(write -> list.add(write.put() ? Ferrite.put(write.itemOrKey()) :
                Ferrite.delete(write.itemOrKey())));
            requests.put(table, list);
        });
        final Map<String, List<Write>> unprocessed = new LinkedHashMap<>();
        client.batchWriteItem(requests).forEach((table, writes) ->
        {
            final List<Write> list = new ArrayList<>(writes.size());
            writes.forEach(write -> list.add(new Write(write.put(),
                ItemCodec.decode(new UnsafeBuffer(write.bytes()), 0, write.bytes().length))));
            if (!list.isEmpty())
            {
                unprocessed.put(table, list);
            }
        });
        return unprocessed;
    }

    /**
     * Disconnects, and removes the embedded driver's directory of a UDP endpoint.
     */
    public void close()
    {
        try
        {
            client.close();
        }
        finally
        {
            deleteDriverDir();
        }
    }

    private void deleteDriverDir()
    {
        if (null != embeddedDriverDir)
        {
            IoUtil.delete(embeddedDriverDir.toFile(), true);
        }
    }
}
