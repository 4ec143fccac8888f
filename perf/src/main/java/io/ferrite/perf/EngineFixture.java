package io.ferrite.perf;

import io.ferrite.engine.api.Ferrite;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.config.Settings;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.Shard;
import io.ferrite.engine.shard.Table;
import io.ferrite.engine.store.StoreKind;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.engine.wal.FsyncPolicy;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An embedded Ferrite on a fresh temporary data directory holding the whole {@link Dataset}, loaded through
 * the flyweight {@link Shard#putItem} path and checkpointed, ready for a benchmark; {@link #close()} deletes
 * the directory.
 * <p>
 * <b>Threading:</b> the thread that creates it owns the shard (direct mode: its first call, the CreateTable, binds
 * it, and another thread's call is refused while it lives); JMH runs setup, the benchmark method and teardown of a
 * one-thread benchmark on the same thread.
 */
public final class EngineFixture implements AutoCloseable
{
    /** Expected encoded index key size of the data set (10-byte header, 8-byte pk, 2-byte sk). */
    public static final int AVERAGE_KEY_BYTES = 20;
    /** A partition is sized with room to grow, as a deployment would be: twice the data set. */
    public static final int HEADROOM = 2;

    private final Path dataDir;
    private final ExitCleanup.Step dirCleanup;
    private final Ferrite db;
    private final Shard shard;
    private final Table table;

    /**
     * @param dataset the data set to load.
     * @param fsync   the WAL fsync policy.
     */
    public EngineFixture(final Dataset dataset, final FsyncPolicy fsync)
    {
        this(dataset, fsync, settings().storeKind());
    }

    /**
     * @param dataset the data set to load.
     * @param fsync   the WAL fsync policy.
     * @param store   the item store implementation.
     */
    public EngineFixture(final Dataset dataset, final FsyncPolicy fsync, final StoreKind store)
    {
        this(dataset, settings().fsyncPolicy(fsync).storeKind(store));
    }

    /**
     * The engine settings a benchmark starts from: the defaults, overridden by any {@code -Dferrite.engine.*}
     * system property (e.g. {@code -Dferrite.engine.walPretouchReadAhead=ON}); what the benchmark itself sets
     * (fsync policy, store, sizes, data directory) overrides those.
     *
     * @return a new configuration.
     */
    public static EngineConfig settings()
    {
        return EngineConfig.from(Settings.fromSystemProperties());
    }

    /**
     * @param dataset the data set to load.
     * @param config  the WAL and store settings (fsync policy and its batch settings, store kind); the fixture
     *                sets the data directory and sizes the partition for the data set, in this object.
     */
    public EngineFixture(final Dataset dataset, final EngineConfig config)
    {
        try
        {
            dataDir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "ferrite-bench-");
            dirCleanup = ExitCleanup.deleteAtExit(dataDir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        db = Ferrite.open(config
            .dataDir(dataDir)
            .partitionMaxItems((long)HEADROOM * dataset.items())
            .averageKeyBytes(AVERAGE_KEY_BYTES)
            .averageItemBytes(Dataset.ITEM_BYTES));
        db.createTable(TableSpec.of(Dataset.TABLE).partitionKey(Dataset.PK, KeyType.S).sortKey(Dataset.SK, KeyType.N));
        shard = db.shard();
        table = shard.table(Dataset.TABLE);

        final long startNs = System.nanoTime();
        for (int i = 0; i < dataset.items(); i++)
        {
            final DirectBuffer item = dataset.item(i, 0);
            shard.putItem(table, item, 0, dataset.itemLength(i), null, ReturnValues.NONE, null);
        }
        shard.checkpoint();
        System.out.printf("%nloaded %,d items of %d B into %s with fsync %s, store %s in %.1f s%n",
            dataset.items(), Dataset.ITEM_BYTES, dataDir, describeFsync(config), config.storeKind(),
            (System.nanoTime() - startNs) / 1e9);
    }

    /**
     * @param config an engine configuration.
     * @return its fsync policy, with BATCH's interval and record count, e.g. {@code BATCH (every 2000 us or 256
     *         records)}.
     */
    public static String describeFsync(final EngineConfig config)
    {
        return FsyncPolicy.BATCH == config.fsyncPolicy() ?
            "BATCH (every " + config.fsyncBatchIntervalNs() / 1000 + " us or " + config.fsyncBatchMaxRecords() +
            " records)" : config.fsyncPolicy().name();
    }

    /**
     * @return the shard (owned by the thread that made the fixture).
     */
    public Shard shard()
    {
        return shard;
    }

    /**
     * @return the data set's table.
     */
    public Table table()
    {
        return table;
    }

    /**
     * Closes the engine and deletes its directory.
     */
    public void close()
    {
        try
        {
            db.close();
        }
        finally
        {
            dirCleanup.runNow();
        }
    }
}
