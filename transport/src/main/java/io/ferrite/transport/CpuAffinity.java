package io.ferrite.transport;

import net.openhft.affinity.Affinity;

import java.util.BitSet;

/**
 * Confines a thread to a set of CPUs (Linux {@code sched_setaffinity}, through OpenHFT's affinity library).
 * <p>
 * Why: a thread that polls (yield or spin) keeps its CPU busy, so on a small machine every other runnable thread
 * (the kernel's, the JVM's compiler and GC threads, timers) must take a CPU from a polling thread, and the request in
 * flight waits for it. Putting the polling threads on some CPUs leaves the others idle for that background work; see
 * perf/README.md, "GetItem round trip through the SBE client".
 * <p>
 * <b>Threading:</b> stateless; {@link #pinCurrentThread(BitSet, String)} acts on the calling thread.
 */
public final class CpuAffinity
{
    private CpuAffinity()
    {
    }

    /**
     * Parses a CPU list in the kernel's notation: comma-separated numbers and ranges, e.g. {@code 0}, {@code 0-1},
     * {@code 0,2-3}.
     *
     * @param setting the name of the setting the list came from (for the error message).
     * @param list    the CPU list.
     * @return the CPUs.
     * @throws IllegalArgumentException naming the setting when the list is empty or malformed.
     */
    public static BitSet parse(final String setting, final String list)
    {
        final BitSet cpus = new BitSet();
        if (null == list || list.isBlank())
        {
            throw new IllegalArgumentException(setting + " is empty: give a CPU list such as 0, 0-1 or 0,2-3");
        }
        for (final String part : list.split(","))
        {
            final String item = part.trim();
            try
            {
                final int dash = item.indexOf('-');
                final int from = Integer.parseInt(dash < 0 ? item : item.substring(0, dash));
                final int to = dash < 0 ? from : Integer.parseInt(item.substring(dash + 1));
                if (from < 0 || to < from || to > 4095)
                {
                    throw new NumberFormatException();
                }
                cpus.set(from, to + 1);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(setting + "=" + list + " is not a CPU list: '" + item +
                    "' must be a CPU number or a range low-high (0-4095), e.g. 0, 0-1 or 0,2-3");
            }
        }
        return cpus;
    }

    /**
     * Confines the calling thread to the given CPUs and checks that the kernel applied it.
     *
     * @param cpus    the CPUs.
     * @param setting the name of the setting they came from (for the error message).
     * @throws IllegalStateException when the thread's affinity could not be set (not Linux, no JNA, a CPU the
     *     process may not use), naming the setting.
     */
    public static void pinCurrentThread(final BitSet cpus, final String setting)
    {
        Affinity.setAffinity(cpus);
        final BitSet applied = Affinity.getAffinity();
        if (!cpus.equals(applied))
        {
            throw new IllegalStateException("could not confine thread " + Thread.currentThread().getName() + " to CPUs " +
                format(cpus) + " (" + setting + "): its affinity is " + format(applied) +
                " (sched_setaffinity needs Linux, JNA and CPUs this process may use)");
        }
    }

    /**
     * @param cpus a set of CPUs.
     * @return the set in the kernel's list notation, e.g. {@code 0,2-3}.
     */
    public static String format(final BitSet cpus)
    {
        final StringBuilder out = new StringBuilder();
        int from = cpus.nextSetBit(0);
        while (from >= 0)
        {
            final int to = cpus.nextClearBit(from) - 1;
            if (out.length() > 0)
            {
                out.append(',');
            }
            out.append(from);
            if (to > from)
            {
                out.append('-').append(to);
            }
            from = cpus.nextSetBit(to + 1);
        }
        return out.toString();
    }
}
