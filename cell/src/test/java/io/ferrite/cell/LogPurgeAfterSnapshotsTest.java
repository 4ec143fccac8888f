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
 * are deleted; a member stopped across a snapshot restarts from its own disk and converges.
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
