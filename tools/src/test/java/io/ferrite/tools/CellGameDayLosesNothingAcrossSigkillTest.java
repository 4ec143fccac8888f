package io.ferrite.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ferrite chaos --target cell}, short: a three-member cell of child JVMs under load from three cell clients
 * has its leader SIGKILLed (seed 8 picks the leader first) and restarted, and the recorded history shows no
 * acknowledged write lost, none doubled, and is linearizable; the last line has the game day's shape.
 */
class CellGameDayLosesNothingAcrossSigkillTest
{
    private static final Pattern SUMMARY = Pattern.compile(
        "acked=(\\d+) lost=(\\d+) duplicated=(\\d+) linearizable=(true|false) availability=(\\d+\\.\\d{2})%");

    @TempDir
    Path tempDir;

    @Test
    void cellLeaderSigkilledUnderLoadLosesAndDoublesNothingAndStaysLinearizable() throws Exception
    {
        final PrintStream stdout = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final int exitCode;
        try (PrintStream tee = new PrintStream(
            new NodeGameDayLosesNothingAcrossSigkillTest.TeeStream(captured, stdout), true, StandardCharsets.UTF_8))
        {
            System.setOut(tee);
            exitCode = ChaosCommand.run(new String[]{ "--target", "cell", "--duration", "8", "--kill-interval", "3",
                "--rate", "150", "--clients", "3", "--keys", "4", "--seed", "8",
                "--data-dir", tempDir.resolve("run").toString() });
        }
        finally
        {
            System.setOut(stdout);
        }
        final List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        final String output = String.join("\n", lines);
        final String last = lines.get(lines.size() - 1);
        final Matcher summary = SUMMARY.matcher(last);
        assertTrue(summary.matches(), "last line: " + last + "\n" + output);
        assertTrue(Long.parseLong(summary.group(1)) > 50, "writes were acknowledged: " + last);
        assertEquals("0", summary.group(2), output);
        assertEquals("0", summary.group(3), output);
        assertEquals("true", summary.group(4), output);
        assertEquals(0, exitCode, output);
        assertTrue(output.contains("(the leader)"), "the leader was among the members killed:\n" + output);
        assertTrue(output.contains("restarted"), output);
        assertTrue(output.contains("longest gap without a successful operation"), output);
    }
}
