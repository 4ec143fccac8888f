package io.ferrite.engine.store;

/**
 * The size of the page-cache folios a mapped hash store's file ({@link StoreMemory#MAPPED}) is cached in, which
 * decides how much the kernel writes back for a page the store dirtied (decision 0014, "What the kernel's writeback
 * costs"). A store in its own memory ({@link StoreMemory#ANONYMOUS}, the default) writes its changed pages itself,
 * 4 KiB at a time, and ignores this.
 * <ul>
 *   <li>{@link #LARGE}: the kernel's default read-around on the store's mapping, which on Linux 6.x with ext4 caches
 *   the file in folios of up to 2 MiB, mapped by PMD. A write fault, a sync and the kernel's writeback each take a
 *   whole folio at once: few faults, so the most throughput when puts come fast enough to dirty every folio between
 *   two syncs anyway. But a dirty folio is written back whole: puts that touch a few pages of each folio get every
 *   folio written, and the kernel's own writeback (every 5 s, once the file has been dirty for 30 s) does so again
 *   and again. Measured at 2,000 puts/s: 9.3 GB written in 70 s, and one 274 ms stall of the writer when that
 *   writeback started.</li>
 *   <li>{@link #SMALL}: the mapping is advised {@code MADV_RANDOM}, so a fault reads no window around its page and
 *   each page the store touches is its own 4 KiB folio: only the pages dirtied are written back (1.1 GB in the same
 *   70 s, longest stall 19 ms), but every page written back is write-protected and faults again at its next put:
 *   at full speed, where a checkpoint writes back nearly every page, PutItem ran at 134 k against 355 k puts/s
 *   under NONE.</li>
 * </ul>
 * Only pages brought into the page cache after the store is opened follow the setting: a file still cached from an
 * earlier open keeps the folios it has until they are evicted.
 */
public enum StoreFolios
{
    /** The kernel's read-around, large folios: the default; for shards written near full speed. */
    LARGE,
    /** {@code MADV_RANDOM}, 4 KiB folios: for shards written at moderate rates, whose disk and tail matter more. */
    SMALL
}
