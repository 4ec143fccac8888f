/**
 * The ordered index of one shard: an off-heap B+tree from index keys (decision 0001:
 * {@code hash:u64 BE, pkLength:u16 BE, pk, sk}, compared as unsigned byte strings) to a {@code long}.
 * Everything here is owned by the shard thread.
 */
package io.ferrite.engine.index;
