package io.ferrite.cell;

import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A failure local to one member (its shard's WAL fdatasync fails, injected) is not an outcome of the log: the member
 * must not answer it nor record it in its dedupe table, where it would differ from the others for good. It stops
 * (the process halts, naming the cause in its log); the other two and the client carry on with the same answers and
 * checksums; started again, it rebuilds from the cluster's log and agrees with them.
 */
class AMemberWhoseWalSyncFailsStopsAndTheCellGoesOnTest
{
    @TempDir
    Path dir;

    @Test
    void theFailedMemberStopsAndTheOthersAndTheClientGoOnAlike() throws Exception
    {
        try (CellFixture cell = CellFixture.start(dir, "-Dferrite.engine.fsync=every_write", "-Dferrite.cell.faultInjection=true");
            CellClient client = cell.client())
        {
            assertTrue(client.createTable(TableSpec.of("items").partitionKey("pk", KeyType.S), 30_000).ok());
            write(client, 0, 20);

            final int leader = cell.leader();
            final int failing = cell.aFollower();
            final Path memberDir = cell.launcher.layout().memberDir(failing);
            final long pid = cell.launcher.pidOf(failing);
            Files.writeString(memberDir.resolve(CellMember.FAIL_WAL_SYNC_REQUEST), "1\n");
            awaitGone(memberDir.resolve(CellMember.FAIL_WAL_SYNC_REQUEST));
            Thread.sleep(500); // the service thread arms the WAL between two messages

            write(client, 20, 60);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
            {
                assertTrue(System.nanoTime() - deadline < 0, "member " + failing + " still runs\n" + cell.logs());
                Thread.sleep(50);
            }
            final String log = Files.readString(memberDir.resolve("member.log"));
            assertTrue(log.contains("STOPPING on a local failure") && log.contains("injected: a failed WAL fdatasync"),
                "the member names why it stopped:\n" + cell.logs());
            assertEquals(leader, cell.leader(), "a follower stopped: no failover");

            write(client, 60, 80);
            final List<Properties> two = cell.checksums(client, (failing + 1) % 3, (failing + 2) % 3);
            assertEquals(1, two.stream().map(p -> p.getProperty("checksum")).distinct().count(), two.toString());
            assertEquals("80", two.get(0).getProperty("items"), two.toString());
            for (int i = 0; i < 80; i += 7)
            {
                final CellResult read = client.getItem("items", Map.of("pk", s("k" + i)), true, 10_000);
                assertTrue(read.ok() && null != read.item(), read.toString());
                assertEquals(n(i), read.item().get("v"));
            }

            // started again it rebuilds from the log (its engine directory is derived state) and agrees
            cell.launcher.startMember(failing);
            write(client, 80, 90);
            final List<Properties> all = cell.checksums(client, 0, 1, 2);
            assertEquals(1, all.stream().map(p -> p.getProperty("checksum")).distinct().count(), all.toString());
            assertEquals("90", all.get(failing).getProperty("items"), all.toString());
        }
    }

    private static void awaitGone(final Path file) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.exists(file))
        {
            assertTrue(System.nanoTime() - deadline < 0, "the member did not take " + file);
            Thread.sleep(20);
        }
    }

    private static void write(final CellClient client, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            final CellResult result = client.putItem("items", Map.of("pk", s("k" + i), "v", n(i)), null, null, null,
                client.newRequestId(), 10_000);
            assertTrue(result.ok(), result.toString());
        }
    }
}
