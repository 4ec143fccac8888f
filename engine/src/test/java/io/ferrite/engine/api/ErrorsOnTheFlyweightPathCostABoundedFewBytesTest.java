package io.ferrite.engine.api;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.expr.ConditionExpression;
import io.ferrite.engine.expr.UpdateExpression;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.Shard;
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

import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a refused request costs the calling thread on the flyweight path, as the Shard's javadoc states it: a
 * ConditionalCheckFailedException (a conditional write's ordinary outcome under optimistic concurrency, which a
 * trading application meets all day) allocates nothing; a validation error (an oversized item, a key of the wrong
 * type, a missing key attribute) allocates one FerriteException, which fills in no stack trace, and its message: a
 * few hundred bytes at most, measured per error with the thread's allocated-bytes counter, the best of three windows.
 * The conditional check failure used to allocate a new exception every time. Nothing at all is checked as
 * {@link AllocationWindows} says: some windows in a row at 0, past the JIT's own one-off allocations.
 */
class ErrorsOnTheFlyweightPathCostABoundedFewBytesTest
{
    private static final int WARM_UP = 20_000;
    private static final int MEASURED = 5_000;
    private static final int WINDOWS = 3;
    /** Windows of {@link #MEASURED} calls in a row that must allocate nothing: 15,000 calls. */
    private static final int CLEAN_RUN = 3;
    /** At most this many windows: 300,000 calls, about half a second here. */
    private static final int MAX_WINDOWS = 60;
    private static final long MAX_VALIDATION_ERROR_BYTES = 512;

    @TempDir
    Path dir;

    @Test
    void conditionFailuresAllocateNothingAndValidationErrorsABoundedFewBytes()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (Ferrite db = Ferrite.open(new EngineConfig().dataDir(dir)))
        {
            db.createTable(TableSpec.of("orders").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N));
            final Shard shard = db.shard();
            final Table table = shard.table("orders");
            final ItemWriter writer = new ItemWriter(600 * 1024);
            final UnsafeBuffer order = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
            final int orderLength = writer.reset().string("pk", "o1").number("sk", 1).string("status", "FILLED")
                .finish(order, 0);
            shard.putItem(table, order, 0, orderLength, null, ReturnValues.NONE, null);
            final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
            final int keyLength = writer.reset().string("pk", "o1").number("sk", 1).finish(key, 0);
            final ConditionExpression stillOpen = db.expressions().condition("#s = :open",
                Map.of("#s", "status"), Map.of(":open", s("OPEN")));
            final UpdateExpression cancel = db.expressions().update("SET #s = :cancelled", Map.of("#s", "status"),
                Map.of(":cancelled", s("CANCELLED")));

            final UnsafeBuffer oversized = new UnsafeBuffer(ByteBuffer.allocateDirect(600 * 1024));
            final int oversizedLength = writer.reset().string("pk", "o2").number("sk", 2)
                .binary("blob", new UnsafeBuffer(new byte[410 * 1024]), 0, 410 * 1024).finish(oversized, 0);
            final UnsafeBuffer wrongType = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
            final int wrongTypeLength = writer.reset().number("pk", 7).number("sk", 2).finish(wrongType, 0);
            final UnsafeBuffer noSortKey = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
            final int noSortKeyLength = writer.reset().string("pk", "o3").string("status", "OPEN")
                .finish(noSortKey, 0);

            final Map<String, Runnable> conditionFailures = new LinkedHashMap<>();
            conditionFailures.put("conditional PutItem", () ->
                shard.putItem(table, order, 0, orderLength, stillOpen, ReturnValues.NONE, null));
            conditionFailures.put("conditional UpdateItem", () ->
                shard.updateItem(table, key, 0, keyLength, cancel, stillOpen, ReturnValues.NONE, null));
            conditionFailures.put("conditional DeleteItem", () ->
                shard.deleteItem(table, key, 0, keyLength, stillOpen, ReturnValues.NONE, null));
            final AllocationWindows windows = new AllocationWindows(CLEAN_RUN, MAX_WINDOWS);
            for (final Map.Entry<String, Runnable> request : conditionFailures.entrySet())
            {
                final Runnable call = request.getValue();
                warmUp(call, ErrorCode.ConditionalCheckFailedException);
                final long[] bytes = windows.measure(() ->
                {
                    for (int i = 0; i < MEASURED; i++)
                    {
                        refused(call, ErrorCode.ConditionalCheckFailedException);
                    }
                });
                System.out.printf("%s failing its condition, windows of %,d calls: %s%n", request.getKey(), MEASURED,
                    windows.describe(bytes));
                assertTrue(windows.passed(bytes), request.getKey() + " failing its condition: " +
                    windows.describe(bytes));
            }

            final Map<String, Runnable> validationErrors = new LinkedHashMap<>();
            validationErrors.put("PutItem of an item over 400 KB", () ->
                shard.putItem(table, oversized, 0, oversizedLength, null, ReturnValues.NONE, null));
            validationErrors.put("PutItem with a key of the wrong type", () ->
                shard.putItem(table, wrongType, 0, wrongTypeLength, null, ReturnValues.NONE, null));
            validationErrors.put("PutItem without its sort key", () ->
                shard.putItem(table, noSortKey, 0, noSortKeyLength, null, ReturnValues.NONE, null));
            validationErrors.put("GetItem with a key of the wrong type", () ->
                shard.getItem(table, wrongType, 0, wrongTypeLength, (buffer, offset, length) -> { }));
            for (final Map.Entry<String, Runnable> request : validationErrors.entrySet())
            {
                final long bytes = leastBytesPerWindow(threads, request.getValue(), ErrorCode.ValidationException);
                System.out.printf("%s: %,d bytes in %,d calls%n", request.getKey(), bytes, MEASURED);
                assertTrue(bytes <= MAX_VALIDATION_ERROR_BYTES * MEASURED, request.getKey() + " allocated " + bytes +
                    " bytes in " + MEASURED + " calls, over " + MAX_VALIDATION_ERROR_BYTES + " a call");
            }
        }
    }

    private static long leastBytesPerWindow(
        final com.sun.management.ThreadMXBean threads, final Runnable request, final ErrorCode expected)
    {
        warmUp(request, expected);
        long least = Long.MAX_VALUE;
        for (int window = 0; window < WINDOWS; window++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < MEASURED; i++)
            {
                refused(request, expected);
            }
            least = Math.min(least, threads.getCurrentThreadAllocatedBytes() - before);
        }
        return least;
    }

    private static void warmUp(final Runnable request, final ErrorCode expected)
    {
        for (int i = 0; i < WARM_UP; i++)
        {
            refused(request, expected);
        }
    }

    private static void refused(final Runnable request, final ErrorCode expected)
    {
        try
        {
            request.run();
        }
        catch (final FerriteException ex)
        {
            if (expected != ex.code())
            {
                throw ex;
            }
            return;
        }
        throw new AssertionError("the request was not refused");
    }
}
