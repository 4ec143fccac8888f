package io.ferrite.engine.store;

/**
 * Where a hash store's pages live while it is open, and so who writes them to its file (decision 0014, "A store that
 * writes its own pages").
 * <ul>
 *   <li>{@link #ANONYMOUS}, the default: in the process's own memory (an anonymous mapping, in transparent huge pages
 *   where the kernel gives them), read from the file at open. The store notes every 4 KiB page it changes; a
 *   checkpoint writes the pages changed since the last one to the file ({@code pwrite}, on the checkpoint thread,
 *   while the shard goes on) and syncs it. Nothing else writes the file: no write-protect faults, no writeback by the
 *   kernel on its own schedule, and bytes written in proportion to the pages changed. Between checkpoints the file
 *   holds the last checkpoint's state: after a kill, as after a power loss, the write-ahead log's replay from the
 *   checkpoint brings back the rest. The store's pages take memory the kernel cannot evict: the store must fit in
 *   memory (with no swap), an open refuses a file holding more data than the memory available, and the shard refuses
 *   writes while the machine's available memory is under {@code ferrite.engine.minAvailableMemoryBytes}.</li>
 *   <li>{@link #MAPPED}: the file's shared mapping, as before: writes land in the page cache and survive a kill;
 *   the kernel writes dirty pages back when it likes (every 5 s once the file has been dirty for 30 s) and a
 *   checkpoint's {@code fsync} writes the rest, in page-cache folios of {@link StoreFolios}' size, write-protecting
 *   each page it cleans. A store larger than memory works, at the disk's speed.</li>
 * </ul>
 * Chronicle Map stores are always mapped.
 */
public enum StoreMemory
{
    /** The process's own memory; checkpoints write the changed pages: the default. */
    ANONYMOUS,
    /** The file's shared mapping; the kernel writes the pages back. */
    MAPPED
}
