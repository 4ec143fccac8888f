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
import java.util.stream.Stream;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Members apply the same log each to its own engine, so the settings that decide outcomes of the log (partition
 * bounds, the dedupe table's bounds: CellSettings) must be equal on all of them. The first leader's SETTINGS message
 * records the cell's in the log (and so in snapshots); a member started with other values stops (exit 70, as on any
 * local failure) naming the setting, before it applies a client's message: replaying the log, at the SETTINGS message;
 * restored from a snapshot, at start. The other two go on; started with the cell's settings, it rejoins and agrees.
 */
class AMemberWhoseSettingsDifferStopsBeforeApplyingTest
{
    @TempDir
    Path dir;

    @Test
    void aMemberWithOtherBoundsStopsNamingThemAndTheCellGoesOn() throws Exception
    {
        try (CellFixture cell = CellFixture.start(dir, "-Dferrite.engine.partitionMaxItems=1000");
            CellClient client = cell.client())
        {
            assertTrue(client.createTable(TableSpec.of("items").partitionKey("pk", KeyType.S), 30_000).ok());
            write(client, 0, 10);
            final int odd = cell.aFollower();
            final Path memberDir = cell.launcher.layout().memberDir(odd);

            // replaying the log from its start (no snapshot yet): it stops at the SETTINGS message, before the
            // CreateTable that follows it, so its (fresh) engine directory never gets the table's store
            cell.launcher.kill(odd);
            expectStop(cell, odd, List.of("-Dferrite.engine.partitionMaxBytes=123456789"),
                "ferrite.engine.partitionMaxBytes: here 123456789, cell ");
            try (Stream<Path> stores = Files.exists(memberDir.resolve("engine/stores")) ?
                Files.list(memberDir.resolve("engine/stores")) : Stream.empty())
            {
                assertEquals(List.of(), stores.toList(), "the member applied no client message before it stopped");
            }
            write(client, 10, 20); // the other two go on

            // started with the cell's settings it catches up; a snapshot then carries the settings of record
            cell.launcher.startMember(odd);
            cell.checksums(client, 0, 1, 2);
            cell.launcher.snapshot(30_000);
            write(client, 20, 30);

            // restored from its snapshot with another dedupe bound: it stops at start, before replaying the log
            cell.launcher.kill(odd);
            expectStop(cell, odd, List.of("-Dferrite.cell.dedupeMaxBytes=16m"),
                "ferrite.cell.dedupeMaxBytes: here 16777216, cell 67108864");
            assertTrue(Files.readString(memberDir.resolve("member.log")).contains("having loaded its snapshot"),
                cell.logs());
            write(client, 30, 40);

            // a setting that decides nothing replicated may differ
            cell.launcher.startMember(odd, List.of("-Dferrite.engine.fsync=every_write"));
            write(client, 40, 50);
            final List<Properties> sums = cell.checksums(client, 0, 1, 2);
            assertEquals(1, sums.stream().map(p -> p.getProperty("checksum")).distinct().count(), sums.toString());
            assertEquals("50", sums.get(odd).getProperty("items"), sums.toString());
            // each member's status shows its own fingerprint and the cell's, which came through the log: all equal
            final java.util.Set<String> fingerprints = new java.util.HashSet<>();
            for (int i = 0; i < 3; i++)
            {
                final Properties status = awaitStatusWith(cell, i, "cellSettingsFingerprint");
                assertEquals(status.getProperty("settingsFingerprint"), status.getProperty("cellSettingsFingerprint"),
                    status.toString());
                fingerprints.add(status.getProperty("cellSettingsFingerprint"));
            }
            assertEquals(1, fingerprints.size(), fingerprints.toString());
        }
    }

    private static void expectStop(final CellFixture cell, final int member, final List<String> options, final String naming)
        throws Exception
    {
        final Path logFile = cell.launcher.layout().memberDir(member).resolve("member.log");
        final int before = Files.exists(logFile) ? Files.readString(logFile).length() : 0;
        final Process process = cell.launcher.startMember(member, options);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "member " + member + " still runs\n" + cell.logs());
        final String last = Files.readString(logFile).substring(before); // this run's output
        assertEquals(CellMember.EXIT_LOCAL_FAILURE, process.exitValue(), last);
        assertTrue(last.contains("STOPPING on a local failure") && last.contains("differ from the cell's") &&
            last.contains(naming), last);
    }

    private static Properties awaitStatusWith(final CellFixture cell, final int member, final String key)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true)
        {
            final Properties status = cell.launcher.statusProperties(member).orElse(new Properties());
            final String value = status.getProperty(key, "");
            if (!value.isEmpty())
            {
                return status;
            }
            assertTrue(System.nanoTime() - deadline < 0, "member " + member + ": no " + key + " in " + status);
            Thread.sleep(50);
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
