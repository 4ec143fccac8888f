package io.ferrite.engine.wal;

/**
 * What a {@link Wal#replay} found: immutable, safe to share.
 */
public final class ReplayResult
{
    private final long recordsReplayed;
    private final long lastSequence;
    private final long tornRecords;
    private final String tornDescription;

    ReplayResult(
        final long recordsReplayed, final long lastSequence, final long tornRecords, final String tornDescription)
    {
        this.recordsReplayed = recordsReplayed;
        this.lastSequence = lastSequence;
        this.tornRecords = tornRecords;
        this.tornDescription = tornDescription;
    }

    /**
     * @return records passed to the handler.
     */
    public long recordsReplayed()
    {
        return recordsReplayed;
    }

    /**
     * @return sequence of the last intact record in the log (0 for an empty log), replayed or not.
     */
    public long lastSequence()
    {
        return lastSequence;
    }

    /**
     * @return records that failed their checksum or structure, or were left unfinished by a killed writer,
     * and were skipped because nothing acknowledged was lost with them.
     */
    public long tornRecords()
    {
        return tornRecords;
    }

    /**
     * @return one line per torn record: file, byte offset, queue index and what was wrong; empty if none.
     */
    public String tornDescription()
    {
        return tornDescription;
    }

    public String toString()
    {
        return "ReplayResult{" +
            "recordsReplayed=" + recordsReplayed +
            ", lastSequence=" + lastSequence +
            ", tornRecords=" + tornRecords +
            (tornRecords > 0 ? ", torn=[" + tornDescription + "]" : "") +
            '}';
    }
}
