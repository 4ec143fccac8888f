package io.ferrite.engine.shard;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.engine.api.Ferrite;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.engine.wal.FsyncPolicy;

import java.nio.file.Path;
import java.util.Map;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;

/**
 * Child JVM of {@link PeriodicCheckpointTest}: opens the engine with a checkpoint every
 * {@value #CHECKPOINT_INTERVAL_RECORDS} records (completed on the checkpoint thread) and puts items {@code id = n},
 * {@code v = n * 7} forever, printing {@code ACK n} after each put returns, until it is killed.
 * Arguments: dataDir.
 */
public final class PeriodicCheckpointChild
{
    static final int CHECKPOINT_INTERVAL_RECORDS = 200;

    private PeriodicCheckpointChild()
    {
    }

    static EngineConfig config(final Path dataDir)
    {
        return new EngineConfig().dataDir(dataDir).fsyncPolicy(FsyncPolicy.BATCH).partitionMaxItems(200_000)
            .averageItemBytes(64).averageKeyBytes(16).checkpointIntervalRecords(CHECKPOINT_INTERVAL_RECORDS);
    }

    /**
     * @param args dataDir.
     */
    public static void main(final String[] args)
    {
        try (Ferrite db = Ferrite.open(config(Path.of(args[0]))))
        {
            if (db.listTables().isEmpty())
            {
                db.createTable(TableSpec.of("ttt").partitionKey("id", KeyType.N));
            }
            System.out.println("OPEN " + db.recoveryReport().items());
            System.out.flush();
            for (long n = db.recoveryReport().items(); ; n++)
            {
                final Map<String, AttributeValue> item = Map.of("id", n(Long.toString(n)), "v", s(Long.toString(n * 7)));
                db.putItem("ttt", item);
                System.out.println("ACK " + n);
                System.out.flush();
            }
        }
    }
}
