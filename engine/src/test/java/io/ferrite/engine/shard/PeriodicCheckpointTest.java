package io.ferrite.engine.shard;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.engine.api.Ferrite;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Periodic checkpoints are completed on the checkpoint thread: they advance {@code checkpoint.bin} while the shard
 * keeps writing, DeleteTable waits for one in flight, close stops the thread, and a SIGKILL at any point loses no
 * acknowledged write.
 */
class PeriodicCheckpointTest
{
    @TempDir
    Path dataDir;

    @TempDir
    Path scratch;

    private static Map<String, AttributeValue> item(final long id)
    {
        return Map.of("id", n(Long.toString(id)), "v", s(Long.toString(id * 7)));
    }

    private static Map<String, AttributeValue> key(final long id)
    {
        return Map.of("id", n(Long.toString(id)));
    }

    /** The newest valid slot of checkpoint.bin (also read by {@link DurabilityFailureTest}). */
    static long checkpointOnDisk(final Path dataDir) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(dataDir.resolve("checkpoint.bin")));
        long best = -1;
        for (int slot = 0; slot + 16 <= bytes.capacity(); slot += 16)
        {
            if (bytes.getLong(slot) == ~bytes.getLong(slot + 8))
            {
                best = Math.max(best, bytes.getLong(slot));
            }
        }
        return best;
    }

    private static Thread checkpointThread(final Path dataDir)
    {
        final String name = "ferrite-checkpoint " + dataDir;
        return Thread.getAllStackTraces().keySet().stream().filter((t) -> t.getName().equals(name)).findFirst()
            .orElse(null);
    }

    @Test
    void periodicCheckpointsAdvanceOnTheCheckpointThreadAndCloseStopsIt() throws Exception
    {
        final Thread thread;
        try (Ferrite db = Ferrite.open(PeriodicCheckpointChild.config(dataDir)))
        {
            thread = checkpointThread(dataDir);
            assertTrue(null != thread && thread.isAlive(), "the shard runs a checkpoint thread");
            db.createTable(TableSpec.of("ttt").partitionKey("id", KeyType.N));
            for (long id = 0; id < 1000; id++)
            {
                db.putItem("ttt", item(id)); // runs the duty cycle: starts and finishes periodic checkpoints
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (checkpointOnDisk(dataDir) < 1000 - PeriodicCheckpointChild.CHECKPOINT_INTERVAL_RECORDS &&
                System.nanoTime() < deadline)
            {
                db.doDutyCycle();
                Thread.onSpinWait();
            }
            final long onDisk = checkpointOnDisk(dataDir);
            assertTrue(onDisk >= 1000 - PeriodicCheckpointChild.CHECKPOINT_INTERVAL_RECORDS,
                "periodic checkpoints reached the disk while open: " + onDisk);
            assertEquals(item(999), db.getItem("ttt", key(999)));
        }
        assertFalse(thread.isAlive(), "close stops the checkpoint thread");
        assertNull(checkpointThread(dataDir));

        try (Ferrite db = Ferrite.open(PeriodicCheckpointChild.config(dataDir)))
        {
            final RecoveryReport report = db.recoveryReport();
            assertEquals(report.lastSequence(), report.checkpointSequence(), "close checkpointed: " + report);
            assertEquals(1000, report.items());
            assertEquals(item(0), db.getItem("ttt", key(0)));
        }
    }

    @Test
    void deleteTableWaitsForACheckpointInFlight() throws Exception
    {
        try (Ferrite db = Ferrite.open(PeriodicCheckpointChild.config(dataDir)))
        {
            db.createTable(TableSpec.of("ttt").partitionKey("id", KeyType.N));
            db.createTable(TableSpec.of("gone").partitionKey("id", KeyType.N));
            boolean sawInFlight = false;
            for (int round = 0; round < 5; round++)
            {
                final String name = "gone" + round;
                if (round > 0)
                {
                    db.createTable(TableSpec.of(name).partitionKey("id", KeyType.N));
                }
                final String table = 0 == round ? "gone" : name;
                for (long id = 0; id < PeriodicCheckpointChild.CHECKPOINT_INTERVAL_RECORDS; id++)
                {
                    db.putItem(table, item(id));
                    db.putItem("ttt", item(round * 1000L + id));
                    if (db.shard().checkpointInFlight())
                    {
                        sawInFlight = true;
                        break;
                    }
                }
                db.deleteTable(table);
                assertFalse(db.shard().checkpointInFlight(), "DeleteTable waited for the checkpoint in flight");
            }
            System.out.println("a checkpoint was in flight at some DeleteTable: " + sawInFlight);
        }
        try (Ferrite db = Ferrite.open(PeriodicCheckpointChild.config(dataDir)))
        {
            assertEquals(List.of("ttt"), db.listTables());
            assertEquals(item(0), db.getItem("ttt", key(0)));
        }
    }

    private Process start(final Path output) throws IOException
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
        command.add(PeriodicCheckpointChild.class.getName());
        command.add(dataDir.toString());
        return new ProcessBuilder(command)
            .redirectOutput(output.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    }

    /** Complete lines only: the kill may cut the last one. */
    private static List<String> lines(final Path output) throws IOException
    {
        final String text = new String(Files.readAllBytes(output), StandardCharsets.US_ASCII);
        final int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : Arrays.asList(text.substring(0, end).split("\n"));
    }

    private static long lastAck(final Path output) throws IOException
    {
        long last = -1;
        for (final String line : lines(output))
        {
            if (line.startsWith("ACK "))
            {
                last = Long.parseLong(line.substring(4));
            }
        }
        return last;
    }

    @Test
    void sigkillDuringPeriodicCheckpointsLosesNoAcknowledgedWrite() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(11);
        long acked = -1;
        for (int cycle = 0; cycle < 3; cycle++)
        {
            final Path output = scratch.resolve("child-" + cycle + ".out");
            final Process process = start(output);
            try
            {
                // several checkpoints' worth of writes, then a kill at a random moment
                final long target = acked + 3L * PeriodicCheckpointChild.CHECKPOINT_INTERVAL_RECORDS +
                    random.nextInt(PeriodicCheckpointChild.CHECKPOINT_INTERVAL_RECORDS);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (lastAck(output) < target)
                {
                    assertTrue(process.isAlive(), "child died: " + lines(output));
                    assertTrue(System.nanoTime() < deadline, "child acknowledged only up to " + lastAck(output));
                    Thread.sleep(5);
                }
            }
            finally
            {
                process.destroyForcibly(); // SIGKILL on Linux
                process.waitFor(30, TimeUnit.SECONDS);
            }
            acked = lastAck(output);

            try (Ferrite db = Ferrite.open(PeriodicCheckpointChild.config(dataDir)))
            {
                final RecoveryReport report = db.recoveryReport();
                System.out.println("cycle " + cycle + ": acked up to " + acked + ", " + report);
                assertTrue(report.checkpointSequence() > 0, "periodic checkpoints were written: " + report);
                assertTrue(report.items() >= acked + 1 && report.items() <= acked + 2,
                    "items 0.." + acked + " acknowledged, at most one more applied: " + report);
                for (long id = 0; id <= acked; id++)
                {
                    assertEquals(item(id), db.getItem("ttt", key(id)), "item " + id);
                }
            }
        }
    }
}
