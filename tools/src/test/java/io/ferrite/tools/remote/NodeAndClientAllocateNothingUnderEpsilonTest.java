package io.ferrite.tools.remote;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.engine.api.Query;
import io.ferrite.engine.api.Scan;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.SortKeyCondition;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.transport.client.ClientConfig;
import io.ferrite.transport.client.FerriteBlockingClient;
import io.ferrite.transport.node.NodeCounters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole processes under Epsilon GC, which never collects, so that the growth of the heap in use is every byte a
 * process allocated, on every thread (router, shard loops, the embedded media driver, Aeron's conductors, Chronicle's
 * background threads). Both processes also run with {@code -XX:-UseTLAB}, so that "heap in use" moves by each
 * allocation rather than by whole thread-local buffers, and the count is exact.
 * <ul>
 *   <li>The node, started with the launcher, serves a steady mix of GetItem, PutItem, UpdateItem, DeleteItem, Scan and
 *   Query from this JVM's client; its heap in use (the {@value NodeCounters#HEAP_USED_LABEL} counter it publishes
 *   with every heartbeat) must grow by less than one byte per request in the quieter of two measured windows, taken
 *   once warm-up has let its JIT settle.</li>
 *   <li>{@code ferrite ping}, a whole client JVM, does 100,000 GetItem round trips and must grow by less than one byte
 *   per round trip; the node, serving it, too.</li>
 * </ul>
 * The smallest Java object is 16 bytes, so a path that allocated on even one request in sixteen would fail.
 */
class NodeAndClientAllocateNothingUnderEpsilonTest
{
    private static final Pattern THREAD_LINE = Pattern.compile("^\"([^\"]+)\" .*\\ballocated=(\\d+)([BKM])");
    private static final String EPSILON = "-XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC -XX:-UseTLAB";
    private static final int WARM_UP_REQUESTS = 20_000;
    private static final int MAX_WARM_UP_WINDOWS = 10;
    private static final long QUIET_WARM_UP_BYTES = 8 * 1024;
    private static final int MEASURED_REQUESTS = 40_000;
    private static final int PING_ROUND_TRIPS = 100_000;

    @TempDir
    Path tempDir;

    @Test
    void nodeRequestPathAndClientSendReceiveAllocateNothing() throws Exception
    {
        final Path dataDir = tempDir.resolve("data");
        // The HTTP front (its Netty event loop) is off: this test measures the SBE request path of the node.
        final NodeProcess node = NodeProcess.start(dataDir, tempDir.resolve("aeron-node"),
            EPSILON + " -Xmx1g -Dferrite.http.port=none");
        try (NodeCounters.View counters = NodeCounters.View.open(dataDir))
        {
            final ClientConfig config = new ClientConfig().aeronDir(node.aeronDir())
                .connectTimeoutNs(TimeUnit.SECONDS.toNanos(20));
            try (FerriteBlockingClient client = FerriteBlockingClient.connect(config))
            {
                client.createTable(TableSpec.of("mix").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N));
                // the ping's table, made here so that its set-up (stores, routing metadata, admission buckets and
                // their counters) is not in the node's window measured around the ping below
                client.createTable(TableSpec.of("ping").partitionKey("pk", KeyType.N));

                // Warm-up until the node's JIT has settled. Until C2 has compiled the request path, and whenever
                // compiled code hits an uncommon trap and is deoptimized, the objects that escape analysis had
                // removed are allocated for real (the interpreter allocates them; deoptimization rematerializes
                // them), and a class first needed by compiled code is loaded then, on the shard's thread (24 KB for
                // KeyConditionExpression, seen in the first window after 40,000 requests of warm-up). On a loaded
                // machine this has reached 300 KB and 40 KB in two windows after warm-up. So windows of warm-up run
                // until one grows by less than QUIET_WARM_UP_BYTES (the background alone is 0.5-2 KB a window), at
                // most MAX_WARM_UP_WINDOWS of them; a path that makes garbage on every request is never quiet, and
                // is then judged (and fails) below.
                final List<Long> warmUp = new ArrayList<>();
                for (int i = 0; i < MAX_WARM_UP_WINDOWS; i++)
                {
                    final long before = heapUsedAfterNextHeartbeat(counters);
                    mix(client, WARM_UP_REQUESTS);
                    final long grew = heapUsedAfterNextHeartbeat(counters) - before;
                    warmUp.add(grew);
                    if (grew < QUIET_WARM_UP_BYTES)
                    {
                        break;
                    }
                }

                // The heap counter is the whole JVM's, so the node's background threads (driver, WAL, timers) add
                // a little per second whatever the requests do. Garbage made per request (16 bytes or more each)
                // would show in every window (640 KB+ for 40,000 requests), so the quieter of two windows is judged.
                // Each window's bytes by thread (from the node's extended thread dump, taken just outside the window)
                // are printed and named in a failure.
                long grew = Long.MAX_VALUE;
                int requests = 0;
                final long[] windows = new long[2];
                final List<String> byThread = new ArrayList<>();
                for (int window = 0; window < windows.length; window++)
                {
                    final Map<String, Long> threadsBefore = allocatedByThread(node);
                    final long before = heapUsedAfterNextHeartbeat(counters);
                    requests = mix(client, MEASURED_REQUESTS);
                    windows[window] = heapUsedAfterNextHeartbeat(counters) - before;
                    byThread.add(allocationDelta(threadsBefore, allocatedByThread(node)));
                    grew = Math.min(grew, windows[window]);
                }
                System.out.printf("node under Epsilon: warm-up windows of %d requests grew %s bytes; heap in use " +
                    "grew %s bytes over windows of %d requests; by thread: %s%n",
                    WARM_UP_REQUESTS, warmUp, Arrays.toString(windows), requests, byThread);
                assertTrue(grew < requests, "the node allocated " + Arrays.toString(windows) + " bytes over " +
                    "windows of " + requests + " requests (GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan), " +
                    "after warm-up windows of " + WARM_UP_REQUESTS + " that grew " + warmUp + "; by thread (bytes " +
                    "rounded by the JVM's thread dump): " + byThread);
            }

            final long beforePing = heapUsedAfterNextHeartbeat(counters);
            final String pingOutput = pingUnderEpsilon(node);
            final long nodeGrewDuringPing = heapUsedAfterNextHeartbeat(counters) - beforePing;
            final Matcher ops = Pattern.compile("ops=(\\d+)").matcher(pingOutput);
            final Matcher grew = Pattern.compile("heap used grew (-?\\d+) bytes").matcher(pingOutput);
            assertTrue(ops.find() && grew.find(), pingOutput);
            assertEquals(PING_ROUND_TRIPS, Long.parseLong(ops.group(1)), pingOutput);
            final long clientGrew = Long.parseLong(grew.group(1));
            System.out.printf("ping under Epsilon: client grew %d bytes, node grew %d bytes over %d round trips " +
                "(node figure includes the ping's connect and warm-up)%n",
                clientGrew, nodeGrewDuringPing, PING_ROUND_TRIPS);
            assertTrue(clientGrew < PING_ROUND_TRIPS, clientGrew + " bytes over " + PING_ROUND_TRIPS +
                " round trips in the client JVM:\n" + pingOutput);
            // The node's window also holds the ping's session set-up and its 60,000 warm-up round trips (not the
            // table's set-up: the table exists already).
            assertTrue(nodeGrewDuringPing < PING_ROUND_TRIPS, "the node allocated " + nodeGrewDuringPing +
                " bytes while serving the ping:\n" + pingOutput);
        }
        finally
        {
            final int exit = node.terminate(30_000);
            final List<String> output = node.output();
            node.close();
            assertEquals(0, exit, "node under Epsilon stops cleanly; output:\n" + String.join("\n", output));
        }
    }

    /**
     * Runs a mix of requests, one at a time, over a small key space, checking what comes back.
     *
     * @return how many requests were sent.
     */
    private static int mix(final FerriteBlockingClient client, final int requests)
    {
        int sent = 0;
        for (int i = 0; sent < requests; i++)
        {
            final AttributeValue pk = s("p" + (i % 16));
            final AttributeValue sk = n(i % 64);
            client.putItem("mix", Map.of("pk", pk, "sk", sk, "v", n(i), "note", s("round " + i)));
            final Map<String, AttributeValue> item = client.getItem("mix", Map.of("pk", pk, "sk", sk));
            assertNotNull(item);
            assertEquals(n(i), item.get("v"));
            client.updateItem("mix", Map.of("pk", pk, "sk", sk), Map.of("v", n(i + 1)), Set.of("note"), ReturnValues.NONE);
            client.query(Query.on("mix").partitionKey(pk).sortKey(SortKeyCondition.LE, sk).limit(10));
            client.deleteItem("mix", Map.of("pk", pk, "sk", n((i + 32) % 64)));
            // a first Scan page of one of two segments: it ends on the shard that holds its items
            client.scan(Scan.on("mix").segment(i % 2, 2).limit(10));
            sent += 6;
        }
        return sent;
    }

    /**
     * Bytes allocated so far by each thread of the node, from {@code jcmd <pid> Thread.print -e} (the JVM rounds
     * figures above 1 KB to kilobytes). The attach listener, which serves this very request, is left out. An empty
     * map when the JDK has no jcmd.
     */
    private static Map<String, Long> allocatedByThread(final NodeProcess node) throws Exception
    {
        final Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        final Map<String, Long> allocated = new TreeMap<>();
        if (!Files.isExecutable(jcmd))
        {
            return allocated;
        }
        final Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(node.process().pid()),
            "Thread.print", "-e").redirectErrorStream(true).start();
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(dump.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = in.readLine()))
            {
                final Matcher thread = THREAD_LINE.matcher(line);
                if (thread.find() && !"Attach Listener".equals(thread.group(1)))
                {
                    final long unit = "K".equals(thread.group(3)) ? 1024 : "M".equals(thread.group(3)) ? 1 << 20 : 1;
                    allocated.merge(thread.group(1), Long.parseLong(thread.group(2)) * unit, Long::sum);
                }
            }
        }
        finally
        {
            dump.waitFor(30, TimeUnit.SECONDS);
            dump.destroyForcibly();
        }
        return allocated;
    }

    private static String allocationDelta(final Map<String, Long> before, final Map<String, Long> after)
    {
        final StringBuilder delta = new StringBuilder("{");
        after.forEach((thread, bytes) ->
        {
            final long grew = bytes - before.getOrDefault(thread, 0L);
            if (0 != grew)
            {
                delta.append(delta.length() > 1 ? ", " : "").append(thread).append('=').append(grew);
            }
        });
        return delta.append('}').toString();
    }

    /**
     * Waits for two heartbeats of the node's router (so that the counter was written after the caller's last request
     * was answered) and reads the heap in use it published.
     */
    private static long heapUsedAfterNextHeartbeat(final NodeCounters.View counters) throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + 10_000;
        int beats = 0;
        long last = counters.heartbeatMs();
        while (beats < 2)
        {
            assertTrue(System.currentTimeMillis() < deadlineMs, "node heartbeat stopped");
            Thread.sleep(20);
            final long now = counters.heartbeatMs();
            if (now != last)
            {
                beats++;
                last = now;
            }
        }
        final long used = NodeCounters.valueOf(counters.reader(), NodeCounters.HEAP_USED_LABEL);
        assertTrue(used > 0, "node publishes its heap in use: " + used);
        return used;
    }

    private static String pingUnderEpsilon(final NodeProcess node) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("ferrite.jvm.flags", "").trim().split("\\s+")));
        command.addAll(Arrays.asList(EPSILON.split(" ")));
        command.addAll(List.of("-Xms256m", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
            "io.ferrite.tools.FerriteMain", "ping", "--transport", "ipc", "--aeron-dir", node.aeronDir(),
            "--rate", "20000", "--seconds", Integer.toString(PING_ROUND_TRIPS / 20_000), "--warmup-seconds", "3",
            "--keys", "100", "--idle", "yield", "--name", "epsilon-ipc"));
        command.removeIf(String::isEmpty);
        final Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        final List<String> output = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = in.readLine()))
            {
                output.add(line);
            }
            assertTrue(child.waitFor(120, TimeUnit.SECONDS), "ping finished");
        }
        finally
        {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        final String text = String.join("\n", output);
        assertEquals(0, child.exitValue(), "ping under Epsilon (an allocation leak would exhaust its heap):\n" + text);
        return text;
    }
}
