package io.ferrite.engine.queued;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.shard.QueryRequest;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests the shard refuses (unknown table, an item over 400 KB, a key with extra attributes, a query
 * with a bad condition, a deleted table) complete with DynamoDB's error code and a message naming the
 * problem, interleaved with good requests that succeed; the loop never dies.
 */
class BadRequestsCompleteWithErrorsWhileOthersProceedTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    Path dir;

    @Test
    void errorCompletionsCarryCodeAndMessageAndGoodRequestsProceed() throws Exception
    {
        try (QueuedShard queued = QueuedShard.start(new EngineConfig().dataDir(dir)))
        {
            queued.createTable(TableSpec.of("items").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N))
                .get(30, TimeUnit.SECONDS);
            final ShardClient client = queued.newClient();
            final int table = client.tableId("items");
            final int missing = client.tableId("no_such_table");
            final TestItems items = new TestItems();
            final UnsafeBuffer good = new UnsafeBuffer(new byte[1024]);
            final UnsafeBuffer key = new UnsafeBuffer(new byte[1024]);
            final UnsafeBuffer huge = new UnsafeBuffer(new byte[500 * 1024]);
            final int hugeLength = new ItemWriter().string("pk", "big").number("sk", 1)
                .string("v", "x".repeat(401 * 1024)).finish(huge, 0);

            final int goodLength = items.item(good, "a", 1, "one");
            final int keyWithExtraLength = items.item(key, "a", 1, "extra attribute");
            final QueryRequest badQuery = new QueryRequest().reset();
            badQuery.partitionKey().number("1");

            assertTrue(client.putItem(0, missing, good, 0, goodLength));
            assertTrue(client.putItem(1, table, good, 0, goodLength));
            assertTrue(client.putItem(2, table, huge, 0, hugeLength));
            assertTrue(client.getItem(3, table, key, 0, keyWithExtraLength));
            assertTrue(client.query(4, table, badQuery));
            assertTrue(client.getItem(5, missing, key, 0, items.key(key, "a", 1)));
            assertTrue(client.getItem(6, table, key, 0, items.key(key, "a", 1)));
            assertTrue(client.deleteItem(7, table, key, 0, items.key(key, "a", 1), ReturnValues.ALL_OLD));

            final Completions completions = new Completions(8, null);
            while (client.inFlight() > 0)
            {
                if (0 == client.poll(completions))
                {
                    Thread.yield();
                }
            }
            completions.assertEachExactlyOnce(8);

            assertError(completions, 0, ErrorCode.ResourceNotFoundException, "no_such_table");
            assertSame(ErrorCode.OK, completions.codes[1]);
            assertError(completions, 2, ErrorCode.ValidationException, "Item size has exceeded");
            assertError(completions, 3, ErrorCode.ValidationException, "");
            assertError(completions, 4, ErrorCode.ValidationException, "type does not match");
            assertError(completions, 5, ErrorCode.ResourceNotFoundException, "no_such_table");
            assertSame(ErrorCode.OK, completions.codes[6]);
            assertSame(ErrorCode.OK, completions.codes[7]);

            // a deleted table fails its cached handle; created again, the same id works again
            queued.deleteTable("items").get(30, TimeUnit.SECONDS);
            final FerriteException gone = assertThrows(FerriteException.class,
                () -> client.putItemBlocking(table, good, 0, goodLength, TIMEOUT_NS));
            assertEquals(ErrorCode.ResourceNotFoundException, gone.code());
            queued.createTable(TableSpec.of("items").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N))
                .get(30, TimeUnit.SECONDS);
            client.putItemBlocking(table, good, 0, goodLength, TIMEOUT_NS);
            assertTrue(null != client.getItemBlocking(table, key, 0, items.key(key, "a", 1), TIMEOUT_NS));

            // tasks fail through their future, and the loop goes on
            final ExecutionException duplicate = assertThrows(ExecutionException.class, () -> queued.createTable(
                TableSpec.of("items").partitionKey("pk", KeyType.S)).get(30, TimeUnit.SECONDS));
            assertInstanceOf(FerriteException.class, duplicate.getCause());
            assertEquals(ErrorCode.ResourceInUseException, ((FerriteException)duplicate.getCause()).code());
            final ExecutionException unexpected = assertThrows(ExecutionException.class, () -> queued.execute(shard ->
            {
                throw new IllegalStateException("boom");
            }).get(30, TimeUnit.SECONDS));
            assertEquals("boom", unexpected.getCause().getMessage());
            assertEquals(1, queued.listTables().get(30, TimeUnit.SECONDS).size());
            client.close();
        }
    }

    private static void assertError(
        final Completions completions, final int id, final ErrorCode code, final String messagePart)
    {
        assertSame(code, completions.codes[id], "correlation id " + id + ": " + completions.messages[id]);
        assertTrue(completions.messages[id].contains(messagePart),
            "message of " + id + " names the problem: " + completions.messages[id]);
    }
}
