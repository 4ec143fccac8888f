package io.ferrite.engine.shard;

import io.ferrite.codecs.bytes.UnsignedBytes;
import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.codecs.item.ItemValidator;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.codecs.sbe.WalOp;
import io.ferrite.engine.admission.CapacityUnits;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.index.OffHeapBTree;
import io.ferrite.engine.store.DurableFiles;
import io.ferrite.engine.store.ItemStore;
import io.ferrite.engine.store.ItemStores;
import io.ferrite.engine.store.StoreKind;
import io.ferrite.engine.store.StoreMemory;
import io.ferrite.engine.store.StoreConfig;
import io.ferrite.engine.store.StoreFullException;
import io.ferrite.engine.table.Catalog;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.NameRules;
import io.ferrite.engine.table.TableDefinition;
import io.ferrite.engine.table.TableDescription;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.engine.wal.ReplayResult;
import io.ferrite.engine.wal.Wal;
import io.ferrite.engine.wal.WalConfig;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * One shard: the tables of a data directory, their partitions (persisted item stores plus in-memory
 * ordered indexes) and the write-ahead log, with every DynamoDB operation the engine has.
 * <p>
 * <b>Threading:</b> a shard is owned by exactly one thread, its loop: either the application's own
 * thread calling these methods directly ("direct mode"), or a {@link io.ferrite.engine.queued.ShardAgent}
 * draining a command queue ("queued mode"). No method is safe to call from two threads, and the shard checks: every
 * data-plane and table-management call (the item operations, Query, Scan, the batches, the table calls,
 * {@link #doDutyCycle}, {@link #checkpoint}, {@link #close}, {@link #abandon} and the charge getters) from a thread
 * other than the owner, while the owner lives, throws an IllegalStateException naming both threads before it touches
 * anything; for several threads use {@link io.ferrite.engine.queued.QueuedShard}. Ownership:
 * <ul>
 *     <li>{@link #open} leaves the shard unowned (recovery runs on the opening thread, but owns nothing); the first
 *     thread to make a checked call owns it;</li>
 *     <li>{@link #releaseOwnership()} on the owner gives it up, so that the next thread to call takes it: the hand-over
 *     for code that prepares a shard on one thread (creates tables, say) and runs its loop on another;</li>
 *     <li>once the owner has ended, the next thread to call takes it over (the end of a thread happens-before
 *     another thread sees it not alive, so the new owner sees all the old one did).</li>
 * </ul>
 * The check is one compare of {@link Thread#currentThread()} with a field per call, allocating nothing; the owner's
 * liveness is read only when they differ. {@link #config()}, {@link #recoveryReport()}, {@link #lastSequence()} and the
 * fault-injection methods are not checked. A handler passed in must not call back into the shard: such a call is
 * refused with an IllegalStateException. Behind it run three daemon threads of the engine's own, which never touch the
 * shard's state: the WAL's BATCH syncer and pretoucher, and the {@link Checkpointer}, which completes periodic
 * checkpoints (store sync, {@code checkpoint.bin}) while the loop goes on.
 * <p>
 * <b>Durability:</b> every mutation is appended to the WAL (and synced per the configured
 * {@link io.ferrite.engine.wal.FsyncPolicy}) before it is applied to the store and before the call
 * returns, so a returned write survives a crash of the process. Opening a data directory replays the WAL
 * after the last checkpoint over the persisted stores (records carry whole item images, so replaying one
 * twice is harmless), then rebuilds the ordered indexes from the stores.
 * <p>
 * <b>Allocation:</b> getItem, putItem, deleteItem, updateItem, query and scan allocate nothing in steady
 * state, and neither does a conditional write whose condition fails (ConditionalCheckFailedException is one shared
 * instance). Other errors throw a new {@link FerriteException}, which fills in no stack trace: one object and its
 * message, tens to a few hundred bytes (measured: 40 bytes for a fixed message, ~180 for one naming values), so a
 * stream of bad requests costs garbage in proportion. Table management and batches allocate.
 */
public final class Shard implements AutoCloseable
{
    /** DynamoDB's page size for Query and Scan: items read per page, counted in item bytes. */
    public static final int MAX_PAGE_BYTES = 1024 * 1024;
    /** Entries Query and Scan prefetch at a time (see {@link #prefetch}, {@link #prefetchScan}). */
    static final int PREFETCH_BATCH = 16;
    /** The most tables one data directory holds. */
    public static final int MAX_TABLES = 256;
    /** BatchGetItem's most keys per call. */
    public static final int MAX_BATCH_GET_KEYS = 100;
    /** BatchWriteItem's most writes per call. */
    public static final int MAX_BATCH_WRITES = 25;
    /** BatchGetItem's response size before the rest is returned as unprocessed. */
    public static final int MAX_BATCH_GET_RESPONSE_BYTES = 16 * 1024 * 1024;
    /** Largest item bytes held in a scratch buffer (the 400 KB limit plus encoding overhead). */
    static final int ITEM_BUFFER_BYTES = 1024 * 1024;
    /**
     * Largest encoded item a partition store accepts. Ferrite's encoding of an item can be several times
     * its DynamoDB size (a list of small numbers takes 6 bytes per element against DynamoDB's 3), so an
     * item within 400 KB can still exceed this; it must be refused before it reaches the WAL.
     */
    static final int MAX_ENCODED_ITEM_BYTES = StoreConfig.DEFAULT_MAX_VALUE_SIZE;

    private static final Logger LOG = LoggerFactory.getLogger(Shard.class);
    /**
     * A conditional write's failed condition, thrown as one shared instance: under optimistic concurrency it is an
     * ordinary outcome, not a rare error, so it allocates nothing. Sharing is safe: a FerriteException fills in no
     * stack trace, takes no suppressed exceptions and has its cause fixed (null), so nothing can change it.
     */
    private static final FerriteException CONDITION_FAILED =
        new FerriteException(ErrorCode.ConditionalCheckFailedException, "The conditional request failed");
    private static final String LOCK_FILE = "ferrite.lock";
    /**
     * Suffix of the file an operator creates beside a lost partition store ({@code stores/t1-p0.lost}) to open its
     * table with that partition empty (see {@link #refuseLostStores()}).
     */
    static final String LOST_STORE_SUFFIX = ".lost";
    private static final byte SORT_KEY_MAX_BYTE = (byte)0xFF;
    private static final int ABSENT = -1;
    private static final int PRESENT_NOT_READ = -2;
    private static final int NOT_LOOKED_UP = -3;

    private final EngineConfig config;
    /**
     * Deepest nesting a request may write: DynamoDB's {@link ItemFormat#MAX_REQUEST_DEPTH}, or for a replica of a
     * replicated log the stored bound {@link ItemFormat#MAX_DEPTH}, since its log holds requests that may have been
     * written when Ferrite accepted 32 levels, and replaying one must do what it did then (decision 0013).
     */
    private final int requestDepth;
    private final EpochNanoClock clock;
    private final Path storesDir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Catalog catalog;
    private final Wal wal;
    private final CheckpointFile checkpointFile;
    private final Checkpointer checkpointer;
    private final Map<String, Table> tablesByName = new HashMap<>();
    private final Int2ObjectHashMap<Table> tablesById = new Int2ObjectHashMap<>();
    private final RecoveryReport recoveryReport;

    private final UnsafeBuffer keyBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(KeyCodec.MAX_INDEX_KEY_LENGTH + 64));
    /** The store's prefetch targets of the entries {@link #prefetch} takes. */
    private final long[] prefetchTargets = new long[PREFETCH_BATCH];
    /** How many keys the last {@link #prefetch} took. */
    private int prefetchCount;
    /** Folds in what the store's prefetch read, so that the compiler keeps the reads; never read otherwise. */
    private long prefetchSink;
    private final UnsafeBuffer probeBuffer =
        new UnsafeBuffer(ByteBuffer.allocateDirect(KeyCodec.MAX_INDEX_KEY_LENGTH + KeyCodec.MAX_SORT_KEY_BYTES + 64));
    private final UnsafeBuffer lastKeyBuffer =
        new UnsafeBuffer(ByteBuffer.allocateDirect(KeyCodec.MAX_INDEX_KEY_LENGTH + 64));
    private final UnsafeBuffer oldItem = new UnsafeBuffer(ByteBuffer.allocateDirect(ITEM_BUFFER_BYTES));
    private int lastWriteChargeBytes;
    private int lastReadChargeBytes;
    private final UnsafeBuffer newItem = new UnsafeBuffer(ByteBuffer.allocateDirect(ITEM_BUFFER_BYTES));
    private final UnsafeBuffer readItem = new UnsafeBuffer(ByteBuffer.allocateDirect(ITEM_BUFFER_BYTES));
    /** Points at a stored item during a GetItem handler call (no copy with the hash store). */
    private final UnsafeBuffer itemView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer projected = new UnsafeBuffer(ByteBuffer.allocateDirect(ITEM_BUFFER_BYTES));

    private final ProjectingHandler projectingHandler = new ProjectingHandler(projected);

    private long checkpointSequence;
    /** Sequence of the periodic checkpoint the {@link Checkpointer} is completing; -1 when none. */
    private long pendingCheckpointSequence = -1;
    private long lastCheckpointNs;
    /**
     * The first checkpoint that failed (a store's sync, or writing the checkpoint file), after which no checkpoint is
     * taken again in this process: after a failed writeback Linux marks the pages clean and reports the error once, so
     * a retried sync could succeed without the data on disk, and the checkpoint would then purge the only durable
     * copy, the log. Writes go on; the log keeps every record since the last good checkpoint for the restart.
     */
    private Throwable checkpointFailure;
    private boolean closed;
    /** True while an application's {@link ItemHandler} runs ({@link #handOver}): the shard refuses calls meanwhile. */
    private boolean inHandler;
    /** The thread that owns this shard ({@link #checkOwnerThread()}); none after open and after a release. */
    private final ThreadOwner owner = new ThreadOwner();
    private final HeadroomGuard diskGuard;
    /** Refuses writes while memory runs short, for stores in the process's own memory; off (no thread) otherwise. */
    private final HeadroomGuard memoryGuard;
    /** {@link #failNextWriteForTesting}: volatile, as a test sets it from its own thread. */
    private volatile Error injectedWriteError;

    private Shard(final EngineConfig config, final EpochNanoClock clock, final LongSupplier usableDiskBytes,
        final LongSupplier availableMemoryBytes)
    {
        this.config = config.validate();
        this.requestDepth = config.replica() ? ItemFormat.MAX_DEPTH : ItemFormat.MAX_REQUEST_DEPTH;
        this.clock = clock;
        final long startNs = System.nanoTime();
        final Path dataDir = config.dataDir();
        this.storesDir = dataDir.resolve("stores");
        try
        {
            DurableFiles.createDirectories(storesDir);
            lockChannel = FileChannel.open(dataDir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = lockChannel.tryLock();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open data directory " + dataDir, ex);
        }
        if (null == lock)
        {
            CloseHelper.quietClose(lockChannel);
            throw new IllegalStateException("data directory " + dataDir + " is in use by another process (" +
                LOCK_FILE + " is locked)");
        }
        try
        {
            diskGuard = HeadroomGuard.disk(dataDir, config.minFreeDiskBytes(), usableDiskBytes);
        }
        catch (final RuntimeException ex)
        {
            releaseLock();
            throw ex;
        }
        if (diskGuard.low())
        {
            // Recovery writes the stores: below the margin it could crash on a full file system instead.
            final String why = diskGuard.openRefusal();
            diskGuard.close();
            releaseLock();
            throw new IllegalStateException("cannot open " + dataDir + ": " + why);
        }
        // not at open: a store that does not fit is refused by its own load, and recovery may free memory
        final boolean ownMemory = StoreKind.HASH == config.storeKind() && StoreMemory.ANONYMOUS == config.storeMemory();
        memoryGuard = HeadroomGuard.memory(dataDir, ownMemory ? config.minAvailableMemoryBytes() : 0,
            availableMemoryBytes);

        Wal openedWal = null;
        CheckpointFile openedCheckpoint = null;
        try
        {
            catalog = Catalog.load(dataDir);
            deleteOrphanStores();
            refuseLostStores();
            for (final TableDefinition definition : catalog.tables())
            {
                openTable(definition);
            }

            openedCheckpoint = CheckpointFile.open(dataDir);
            checkpointFile = openedCheckpoint;
            checkpointSequence = openedCheckpoint.sequence();
            openedWal = new Wal(walConfig(config));
            final long checkpointed = checkpointSequence;
            if (openedWal.lastSequence() < checkpointed)
            {
                // new records would get sequences the checkpoint claims to hold, and the next restart would skip them
                throw new IllegalStateException("cannot open " + dataDir + ": its write-ahead log ends at sequence " +
                    openedWal.lastSequence() + ", before the checkpoint " + checkpointed + " (" +
                    CheckpointFile.FILE_NAME + "): log files are missing from " + dataDir.resolve("wal"));
            }
            final long[] replayed = new long[3]; // applied, skipped, seen
            final RefusedPuts refused = new RefusedPuts();
            final ReplayResult replay = openedWal.replay(checkpointSequence,
                (sequence, tableId, partitionId, op, key, keyOffset, keyLength, image, imageOffset, imageLength, ts) ->
                {
                    if (0 == replayed[2]++ && sequence != checkpointed + 1)
                    {
                        // the log only ever loses files wholly before the checkpoint (purge): these were not
                        throw new IllegalStateException("cannot open " + dataDir + ": the first record of its " +
                            "write-ahead log after the checkpoint " + checkpointed + " has sequence " + sequence +
                            ", so records " + (checkpointed + 1) + " to " + (sequence - 1) + " are missing from " +
                            dataDir.resolve("wal"));
                    }
                    final Table table = tablesById.get(tableId);
                    if (null == table)
                    {
                        replayed[1]++;
                        return;
                    }
                    if (refused.supersede(tableId, key, keyOffset, keyLength))
                    {
                        replayed[1]++; // a put the store refused, which this record of its key makes moot
                    }
                    final Partition partition = table.partitionFor(KeyCodec.hash(key, keyOffset));
                    if (WalOp.PUT == op)
                    {
                        try
                        {
                            partition.store().put(sequence, key, keyOffset, keyLength, image, imageOffset, imageLength);
                        }
                        catch (final StoreFullException ex)
                        {
                            // held until a later record of its key or the end of replay: see RefusedPuts
                            refused.hold(sequence, tableId, key, keyOffset, keyLength, image, imageOffset, imageLength);
                            return;
                        }
                    }
                    else if (WalOp.DELETE == op)
                    {
                        partition.store().remove(key, keyOffset, keyLength);
                    }
                    replayed[0]++;
                });
            replayed[0] += refused.applyTheLast(replay.lastSequence(), dataDir);
            replayed[1] += refused.count();
            if (replay.lastSequence() < openedWal.lastSequence())
            {
                openedWal = setAsideUnreachableLog(config, openedWal, openedCheckpoint, replay);
            }
            wal = openedWal;

            long items = 0;
            for (final Table table : tablesByName.values())
            {
                for (final Partition partition : table.partitions())
                {
                    partition.rebuildIndex();
                }
                items += table.itemCount();
            }

            lastCheckpointNs = System.nanoTime();
            recoveryReport = new RecoveryReport(
                checkpointSequence,
                replayed[0],
                replayed[1],
                replay.tornRecords(),
                replay.tornDescription(),
                wal.lastSequence(),
                items,
                (System.nanoTime() - startNs) / 1_000_000);
            checkpointer = new Checkpointer(openedCheckpoint, dataDir.toString());
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(openedWal);
            CloseHelper.quietClose(openedCheckpoint);
            closeTables();
            diskGuard.close();
            memoryGuard.close();
            releaseLock();
            throw ex;
        }
    }

    /**
     * Opens (creating if needed) the data directory of {@code config}, recovering after a crash.
     *
     * @param config the engine configuration.
     * @param clock  the clock stamped into WAL records.
     * @return the shard, unowned: the first thread to call it owns it (see the class's threading contract).
     */
    public static Shard open(final EngineConfig config, final EpochNanoClock clock)
    {
        return new Shard(config, clock, null, null);
    }

    /**
     * As {@link #open(EngineConfig, EpochNanoClock)}, with the data directory's usable space read from
     * {@code usableDiskBytes} instead of its file system (tests of {@code ferrite.engine.minFreeDiskBytes}).
     *
     * @param config          the engine configuration.
     * @param clock           the clock stamped into WAL records.
     * @param usableDiskBytes the usable bytes to believe, read on the disk guard's thread.
     * @return the shard.
     */
    static Shard open(final EngineConfig config, final EpochNanoClock clock, final LongSupplier usableDiskBytes)
    {
        return new Shard(config, clock, usableDiskBytes, null);
    }

    /**
     * As {@link #open(EngineConfig, EpochNanoClock)}, with the machine's available memory read from
     * {@code availableMemoryBytes} instead of {@code /proc/meminfo} (tests of {@code
     * ferrite.engine.minAvailableMemoryBytes}).
     *
     * @param config               the engine configuration.
     * @param clock                the clock stamped into WAL records.
     * @param availableMemoryBytes the available bytes to believe, read on the memory guard's thread.
     * @return the shard.
     */
    static Shard openWithMemory(final EngineConfig config, final EpochNanoClock clock,
        final LongSupplier availableMemoryBytes)
    {
        return new Shard(config, clock, null, availableMemoryBytes);
    }

    /**
     * @return what opening the data directory found and did.
     */
    public RecoveryReport recoveryReport()
    {
        return recoveryReport;
    }

    /**
     * Fault injection, for tests and game days only: the WAL's next fdatasync throws {@code failure} instead of
     * syncing, as a failed writeback would ({@link Wal#failNextSyncForTesting}); with it the WAL refuses writes.
     *
     * @param failure what the fdatasync throws.
     */
    public void failNextWalSyncForTesting(final java.io.IOException failure)
    {
        wal.failNextSyncForTesting(failure);
    }

    /**
     * Fault injection, for tests and game days only: the next write (PutItem, UpdateItem, DeleteItem, BatchWriteItem,
     * CreateTable) throws {@code error} before it touches anything, as a SIGBUS in a mapped file surfaces (an
     * {@link InternalError} on the shard's thread). Call it on, or before handing the shard to, its owning thread.
     *
     * @param error what the write throws.
     */
    public void failNextWriteForTesting(final Error error)
    {
        injectedWriteError = error;
    }

    /**
     * @return the configuration this shard runs with.
     */
    public EngineConfig config()
    {
        return config;
    }

    /**
     * @return the sequence of the last WAL record appended.
     */
    public long lastSequence()
    {
        return wal.lastSequence();
    }

    // ---------------------------------------------------------------------------------------------
    // Table management
    // ---------------------------------------------------------------------------------------------

    /**
     * CreateTable: validates the name and key schema, persists the catalog, creates the partitions.
     *
     * @param spec the table's name and key schema.
     * @return the new table's description.
     */
    public TableDescription createTable(final TableSpec spec)
    {
        return createTable(spec, catalog.nextTableId());
    }

    /**
     * CreateTable under a given table id, for a replica restoring another shard's tables (a cell member loading a
     * snapshot): every replica must give a table the same id, which its WAL records and DescribeTable carry. Validated
     * as {@link #createTable}; the id must be positive and free.
     *
     * @param spec    the table's name and key schema.
     * @param tableId the table's id in the shard restored from.
     * @return the new table's description.
     * @throws IllegalArgumentException if the id is not positive or another table has it.
     */
    public TableDescription restoreTable(final TableSpec spec, final int tableId)
    {
        return createTable(spec, tableId);
    }

    private TableDescription createTable(final TableSpec spec, final int tableId)
    {
        checkOwnerThread(); // before checkWritable, which takes an injected error
        checkWritable();
        checkNewTable(spec);
        if (tableId > 0 && tableId < catalog.nextTableId() && wal.lastSequence() > checkpointSequence)
        {
            // An id below the next one may have been a deleted table's, whose records the log may still hold after
            // the checkpoint: replay would apply them to this table. A checkpoint first puts them all behind it.
            checkpoint();
        }
        catalog.checkNewTableId(tableId, spec.tableName());
        // The stores first, their names synced, then the catalog: a table the catalog names always has its store
        // files, so a missing one is a lost one (refused at open), never one that a crash kept from being created.
        catalog.persistIfAbsent();
        final List<TableDefinition.PartitionRange> ranges = TableDefinition.evenPartitions(config.initialPartitions());
        final Partition[] partitions = openPartitions(tableId, spec.tableName(), ranges, true);
        final TableDefinition definition;
        try
        {
            definition = catalog.addWithId(tableId, spec, ranges, clock.nanoTime() / 1_000_000);
        }
        catch (final RuntimeException ex)
        {
            for (final Partition partition : partitions)
            {
                partition.discard();
                ItemStores.delete(storeBase(tableId, partition.partitionId()));
            }
            throw ex;
        }
        return describe(register(definition, partitions), "ACTIVE");
    }

    /**
     * @return the id the next {@link #createTable} gives its table.
     */
    public int nextTableId()
    {
        checkOwnerThread();
        return catalog.nextTableId();
    }

    /**
     * Sets the id the next {@link #createTable} gives its table, for a replica restoring another shard's catalog.
     *
     * @param nextTableId greater than every table's id.
     * @throws IllegalArgumentException if a table's id is not below it, or it is below the next id now (ids are never
     *                                  reused: the log may hold a deleted table's records).
     */
    public void restoreNextTableId(final int nextTableId)
    {
        checkOpen();
        catalog.restoreNextTableId(nextTableId);
    }

    private void checkNewTable(final TableSpec spec)
    {
        checkOpen();
        NameRules.checkTableName(spec.tableName(), "tableName");
        if (null == spec.partitionKeyName() || null == spec.partitionKeyType())
        {
            throw FerriteException.validation("1 validation error detected: Value null at 'keySchema' failed to " +
                "satisfy constraint: Member must not be null (a table needs a HASH key)");
        }
        NameRules.checkKeyAttributeName(spec.partitionKeyName(), "HASH");
        if (null != spec.sortKeyName() || null != spec.sortKeyType())
        {
            if (null == spec.sortKeyType() || null == spec.sortKeyName())
            {
                throw FerriteException.validation("One or more parameter values were invalid: the RANGE key needs " +
                    "both a name and a type");
            }
            NameRules.checkKeyAttributeName(spec.sortKeyName(), "RANGE");
            if (spec.sortKeyName().equals(spec.partitionKeyName()))
            {
                throw FerriteException.validation("Invalid KeySchema: Some index key attribute have no definition " +
                    "or are listed twice: " + spec.sortKeyName() + " is both the HASH and the RANGE key");
            }
        }

        if (tablesByName.containsKey(spec.tableName()))
        {
            throw new FerriteException(ErrorCode.ResourceInUseException,
                "Table already exists: " + spec.tableName());
        }
        if (tablesByName.size() >= MAX_TABLES)
        {
            throw new FerriteException(ErrorCode.LimitExceededException,
                "Subscriber limit exceeded: a data directory holds at most " + MAX_TABLES + " tables");
        }
    }

    /**
     * DeleteTable: removes the table from the catalog (durably), then its partition files.
     *
     * @param tableName the table's name.
     * @return its description as it was, with status DELETING.
     */
    public TableDescription deleteTable(final String tableName)
    {
        checkOpen();
        final Table table = requireTable(tableName);
        final TableDescription description = describe(table, "DELETING");
        // first, while a failure can still leave everything as it was: the checkpointer may be syncing this table's
        // stores, and finishing a checkpoint that failed throws
        awaitCheckpoint();
        try
        {
            catalog.remove(tableName);
        }
        catch (final RuntimeException ex)
        {
            // The catalog on disk may name the table or not, so a restart may or may not have it: stop serving it
            // now, so that no write is acknowledged to a table that a restart could not have (a later catalog write
            // drops it for good). Its stores are synced and kept: a restart that still has it finds it whole.
            tablesByName.remove(tableName);
            tablesById.remove(table.tableId());
            table.markDeleted();
            for (final Partition partition : table.partitions())
            {
                CloseHelper.quietClose(partition);
            }
            throw ex;
        }
        tablesByName.remove(tableName);
        tablesById.remove(table.tableId());
        table.markDeleted();
        for (final Partition partition : table.partitions())
        {
            final Path base = storeBase(table.tableId(), partition.partitionId());
            partition.discard(); // no sync: the catalog no longer names it, and the file goes next
            ItemStores.delete(base);
        }
        return description;
    }

    /**
     * DescribeTable.
     *
     * @param tableName the table's name.
     * @return its description.
     */
    public TableDescription describeTable(final String tableName)
    {
        checkOpen();
        return describe(requireTable(tableName), "ACTIVE");
    }

    /**
     * ListTables: table names in order, a page at a time.
     *
     * @param exclusiveStartTableName the last name of the previous page, or null.
     * @param limit                   the most names to return, 1 to 100.
     * @param names                   receives the names.
     * @return LastEvaluatedTableName: the last name returned when more may follow, else null.
     */
    public String listTables(final String exclusiveStartTableName, final int limit, final List<String> names)
    {
        checkOpen();
        if (limit < 1 || limit > 100)
        {
            throw FerriteException.validation("1 validation error detected: Value '" + limit + "' at 'limit' failed " +
                "to satisfy constraint: Member must have value " + (limit < 1 ?
                "greater than or equal to 1" : "less than or equal to 100"));
        }
        if (null != exclusiveStartTableName)
        {
            NameRules.checkTableName(exclusiveStartTableName, "exclusiveStartTableName");
        }

        int added = 0;
        for (final TableDefinition definition : catalog.tables())
        {
            final String name = definition.spec().tableName();
            if (null != exclusiveStartTableName && name.compareTo(exclusiveStartTableName) <= 0)
            {
                continue;
            }
            if (added == limit)
            {
                return names.get(names.size() - 1);
            }
            names.add(name);
            added++;
        }
        return null;
    }

    /**
     * Looks a table up by name, for the flyweight operations. The handle is this shard's: another shard, and a shard
     * opened again on this directory after {@link #close()}, refuse it with an IllegalArgumentException.
     *
     * @param tableName the table's name.
     * @return its handle.
     * @throws FerriteException ResourceNotFoundException if there is no such table.
     */
    public Table table(final String tableName)
    {
        checkOpen();
        return requireTable(tableName);
    }

    // ---------------------------------------------------------------------------------------------
    // Items
    // ---------------------------------------------------------------------------------------------

    /**
     * PutItem: validates the item as a request's (nesting at most {@link ItemFormat#MAX_REQUEST_DEPTH}, as DynamoDB),
     * logs it, stores it (replacing any item with the same key).
     *
     * @param table        the table.
     * @param item         canonical item bytes.
     * @param offset       where they start.
     * @param length       their length.
     * @param condition    a condition on the current item, or null.
     * @param returnValues NONE or ALL_OLD.
     * @param handler      receives the old item for ALL_OLD when there was one; may be null otherwise.
     * @return true if an item was replaced.
     */
    public boolean putItem(
        final Table table,
        final DirectBuffer item,
        final int offset,
        final int length,
        final ItemCondition condition,
        final ReturnValues returnValues,
        final ItemHandler handler)
    {
        return put(table, item, offset, length, condition, returnValues, handler, true);
    }

    /**
     * Stores an item that was stored before, from a snapshot or a copy of a store: a PutItem without a condition held
     * to the bounds of stored items ({@link ItemFormat#MAX_DEPTH}) rather than a request's, so that an item stored
     * when Ferrite accepted 32 levels of nesting is restored as it was.
     *
     * @param table  the table.
     * @param item   canonical item bytes.
     * @param offset where they start.
     * @param length their length.
     * @return true if an item was replaced.
     */
    public boolean restoreItem(final Table table, final DirectBuffer item, final int offset, final int length)
    {
        return put(table, item, offset, length, null, ReturnValues.NONE, null, false);
    }

    private boolean put(
        final Table table,
        final DirectBuffer item,
        final int offset,
        final int length,
        final ItemCondition condition,
        final ReturnValues returnValues,
        final ItemHandler handler,
        final boolean request)
    {
        checkTable(table);
        checkWritable();
        checkPutOrDeleteReturnValues(returnValues);
        ItemValidator.validate(item, offset, length);
        if (request)
        {
            ItemValidator.checkRequestDepth(item, offset, requestDepth);
        }
        checkEncodedLength(length, "Item size has exceeded the maximum allowed size");
        final int keyLength = KeyCodec.fromItem(table, item, offset, length, keyBuffer, 0);
        final Partition partition = table.partitionFor(KeyCodec.hash(keyBuffer, 0));
        // Whether the key exists matters before logging only for a condition, ALL_OLD, or a partition that a new item
        // of this size would take past its bounds; otherwise the index's single insert-or-replace below finds out.
        final boolean roomForANewItem = partition.itemCount() < config.partitionMaxItems() &&
            partition.storedBytes() + keyLength + length <= config.partitionMaxBytes();
        final int oldLength = null == condition && ReturnValues.ALL_OLD != returnValues && roomForANewItem ?
            NOT_LOOKED_UP : currentItemForWrite(partition, keyLength, condition, returnValues);
        if (!roomForANewItem)
        {
            checkRoom(table, partition, keyLength, oldLength, length);
        }

        final long sequence = wal.append(table.tableId(), partition.partitionId(), WalOp.PUT, keyBuffer, 0, keyLength,
            item, offset, length, clock.nanoTime());
        final boolean existed = applyPut(table, partition, sequence, keyLength, item, offset, length);
        lastWriteChargeBytes = Math.max(oldLength, length); // oldLength is negative when it was not read
        wal.throwIfFailed(); // logged and applied, as a restart would replay it, but maybe not durable

        if (ReturnValues.ALL_OLD == returnValues && oldLength >= 0 && null != handler)
        {
            handOver(handler, oldItem, 0, oldLength);
        }
        return existed;
    }

    /**
     * An UpdateItem's result is held to a request's nesting bound, except where the item was already deeper when it
     * was stored (Ferrite accepted {@link ItemFormat#MAX_DEPTH} levels before it knew DynamoDB's bound): such an item
     * stays updatable rather than frozen, still within the stored bound that {@link ItemValidator#validate} checks.
     */
    private void checkUpdatedDepth(final int oldLength)
    {
        if (ItemValidator.nestsDeeperThan(newItem, 0, requestDepth) &&
            (oldLength < 0 || !ItemValidator.nestsDeeperThan(oldItem, 0, requestDepth)))
        {
            throw FerriteException.validation(ItemFormat.NESTING_TOO_DEEP);
        }
    }

    /**
     * GetItem (always strongly consistent: one shard owns its partitions).
     *
     * @param table   the table.
     * @param key     key item bytes: exactly the key attributes.
     * @param offset  where they start.
     * @param length  their length.
     * @param handler receives the item if there is one.
     * @return true if the item was found.
     */
    public boolean getItem(
        final Table table, final DirectBuffer key, final int offset, final int length, final ItemHandler handler)
    {
        checkTable(table);
        final int keyLength = KeyCodec.fromKeyParameter(table, key, offset, length, keyBuffer, 0);
        final Partition partition = table.partitionFor(KeyCodec.hash(keyBuffer, 0));
        // zero copy: the handler reads the stored bytes (valid during the call, as ItemHandler says)
        if (!partition.store().view(keyBuffer, 0, keyLength, itemView))
        {
            lastReadChargeBytes = 0;
            return false;
        }
        lastReadChargeBytes = itemView.capacity();
        handOver(handler, itemView, 0, itemView.capacity());
        return true;
    }

    /**
     * GetItem with a ProjectionExpression: the handler receives only the projected attributes.
     *
     * @param table      the table.
     * @param key        key item bytes: exactly the key attributes.
     * @param offset     where they start.
     * @param length     their length.
     * @param projection which attributes to return, or null for all.
     * @param handler    receives the (projected) item if there is one.
     * @return true if the item was found.
     */
    public boolean getItem(
        final Table table,
        final DirectBuffer key,
        final int offset,
        final int length,
        final ItemProjection projection,
        final ItemHandler handler)
    {
        if (null == projection)
        {
            return getItem(table, key, offset, length, handler);
        }
        checkOpen(); // before the projecting handler is set up
        projectingHandler.projection = projection;
        projectingHandler.target = handler;
        try
        {
            return getItem(table, key, offset, length, projectingHandler);
        }
        finally
        {
            projectingHandler.target = null;
        }
    }

    /**
     * DeleteItem.
     *
     * @param table        the table.
     * @param key          key item bytes.
     * @param offset       where they start.
     * @param length       their length.
     * @param condition    a condition on the current item, or null.
     * @param returnValues NONE or ALL_OLD.
     * @param handler      receives the deleted item for ALL_OLD; may be null otherwise.
     * @return true if an item was deleted.
     */
    public boolean deleteItem(
        final Table table,
        final DirectBuffer key,
        final int offset,
        final int length,
        final ItemCondition condition,
        final ReturnValues returnValues,
        final ItemHandler handler)
    {
        checkTable(table);
        checkWritable();
        checkPutOrDeleteReturnValues(returnValues);
        final int keyLength = KeyCodec.fromKeyParameter(table, key, offset, length, keyBuffer, 0);
        final Partition partition = table.partitionFor(KeyCodec.hash(keyBuffer, 0));
        final int oldLength = currentItemForWrite(partition, keyLength, condition, returnValues);
        lastWriteChargeBytes = Math.max(0, oldLength);
        if (ABSENT == oldLength)
        {
            return false;
        }

        wal.append(table.tableId(), partition.partitionId(), WalOp.DELETE, keyBuffer, 0, keyLength,
            oldItem, 0, 0, clock.nanoTime());
        partition.remove(keyBuffer, 0, keyLength);
        wal.throwIfFailed();

        if (ReturnValues.ALL_OLD == returnValues && oldLength >= 0 && null != handler)
        {
            handOver(handler, oldItem, 0, oldLength);
        }
        return true;
    }

    /**
     * UpdateItem: reads the current item (or starts from the key), applies {@code update}, validates and
     * logs the result, stores it.
     *
     * @param table        the table.
     * @param key          key item bytes.
     * @param offset       where they start.
     * @param length       their length.
     * @param update       how to change the item.
     * @param condition    a condition on the current item, or null.
     * @param returnValues which attributes to hand to {@code handler}.
     * @param handler      receives them (nothing for NONE, or when there is nothing to return).
     * @return true if an item existed before.
     */
    public boolean updateItem(
        final Table table,
        final DirectBuffer key,
        final int offset,
        final int length,
        final ItemUpdate update,
        final ItemCondition condition,
        final ReturnValues returnValues,
        final ItemHandler handler)
    {
        checkTable(table);
        checkWritable();
        final int keyLength = KeyCodec.fromKeyParameter(table, key, offset, length, keyBuffer, 0);
        final Partition partition = table.partitionFor(KeyCodec.hash(keyBuffer, 0));
        final int oldLength = partition.store().get(keyBuffer, 0, keyLength, oldItem, 0);
        if (null != condition && !condition.test(oldItem, 0, oldLength))
        {
            lastWriteChargeBytes = Math.max(0, oldLength); // DynamoDB charges a failed condition the existing item
            throw conditionFailed();
        }

        final int newLength = update.apply(table, key, offset, length, oldItem, 0, oldLength, newItem, 0);
        lastWriteChargeBytes = Math.max(0, Math.max(oldLength, newLength));
        if (newLength >= 0)
        {
            try
            {
                ItemValidator.validate(newItem, 0, newLength);
                checkUpdatedDepth(oldLength);
            }
            catch (final FerriteException ex)
            {
                if (ex.getMessage().startsWith("Item size has exceeded"))
                {
                    throw FerriteException.validation("Item size to update has exceeded the maximum allowed size");
                }
                throw ex;
            }
            checkEncodedLength(newLength, "Item size to update has exceeded the maximum allowed size");
            checkRoom(table, partition, keyLength, oldLength, newLength);
            final long sequence = wal.append(table.tableId(), partition.partitionId(), WalOp.PUT, keyBuffer, 0,
                keyLength, newItem, 0, newLength, clock.nanoTime());
            applyPut(table, partition, sequence, keyLength, newItem, 0, newLength);
            wal.throwIfFailed();
        }

        if (null != handler)
        {
            switch (returnValues)
            {
                case ALL_OLD:
                    if (oldLength >= 0)
                    {
                        handOver(handler, oldItem, 0, oldLength);
                    }
                    break;

                case ALL_NEW:
                    if (newLength >= 0)
                    {
                        handOver(handler, newItem, 0, newLength);
                    }
                    break;

                case UPDATED_OLD:
                    if (oldLength >= 0)
                    {
                        handOverProjection(update, oldItem, oldLength, handler);
                    }
                    break;

                case UPDATED_NEW:
                    if (newLength >= 0)
                    {
                        handOverProjection(update, newItem, newLength, handler);
                    }
                    break;

                default:
                    break;
            }
        }
        return oldLength >= 0;
    }

    /**
     * What DynamoDB charges the last successful PutItem, UpdateItem or DeleteItem of this shard on: the larger of
     * the item before and after, in bytes. The item before is known to an UpdateItem always, and to a PutItem or
     * DeleteItem when it read it (a condition or ReturnValues ALL_OLD); otherwise a PutItem counts its new item
     * only and a DeleteItem 0 bytes (one unit). After a write whose condition failed (ConditionalCheckFailed), the
     * size of the item the condition was tested on (0 when there was none): DynamoDB still charges a failed
     * conditional write, on the existing item. Owner thread only.
     *
     * @return bytes, 0 or more.
     */
    public int lastWriteChargeBytes()
    {
        checkOwnerThread();
        return lastWriteChargeBytes;
    }

    /**
     * What DynamoDB charges the last GetItem of this shard on: the whole stored item's size in bytes (0 when it was not
     * found), whatever its ProjectionExpression returned. Owner thread only.
     *
     * @return bytes, 0 or more.
     */
    public int lastReadChargeBytes()
    {
        checkOwnerThread();
        return lastReadChargeBytes;
    }

    // ---------------------------------------------------------------------------------------------
    // Query and Scan
    // ---------------------------------------------------------------------------------------------

    /**
     * Query: one page of the items of one partition key, in sort key order (or reverse), that satisfy
     * the sort key condition. A page ends at {@link PageResult#limit()} items or when the next item would
     * take the page past {@link #MAX_PAGE_BYTES}; then LastEvaluatedKey is set.
     *
     * @param table   the table.
     * @param request the query; its outcome fields are set on return.
     * @param handler receives each item.
     */
    public void query(final Table table, final QueryRequest request, final ItemHandler handler)
    {
        checkTable(table);
        request.resetOutcome();
        checkQuery(table, request);

        final KeyValue pk = request.partitionKey();
        final int prefixLength = KeyCodec.writePrefix(pk.buffer(), 0, pk.length(), probeBuffer, 0);
        final Partition partition = table.partitionFor(KeyCodec.hash(probeBuffer, 0));
        final OffHeapBTree.Cursor cursor = cursorFor(table, partition);
        final SortKeyCondition condition = request.condition();
        final KeyValue low = request.sortKeyValue();
        final KeyValue high = SortKeyCondition.BETWEEN == condition ? request.sortKeyUpper() : low;
        final boolean forward = request.scanIndexForward();

        boolean positioned;
        if (request.exclusiveStartKeyLength() > 0)
        {
            final int startLength = KeyCodec.fromKey(table, request.exclusiveStartKey(), 0,
                request.exclusiveStartKeyLength(), keyBuffer, 0);
            if (!UnsignedBytes.startsWith(keyBuffer, 0, startLength, probeBuffer, 0, prefixLength))
            {
                throw FerriteException.validation("The provided starting key is invalid: its partition key does not " +
                    "match the query's partition key");
            }
            positioned = forward ? cursor.seekGT(keyBuffer, 0, startLength) : cursor.seekLT(keyBuffer, 0, startLength);
        }
        else if (forward)
        {
            positioned = seekForward(cursor, condition, low, prefixLength);
        }
        else
        {
            positioned = seekBackward(cursor, condition, high, prefixLength);
        }

        long pageBytes = 0;
        int lastKeyLength = 0;
        final int limit = request.limit();
        final OffHeapBTree.Cursor ahead = partition.lookAhead();
        boolean aheadPositioned = positioned && partition.store().prefetchPays() && ahead.positionAs(cursor);
        int prefetched = 0;
        while (positioned)
        {
            if (0 == prefetched && aheadPositioned)
            {
                final int batch = prefetchBatch(limit, request.scannedCount());
                aheadPositioned = prefetch(partition.store(), ahead, batch, forward, prefixLength, condition, low, high);
                prefetched = prefetchCount;
            }

            final DirectBuffer key = cursor.keyBuffer();
            final int keyOffset = cursor.keyOffset();
            final int keyLength = cursor.keyLength();
            if (!UnsignedBytes.startsWith(key, keyOffset, keyLength, probeBuffer, 0, prefixLength))
            {
                break;
            }

            final int skOffset = keyOffset + prefixLength;
            final int skLength = keyLength - prefixLength;
            if (pastEnd(condition, forward, key, skOffset, skLength, low, high))
            {
                break;
            }

            if (matches(condition, key, skOffset, skLength, low, high))
            {
                final long itemBytes = cursor.value();
                if (request.scannedCount() > 0 && pageBytes + itemBytes > MAX_PAGE_BYTES)
                {
                    break;
                }
                lastKeyBuffer.putBytes(0, key, keyOffset, keyLength);
                lastKeyLength = keyLength;
                final int itemLength = viewItem(partition, lastKeyBuffer, lastKeyLength);
                pageBytes += itemBytes;
                deliver(request, itemView, itemLength, handler);
                if (limit > 0 && request.scannedCount() >= limit)
                {
                    request.lastEvaluatedKeyLength(
                        KeyCodec.toKeyItem(table, lastKeyBuffer, 0, lastKeyLength, request.lastEvaluatedKeyBuffer(), 0));
                    return;
                }
            }
            prefetched = Math.max(0, prefetched - 1);
            positioned = forward ? cursor.next() : cursor.prev();
        }

        if (positioned && lastKeyLength > 0 && pageBytes > 0 && request.scannedCount() > 0 &&
            UnsignedBytes.startsWith(cursor.keyBuffer(), cursor.keyOffset(), cursor.keyLength(), probeBuffer, 0, prefixLength) &&
            !pastEnd(condition, forward, cursor.keyBuffer(), cursor.keyOffset() + prefixLength,
                cursor.keyLength() - prefixLength, low, high))
        {
            request.lastEvaluatedKeyLength(
                KeyCodec.toKeyItem(table, lastKeyBuffer, 0, lastKeyLength, request.lastEvaluatedKeyBuffer(), 0));
        }
    }

    /**
     * Takes up to {@code batch} entries from the look-ahead cursor on, those still inside the query's partition key
     * and sort key range, and has the store prefetch them ({@link ItemStore#prefetchTarget}, then
     * {@link ItemStore#prefetch}): the query then reads those entries from the cache, where one lookup after another
     * waited for each one's misses (perf/README, "Query reads ahead"). Leaves the number taken in
     * {@link #prefetchCount}.
     *
     * @return whether the look-ahead cursor is still on an entry that may belong to the query.
     */
    private boolean prefetch(
        final ItemStore store,
        final OffHeapBTree.Cursor ahead,
        final int batch,
        final boolean forward,
        final int prefixLength,
        final SortKeyCondition condition,
        final KeyValue low,
        final KeyValue high)
    {
        int count = 0;
        boolean positioned = true;
        while (count < batch)
        {
            final DirectBuffer key = ahead.keyBuffer();
            final int keyOffset = ahead.keyOffset();
            final int keyLength = ahead.keyLength();
            if (!UnsignedBytes.startsWith(key, keyOffset, keyLength, probeBuffer, 0, prefixLength) ||
                pastEnd(condition, forward, key, keyOffset + prefixLength, keyLength - prefixLength, low, high))
            {
                positioned = false;
                break;
            }
            prefetchTargets[count++] = store.prefetchTarget(key, keyOffset, keyLength);
            positioned = forward ? ahead.next() : ahead.prev();
            if (!positioned)
            {
                break;
            }
        }
        prefetchSink += store.prefetch(prefetchTargets, count);
        prefetchCount = count;
        return positioned;
    }

    /**
     * Scan: one page of the table's items (or of one segment of a parallel scan), in hash order. Pages
     * end as Query's do.
     *
     * @param table   the table.
     * @param request the scan; its outcome fields are set on return.
     * @param handler receives each item.
     */
    public void scan(final Table table, final ScanRequest request, final ItemHandler handler)
    {
        checkTable(table);
        request.resetOutcome();
        final int totalSegments = request.totalSegments();
        final int segment = request.segment();
        if (totalSegments < 1 || totalSegments > ScanRequest.MAX_TOTAL_SEGMENTS)
        {
            throw FerriteException.validation("1 validation error detected: Value '" + totalSegments +
                "' at 'totalSegments' failed to satisfy constraint: Member must have value " + (totalSegments < 1 ?
                "greater than or equal to 1" : "less than or equal to " + ScanRequest.MAX_TOTAL_SEGMENTS));
        }
        if (segment < 0 || segment >= totalSegments)
        {
            throw FerriteException.validation("The Segment parameter is zero-based and must be less than parameter " +
                "TotalSegments: Segment: " + segment + " is not less than TotalSegments: " + totalSegments);
        }
        checkLimit(request.limit());

        final long step = Long.divideUnsigned(-1L, totalSegments);
        final long segmentLow = segment * step;
        final long segmentHigh = segment == totalSegments - 1 ? -1L : (segment + 1) * step - 1;

        final Partition[] partitions = table.partitions();
        int partitionIndex;
        OffHeapBTree.Cursor cursor;
        boolean positioned;
        if (request.exclusiveStartKeyLength() > 0)
        {
            final int startLength = KeyCodec.fromKey(table, request.exclusiveStartKey(), 0,
                request.exclusiveStartKeyLength(), keyBuffer, 0);
            final long startHash = KeyCodec.hash(keyBuffer, 0);
            if (Long.compareUnsigned(startHash, segmentLow) < 0 || Long.compareUnsigned(startHash, segmentHigh) > 0)
            {
                throw FerriteException.validation("The provided Exclusive start key does not map to the provided " +
                    "Segment: Segment: " + segment + ", TotalSegments: " + totalSegments);
            }
            partitionIndex = indexOf(partitions, table.partitionFor(startHash));
            cursor = cursorFor(table, partitions[partitionIndex]);
            positioned = cursor.seekGT(keyBuffer, 0, startLength);
        }
        else
        {
            partitionIndex = indexOf(partitions, table.partitionFor(segmentLow));
            cursor = cursorFor(table, partitions[partitionIndex]);
            probeBuffer.putLong(0, segmentLow, ByteOrder.BIG_ENDIAN);
            positioned = cursor.seekGE(probeBuffer, 0, 8);
        }

        // a page continuing from another store counts what it read there against its 1 MB (its first item here is
        // read whatever that is: the check below needs an item scanned here)
        long pageBytes = request.bytesReadBefore();
        int lastKeyLength = 0;
        final int limit = request.limit();
        OffHeapBTree.Cursor ahead = partitions[partitionIndex].lookAhead();
        boolean aheadPositioned =
            positioned && partitions[partitionIndex].store().prefetchPays() && ahead.positionAs(cursor);
        int prefetched = 0;
        while (true)
        {
            while (!positioned)
            {
                partitionIndex++;
                if (partitionIndex >= partitions.length ||
                    Long.compareUnsigned(partitions[partitionIndex].hashLow(), segmentHigh) > 0)
                {
                    scanReachedItsEnd(table, request, lastKeyLength);
                    return;
                }
                cursor = cursorFor(table, partitions[partitionIndex]);
                positioned = cursor.seekFirst();
                ahead = partitions[partitionIndex].lookAhead();
                aheadPositioned =
                    positioned && partitions[partitionIndex].store().prefetchPays() && ahead.positionAs(cursor);
                prefetched = 0;
            }

            if (0 == prefetched && aheadPositioned)
            {
                final int batch = prefetchBatch(limit, request.scannedCount());
                aheadPositioned = prefetchScan(partitions[partitionIndex].store(), ahead, batch, segmentHigh);
                prefetched = prefetchCount;
            }

            final DirectBuffer key = cursor.keyBuffer();
            final int keyOffset = cursor.keyOffset();
            final int keyLength = cursor.keyLength();
            if (Long.compareUnsigned(KeyCodec.hash(key, keyOffset), segmentHigh) > 0)
            {
                scanReachedItsEnd(table, request, lastKeyLength);
                return;
            }

            final long itemBytes = cursor.value();
            if (request.scannedCount() > 0 && pageBytes + itemBytes > MAX_PAGE_BYTES)
            {
                request.lastEvaluatedKeyLength(
                    KeyCodec.toKeyItem(table, lastKeyBuffer, 0, lastKeyLength, request.lastEvaluatedKeyBuffer(), 0));
                return;
            }

            lastKeyBuffer.putBytes(0, key, keyOffset, keyLength);
            lastKeyLength = keyLength;
            final int itemLength = viewItem(partitions[partitionIndex], lastKeyBuffer, lastKeyLength);
            pageBytes += itemBytes;
            deliver(request, itemView, itemLength, handler);
            if (limit > 0 && request.scannedCount() >= limit)
            {
                request.lastEvaluatedKeyLength(
                    KeyCodec.toKeyItem(table, lastKeyBuffer, 0, lastKeyLength, request.lastEvaluatedKeyBuffer(), 0));
                return;
            }
            prefetched = Math.max(0, prefetched - 1);
            positioned = cursor.next();
        }
    }

    /**
     * A Scan page that ran to the end of its segment has no LastEvaluatedKey, but says which item it evaluated last
     * ({@link ScanRequest#lastItemKey()}): once per page, never per item.
     */
    private void scanReachedItsEnd(final Table table, final ScanRequest request, final int lastKeyLength)
    {
        if (lastKeyLength > 0)
        {
            request.lastItemKeyLength(
                KeyCodec.toKeyItem(table, lastKeyBuffer, 0, lastKeyLength, request.lastEvaluatedKeyBuffer(), 0));
        }
    }

    /**
     * @return how many entries to read ahead: {@link #PREFETCH_BATCH}, or fewer when the page's Limit is nearer.
     */
    private static int prefetchBatch(final int limit, final int scanned)
    {
        return limit > 0 ? Math.max(1, Math.min(PREFETCH_BATCH, limit - scanned)) : PREFETCH_BATCH;
    }

    /**
     * {@link #prefetch} for Scan: up to {@code batch} entries from the look-ahead cursor on, those whose hash is
     * still inside the scan's segment, in the cursor's partition only.
     *
     * @return whether the look-ahead cursor is still on an entry that may belong to the scan.
     */
    private boolean prefetchScan(
        final ItemStore store, final OffHeapBTree.Cursor ahead, final int batch, final long segmentHigh)
    {
        int count = 0;
        boolean positioned = true;
        while (count < batch)
        {
            final DirectBuffer key = ahead.keyBuffer();
            final int keyOffset = ahead.keyOffset();
            if (Long.compareUnsigned(KeyCodec.hash(key, keyOffset), segmentHigh) > 0)
            {
                positioned = false;
                break;
            }
            prefetchTargets[count++] = store.prefetchTarget(key, keyOffset, ahead.keyLength());
            positioned = ahead.next();
            if (!positioned)
            {
                break;
            }
        }
        prefetchSink += store.prefetch(prefetchTargets, count);
        prefetchCount = count;
        return positioned;
    }

    // ---------------------------------------------------------------------------------------------
    // Batches (allocating by design: they are not the latency path)
    // ---------------------------------------------------------------------------------------------

    /**
     * BatchGetItem: up to 100 keys across tables. Keys beyond the 16 MB response size come back as
     * unprocessed, to be retried.
     *
     * @param keysByTable key item bytes per table name.
     * @return the items found and the keys not processed.
     */
    public BatchGetResult batchGetItem(final Map<String, List<byte[]>> keysByTable)
    {
        return batchGetItem(keysByTable, Map.of());
    }

    /**
     * BatchGetItem with a ProjectionExpression per table.
     *
     * @param keysByTable      key item bytes per table name.
     * @param projectionsByTable the projection of each table that has one.
     * @return the (projected) items found and the keys not processed.
     */
    public BatchGetResult batchGetItem(
        final Map<String, List<byte[]>> keysByTable, final Map<String, ItemProjection> projectionsByTable)
    {
        checkOpen();
        int total = 0;
        for (final List<byte[]> keys : keysByTable.values())
        {
            total += keys.size();
        }
        if (0 == total)
        {
            throw FerriteException.validation("1 validation error detected: Value at 'requestItems' failed to satisfy " +
                "constraint: Member must have length greater than or equal to 1");
        }
        if (total > MAX_BATCH_GET_KEYS)
        {
            throw FerriteException.validation("Too many items requested for the BatchGetItem call: " + total +
                " keys, the limit is " + MAX_BATCH_GET_KEYS);
        }
        checkEveryBatchGetTableHasKeys(keysByTable);

        final Map<Table, int[]> unused = new HashMap<>();
        final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        for (final Map.Entry<String, List<byte[]>> entry : keysByTable.entrySet())
        {
            final Table table = requireTable(entry.getKey());
            unused.put(table, null);
            final Set<ByteBuffer> seen = new HashSet<>();
            for (final byte[] key : entry.getValue())
            {
                view.wrap(key);
                final int keyLength = KeyCodec.fromKeyParameter(table, view, 0, key.length, keyBuffer, 0);
                if (!seen.add(copy(keyBuffer, keyLength)))
                {
                    throw FerriteException.validation("Provided list of item keys contains duplicates");
                }
            }
        }

        final Map<String, List<byte[]>> responses = new LinkedHashMap<>();
        final Map<String, List<byte[]>> unprocessed = new LinkedHashMap<>();
        final Map<String, Long> readBlocks = new LinkedHashMap<>();
        final Map<String, List<Long>> itemBlocks = new LinkedHashMap<>();
        long responseBytes = 0;
        boolean full = false;
        for (final Map.Entry<String, List<byte[]>> entry : keysByTable.entrySet())
        {
            final Table table = requireTable(entry.getKey());
            final List<byte[]> found = responses.computeIfAbsent(entry.getKey(), k -> new ArrayList<>());
            final List<Long> foundBlocks = itemBlocks.computeIfAbsent(entry.getKey(), k -> new ArrayList<>());
            for (final byte[] key : entry.getValue())
            {
                if (full)
                {
                    unprocessed.computeIfAbsent(entry.getKey(), k -> new ArrayList<>()).add(key);
                    continue;
                }
                view.wrap(key);
                final int keyLength = KeyCodec.fromKey(table, view, 0, key.length, keyBuffer, 0);
                final Partition partition = table.partitionFor(KeyCodec.hash(keyBuffer, 0));
                final int itemLength = partition.store().get(keyBuffer, 0, keyLength, readItem, 0);
                if (itemLength >= 0 && responseBytes + itemLength > MAX_BATCH_GET_RESPONSE_BYTES)
                {
                    // the response never grows past 16 MB: this key and every later one are left for a retry
                    full = true;
                    unprocessed.computeIfAbsent(entry.getKey(), k -> new ArrayList<>()).add(key);
                    continue;
                }
                // charged on the whole item, as a GetItem is, whatever the projection returns
                final long blocks = CapacityUnits.readHalfUnits(Math.max(0, itemLength), false);
                readBlocks.merge(entry.getKey(), blocks, Long::sum);
                if (itemLength >= 0)
                {
                    final ItemProjection projection = projectionsByTable.get(entry.getKey());
                    final DirectBuffer source = null == projection ? readItem : projected;
                    final int foundLength = null == projection ?
                        itemLength : projection.project(readItem, 0, itemLength, projected, 0);
                    final byte[] item = new byte[foundLength];
                    source.getBytes(0, item);
                    found.add(item);
                    foundBlocks.add(blocks);
                    responseBytes += foundLength;
                }
            }
        }
        return new BatchGetResult(responses, unprocessed, readBlocks, itemBlocks);
    }

    /**
     * BatchWriteItem: up to 25 puts and deletes across tables, each applied on its own (not atomically,
     * as DynamoDB). The whole request is validated before anything is written; a write that cannot be
     * applied now (its partition is full) is returned as unprocessed.
     *
     * @param writesByTable writes per table name.
     * @return the writes not processed.
     */
    public BatchWriteResult batchWriteItem(final Map<String, List<WriteRequest>> writesByTable)
    {
        checkOpen();
        int total = 0;
        for (final List<WriteRequest> writes : writesByTable.values())
        {
            total += writes.size();
        }
        if (total < 1 || total > MAX_BATCH_WRITES)
        {
            throw FerriteException.validation("1 validation error detected: Value at 'requestItems' failed to satisfy " +
                "constraint: Map value must satisfy constraint: [Member must have length less than or equal to " +
                MAX_BATCH_WRITES + ", Member must have length greater than or equal to 1] (the request has " +
                total + " writes)");
        }
        checkEveryBatchWriteTableHasWrites(writesByTable);

        final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        for (final Map.Entry<String, List<WriteRequest>> entry : writesByTable.entrySet())
        {
            final Table table = requireTable(entry.getKey());
            final Set<ByteBuffer> seen = new HashSet<>();
            for (final WriteRequest write : entry.getValue())
            {
                view.wrap(write.bytes());
                ItemValidator.validate(view, 0, write.bytes().length);
                if (write.put())
                {
                    ItemValidator.checkRequestDepth(view, 0, requestDepth);
                    checkEncodedLength(write.bytes().length, "Item size has exceeded the maximum allowed size");
                }
                final int keyLength = write.put() ?
                    KeyCodec.fromItem(table, view, 0, write.bytes().length, keyBuffer, 0) :
                    KeyCodec.fromKey(table, view, 0, write.bytes().length, keyBuffer, 0);
                if (!seen.add(copy(keyBuffer, keyLength)))
                {
                    throw FerriteException.validation("Provided list of item keys contains duplicates");
                }
            }
        }

        checkWritable();
        final Map<String, List<WriteRequest>> unprocessed = new LinkedHashMap<>();
        final Map<String, Long> writeUnits = new LinkedHashMap<>();
        boolean refused = false;
        for (final Map.Entry<String, List<WriteRequest>> entry : writesByTable.entrySet())
        {
            final Table table = requireTable(entry.getKey());
            for (final WriteRequest write : entry.getValue())
            {
                view.wrap(write.bytes());
                if (refused)
                {
                    unprocessed.computeIfAbsent(entry.getKey(), k -> new ArrayList<>()).add(write);
                    continue;
                }
                try
                {
                    if (write.put())
                    {
                        putItem(table, view, 0, write.bytes().length, null, ReturnValues.NONE, null);
                    }
                    else
                    {
                        deleteItem(table, view, 0, write.bytes().length, null, ReturnValues.NONE, null);
                    }
                    writeUnits.merge(entry.getKey(), CapacityUnits.writeUnits(0, lastWriteChargeBytes), Long::sum);
                }
                catch (final FerriteException ex)
                {
                    // The file system filled up during the batch: what is left is unprocessed, as DynamoDB reports
                    // writes it could not do, not an error after some of the batch was written.
                    refused = HeadroomGuard.isRefusal(ex);
                    if (ErrorCode.ItemCollectionSizeLimitExceededException != ex.code() && !refused)
                    {
                        throw ex;
                    }
                    unprocessed.computeIfAbsent(entry.getKey(), k -> new ArrayList<>()).add(write);
                }
            }
        }
        return new BatchWriteResult(unprocessed, writeUnits);
    }

    // ---------------------------------------------------------------------------------------------
    // Duty cycle, checkpoints, close
    // ---------------------------------------------------------------------------------------------

    /**
     * Background work the loop calls when idle or between batches: periodic checkpoints, which nothing else starts (the
     * WAL's batched fsync runs on its own thread). A loop that never calls it never checkpoints.
     *
     * @param nowNs {@link System#nanoTime()} now.
     * @return work done (0 when there was none).
     */
    public int doDutyCycle(final long nowNs)
    {
        checkOwnerThread();
        if (closed)
        {
            return 0;
        }
        int work = wal.flushIfDue(nowNs);
        if (checkpointer.inFlight())
        {
            return work;
        }
        if (pendingCheckpointSequence >= 0)
        {
            finishCheckpoint();
            work++;
        }
        final long sinceCheckpoint = wal.lastSequence() - checkpointSequence;
        if (null != checkpointFailure || wal.failed())
        {
            return work; // a failed log refuses the sync a checkpoint starts with, and takes no writes to checkpoint
        }
        if (sinceCheckpoint >= config.checkpointIntervalRecords() ||
            (sinceCheckpoint > 0 && nowNs - lastCheckpointNs >= config.checkpointIntervalNs()))
        {
            startCheckpoint();
            work++;
        }
        return work;
    }

    /**
     * A periodic checkpoint's first half, on the shard thread: takes the WAL's last sequence, syncs the WAL, begins
     * each store's checkpoint ({@link ItemStore#beginCheckpoint()}: what the store has now is what its sync makes
     * durable) and hands the stores to the {@link Checkpointer}, which syncs them and writes {@code checkpoint.bin}
     * on its own thread (the store sync is the slow part: 52-132 ms measured with 100,000 items on disk, decision
     * 0007). A later duty cycle finishes it ({@link #finishCheckpoint()}). Writes the shard applies meanwhile may
     * reach the synced files too; replay after the checkpoint re-applies whole images, so that is harmless.
     */
    private void startCheckpoint()
    {
        final long sequence = wal.lastSequence();
        wal.sync();
        int count = 0;
        for (final Table table : tablesByName.values())
        {
            count += table.partitions().length;
        }
        final ItemStore[] stores = checkpointer.stores(count);
        int i = 0;
        for (final Table table : tablesByName.values())
        {
            for (final Partition partition : table.partitions())
            {
                final ItemStore store = partition.store();
                store.beginCheckpoint();
                stores[i++] = store;
            }
        }
        checkpointer.start(count, sequence);
        pendingCheckpointSequence = sequence;
        lastCheckpointNs = System.nanoTime();
    }

    /**
     * A periodic checkpoint's second half, once the {@link Checkpointer} is done: the sequence becomes the
     * checkpoint and the WAL files wholly before it are purged; or, if it failed, the previous checkpoint stands,
     * no checkpoint is taken again in this process ({@link #checkpointFailure}) and the failure is logged and thrown.
     */
    private void finishCheckpoint()
    {
        final long sequence = pendingCheckpointSequence;
        pendingCheckpointSequence = -1;
        final Throwable failure = checkpointer.failure();
        if (null != failure)
        {
            checkpointFailure = failure;
            LOG.error("checkpoint {} failed; checkpoints stop until restart, and the log keeps every write since " +
                "checkpoint {} (restart replays it)", sequence, checkpointSequence, failure);
            throw checkpointsStopped();
        }
        checkpointSequence = sequence;
        wal.purgeUpTo(sequence);
    }

    /**
     * @return the checkpoint thread's hand-over (for tests: fault injection).
     */
    Checkpointer checkpointer()
    {
        return checkpointer;
    }

    /**
     * @return the shard's write-ahead log (for tests: fault injection).
     */
    Wal wal()
    {
        return wal;
    }

    /**
     * @return whether a periodic checkpoint is being completed on the checkpoint thread (for tests).
     */
    boolean checkpointInFlight()
    {
        return checkpointer.inFlight();
    }

    /**
     * Waits for the periodic checkpoint in flight, if any, and finishes it.
     */
    private void awaitCheckpoint()
    {
        checkpointer.await();
        if (pendingCheckpointSequence >= 0)
        {
            finishCheckpoint();
        }
    }

    /**
     * Makes the stores durable up to the WAL's last record, records that sequence as the checkpoint and
     * purges WAL files wholly before it. Restart replays only what follows the checkpoint.
     */
    public void checkpoint()
    {
        checkOpen();
        awaitCheckpoint();
        if (null != checkpointFailure)
        {
            throw checkpointsStopped();
        }
        startCheckpoint(); // the periodic checkpoint's steps, waited for here
        awaitCheckpoint();
    }

    private FerriteException checkpointsStopped()
    {
        return new FerriteException(ErrorCode.InternalServerError, "A checkpoint failed (" + checkpointFailure +
            "): checkpoints stop until the engine is restarted; the write-ahead log keeps every write since " +
            "checkpoint " + checkpointSequence + ", and a restart replays them");
    }

    /**
     * Checkpoints, then closes the WAL, the stores and the data directory lock.
     * <p>
     * If that checkpoint fails (a sync of the log or of a store failed, now or earlier), the stores are released
     * without being marked closed cleanly, as {@link #abandon()} leaves them: after a failed sync Linux marks the
     * pages clean and reports the error once, so the sync a clean close makes could succeed with the data not on
     * disk, and a hash store marked clean is trusted at the next open without verification. Left unclean, it is
     * verified, and the log replays every write since the last good checkpoint over it.
     */
    public void close()
    {
        checkOwnerThread(); // here, not only in checkpoint(): the finally below would close the owner's files
        if (closed)
        {
            return;
        }
        boolean checkpointed = false;
        try
        {
            checkpoint();
            checkpointed = true;
        }
        finally
        {
            closed = true;
            CloseHelper.quietClose(diskGuard);
            CloseHelper.quietClose(memoryGuard);
            CloseHelper.quietClose(checkpointer);
            CloseHelper.quietClose(wal);
            CloseHelper.quietClose(checkpointFile);
            if (checkpointed)
            {
                closeTables();
            }
            else
            {
                discardTables();
            }
            releaseLock();
        }
    }

    /**
     * Closes after a fatal error on the shard's thread (an {@link Error}, e.g. the {@link InternalError} of a SIGBUS in a
     * mapped file): as a crash would leave it, so that the next open recovers from the last good checkpoint and the
     * log. No checkpoint is taken and the stores are not marked clean (a write may have stopped half way through
     * one); files are released, failures to do so are swallowed, and the data directory is unlocked.
     */
    public void abandon()
    {
        checkOwnerThread();
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.quietClose(diskGuard);
        CloseHelper.quietClose(memoryGuard);
        CloseHelper.quietClose(checkpointer);
        discardTables();
        try
        {
            CloseHelper.quietClose(wal);
        }
        catch (final Throwable ignore)
        {
            // the log is recovered at the next open, torn record and all
        }
        CloseHelper.quietClose(checkpointFile);
        releaseLock();
    }

    // ---------------------------------------------------------------------------------------------
    // Ownership
    // ---------------------------------------------------------------------------------------------

    /**
     * Hands the shard over: its owner gives it up, and the next thread to make a checked call owns it. For code that
     * prepares a shard on one thread and then runs its loop on another (a node opens its shards and reconciles their
     * tables on its main thread, then starts each shard's loop thread): call it on the preparing thread, after its
     * last call and before the loop thread starts, or before it is otherwise told to go. Between the release and the
     * new owner's first call, any thread may become the owner: hand the shard only to the thread meant to own it.
     *
     * @throws IllegalStateException when called by a thread other than the owner while the owner lives, from inside
     *                               an {@link ItemHandler}, or after close.
     */
    public void releaseOwnership()
    {
        checkOpen(); // the owner only, and not from inside a handler, whose operation is not done
        wal.releaseWriterThread(); // the log's appender is bound to the thread that wrote with it, too
        owner.release();
    }

    /**
     * The check every data-plane and table-management call makes first (see the class's threading contract): the
     * calling thread becomes the owner of an unowned shard or of one whose owner has ended, and a thread other than a
     * live owner is refused. One compare on the path every call takes, and nothing allocated. Public for code that
     * keeps state of its own beside the shard ({@link io.ferrite.engine.api.Ferrite}'s expression cache), to refuse a
     * second thread before touching it.
     *
     * @throws IllegalStateException naming both threads, when a thread other than the owner calls while it lives.
     */
    public void checkOwnerThread()
    {
        if (!owner.isOwnedByCaller())
        {
            throw new IllegalStateException("shard " + config.dataDir() + " is owned by thread " + owner.ownerName() +
                ", not by " + Thread.currentThread().getName() + ", which called it: one thread owns a direct-mode " +
                "shard and makes every call on it, reads included (a read from another thread races with the owner's " +
                "writes); use QueuedShard for several threads, or hand the shard over with releaseOwnership() on its " +
                "owner (an owner that has ended hands it over by itself)");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    /**
     * Opens the partitions of a table the catalog names (at open: {@link #refuseLostStores()} has checked that each
     * has its store file, or a {@link #LOST_STORE_SUFFIX} file accepting an empty one) and serves the table.
     */
    private void openTable(final TableDefinition definition)
    {
        register(definition, openPartitions(
            definition.tableId(), definition.spec().tableName(), definition.partitions(), false));
    }

    private Table register(final TableDefinition definition, final Partition[] partitions)
    {
        final Table table = new Table(this, definition, partitions);
        tablesByName.put(definition.spec().tableName(), table);
        tablesById.put(definition.tableId(), table);
        return table;
    }

    /**
     * Opens a table's partitions: for a new table ({@code creating}), new empty stores, after deleting any file left
     * under its id by no table the catalog names; otherwise its existing stores, or new empty ones for partitions
     * whose loss the operator accepted (the {@link #LOST_STORE_SUFFIX} file is deleted once the store exists).
     */
    private Partition[] openPartitions(
        final int tableId,
        final String tableName,
        final List<TableDefinition.PartitionRange> ranges,
        final boolean creating)
    {
        final Partition[] partitions = new Partition[ranges.size()];
        try
        {
            for (int i = 0; i < partitions.length; i++)
            {
                final TableDefinition.PartitionRange range = ranges.get(i);
                final Path base = storeBase(tableId, range.partitionId());
                if (creating)
                {
                    ItemStores.delete(base);
                }
                final StoreConfig storeConfig = new StoreConfig()
                    .name(tableName + "/" + range.partitionId())
                    .maxEntries(config.partitionMaxItems())
                    .maxBytes(config.partitionMaxBytes())
                    .averageKeySize(config.averageKeyBytes())
                    .averageValueSize(config.averageItemBytes())
                    .folios(config.storeFolios())
                    .memory(config.storeMemory());
                partitions[i] = new Partition(
                    range.partitionId(), range.hashLow(), range.hashHigh(),
                    ItemStores.open(config.storeKind(), base, storeConfig));
                if (!creating)
                {
                    deleteLostStoreMarker(base);
                }
            }
        }
        catch (final RuntimeException ex)
        {
            for (final Partition partition : partitions)
            {
                CloseHelper.quietClose(partition);
            }
            throw ex;
        }
        return partitions;
    }

    /**
     * A partition store file is created, its name synced, before the catalog names its table (CreateTable), and is
     * deleted only after the catalog stopped naming it (DeleteTable); a checkpoint then syncs it. So a table the
     * catalog names without one of its store files has lost that file (deleted by hand, a restore that missed it, a
     * file system's damage), and the items it held up to the last checkpoint are in no log: opening used to create
     * an empty store in its place and replay the log after the checkpoint, silently losing them. Refused, naming the
     * files, unless the operator accepted the loss of a partition with a {@link #LOST_STORE_SUFFIX} file.
     */
    private void refuseLostStores()
    {
        final List<String> lost = new ArrayList<>();
        Path firstLost = null;
        for (final TableDefinition definition : catalog.tables())
        {
            for (final TableDefinition.PartitionRange range : definition.partitions())
            {
                final Path base = storeBase(definition.tableId(), range.partitionId());
                if (Files.exists(ItemStores.file(base, StoreKind.HASH)) ||
                    Files.exists(ItemStores.file(base, StoreKind.CHRONICLE)))
                {
                    continue;
                }
                final String partition = "table " + definition.spec().tableName() + " (id " + definition.tableId() +
                    ") partition " + range.partitionId();
                if (Files.exists(lostStoreMarker(base)))
                {
                    LOG.warn("{} has no store file and {} accepts its loss: it is opened empty, and the items it held " +
                        "that are not in the write-ahead log after the checkpoint are gone", partition,
                        lostStoreMarker(base));
                    continue;
                }
                lost.add(partition + ": " + ItemStores.file(base, StoreKind.HASH).getFileName() + " (or " +
                    ItemStores.file(base, StoreKind.CHRONICLE).getFileName() + ")");
                firstLost = null == firstLost ? base : firstLost;
            }
        }
        if (null != firstLost)
        {
            throw new IllegalStateException("cannot open " + storesDir.getParent() + ": its catalog (catalog.bin) " +
                "names " + lost.size() + " partition(s) whose store file is missing from " + storesDir + " " + lost +
                ": the file was lost (a table has its store files from its creation to its deletion), and opening " +
                "would start the partition empty, losing every item it held that is not in the write-ahead log " +
                "after the last checkpoint. Restore the file(s) from a backup of this directory; or, to open with " +
                "such a partition empty and its items lost, create an empty file named after it with the suffix " +
                LOST_STORE_SUFFIX + " (e.g. " + lostStoreMarker(firstLost) + ")");
        }
    }

    private static Path lostStoreMarker(final Path base)
    {
        return base.resolveSibling(base.getFileName() + LOST_STORE_SUFFIX);
    }

    private static void deleteLostStoreMarker(final Path base)
    {
        try
        {
            if (Files.deleteIfExists(lostStoreMarker(base)))
            {
                DurableFiles.forceDirectory(base.toAbsolutePath().getParent());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + lostStoreMarker(base), ex);
        }
    }

    /**
     * Finds the current item of the key in {@link #keyBuffer} for a put or delete: read into
     * {@link #oldItem} and checked against {@code condition} when the write needs its content (a
     * condition or ALL_OLD), otherwise only looked up in the index.
     *
     * @return the current item's length, {@link #ABSENT}, or {@link #PRESENT_NOT_READ}.
     */
    private int currentItemForWrite(
        final Partition partition, final int keyLength, final ItemCondition condition, final ReturnValues returnValues)
    {
        if (null == condition && ReturnValues.ALL_OLD != returnValues)
        {
            return OffHeapBTree.MISSING == partition.index().get(keyBuffer, 0, keyLength) ? ABSENT : PRESENT_NOT_READ;
        }

        final int oldLength = partition.store().get(keyBuffer, 0, keyLength, oldItem, 0);
        if (null != condition && !condition.test(oldItem, 0, oldLength))
        {
            lastWriteChargeBytes = Math.max(0, oldLength); // DynamoDB charges a failed condition the existing item
            throw conditionFailed();
        }
        return oldLength < 0 ? ABSENT : oldLength;
    }

    private static void checkPutOrDeleteReturnValues(final ReturnValues returnValues)
    {
        if (ReturnValues.NONE != returnValues && ReturnValues.ALL_OLD != returnValues)
        {
            throw FerriteException.validation("ReturnValues can only be ALL_OLD or NONE");
        }
    }

    /**
     * Applies a logged put to the store. If the store refuses it (full), the WAL already holds the
     * record, so a compensating record that restores the key's actual state is logged before the error
     * is returned: log and store agree again, and replay applies the pair to the same end state (the correction is the
     * log's next record, which is what lets replay tell this refusal from a put the store took: {@link RefusedPuts}).
     *
     * @return true if the key had an item, which was replaced.
     */
    private boolean applyPut(
        final Table table,
        final Partition partition,
        final long sequence,
        final int keyLength,
        final DirectBuffer item,
        final int offset,
        final int length)
    {
        try
        {
            return partition.put(sequence, keyBuffer, 0, keyLength, item, offset, length);
        }
        catch (final StoreFullException ex)
        {
            // Within the partition's bounds (checkRoom) a compact store always has room: this one is fragmented.
            final int currentLength = partition.store().get(keyBuffer, 0, keyLength, projected, 0);
            if (currentLength >= 0)
            {
                wal.appendCorrection(table.tableId(), partition.partitionId(), WalOp.PUT, keyBuffer, 0, keyLength,
                    projected, 0, currentLength, clock.nanoTime());
            }
            else
            {
                wal.appendCorrection(table.tableId(), partition.partitionId(), WalOp.DELETE, keyBuffer, 0, keyLength,
                    projected, 0, 0, clock.nanoTime());
            }
            if (config.replica())
            {
                // another replica with the same items may have room: answering would let the two differ for good
                throw ex;
            }
            throw new FerriteException(ErrorCode.ItemCollectionSizeLimitExceededException,
                "Partition " + partition.partitionId() + " of table " + table.name() + " has no room for an item of " +
                length + " bytes (" + partition.itemCount() + " items, " + partition.sizeBytes() + " bytes): its store " +
                "is fragmented although the partition is within ferrite.engine.partitionMaxBytes=" +
                config.partitionMaxBytes() + "; a table grows by splitting partitions, which this version does not " +
                "do yet");
        }
    }

    private static OffHeapBTree.Cursor cursorFor(final Table table, final Partition partition)
    {
        return partition.cursor();
    }

    /**
     * A partition's store file without its suffix ({@code .store} for the hash store, {@code .map} for Chronicle).
     */
    private Path storeBase(final int tableId, final int partitionId)
    {
        return storesDir.resolve("t" + tableId + "-p" + partitionId);
    }

    private void deleteOrphanStores()
    {
        if (catalog.absent())
        {
            // The catalog is written (and its name synced) before a table's first store file is created, so store
            // files without it mean it was lost: deleting them as orphans would delete every table's items.
            try (Stream<Path> files = Files.list(storesDir))
            {
                final List<String> stores = files.map(f -> f.getFileName().toString())
                    .filter(name -> name.endsWith(StoreKind.HASH.suffix()) || name.endsWith(StoreKind.CHRONICLE.suffix()))
                    .sorted()
                    .toList();
                if (!stores.isEmpty())
                {
                    throw new IllegalStateException("cannot open " + storesDir.getParent() + ": it has no catalog (catalog.bin) " +
                        "but its stores directory holds " + stores.size() + " partition store file(s) " + stores +
                        ": the catalog was lost, and opening would delete them as tables that no longer exist");
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot list " + storesDir, ex);
            }
        }
        final Set<String> live = new HashSet<>();
        for (final TableDefinition definition : catalog.tables())
        {
            for (final TableDefinition.PartitionRange range : definition.partitions())
            {
                live.add(storeBase(definition.tableId(), range.partitionId()).getFileName().toString());
            }
        }
        try (Stream<Path> files = Files.list(storesDir))
        {
            files.map(f -> f.getFileName().toString())
                .filter(name -> name.endsWith(StoreKind.HASH.suffix()) || name.endsWith(StoreKind.CHRONICLE.suffix()))
                .map(name -> name.substring(0, name.lastIndexOf('.')))
                .filter(base -> !live.contains(base))
                .distinct()
                .forEach(base -> ItemStores.delete(storesDir.resolve(base)));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list " + storesDir, ex);
        }
    }

    /**
     * Replay stopped before the log's last intact record: a page in the middle of the log was lost (a power loss: the
     * kernel writes a file's pages back in no guaranteed order), and Chronicle reads no further than it, so whatever
     * is appended to this log is unreachable too and a restart would lose it. The records after the lost page were
     * never synced (a sync that completed would have written that page too), so the fsync policy lets them go: the
     * stores, which hold what replay reached, are checkpointed there, the log is moved aside (kept for inspection)
     * and a new one continues the sequence, with a first record that only carries it.
     */
    private Wal setAsideUnreachableLog(
        final EngineConfig config, final Wal log, final CheckpointFile checkpoint, final ReplayResult replay)
    {
        final Path walDir = config.dataDir().resolve("wal");
        if (replay.lastSequence() < checkpointSequence)
        {
            // the checkpoint synced the log up to it: a page lost before it is not a power loss's, and the records
            // after the checkpoint beyond it may have been synced and acknowledged
            throw new IllegalStateException("cannot open " + config.dataDir() + ": its write-ahead log " + walDir +
                " cannot be read past sequence " + replay.lastSequence() + " (" + replay.tornDescription() +
                "), before the checkpoint " + checkpointSequence + " that synced it, yet holds intact records up to " +
                log.lastSequence() + ": the log is corrupt");
        }
        final long end = replay.lastSequence();
        final Path aside = config.dataDir().resolve("wal.unreachable-" + System.currentTimeMillis());
        LOG.error("the write-ahead log {} holds intact records up to sequence {} but replay cannot read past sequence " +
            "{} ({}): a page of it was lost, as in a power loss. The records after it were never synced, so they are " +
            "dropped as the fsync policy allows: the stores are checkpointed at {}, the log is moved to {} and a new " +
            "one continues from there", walDir, log.lastSequence(), replay.lastSequence(), replay.tornDescription(),
            end, aside);
        for (final Table table : tablesByName.values())
        {
            for (final Partition partition : table.partitions())
            {
                partition.store().beginCheckpoint();
                partition.store().sync();
            }
        }
        checkpoint.write(end);
        checkpointSequence = end;
        log.close();
        try
        {
            Files.move(walDir, aside, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            DurableFiles.forceDirectory(config.dataDir());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot move the unreachable log " + walDir + " to " + aside, ex);
        }
        final Wal fresh = new Wal(walConfig(config));
        try
        {
            fresh.continueAfter(end);
            final UnsafeBuffer none = new UnsafeBuffer(new byte[1]);
            fresh.append(0, 0, WalOp.DELETE_TABLE, none, 0, 0, none, 0, 0, clock.nanoTime()); // table 0: no table's
            fresh.sync();
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(fresh);
            throw ex;
        }
        return fresh;
    }

    private static WalConfig walConfig(final EngineConfig config)
    {
        return new WalConfig()
            .directory(config.dataDir().resolve("wal"))
            .fsyncPolicy(config.fsyncPolicy())
            .batchIntervalNs(config.fsyncBatchIntervalNs())
            .batchMaxRecords(config.fsyncBatchMaxRecords())
            .pretouchAheadBytes(config.walPretouchAheadBytes())
            .pretouchMethod(config.walPretouchMethod())
            .pretouchReadAhead(config.walPretouchReadAhead());
    }

    private TableDescription describe(final Table table, final String status)
    {
        return new TableDescription(table.definition().spec(), table.tableId(), status, table.itemCount(),
            table.sizeBytes(), table.definition().createdEpochMs(), table.partitions().length);
    }

    private Table requireTable(final String tableName)
    {
        final Table table = null == tableName ? null : tablesByName.get(tableName);
        if (null == table)
        {
            if (null != tableName)
            {
                NameRules.checkTableName(tableName, "tableName");
            }
            throw new FerriteException(ErrorCode.ResourceNotFoundException,
                "Requested resource not found: Table: " + tableName + " not found");
        }
        return table;
    }

    private void checkTable(final Table table)
    {
        checkOpen();
        if (table.shard() != this)
        {
            throw foreignTable(table);
        }
        if (table.isDeleted())
        {
            throw new FerriteException(ErrorCode.ResourceNotFoundException,
                "Requested resource not found: Table: " + table.name() + " not found");
        }
    }

    /**
     * A handle of another shard would have this shard log a write and another shard's partition (or a closed, unmapped
     * one) store it: refused before anything is read or written.
     */
    private IllegalArgumentException foreignTable(final Table table)
    {
        final Shard other = table.shard();
        return new IllegalArgumentException("table handle " + table.name() + " belongs to " + (null == other ?
            "no shard" : "the shard of " + other.config.dataDir() + (other.closed ? ", which was closed" : "")) +
            ", not to this one (" + config.dataDir() + "): take handles from the shard they are used with, with " +
            "table(name), again after every open");
    }

    private void checkWritable()
    {
        final Error injected = injectedWriteError;
        if (null != injected)
        {
            injectedWriteError = null;
            throw injected;
        }
        if (diskGuard.low())
        {
            throw diskGuard.refusal();
        }
        if (memoryGuard.low())
        {
            throw memoryGuard.refusal();
        }
    }

    private void checkOpen()
    {
        checkOwnerThread();
        if (closed)
        {
            throw new IllegalStateException("shard is closed: " + config.dataDir());
        }
        if (inHandler)
        {
            throw new IllegalStateException("shard " + config.dataDir() + " was called from inside an ItemHandler " +
                "of one of its own operations: the bytes the handler reads are the shard's stored item or scratch " +
                "buffers, which the inner call would change under it (and a Query or Scan's position with them); " +
                "copy what the handler needs and make the call after the operation returns");
        }
    }

    /**
     * Calls an application's handler, marking the shard busy meanwhile so that a call back into it is refused
     * ({@link #checkOpen()}) instead of changing the bytes the handler reads, or the Query or Scan that called it,
     * under it.
     */
    private void handOver(final ItemHandler handler, final DirectBuffer buffer, final int offset, final int length)
    {
        inHandler = true;
        try
        {
            handler.onItem(buffer, offset, length);
        }
        finally
        {
            inHandler = false;
        }
    }

    /**
     * The partition's bounds, checked before a write reaches the WAL or the store: a new item may not take it past
     * {@code partitionMaxItems}, and no write may take its items and keys past {@code partitionMaxBytes} (a write that
     * does not grow it passes, so that a partition over a lowered bound can still shrink). Both depend only on the
     * partition's content, so every replica fed the same writes refuses the same ones.
     *
     * @param oldLength the key's current item length, {@link #ABSENT}, {@link #PRESENT_NOT_READ} or
     *                  {@link #NOT_LOOKED_UP}.
     */
    private void checkRoom(
        final Table table, final Partition partition, final int keyLength, final int oldLength, final int newLength)
    {
        int old = oldLength;
        if (PRESENT_NOT_READ == old || NOT_LOOKED_UP == old)
        {
            final long indexed = partition.index().get(keyBuffer, 0, keyLength); // the index holds the item's length
            old = OffHeapBTree.MISSING == indexed ? ABSENT : (int)indexed;
        }
        if (old < 0)
        {
            checkCapacity(table, partition);
        }
        final long before = partition.storedBytes();
        final long after = before + newLength - (old < 0 ? -keyLength : old);
        if (after > config.partitionMaxBytes() && after > before)
        {
            throw new FerriteException(ErrorCode.ItemCollectionSizeLimitExceededException,
                "Partition " + partition.partitionId() + " of table " + table.name() + " is full: an item of " +
                newLength + " bytes would take its items and keys to " + after + " bytes (" + partition.itemCount() +
                " items, " + before + " bytes now; ferrite.engine.partitionMaxBytes=" + config.partitionMaxBytes() +
                "); a table grows by splitting partitions, which this version does not do yet");
        }
    }

    private void checkCapacity(final Table table, final Partition partition)
    {
        if (partition.itemCount() >= config.partitionMaxItems())
        {
            throw new FerriteException(ErrorCode.ItemCollectionSizeLimitExceededException,
                "Partition " + partition.partitionId() + " of table " + table.name() + " is full: " +
                partition.itemCount() + " items (ferrite.engine.partitionMaxItems=" + config.partitionMaxItems() +
                "); a table grows by splitting partitions, which this version does not do yet");
        }
    }

    private static void checkEncodedLength(final int length, final String sizeRule)
    {
        if (length > MAX_ENCODED_ITEM_BYTES)
        {
            throw FerriteException.validation(sizeRule + " (Ferrite encodes this item in " + length +
                " bytes; a partition stores items of at most " + MAX_ENCODED_ITEM_BYTES + " encoded bytes)");
        }
    }

    private static void checkLimit(final int limit)
    {
        if (limit < 0)
        {
            throw FerriteException.validation("1 validation error detected: Value '" + limit + "' at 'limit' failed " +
                "to satisfy constraint: Member must have value greater than or equal to 1");
        }
    }

    private static void checkQuery(final Table table, final QueryRequest request)
    {
        checkLimit(request.limit());
        final KeyValue pk = request.partitionKey();
        if (null == pk.type())
        {
            throw FerriteException.validation("Query condition missed key schema element: " +
                table.definition().spec().partitionKeyName());
        }
        if (pk.type() != table.partitionKeyType())
        {
            throw FerriteException.validation(
                "One or more parameter values were invalid: Condition parameter type does not match schema type");
        }
        KeyCodec.checkPartitionKeyPayload(
            table.definition().spec().partitionKeyName(), pk.length(), pk.type());
        checkFilterOmitsKeys(table, request.filter());

        final SortKeyCondition condition = request.condition();
        if (SortKeyCondition.NONE == condition)
        {
            return;
        }
        if (!table.hasSortKey())
        {
            throw FerriteException.validation("Query key condition not supported: the table has no sort key");
        }
        checkSortOperand(table, request.sortKeyValue());
        if (SortKeyCondition.BETWEEN == condition)
        {
            checkSortOperand(table, request.sortKeyUpper());
            final KeyValue low = request.sortKeyValue();
            final KeyValue high = request.sortKeyUpper();
            if (UnsignedBytes.compare(low.buffer(), 0, low.length(), high.buffer(), 0, high.length()) > 0)
            {
                throw FerriteException.validation("Invalid KeyConditionExpression: The BETWEEN operator requires " +
                    "upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: " +
                    low + ", upper bound operand: AttributeValue: " + high);
            }
        }
        if (SortKeyCondition.BEGINS_WITH == condition && KeyType.N == table.sortKeyType())
        {
            throw FerriteException.validation("Invalid KeyConditionExpression: Incorrect operand type for operator " +
                "or function; operator or function: begins_with, operand type: N");
        }
    }

    /** DynamoDB's rule: a Query's filter may not read key attributes (they belong in the key condition). */
    private static void checkFilterOmitsKeys(final Table table, final ItemCondition filter)
    {
        if (null == filter)
        {
            return;
        }
        final TableSpec spec = table.definition().spec();
        if (filter.readsAttribute(spec.partitionKeyName()))
        {
            throw FerriteException.validation("Filter Expression can only contain non-primary key attributes: " +
                "Primary key attribute: " + spec.partitionKeyName());
        }
        if (null != spec.sortKeyName() && filter.readsAttribute(spec.sortKeyName()))
        {
            throw FerriteException.validation("Filter Expression can only contain non-primary key attributes: " +
                "Primary key attribute: " + spec.sortKeyName());
        }
    }

    private static void checkSortOperand(final Table table, final KeyValue value)
    {
        if (null == value.type())
        {
            throw FerriteException.validation("Invalid KeyConditionExpression: the sort key condition has no value");
        }
        if (value.type() != table.sortKeyType())
        {
            throw FerriteException.validation(
                "One or more parameter values were invalid: Condition parameter type does not match schema type");
        }
        KeyCodec.checkSortKeyPayload(table.definition().spec().sortKeyName(), value.length(), value.type());
    }

    private boolean seekForward(
        final OffHeapBTree.Cursor cursor, final SortKeyCondition condition, final KeyValue low, final int prefixLength)
    {
        switch (condition)
        {
            case NONE:
            case LT:
            case LE:
                return cursor.seekGE(probeBuffer, 0, prefixLength);

            case GT:
                probeBuffer.putBytes(prefixLength, low.buffer(), 0, low.length());
                return cursor.seekGT(probeBuffer, 0, prefixLength + low.length());

            default:
                probeBuffer.putBytes(prefixLength, low.buffer(), 0, low.length());
                return cursor.seekGE(probeBuffer, 0, prefixLength + low.length());
        }
    }

    private boolean seekBackward(
        final OffHeapBTree.Cursor cursor, final SortKeyCondition condition, final KeyValue high, final int prefixLength)
    {
        switch (condition)
        {
            case NONE:
            case GT:
            case GE:
                probeBuffer.setMemory(prefixLength, KeyCodec.MAX_SORT_KEY_BYTES + 1, SORT_KEY_MAX_BYTE);
                return cursor.seekLE(probeBuffer, 0, prefixLength + KeyCodec.MAX_SORT_KEY_BYTES + 1);

            case LT:
                probeBuffer.putBytes(prefixLength, high.buffer(), 0, high.length());
                return cursor.seekLT(probeBuffer, 0, prefixLength + high.length());

            case BEGINS_WITH:
                probeBuffer.putBytes(prefixLength, high.buffer(), 0, high.length());
                probeBuffer.setMemory(prefixLength + high.length(), KeyCodec.MAX_SORT_KEY_BYTES + 1, SORT_KEY_MAX_BYTE);
                return cursor.seekLE(probeBuffer, 0, prefixLength + high.length() + KeyCodec.MAX_SORT_KEY_BYTES + 1);

            default:
                probeBuffer.putBytes(prefixLength, high.buffer(), 0, high.length());
                return cursor.seekLE(probeBuffer, 0, prefixLength + high.length());
        }
    }

    /**
     * True when the sort key is beyond the condition's range in the direction of travel, so that no later
     * item can match.
     */
    private static boolean pastEnd(
        final SortKeyCondition condition,
        final boolean forward,
        final DirectBuffer key,
        final int skOffset,
        final int skLength,
        final KeyValue low,
        final KeyValue high)
    {
        if (SortKeyCondition.NONE == condition)
        {
            return false;
        }
        if (forward)
        {
            switch (condition)
            {
                case EQ:
                case LE:
                case BETWEEN:
                    return compare(key, skOffset, skLength, high) > 0;
                case LT:
                    return compare(key, skOffset, skLength, high) >= 0;
                case BEGINS_WITH:
                    return compare(key, skOffset, skLength, low) > 0 &&
                        !UnsignedBytes.startsWith(key, skOffset, skLength, low.buffer(), 0, low.length());
                default:
                    return false;
            }
        }

        switch (condition)
        {
            case EQ:
            case GE:
            case BETWEEN:
            case BEGINS_WITH:
                return compare(key, skOffset, skLength, low) < 0;
            case GT:
                return compare(key, skOffset, skLength, low) <= 0;
            default:
                return false;
        }
    }

    private static boolean matches(
        final SortKeyCondition condition,
        final DirectBuffer key,
        final int skOffset,
        final int skLength,
        final KeyValue low,
        final KeyValue high)
    {
        switch (condition)
        {
            case NONE:
                return true;
            case EQ:
                return 0 == compare(key, skOffset, skLength, low);
            case LT:
                return compare(key, skOffset, skLength, low) < 0;
            case LE:
                return compare(key, skOffset, skLength, low) <= 0;
            case GT:
                return compare(key, skOffset, skLength, low) > 0;
            case GE:
                return compare(key, skOffset, skLength, low) >= 0;
            case BETWEEN:
                return compare(key, skOffset, skLength, low) >= 0 && compare(key, skOffset, skLength, high) <= 0;
            case BEGINS_WITH:
                return UnsignedBytes.startsWith(key, skOffset, skLength, low.buffer(), 0, low.length());
            default:
                return false;
        }
    }

    private static int compare(final DirectBuffer key, final int skOffset, final int skLength, final KeyValue value)
    {
        return UnsignedBytes.compare(key, skOffset, skLength, value.buffer(), 0, value.length());
    }

    /**
     * Counts the item just read into {@link #readItem} as scanned and, when it passes the request's filter,
     * as returned, handing it (projected if asked) to the handler.
     */
    /**
     * Points {@link #itemView} at a stored item (no copy with the hash store; valid until the next write).
     *
     * @return the item's length, or -1 if the store does not hold the key.
     */
    private int viewItem(final Partition partition, final DirectBuffer key, final int keyLength)
    {
        return partition.store().view(key, 0, keyLength, itemView) ? itemView.capacity() : -1;
    }

    private void deliver(
        final PageResult request, final DirectBuffer item, final int itemLength, final ItemHandler handler)
    {
        request.countScanned(itemLength);
        final ItemCondition filter = request.filter();
        if (null != filter && !filter.test(item, 0, itemLength))
        {
            return;
        }
        request.countReturned();
        final ItemProjection projection = request.projection();
        if (null == projection)
        {
            handOver(handler, item, 0, itemLength);
            return;
        }
        handOver(handler, projected, 0, projection.project(item, 0, itemLength, projected, 0));
    }

    private void handOverProjection(
        final ItemUpdate update, final MutableDirectBuffer item, final int itemLength, final ItemHandler handler)
    {
        final int length = update.projectUpdated(item, 0, itemLength, projected, 0);
        if (ItemFormat.attributeCount(projected, 0) > 0)
        {
            handOver(handler, projected, 0, length);
        }
    }

    private static int indexOf(final Partition[] partitions, final Partition partition)
    {
        for (int i = 0; i < partitions.length; i++)
        {
            if (partitions[i] == partition)
            {
                return i;
            }
        }
        throw new IllegalStateException("partition " + partition.partitionId() + " is not in its table");
    }

    private static ByteBuffer copy(final DirectBuffer buffer, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return ByteBuffer.wrap(bytes);
    }

    /**
     * DynamoDB's refusal of a BatchGetItem naming a table with no keys (its Keys must hold 1 to 100): checked for every
     * table, once the request holds some keys, by the engine and by a node's router alike.
     *
     * @param keysByTable keys per table name.
     * @throws FerriteException ValidationException naming the first table without keys.
     */
    public static void checkEveryBatchGetTableHasKeys(final Map<String, ? extends List<?>> keysByTable)
    {
        for (final Map.Entry<String, ? extends List<?>> entry : keysByTable.entrySet())
        {
            if (entry.getValue().isEmpty())
            {
                throw FerriteException.validation("1 validation error detected: Value '[]' at 'requestItems." +
                    entry.getKey() + ".member.keys' failed to satisfy constraint: Member must have length greater " +
                    "than or equal to 1");
            }
        }
    }

    /**
     * DynamoDB's refusal of a BatchWriteItem naming a table with no writes (each table's list must hold 1 to 25):
     * checked for every table, once the request holds some writes, by the engine and by a node's router alike.
     *
     * @param writesByTable writes per table name.
     * @throws FerriteException ValidationException naming the first table without writes.
     */
    public static void checkEveryBatchWriteTableHasWrites(final Map<String, ? extends List<?>> writesByTable)
    {
        for (final Map.Entry<String, ? extends List<?>> entry : writesByTable.entrySet())
        {
            if (entry.getValue().isEmpty())
            {
                throw FerriteException.validation("1 validation error detected: Value '{" + entry.getKey() +
                    "=[]}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: " +
                    "[Member must have length less than or equal to " + MAX_BATCH_WRITES + ", Member must have " +
                    "length greater than or equal to 1]");
            }
        }
    }

    private static FerriteException conditionFailed()
    {
        return CONDITION_FAILED;
    }

    /** Releases every partition without syncing its store or marking it closed cleanly (a crash's state). */
    private void discardTables()
    {
        for (final Table table : tablesByName.values())
        {
            for (final Partition partition : table.partitions())
            {
                try
                {
                    partition.discard();
                }
                catch (final RuntimeException | Error ex)
                {
                    // released as far as it goes (after a fatal Error too: abandon): the rest goes with the process
                    LOG.warn("failed to release partition {} of table {}", partition.partitionId(), table.name(), ex);
                }
            }
        }
        tablesByName.clear();
        tablesById.clear();
    }

    private void closeTables()
    {
        for (final Table table : tablesByName.values())
        {
            for (final Partition partition : table.partitions())
            {
                CloseHelper.quietClose(partition);
            }
        }
        tablesByName.clear();
        tablesById.clear();
    }

    private void releaseLock()
    {
        try
        {
            if (null != lock && lock.isValid())
            {
                lock.release();
            }
        }
        catch (final IOException ignore)
        {
        }
        CloseHelper.quietClose(lockChannel);
    }
    /**
     * Hands a projection of each item to a target handler; one instance, reused by GetItem.
     */
    private static final class ProjectingHandler implements ItemHandler
    {
        private final MutableDirectBuffer scratch;
        private ItemProjection projection;
        private ItemHandler target;

        ProjectingHandler(final MutableDirectBuffer scratch)
        {
            this.scratch = scratch;
        }

        public void onItem(final DirectBuffer buffer, final int offset, final int length)
        {
            target.onItem(scratch, 0, projection.project(buffer, offset, length, scratch, 0));
        }
    }

    /**
     * Puts that the store refused during replay (full: no room for the item's block, or its slot page full).
     * <p>
     * A put refused when it was first written is always followed, as the log's next record, by a correction of its
     * key that restores what the store held ({@link #applyPut}), and was answered with an error; skipping it is then
     * right. But a put the store took when it was written can be refused at replay too: the store replay starts
     * from is not the one the writer had. After a power loss its pages on disk are each as of the checkpoint or some
     * later moment, so keys written after a put can already be there while the put's own page is not, and blocks sit
     * elsewhere than they did (replay allocates in another order), so the same content can fragment differently.
     * Skipping such a put, the key's last write, lost an acknowledged write, even under {@code every_write}. So a
     * refused put is held: any later record of its key (the correction, or a later write) makes it moot; one still
     * held at the end of replay was its key's last write, and is applied then, when the store holds what the writer's
     * store held just before it plus the other keys' final states. If the store still refuses it, a put that is not
     * the log's last record was taken when written (no correction followed it) and the open fails rather than lose
     * it; the log's last record may be a refused put whose writer died before logging its correction (never
     * answered), so it is dropped, logged at ERROR.
     * <p>
     * Open only: allocates.
     */
    private final class RefusedPuts
    {
        private final Map<RefusedKey, RefusedPut> held = new LinkedHashMap<>();

        private record RefusedKey(int tableId, ByteBuffer key)
        {
        }

        private record RefusedPut(long sequence, int tableId, byte[] key, byte[] image)
        {
        }

        void hold(
            final long sequence,
            final int tableId,
            final DirectBuffer key,
            final int keyOffset,
            final int keyLength,
            final DirectBuffer image,
            final int imageOffset,
            final int imageLength)
        {
            final byte[] keyBytes = new byte[keyLength];
            key.getBytes(keyOffset, keyBytes);
            final byte[] imageBytes = new byte[imageLength];
            image.getBytes(imageOffset, imageBytes);
            held.put(new RefusedKey(tableId, ByteBuffer.wrap(keyBytes)),
                new RefusedPut(sequence, tableId, keyBytes, imageBytes));
        }

        /**
         * @return whether a held put of this key was dropped: a later record of the key decides its state.
         */
        boolean supersede(final int tableId, final DirectBuffer key, final int keyOffset, final int keyLength)
        {
            if (held.isEmpty())
            {
                return false;
            }
            final byte[] keyBytes = new byte[keyLength];
            key.getBytes(keyOffset, keyBytes);
            return null != held.remove(new RefusedKey(tableId, ByteBuffer.wrap(keyBytes)));
        }

        /**
         * Applies the puts still held, each its key's last record, in log order.
         *
         * @return how many the store took; the rest are left {@link #count() counted} as skipped.
         */
        long applyTheLast(final long lastSequence, final Path dataDir)
        {
            long applied = 0;
            for (final java.util.Iterator<RefusedPut> it = held.values().iterator(); it.hasNext(); )
            {
                final RefusedPut put = it.next();
                final Table table = tablesById.get(put.tableId());
                final UnsafeBuffer key = new UnsafeBuffer(put.key());
                final Partition partition = table.partitionFor(KeyCodec.hash(key, 0));
                try
                {
                    partition.store().put(put.sequence(), key, 0, put.key().length,
                        new UnsafeBuffer(put.image()), 0, put.image().length);
                    it.remove();
                    applied++;
                }
                catch (final StoreFullException ex)
                {
                    if (put.sequence() != lastSequence)
                    {
                        throw new IllegalStateException("cannot open " + dataDir + ": record " + put.sequence() +
                            " of its write-ahead log, a put to table " + table.name() + " partition " +
                            partition.partitionId() + " and that key's last write, was taken by the store when it " +
                            "was written (no correction follows it), but the store has no room for it at replay, " +
                            "after every other record (" + ex.getMessage() + "); opening would lose that write. The " +
                            "log is kept: no checkpoint was taken", ex);
                    }
                    LOG.error("record {} of the write-ahead log of {}, the log's last, is a put to table {} " +
                        "partition {} that the store refuses at replay ({}): it is dropped, as a put its writer's " +
                        "store refused too, whose writer died before logging the correction that follows such a put " +
                        "(and before answering it)", put.sequence(), dataDir, table.name(), partition.partitionId(),
                        ex.getMessage());
                }
            }
            return applied;
        }

        /**
         * @return puts still held: refused at the end too.
         */
        long count()
        {
            return held.size();
        }
    }
}
