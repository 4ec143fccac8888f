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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ferrite chaos --target node}, short: a node child process under load from three clients is SIGKILLed and
 * restarted, and the recorded history shows no acknowledged write lost, none doubled, and is linearizable; the
 * last line has the game day's shape.
 */
class NodeGameDayLosesNothingAcrossSigkillTest
{
    private static final Pattern SUMMARY = Pattern.compile(
        "acked=(\\d+) lost=(\\d+) duplicated=(\\d+) linearizable=(true|false) availability=(\\d+\\.\\d{2})%");

    @TempDir
    Path tempDir;

    @Test
    void nodeSigkilledUnderLoadLosesAndDoublesNothingAndStaysLinearizable() throws Exception
    {
        final PrintStream stdout = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final int exitCode;
        try (PrintStream tee = new PrintStream(new TeeStream(captured, stdout), true, StandardCharsets.UTF_8))
        {
            System.setOut(tee);
            exitCode = ChaosCommand.run(new String[]{ "--target", "node", "--duration", "8", "--kill-interval", "3",
                "--rate", "150", "--clients", "3", "--keys", "4", "--seed", "42",
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
        assertTrue(output.contains("SIGKILL member 0"), output);
        assertTrue(output.contains("longest gap without a successful operation"), output);
        assertTrue(output.contains("restarted"), output);
    }

    @Test
    void embeddedTargetKeepsItsCyclesForm()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> ChaosCommand.run(
            new String[]{ "--target", "embedded", "--duration", "5", "--kill-interval", "1" }));
        assertTrue(ex.getMessage().contains("give --cycles N"), ex.getMessage());
    }

    /** Copies what the command prints to the real stdout too, so a CI log shows the run. */
    static final class TeeStream extends java.io.OutputStream
    {
        private final java.io.OutputStream first;
        private final java.io.OutputStream second;

        TeeStream(final java.io.OutputStream first, final java.io.OutputStream second)
        {
            this.first = first;
            this.second = second;
        }

        public void write(final int b) throws java.io.IOException
        {
            first.write(b);
            second.write(b);
        }

        public void write(final byte[] b, final int off, final int len) throws java.io.IOException
        {
            first.write(b, off, len);
            second.write(b, off, len);
        }

        public void flush() throws java.io.IOException
        {
            first.flush();
            second.flush();
        }
    }
}
