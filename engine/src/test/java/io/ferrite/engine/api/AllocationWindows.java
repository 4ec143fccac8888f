package io.ferrite.engine.api;

import java.util.Arrays;

/**
 * Counts what a loop allocates on the calling thread, window after window, until a run of windows in a row has
 * allocated nothing: the check of a path that must allocate nothing at all, made robust against the JVM's own
 * one-off allocations while its compiler is still at work, and not against garbage the path makes.
 * <p>
 * Why one window is not enough, measured (JFR's allocation events with TLABs turned off, so that every allocation is
 * an event with its stack; 2026-12-07): when a call makes a method hot enough for C2, HotSpot first resolves every
 * String constant of that method's class on the calling thread, a String and its byte[] per literal (48 bytes for a
 * short literal, 8.9 KB for all of {@code Shard}'s error messages), once per class. They show as allocations at the
 * entry of our own methods that allocate nothing. With the compiler lagging behind on a loaded machine, such one-offs
 * land in measured windows long after a fixed warm-up: CI saw 48 bytes in each of three windows of 5,000 failing
 * conditional puts after 20,000 calls of warm-up, where the least of the three had to be 0.
 * <p>
 * What still fails: an object a call makes costs at least 16 bytes in every window; garbage made every so often (a
 * buffer regrown every N calls, say) falls in every run of windows that spans more than N calls. So a path passes
 * only if some {@code run} windows in a row allocated nothing, within {@code maxWindows}.
 */
final class AllocationWindows
{
    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
    private final int run;
    private final int maxWindows;

    /**
     * @param run        windows in a row that must allocate nothing.
     * @param maxWindows windows measured at most before giving up.
     */
    AllocationWindows(final int run, final int maxWindows)
    {
        if (run < 1 || maxWindows < run)
        {
            throw new IllegalArgumentException("run=" + run + " maxWindows=" + maxWindows);
        }
        this.run = run;
        this.maxWindows = maxWindows;
    }

    /**
     * Measures windows until {@code run} of them in a row allocated nothing, or {@code maxWindows} have been measured.
     *
     * @param window one window's calls.
     * @return the bytes each window allocated, in order: ending in {@code run} zeros when the path passed.
     */
    long[] measure(final Runnable window)
    {
        final long[] bytes = new long[maxWindows];
        int clean = 0;
        for (int i = 0; i < maxWindows; i++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            window.run();
            bytes[i] = threads.getCurrentThreadAllocatedBytes() - before;
            clean = 0 == bytes[i] ? clean + 1 : 0;
            if (clean == run)
            {
                return Arrays.copyOf(bytes, i + 1);
            }
        }
        return bytes;
    }

    /**
     * @param windows what {@link #measure} returned.
     * @return true if it ends in a clean run.
     */
    boolean passed(final long[] windows)
    {
        if (windows.length < run)
        {
            return false;
        }
        for (int i = windows.length - run; i < windows.length; i++)
        {
            if (0 != windows[i])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param windows what {@link #measure} returned.
     * @return the windows' figures and what a pass needed, for a message.
     */
    String describe(final long[] windows)
    {
        return windows.length + " windows allocated " + Arrays.toString(windows) + " bytes (a pass needs " + run +
            " in a row at 0 within " + maxWindows + ")";
    }
}
