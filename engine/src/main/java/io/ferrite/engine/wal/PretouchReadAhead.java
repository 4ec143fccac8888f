package io.ferrite.engine.wal;

/**
 * Whether the WAL's pretoucher lets the kernel read ahead when it pulls the file into the page cache, which decides
 * the size of the page-cache folios the WAL is written in (decision 0007). A pretoucher that populates the log's
 * mapping ({@link PretouchMethod#POPULATE}) gets 4 KiB folios by advising each chunk {@code MADV_RANDOM}.
 * <ul>
 *   <li>With read-ahead, Linux caches the file in large folios (up to 2 MiB with {@code read_ahead_kb} 8192). The
 *   writer then faults once per folio, not once per 4 KiB page. But a dirty folio is written back whole, and a sync
 *   write-protects it whole: syncing every 2 ms (BATCH) while the writer fills a folio writes the folio again at
 *   each sync (measured: 7.5 GB written in 10 s for 0.55 GB of log, decision 0007 "Syncing only what was
 *   written"), and where the folio is mapped page by page each sync sends one TLB-flush IPI per page the writer
 *   has mapped in it, under the page-table lock the writer's next fault needs (stalls of hundreds of microseconds
 *   to milliseconds, seen on an earlier VM).</li>
 *   <li>Without, each page is its own folio: a sync writes back and write-protects only the pages written since
 *   the last one.</li>
 * </ul>
 */
public enum PretouchReadAhead
{
    /** {@link #ON} under {@link FsyncPolicy#NONE} (nothing syncs the file while it is written), else {@link #OFF}. */
    BY_POLICY,
    /** Large folios: the fewest faults; many times the disk writes when the file is synced while it is written. */
    ON,
    /** 4 KiB folios: what a file synced while it is written needs; more page faults when it is not populated. */
    OFF;

    /**
     * @param policy the WAL's fsync policy.
     * @return whether the pretoucher reads with the kernel's read-ahead.
     */
    public boolean readsAhead(final FsyncPolicy policy)
    {
        return this == ON || (this == BY_POLICY && FsyncPolicy.NONE == policy);
    }
}
