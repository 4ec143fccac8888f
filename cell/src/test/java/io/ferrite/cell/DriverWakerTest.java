package io.ferrite.cell;

import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The waker's two directions: the driver's idle strategy unparks a client's thread registered as waiting once a duty
 * cycle did work (and not after an idle one, nor once the client stopped waiting), and a client's offer unparks the
 * driver's thread. The parks here are a minute long, so a thread that comes back within the test's seconds was woken.
 */
class DriverWakerTest
{
    private static final long PARK_NS = TimeUnit.MINUTES.toNanos(1);

    @Test
    void aDutyCycleWithWorkWakesTheWaitingClientsOnly() throws Exception
    {
        final DriverWaker waker = new DriverWaker();
        final IdleStrategy driverIdle = waker.idleStrategy(NoOpIdleStrategy.INSTANCE);
        final int slot = waker.register();
        final CountDownLatch parked = new CountDownLatch(1);
        final AtomicBoolean woken = new AtomicBoolean();
        final Thread client = new Thread(() ->
        {
            waker.waiting(slot, Thread.currentThread());
            parked.countDown();
            LockSupport.parkNanos(PARK_NS);
            woken.set(true);
        });
        client.setDaemon(true); // a failed run leaves it parked
        client.start();
        assertTrue(parked.await(10, TimeUnit.SECONDS));
        waitUntilParked(client);

        driverIdle.idle(0); // nothing received: no wake-up
        client.join(200);
        assertFalse(woken.get(), "an idle duty cycle woke the client");

        driverIdle.idle(1);
        client.join(TimeUnit.SECONDS.toMillis(10));
        assertTrue(woken.get(), "a duty cycle with work did not wake the waiting client");

        waker.waiting(slot, null); // the client no longer waits: its thread is not disturbed again
        final Thread other = new Thread(() -> LockSupport.parkNanos(PARK_NS));
        other.setDaemon(true);
        other.start();
        waitUntilParked(other);
        driverIdle.idle(1);
        other.join(200);
        assertTrue(other.isAlive(), "a thread that never registered was woken");
        LockSupport.unpark(other);
        other.join();
    }

    @Test
    void anOfferWakesTheDriversThread() throws Exception
    {
        final DriverWaker waker = new DriverWaker();
        final AtomicBoolean woken = new AtomicBoolean();
        final Thread driver = waker.threadFactory().newThread(() ->
        {
            LockSupport.parkNanos(PARK_NS);
            woken.set(true);
        });
        driver.setDaemon(true);
        driver.start();
        waitUntilParked(driver);
        waker.wakeDriver();
        driver.join(TimeUnit.SECONDS.toMillis(10));
        assertTrue(woken.get(), "wakeDriver did not unpark the thread the driver's factory made");
    }

    @Test
    void aWakerRefusesMoreClientsThanItHasSlots()
    {
        final DriverWaker waker = new DriverWaker();
        for (int i = 0; i < DriverWaker.MAX_CLIENTS; i++)
        {
            waker.register();
        }
        final IllegalStateException refused = assertThrows(IllegalStateException.class, waker::register);
        assertTrue(refused.getMessage().contains(Integer.toString(DriverWaker.MAX_CLIENTS)), refused.getMessage());
    }

    private static void waitUntilParked(final Thread thread) throws InterruptedException
    {
        while (Thread.State.TIMED_WAITING != thread.getState())
        {
            Thread.sleep(1);
        }
    }
}
