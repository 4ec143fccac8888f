package io.ferrite.engine.shard;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.config.Settings;
import io.ferrite.engine.store.StoreMemory;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.engine.wal.FsyncPolicy;
import org.agrona.concurrent.OffsetEpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A write through the engine's memory-mapped files into a full file system raises SIGBUS, which killed the shard's
 * thread (found filling a 48 MB tmpfs through `ferrite server`: every request then timed out). Below
 * {@code ferrite.engine.minFreeDiskBytes} the shard refuses writes with an error that names the setting and serves
 * reads; it takes writes again once space is freed, and does not open (recovery writes) below the margin. Likewise
 * below {@code ferrite.engine.minAvailableMemoryBytes} of available memory while the stores live in the process's own
 * memory (where running out has the kernel kill the process), and not for mapped stores.
 */
class RunningShortRefusesWritesAndServesReadsTest
{
    private static final long MIN_FREE = 64L << 20;
    private static final long PLENTY = 8L << 30;
    private static final long SHORT = 10L << 20;

    @TempDir
    Path dir;

    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);

    @Test
    void writesAreRefusedBelowTheMarginReadsGoOnAndWritesResumeWhenSpaceIsFreed() throws Exception
    {
        final AtomicLong usable = new AtomicLong(PLENTY);
        final EngineConfig config = new EngineConfig().dataDir(dir).fsyncPolicy(FsyncPolicy.NONE)
            .partitionMaxItems(1000).minFreeDiskBytes(MIN_FREE);
        try (Shard shard = Shard.open(config, new OffsetEpochNanoClock(), usable::get))
        {
            shard.createTable(TableSpec.of("tab").partitionKey("pk", KeyType.S));
            final Table table = shard.table("tab");
            put(shard, table, "a", "1");

            usable.set(SHORT);
            final FerriteException refused = awaitRefusal(() -> put(shard, table, "b", "2"));
            assertEquals(ErrorCode.InternalServerError, refused.code());
            assertTrue(refused.getMessage().contains("ferrite.engine.minFreeDiskBytes (" + MIN_FREE + ")") &&
                refused.getMessage().contains(SHORT + " bytes usable") && refused.getMessage().contains(dir.toString()),
                refused.getMessage());

            assertEquals(Map.of("pk", s("a"), "v", s("1")), get(shard, table, "a"), "reads go on");
            assertRefused(() -> put(shard, table, "c", "3"));
            assertEquals(null, get(shard, table, "c"), "the refused put wrote nothing");
            assertRefused(() -> delete(shard, table, "a"));
            final byte[] set = ItemCodec.encode(Map.of("v", s("3")));
            final AttributeUpdates update = new AttributeUpdates().wrap(new UnsafeBuffer(set), 0, set.length, null, 0, 0);
            assertRefused(() -> shard.updateItem(table, wrap(Map.of("pk", s("a"))), 0, view.capacity(), update, null,
                ReturnValues.NONE, null));
            assertRefused(() -> shard.batchWriteItem(Map.of("tab", List.of(
                WriteRequest.put(ItemCodec.encode(Map.of("pk", s("c"), "v", s("4"))))))));
            assertRefused(() -> shard.createTable(TableSpec.of("other").partitionKey("pk", KeyType.S)));
            assertEquals(Map.of("pk", s("a"), "v", s("1")), get(shard, table, "a"), "nothing refused changed it");

            usable.set(PLENTY);
            awaitAccepted(() -> put(shard, table, "b", "2"));
            assertEquals(Map.of("pk", s("b"), "v", s("2")), get(shard, table, "b"));
            assertEquals(null, get(shard, table, "c"));
        }

        final IllegalStateException notOpened = assertThrows(IllegalStateException.class,
            () -> Shard.open(config, new OffsetEpochNanoClock(), () -> SHORT).close());
        assertTrue(notOpened.getMessage().contains("cannot open " + dir) &&
            notOpened.getMessage().contains("ferrite.engine.minFreeDiskBytes"), notOpened.getMessage());

        try (Shard shard = Shard.open(config, new OffsetEpochNanoClock(), () -> PLENTY))
        {
            final Table table = shard.table("tab");
            assertEquals(Map.of("pk", s("a"), "v", s("1")), get(shard, table, "a"));
            assertEquals(Map.of("pk", s("b"), "v", s("2")), get(shard, table, "b"));
        }
    }

    @Test
    void zeroTurnsTheCheckOff()
    {
        final EngineConfig config = new EngineConfig().dataDir(dir).fsyncPolicy(FsyncPolicy.NONE)
            .partitionMaxItems(1000).minFreeDiskBytes(0);
        try (Shard shard = Shard.open(config, new OffsetEpochNanoClock(), () -> 0L))
        {
            shard.createTable(TableSpec.of("tab").partitionKey("pk", KeyType.S));
            put(shard, shard.table("tab"), "a", "1");
            assertEquals(Map.of("pk", s("a"), "v", s("1")), get(shard, shard.table("tab"), "a"));
        }
    }

    @Test
    void writesAreRefusedWhileMemoryIsShortForStoresInTheProcesssMemoryAndResumeWhenFreed() throws Exception
    {
        final AtomicLong available = new AtomicLong(PLENTY);
        final EngineConfig config = new EngineConfig().dataDir(dir).fsyncPolicy(FsyncPolicy.NONE)
            .partitionMaxItems(1000).minAvailableMemoryBytes(MIN_FREE);
        try (Shard shard = Shard.openWithMemory(config, new OffsetEpochNanoClock(), available::get))
        {
            shard.createTable(TableSpec.of("tab").partitionKey("pk", KeyType.S));
            final Table table = shard.table("tab");
            put(shard, table, "a", "1");

            available.set(SHORT);
            final FerriteException refused = awaitRefusal(() -> put(shard, table, "b", "2"));
            assertEquals(ErrorCode.InternalServerError, refused.code());
            assertTrue(refused.getMessage().contains("ferrite.engine.minAvailableMemoryBytes (" + MIN_FREE + ")") &&
                refused.getMessage().contains(SHORT + " bytes of memory available (MemAvailable)") &&
                refused.getMessage().contains("ferrite.engine.storeMemory=mapped"), refused.getMessage());
            assertEquals(Map.of("pk", s("a"), "v", s("1")), get(shard, table, "a"), "reads go on");
            assertRefused(() -> put(shard, table, "c", "3"));
            assertEquals(null, get(shard, table, "c"), "the refused put wrote nothing");
            assertRefused(() -> shard.batchWriteItem(Map.of("tab", List.of(
                WriteRequest.put(ItemCodec.encode(Map.of("pk", s("c"), "v", s("4"))))))));

            available.set(PLENTY);
            awaitAccepted(() -> put(shard, table, "b", "2"));
            assertEquals(Map.of("pk", s("b"), "v", s("2")), get(shard, table, "b"));
            assertEquals(null, get(shard, table, "c"));
        }
        // short of memory at open: the shard opens (recovery's own load refuses a store that does not fit)
        try (Shard shard = Shard.openWithMemory(config, new OffsetEpochNanoClock(), () -> SHORT))
        {
            assertEquals(Map.of("pk", s("a"), "v", s("1")), get(shard, shard.table("tab"), "a"));
            assertRefused(() -> put(shard, shard.table("tab"), "d", "5"));
        }
    }

    @Test
    void mappedStoresAndAZeroMarginAreNotGuardedByMemory()
    {
        final EngineConfig mapped = new EngineConfig().dataDir(dir.resolve("mapped")).fsyncPolicy(FsyncPolicy.NONE)
            .partitionMaxItems(1000).minAvailableMemoryBytes(MIN_FREE).storeMemory(StoreMemory.MAPPED);
        final EngineConfig off = new EngineConfig().dataDir(dir.resolve("off")).fsyncPolicy(FsyncPolicy.NONE)
            .partitionMaxItems(1000).minAvailableMemoryBytes(0);
        for (final EngineConfig config : List.of(mapped, off))
        {
            try (Shard shard = Shard.openWithMemory(config, new OffsetEpochNanoClock(), () -> 0L))
            {
                shard.createTable(TableSpec.of("tab").partitionKey("pk", KeyType.S));
                put(shard, shard.table("tab"), "a", "1");
                assertEquals(Map.of("pk", s("a"), "v", s("1")), get(shard, shard.table("tab"), "a"), config.toString());
            }
        }
    }

    @Test
    void theMemoryMarginIsASettingAndNeverNegative()
    {
        final String key = EngineConfig.PREFIX + "minAvailableMemoryBytes";
        assertEquals(EngineConfig.DEFAULT_MIN_AVAILABLE_MEMORY_BYTES, new EngineConfig().minAvailableMemoryBytes());
        assertEquals(512L << 20,
            EngineConfig.from(Settings.fromSystemProperties().set(key, "512m")).minAvailableMemoryBytes());
        final IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
            () -> new EngineConfig().minAvailableMemoryBytes(-1));
        assertTrue(negative.getMessage().contains(key), negative.getMessage());
    }

    @Test
    void theNextSampleComesBeforeHalfTheHeadroomCouldBeWrittenAtOneGibPerSecond()
    {
        assertEquals(HeadroomGuard.MIN_INTERVAL_MS, HeadroomGuard.intervalMs(SHORT, MIN_FREE), "under the margin");
        assertEquals(HeadroomGuard.MIN_INTERVAL_MS, HeadroomGuard.intervalMs(MIN_FREE + (50L << 20), MIN_FREE));
        assertEquals(250, HeadroomGuard.intervalMs(MIN_FREE + (500L << 20), MIN_FREE), "500 MiB above: 250 ms");
        assertEquals(HeadroomGuard.MAX_INTERVAL_MS, HeadroomGuard.intervalMs(PLENTY, MIN_FREE), "far above");
    }

    private UnsafeBuffer wrap(final Map<String, AttributeValue> item)
    {
        view.wrap(ItemCodec.encode(item));
        return view;
    }

    private void put(final Shard shard, final Table table, final String pk, final String v)
    {
        wrap(Map.of("pk", s(pk), "v", s(v)));
        shard.putItem(table, view, 0, view.capacity(), null, ReturnValues.NONE, null);
    }

    private void delete(final Shard shard, final Table table, final String pk)
    {
        wrap(Map.of("pk", s(pk)));
        shard.deleteItem(table, view, 0, view.capacity(), null, ReturnValues.NONE, null);
    }

    private Map<String, AttributeValue> get(final Shard shard, final Table table, final String pk)
    {
        final AtomicReference<Map<String, AttributeValue>> found = new AtomicReference<>();
        wrap(Map.of("pk", s(pk)));
        shard.getItem(table, view, 0, view.capacity(), (buffer, offset, length) ->
            found.set(ItemCodec.decode(buffer, offset, length)));
        return found.get();
    }

    private static void assertRefused(final Runnable write)
    {
        final FerriteException ex = assertThrows(FerriteException.class, write::run);
        assertTrue(HeadroomGuard.isRefusal(ex), ex.getMessage());
    }

    /** The guard samples on its own thread: the first write after the next sample is refused. */
    private static FerriteException awaitRefusal(final Runnable write) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true)
        {
            try
            {
                write.run();
            }
            catch (final FerriteException ex)
            {
                return ex;
            }
            assertTrue(System.nanoTime() < deadline, "writes were still accepted 10 s after the space ran short");
            Thread.sleep(5);
        }
    }

    private static void awaitAccepted(final Runnable write) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true)
        {
            try
            {
                write.run();
                return;
            }
            catch (final FerriteException ex)
            {
                assertTrue(HeadroomGuard.isRefusal(ex), ex.getMessage());
                assertTrue(System.nanoTime() < deadline, "writes were still refused 10 s after space was freed");
            }
            Thread.sleep(5);
        }
    }
}
