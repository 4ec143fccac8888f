package io.ferrite.engine.shard;

/**
 * What opening a data directory found and did.
 *
 * @param checkpointSequence the WAL sequence the stores were synced at (0 for none).
 * @param recordsReplayed    WAL records applied after the checkpoint.
 * @param recordsSkipped     WAL records not applied: of tables deleted since, or puts the store refused at replay that
 *                           a later record of their key made moot (a put refused when first written is followed by a
 *                           correction), or the log's last record refused (see {@code Shard.RefusedPuts}).
 * @param tornRecords        records at the WAL's tail that were incomplete (a crash mid-append) and skipped.
 * @param tornDescription    where the torn records were, or empty.
 * @param lastSequence       the last intact WAL sequence.
 * @param items              items across all tables after recovery.
 * @param durationMs         how long recovery took.
 */
public record RecoveryReport(
    long checkpointSequence,
    long recordsReplayed,
    long recordsSkipped,
    long tornRecords,
    String tornDescription,
    long lastSequence,
    long items,
    long durationMs)
{
}
