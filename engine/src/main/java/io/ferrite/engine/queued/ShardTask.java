package io.ferrite.engine.queued;

import io.ferrite.engine.shard.Shard;

/**
 * Work run on the shard thread with the shard in hand: the path for table management, batches and
 * anything else off the latency path (see {@link QueuedShard#execute}). It must not keep the shard or
 * call it after returning, and must not block.
 *
 * @param <T> the result type.
 */
@FunctionalInterface
public interface ShardTask<T>
{
    /**
     * @param shard the shard, owned by the calling (shard) thread for the duration of the call.
     * @return the result, completing the task's future.
     */
    T run(Shard shard);
}
