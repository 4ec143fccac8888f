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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Log retention (keep the newest snapshot and the log from it): after write, snapshot, write, snapshot every member's
 * archived log recording starts past its first segments (those files are gone) and the first snapshot's recordings
 * are deleted; a member stopped across a snapshot restarts from its own disk and converges; a member wiped after
 * that is seeded with a peer's snapshot ({@link CellSeed}) and converges too.
 */
class LogPurgeAfterSnapshotsTest
{
    private static final String PAD = "x".repeat(1000);

    @TempDir
    Path dir;

    @Test
    void oldLogSegmentsAndSnapshotsArePurgedAndMembersStillConverge() throws Exception
    {
        try (CellFixture cell = CellFixture.start(dir, "-Dferrite.cell.logTermLength=64k",
            "-Dferrite.cell.logSegmentLength=64k", "-Dferrite.cell.logRetentionSnapshots=1");
            CellClient client = cell.client())
        {
            final CellResult created = client.createTable(TableSpec.of("purge").partitionKey("pk", KeyType.S), 30_000);
            assertTrue(created.ok(), created + "\n" + cell.logs());
            write(client, 0, 200);
            cell.launcher.snapshot(30_000);
            write(client, 200, 400);
            cell.launcher.snapshot(30_000);

            for (int member = 0; member < 3; member++)
            {
                final Properties status = awaitPurged(cell, member, 1);
                final long recordingId = Long.parseLong(status.getProperty("logRecordingId"));
                final Path archive = cell.launcher.layout().memberDir(member).resolve("archive");
                assertFalse(Files.exists(archive.resolve(recordingId + "-0.rec")),
                    "member " + member + "'s first log segment file is deleted: " + status);
                assertEquals("1", status.getProperty("snapshotsHeld"), status.toString());
                System.out.println("member " + member + ": log recording " + recordingId + " starts at " +
                    status.getProperty("logStartPosition") + ", latest snapshot at " +
                    status.getProperty("latestSnapshotPosition") + ", snapshot recordings purged " +
                    status.getProperty("snapshotRecordingsPurged"));
            }

            // a follower stopped across a snapshot keeps what it needs: its peers purge only to its latest snapshot
            final int follower = cell.aFollower();
            assertTrue(cell.launcher.kill(follower));
            write(client, 400, 500);
            cell.launcher.snapshot(30_000);
            write(client, 500, 550);
            cell.launcher.startMember(follower);
            final List<Properties> sums = cell.checksums(client, 0, 1, 2);
            assertEquals(1, sums.stream().map(p -> p.getProperty("checksum")).distinct().count(), sums.toString());
            assertEquals("550", sums.get(follower).getProperty("items"), sums.toString());

            // a member wiped after its peers purged is seeded with a peer's latest snapshot, then catches up
            final int leader = cell.leader();
            final long leaderLogStart = Long.parseLong(cell.launcher.statusProperties(leader).orElseThrow()
                .getProperty("logStartPosition"));
            assertTrue(leaderLogStart > 0, "the leader has no log before " + leaderLogStart);
            assertTrue(cell.launcher.kill(follower));
            cell.launcher.wipe(follower);
            write(client, 550, 600);
            cell.launcher.startMember(follower);
            write(client, 600, 620);
            final List<Properties> wiped = cell.checksums(client, 0, 1, 2);
            assertEquals(1, wiped.stream().map(p -> p.getProperty("checksum")).distinct().count(), wiped.toString());
            assertEquals("620", wiped.get(follower).getProperty("items"), wiped.toString());
            // status.properties is rewritten every 200 ms: read one written after the member caught up
            final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            Properties seeded = cell.launcher.statusProperties(follower).orElseThrow();
            while (Long.parseLong(seeded.getProperty("appliedPosition", "0")) <= 0 && System.nanoTime() < deadline)
            {
                Thread.sleep(50);
                seeded = cell.launcher.statusProperties(follower).orElseThrow();
            }
            assertTrue(Long.parseLong(seeded.getProperty("snapshotLoadedItems", "0")) >= 500,
                "the wiped member loaded a peer's snapshot: " + seeded);
            assertTrue(Long.parseLong(seeded.getProperty("logStartPosition")) > 0,
                "its log starts at the snapshot, not at 0: " + seeded);
            System.out.println("wiped member " + follower + " seeded: " + seeded.getProperty("snapshotLoadedItems") +
                " items from the snapshot, log from " + seeded.getProperty("logStartPosition"));
        }
    }

    /**
     * Waits until a member's log recording starts past position 0 and it deleted at least {@code snapshots} older
     * snapshots' recordings.
     */
    static Properties awaitPurged(final CellFixture cell, final int member, final int snapshots) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true)
        {
            final Properties status = cell.launcher.statusProperties(member).orElse(new Properties());
            if (Long.parseLong(status.getProperty("logStartPosition", "-1")) > 0 &&
                Long.parseLong(status.getProperty("snapshotRecordingsPurged", "0")) >= 2L * snapshots)
            {
                return status;
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("member " + member + " did not purge: " + status + "\n" + cell.logs());
            }
            Thread.sleep(50);
        }
    }

    static void write(final CellClient client, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            final CellResult result = client.putItem("purge", Map.of("pk", s("k" + i), "v", n(i), "pad", s(PAD)), null,
                null, null, client.newRequestId(), 10_000);
            assertTrue(result.ok(), result.toString());
        }
    }
}
