package io.ferrite.perf;

import org.agrona.IoUtil;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a benchmark run must not leave behind when its JVM is stopped in the middle of it (Ctrl-C, SIGTERM, an
 * error path's {@code System.exit}): the child processes it started (a cell's members, {@code redis-server}) and
 * its temporary directories (gigabytes of stores, aeron dirs on {@code /dev/shm}). Each owner registers the undo when
 * it makes the resource and withdraws it once its own close has done the work; one shutdown hook runs whatever is
 * still registered, newest first, each step on its own so one failure does not skip the rest. A SIGKILL runs
 * nothing.
 * <p>
 * While a run is stopped this way its threads are still going: a step deletes directories (mapped files stay
 * valid until the process ends) and stops other processes, and never closes what a running thread uses.
 * <p>
 * <b>Threading:</b> thread-safe.
 */
public final class ExitCleanup
{
    private static final List<Step> STEPS = new ArrayList<>();
    private static boolean hooked;

    private ExitCleanup()
    {
    }

    /**
     * One registered undo; closing it withdraws it (its owner did the work).
     */
    public static final class Step implements AutoCloseable
    {
        private final String what;
        private final Runnable action;

        private Step(final String what, final Runnable action)
        {
            this.what = what;
            this.action = action;
        }

        /**
         * Withdraws the step: it will not run at exit.
         */
        public void close()
        {
            synchronized (STEPS)
            {
                STEPS.remove(this);
            }
        }

        /**
         * Does the undo now (the owner's normal close) and withdraws the step.
         */
        public void runNow()
        {
            close();
            action.run();
        }

        /**
         * @return what the step undoes, as printed when it runs.
         */
        public String toString()
        {
            return what;
        }
    }

    /**
     * Registers an undo to run if the JVM exits before the step is withdrawn.
     *
     * @param what   what it undoes, for the message printed when it runs.
     * @param action the undo.
     * @return the step, to close once the owner has done the work itself.
     */
    public static Step register(final String what, final Runnable action)
    {
        final Step step = new Step(what, action);
        synchronized (STEPS)
        {
            if (!hooked)
            {
                Runtime.getRuntime().addShutdownHook(new Thread(ExitCleanup::runAll, "ferrite-perf-exit-cleanup"));
                hooked = true;
            }
            STEPS.add(step);
        }
        return step;
    }

    /**
     * Registers the deletion of directories and everything in them.
     *
     * @param dirs the directories.
     * @return the step, to {@link Step#runNow() run now} when the owner is done with them.
     */
    public static Step deleteAtExit(final Path... dirs)
    {
        final Path[] copy = dirs.clone();
        return register("delete " + Arrays.toString(copy), () ->
        {
            for (final Path dir : copy)
            {
                IoUtil.delete(dir.toFile(), true);
            }
        });
    }

    /**
     * @return how many steps are registered now (for tests).
     */
    static int registered()
    {
        synchronized (STEPS)
        {
            return STEPS.size();
        }
    }

    /**
     * Runs the registered steps, newest first (the exit hook's body; package-private for tests).
     */
    static void runAll()
    {
        final List<Step> steps;
        synchronized (STEPS)
        {
            steps = new ArrayList<>(STEPS);
            STEPS.clear();
        }
        for (int i = steps.size() - 1; i >= 0; i--)
        {
            final Step step = steps.get(i);
            System.err.println("ferrite-perf: stopped before the end of the run: " + step);
            try
            {
                step.action.run();
            }
            catch (final RuntimeException ex)
            {
                System.err.println("ferrite-perf: could not " + step + ": " + ex);
            }
        }
    }
}
