package io.ferrite.cell;

import io.aeron.archive.Archive;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterBackup;
import io.aeron.cluster.ClusterBackupMediaDriver;
import io.aeron.driver.MediaDriver;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * Rebuilds a wiped member's archive and recording log from a running peer before the member starts: Aeron's
 * {@link ClusterBackup} with {@link ClusterBackup.Configuration.ReplayStart#LATEST_SNAPSHOT} asks the other members
 * for their latest snapshot, replicates its recordings from a peer's archive into this member's archive, records the
 * log from the snapshot's position on and writes the recording log with the cluster's real positions. The member then
 * starts as if restarted from its own disk: it loads that snapshot and catches up from the leader after it. Open-source
 * Aeron Cluster has no other way to rebuild a member once its peers purged the log before their snapshot (a blank
 * member needs the leader's log from position 0, aeron-io/aeron#1533); when nothing was purged it also saves replaying
 * the whole log.
 * <p>
 * The backup listens on this member's own consensus endpoint (free until the member starts) and uses its driver,
 * archive and directories; it is done once it reaches BACKING_UP (snapshots retrieved, recording log written).
 */
final class CellSeed
{
    /** The file {@link CellLauncher#wipe} leaves in a wiped member's directory: seed before starting. */
    static final String REQUEST_FILE = "seed.request";

    private CellSeed()
    {
    }

    /**
     * Seeds the member when its directory asks for it ({@link #REQUEST_FILE}) and holds no recording log yet.
     *
     * @return whether it seeded.
     */
    static boolean seedIfRequested(
        final CellLayout layout, final int memberId, final MediaDriver.Context driver, final Archive.Context archive,
        final AeronArchive.Context localArchive, final File clusterDir, final long timeoutMs) throws Exception
    {
        final Path memberDir = layout.memberDir(memberId);
        final Path request = memberDir.resolve(REQUEST_FILE);
        if (!Files.exists(request))
        {
            return false;
        }
        if (Files.exists(clusterDir.toPath().resolve("recording.log")))
        {
            Files.delete(request); // a previous start seeded it already
            return false;
        }
        final StringJoiner peers = new StringJoiner(",");
        for (int i = 0; i < layout.members(); i++)
        {
            if (i != memberId)
            {
                peers.add(layout.consensusEndpoint(i));
            }
        }
        final String ephemeral = CellLayout.HOST + ":0";
        final ClusterBackup.Context backup = new ClusterBackup.Context()
            .aeronDirectoryName(driver.aeronDirectoryName())
            .clusterDir(clusterDir)
            .clusterConsensusEndpoints(peers.toString())
            .consensusChannel("aeron:udp?endpoint=" + layout.consensusEndpoint(memberId))
            .catchupEndpoint(ephemeral)
            .archiveContext(localArchive.clone())
            .clusterArchiveContext(new AeronArchive.Context()
                .controlRequestChannel("aeron:udp")
                .controlResponseChannel("aeron:udp?endpoint=" + ephemeral))
            .initialReplayStart(ClusterBackup.Configuration.ReplayStart.LATEST_SNAPSHOT)
            .clusterBackupCoolDownIntervalNs(TimeUnit.MILLISECONDS.toNanos(500))
            .deleteDirOnStart(false)
            .errorHandler(error -> System.out.println("ferrite cell seed: member " + memberId + ": " + error));
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        ClusterBackup.State state;
        try (ClusterBackupMediaDriver running = ClusterBackupMediaDriver.launch(driver, archive, backup))
        {
            while (ClusterBackup.State.BACKING_UP != (state =
                ClusterBackup.State.get(running.clusterBackup().context().stateCounter())))
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw new IllegalStateException("member " + memberId + " could not be seeded from its peers " +
                        peers + " within " + timeoutMs + " ms (backup state " + state + "): is a majority of the " +
                        "cell running? Start it again to retry (" + request + " stays)");
                }
                Thread.sleep(50);
            }
        }
        Files.delete(request);
        System.out.println("ferrite cell member " + memberId + " seeded from its peers' latest snapshot");
        return true;
    }
}
