/**
 * One Ferrite shard, no networking: tables, items, partitions, the off-heap store, the shard loop,
 * the write-ahead log and recovery, and the embedded API.
 */
package io.ferrite.engine;
