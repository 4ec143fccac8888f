package io.ferrite.engine.queued;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.expr.ConditionExpression;
import io.ferrite.engine.expr.ExpressionCompiler;
import io.ferrite.engine.expr.ProjectionExpression;
import io.ferrite.engine.shard.QueryRequest;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Query submitted through a {@link ShardClient} whose {@link QueryRequest} carries a FilterExpression or a
 * ProjectionExpression is refused at submit with an IllegalArgumentException: compiled expressions are objects and
 * the command ring carries bytes, so the agent cannot apply them. Before, the submit was accepted and the page came
 * back unfiltered and unprojected, as if every item had matched: an order book query for open orders returned the
 * filled ones too, without a word.
 */
class AQueryWithAFilterOrProjectionIsRefusedNotRunWithoutTest
{
    @TempDir
    Path dir;

    @Test
    void aFilterOrAProjectionIsRefusedAtSubmit() throws Exception
    {
        try (QueuedShard queued = QueuedShard.start(new EngineConfig().dataDir(dir)))
        {
            queued.createTable(TableSpec.of("items").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N))
                .get(30, TimeUnit.SECONDS);
            final ShardClient client = queued.newClient();
            final int table = client.tableId("items");
            final ExpressionCompiler compiler = new ExpressionCompiler();
            final ConditionExpression open =
                compiler.filter("v = :open", null, Map.of(":open", AttributeValue.s("OPEN")));
            final ProjectionExpression keysOnly = compiler.projection("pk, sk", null);

            final QueryRequest filtered = new QueryRequest();
            filtered.partitionKey().string("pk");
            filtered.filter(open);
            final IllegalArgumentException filter =
                assertThrows(IllegalArgumentException.class, () -> client.query(1, table, filtered));
            assertTrue(filter.getMessage().contains("FilterExpression"), filter.getMessage());

            final QueryRequest projected = new QueryRequest();
            projected.partitionKey().string("pk");
            projected.projection(keysOnly);
            final IllegalArgumentException projection =
                assertThrows(IllegalArgumentException.class, () -> client.query(2, table, projected));
            assertTrue(projection.getMessage().contains("ProjectionExpression"), projection.getMessage());
            assertEquals(0, client.inFlight(), "nothing was submitted");
        }
    }
}
