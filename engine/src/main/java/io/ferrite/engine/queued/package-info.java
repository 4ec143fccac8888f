/**
 * The shard loop in queued mode: a {@link io.ferrite.engine.queued.ShardAgent} owns a shard on its own
 * thread; other threads submit commands through a bounded ring buffer with a
 * {@link io.ferrite.engine.queued.ShardClient} each and receive completions when they poll. Start it with
 * {@link io.ferrite.engine.queued.QueuedShard}. See docs/decisions/0002-queued-mode.md.
 */
package io.ferrite.engine.queued;
