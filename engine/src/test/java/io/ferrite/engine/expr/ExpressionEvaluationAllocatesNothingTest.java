package io.ferrite.engine.expr;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.ferrite.codecs.item.AttributeValue.l;
import static io.ferrite.codecs.item.AttributeValue.m;
import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steady-state evaluation of compiled condition, filter, projection and update expressions over a 1 KB
 * item allocates nothing (measured with the thread's allocated-bytes counter, below 0.01 B/op).
 */
class ExpressionEvaluationAllocatesNothingTest
{
    private static final int WARMUP = 300_000;
    private static final int MEASURED = 300_000;

    @Test
    void conditionFilterProjectionAndUpdateAllocateNothingPerEvaluation()
    {
        final Map<String, AttributeValue> item = new TreeMap<>();
        item.put("pk", s("user#1"));
        item.put("version", n(7));
        item.put("state", s("OPEN"));
        item.put("balance", n("1234.5678"));
        item.put("tags", AttributeValue.ss(List.of("a", "b", "c")));
        item.put("doc", m(Map.of("x", n(1), "y", l(List.of(s("p"), s("q"), m(Map.of("z", n(3))))))));
        for (int i = 0; i < 20; i++)
        {
            item.put("pad" + i, s("x".repeat(32)));
        }
        final byte[] bytes = ItemCodec.encode(item);
        assertTrue(bytes.length >= 1000, "item of " + bytes.length + " bytes");
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[64 * 1024]);
        final UnsafeBuffer key = new UnsafeBuffer(ItemCodec.encode(Map.of("pk", s("user#1"))));

        final ExpressionCompiler compiler = new ExpressionCompiler();
        final ConditionExpression condition = compiler.condition(
            "#v = :v AND #s IN (:open, :held) AND size(tags) > :two", Map.of("#v", "version", "#s", "state"),
            Map.of(":v", n(7), ":open", s("OPEN"), ":held", s("HELD"), ":two", n(2)));
        final ConditionExpression filter = compiler.filter(
            "begins_with(pk, :p) OR contains(tags, :t) AND NOT doc.y[2].z BETWEEN :lo AND :hi",
            null, Map.of(":p", s("user"), ":t", s("b"), ":lo", n(1), ":hi", n(5)));
        final ProjectionExpression projection = compiler.projection("pk, doc.y[2].z, tags", null);
        final UpdateExpression update = compiler.update(
            "SET #v = #v + :one, balance = balance - :d, doc.x = if_not_exists(doc.w, :one) REMOVE pad3 ADD tags :t",
            Map.of("#v", "version"), Map.of(":one", n(1), ":d", n("0.01"), ":t", AttributeValue.ss(List.of("z"))));

        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        long sink = 0;
        for (int i = 0; i < WARMUP; i++)
        {
            sink += run(condition, filter, projection, update, buffer, bytes.length, key, out);
        }
        final long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < MEASURED; i++)
        {
            sink += run(condition, filter, projection, update, buffer, bytes.length, key, out);
        }
        final long allocated = threads.getThreadAllocatedBytes(thread) - before;
        final double perOp = (double)allocated / MEASURED;
        assertTrue(sink > 0);
        assertTrue(perOp < 0.01, "allocated " + allocated + " bytes in " + MEASURED + " evaluations (" + perOp +
            " B/op)");
    }

    private static long run(
        final ConditionExpression condition,
        final ConditionExpression filter,
        final ProjectionExpression projection,
        final UpdateExpression update,
        final UnsafeBuffer item,
        final int length,
        final UnsafeBuffer key,
        final UnsafeBuffer out)
    {
        long result = condition.test(item, 0, length) ? 1 : 0;
        result += filter.test(item, 0, length) ? 1 : 0;
        result += projection.project(item, 0, length, out, 0);
        final int updated = update.apply(null, key, 0, key.capacity(), item, 0, length, out, 0);
        result += updated + update.projectUpdated(out, 0, updated, out, updated);
        return result;
    }
}
