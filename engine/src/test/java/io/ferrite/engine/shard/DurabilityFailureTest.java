package io.ferrite.engine.shard;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.api.Ferrite;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.engine.wal.FsyncPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the engine does when the disk fails it (faults injected where the fdatasync or the checkpoint's store sync
 * would fail). A failed WAL sync stops writes: the write whose sync failed is applied and reported as an error (its
 * outcome is unknown to the caller, as after a timeout), later writes are refused and change nothing, and what the
 * running engine serves is what a restart after a crash finds. A failed checkpoint stops checkpoints, not writes:
 * none is retried (a retried sync can succeed without the data on disk) and the log keeps every write since the last
 * good one.
 */
class DurabilityFailureTest
{
    @TempDir
    Path dataDir;

    @TempDir
    Path crashImage;

    private static Map<String, AttributeValue> item(final String pk)
    {
        return Map.of("pk", s(pk), "v", s("value of " + pk));
    }

    private static Map<String, AttributeValue> key(final String pk)
    {
        return Map.of("pk", s(pk));
    }

    @Test
    void aFailedWalSyncStopsWritesAndTheRunningStateIsWhatARestartFinds() throws IOException
    {
        final Ferrite db = Ferrite.open(
            new EngineConfig().dataDir(dataDir).partitionMaxItems(1000).fsyncPolicy(FsyncPolicy.EVERY_WRITE));
        try
        {
            db.createTable(TableSpec.of("orders").partitionKey("pk", KeyType.S));
            db.putItem("orders", item("kept"));
            db.shard().wal().failNextSyncForTesting(new IOException("injected EIO"));

            final FerriteException unsure =
                assertThrows(FerriteException.class, () -> db.putItem("orders", item("unsure")));
            assertEquals(ErrorCode.InternalServerError, unsure.code());
            assertNotNull(db.getItem("orders", key("unsure")), "logged, so applied: a restart would replay it");

            assertThrows(FerriteException.class, () -> db.putItem("orders", item("refused")));
            assertThrows(FerriteException.class, () -> db.deleteItem("orders", key("kept")));
            assertNull(db.getItem("orders", key("refused")), "a refused put changes nothing");
            assertNotNull(db.getItem("orders", key("kept")), "a refused delete changes nothing");
            for (int i = 1; i <= 100; i++)
            {
                assertEquals(0, db.shard().doDutyCycle(System.nanoTime() + i * 3_600_000_000_000L),
                    "no periodic checkpoint is started (it would throw, from every duty cycle)");
            }

            copy(dataDir, crashImage); // the files as a SIGKILL now would leave them (page cache included)
        }
        finally
        {
            assertThrows(FerriteException.class, db::close, "close cannot checkpoint through a failed log");
        }

        for (final Path dir : new Path[] {crashImage, dataDir})
        {
            try (Ferrite reopened = Ferrite.open(new EngineConfig().dataDir(dir).partitionMaxItems(1000)))
            {
                assertEquals(item("kept"), reopened.getItem("orders", key("kept")), dir.toString());
                assertEquals(item("unsure"), reopened.getItem("orders", key("unsure")), dir.toString());
                assertNull(reopened.getItem("orders", key("refused")), dir.toString());
                reopened.putItem("orders", item("after restart")); // the restart cleared the failure
            }
        }
    }

    @Test
    void aFailedCheckpointIsNotRetriedAndTheLogKeepsEveryWrite() throws IOException
    {
        final Ferrite db = Ferrite.open(
            new EngineConfig().dataDir(dataDir).partitionMaxItems(1000).fsyncPolicy(FsyncPolicy.BATCH));
        final long good;
        try
        {
            db.createTable(TableSpec.of("orders").partitionKey("pk", KeyType.S));
            db.putItem("orders", item("before"));
            db.shard().checkpoint();
            good = PeriodicCheckpointTest.checkpointOnDisk(dataDir);
            db.putItem("orders", item("between"));

            db.shard().checkpointer().nextFailure = new IllegalStateException("injected store sync failure");
            final FerriteException failed = assertThrows(FerriteException.class, () -> db.shard().checkpoint());
            assertEquals(ErrorCode.InternalServerError, failed.code());
            assertTrue(failed.getMessage().contains("injected store sync failure") &&
                failed.getMessage().contains("checkpoint " + good), failed.getMessage());

            db.putItem("orders", item("after")); // writes go on
            assertThrows(FerriteException.class, () -> db.shard().checkpoint(), "no checkpoint is retried");
            for (int i = 0; i < 100; i++)
            {
                assertEquals(0, db.shard().doDutyCycle(System.nanoTime() + (long)i * 3_600_000_000_000L),
                    "nor started periodically");
            }
            assertEquals(good, PeriodicCheckpointTest.checkpointOnDisk(dataDir),
                "checkpoint.bin still names the last good checkpoint");
            copy(dataDir, crashImage);
        }
        finally
        {
            assertThrows(FerriteException.class, db::close, "close's checkpoint is not retried either");
        }
        assertEquals(good, PeriodicCheckpointTest.checkpointOnDisk(dataDir));

        for (final Path dir : new Path[] {crashImage, dataDir})
        {
            try (Ferrite reopened = Ferrite.open(new EngineConfig().dataDir(dir).partitionMaxItems(1000)))
            {
                for (final String pk : new String[] {"before", "between", "after"})
                {
                    assertEquals(item(pk), reopened.getItem("orders", key(pk)), dir + ": " + pk);
                }
            }
        }
    }

    @Test
    void deleteTableAfterAFailedPeriodicCheckpointFailsWholeThenSucceeds()
    {
        final Ferrite db = Ferrite.open(new EngineConfig().dataDir(dataDir).partitionMaxItems(1000));
        try
        {
            db.createTable(TableSpec.of("orders").partitionKey("pk", KeyType.S));
            db.putItem("orders", item("a"));
            db.shard().checkpointer().nextFailure = new IllegalStateException("injected store sync failure");
            assertEquals(1, db.shard().doDutyCycle(System.nanoTime() + 3_600_000_000_000L), "a periodic checkpoint");

            // it fails on the checkpoint thread; DeleteTable, which must wait for it, reports that and changes nothing
            assertThrows(FerriteException.class, () -> db.deleteTable("orders"));
            assertEquals(item("a"), db.getItem("orders", key("a")), "the table is whole");
            assertEquals("ACTIVE", db.describeTable("orders").status());

            db.deleteTable("orders");
            assertThrows(FerriteException.class, () -> db.describeTable("orders"));
            assertFalse(Files.exists(dataDir.resolve("stores").resolve("t1-p0.store")), "its store file is gone");
        }
        finally
        {
            assertThrows(FerriteException.class, db::close, "close's checkpoint is not retried");
        }
    }

    /**
     * After a failed sync Linux marks the pages clean and reports the error once, so a later fsync can succeed with
     * the data not on disk. A close whose checkpoint failed must therefore not mark the stores closed cleanly: a
     * hash store marked clean is trusted at the next open without verification, and one whose pages never reached
     * the disk would be served (or refused as corrupt) as it is. Left unclean, it is verified and the log, which
     * keeps every write since the last good checkpoint, is replayed over it.
     */
    @Test
    void aCloseAfterAFailedCheckpointLeavesTheStoresToBeVerifiedAtTheNextOpen() throws IOException
    {
        final Ferrite db = Ferrite.open(new EngineConfig().dataDir(dataDir).partitionMaxItems(1000));
        try
        {
            db.createTable(TableSpec.of("orders").partitionKey("pk", KeyType.S));
            db.putItem("orders", item("before"));
            db.shard().checkpoint();
            db.putItem("orders", item("between"));
            db.shard().checkpointer().nextFailure = new IllegalStateException("injected store sync failure");
            assertThrows(FerriteException.class, () -> db.shard().checkpoint());
            db.putItem("orders", item("after"));
        }
        finally
        {
            assertThrows(FerriteException.class, db::close, "close's checkpoint is not retried");
        }
        assertEquals(0, cleanFlag(dataDir.resolve("stores").resolve("t1-p0.store")),
            "a store whose sync failed is not marked closed cleanly");

        try (Ferrite reopened = Ferrite.open(new EngineConfig().dataDir(dataDir).partitionMaxItems(1000)))
        {
            for (final String pk : new String[] {"before", "between", "after"})
            {
                assertEquals(item(pk), reopened.getItem("orders", key(pk)), pk);
            }
        }
        assertEquals(1, cleanFlag(dataDir.resolve("stores").resolve("t1-p0.store")),
            "a close whose checkpoint succeeded marks it");
    }

    /**
     * A DeleteTable whose catalog write fails (here: the catalog's temp file cannot be created) left the table out of
     * the catalog in memory but served: writes to it were acknowledged, and the next catalog write (a CreateTable)
     * wrote the catalog without it, so a restart dropped the table and its acknowledged writes. Now a table whose
     * deletion failed is no longer served; whatever a restart finds, no acknowledged write is lost.
     */
    @Test
    void aDeleteTableWhoseCatalogWriteFailsAcknowledgesNoWriteThatARestartLoses() throws IOException
    {
        final Path blocker = dataDir.resolve("catalog.bin.tmp");
        boolean acknowledged;
        try (Ferrite db = Ferrite.open(new EngineConfig().dataDir(dataDir).partitionMaxItems(1000)))
        {
            db.createTable(TableSpec.of("orders").partitionKey("pk", KeyType.S));
            db.putItem("orders", item("before"));
            Files.createDirectory(blocker); // the catalog's temp file cannot be opened for writing
            assertThrows(RuntimeException.class, () -> db.deleteTable("orders"));
            Files.delete(blocker);
            try
            {
                db.putItem("orders", item("after"));
                acknowledged = true;
            }
            catch (final FerriteException ex)
            {
                assertEquals(ErrorCode.ResourceNotFoundException, ex.code(), ex.getMessage());
                acknowledged = false;
            }
            db.createTable(TableSpec.of("other").partitionKey("pk", KeyType.S)); // writes the catalog again
        }

        try (Ferrite reopened = Ferrite.open(new EngineConfig().dataDir(dataDir).partitionMaxItems(1000)))
        {
            if (acknowledged)
            {
                assertEquals(item("after"), reopened.getItem("orders", key("after")), "an acknowledged write");
            }
            assertThrows(FerriteException.class, () -> reopened.describeTable("orders"),
                "the deletion took effect at the next catalog write");
            assertFalse(Files.exists(dataDir.resolve("stores").resolve("t1-p0.store")), "its store file is gone");
            assertEquals("ACTIVE", reopened.describeTable("other").status());
        }
    }

    /**
     * A replica restoring tables gives them ids of its own choosing ({@code restoreTable}); one that a deleted table
     * had must not receive that table's records still in the log after the checkpoint when a restart replays it.
     * And the next id is never lowered, so a CreateTable never reuses an id either.
     */
    @Test
    void aTableRestoredUnderADeletedTablesIdGetsNoneOfItsRecordsAfterACrash() throws IOException
    {
        final TableSpec orders = TableSpec.of("orders").partitionKey("pk", KeyType.S);
        try (Ferrite db = Ferrite.open(new EngineConfig().dataDir(dataDir).partitionMaxItems(1000)))
        {
            db.createTable(orders); // id 1
            db.createTable(TableSpec.of("other").partitionKey("pk", KeyType.S)); // id 2
            db.putItem("orders", item("deleted with its table"));
            db.deleteTable("orders");
            assertThrows(IllegalArgumentException.class, () -> db.shard().restoreNextTableId(1));
            db.shard().restoreTable(TableSpec.of("restored").partitionKey("pk", KeyType.S), 1);
            db.putItem("restored", item("restored item"));
            copy(dataDir, crashImage); // the files as a SIGKILL now would leave them
        }

        try (Ferrite reopened = Ferrite.open(new EngineConfig().dataDir(crashImage).partitionMaxItems(1000)))
        {
            assertNull(reopened.getItem("restored", key("deleted with its table")),
                "a record of the deleted table that had id 1 was replayed into the table restored under it");
            assertEquals(item("restored item"), reopened.getItem("restored", key("restored item")));
        }
    }

    /**
     * The catalog is written before a table's first store file exists, so store files without a catalog mean the
     * catalog was lost (deleted by hand, a file system's damage). Opening used to take the directory for a new one and
     * delete every store as an orphan, and with them every table's items; now it refuses, naming the files.
     */
    @Test
    void aDataDirectoryWhoseCatalogIsLostIsRefusedAndItsStoresKept() throws IOException
    {
        try (Ferrite db = Ferrite.open(new EngineConfig().dataDir(dataDir).partitionMaxItems(1000)))
        {
            db.createTable(TableSpec.of("orders").partitionKey("pk", KeyType.S));
            db.putItem("orders", item("a"));
        }
        Files.copy(dataDir.resolve("catalog.bin"), crashImage.resolve("catalog.bin"));
        Files.delete(dataDir.resolve("catalog.bin"));

        final IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> Ferrite.open(new EngineConfig().dataDir(dataDir).partitionMaxItems(1000)).close());
        assertTrue(refused.getMessage().contains("no catalog") && refused.getMessage().contains("t1-p0.store"),
            refused.getMessage());
        assertTrue(Files.exists(dataDir.resolve("stores").resolve("t1-p0.store")), "the store is kept");

        Files.copy(crashImage.resolve("catalog.bin"), dataDir.resolve("catalog.bin")); // restored by hand
        try (Ferrite reopened = Ferrite.open(new EngineConfig().dataDir(dataDir).partitionMaxItems(1000)))
        {
            assertEquals(item("a"), reopened.getItem("orders", key("a")));
        }
    }

    /**
     * A power loss can leave a page in the middle of the log unwritten (zeros) while later pages reached the disk.
     * Chronicle reads no further than it, so the restart replayed up to it, yet went on appending after the last
     * intact record: every write acknowledged after that restart was unreachable, and the next restart lost it. Now
     * the open drops what lies past the lost page (never synced, so the fsync policy allows it), checkpoints, and
     * starts a new log that replay reaches.
     */
    @Test
    void writesAfterARestartOverALostPageInTheLogSurviveTheNextRestart() throws IOException
    {
        final Path first = Files.createDirectories(crashImage.resolve("first"));
        final Path second = Files.createDirectories(crashImage.resolve("second"));
        try (Ferrite db = Ferrite.open(new EngineConfig().dataDir(dataDir).partitionMaxItems(1000)))
        {
            db.createTable(TableSpec.of("orders").partitionKey("pk", KeyType.S));
            for (int i = 1; i <= 40; i++)
            {
                db.putItem("orders", padded("k" + i));
            }
            copy(dataDir, first); // the files as a crash now would leave them
        }
        zeroPageHolding(first.resolve("wal"), "|k20|".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

        try (Ferrite db = Ferrite.open(
            new EngineConfig().dataDir(first).partitionMaxItems(1000).fsyncPolicy(FsyncPolicy.EVERY_WRITE)))
        {
            assertEquals(padded("k1"), db.getItem("orders", key("k1")));
            copy(first, second); // the stores as the open left them
            db.putItem("orders", item("after")); // synced to the log before it returns
            // a power loss now: the log as synced, the store's page holding "after" not yet written back
            deleteTree(second.resolve("wal"));
            copy(first.resolve("wal"), second.resolve("wal"));
            Files.copy(first.resolve("checkpoint.bin"), second.resolve("checkpoint.bin"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        try (Ferrite db = Ferrite.open(new EngineConfig().dataDir(second).partitionMaxItems(1000)))
        {
            assertEquals(item("after"), db.getItem("orders", key("after")), "acknowledged after the first restart");
            assertEquals(padded("k1"), db.getItem("orders", key("k1")));
        }
    }

    private static void deleteTree(final Path directory) throws IOException
    {
        try (Stream<Path> paths = Files.walk(directory))
        {
            for (final Path path : (Iterable<Path>)paths.sorted(java.util.Comparator.reverseOrder())::iterator)
            {
                Files.delete(path);
            }
        }
    }

    private static Map<String, AttributeValue> padded(final String pk)
    {
        return Map.of("pk", s(pk), "v", s("x".repeat(3000) + "|" + pk + "|"));
    }

    private static void zeroPageHolding(final Path wal, final byte[] needle) throws IOException
    {
        try (Stream<Path> files = Files.list(wal))
        {
            for (final Path file : (Iterable<Path>)files.filter(f -> f.toString().endsWith(".cq4"))::iterator)
            {
                final byte[] content = Files.readAllBytes(file);
                for (int i = 0; i <= content.length - needle.length; i++)
                {
                    if (java.util.Arrays.equals(content, i, i + needle.length, needle, 0, needle.length))
                    {
                        try (java.nio.channels.FileChannel channel =
                            java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE))
                        {
                            channel.write(java.nio.ByteBuffer.allocate(4096), i & ~4095L);
                        }
                        return;
                    }
                }
            }
        }
        throw new AssertionError("not found in " + wal);
    }

    /** The hash store's clean-close flag: the little-endian int at offset 12 of its header. */
    private static int cleanFlag(final Path store) throws IOException
    {
        final byte[] header = new byte[16];
        try (java.io.InputStream in = Files.newInputStream(store))
        {
            assertEquals(16, in.readNBytes(header, 0, 16));
        }
        return java.nio.ByteBuffer.wrap(header).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(12);
    }

    /**
     * Copies a data directory, open or not, but its lock: the files as a SIGKILL at this moment would leave them (the
     * mapped stores and log as the page cache holds them).
     */
    static void copy(final Path from, final Path to) throws IOException
    {
        try (Stream<Path> files = Files.walk(from))
        {
            for (final Path path : (Iterable<Path>)files::iterator)
            {
                final Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path))
                {
                    Files.createDirectories(target);
                }
                else if (!path.getFileName().toString().equals("ferrite.lock"))
                {
                    Files.copy(path, target);
                }
            }
        }
    }
}
