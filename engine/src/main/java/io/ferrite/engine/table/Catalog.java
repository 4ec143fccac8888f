package io.ferrite.engine.table;

import io.ferrite.engine.store.DurableFiles;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The persisted list of tables of one data directory. Table-management operations are rare, so the
 * whole catalog is rewritten on each change: written to a temporary file, forced to disk, renamed over
 * the old one and the directory forced, so a crash leaves either the old or the new catalog, never a
 * mix. A change is acknowledged only after that.
 * <p>
 * Single-threaded: owned by the shard thread.
 * <pre>
 * file := magic:int32 ('FCAT') version:int32 nextTableId:int32 tableCount:int32 table* crc32c:int64
 * table := tableId:int32 name:utf pkName:utf pkType:utf hasSortKey:bool [skName:utf skType:utf]
 *          createdEpochMs:int64 partitionCount:int32 (partitionId:int32 hashLow:int64 hashHigh:int64)*
 * </pre>
 * (big-endian, {@link DataOutputStream} encoding; the CRC covers every byte before it).
 */
public final class Catalog
{
    private static final int MAGIC = 0x46434154;
    private static final int VERSION = 1;
    private static final String FILE_NAME = "catalog.bin";

    private final Path file;
    private final Map<String, TableDefinition> tablesByName = new TreeMap<>();
    private int nextTableId = 1;
    private boolean absent;

    private Catalog(final Path directory)
    {
        this.file = directory.resolve(FILE_NAME);
    }

    /**
     * Loads the catalog of a data directory, or an empty one if there is none yet.
     *
     * @param directory the data directory.
     * @return the catalog.
     * @throws IllegalStateException if the file exists but is corrupt (checksum or structure).
     */
    public static Catalog load(final Path directory)
    {
        final Catalog catalog = new Catalog(directory);
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(catalog.file);
        }
        catch (final NoSuchFileException ex)
        {
            catalog.absent = true;
            return catalog;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read catalog " + catalog.file, ex);
        }

        catalog.decode(bytes);
        return catalog;
    }

    /**
     * @return whether {@link #load} found no catalog file (a new data directory, until the first table is created).
     */
    public boolean absent()
    {
        return absent;
    }

    /**
     * @return the next table id that {@link #add} will use.
     */
    public int nextTableId()
    {
        return nextTableId;
    }

    /**
     * @param name a table name.
     * @return its definition, or null.
     */
    public TableDefinition find(final String name)
    {
        return tablesByName.get(name);
    }

    /**
     * @return every table, ordered by name.
     */
    public Collection<TableDefinition> tables()
    {
        return Collections.unmodifiableCollection(tablesByName.values());
    }

    /**
     * Adds a table and persists the catalog before returning.
     *
     * @param spec       the table's name and key schema.
     * @param partitions its initial partitions.
     * @param nowEpochMs the creation time.
     * @return the new definition, with a fresh id.
     */
    public TableDefinition add(
        final TableSpec spec, final List<TableDefinition.PartitionRange> partitions, final long nowEpochMs)
    {
        return addWithId(nextTableId, spec, partitions, nowEpochMs);
    }

    /**
     * Adds a table under a given id and persists the catalog before returning: for a replica that restores another
     * data directory's tables (a cell member loading a snapshot), whose ids must stay the same on every replica.
     * The next id becomes at least {@code tableId + 1}.
     *
     * @param tableId    the table's id in the directory restored from; must be positive and not used here.
     * @param spec       the table's name and key schema.
     * @param partitions its initial partitions.
     * @param nowEpochMs the creation time.
     * @return the new definition.
     * @throws IllegalArgumentException if the id is not positive or another table has it.
     */
    public TableDefinition addWithId(
        final int tableId, final TableSpec spec, final List<TableDefinition.PartitionRange> partitions,
        final long nowEpochMs)
    {
        checkNewTableId(tableId, spec.tableName());
        final TableDefinition definition = new TableDefinition(tableId, spec, nowEpochMs, List.copyOf(partitions));
        final int previousNextTableId = nextTableId;
        final TableDefinition previous = tablesByName.put(spec.tableName(), definition);
        nextTableId = Math.max(nextTableId, tableId + 1);
        try
        {
            persist();
        }
        catch (final RuntimeException ex)
        {
            // not created: a later persist must not write it (the caller was told CreateTable failed)
            nextTableId = previousNextTableId;
            if (null == previous)
            {
                tablesByName.remove(spec.tableName());
            }
            else
            {
                tablesByName.put(spec.tableName(), previous);
            }
            throw ex;
        }
        return definition;
    }

    /**
     * Checks that a new table may take an id, as {@link #addWithId} does, before anything is created under it (its
     * store files are named after it).
     *
     * @param tableId   the id.
     * @param tableName the new table's name, for the message.
     * @throws IllegalArgumentException if the id is not positive or another table has it.
     */
    public void checkNewTableId(final int tableId, final String tableName)
    {
        if (tableId <= 0)
        {
            throw new IllegalArgumentException("table id " + tableId + " of " + tableName + " is not positive");
        }
        for (final TableDefinition table : tablesByName.values())
        {
            if (table.tableId() == tableId)
            {
                throw new IllegalArgumentException("table id " + tableId + " of " + tableName +
                    " is already used by " + table.spec().tableName());
            }
        }
    }

    /**
     * Writes the catalog if the data directory has none yet, so that the store files of a first table, which are
     * created before the catalog names it, are never taken for the stores of a lost catalog: a crash between the two
     * leaves an empty catalog, and the stores are deleted as orphans at the next open.
     */
    public void persistIfAbsent()
    {
        if (absent)
        {
            persist();
        }
    }

    /**
     * Sets the id {@link #add} uses next and persists the catalog: for a replica restoring another data directory's
     * catalog (ids of deleted tables are not reused, so the next id may be past every table's).
     *
     * @param nextTableId the next id; greater than every table's id.
     * @throws IllegalArgumentException if a table's id is not below it, or it is below the next id now (ids are never
     *                                  reused: the log may hold a deleted table's records).
     */
    public void restoreNextTableId(final int nextTableId)
    {
        for (final TableDefinition table : tablesByName.values())
        {
            if (table.tableId() >= nextTableId)
            {
                throw new IllegalArgumentException("next table id " + nextTableId + " is not above the id " +
                    table.tableId() + " of " + table.spec().tableName());
            }
        }
        if (nextTableId <= 0)
        {
            throw new IllegalArgumentException("next table id " + nextTableId + " is not positive");
        }
        if (nextTableId < this.nextTableId)
        {
            // ids below it may have been deleted tables', whose records the log may still hold
            throw new IllegalArgumentException("next table id " + nextTableId + " is below " + this.nextTableId +
                ": table ids are never reused");
        }
        final int previous = this.nextTableId;
        this.nextTableId = nextTableId;
        try
        {
            persist();
        }
        catch (final RuntimeException ex)
        {
            this.nextTableId = previous;
            throw ex;
        }
    }

    /**
     * Removes a table and persists the catalog before returning. If persisting fails the table stays removed here
     * (the file may or may not have been replaced): the caller must stop serving it, since a restart may not have it.
     *
     * @param name the table's name.
     * @return the removed definition, or null if there was none.
     */
    public TableDefinition remove(final String name)
    {
        final TableDefinition removed = tablesByName.remove(name);
        if (null != removed)
        {
            persist();
        }
        return removed;
    }

    private void persist()
    {
        final byte[] bytes = encode();
        final Path temp = file.resolveSibling(FILE_NAME + ".tmp");
        try
        {
            try (FileChannel channel = FileChannel.open(
                temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))
            {
                final ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining())
                {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            absent = false;
            DurableFiles.forceDirectory(file.toAbsolutePath().getParent());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write catalog " + file, ex);
        }
    }

    private byte[] encode()
    {
        try
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            final DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(nextTableId);
            out.writeInt(tablesByName.size());
            for (final TableDefinition table : tablesByName.values())
            {
                final TableSpec spec = table.spec();
                out.writeInt(table.tableId());
                out.writeUTF(spec.tableName());
                out.writeUTF(spec.partitionKeyName());
                out.writeUTF(spec.partitionKeyType().name());
                out.writeBoolean(null != spec.sortKeyName());
                if (null != spec.sortKeyName())
                {
                    out.writeUTF(spec.sortKeyName());
                    out.writeUTF(spec.sortKeyType().name());
                }
                out.writeLong(table.createdEpochMs());
                out.writeInt(table.partitions().size());
                for (final TableDefinition.PartitionRange range : table.partitions())
                {
                    out.writeInt(range.partitionId());
                    out.writeLong(range.hashLow());
                    out.writeLong(range.hashHigh());
                }
            }
            out.flush();
            final CRC32C crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.writeLong(crc.getValue());
            out.flush();
            return bytes.toByteArray();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private void decode(final byte[] bytes)
    {
        if (bytes.length < 8)
        {
            throw new IllegalStateException("catalog " + file + " is corrupt: " + bytes.length + " bytes");
        }

        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 8);
        final long stored = ByteBuffer.wrap(bytes, bytes.length - 8, 8).getLong();
        if (stored != crc.getValue())
        {
            throw new IllegalStateException("catalog " + file + " is corrupt: checksum " + Long.toHexString(stored) +
                " != computed " + Long.toHexString(crc.getValue()));
        }

        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes, 0, bytes.length - 8)))
        {
            final int magic = in.readInt();
            final int version = in.readInt();
            if (MAGIC != magic || VERSION != version)
            {
                throw new IllegalStateException("catalog " + file + " has magic " + Integer.toHexString(magic) +
                    " version " + version + ", expected " + Integer.toHexString(MAGIC) + " version " + VERSION);
            }
            nextTableId = in.readInt();
            final int count = in.readInt();
            for (int i = 0; i < count; i++)
            {
                final int tableId = in.readInt();
                TableSpec spec = TableSpec.of(in.readUTF()).partitionKey(in.readUTF(), KeyType.valueOf(in.readUTF()));
                if (in.readBoolean())
                {
                    spec = spec.sortKey(in.readUTF(), KeyType.valueOf(in.readUTF()));
                }
                final long created = in.readLong();
                final int partitionCount = in.readInt();
                final List<TableDefinition.PartitionRange> ranges = new ArrayList<>(partitionCount);
                for (int p = 0; p < partitionCount; p++)
                {
                    ranges.add(new TableDefinition.PartitionRange(in.readInt(), in.readLong(), in.readLong()));
                }
                tablesByName.put(spec.tableName(), new TableDefinition(tableId, spec, created, List.copyOf(ranges)));
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("catalog " + file + " is corrupt: " + ex.getMessage(), ex);
        }
    }
}
