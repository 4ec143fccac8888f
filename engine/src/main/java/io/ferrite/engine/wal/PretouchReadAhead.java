package io.ferrite.engine.wal;

/**
 * Whether the WAL's pretoucher lets the kernel read ahead when it pulls the file into the page cache, which decides
 * the size of the page-cache folios the WAL is written in (decision 0007). A pretoucher that populates the log's
 * mapping ({@link PretouchMethod#POPULATE}) gets 4 KiB folios by advising each chunk {@code MADV_RANDOM}.
 * <ul>
 *   <li>With read-ahead, Linux caches the file in large folios (up to 2 MiB with {@code read_ahead_kb} 8192). The
 *   writer then faults once per folio, not once per 4 KiB page: the most throughput. But a sync of the file
 *   write-protects each dirty folio whole, one TLB-flush IPI per page the writer has mapped in it, under the
 *   page-table lock the writer's next fault needs; syncing every 2 ms (BATCH) while the writer fills a folio
 *   stalls it for hundreds of microseconds to milliseconds.</li>
 *   <li>Without, each page is its own folio: a sync write-protects only the pages written since the last one, a
 *   page at a time. The writer pays one fault per new page (1-3 µs more at the median, a third or more less
 *   throughput at full speed) and its p99 under BATCH is several times to ten times shorter.</li>
 * </ul>
 */
public enum PretouchReadAhead
{
    /** {@link #ON} under {@link FsyncPolicy#NONE} (nothing syncs the file while it is written), else {@link #OFF}. */
    BY_POLICY,
    /** Large folios: the most throughput; long stalls when the file is synced while it is written. */
    ON,
    /** 4 KiB folios: the shortest tail when the file is synced while it is written; more page faults. */
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
