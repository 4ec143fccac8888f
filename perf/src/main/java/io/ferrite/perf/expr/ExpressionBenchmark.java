package io.ferrite.perf.expr;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.engine.expr.ConditionExpression;
import io.ferrite.engine.expr.ExpressionCompiler;
import io.ferrite.engine.expr.ProjectionExpression;
import io.ferrite.engine.expr.UpdateExpression;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static io.ferrite.codecs.item.AttributeValue.l;
import static io.ferrite.codecs.item.AttributeValue.m;
import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;

/**
 * Cached expressions evaluated over a 1 KB item (issue 3's targets: a 3-clause condition in at most
 * 100 ns, a 3-action update in at most 1 us). Run with the JVM flags of the parent pom, e.g.
 * {@code java <ferrite.jvm.flags> -cp <perf classpath> org.openjdk.jmh.Main ExpressionBenchmark}.
 * <p>
 * Threading: JMH's; one thread per state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1)
public class ExpressionBenchmark
{
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[64 * 1024]);
    private UnsafeBuffer item;
    private int itemLength;
    private UnsafeBuffer key;
    private ConditionExpression condition;
    private UpdateExpression update;
    private ProjectionExpression projection;

    /**
     * Builds the 1 KB item and compiles the expressions once, as the cache would.
     */
    @Setup
    public void setUp()
    {
        final Map<String, AttributeValue> attributes = new TreeMap<>();
        attributes.put("pk", s("user#1"));
        attributes.put("version", n(7));
        attributes.put("state", s("OPEN"));
        attributes.put("balance", n("1234.5678"));
        attributes.put("tags", AttributeValue.ss(List.of("a", "b", "c")));
        attributes.put("doc", m(Map.of("x", n(1), "y", l(List.of(s("p"), s("q"))))));
        for (int i = 0; i < 20; i++)
        {
            attributes.put("pad" + i, s("x".repeat(32)));
        }
        final byte[] bytes = ItemCodec.encode(attributes);
        item = new UnsafeBuffer(bytes);
        itemLength = bytes.length;
        key = new UnsafeBuffer(ItemCodec.encode(Map.of("pk", s("user#1"))));

        final ExpressionCompiler compiler = new ExpressionCompiler();
        condition = compiler.condition("#v = :v AND #s = :open AND balance > :min",
            Map.of("#v", "version", "#s", "state"), Map.of(":v", n(7), ":open", s("OPEN"), ":min", n(0)));
        update = compiler.update("SET #v = #v + :one, #s = :closed REMOVE pad3",
            Map.of("#v", "version", "#s", "state"), Map.of(":one", n(1), ":closed", s("CLOSED")));
        projection = compiler.projection("pk, doc.y[1], tags", null);
    }

    /**
     * @return the outcome of a cached 3-clause condition over the 1 KB item.
     */
    @Benchmark
    public boolean condition3Clauses()
    {
        return condition.test(item, 0, itemLength);
    }

    /**
     * @return the length of the item after a cached 3-action update.
     */
    @Benchmark
    public int update3Actions()
    {
        return update.apply(null, key, 0, key.capacity(), item, 0, itemLength, out, 0);
    }

    /**
     * @return the length of a 3-path projection of the item.
     */
    @Benchmark
    public int projection3Paths()
    {
        return projection.project(item, 0, itemLength, out, 0);
    }
}
