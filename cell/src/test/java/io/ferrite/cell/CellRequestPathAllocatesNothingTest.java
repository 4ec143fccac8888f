package io.ferrite.cell;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A running three-member cell in steady state: the client thread's PutItem and strongly consistent GetItem calls
 * (send, egress poll, answer) and every member's service thread (applying each log message, and the leader answering)
 * allocate nothing per operation. The client is measured with its thread's allocation counter; a member's service
 * thread with the same counter, read by the member and written to its status file ({@code serviceAllocatedBytes}).
 */
class CellRequestPathAllocatesNothingTest
{
    private static final int KEYS = 100;
    /** Past the dedupe table's growth (4,096 answers a client): from there on its entries are recycled. */
    private static final int WARM_UP = CellState.DEFAULT_DEDUPE_PER_CLIENT + 200;
    private static final int MEASURED = 1_000;
    private static final int WINDOWS = 3;
    /** Bytes an operation: the client's Aeron and the service container's own work over the window are counted too. */
    private static final long MAX_CLIENT_BYTES_PER_OPERATION = 4;
    private static final long MAX_SERVICE_BYTES_PER_OPERATION = 8;

    @TempDir
    Path dir;

    @Test
    void putsAndGetsAllocateNothingOnTheClientOrTheServiceThreads() throws Exception
    {
        try (CellFixture cell = CellFixture.start(dir); CellClient client = cell.client())
        {
            assertTrue(client.createTable(TableSpec.of("items").partitionKey("pk", KeyType.S), 30_000).ok());
            final UnsafeBuffer[] items = new UnsafeBuffer[KEYS];
            final UnsafeBuffer[] keys = new UnsafeBuffer[KEYS];
            for (int k = 0; k < KEYS; k++)
            {
                items[k] = new UnsafeBuffer(ItemCodec.encode(Map.of("pk", AttributeValue.s("k" + k),
                    "v", AttributeValue.s("x".repeat(200)))));
                keys[k] = new UnsafeBuffer(ItemCodec.encode(Map.of("pk", AttributeValue.s("k" + k))));
            }
            final String table = "items";
            final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            assertTrue(threads.isThreadAllocatedMemorySupported());
            threads.setThreadAllocatedMemoryEnabled(true);

            run(client, table, items, keys, WARM_UP);

            long clientBytes = Long.MAX_VALUE;
            final long[] serviceBytes = new long[3];
            java.util.Arrays.fill(serviceBytes, Long.MAX_VALUE);
            for (int window = 0; window < WINDOWS; window++)
            {
                final Properties[] before = settledStatus(cell);
                final long start = threads.getCurrentThreadAllocatedBytes();
                run(client, table, items, keys, MEASURED);
                clientBytes = Math.min(clientBytes, threads.getCurrentThreadAllocatedBytes() - start);
                final Properties[] after = settledStatus(cell);
                for (int m = 0; m < 3; m++)
                {
                    final long applied = count(after[m], "appliedMessages") - count(before[m], "appliedMessages");
                    assertTrue(applied >= 2L * MEASURED, "member " + m + " applied " + applied);
                    serviceBytes[m] = Math.min(serviceBytes[m],
                        count(after[m], "serviceAllocatedBytes") - count(before[m], "serviceAllocatedBytes"));
                }
                if (clientBytes == 0 && serviceBytes[0] == 0 && serviceBytes[1] == 0 && serviceBytes[2] == 0)
                {
                    break;
                }
            }
            final int operations = 2 * MEASURED;
            final String report = "client " + clientBytes + " B, service threads " + java.util.Arrays.toString(serviceBytes) +
                " B over " + operations + " operations";
            System.out.println("cell request path allocation: " + report);
            assertTrue(clientBytes <= MAX_CLIENT_BYTES_PER_OPERATION * operations, "client thread: " + report);
            for (int m = 0; m < 3; m++)
            {
                assertTrue(serviceBytes[m] >= 0, "member " + m + " reports its service thread's allocation");
                assertTrue(serviceBytes[m] <= MAX_SERVICE_BYTES_PER_OPERATION * operations, "member " + m + ": " + report);
            }
        }
    }

    private static void run(
        final CellClient client, final String table, final UnsafeBuffer[] items, final UnsafeBuffer[] keys, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final int k = i % KEYS;
            final UnsafeBuffer item = items[k];
            final CellResult.Outcome put = client.putItem(table, item, 0, item.capacity(), client.newRequestId(), 10_000);
            if (CellResult.Outcome.OK != put)
            {
                throw new AssertionError("put " + i + ": " + put + " " + client.answerMessage());
            }
            final UnsafeBuffer key = keys[k];
            final CellResult.Outcome get = client.getItem(table, key, 0, key.capacity(), true, 10_000);
            if (CellResult.Outcome.OK != get || !client.answerFound() ||
                client.answerItem().capacity() != item.capacity())
            {
                throw new AssertionError("get " + i + ": " + get + " found " + client.answerFound() + " " + client.answerMessage());
            }
        }
    }

    /**
     * Every member's status once it has stopped applying (two successive status files, 200 ms apart, with the same
     * applied count and every member at the same count).
     */
    private static Properties[] settledStatus(final CellFixture cell) throws InterruptedException
    {
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        Properties[] previous = null;
        while (true)
        {
            final Properties[] now = new Properties[3];
            boolean settled = null != previous;
            for (int m = 0; m < 3; m++)
            {
                now[m] = cell.launcher.statusProperties(m).orElse(new Properties());
                settled = settled && count(now[m], "appliedMessages") == count(previous[m], "appliedMessages") &&
                    count(now[m], "appliedMessages") == count(now[0], "appliedMessages") &&
                    !now[m].getProperty("heartbeatEpochMs", "").equals(previous[m].getProperty("heartbeatEpochMs"));
            }
            if (settled)
            {
                return now;
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("members did not settle: " + cell.launcher.status());
            }
            previous = now;
            Thread.sleep(250);
        }
    }

    private static long count(final Properties p, final String name)
    {
        return Long.parseLong(p.getProperty(name, "-1"));
    }
}
