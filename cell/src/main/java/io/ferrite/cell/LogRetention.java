package io.ferrite.cell;

import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.RecordingLog;

import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;

/**
 * Bounds a member's archived cluster log: keeps the newest {@code keepSnapshots} snapshots and the log from the
 * oldest of them on, and deletes the rest with the archive's supported operations ({@link
 * AeronArchive#purgeSegments} on the log recording, at a segment boundary; {@link AeronArchive#purgeRecording} for
 * older snapshot recordings). Runs on the member process's status thread, against its own archive.
 * <p>
 * Aeron Cluster (open source) has no Raft snapshot installation: a member that needs log older than the leader's
 * first retained position cannot catch up from it (aeron-io/aeron#1533). So a member never purges log a peer of the
 * cell may still need: the purge point is also bounded by every member's latest snapshot position as its status
 * file shows it (a stopped member's file keeps what its disk holds; a member with no status file - wiped, or never
 * started - stops all purging until it has one). A member whose directory was wiped after its peers purged is
 * seeded from a peer's latest snapshot and log ({@link CellSeed}) before it starts. 0 snapshots to keep: purge nothing.
 */
final class LogRetention implements AutoCloseable
{
    private final CellLayout layout;
    private final int memberId;
    private final File clusterDir;
    private final AeronArchive.Context archiveContext;
    private final int keepSnapshots;
    private AeronArchive archive;

    long logRecordingId = -1;
    long logStartPosition = -1;
    long latestSnapshotPosition = -1;
    int snapshotsHeld;
    long purgedSegmentsTo = -1;
    long snapshotRecordingsPurged;
    String lastError = "";

    LogRetention(
        final CellLayout layout, final int memberId, final File clusterDir, final AeronArchive.Context archiveContext,
        final int keepSnapshots)
    {
        this.layout = layout;
        this.memberId = memberId;
        this.clusterDir = clusterDir;
        this.archiveContext = archiveContext;
        this.keepSnapshots = keepSnapshots;
    }

    /**
     * Reads the recording log and, when retention is on, purges what is no longer needed.
     */
    void run()
    {
        if (!Files.exists(clusterDir.toPath().resolve(RecordingLog.RECORDING_LOG_FILE_NAME)))
        {
            return; // the consensus module has not written it yet
        }
        try
        {
            final List<RecordingLog.Entry> entries;
            try (RecordingLog recordingLog = new RecordingLog(clusterDir, false))
            {
                entries = recordingLog.entries();
                logRecordingId = recordingLog.findLastTermRecordingId();
            }
            final TreeSet<Long> positions = new TreeSet<>();
            for (final RecordingLog.Entry entry : entries)
            {
                if (entry.isValid && RecordingLog.ENTRY_TYPE_SNAPSHOT == entry.type &&
                    ConsensusModule.Configuration.SERVICE_ID == entry.serviceId)
                {
                    positions.add(entry.logPosition);
                }
            }
            latestSnapshotPosition = positions.isEmpty() ? -1 : positions.last();
            if (logRecordingId < 0)
            {
                return;
            }
            final long[] descriptor = describe(logRecordingId);
            if (null == descriptor)
            {
                return;
            }
            logStartPosition = descriptor[0];
            if (keepSnapshots <= 0 || positions.isEmpty())
            {
                snapshotsHeld = positions.size();
                return;
            }
            final List<Long> kept = new ArrayList<>(positions.descendingSet()).subList(0, Math.min(keepSnapshots, positions.size()));
            final long oldestKept = kept.get(kept.size() - 1);

            // old snapshot recordings of this member (both services' entries for a position older than kept)
            for (final RecordingLog.Entry entry : entries)
            {
                if (entry.isValid && RecordingLog.ENTRY_TYPE_SNAPSHOT == entry.type && entry.logPosition < oldestKept &&
                    null != describe(entry.recordingId))
                {
                    archive().purgeRecording(entry.recordingId);
                    snapshotRecordingsPurged++;
                }
            }
            snapshotsHeld = kept.size();

            long target = oldestKept;
            for (int peer = 0; peer < layout.members(); peer++)
            {
                if (peer != memberId)
                {
                    final long peerSnapshot = peerLatestSnapshot(peer);
                    target = Math.min(target, peerSnapshot);
                }
            }
            if (target <= logStartPosition)
            {
                return;
            }
            final long segmentBase = AeronArchive.segmentFileBasePosition(
                descriptor[0], target, (int)descriptor[1], (int)descriptor[2]);
            if (segmentBase > logStartPosition)
            {
                archive().purgeSegments(logRecordingId, segmentBase);
                purgedSegmentsTo = segmentBase;
                logStartPosition = segmentBase;
            }
            lastError = "";
        }
        catch (final RuntimeException ex)
        {
            lastError = String.valueOf(ex.getMessage()).replace('\n', ' ');
        }
    }

    /**
     * @return {start position, term length, segment file length} of a recording, or null if the archive has none.
     */
    private long[] describe(final long recordingId)
    {
        final long[] result = new long[3];
        final int found = archive().listRecording(recordingId,
            (controlSessionId, correlationId, id, startTimestamp, stopTimestamp, startPosition, stopPosition,
                initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId, streamId, strippedChannel,
                originalChannel, sourceIdentity) ->
            {
                result[0] = startPosition;
                result[1] = termBufferLength;
                result[2] = segmentFileLength;
            });
        return 0 == found ? null : result;
    }

    /**
     * @return a peer's latest snapshot position from its status file; -1 (purge nothing) when it has none.
     */
    private long peerLatestSnapshot(final int peer)
    {
        final Path file = layout.memberDir(peer).resolve("status.properties");
        final Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file))
        {
            p.load(in);
            return Long.parseLong(p.getProperty("latestSnapshotPosition", "-1"));
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }

    private AeronArchive archive()
    {
        if (null == archive)
        {
            archive = AeronArchive.connect(archiveContext.clone());
        }
        return archive;
    }

    /**
     * @return the status lines of retention.
     */
    String status()
    {
        return "logRecordingId=" + logRecordingId + "\n" +
            "logStartPosition=" + logStartPosition + "\n" +
            "latestSnapshotPosition=" + latestSnapshotPosition + "\n" +
            "snapshotsHeld=" + snapshotsHeld + "\n" +
            "logRetentionSnapshots=" + keepSnapshots + "\n" +
            "purgedSegmentsTo=" + purgedSegmentsTo + "\n" +
            "snapshotRecordingsPurged=" + snapshotRecordingsPurged + "\n" +
            "retentionError=" + lastError + "\n";
    }

    public void close()
    {
        if (null != archive)
        {
            archive.close();
            archive = null;
        }
    }
}
