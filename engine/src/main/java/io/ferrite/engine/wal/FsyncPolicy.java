package io.ferrite.engine.wal;

/**
 * When {@link Wal#append} makes a record durable, and so what an acknowledged write survives.
 * <p>
 * "Acknowledged" means {@link Wal#append} has returned the record's sequence: the caller may then
 * answer the client. Every policy survives a process crash (SIGKILL, OOM, JVM abort) because the record
 * is in the shared memory-mapped cycle file, i.e. in the OS page cache, before {@code append} returns.
 * They differ only on loss of the OS (power loss, kernel panic):
 */
public enum FsyncPolicy
{
    /**
     * Never forces the file on the write path. Survives process crash; on power loss every record the kernel had
     * not yet written back is lost (Linux writes dirty pages back after about 5-30 s by default), and the tail may
     * be torn. Cheapest: no system call on the write path. An explicit {@link Wal#sync()} (the engine's
     * checkpoints, periodic and at close) forces every file written since the previous one, rolled ones included,
     * so what was appended before a checkpoint's sync survives a power loss.
     */
    NONE,

    /**
     * Group commit, off the writer's thread. A record is acknowledged before it is forced; the WAL's own
     * syncer thread makes the cycle file durable up to the last record appended (an {@code fdatasync} of that
     * prefix, decision 0007 "Syncing only what was written") every {@link WalConfig#batchIntervalNs()} when
     * records were appended since its last sync, and sooner when {@link WalConfig#batchMaxRecords()}
     * records are waiting (the appender wakes it). On power loss an acknowledged write is lost only if it
     * was appended less than {@code batchIntervalNs} plus the time two syncs take (a record that
     * just misses one sync waits for it to end, the interval and the next; plus any delay in scheduling the
     * syncer thread) before the loss; nothing older than that is ever lost. A failed sync fails the log: no
     * later append is accepted until restart ({@link Wal#throwIfFailed()}). The
     * appender never waits for a sync, except for one forced when the log rolls to a new file. Before each sync
     * the syncer unmaps the whole pages written since the last one from the appender's mapping (decision 0007,
     * "Unmapping what is synced"), so that writing them back costs one TLB shootdown, not one per page; the page
     * the last record ends in stays mapped, the sync write-protects it, and the appender's next store there
     * faults: about once per sync, since the pages the pretoucher populated past the last record are neither
     * unmapped nor written back ({@link PretouchMethod}, {@link PretouchReadAhead} for the folio size).
     */
    BATCH,

    /**
     * Each {@code append} forces the cycle file ({@code fdatasync}) before returning: an acknowledged
     * write survives power loss, given a device that honours flushes. The most expensive: one
     * {@code fdatasync} per write (see {@link Wal} for the cost measured here).
     */
    EVERY_WRITE
}
