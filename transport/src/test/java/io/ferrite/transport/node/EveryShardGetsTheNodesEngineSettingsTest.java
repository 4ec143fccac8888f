package io.ferrite.transport.node;

import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.config.Settings;
import io.ferrite.engine.store.StoreKind;
import io.ferrite.engine.wal.PretouchReadAhead;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A node's shards take every {@code ferrite.engine.*} setting the node was given, with a data directory of their own.
 * The store kind and the WAL pretouch settings were printed at start but not passed on: every shard ran the hash store
 * with the default pretouch whatever was set.
 */
class EveryShardGetsTheNodesEngineSettingsTest
{
    @Test
    void storeKindAndPretouchSettingsReachEveryShard()
    {
        final NodeConfig node = NodeConfig.from(Settings.fromSystemProperties()
            .set("ferrite.node.dataDir", "/tmp/node-data")
            .set("ferrite.engine.store", "chronicle")
            .set("ferrite.engine.walPretouchAheadBytes", "0")
            .set("ferrite.engine.walPretouchReadAhead", "on")
            .set("ferrite.engine.partitionMaxItems", "5000"));
        for (int shard = 0; shard < 2; shard++)
        {
            final EngineConfig engine = node.engineConfigFor(shard);
            assertEquals(StoreKind.CHRONICLE, engine.storeKind());
            assertEquals(0, engine.walPretouchAheadBytes());
            assertEquals(PretouchReadAhead.ON, engine.walPretouchReadAhead());
            assertEquals(5_000, engine.partitionMaxItems());
            assertEquals(Path.of("/tmp/node-data", "shard-" + shard), engine.dataDir());
        }
    }
}
