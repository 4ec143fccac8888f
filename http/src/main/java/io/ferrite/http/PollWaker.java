package io.ferrite.http;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The front's one waker thread: hands each event loop's poll task back to its loop once the loop's wait (about
 * 50 us) is over, for answers slower than the loop's spin. It parks with microsecond precision, where the NIO
 * selector's timeout (and so Netty's own {@code schedule}) rounds a 50 us delay up to about 1 ms; and unlike a
 * {@code ScheduledThreadPoolExecutor}, arming it allocates nothing on the event loop (it used to create a
 * scheduled task, ~170 bytes, per wait). With nothing armed the thread parks until a loop arms it.
 * <p>
 * Threading: {@link #arm} from each event loop; {@link #run} on the waker thread; {@link #close} from the front's
 * controlling thread.
 */
final class PollWaker implements Runnable, AutoCloseable
{
    /** One event loop's alarm: when (System.nanoTime) to run its poll, 0 when not armed. */
    static final class Alarm
    {
        final AtomicLong wakeAtNs = new AtomicLong();
        final Runnable wake;

        Alarm(final Runnable wake)
        {
            this.wake = wake;
        }
    }

    private final Thread thread;
    private volatile Alarm[] alarms = new Alarm[0];
    private volatile boolean sleeping;
    private volatile boolean running = true;

    PollWaker()
    {
        thread = new Thread(this, "ferrite-http-waker");
        thread.setDaemon(true);
    }

    /**
     * Adds a loop's alarm (before {@link #start}).
     */
    Alarm alarm(final Runnable wake)
    {
        final Alarm alarm = new Alarm(wake);
        final Alarm[] more = java.util.Arrays.copyOf(alarms, alarms.length + 1);
        more[more.length - 1] = alarm;
        alarms = more;
        return alarm;
    }

    void start()
    {
        thread.start();
    }

    /**
     * Runs the alarm's task on the waker thread after {@code delayNs}.
     */
    void arm(final Alarm alarm, final long delayNs)
    {
        final long at = System.nanoTime() + delayNs;
        alarm.wakeAtNs.set(0 == at ? 1 : at);
        if (sleeping)
        {
            LockSupport.unpark(thread);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void run()
    {
        final Alarm[] all = alarms;
        while (running)
        {
            final long now = System.nanoTime();
            long wait = Long.MAX_VALUE;
            for (final Alarm alarm : all)
            {
                final long at = alarm.wakeAtNs.get();
                if (0 != at)
                {
                    final long left = at - now;
                    if (left <= 0)
                    {
                        if (alarm.wakeAtNs.compareAndSet(at, 0))
                        {
                            wake(alarm);
                        }
                    }
                    else
                    {
                        wait = Math.min(wait, left);
                    }
                }
            }
            if (Long.MAX_VALUE != wait)
            {
                LockSupport.parkNanos(this, wait);
                continue;
            }
            sleeping = true;
            if (!armed(all) && running)
            {
                LockSupport.park(this);
            }
            sleeping = false;
        }
    }

    private static void wake(final Alarm alarm)
    {
        try
        {
            alarm.wake.run();
        }
        catch (final java.util.concurrent.RejectedExecutionException ex)
        {
            // The loop is shutting down (the front is closing): nothing left to poll.
        }
    }

    private static boolean armed(final Alarm[] all)
    {
        for (final Alarm alarm : all)
        {
            if (0 != alarm.wakeAtNs.get())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Stops the thread and waits for it.
     */
    public void close()
    {
        running = false;
        LockSupport.unpark(thread);
        try
        {
            thread.join(2_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
