/**
 * The shard's write-ahead log: every mutation is appended (SBE {@code WalRecord}, CRC32C, sequence) to a
 * Chronicle Queue before it is acknowledged, forced to disk per {@link io.ferrite.engine.wal.FsyncPolicy},
 * replayed after a restart from the checkpoint's sequence, and purged file by file behind checkpoints.
 */
package io.ferrite.engine.wal;
