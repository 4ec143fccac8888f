package io.ferrite.perf.latency;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * {@code --alloc-check}: runs the same command line again in a child JVM under Epsilon GC (a collector that
 * never collects) with a small heap, {@code --alloc-heap} (default 256m). If the run allocated more than the
 * heap it dies with an OutOfMemoryError; if it finishes, everything it allocated, setup included, fit, and
 * the child prints how many bytes the measured window itself allocated (exact under Epsilon). Defaults to the
 * embedded target, whose hot path is meant to allocate nothing.
 */
final class AllocCheck
{
    private AllocCheck()
    {
    }

    static int run(final String[] args, final String heap)
    {
        if (!heap.matches("[0-9]+[kKmMgG]?"))
        {
            throw new IllegalArgumentException("--alloc-heap must be a JVM heap size such as 256m, got '" + heap + "'");
        }
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String flag : jvmFlags().split("\\s+"))
        {
            if (!flag.isEmpty())
            {
                command.add(flag);
            }
        }
        command.add("-XX:+UnlockExperimentalVMOptions");
        command.add("-XX:+UseEpsilonGC");
        // Without TLABs the heap's used bytes move with every allocation, so the child's growth figure is exact.
        command.add("-XX:-UseTLAB");
        command.add("-Xms" + heap);
        command.add("-Xmx" + heap);
        command.add("-Djava.awt.headless=true");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(LatencyHarness.class.getName());
        final int firstArg = command.size();
        boolean targetGiven = false;
        for (int i = 0; i < args.length; i++)
        {
            if ("--alloc-check".equals(args[i]))
            {
                continue;
            }
            if ("--alloc-heap".equals(args[i]))
            {
                i++;
                continue;
            }
            targetGiven |= "--target".equals(args[i]);
            command.add(args[i]);
        }
        if (!targetGiven)
        {
            command.add("--target");
            command.add("embedded");
        }
        System.out.println("alloc-check: " + String.join(" ", command.subList(firstArg, command.size())) + " under Epsilon GC, heap " + heap);
        final int status;
        try
        {
            final Process child = new ProcessBuilder(command).inheritIO().start();
            status = child.waitFor();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the alloc-check child", ex);
        }
        if (0 == status)
        {
            System.out.println("alloc-check: FINISHED under Epsilon GC with a " + heap + " heap: setup, warm-up and " +
                "measured run allocated less than " + heap + " in all (the measured window's own bytes are above)");
        }
        else
        {
            System.out.println("alloc-check: DID NOT FINISH (exit " + status + ") under Epsilon GC with a " + heap +
                " heap: look above for an OutOfMemoryError");
        }
        return status;
    }

    private static String jvmFlags()
    {
        final Properties properties = new Properties();
        try (InputStream in = AllocCheck.class.getResourceAsStream("/io/ferrite/perf/bench.properties"))
        {
            if (null == in)
            {
                throw new IllegalStateException("bench.properties missing: build the perf module with Maven");
            }
            properties.load(in);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return properties.getProperty("jvm.flags", "");
    }
}
