package io.ferrite.engine.shard;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.api.Ferrite;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.store.StoreFullException;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.engine.wal.FsyncPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A partition's bounds (items, and bytes of items and keys) are decided from its content before the store is asked,
 * so replicas with the same items refuse the same writes; a store full only because its arena is fragmented is
 * answered on an embedded shard and thrown on a replica.
 */
class PartitionBoundsTest
{
    @TempDir
    Path dir;

    private static Map<String, AttributeValue> item(final String pk, final int padBytes)
    {
        return Map.of("pk", s(pk), "pad", s("x".repeat(padBytes)));
    }

    @Test
    void aPartitionRefusesWritesPastItsByteBoundNamingTheRuleAndTheNumbers()
    {
        try (Ferrite db = Ferrite.open(new EngineConfig().dataDir(dir).partitionMaxItems(1000).partitionMaxBytes(100_000)
            .fsyncPolicy(FsyncPolicy.NONE)))
        {
            db.createTable(TableSpec.of("bounded").partitionKey("pk", KeyType.S));
            int stored = 0;
            FerriteException full = null;
            while (null == full)
            {
                try
                {
                    db.putItem("bounded", item("k" + stored, 10_000));
                    stored++;
                }
                catch (final FerriteException ex)
                {
                    full = ex;
                }
            }
            assertEquals(9, stored, "nine items of ~10 KB and their keys fit 100,000 bytes, a tenth does not");
            assertEquals(ErrorCode.ItemCollectionSizeLimitExceededException, full.code());
            assertTrue(full.getMessage().contains("ferrite.engine.partitionMaxBytes=100000") &&
                full.getMessage().contains("9 items"), full.getMessage());

            db.putItem("bounded", item("k0", 5_000)); // a replace that shrinks the partition
            db.putItem("bounded", item("k9", 4_000)); // which leaves room for a small new item
            final FerriteException grown = assertThrows(FerriteException.class, () -> db.updateItem("bounded",
                Map.of("pk", s("k1")), Map.of("pad", s("y".repeat(30_000))), java.util.List.of(), null, ReturnValues.NONE));
            assertEquals(ErrorCode.ItemCollectionSizeLimitExceededException, grown.code(), grown.getMessage());
            db.deleteItem("bounded", Map.of("pk", s("k2")));
            db.putItem("bounded", item("k2", 10_000)); // a delete made room
            assertEquals(10, db.describeTable("bounded").itemCount());
        }
    }

    @Test
    void aStoreFragmentedWithinTheBoundsIsAnsweredWhenEmbeddedAndThrownOnAReplica()
    {
        final FerriteException answered = assertThrows(FerriteException.class, () -> fragment(dir.resolve("embedded"), false));
        assertEquals(ErrorCode.ItemCollectionSizeLimitExceededException, answered.code());
        assertTrue(answered.getMessage().contains("fragmented"), answered.getMessage());

        final StoreFullException thrown = assertThrows(StoreFullException.class, () -> fragment(dir.resolve("replica"), true));
        assertTrue(thrown.getMessage().contains("store full"), thrown.getMessage());
    }

    /**
     * Fills a partition with items of one size, deletes every other one (holes that nothing larger fits, between live
     * items, so they never merge) and puts larger items, within the partition's byte bound, until the store's arena
     * runs out.
     */
    private static void fragment(final Path dataDir, final boolean replica)
    {
        final int count = 20_000;
        try (Ferrite db = Ferrite.open(new EngineConfig().dataDir(dataDir).partitionMaxItems(count).averageItemBytes(256)
            .fsyncPolicy(FsyncPolicy.NONE).replica(replica)))
        {
            db.createTable(TableSpec.of("fragments").partitionKey("pk", KeyType.S));
            for (int i = 0; i < count; i++)
            {
                db.putItem("fragments", item("a" + i, 300));
            }
            for (int i = 0; i < count; i += 2)
            {
                db.deleteItem("fragments", Map.of("pk", s("a" + i)));
            }
            final long bound = db.shard().config().partitionMaxBytes();
            for (int i = 0; i < count / 2; i++)
            {
                final String key = "b" + i;
                try
                {
                    db.putItem("fragments", item(key, 450));
                }
                catch (final FerriteException | StoreFullException ex)
                {
                    assertNull(db.getItem("fragments", Map.of("pk", s(key))), "a refused put changes nothing");
                    assertNotNull(db.getItem("fragments", Map.of("pk", s("a1"))));
                    throw ex;
                }
            }
            throw new AssertionError("the arena never ran out within the bound of " + bound + " bytes");
        }
    }
}
