package io.ferrite.perf.latency;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A harness stopped by SIGTERM (what Ctrl-C's SIGINT also does: both run the JVM's shutdown hooks) in the middle of a
 * run against a replicated cell: the cell's three member JVMs, which are other processes, must be gone afterwards,
 * and so must the run's temporary directory (the members' data and aeron dirs and the client driver's), instead of
 * three members left polling and their files left behind.
 */
class HarnessStoppedBySignalLeavesNothingBehindTest
{
    private static final long STARTED_TIMEOUT_S = 180;

    @Test
    void sigtermMidRunStopsTheCellsMembersAndDeletesTheRunsFiles(@TempDir final Path tmp, @TempDir final Path logs)
        throws Exception
    {
        // the harness's java.io.tmpdir holds only what the run makes; its standard error goes to the other directory
        final Path stderr = logs.resolve("harness-stderr.txt");
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("ferrite.jvm.flags", "").trim().split("\\s+")));
        command.addAll(List.of("-Xmx512m", "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
            LatencyHarness.class.getName(), "--target", "cell", "--workload", "get", "--records", "100",
            "--rate", "100", "--duration", "600", "--warmup", "1"));
        command.removeIf(String::isEmpty);
        final Process harness = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        final List<String> output = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch loaded = new CountDownLatch(1);
        final Thread reader = new Thread(() -> read(harness, output, loaded), "harness-output");
        reader.setDaemon(true);
        reader.start();
        List<ProcessHandle> members = List.of();
        try
        {
            assertTrue(loaded.await(STARTED_TIMEOUT_S, TimeUnit.SECONDS) && harness.isAlive(),
                "the harness started a cell and loaded it:\n" + String.join("\n", output) + "\n" +
                    Files.readString(stderr));
            members = harness.descendants().collect(Collectors.toList());
            assertEquals(3, members.size(), "the harness's child processes: " + members);
            assertTrue(runFiles(tmp) > 0, "the run has files in " + tmp);

            harness.destroy(); // SIGTERM
            assertTrue(harness.waitFor(60, TimeUnit.SECONDS), "the harness exits on SIGTERM");
            reader.join(10_000);

            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (final ProcessHandle member : members)
            {
                while (member.isAlive() && System.nanoTime() < deadlineNs)
                {
                    Thread.sleep(50);
                }
                assertFalse(member.isAlive(), "member " + member.pid() + " still runs 30 s after the harness exited " +
                    "on SIGTERM:\n" + Files.readString(stderr));
            }
            final String err = Files.readString(stderr);
            assertEquals(0, runFiles(tmp), "files left in " + tmp + ":\n" + listing(tmp) + "\nharness output:\n" +
                String.join("\n", output) + "\n" + err);
            assertTrue(err.contains("stopped before the end of the run: stop the cell's members") &&
                err.contains("stopped before the end of the run: delete"),
                "the harness says what it cleaned up:\n" + err);
        }
        finally
        {
            harness.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            members.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static void read(final Process harness, final List<String> output, final CountDownLatch loaded)
    {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(harness.getInputStream(),
            StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = in.readLine()))
            {
                output.add(line);
                if (line.startsWith("started a 3-member cell and loaded"))
                {
                    loaded.countDown();
                }
            }
        }
        catch (final IOException ignored)
        {
            // the harness is gone: what it printed is in output
        }
        loaded.countDown();
    }

    /** Entries in the harness's java.io.tmpdir other than the JVM's own perf-data directory. */
    private static long runFiles(final Path tmp) throws IOException
    {
        try (Stream<Path> entries = Files.list(tmp))
        {
            return entries.filter(entry -> !entry.getFileName().toString().startsWith("hsperfdata")).count();
        }
    }

    private static String listing(final Path tmp) throws IOException
    {
        try (Stream<Path> entries = Files.walk(tmp, 3))
        {
            return entries.map(Path::toString).collect(Collectors.joining("\n"));
        }
    }
}
