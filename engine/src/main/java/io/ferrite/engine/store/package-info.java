/**
 * The persisted item-bytes store of one partition: Chronicle Map over a file, keyed by index-key bytes,
 * accessed from the shard thread without allocation.
 */
package io.ferrite.engine.store;
