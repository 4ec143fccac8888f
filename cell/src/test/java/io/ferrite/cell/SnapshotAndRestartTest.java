package io.ferrite.cell;

import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A snapshot through Aeron Cluster, then every member stopped and started again: each rebuilds its shard from the
 * snapshot (tables, items, dedupe table) plus the log after it, the replicas agree, and a write retried with a
 * request id from before the snapshot is answered from the restored dedupe table, not applied again. Each member
 * process then runs its media driver, archive and consensus module on its one member thread (MemberAgent).
 */
class SnapshotAndRestartTest
{
    @TempDir
    Path dir;

    @Test
    void allMembersRestartFromSnapshotPlusLogAndRememberOldRequestIds() throws Exception
    {
        try (CellFixture cell = CellFixture.start(dir))
        {
            final CellClientConfig config = new CellClientConfig().ingressEndpoints(cell.launcher.layout().ingressEndpoints());
            final long oldRequestId;
            try (CellClient client = CellClient.connect(config))
            {
                final CellResult created = client.createTable(TableSpec.of("snap").partitionKey("pk", KeyType.S), 30_000);
                assertTrue(created.ok(), created + "\n" + cell.logs());
                for (int i = 0; i < 200; i++)
                {
                    assertTrue(client.putItem("snap", Map.of("pk", s("k" + i), "v", n(i))).ok());
                }
                oldRequestId = client.newRequestId();
                assertTrue(add(client, oldRequestId).ok());

                final List<Long> snapshots = cell.launcher.snapshot(30_000);
                assertTrue(snapshots.stream().allMatch(count -> count >= 1), snapshots.toString());

                for (int i = 200; i < 250; i++)
                {
                    assertTrue(client.putItem("snap", Map.of("pk", s("k" + i), "v", n(i))).ok());
                }
            }

            assertEquals(3, cell.launcher.stop(10_000));
            cell.launcher.start(90_000);

            try (CellClient client = CellClient.connect(config)) // the same client id: a client retrying after a restart
            {
                for (int i = 0; i < 3; i++)
                {
                    final int member = i;
                    // status.properties is rewritten every 200 ms: wait for one written after the snapshot was loaded
                    final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
                    Properties latest = cell.launcher.statusProperties(member).orElseThrow();
                    while ("-1".equals(latest.getProperty("snapshotLoadedItems", "-1")) && System.nanoTime() < deadline)
                    {
                        Thread.sleep(50);
                        latest = cell.launcher.statusProperties(member).orElseThrow();
                    }
                    final Properties status = latest;
                    assertEquals("201", status.getProperty("snapshotLoadedItems"), () -> "member " + member +
                        " loaded the snapshot: " + status);
                }
                final List<Properties> sums = cell.checksums(client, 0, 1, 2);
                assertEquals(1, sums.stream().map(p -> p.getProperty("checksum")).distinct().count(), sums.toString());
                assertEquals("251", sums.get(0).getProperty("items"));
                assertEquals(n(249), client.getItem("snap", Map.of("pk", s("k249")), true).item().get("v"));
                assertNull(client.getItem("snap", Map.of("pk", s("k250")), true).item());

                final CellResult retried = add(client, oldRequestId);
                assertTrue(retried.ok(), retried.toString());
                assertEquals(n(1), client.getItem("snap", Map.of("pk", s("c")), true).item().get("hits"),
                    "the retry was answered from the dedupe table restored from the snapshot, not applied again");
                assertTrue(add(client, client.newRequestId()).ok());
                assertEquals(n(2), client.getItem("snap", Map.of("pk", s("c")), true).item().get("hits"));
            }

            for (int i = 0; i < 3; i++)
            {
                final long pid = Long.parseLong(cell.launcher.statusProperties(i).orElseThrow().getProperty("pid"));
                final List<String> threads = threadNames(pid);
                assertEquals(1, threads.stream().filter(("cell-member-" + i)::equals).count(), threads.toString());
                assertTrue(threads.stream().noneMatch(name -> name.startsWith("archive-") ||
                    name.startsWith("consensus-") || name.startsWith("/")), // a driver's own thread is named after its directory
                    "the driver, archive and consensus module run on the member thread, after a restart from a " +
                    "snapshot too: " + threads);
            }
        }
    }

    /**
     * The names of a process's threads, as the kernel has them (15 characters at most).
     */
    private static List<String> threadNames(final long pid) throws java.io.IOException
    {
        try (java.util.stream.Stream<Path> tasks = java.nio.file.Files.list(Path.of("/proc", Long.toString(pid), "task")))
        {
            return tasks.map(task ->
            {
                try
                {
                    return java.nio.file.Files.readString(task.resolve("comm")).trim();
                }
                catch (final java.io.IOException ex)
                {
                    return ""; // the thread ended
                }
            }).toList();
        }
    }

    private static CellResult add(final CellClient client, final long requestId)
    {
        return client.updateItem("snap", Map.of("pk", s("c")), "ADD hits :one", null, null, Map.of(":one", n(1)), null,
            requestId, 10_000);
    }
}
