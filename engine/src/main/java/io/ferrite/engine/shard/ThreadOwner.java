package io.ferrite.engine.shard;

import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * The one thread allowed to use an object that is not thread-safe (a direct-mode {@link Shard}, a queued
 * {@link io.ferrite.engine.queued.ShardClient}), checked on every call. The first thread to call owns it; once the owner
 * has ended, the next caller takes it over (the end of a thread happens-before another thread sees it not alive, so
 * the new owner sees all the old one did); {@link #release()} gives it up for a hand-over.
 * <p>
 * <b>Threading:</b> thread-safe. {@link #isOwnedByCaller()} is one compare of {@link Thread#currentThread()} with a
 * volatile field (a plain load on x86) and allocates nothing; the owner's liveness is read, and a CAS made, only when
 * they differ, so that of two threads taking it at once one wins.
 */
public final class ThreadOwner
{
    private static final AtomicReferenceFieldUpdater<ThreadOwner, Thread> OWNER =
        AtomicReferenceFieldUpdater.newUpdater(ThreadOwner.class, Thread.class, "owner");

    private volatile Thread owner;

    /**
     * @return true when the calling thread owns it now: it did, or it was unowned or its owner had ended and the caller
     * took it; false when another thread that is alive owns it.
     */
    public boolean isOwnedByCaller()
    {
        final Thread current = Thread.currentThread();
        return current == owner || take(current);
    }

    /**
     * Gives ownership up (a volatile store: everything the owner did happens-before the next owner's CAS reads null).
     * Call it on the owner only.
     */
    public void release()
    {
        owner = null;
    }

    /**
     * @return the owner's thread name, for a refusal's message ({@code ?} when there is none).
     */
    public String ownerName()
    {
        final Thread thread = owner;
        return null == thread ? "?" : thread.getName();
    }

    private boolean take(final Thread current)
    {
        final Thread previous = owner;
        if ((null == previous || !previous.isAlive()) && OWNER.compareAndSet(this, previous, current))
        {
            return true;
        }
        return owner == current;
    }
}
