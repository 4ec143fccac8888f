package io.ferrite.cell;

import io.aeron.driver.MediaDriver;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Wakes the threads on either side of a client's media driver (SHARED threading) when they have work, instead of
 * leaving them to notice at the end of a back-off park.
 * <p>
 * A request from a {@link CellClient} crosses two hand-offs in the client's own process: the calling thread offers
 * it and the driver's thread sends it, and later the driver's thread receives the answer and the calling thread,
 * waiting for it, polls it. Each side backs off to parks of up to 100-200 us when idle, so each hand-off cost about
 * half a park (decision 0013). With a waker, a client unparks the driver's thread after it offers
 * ({@link #wakeDriver()}), and the driver's idle strategy ({@link #idleStrategy}) unparks every thread waiting for an
 * answer after a duty cycle that did work (received something, among other things). A thread that is not parked
 * when woken only finds its next park returning at once.
 * <p>
 * Use: build the driver's context with {@link #configure(MediaDriver.Context, IdleStrategy)} and hand the waker to the
 * clients ({@link CellClientConfig#driverWaker}); a client that starts its own driver makes its own waker.
 * <p>
 * <b>Threading:</b> thread-safe; waking allocates nothing.
 */
public final class DriverWaker
{
    /** Clients one waker serves, over its life (slots are not reused). */
    public static final int MAX_CLIENTS = 4096;

    private final AtomicReferenceArray<Thread> waiting = new AtomicReferenceArray<>(MAX_CLIENTS);
    private final AtomicInteger clients = new AtomicInteger();
    private volatile Thread driverThread;

    /**
     * Sets a SHARED-threading driver context's thread factory (to know its thread) and idle strategy (to wake the
     * waiting clients).
     *
     * @param context the driver's context.
     * @param idle    how the driver backs off when idle.
     * @return the context.
     */
    public MediaDriver.Context configure(final MediaDriver.Context context, final IdleStrategy idle)
    {
        return context
            .sharedThreadFactory(threadFactory())
            .sharedIdleStrategy(idleStrategy(idle));
    }

    /**
     * @return a thread factory for the driver's one thread, which this waker then unparks.
     */
    public ThreadFactory threadFactory()
    {
        return runnable ->
        {
            final Thread thread = new Thread(runnable);
            driverThread = thread;
            return thread;
        };
    }

    /**
     * @param delegate how the driver backs off when idle.
     * @return the driver's idle strategy: after a duty cycle that did work it wakes the waiting clients, then it
     * backs off as {@code delegate} does.
     */
    public IdleStrategy idleStrategy(final IdleStrategy delegate)
    {
        return new IdleStrategy()
        {
            public void idle(final int workCount)
            {
                if (workCount > 0)
                {
                    wakeWaiting();
                }
                delegate.idle(workCount);
            }

            public void idle()
            {
                delegate.idle();
            }

            public void reset()
            {
                delegate.reset();
            }

            public String alias()
            {
                return "ferrite-driver-waker";
            }
        };
    }

    /**
     * Unparks the driver's thread: something was offered for it to send.
     */
    public void wakeDriver()
    {
        final Thread thread = driverThread;
        if (null != thread)
        {
            LockSupport.unpark(thread);
        }
    }

    /**
     * @return a slot for one client's waiting thread.
     * @throws IllegalStateException when {@link #MAX_CLIENTS} clients have used this waker.
     */
    int register()
    {
        final int slot = clients.getAndIncrement();
        if (slot >= MAX_CLIENTS)
        {
            throw new IllegalStateException("a driver waker serves at most " + MAX_CLIENTS + " clients over its life");
        }
        return slot;
    }

    /**
     * @param slot   the client's slot.
     * @param thread the thread now waiting for an answer, or null when none is.
     */
    void waiting(final int slot, final Thread thread)
    {
        waiting.set(slot, thread);
    }

    private void wakeWaiting()
    {
        final int count = Math.min(clients.get(), MAX_CLIENTS);
        for (int i = 0; i < count; i++)
        {
            final Thread thread = waiting.get(i);
            if (null != thread)
            {
                LockSupport.unpark(thread);
            }
        }
    }
}
