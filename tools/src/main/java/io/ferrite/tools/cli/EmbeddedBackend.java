package io.ferrite.tools.cli;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.engine.api.Ferrite;
import io.ferrite.engine.api.Page;
import io.ferrite.engine.api.Query;
import io.ferrite.engine.api.Scan;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.config.Settings;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.SortKeyCondition;
import io.ferrite.engine.shard.WriteRequest;
import io.ferrite.engine.table.TableDescription;
import io.ferrite.engine.table.TableSpec;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A {@link CliBackend} over an engine data directory opened in this process ({@code --endpoint-url
 * file:///path/to/dir}): for inspecting or repairing a stopped node's data offline, and for scripts and
 * tests that need no server. The directory is opened (and recovered) on construction and checkpointed on
 * {@link #close()}; a directory a running node holds is refused by the engine's lock.
 * <p>
 * A node keeps one engine directory per shard, {@code <dataDir>/shard-<i>}: point the CLI at one of those.
 * Given a directory that holds {@code shard-*} subdirectories and no catalog of its own, the constructor
 * refuses with a message listing them rather than create an empty database beside them.
 * <p>
 * Threading: one thread (the CLI's), as {@link Ferrite}.
 */
public final class EmbeddedBackend implements CliBackend
{
    private final Ferrite db;

    /**
     * Opens (creating if absent) the data directory, with the {@code ferrite.engine.*} settings from system
     * properties.
     *
     * @param dataDir an engine data directory (one shard's).
     */
    public EmbeddedBackend(final Path dataDir)
    {
        this(EngineConfig.from(Settings.fromSystemProperties()).dataDir(dataDir));
    }

    /**
     * Opens (creating if absent) the configuration's data directory. Use the node's own settings
     * ({@code ferrite.engine.*}, e.g. from its config file) so that stores are opened as they were sized.
     *
     * @param config the engine configuration, with its data directory set to one shard's directory.
     */
    public EmbeddedBackend(final EngineConfig config)
    {
        refuseNodeRoot(config.dataDir());
        config.validate();
        this.db = Ferrite.open(config);
    }

    private static void refuseNodeRoot(final Path dataDir)
    {
        if (!Files.isDirectory(dataDir) || Files.exists(dataDir.resolve("catalog.bin")))
        {
            return;
        }
        final List<String> shards = new ArrayList<>();
        try (Stream<Path> children = Files.list(dataDir))
        {
            children.filter(Files::isDirectory)
                .map(p -> p.getFileName().toString())
                .filter(name -> name.startsWith("shard-"))
                .sorted()
                .forEach(shards::add);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot list " + dataDir + ": " + ex.getMessage(), ex);
        }
        if (!shards.isEmpty())
        {
            throw ParamException.parameter("--endpoint-url file://" + dataDir.toAbsolutePath() + " is a node's data " +
                "directory with " + shards.size() + " shard(s) " + shards + "; point at one shard, e.g. file://" +
                dataDir.toAbsolutePath().resolve(shards.get(0)));
        }
    }

    /**
     * {@inheritDoc}
     */
    public TableDescription createTable(final TableSpec spec)
    {
        return db.createTable(spec);
    }

    /**
     * {@inheritDoc}
     */
    public TableDescription updateTable(final String tableName, final io.ferrite.engine.admission.TableCapacity capacity)
    {
        throw io.ferrite.codecs.error.FerriteException.validation("update-table needs a node (--endpoint-url aeron:...): the embedded engine " +
            "neither keeps nor enforces capacity");
    }

    public TableDescription describeTable(final String tableName)
    {
        return db.describeTable(tableName);
    }

    /**
     * {@inheritDoc}
     */
    public TableDescription deleteTable(final String tableName)
    {
        return db.deleteTable(tableName);
    }

    /**
     * {@inheritDoc}
     */
    public String listTables(final String exclusiveStartTableName, final int limit, final List<String> into)
    {
        return db.shard().listTables(exclusiveStartTableName, 0 == limit ? 100 : limit, into);
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
        return db.putItem(tableName, item, e.conditionExpression(), e.names(), e.values(), returnValues,
            e.onConditionFailure());
    }

    /**
     * {@inheritDoc}
     */
    public Map<String, AttributeValue> getItem(
        final String tableName, final Map<String, AttributeValue> key, final boolean consistentRead, final ExpressionSpec e)
    {
        return db.getItem(tableName, key, e.projectionExpression(), e.names());
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
        return db.updateItem(tableName, key, set, remove, null, returnValues);
    }

    /**
     * {@inheritDoc}
     */
    public Map<String, AttributeValue> updateItem(
        final String tableName, final Map<String, AttributeValue> key, final ReturnValues returnValues, final ExpressionSpec e)
    {
        return db.updateItem(tableName, key, e.updateExpression(), e.conditionExpression(), e.names(), e.values(),
            returnValues, e.onConditionFailure());
    }

    /**
     * {@inheritDoc}
     */
    public Map<String, AttributeValue> deleteItem(
        final String tableName, final Map<String, AttributeValue> key, final ReturnValues returnValues, final ExpressionSpec e)
    {
        return db.deleteItem(tableName, key, e.conditionExpression(), e.names(), e.values(), returnValues,
            e.onConditionFailure());
    }

    /**
     * {@inheritDoc}
     */
    public Page query(final QuerySpec spec)
    {
        return db.query(ExpressionSpec.query(spec));
    }

    /**
     * {@inheritDoc}
     */
    public Page scan(final ScanSpec spec)
    {
        return db.scan(ExpressionSpec.scan(spec));
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
        final Ferrite.BatchGet result = db.batchGetItem(keysByTable, projections, names);
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
        db.batchWriteItem(requests).forEach((table, writes) ->
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
     * Checkpoints and closes the data directory.
     */
    public void close()
    {
        db.close();
    }
}
