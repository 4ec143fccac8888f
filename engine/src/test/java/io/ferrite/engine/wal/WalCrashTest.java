package io.ferrite.engine.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGKILLs a writer in a child JVM and proves every acknowledged write is replayed intact.
 */
class WalCrashTest
{
    @TempDir
    Path directory;

    @TempDir
    Path scratch;

    private Process start(final Path output, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        final String flags = System.getProperty("ferrite.jvm.flags", "").trim();
        if (!flags.isEmpty())
        {
            command.addAll(Arrays.asList(flags.split("\\s+")));
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(WalCrashChild.class.getName());
        command.addAll(Arrays.asList(args));
        return new ProcessBuilder(command)
            .redirectOutput(output.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    }

    /** Complete lines only: the kill may cut the last one. */
    private static List<String> lines(final Path output) throws IOException
    {
        final String text = new String(Files.readAllBytes(output), StandardCharsets.US_ASCII);
        final int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : Arrays.asList(text.substring(0, end).split("\n"));
    }

    private static void awaitLine(final Process process, final Path output, final String prefix) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (lines(output).stream().noneMatch((l) -> l.startsWith(prefix)))
        {
            assertTrue(process.isAlive(), "child died before printing " + prefix);
            assertTrue(System.nanoTime() < deadline, "child printed no " + prefix + " within 60 s");
            Thread.sleep(10);
        }
    }

    private static void kill(final Process process) throws InterruptedException
    {
        process.destroyForcibly(); // SIGKILL on Linux
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Test
    void acknowledgedWritesSurviveSigkillOfTheWriter() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(7);
        long lastAcked = 0;
        for (int cycle = 0; cycle < 5; cycle++)
        {
            final FsyncPolicy policy = FsyncPolicy.values()[cycle % 3];
            final Path output = scratch.resolve("child-" + cycle + ".out");
            final Process process = start(output, "append", directory.toString(), policy.name());
            try
            {
                awaitLine(process, output, "ACK");
                Thread.sleep(random.nextInt(20, 300));
            }
            finally
            {
                kill(process);
            }

            final List<String> lines = lines(output);
            assertEquals("OPEN " + lastAcked, lines.get(0).startsWith("OPEN ") ? lines.get(0) : "",
                "child reopened at the last acknowledged sequence, or at most one beyond it");
            long acked = lastAcked;
            for (final String line : lines)
            {
                if (line.startsWith("ACK "))
                {
                    final long sequence = Long.parseLong(line.substring(4));
                    assertEquals(acked + 1, sequence, "acks are consecutive");
                    acked = sequence;
                }
            }

            final long reopenStartNs = System.nanoTime();
            try (Wal wal = new Wal(new WalConfig().directory(directory).fsyncPolicy(FsyncPolicy.NONE)))
            {
                final long[] next = { 1 };
                final ReplayResult result = wal.replay(0,
                    (sequence, tableId, partitionId, op, key, keyOff, keyLen, image, imageOff, imageLen, ts) ->
                    {
                        assertEquals(next[0]++, sequence);
                        WalTestRecords.assertRecord(sequence, tableId, partitionId, op, key, keyOff, keyLen,
                            image, imageOff, imageLen, ts, WalCrashChild.imageLength(sequence));
                    });
                final long reopenMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - reopenStartNs);
                System.out.println("cycle " + cycle + " " + policy + ": acked " + acked + ", " + result +
                    ", reopen+replay " + reopenMs + " ms");

                assertTrue(result.lastSequence() >= acked,
                    "acknowledged " + acked + " but log ends at " + result.lastSequence());
                assertTrue(result.lastSequence() <= acked + 1,
                    "at most the one unacknowledged in-flight record beyond " + acked + ": " + result.lastSequence());
                assertEquals(result.lastSequence(), wal.lastSequence());
                lastAcked = wal.lastSequence();
            }
        }
    }

    /**
     * Five records, then a child that starts a sixth document and is SIGKILLed before finishing it.
     */
    private void leaveAnUnfinishedDocument(
        final WalConfig config, final org.agrona.concurrent.UnsafeBuffer key, final org.agrona.concurrent.UnsafeBuffer image)
        throws Exception
    {
        try (Wal wal = new Wal(config))
        {
            for (long sequence = 1; sequence <= 5; sequence++)
            {
                WalTestRecords.append(wal, key, image, sequence, WalCrashChild.imageLength(sequence));
            }
        }

        final Path output = scratch.resolve("tear.out");
        final Process process = start(output, "tear", directory.toString());
        try
        {
            awaitLine(process, output, "TORN");
        }
        finally
        {
            kill(process);
        }
    }

    @Test
    void unfinishedDocumentLeftByKilledWriterDoesNotWedgeReopen() throws Exception
    {
        final WalConfig config = new WalConfig().directory(directory).fsyncPolicy(FsyncPolicy.NONE);
        final org.agrona.concurrent.UnsafeBuffer key = new org.agrona.concurrent.UnsafeBuffer(new byte[4096]);
        final org.agrona.concurrent.UnsafeBuffer image = new org.agrona.concurrent.UnsafeBuffer(new byte[8192]);
        leaveAnUnfinishedDocument(config, key, image);

        final long startNs = System.nanoTime();
        try (Wal wal = new Wal(config))
        {
            assertEquals(5, wal.lastSequence());
            final long openMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            final ReplayResult before = wal.replay(0, (s, t, p, o, k, ko, kl, i, io, il, ts) -> {});
            final long replayMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            WalTestRecords.append(wal, key, image, 6, WalCrashChild.imageLength(6));
            final long appendMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            final ReplayResult after = wal.replay(0, (s, t, p, o, k, ko, kl, i, io, il, ts) -> {});
            System.out.println("after SIGKILL mid-document: open " + openMs + " ms, replay " + replayMs +
                " ms, first append " + appendMs + " ms; before append " + before + "; after " + after);
            assertEquals(5, before.lastSequence());
            assertEquals(5, before.recordsReplayed());
            assertEquals(1, before.tornRecords(), before.toString());
            assertTrue(before.tornDescription().contains("unfinished document"), before.tornDescription());
            assertTrue(appendMs < 5_000, "reopen and append after SIGKILL took " + appendMs + " ms");
            assertEquals(6, after.lastSequence());
            assertEquals(6, after.recordsReplayed());
        }
    }
    /**
     * A writer killed mid-append leaves an unfinished document at the end of its cycle file. When the next process
     * writes in a later cycle (FAST_HOURLY: any restart an hour or more later), that document is no longer the
     * log's tail: every record after it, acknowledged ones included, must still be replayed.
     */
    @Test
    void recordsInALaterFileThanAnUnfinishedDocumentAreReplayed() throws Exception
    {
        final WalConfig config = new WalConfig().directory(directory).fsyncPolicy(FsyncPolicy.NONE);
        final org.agrona.concurrent.UnsafeBuffer key = new org.agrona.concurrent.UnsafeBuffer(new byte[4096]);
        final org.agrona.concurrent.UnsafeBuffer image = new org.agrona.concurrent.UnsafeBuffer(new byte[8192]);
        leaveAnUnfinishedDocument(config, key, image);

        // restarted two hours later: the next record goes to a new cycle file
        final net.openhft.chronicle.core.time.SetTimeProvider later = new net.openhft.chronicle.core.time.SetTimeProvider(
            System.currentTimeMillis() * 1_000_000L + TimeUnit.HOURS.toNanos(2));
        final WalConfig laterConfig = new WalConfig().directory(directory).fsyncPolicy(FsyncPolicy.NONE)
            .rollClock(later);
        try (Wal wal = new Wal(laterConfig))
        {
            assertEquals(5, wal.lastSequence());
            wal.replay(0, (s, t, p, o, k, ko, kl, i, io, il, ts) -> {});
            for (long sequence = 6; sequence <= 8; sequence++)
            {
                WalTestRecords.append(wal, key, image, sequence, WalCrashChild.imageLength(sequence));
            }
        }
        assertEquals(2, WalTestRecords.cycleFiles(directory).size());

        try (Wal wal = new Wal(laterConfig))
        {
            final List<Long> sequences = new ArrayList<>();
            final ReplayResult result = wal.replay(0, (s, t, p, o, k, ko, kl, i, io, il, ts) -> sequences.add(s));
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), sequences, result.toString());
            assertEquals(8, wal.lastSequence());
        }
    }
}
