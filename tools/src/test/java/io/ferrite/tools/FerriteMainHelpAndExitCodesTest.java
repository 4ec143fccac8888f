package io.ferrite.tools;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ferrite <command> --help} prints that command's usage and exits 0, as operators expect of a tool; a usage
 * error exits 2 naming the option; no arguments is a usage error, {@code ferrite help} is not.
 */
class FerriteMainHelpAndExitCodesTest
{
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;

    @BeforeEach
    void capture()
    {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore()
    {
        System.setOut(savedOut);
        System.setErr(savedErr);
    }

    @Test
    void everyCommandButCliAnswersHelpWithItsUsage()
    {
        for (final String command : new String[]{ "server", "stat", "ping", "chaos", "cell" })
        {
            out.reset();
            assertEquals(0, FerriteMain.execute(new String[]{ command, "--help" }), command + ": " + err);
            assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: tools/bin/ferrite " + command + " "),
                command + ": " + out);
        }
        out.reset();
        assertEquals(0, FerriteMain.execute(new String[]{ "stat", "--dir", "x", "-h" }));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: tools/bin/ferrite stat [--dir DIR]"), out.toString());
    }

    @Test
    void usageErrorsExitTwoNamingTheOption()
    {
        assertEquals(2, FerriteMain.execute(new String[]{ "stat", "--count" }));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("ferrite stat: option --count needs a value\nusage: stat "),
            err.toString());
        assertEquals(2, FerriteMain.execute(new String[]{ "no-such-command" }));
        assertEquals(2, FerriteMain.execute(new String[0]));
        assertEquals(0, FerriteMain.execute(new String[]{ "help" }));
    }
}
