package io.ferrite.perf.latency;

import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.wal.FsyncPolicy;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness's {@code --fsync}, {@code --fsync-interval-us} and {@code --fsync-batch-records}: what they set on
 * the engine, the errors for values that make no sense, and a short run that opens the engine with them.
 */
class FsyncOptionTest
{
    @Test
    void defaultIsNoneAndTheEngineDefaultsStayUntouched()
    {
        final EngineConfig config = settings("--target", "embedded").wal.applyTo(new EngineConfig());
        assertEquals(FsyncPolicy.NONE, config.fsyncPolicy());
        assertEquals(new EngineConfig().fsyncBatchIntervalNs(), config.fsyncBatchIntervalNs());
        assertEquals(new EngineConfig().fsyncBatchMaxRecords(), config.fsyncBatchMaxRecords());
    }

    @Test
    void batchSetsTheIntervalAndRecordCountGiven()
    {
        final LatencyHarness.Settings settings = settings("--target", "ipc", "--fsync", "batch",
            "--fsync-interval-us", "10000", "--fsync-batch-records", "4096");
        final EngineConfig config = settings.wal.applyTo(new EngineConfig());
        assertEquals(FsyncPolicy.BATCH, config.fsyncPolicy());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(10), config.fsyncBatchIntervalNs());
        assertEquals(4096, config.fsyncBatchMaxRecords());
        assertEquals("BATCH (every 10000 us or 4096 records)", settings.wal.toString());
        assertEquals(FsyncPolicy.EVERY_WRITE, settings("--fsync", "every-write").wal.policy());
    }

    @Test
    void nonsenseIsRefusedWithTheRuleItBreaks()
    {
        assertMessage("option --fsync must be none, batch or every-write, got 'sometimes'", "--fsync", "sometimes");
        assertMessage("option --fsync-interval-us needs --fsync batch (it sets BATCH's group commit), got --fsync none",
            "--fsync-interval-us", "5000");
        assertMessage("option --fsync-batch-records needs --fsync batch (it sets BATCH's group commit), " +
            "got --fsync every-write", "--fsync", "every-write", "--fsync-batch-records", "64");
        assertMessage("option --fsync-interval-us must be in [1, 10000000], got 0",
            "--fsync", "batch", "--fsync-interval-us", "0");
        assertMessage("option --fsync applies to the targets embedded, ipc, udp and http (a Ferrite engine the " +
            "harness starts itself), not to redis", "--target", "redis", "--fsync", "batch");
        assertMessage("option --fsync applies to the targets embedded, ipc, udp and http (a Ferrite engine the " +
            "harness starts itself), not to cell", "--compare", "embedded,cell", "--fsync", "none");
    }

    @Test
    void embeddedRunOpensTheEngineWithTheChosenBatch()
    {
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        final PrintStream stdout = System.out;
        final int status;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try
        {
            status = LatencyHarness.run(new String[]{ "--target", "embedded", "--workload", "put", "--records", "1000",
                "--rate", "1000", "--duration", "1", "--warmup", "0", "--fsync", "batch", "--fsync-interval-us", "5000",
                "--fsync-batch-records", "64" });
        }
        finally
        {
            System.setOut(stdout);
        }
        final String output = printed.toString(StandardCharsets.UTF_8);
        System.out.print(output);
        assertEquals(0, status);
        assertTrue(output.contains("with fsync BATCH (every 5000 us or 64 records), store"), output);
        assertTrue(output.matches("(?s).*embedded +put +put +rate=1000/s ops=\\d+ errors=0 .*"), output);
    }

    private static LatencyHarness.Settings settings(final String... args)
    {
        return new LatencyHarness.Settings(LatencyHarness.parse(args));
    }

    private static void assertMessage(final String expected, final String... args)
    {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> settings(args)).getMessage());
    }
}
