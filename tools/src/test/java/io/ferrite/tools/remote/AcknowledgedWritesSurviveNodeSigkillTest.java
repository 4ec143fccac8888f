package io.ferrite.tools.remote;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.api.Page;
import io.ferrite.engine.api.Scan;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.transport.client.ClientConfig;
import io.ferrite.transport.client.ClientFailure;
import io.ferrite.transport.client.FerriteBlockingClient;
import io.ferrite.transport.client.FerriteClient;
import io.ferrite.transport.client.ResponseHandler;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node SIGKILLed under a pipelined write load loses no write its client saw acknowledged, and shows no
 * write that was never sent: the client (in this JVM) records every acknowledgement; the node (a separate
 * process started with the launcher) is killed at a random moment, restarted on the same data directory,
 * and every key is checked. Several cycles run on one data directory, so each restart recovers the
 * previous crashes too.
 */
class AcknowledgedWritesSurviveNodeSigkillTest
{
    private static final String TABLE = "acks";
    private static final int KEYS = 400;
    private static final int WINDOW = 32;
    private static final int CYCLES = 3;

    @TempDir
    Path tempDir;

    private final long[] ackedVersion = new long[KEYS];
    private final List<Set<Long>> sentVersions = new ArrayList<>();
    private long acked;

    @Test
    void everyAcknowledgedWriteSurvivesNodeSigkill() throws Exception
    {
        final long seed = System.nanoTime();
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < KEYS; i++)
        {
            sentVersions.add(new HashSet<>());
        }
        final Path dataDir = tempDir.resolve("data");
        long nextVersion = 1;
        for (int cycle = 1; cycle <= CYCLES; cycle++)
        {
            try (NodeProcess node = NodeProcess.start(dataDir, tempDir.resolve("aeron-node-" + cycle), ""))
            {
                if (1 == cycle)
                {
                    try (FerriteBlockingClient admin = FerriteBlockingClient.connect(ipc(node)))
                    {
                        admin.createTable(TableSpec.of(TABLE).partitionKey("pk", KeyType.N));
                    }
                }
                else
                {
                    check(node, "after SIGKILL " + (cycle - 1) + " (seed " + seed + ")");
                }
                try
                {
                    nextVersion = writeUntilKilled(node, cycle, random.nextLong(300, 1_500), nextVersion);
                }
                catch (final RuntimeException | AssertionError ex)
                {
                    throw new AssertionError("cycle " + cycle + " failed: " + ex + "\nnode output:\n" +
                        String.join("\n", node.output()), ex);
                }
            }
        }
        try (NodeProcess node = NodeProcess.start(dataDir, tempDir.resolve("aeron-node-final"), ""))
        {
            check(node, "after the last SIGKILL (seed " + seed + ")");
            assertEquals(0, node.terminate(30_000), "clean SIGTERM exit; output:\n" + String.join("\n", node.output()));
        }
        assertTrue(acked > 100, "the client saw writes acknowledged: " + acked);
    }

    private ClientConfig ipc(final NodeProcess node)
    {
        return new ClientConfig().aeronDir(node.aeronDir())
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(20))
            .requestTimeoutNs(TimeUnit.SECONDS.toNanos(20));
    }

    /**
     * Writes over UDP, with the client's own media driver (so the client outlives the node's driver),
     * until the node is killed; returns the next unused version.
     */
    private long writeUntilKilled(final NodeProcess node, final int cycle, final long runMs, final long firstVersion)
        throws InterruptedException
    {
        final ClientConfig config = new ClientConfig()
            .embeddedDriver(true)
            .aeronDir(tempDir.resolve("aeron-client-" + cycle).toString())
            .requestChannel(node.udpChannel())
            .responseChannel("aeron:udp?endpoint=127.0.0.1:0")
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(20))
            .requestTimeoutNs(TimeUnit.SECONDS.toNanos(2));
        long version = firstVersion;
        try (FerriteClient client = FerriteClient.connect(config))
        {
            final Map<Long, long[]> inFlight = new HashMap<>();
            final ResponseHandler handler = new ResponseHandler()
            {
                public void onItem(final long requestId, final boolean found, final DirectBuffer buffer, final int offset,
                    final int length)
                {
                    final long[] write = inFlight.remove(requestId);
                    final int key = (int)write[0];
                    ackedVersion[key] = Math.max(ackedVersion[key], write[1]);
                    acked++;
                }

                public void onError(final long requestId, final ErrorCode code, final String message)
                {
                    inFlight.remove(requestId);
                    throw new AssertionError("the node refused a write: " + code + ": " + message);
                }

                public void onFailure(final long requestId, final ClientFailure failure, final String message)
                {
                    inFlight.remove(requestId); // outcome unknown: the write may or may not have been applied
                }
            };
            final ItemWriter writer = new ItemWriter();
            final SplittableRandom random = new SplittableRandom(firstVersion);
            final long killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(runMs);
            while (System.nanoTime() < killAt)
            {
                while (inFlight.size() < WINDOW)
                {
                    final int key = random.nextInt(KEYS);
                    writer.reset().number("pk", key).number("v", version).string("pad", "x".repeat((int)(version % 200)));
                    final int length = writer.finish();
                    final long requestId = client.putItem(TABLE, writer.buffer(), 0, length, ReturnValues.NONE, handler);
                    if (requestId < 0)
                    {
                        break;
                    }
                    sentVersions.get(key).add(version);
                    inFlight.put(requestId, new long[]{ key, version });
                    version++;
                }
                if (0 == client.poll())
                {
                    Thread.yield();
                }
            }
            node.kill();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!inFlight.isEmpty() && System.nanoTime() < deadline)
            {
                if (0 == client.poll())
                {
                    Thread.sleep(1);
                }
            }
            assertTrue(inFlight.isEmpty(), "every request in flight at the kill ended (answered, failed or timed out)");
        }
        return version;
    }

    private void check(final NodeProcess node, final String when)
    {
        try (FerriteBlockingClient client = FerriteBlockingClient.connect(ipc(node)))
        {
            final Map<Integer, Long> found = new HashMap<>();
            Map<String, AttributeValue> start = null;
            do
            {
                final Page page = client.scan(Scan.on(TABLE).limit(500).exclusiveStartKey(start));
                for (final Map<String, AttributeValue> item : page.items())
                {
                    final int key = Integer.parseInt(item.get("pk").asNumber());
                    final long version = Long.parseLong(item.get("v").asNumber());
                    assertTrue(key >= 0 && key < KEYS && sentVersions.get(key).contains(version),
                        when + ": phantom item " + item + " (never sent)");
                    assertEquals("x".repeat((int)(version % 200)), item.get("pad").asString(), when + ": torn item " + key);
                    found.put(key, version);
                }
                start = page.lastEvaluatedKey();
            }
            while (null != start);

            int lost = 0;
            final StringBuilder examples = new StringBuilder();
            for (int key = 0; key < KEYS; key++)
            {
                if (0 == ackedVersion[key])
                {
                    continue;
                }
                final Long version = found.get(key);
                if (null == version || version < ackedVersion[key])
                {
                    lost++;
                    if (lost <= 10)
                    {
                        examples.append(" key ").append(key).append(" acked v").append(ackedVersion[key])
                            .append(" found ").append(version);
                    }
                }
                // the point read agrees with the scan
                final Map<String, AttributeValue> item = client.getItem(TABLE, Map.of("pk", AttributeValue.n(key)), true);
                assertEquals(null == version ? null : Long.toString(version),
                    null == item ? null : item.get("v").asNumber(), when + ": GetItem and Scan disagree on key " + key);
            }
            assertEquals(0, lost, when + ": acknowledged writes lost:" + examples);
        }
        catch (final FerriteException ex)
        {
            throw new AssertionError(when + ": " + ex, ex);
        }
    }
}
