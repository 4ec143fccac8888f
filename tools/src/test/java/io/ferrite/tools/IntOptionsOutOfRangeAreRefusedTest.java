package io.ferrite.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Options that are ints are refused, naming the option, when the number given does not fit: they were cast, so
 * {@code cell kill --member 4294967296} meant member 0 and {@code ping --keys 4294967297} meant one key.
 */
class IntOptionsOutOfRangeAreRefusedTest
{
    @TempDir
    Path dir;

    @Test
    void cellMemberThatWrapsToZeroIsRefused()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> CellCommand.run(new String[]{ "kill", "--dir", dir.toString(), "--member", "4294967296" }));
        assertEquals("option --member is out of range, got 4294967296", ex.getMessage());
    }

    @Test
    void pingKeysThatWrapToOneAreRefusedBeforeConnecting()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> PingCommand.run(new String[]{ "--keys", "4294967297", "--aeron-dir", dir.resolve("no-driver").toString() }));
        assertEquals("option --keys is out of range, got 4294967297", ex.getMessage());
    }

    @Test
    void intValueKeepsDefaultsAndNamesBadNumbers()
    {
        assertEquals(7, Options.parse(new String[0], new String[]{ "n" }, new String[0]).intValue("n", 7));
        assertEquals(-3, Options.parse(new String[]{ "--n", "-3" }, new String[]{ "n" }, new String[0]).intValue("n", 7));
        assertEquals("option --n needs an integer, got 'x'", assertThrows(IllegalArgumentException.class,
            () -> Options.parse(new String[]{ "--n", "x" }, new String[]{ "n" }, new String[0]).intValue("n", 7)).getMessage());
    }
}
