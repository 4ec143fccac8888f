package io.ferrite.transport.node;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.sbe.AttributeType;
import io.ferrite.codecs.sbe.ReturnValuesType;
import io.ferrite.codecs.sbe.SortKeyConditionType;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.ferrite.transport.node.RawSession.item;
import static io.ferrite.transport.node.RawSession.ok;
import static io.ferrite.transport.node.RawSession.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The router thread and the shard loop threads allocate nothing per request in steady state while serving GetItem,
 * PutItem, UpdateItem, DeleteItem, Query, Scan and KeepAlive (answered), with and without expressions (a conditional PutItem, an UpdateExpression
 * with a condition, a Query by KeyConditionExpression with a FilterExpression: compiled once, then found by their
 * bytes), measured per thread with HotSpot's
 * {@code ThreadMXBean.getThreadAllocatedBytes} (exact to the byte for TLAB and outside-TLAB allocation)
 * around a window of thousands of requests after a warm-up. The test-side client allocates freely; only
 * the node's own threads are measured. Chronicle Queue (the engine's WAL) holds index arrays through weak references
 * and re-creates them after a GC, a few hundred bytes per GC, not per request (under Epsilon GC, with no collections,
 * that never happens): a window may hold up to two collections, each allowed 4 KB; one with more is measured again.
 */
class RouterAndShardRequestPathAllocatesNothingTest
{
    private static final int WARM_UP_ROUNDS = 3_000;
    private static final int MEASURED_ROUNDS = 600;
    private static final int MAX_ATTEMPTS = 8;
    /**
     * Windows with more collections than this are measured again (the client's garbage, not the node's).
     */
    private static final int MAX_GCS_IN_WINDOW = 2;
    /**
     * Allowed per collection inside a window: what Chronicle Queue re-creates after a GC (a few hundred bytes) with
     * room to spare, and far below the 5,400 x 16 bytes that one small object per request would make.
     */
    private static final long BYTES_PER_GC = 4096;
    /**
     * The smallest Java object is 16 bytes, so a path that allocated on even one request in four would
     * average 4 bytes or more per request. Below that, what a window shows is incidental: a few hundred
     * bytes to a few KB per window, from deoptimized code paths and Chronicle internals, not per request.
     */
    private static final long MAX_BYTES_PER_REQUEST = 4;
    private static final int REQUESTS_PER_ROUND = 10;
    private static final Map<String, AttributeValue> NAMES = Map.of("#v", AttributeValue.s("v"), "#w", AttributeValue.s("w"));
    private static final Map<String, AttributeValue> PUT_VALUES = Map.of(":x", AttributeValue.s("x"));
    private static final Map<String, AttributeValue> UPDATE_VALUES =
        Map.of(":zero", AttributeValue.n(0), ":one", AttributeValue.n(1), ":x", AttributeValue.s("x"));

    @Test
    void steadyStateRequestsAllocateNothingOnRouterOrShards()
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());

        try (NodeFixture fixture = new NodeFixture(2))
        {
            final RawSession s = fixture.ipcSession().connect();
            ok(s.createTable("Hot", "pk", AttributeType.S, "sk", AttributeType.N));
            for (int i = 0; i < 50; i++)
            {
                ok(s.putItem("Hot", item("pk", "p" + (i % 10), "sk", i, "v", "value-" + i), ReturnValuesType.NONE));
            }

            rounds(s, WARM_UP_ROUNDS);

            List<String> allocating = null;
            for (int attempt = 0; attempt < MAX_ATTEMPTS && null == allocating; attempt++)
            {
                // Collect now, and let Chronicle re-create what the collection cleared, so that the window starts
                // with an empty young generation: in the full suite this JVM carries every earlier test's garbage,
                // and a collection fell inside each of 8 windows of 600 rounds.
                System.gc();
                rounds(s, 20);
                final long gcsBefore = collections();
                final Map<String, Long> before = allocatedByNodeThreads(threads);
                assertEquals(3, before.size(), "router and two shard threads found: " + before.keySet());
                rounds(s, MEASURED_ROUNDS);
                final Map<String, Long> after = allocatedByNodeThreads(threads);
                final long gcs = collections() - gcsBefore;
                if (gcs > MAX_GCS_IN_WINDOW)
                {
                    // the test-side client's garbage filled the young generation several times: measure again
                    continue;
                }
                // a GC clears Chronicle Queue's weakly held index arrays, which its appender then re-creates (a few
                // hundred bytes on the shard thread): allowed per collection in the window, not per request
                final long bound = MAX_BYTES_PER_REQUEST * MEASURED_ROUNDS * REQUESTS_PER_ROUND + gcs * BYTES_PER_GC;
                allocating = new ArrayList<>();
                for (final Map.Entry<String, Long> entry : before.entrySet())
                {
                    final long bytes = after.get(entry.getKey()) - entry.getValue();
                    System.out.println("node thread " + entry.getKey() + " allocated " + bytes + " bytes in " +
                        MEASURED_ROUNDS * REQUESTS_PER_ROUND + " requests with " + gcs + " GCs in the window (bound " +
                        bound + ")");
                    if (bytes >= bound)
                    {
                        allocating.add(entry.getKey() + " allocated " + bytes + " bytes");
                    }
                }
            }
            assertTrue(null != allocating, "no measuring window of " + MEASURED_ROUNDS + " rounds with at most " +
                MAX_GCS_IN_WINDOW + " GCs in " + MAX_ATTEMPTS + " attempts");
            assertTrue(allocating.isEmpty(), MEASURED_ROUNDS * REQUESTS_PER_ROUND + " requests: " + allocating);
        }
    }

    /**
     * One round: a PutItem, a GetItem, an UpdateItem (ALL_NEW), a Query page, a conditional PutItem, an UpdateExpression
     * with a condition (UPDATED_NEW), a Query by KeyConditionExpression with a filter, a Scan page of the second of two
     * segments (the last shard's range), a Scan page whose filter matches nothing (it walks on from shard to shard
     * through the router), a DeleteItem (ALL_OLD), and a KeepAlive, which the router answers (a client's sign of life
     * from the node, decision 0006).
     */
    private static void rounds(final RawSession s, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final String pk = "p" + (i % 10);
            final int sk = 1000 + (i % 100);
            ok(s.putItem("Hot", item("pk", pk, "sk", sk, "v", "x"), ReturnValuesType.NONE));
            ok(s.getItem("Hot", item("pk", pk, "sk", sk)));
            ok(s.updateItem("Hot", item("pk", pk, "sk", sk), item("w", i), null, ReturnValuesType.ALL_NEW, ""));
            ok(s.query("Hot", value(AttributeValue.s(pk)), SortKeyConditionType.BETWEEN, value(AttributeValue.n(0)),
                value(AttributeValue.n(20)), i % 2 == 0, 3, null));
            ok(s.putItemIf("Hot", item("pk", pk, "sk", sk, "v", "x"), "#v = :x", Map.of("#v", AttributeValue.s("v")),
                PUT_VALUES));
            ok(s.updateItemExpression("Hot", item("pk", pk, "sk", sk), "SET #w = if_not_exists(#w, :zero) + :one",
                "#v = :x", NAMES, UPDATE_VALUES, ReturnValuesType.UPDATED_NEW));
            ok(s.queryExpression("Hot", "pk = :pk AND sk BETWEEN :lo AND :hi", "attribute_exists(v)", null,
                Map.of(":pk", AttributeValue.s(pk), ":lo", AttributeValue.n(0), ":hi", AttributeValue.n(20)), 3));
            ok(s.scan("Hot", 1, 2, 3, null));
            // a page whose filter matches nothing walks on through both shards (a hop through the router)
            ok(s.scan("Hot", 0, 1, 1_000, null, "attribute_not_exists(pk)"));
            ok(s.deleteItem("Hot", item("pk", pk, "sk", sk), ReturnValuesType.ALL_OLD));
            s.keepAlive();
        }
    }

    private static long collections()
    {
        long count = 0;
        for (final java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            count += Math.max(0, gc.getCollectionCount());
        }
        return count;
    }

    private static Map<String, Long> allocatedByNodeThreads(final com.sun.management.ThreadMXBean threads)
    {
        final Map<String, Long> allocated = new LinkedHashMap<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.getName().equals("ferrite-router") || thread.getName().startsWith("ferrite-shard-"))
            {
                allocated.put(thread.getName(), threads.getThreadAllocatedBytes(thread.getId()));
            }
        }
        return allocated;
    }
}
