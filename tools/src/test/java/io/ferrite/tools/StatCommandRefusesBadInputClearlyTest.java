package io.ferrite.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ferrite stat} names the option and the rule for a bad value (a usage error, exit 2 through
 * {@link FerriteMain}), and tells in one line, exit 1, that there are no counters to read.
 */
class StatCommandRefusesBadInputClearlyTest
{
    @TempDir
    Path dir;

    @Test
    void negativeCountIsAUsageErrorNamingTheOption()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> StatCommand.run(new String[]{ "--dir", dir.toString(), "--count", "-1" }, System.out));
        assertEquals("option --count must be at least 0 (0: until Ctrl-C), got -1", ex.getMessage());
    }

    @Test
    void negativeOrZeroIntervalIsAUsageErrorNamingTheOption()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> StatCommand.run(new String[]{ "--dir", dir.toString(), "--interval-ms", "-5" }, System.out));
        assertEquals("option --interval-ms must be at least 1, got -5", ex.getMessage());
    }

    @Test
    void missingCountersFileIsOneLineAndExitOne() throws Exception
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exitCode = StatCommand.run(new String[]{ "--dir", dir.toString(), "--count", "1" }, System.out,
            new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, exitCode);
        assertEquals("ferrite stat: cannot read the counters of " + dir.toAbsolutePath() + ": no node-counters.dat in " +
            dir.toAbsolutePath() + ": is a node running on that data directory?\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void emptyCountersFileIsOneLineAndExitOne() throws Exception
    {
        Files.createFile(dir.resolve("node-counters.dat"));
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exitCode = StatCommand.run(new String[]{ "--dir", dir.toString(), "--count", "1" }, System.out,
            new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, exitCode);
        final String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("ferrite stat: cannot read the counters of " + dir.toAbsolutePath() + ": "), text);
    }
}
