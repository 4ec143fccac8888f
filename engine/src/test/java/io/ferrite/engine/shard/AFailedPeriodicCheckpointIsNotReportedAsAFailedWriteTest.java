package io.ferrite.engine.shard;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.api.Ferrite;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Ferrite}'s writes run the duty cycle, which finishes periodic checkpoints and throws (once) when one failed.
 * A write that reports that failure has not been applied: the duty cycle runs before the write. Before, it ran after:
 * a PutItem was logged and applied and then threw InternalServerError ("A checkpoint failed ..."), so the application
 * saw a failed write that had happened, and a retry of a non-idempotent update (an ADD) would have applied it twice.
 */
class AFailedPeriodicCheckpointIsNotReportedAsAFailedWriteTest
{
    @TempDir
    Path dir;

    @Test
    void theWriteThatMeetsTheFailureIsNotApplied()
    {
        final Ferrite db = Ferrite.open(new EngineConfig().dataDir(dir).checkpointIntervalRecords(1));
        try
        {
            db.createTable(TableSpec.of("orders").partitionKey("pk", KeyType.S));
            db.shard().checkpointer().nextFailure = new IllegalStateException("injected store sync failure");
            FerriteException failed = null;
            String refused = null;
            for (int i = 0; i < 5 && null == failed; i++)
            {
                // a write's duty cycle starts a periodic checkpoint (which fails); a later one finds the failure
                db.shard().checkpointer().await();
                try
                {
                    db.putItem("orders", item("order-" + i));
                }
                catch (final FerriteException ex)
                {
                    failed = ex;
                    refused = "order-" + i;
                }
            }
            assertTrue(null != failed, "a write reported the failed checkpoint");
            assertEquals(ErrorCode.InternalServerError, failed.code());
            assertTrue(failed.getMessage().contains("injected store sync failure"), failed.getMessage());
            assertNull(db.getItem("orders", Map.of("pk", s(refused))),
                "the write whose call threw was not applied: the failure it reported was the checkpoint's");

            db.putItem("orders", item(refused)); // writes go on: a failed checkpoint stops checkpoints, not writes
            assertEquals(item(refused), db.getItem("orders", Map.of("pk", s(refused))));
        }
        finally
        {
            assertThrows(FerriteException.class, db::close, "close's checkpoint is not retried");
        }
    }

    private static Map<String, AttributeValue> item(final String pk)
    {
        return Map.of("pk", s(pk), "v", s("value of " + pk));
    }
}
