package io.ferrite.cell;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A steady write load; the leader is SIGKILLed; every write the client saw acknowledged is there afterwards, and
 * no write was applied twice. Each write {@code i} is {@code ADD hits :one} on its own key {@code w<i>}, so a
 * write applied twice shows as hits = 2; writes in flight during the failover are retried by the client with
 * their original request ids.
 */
class LeaderSigkillUnderLoadLosesAndDoublesNothingTest
{
    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedWriteSurvivesAndNoneIsAppliedTwice() throws Exception
    {
        try (CellFixture cell = CellFixture.start(dir))
        {
            final List<Integer> acked = new ArrayList<>();
            final ConcurrentLinkedQueue<CellResult> failures = new ConcurrentLinkedQueue<>();
            final AtomicInteger ackedCount = new AtomicInteger();
            final AtomicBoolean stop = new AtomicBoolean();
            final long[] longestGapNs = new long[1];
            final int[] attempted = new int[1];

            try (CellClient client = cell.client())
            {
                assertTrue(client.createTable(TableSpec.of("ledger").partitionKey("pk", KeyType.S), 30_000).ok());
                final Thread writer = new Thread(() ->
                {
                    long lastAckNs = System.nanoTime();
                    for (int i = 0; !stop.get(); i++)
                    {
                        attempted[0] = i + 1;
                        final CellResult result = client.updateItem("ledger", Map.of("pk", s("w" + i)), "ADD hits :one",
                            null, null, Map.of(":one", n(1)), null, client.newRequestId(), 10_000);
                        final long now = System.nanoTime();
                        if (result.ok())
                        {
                            acked.add(i);
                            ackedCount.incrementAndGet();
                            longestGapNs[0] = Math.max(longestGapNs[0], now - lastAckNs);
                            lastAckNs = now;
                        }
                        else
                        {
                            failures.add(result);
                        }
                    }
                }, "cell-writer");
                writer.start();
                try
                {
                    awaitAcks(ackedCount, 200, 20_000);
                    final int leader = cell.leader();
                    assertTrue(cell.launcher.kill(leader), "the leader was running");
                    final int atKill = ackedCount.get();
                    awaitAcks(ackedCount, atKill + 200, 30_000);
                    final int newLeader = cell.leader();
                    assertNotEquals(leader, newLeader);
                }
                finally
                {
                    stop.set(true);
                    writer.join(30_000);
                }
                System.out.println("leader SIGKILL under load: attempted=" + attempted[0] + " acked=" + acked.size() +
                    " failed=" + failures.size() + " resends=" + client.resends() + " longest gap between acks=" +
                    TimeUnit.NANOSECONDS.toMillis(longestGapNs[0]) + " ms");
                assertTrue(failures.isEmpty(), "every write succeeded through the failover: " + failures);
                assertTrue(client.resends() > 0, "the write in flight at the kill was sent again (same request id)");

                int present = 0;
                for (int i = 0; i < attempted[0]; i++)
                {
                    final CellResult read = client.getItem("ledger", Map.of("pk", s("w" + i)), true, 10_000);
                    assertTrue(read.ok(), read.toString());
                    final AttributeValue hits = null == read.item() ? null : read.item().get("hits");
                    if (acked.contains(i))
                    {
                        assertEquals(n(1), hits, "acknowledged write " + i + " is there exactly once");
                    }
                    else if (null != hits)
                    {
                        assertEquals(n(1), hits, "write " + i + " (not acknowledged) was applied at most once");
                    }
                    present += null == hits ? 0 : 1;
                }
                assertTrue(present >= acked.size());

                final List<Properties> sums = cell.checksums(client, survivors(cell));
                assertEquals(sums.get(0).getProperty("checksum"), sums.get(1).getProperty("checksum"), sums.toString());
                assertEquals(Integer.toString(present), sums.get(0).getProperty("items"));
            }
        }
    }

    private static int[] survivors(final CellFixture cell)
    {
        return cell.launcher.status().stream().filter(CellLauncher.MemberStatus::alive)
            .mapToInt(CellLauncher.MemberStatus::memberId).toArray();
    }

    private static void awaitAcks(final AtomicInteger acked, final int target, final long timeoutMs) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (acked.get() < target)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("only " + acked.get() + " of " + target + " writes acknowledged in " + timeoutMs + " ms");
            }
            Thread.sleep(10);
        }
    }
}
