package io.ferrite.engine.queued;

import io.ferrite.engine.shard.Shard;

import java.util.concurrent.CompletableFuture;

/**
 * A {@link ShardTask} in flight: created by the submitting thread, run and completed on the shard thread.
 * The future is completed on the shard thread, so dependent stages run there unless the caller asks for
 * an executor: use {@code join()} or the {@code *Async} methods.
 *
 * @param <T> the result type.
 */
final class TaskCommand<T>
{
    private final ShardTask<T> task;
    private final CompletableFuture<T> future = new CompletableFuture<>();

    TaskCommand(final ShardTask<T> task)
    {
        this.task = task;
    }

    CompletableFuture<T> future()
    {
        return future;
    }

    /**
     * Completes the task with {@code failure} without running it (its shard has stopped).
     */
    void refuse(final Throwable failure)
    {
        future.completeExceptionally(failure);
    }

    void run(final Shard shard)
    {
        try
        {
            future.complete(task.run(shard));
        }
        catch (final Throwable ex)
        {
            future.completeExceptionally(ex);
            if (ex instanceof Error)
            {
                throw (Error)ex;
            }
        }
    }
}
