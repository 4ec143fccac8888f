package io.ferrite.perf.latency;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness end to end as a user runs it (its main), embedded target, 5 measured seconds: the JSON summary
 * must be written, parse, carry exactly the documented keys and count operations; the .hgrm must be
 * HdrHistogram's percentile distribution; {@code --late-us} prints the late requests' bursts, as many late
 * requests as the histogram has above the threshold. No latency is asserted.
 */
class HarnessSmokeTest
{
    private static final List<String> KEYS = List.of("target", "workload", "op", "rate", "ops", "errors", "p50_ns",
        "p90_ns", "p99_ns", "p999_ns", "p9999_ns", "max_ns", "jdk", "cpus");

    @Test
    void fiveSecondEmbeddedRunWritesWellFormedJsonAndHgrm(@TempDir final Path dir) throws Exception
    {
        final Path json = dir.resolve("embedded.json");
        final Path hgrm = dir.resolve("embedded.hgrm");
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        final PrintStream stdout = System.out;
        final int status;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try
        {
            status = LatencyHarness.run(new String[]{ "--target", "embedded", "--workload", "get",
                "--records", "10000", "--rate", "2000", "--duration", "5", "--warmup", "1", "--late-us", "1",
                "--json", json.toString(), "--hgrm", hgrm.toString() });
        }
        finally
        {
            System.setOut(stdout);
        }
        final String output = printed.toString(StandardCharsets.UTF_8);
        System.out.print(output);

        assertEquals(0, status);
        final List<Map<String, Object>> runs = Json.parseArrayOfObjects(Files.readString(json));
        assertEquals(1, runs.size());
        final Map<String, Object> run = runs.get(0);
        assertEquals(KEYS, List.copyOf(run.keySet()));
        assertEquals("embedded", run.get("target"));
        assertEquals("get", run.get("op"));
        assertEquals(2000L, run.get("rate"));
        assertTrue((Long)run.get("ops") > 0, "ops " + run.get("ops"));
        assertEquals(0L, run.get("errors"));
        assertTrue((Long)run.get("p50_ns") <= (Long)run.get("p99_ns") && (Long)run.get("p99_ns") <= (Long)run.get("max_ns"),
            "percentiles out of order: " + run);
        final String distribution = Files.readString(hgrm);
        assertTrue(distribution.contains("1/(1-Percentile)") && distribution.contains("#[Max"), distribution);

        final Matcher late = Pattern.compile("embedded load thread 0 at 2000/s, later than 1 us: " +
            "late requests: (\\d+) \\(run started at System.nanoTime\\(\\) \\d+\\)").matcher(output);
        assertTrue(late.find(), output);
        final long lateCount = Long.parseLong(late.group(1));
        assertTrue(lateCount > 0 && lateCount <= (Long)run.get("ops"), "late " + lateCount + " of " + run.get("ops"));
        assertTrue(output.contains("late burst at "), output);
    }
}
