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

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Losing a follower keeps writes available; a member restarted from its own disk catches up; a member whose
 * directory is wiped is seeded from the others (no snapshot yet: the whole log), catches up and ends with the same
 * replica checksum.
 */
class FollowerLossAndWipedMemberTest
{
    @TempDir
    Path dir;

    @Test
    void writesStayAvailableWithoutAFollowerAndAWipedMemberConverges() throws Exception
    {
        try (CellFixture cell = CellFixture.start(dir); CellClient client = cell.client())
        {
            assertTrue(client.createTable(TableSpec.of("items").partitionKey("pk", KeyType.S), 30_000).ok());
            write(client, 0, 100);

            // eventually consistent reads are answered by one member outside the log (any role), and catch up
            assertEquals(n(99), eventually(client, "k99").item().get("v"));
            final long direct = client.readsAnsweredOutsideTheLog();
            assertTrue(direct >= 1);

            // (b) a follower is SIGKILLed: every write still succeeds, at once (no election: the leader keeps a majority)
            final int leader = cell.leader();
            final int follower = cell.aFollower();
            assertTrue(cell.launcher.kill(follower));
            final long start = System.nanoTime();
            write(client, 100, 300);
            for (int i = 0; i < 6; i++) // the read endpoints rotate past the dead member
            {
                assertEquals(n(299), eventually(client, "k299").item().get("v"));
            }
            assertTrue(client.readsAnsweredOutsideTheLog() >= direct + 6);
            System.out.println("200 writes without follower " + follower + ": " + (System.nanoTime() - start) / 1_000_000 + " ms");
            assertEquals(leader, cell.leader(), "no failover for a follower");

            // restarted from its own disk, it catches up from its log (snapshot + log) and agrees
            cell.launcher.startMember(follower);
            final List<Properties> restarted = cell.checksums(client, 0, 1, 2);
            assertEquals(1, restarted.stream().map(p -> p.getProperty("checksum")).distinct().count(),
                "checksums equal after a restart from disk: " + restarted);

            // (c) the same follower is killed and its directory wiped; writes go on; it rejoins empty and converges
            assertTrue(cell.launcher.kill(follower));
            cell.launcher.wipe(follower);
            try (java.util.stream.Stream<Path> left = Files.list(cell.launcher.layout().memberDir(follower)))
            {
                assertEquals(List.of(CellSeed.REQUEST_FILE), left.map(p -> p.getFileName().toString()).toList(),
                    "a wiped member's directory holds only the request to seed it from a peer");
            }
            write(client, 300, 400);
            cell.launcher.startMember(follower);
            write(client, 400, 450);
            final List<Properties> sums = cell.checksums(client, 0, 1, 2);
            assertEquals(1, sums.stream().map(p -> p.getProperty("checksum")).distinct().count(), sums.toString());
            assertEquals("450", sums.get(follower).getProperty("items"), sums.toString());
        }
    }

    /**
     * An eventually consistent read of a key just written: a member may not have applied it yet, so ask until it has.
     */
    private static CellResult eventually(final CellClient client, final String key) throws InterruptedException
    {
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (true)
        {
            final CellResult read = client.getItem("items", Map.of("pk", s(key)), false, 5_000);
            assertTrue(read.ok(), read.toString());
            if (null != read.item() || System.nanoTime() - deadline > 0)
            {
                return read;
            }
            Thread.sleep(5);
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
