package io.ferrite.engine.api;

import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.expr.ConditionExpression;
import io.ferrite.engine.expr.ExpressionCompiler;
import io.ferrite.engine.expr.KeyConditionExpression;
import io.ferrite.engine.expr.ProjectionExpression;
import io.ferrite.engine.expr.UpdateExpression;
import io.ferrite.engine.shard.AttributeUpdates;
import io.ferrite.engine.shard.ItemHandler;
import io.ferrite.engine.shard.QueryRequest;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.Shard;
import io.ferrite.engine.shard.SortKeyCondition;
import io.ferrite.engine.shard.Table;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each flyweight operation of a direct-mode {@link Shard}, measured on its own so that a failure names the
 * operation: GetItem (plain and with a ProjectionExpression), PutItem (plain, with a ConditionExpression that
 * holds, and with ReturnValues ALL_OLD), DeleteItem (NONE and ALL_OLD), UpdateItem (attribute updates, and an
 * UpdateExpression compiled once with UPDATED_NEW), and Query (a key and a sort key range; a KeyConditionExpression
 * applied each time; a FilterExpression; a ProjectionExpression) allocate nothing on the calling thread in steady
 * state, counted by the JVM's per-thread allocated bytes (no time is asserted). Each operation runs three measured
 * windows and the least of them counts: one-offs (the JIT resolving a class's String constants on this thread before
 * a C2 compile, see {@link AllocationWindows}; writes allocate a little inside Chronicle Queue's appender until the
 * compiler settles) land in one window, while an operation that makes garbage costs at least 16 bytes in every call
 * of every window; the bound is 0.1 byte a call, which such one-offs stay under.
 */
class EveryFlyweightOperationAllocatesNothingTest
{
    private static final int KEYS = 256;
    private static final int ITEMS_PER_KEY = 8;
    /** Rounds of every operation in turn first: the compiler settles (measured: puts allocate until ~90,000 calls). */
    private static final int SHARED_WARM_UP_ROUNDS = 12_000;
    private static final int WARM_UP = 20_000;
    private static final int MEASURED = 10_000;
    private static final int WINDOWS = 3;
    private static final double MAX_BYTES_PER_OP = 0.1;

    @TempDir
    Path dir;

    private final ItemWriter writer = new ItemWriter(4096);
    private final UnsafeBuffer item = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
    private final UnsafeBuffer sets = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
    private final UnsafeBuffer removes = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
    private final StringBuilder pk = new StringBuilder("p000");
    private final QueryRequest query = new QueryRequest();
    private final AttributeUpdates attributeUpdates = new AttributeUpdates();
    private long seen;
    private final ItemHandler handler = (buffer, offset, length) -> seen += length;
    private int counter;

    @Test
    void everyFlyweightOperationAllocatesNothingInSteadyState()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (Ferrite db = Ferrite.open(new EngineConfig().dataDir(dir).partitionMaxItems(10_000)))
        {
            db.createTable(TableSpec.of("orders").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N));
            final Shard shard = db.shard();
            final Table table = shard.table("orders");
            for (int i = 0; i < KEYS * ITEMS_PER_KEY; i++)
            {
                put(shard, table, i, null, ReturnValues.NONE);
            }

            final ExpressionCompiler compiler = db.expressions();
            final ConditionExpression holds = compiler.condition("attribute_not_exists(nothing) AND side = :buy",
                null, Map.of(":buy", s("BUY")));
            final UpdateExpression increment = compiler.update("SET qty = qty + :one, note = :n", null,
                Map.of(":one", n(1), ":n", s("amended")));
            final ProjectionExpression projection = compiler.projection("pk, sk, qty", null);
            final ConditionExpression filter = compiler.filter("qty >= :zero AND side = :buy", null,
                Map.of(":zero", n(0), ":buy", s("BUY")));
            final KeyConditionExpression keyCondition = compiler.keyCondition("pk = :pk AND sk BETWEEN :lo AND :hi",
                null, Map.of(":pk", s("p007"), ":lo", n(2), ":hi", n(5)));
            final int setsLength = writer.reset().string("side", "SELL").number("price", "101.25").finish(sets, 0);
            final int removesLength = writer.reset().nul("note").finish(removes, 0);

            final Map<String, Runnable> operations = new LinkedHashMap<>();
            operations.put("GetItem", () -> get(shard, table, null));
            operations.put("GetItem with a ProjectionExpression", () -> get(shard, table, projection));
            operations.put("PutItem", () -> put(shard, table, nextItem(), null, ReturnValues.NONE));
            operations.put("PutItem with a ConditionExpression", () -> put(shard, table, nextItem(), holds,
                ReturnValues.NONE));
            operations.put("PutItem ALL_OLD", () -> put(shard, table, nextItem(), null, ReturnValues.ALL_OLD));
            operations.put("DeleteItem and PutItem back", () ->
            {
                final int itemNumber = nextItem();
                delete(shard, table, itemNumber, ReturnValues.NONE);
                put(shard, table, itemNumber, null, ReturnValues.NONE);
            });
            operations.put("DeleteItem ALL_OLD and PutItem back", () ->
            {
                final int itemNumber = nextItem();
                delete(shard, table, itemNumber, ReturnValues.ALL_OLD);
                put(shard, table, itemNumber, null, ReturnValues.NONE);
            });
            operations.put("UpdateItem with attribute updates", () ->
            {
                final int keyLength = key(nextItem());
                attributeUpdates.wrap(sets, 0, setsLength, removes, 0, removesLength);
                shard.updateItem(table, key, 0, keyLength, attributeUpdates, null, ReturnValues.ALL_NEW, handler);
            });
            operations.put("UpdateItem with an UpdateExpression", () ->
            {
                final int keyLength = key(nextItem());
                shard.updateItem(table, key, 0, keyLength, increment, null, ReturnValues.UPDATED_NEW, handler);
            });
            operations.put("Query", () ->
            {
                query.reset();
                query.partitionKey().string(pkText(nextItem() / ITEMS_PER_KEY));
                query.sortKey(SortKeyCondition.GE).number("3");
                shard.query(table, query, handler);
                checkCount(ITEMS_PER_KEY - 3);
            });
            operations.put("Query with a KeyConditionExpression", () ->
            {
                query.reset();
                keyCondition.applyTo(table, query);
                shard.query(table, query, handler);
                checkCount(4);
            });
            operations.put("Query with a FilterExpression and a ProjectionExpression", () ->
            {
                query.reset();
                query.partitionKey().string(pkText(nextItem() / ITEMS_PER_KEY));
                query.filter(filter).projection(projection).limit(6);
                shard.query(table, query, handler);
            });

            for (int round = 0; round < SHARED_WARM_UP_ROUNDS; round++)
            {
                for (final Runnable run : operations.values())
                {
                    run.run();
                    shard.doDutyCycle(System.nanoTime());
                }
            }
            for (final Map.Entry<String, Runnable> operation : operations.entrySet())
            {
                final Runnable run = operation.getValue();
                for (int i = 0; i < WARM_UP; i++)
                {
                    run.run();
                    shard.doDutyCycle(System.nanoTime());
                }
                long least = Long.MAX_VALUE;
                for (int window = 0; window < WINDOWS; window++)
                {
                    final long before = threads.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < MEASURED; i++)
                    {
                        run.run();
                        shard.doDutyCycle(System.nanoTime());
                    }
                    least = Math.min(least, threads.getCurrentThreadAllocatedBytes() - before);
                }
                System.out.printf("%s: %,d bytes in the best of %d windows of %,d calls%n", operation.getKey(), least,
                    WINDOWS, MEASURED);
                assertTrue((double)least / MEASURED < MAX_BYTES_PER_OP, operation.getKey() + " allocated " + least +
                    " bytes in " + MEASURED + " calls (the best of " + WINDOWS + " windows)");
            }
            assertTrue(seen > 0, "the operations handed items over");
        }
    }

    private void checkCount(final int expected)
    {
        if (expected != query.count())
        {
            assertEquals(expected, query.count(), "items of the query");
        }
    }

    private int nextItem()
    {
        counter = (counter + 7919) % (KEYS * ITEMS_PER_KEY);
        return counter;
    }

    private void put(
        final Shard shard, final Table table, final int itemNumber, final ConditionExpression condition,
        final ReturnValues returnValues)
    {
        final int length = writer.reset()
            .string("pk", pkText(itemNumber / ITEMS_PER_KEY))
            .number("sk", itemNumber % ITEMS_PER_KEY)
            .number("qty", itemNumber)
            .string("side", "BUY")
            .finish(item, 0);
        shard.putItem(table, item, 0, length, condition, returnValues, handler);
    }

    private void get(final Shard shard, final Table table, final ProjectionExpression projection)
    {
        final int keyLength = key(nextItem());
        if (!shard.getItem(table, key, 0, keyLength, projection, handler))
        {
            throw new IllegalStateException("item missing");
        }
    }

    private void delete(final Shard shard, final Table table, final int itemNumber, final ReturnValues returnValues)
    {
        final int keyLength = key(itemNumber);
        if (!shard.deleteItem(table, key, 0, keyLength, null, returnValues, handler))
        {
            throw new IllegalStateException("item " + itemNumber + " missing");
        }
    }

    private int key(final int itemNumber)
    {
        return writer.reset()
            .string("pk", pkText(itemNumber / ITEMS_PER_KEY))
            .number("sk", itemNumber % ITEMS_PER_KEY)
            .finish(key, 0);
    }

    private CharSequence pkText(final int partitionKey)
    {
        int value = partitionKey;
        for (int i = pk.length() - 1; i >= 1; i--)
        {
            pk.setCharAt(i, (char)('0' + value % 10));
            value /= 10;
        }
        return pk;
    }
}
