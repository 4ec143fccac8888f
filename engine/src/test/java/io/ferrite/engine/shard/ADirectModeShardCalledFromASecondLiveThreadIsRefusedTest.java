package io.ferrite.engine.shard;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.engine.api.Ferrite;
import io.ferrite.engine.api.Query;
import io.ferrite.engine.api.ReturnValuesOnConditionCheckFailure;
import io.ferrite.engine.api.Scan;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.expr.ExpressionCompiler;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.agrona.concurrent.OffsetEpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A direct-mode shard belongs to one thread. A call from a second thread while that thread lives, a read as much as
 * a write or a table change, is refused with an IllegalStateException that names both threads, before it touches
 * anything: the shard's data and the owner's next calls are as if it had not been made. Before, nothing checked: a
 * monitoring thread's GetItem or a callback thread's Query ran against the partitions and scratch buffers the owner
 * was changing, and read torn or wrong bytes silently (only a write was refused, by the log's appender, and a
 * CreateTable, DeleteTable or close was not). Once the owner has ended, another thread takes the shard over; and
 * {@link Shard#releaseOwnership()} hands a shard prepared on one thread to the thread that runs its loop, Chronicle's
 * appender included, while the first lives.
 */
class ADirectModeShardCalledFromASecondLiveThreadIsRefusedTest
{
    private static final String MONITOR = "risk-monitor";

    @TempDir
    Path dir;

    private final ItemWriter writer = new ItemWriter();

    @Test
    void everyCallOfASecondLiveThreadIsRefusedAndChangesNothing() throws Exception
    {
        final Shard shard = Shard.open(new EngineConfig().dataDir(dir), new OffsetEpochNanoClock());
        try
        {
            shard.createTable(TableSpec.of("orders").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N));
            final Table orders = shard.table("orders");
            final UnsafeBuffer item = new UnsafeBuffer(new byte[512]);
            for (int i = 0; i < 3; i++)
            {
                final int length = writer.reset().string("pk", "order").number("sk", i).string("v", "o" + i)
                    .finish(item, 0);
                shard.putItem(orders, item, 0, length, null, ReturnValues.NONE, null);
            }
            final long sequence = shard.lastSequence();
            final int nextTableId = shard.nextTableId();

            // what the second thread passes: its own buffers, so that only the shard is shared
            final UnsafeBuffer key = new UnsafeBuffer(new byte[512]);
            final int keyLength = new ItemWriter().reset().string("pk", "order").number("sk", 1).finish(key, 0);
            final UnsafeBuffer newItem = new UnsafeBuffer(new byte[512]);
            final int newLength = new ItemWriter().reset().string("pk", "order").number("sk", 1)
                .string("v", "from the monitor").finish(newItem, 0);
            final byte[] set = ItemCodec.encode(Map.of("v", s("from the monitor")));
            final byte[] remove = ItemCodec.encode(Map.of());
            final AttributeUpdates update = new AttributeUpdates().wrap(
                new UnsafeBuffer(set), 0, set.length, new UnsafeBuffer(remove), 0, remove.length);
            final ItemProjection projection = new ExpressionCompiler().projection("v", null);
            final QueryRequest query = new QueryRequest();
            query.partitionKey().string("order");
            final ScanRequest scan = new ScanRequest();
            final byte[] keyBytes = new byte[keyLength];
            key.getBytes(0, keyBytes);
            final List<String> seen = new ArrayList<>();
            final ItemHandler handler = (buffer, offset, length) -> seen.add("an item of " + length + " bytes");

            final Map<String, Runnable> calls = new LinkedHashMap<>();
            calls.put("getItem", () -> shard.getItem(orders, key, 0, keyLength, handler));
            calls.put("getItem with a projection", () -> shard.getItem(orders, key, 0, keyLength, projection, handler));
            calls.put("query", () -> shard.query(orders, query, handler));
            calls.put("scan", () -> shard.scan(orders, scan, handler));
            calls.put("putItem", () -> shard.putItem(orders, newItem, 0, newLength, null, ReturnValues.NONE, null));
            calls.put("updateItem", () ->
                shard.updateItem(orders, key, 0, keyLength, update, null, ReturnValues.NONE, null));
            calls.put("deleteItem", () -> shard.deleteItem(orders, key, 0, keyLength, null, ReturnValues.NONE, null));
            calls.put("batchGetItem", () -> shard.batchGetItem(Map.of("orders", List.of(keyBytes))));
            calls.put("batchWriteItem", () ->
                shard.batchWriteItem(Map.of("orders", List.of(WriteRequest.delete(keyBytes)))));
            calls.put("createTable", () ->
                shard.createTable(TableSpec.of("monitor").partitionKey("pk", KeyType.S)));
            calls.put("describeTable", () -> shard.describeTable("orders"));
            calls.put("listTables", () -> shard.listTables(null, 100, new ArrayList<>()));
            calls.put("table", () -> shard.table("orders"));
            calls.put("nextTableId", shard::nextTableId);
            calls.put("restoreNextTableId", () -> shard.restoreNextTableId(nextTableId + 5));
            calls.put("lastReadChargeBytes", shard::lastReadChargeBytes);
            calls.put("lastWriteChargeBytes", shard::lastWriteChargeBytes);
            calls.put("doDutyCycle", () -> shard.doDutyCycle(System.nanoTime()));
            calls.put("checkpoint", shard::checkpoint);
            calls.put("deleteTable", () -> shard.deleteTable("orders"));
            calls.put("abandon", shard::abandon);
            calls.put("close", shard::close);

            assertEquals(List.of(), notRefused(calls, Thread.currentThread().getName()));
            assertEquals(List.of(), seen, "no handler was called on the second thread");

            // the owner's shard is as it was, and serves its next calls
            assertEquals(sequence, shard.lastSequence(), "nothing was logged");
            assertEquals(nextTableId, shard.nextTableId(), "no table id was taken or set");
            final List<String> tables = new ArrayList<>();
            shard.listTables(null, 100, tables);
            assertEquals(List.of("orders"), tables, "no table was created or deleted");
            final List<String> values = new ArrayList<>();
            final QueryRequest again = new QueryRequest();
            again.partitionKey().string("order");
            shard.query(orders, again,
                (buffer, offset, length) -> values.add(ItemCodec.decode(buffer, offset, length).get("v").asString()));
            assertEquals(List.of("o0", "o1", "o2"), values, "no item was changed or deleted");
            assertTrue(shard.putItem(orders, newItem, 0, newLength, null, ReturnValues.NONE, null), "the owner writes on");
            assertEquals("from the monitor", value(shard, orders, key, keyLength));
            assertEquals(sequence + 1, shard.lastSequence());
        }
        finally
        {
            shard.close();
        }
    }

    @Test
    void ferritesConvenientCallsOfASecondLiveThreadAreRefusedAndChangeNothing() throws Exception
    {
        try (Ferrite db = Ferrite.open(new EngineConfig().dataDir(dir)))
        {
            db.createTable(TableSpec.of("orders").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N));
            db.putItem("orders", Map.of("pk", s("order"), "sk", n(1), "v", s("o1")));
            final long sequence = db.shard().lastSequence();
            final Map<String, AttributeValue> key = Map.of("pk", s("order"), "sk", n(1));

            final Map<String, Runnable> calls = new LinkedHashMap<>();
            calls.put("getItem", () -> db.getItem("orders", key));
            calls.put("getItem with a projection", () -> db.getItem("orders", key, "v", null));
            calls.put("query", () -> db.query(Query.on("orders").partitionKey(s("order"))));
            calls.put("scan", () -> db.scan(Scan.on("orders")));
            calls.put("putItem", () -> db.putItem("orders", Map.of("pk", s("order"), "sk", n(1), "v", s("x"))));
            calls.put("updateItem", () -> db.updateItem("orders", key, "SET v = :v", null, null,
                Map.of(":v", s("x")), ReturnValues.NONE, ReturnValuesOnConditionCheckFailure.NONE));
            calls.put("deleteItem", () -> db.deleteItem("orders", key));
            calls.put("batchGetItem with a projection", () ->
                db.batchGetItem(Map.of("orders", List.of(key)), Map.of("orders", "v"), Map.of()));
            calls.put("batchWriteItem", () -> db.batchWriteItem(Map.of("orders", List.of(Ferrite.delete(key)))));
            calls.put("createTable", () -> db.createTable(TableSpec.of("monitor").partitionKey("pk", KeyType.S)));
            calls.put("describeTable", () -> db.describeTable("orders"));
            calls.put("listTables", db::listTables);
            calls.put("doDutyCycle", db::doDutyCycle);
            calls.put("deleteTable", () -> db.deleteTable("orders"));
            calls.put("close", db::close);

            assertEquals(List.of(), notRefused(calls, Thread.currentThread().getName()));
            assertEquals(sequence, db.shard().lastSequence(), "nothing was logged");
            assertEquals(List.of("orders"), db.listTables());
            assertEquals(s("o1"), db.getItem("orders", key).get("v"));
            assertEquals(0, db.expressions().cachedCount(), "the second thread compiled nothing into the owner's cache");
            db.putItem("orders", Map.of("pk", s("order"), "sk", n(1), "v", s("o1 amended")));
            assertEquals(s("o1 amended"), db.getItem("orders", key).get("v"), "the owner writes on");
        }
    }

    @Test
    void onceTheOwnerHasEndedAnotherThreadTakesTheShardOver() throws Exception
    {
        final AtomicReference<Ferrite> opened = new AtomicReference<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final CountDownLatch ready = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final Thread owner = new Thread(() ->
        {
            try
            {
                final Ferrite db = Ferrite.open(new EngineConfig().dataDir(dir));
                opened.set(db);
                db.createTable(TableSpec.of("orders").partitionKey("pk", KeyType.S));
                db.putItem("orders", Map.of("pk", s("a"), "v", s("from the owner")));
                ready.countDown();
                release.await();
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
                ready.countDown();
            }
        }, "order-entry");
        owner.start();
        assertTrue(ready.await(60, TimeUnit.SECONDS));
        assertNull(failure.get());
        final Ferrite db = opened.get();
        try
        {
            final IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> db.getItem("orders", Map.of("pk", s("a"))));
            assertNamesBoth(refused, "order-entry", Thread.currentThread().getName());

            release.countDown();
            owner.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(owner.isAlive());
            assertNull(failure.get());
            assertEquals(s("from the owner"), db.getItem("orders", Map.of("pk", s("a"))).get("v"),
                "the owner has ended: this thread takes the shard over");
            db.putItem("orders", Map.of("pk", s("b"), "v", s("from the new owner")));
            assertEquals(s("from the new owner"), db.getItem("orders", Map.of("pk", s("b"))).get("v"));
        }
        finally
        {
            release.countDown();
            db.close();
        }
    }

    @Test
    void aShardPreparedOnOneThreadIsHandedOverToItsLoopThread() throws Exception
    {
        final Shard shard = Shard.open(new EngineConfig().dataDir(dir), new OffsetEpochNanoClock());
        try
        {
            // prepared here, as a node prepares its shards before starting their loops
            final Table orders = ordersHolding(shard, "prepared");
            final UnsafeBuffer key = new UnsafeBuffer(new byte[512]);
            final int keyLength = writer.reset().string("pk", "a").finish(key, 0);

            final AtomicReference<Throwable> refusedRelease = new AtomicReference<>();
            final Thread other = new Thread(() ->
            {
                try
                {
                    shard.releaseOwnership();
                }
                catch (final Throwable ex)
                {
                    refusedRelease.set(ex);
                }
            }, MONITOR);
            other.start();
            other.join(TimeUnit.SECONDS.toMillis(30));
            assertTrue(refusedRelease.get() instanceof IllegalStateException, "only the owner hands its shard over: " +
                refusedRelease.get());

            shard.releaseOwnership();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final List<String> loopSaw = new ArrayList<>();
            final CountDownLatch served = new CountDownLatch(1);
            final CountDownLatch stop = new CountDownLatch(1);
            final Thread loop = new Thread(() ->
            {
                try
                {
                    final ItemWriter loopWriter = new ItemWriter();
                    final UnsafeBuffer loopItem = new UnsafeBuffer(new byte[512]);
                    final UnsafeBuffer loopKey = new UnsafeBuffer(new byte[512]);
                    final int loopKeyLength = loopWriter.reset().string("pk", "a").finish(loopKey, 0);
                    shard.getItem(orders, loopKey, 0, loopKeyLength, (buffer, offset, itemLength) ->
                        loopSaw.add(ItemCodec.decode(buffer, offset, itemLength).get("v").asString()));
                    final int itemLength = loopWriter.reset().string("pk", "a").string("v", "from the loop")
                        .finish(loopItem, 0);
                    shard.putItem(orders, loopItem, 0, itemLength, null, ReturnValues.NONE, null);
                    served.countDown();
                    stop.await();
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                    served.countDown();
                }
            }, "shard-loop");
            loop.start();
            assertTrue(served.await(60, TimeUnit.SECONDS));
            assertNull(failure.get(), () -> "the loop thread owns the shard handed over: " + failure.get());
            assertEquals(List.of("prepared"), loopSaw, "and reads what was prepared");

            final IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> shard.getItem(orders, key, 0, keyLength, (buffer, offset, itemLength) -> { }));
            assertNamesBoth(refused, "shard-loop", Thread.currentThread().getName());

            stop.countDown();
            loop.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(loop.isAlive());
            assertEquals("from the loop", value(shard, orders, key, keyLength), "the loop has ended: taken over");
        }
        finally
        {
            shard.close();
        }
    }

    @Test
    void aReleaseFromInsideAHandlerIsRefusedAndTheOwnerKeepsTheShard() throws Exception
    {
        final Shard shard = Shard.open(new EngineConfig().dataDir(dir), new OffsetEpochNanoClock());
        try
        {
            final Table orders = ordersHolding(shard, "o");
            final UnsafeBuffer key = new UnsafeBuffer(new byte[512]);
            final int keyLength = writer.reset().string("pk", "a").finish(key, 0);

            // the handler's operation is not done: another thread taking the shard now would change its bytes
            final IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> shard.getItem(orders, key, 0, keyLength, (buffer, offset, length) -> shard.releaseOwnership()));
            assertTrue(refused.getMessage().contains("inside an ItemHandler"), refused.getMessage());

            final Map<String, Runnable> calls = new LinkedHashMap<>();
            calls.put("getItem", () -> shard.getItem(orders, key, 0, keyLength, (buffer, offset, length) -> { }));
            assertEquals(List.of(), notRefused(calls, Thread.currentThread().getName()), "the owner kept it");
            assertEquals("o", value(shard, orders, key, keyLength));
        }
        finally
        {
            shard.close();
        }
    }

    /**
     * Makes each call on a second thread while this one (the owner) lives, waiting for it.
     *
     * @return each call that was not refused as it should be, with what it did instead.
     */
    private static List<String> notRefused(final Map<String, Runnable> calls, final String owner)
        throws InterruptedException
    {
        final List<String> notRefused = new ArrayList<>();
        final Thread monitor = new Thread(() ->
        {
            for (final Map.Entry<String, Runnable> call : calls.entrySet())
            {
                try
                {
                    call.getValue().run();
                    notRefused.add(call.getKey() + ": ran");
                }
                catch (final IllegalStateException ex)
                {
                    if (!namesBoth(String.valueOf(ex.getMessage()), owner, MONITOR))
                    {
                        notRefused.add(call.getKey() + ": " + ex);
                    }
                }
                catch (final RuntimeException | Error ex)
                {
                    notRefused.add(call.getKey() + ": " + ex);
                }
            }
        }, MONITOR);
        monitor.start();
        monitor.join(TimeUnit.SECONDS.toMillis(60));
        assertFalse(monitor.isAlive(), "the second thread's calls returned");
        return notRefused; // join: the monitor's writes happen-before this read
    }

    private static void assertNamesBoth(final IllegalStateException refused, final String owner, final String caller)
    {
        assertTrue(namesBoth(refused.getMessage(), owner, caller), refused.getMessage());
    }

    /** Whether a refusal names the owner, the caller and the way out (a QueuedShard). */
    private static boolean namesBoth(final String message, final String owner, final String caller)
    {
        return message.contains("thread " + owner) && message.contains("not by " + caller) &&
            message.contains("QueuedShard");
    }

    /** Creates table {@code orders} (partition key {@code pk}, S) and puts {@code {pk: "a", v: value}} into it. */
    private Table ordersHolding(final Shard shard, final String value)
    {
        shard.createTable(TableSpec.of("orders").partitionKey("pk", KeyType.S));
        final Table orders = shard.table("orders");
        final UnsafeBuffer item = new UnsafeBuffer(new byte[512]);
        final int length = writer.reset().string("pk", "a").string("v", value).finish(item, 0);
        shard.putItem(orders, item, 0, length, null, ReturnValues.NONE, null);
        return orders;
    }

    private static String value(final Shard shard, final Table table, final UnsafeBuffer key, final int keyLength)
    {
        final String[] value = { null };
        shard.getItem(table, key, 0, keyLength,
            (buffer, offset, length) -> value[0] = ItemCodec.decode(buffer, offset, length).get("v").asString());
        return value[0];
    }
}
