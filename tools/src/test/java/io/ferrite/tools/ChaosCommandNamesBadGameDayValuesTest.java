package io.ferrite.tools;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code ferrite chaos --target node|cell} refuses bad values with the rule they break, before starting anything.
 */
class ChaosCommandNamesBadGameDayValuesTest
{
    private static String refusal(final String... args)
    {
        return assertThrows(IllegalArgumentException.class, () -> ChaosCommand.run(args)).getMessage();
    }

    @Test
    void negativeDurationOrKillIntervalIsNotCalledMissing()
    {
        assertEquals("--duration must be at least 1 second, got -1",
            refusal("--target", "node", "--duration", "-1", "--kill-interval", "1"));
        assertEquals("--kill-interval must be 0 (no kills) or more seconds, got -1",
            refusal("--target", "node", "--duration", "5", "--kill-interval", "-1"));
        assertEquals("option --duration is required for --target cell", refusal("--target", "cell", "--kill-interval", "1"));
    }

    @Test
    void hugeDurationDoesNotOverflowPastTheHistoryLimit()
    {
        assertEquals("--rate times --duration must be at most 20,000,000 operations (the history is kept in memory), " +
            "got 2 x 9223372036854775807",
            refusal("--target", "node", "--duration", "9223372036854775807", "--kill-interval", "1", "--rate", "2"));
    }

    @Test
    void clientsThatWrapToAValidIntAreRefused()
    {
        assertEquals("option --clients is out of range, got -4294967295",
            refusal("--target", "node", "--duration", "5", "--kill-interval", "1", "--clients", "-4294967295"));
    }
}
