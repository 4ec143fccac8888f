package io.ferrite.cell;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A local cell's ports (tests, game days) lie below the kernel's ephemeral port range: a member binds its ports when
 * it starts and a follower binds its catch-up port anew at each election, and until then any socket bound to port 0
 * on the machine (every Aeron publication's send socket) may be given one of them. A follower whose catch-up port is
 * taken goes round its election with "Address already in use" and does not catch up while it stays taken (its commit
 * position stays at its own log's end while the others go on): CellLayout.freeBasePort.
 */
class ACellsPortsLieBelowTheEphemeralRangeTest
{
    @RepeatedTest(20)
    void theTestCellsPortsAreNoneTheKernelGivesToPortZero() throws Exception
    {
        final int[] ephemeral = CellLayout.ephemeralPortRange();
        final int base = CellFixture.freeBasePort();
        final int last = base + 3 * CellLayout.PORTS_PER_MEMBER - 1;
        assertTrue(base >= 1024 && last < ephemeral[0], "ports " + base + ".." + last + " vs the ephemeral range " +
            ephemeral[0] + ".." + ephemeral[1]);
    }

    @Test
    void aMemberStartedOnPortsInsideTheRangeSaysSoAndWhichPortsToChoose()
    {
        final int[] range = { 32_768, 60_999 };
        final String inside = new CellLayout(java.nio.file.Path.of("c"), 3, 40_000).ephemeralOverlapWarning(range);
        assertTrue(null != inside && inside.startsWith("WARNING: the cell's ports 40000..40029 overlap the kernel's " +
            "ephemeral port range 32768..60999") && inside.contains("lie below 32768"), inside);
        final String straddling = new CellLayout(java.nio.file.Path.of("c"), 3, 32_750).ephemeralOverlapWarning(range);
        assertTrue(null != straddling && straddling.contains("32750..32779"), straddling);
        assertNull(new CellLayout(java.nio.file.Path.of("c"), 3, CellLayout.DEFAULT_BASE_PORT)
            .ephemeralOverlapWarning(range));
        assertNull(new CellLayout(java.nio.file.Path.of("c"), 3, 61_000).ephemeralOverlapWarning(range));
    }

    @Test
    void theEphemeralRangeIsTheKernels() throws Exception
    {
        if (Files.isReadable(CellLayout.EPHEMERAL_RANGE_FILE))
        {
            try (java.io.BufferedReader reader = Files.newBufferedReader(CellLayout.EPHEMERAL_RANGE_FILE))
            {
                final String[] range = reader.readLine().trim().split("\\s+");
                assertArrayEquals(new int[] { Integer.parseInt(range[0]), Integer.parseInt(range[1]) },
                    CellLayout.ephemeralPortRange());
            }
        }
    }
}
