package io.ferrite.engine.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MemAvailable} finds the figure on its own line whatever comes before it, reads the file again on each call
 * (a changed file gives the new figure), refuses a file without it, and allocates nothing per read once warm.
 */
class MemAvailableTest
{
    @TempDir
    Path dir;

    private static final String MEMINFO = "MemTotal:       24563256 kB\nMemFree:         1234567 kB\n" +
        "NoMemAvailable:        7 kB\nMemAvailable:   20480000 kB\nBuffers:           12345 kB\n";

    @Test
    void findsTheFigureOnItsOwnLineAndReadsTheFileAgainEachTime() throws Exception
    {
        final Path file = dir.resolve("meminfo");
        Files.writeString(file, MEMINFO);
        try (MemAvailable reader = new MemAvailable(file))
        {
            assertEquals(20_480_000L * 1024, reader.getAsLong());
            Files.writeString(file, MEMINFO.replace("20480000", "512"));
            assertEquals(512L * 1024, reader.getAsLong());
        }
    }

    @Test
    void aFileWithoutTheFigureIsRefused()
    {
        final ByteBuffer text = ByteBuffer.wrap("MemTotal: 1 kB\nMemAvailable: kB\n".getBytes(StandardCharsets.US_ASCII));
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> MemAvailable.parse(text, text.limit()));
        assertTrue(ex.getMessage().contains("MemAvailable"), ex.getMessage());
    }

    @Test
    void theMachinesFileReadsWithoutAllocating()
    {
        final Path proc = Path.of("/proc/meminfo");
        try (MemAvailable reader = new MemAvailable(proc))
        {
            for (int i = 0; i < 20_000; i++)
            {
                assertTrue(reader.getAsLong() > 0);
            }
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
            final long before = threads.getCurrentThreadAllocatedBytes();
            long sum = 0;
            for (int i = 0; i < 1_000; i++)
            {
                sum += reader.getAsLong();
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(sum > 0);
            assertTrue(allocated < 1_000, allocated + " bytes allocated over 1,000 reads");
        }
    }
}
