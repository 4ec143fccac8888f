package io.ferrite.engine.shard;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.api.Ferrite;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.store.StoreMemory;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.engine.wal.FsyncPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replay used to skip every put the store refused, on the assumption that it was refused when first written too and
 * that the correction logged after such a refusal follows it. A put refused when written is indeed followed by its
 * correction and was answered with an error; but the store that replay starts from is not the writer's (after a power
 * loss its pages are each as of the checkpoint or later, and replay places blocks in another order), so it can refuse
 * a put the writer's store took and acknowledged, and skipping that put, its key's last write, lost it.
 */
class PutsTheStoreRefusesAtReplayTest
{
    private static final int PAD = 20_000;

    @TempDir
    Path dataDir;

    @TempDir
    Path image;

    private static Map<String, AttributeValue> item(final String pk, final String pad)
    {
        return Map.of("pk", s(pk), "pad", s(pad));
    }

    private static Map<String, AttributeValue> key(final String pk)
    {
        return Map.of("pk", s(pk));
    }

    /**
     * After a checkpoint of an empty table: items x fill the partition to its byte bound, the last x is deleted,
     * k takes its room, every x is deleted and items g fill the partition again (in the x's blocks). A power loss
     * then keeps every page but one of k's block (writeback has no order; the log was synced, {@code every_write}).
     * At the open k's slot fails verification; replay puts the x's back over the g's, runs out of arena, refuses the
     * last x (so deleting it frees nothing) and then k: its last write, acknowledged, was skipped.
     */
    @Test
    void anAcknowledgedPutTheStoreRefusesAtReplayAfterAPowerLossIsApplied() throws IOException
    {
        // mapped: the kernel may write a mapped store's pages back at any time, so the image can hold every write
        // made since the checkpoint; a store in its own memory writes them only at a checkpoint (one that began
        // after them and was cut short would leave such an image too)
        final EngineConfig config = new EngineConfig().dataDir(dataDir).partitionMaxItems(1000)
            .partitionMaxBytes(2_000_000).fsyncPolicy(FsyncPolicy.EVERY_WRITE).storeMemory(StoreMemory.MAPPED);
        final String kPad = "k-block-marker|" + "k".repeat(PAD - 15);
        final Map<String, Map<String, AttributeValue>> acknowledged = new HashMap<>();
        try (Ferrite db = Ferrite.open(config))
        {
            db.createTable(TableSpec.of("items").partitionKey("pk", KeyType.S));
            db.shard().checkpoint();
            final int xs = fill(db, "x", 'x');
            db.deleteItem("items", key("x" + (xs - 1)));
            db.putItem("items", item("k", kPad));
            acknowledged.put("k", item("k", kPad));
            for (int i = 0; i < xs - 1; i++)
            {
                db.deleteItem("items", key("x" + i));
            }
            final int gs = fill(db, "g", 'g');
            for (int i = 0; i < gs; i++)
            {
                acknowledged.put("g" + i, item("g" + i, "g".repeat(PAD)));
            }
            DurabilityFailureTest.copy(dataDir, image); // what reached the disk: everything, the log synced
        }
        zeroAPageInside(image.resolve("stores").resolve("t1-p0.store"), "k-block-marker|");

        try (Ferrite reopened = Ferrite.open(config.copy().dataDir(image)))
        {
            assertTrue(reopened.shard().recoveryReport().recordsSkipped() > 0,
                "the store refused puts at replay: " + reopened.shard().recoveryReport());
            for (final Map.Entry<String, Map<String, AttributeValue>> entry : acknowledged.entrySet())
            {
                assertEquals(entry.getValue(), reopened.getItem("items", key(entry.getKey())),
                    "acknowledged and synced: " + entry.getKey());
            }
            assertNull(reopened.getItem("items", key("x0")), "deleted");
            assertEquals(acknowledged.size(), reopened.describeTable("items").itemCount());
        }
    }

    /**
     * A put refused when written (its store fragmented) was answered with an error and followed in the log by a
     * correction; a restart after a crash replays the log to exactly what was acknowledged.
     */
    @Test
    void aPutRefusedWhenWrittenIsNotReplayedAndARestartServesWhatWasAcknowledged() throws IOException
    {
        final int count = 20_000;
        final EngineConfig config = new EngineConfig().dataDir(dataDir).partitionMaxItems(count).averageItemBytes(256)
            .fsyncPolicy(FsyncPolicy.NONE);
        final Map<String, Map<String, AttributeValue>> acknowledged = new HashMap<>();
        String refused = null;
        try (Ferrite db = Ferrite.open(config))
        {
            db.createTable(TableSpec.of("items").partitionKey("pk", KeyType.S));
            db.shard().checkpoint();
            for (int i = 0; i < count; i++)
            {
                db.putItem("items", item("a" + i, "a".repeat(300)));
                acknowledged.put("a" + i, item("a" + i, "a".repeat(300)));
            }
            for (int i = 0; i < count; i += 2)
            {
                db.deleteItem("items", key("a" + i));
                acknowledged.remove("a" + i);
            }
            db.putItem("items", item("a1", "replaced before the refusal"));
            acknowledged.put("a1", item("a1", "replaced before the refusal"));
            for (int i = 0; null == refused; i++)
            {
                try
                {
                    db.putItem("items", item("b" + i, "b".repeat(450)));
                    acknowledged.put("b" + i, item("b" + i, "b".repeat(450)));
                }
                catch (final FerriteException ex)
                {
                    assertEquals(ErrorCode.ItemCollectionSizeLimitExceededException, ex.code(), ex.getMessage());
                    assertTrue(ex.getMessage().contains("fragmented"), ex.getMessage());
                    refused = "b" + i;
                }
            }
            final String refusedKey = refused;
            // a refused replace of an existing key: its correction restores the old item
            final FerriteException replace = assertThrows(FerriteException.class,
                () -> db.putItem("items", item("a1", "z".repeat(2000))));
            assertEquals(ErrorCode.ItemCollectionSizeLimitExceededException, replace.code(), replace.getMessage());
            db.putItem("items", item("after", "written after the refusals"));
            acknowledged.put("after", item("after", "written after the refusals"));
            assertNull(db.getItem("items", key(refusedKey)));
            DurabilityFailureTest.copy(dataDir, image); // a SIGKILL now
        }

        try (Ferrite reopened = Ferrite.open(config.copy().dataDir(image)))
        {
            assertNull(reopened.getItem("items", key(refused)), "answered with an error, and not replayed");
            for (final Map.Entry<String, Map<String, AttributeValue>> entry : acknowledged.entrySet())
            {
                assertEquals(entry.getValue(), reopened.getItem("items", key(entry.getKey())), entry.getKey());
            }
            assertEquals(acknowledged.size(), reopened.describeTable("items").itemCount());
        }
    }

    /** Puts items of one size until the partition's byte bound refuses the next: returns how many it took. */
    private static int fill(final Ferrite db, final String prefix, final char padding)
    {
        for (int i = 0; ; i++)
        {
            try
            {
                db.putItem("items", item(prefix + i, String.valueOf(padding).repeat(PAD)));
            }
            catch (final FerriteException ex)
            {
                assertEquals(ErrorCode.ItemCollectionSizeLimitExceededException, ex.code(), ex.getMessage());
                assertTrue(ex.getMessage().contains("partitionMaxBytes"), ex.getMessage());
                return i;
            }
        }
    }

    /** Zeroes a whole 4 KiB page of the file that lies after {@code marker}, inside the block that holds it. */
    private static void zeroAPageInside(final Path file, final String marker) throws IOException
    {
        final byte[] content = Files.readAllBytes(file);
        final byte[] needle = marker.getBytes(StandardCharsets.US_ASCII);
        int at = -1;
        for (int i = 0; i <= content.length - needle.length && at < 0; i++)
        {
            if (java.util.Arrays.equals(content, i, i + needle.length, needle, 0, needle.length))
            {
                at = i;
            }
        }
        assertTrue(at >= 0, "marker not found in " + file);
        final long page = (at / 4096L + 1) * 4096L;
        assertTrue(page + 4096 <= at + PAD - 100, "the page lies inside the block");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.allocate(4096), page);
        }
    }
}
