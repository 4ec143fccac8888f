package io.ferrite.engine.wal;

/**
 * How the WAL's pretoucher prepares the file being written ahead of the owner's write position (decision 0007,
 * "Populating the writer's own mapping").
 * <ul>
 *   <li>{@link #POPULATE}: through the appender's own mapping of the file. The pretoucher reserves the chunk of the
 *   mapping ahead (which also grows the file and maps the chunk, work the owner would otherwise do at the chunk's
 *   start) and asks the kernel to fault its pages in writable ({@code madvise(MADV_POPULATE_WRITE)}, Linux 5.14 and
 *   later). The owner's stores then find their page-table entries present and writable and take no fault.
 *   The contents are not changed: the kernel does what a write fault does, without writing.</li>
 *   <li>{@link #READ}: through a descriptor of its own, reading the file into the page cache ({@link
 *   PretouchReadAhead} says how). The owner still faults once per page-cache folio to map it, and the
 *   page-cache work of a fault is done.</li>
 * </ul>
 * A sync of the whole file writes back every dirty page of it, those populated ahead of the owner included, and
 * write-protects them again, so that the owner faults on each page anyway. BATCH's syncer syncs only the file's
 * written prefix (decision 0007, "Syncing only what was written"), which leaves the pages ahead alone; EVERY_WRITE
 * syncs the whole file after every record. {@link #BY_POLICY} populates under NONE and BATCH. On a kernel without
 * {@code MADV_POPULATE_WRITE}, or for a log whose bytes are not a mapped file, populating falls back to
 * {@link #READ}, with a warning in the log.
 */
public enum PretouchMethod
{
    /**
     * {@link #POPULATE} under {@link FsyncPolicy#NONE} and {@link FsyncPolicy#BATCH}; {@link #READ} under
     * EVERY_WRITE, whose syncs of the whole file would write back and write-protect the pages populated ahead before
     * the owner reaches them (the default).
     */
    BY_POLICY,
    /** Fault the pages in writable through the appender's own mapping. */
    POPULATE,
    /** Read the file into the page cache through a descriptor of its own (the only method before POPULATE). */
    READ;

    /**
     * @param policy the WAL's fsync policy.
     * @return whether the pretoucher populates the appender's mapping.
     */
    public boolean populates(final FsyncPolicy policy)
    {
        return this == POPULATE || (this == BY_POLICY && FsyncPolicy.EVERY_WRITE != policy);
    }
}
