/**
 * The persisted item-bytes store of one partition ({@link io.ferrite.engine.store.ItemStore}), keyed by index-key
 * bytes, used from the shard thread without allocation: our own open-addressing hash table and arena in one
 * mapped file ({@link io.ferrite.engine.store.HashItemStore}, decision 0014) or Chronicle Map
 * ({@link io.ferrite.engine.store.ChronicleItemStore}, decision 0003).
 */
package io.ferrite.engine.store;
