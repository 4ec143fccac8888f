package io.ferrite.tools.chaos;

import io.ferrite.engine.wal.FsyncPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A writer JVM SIGKILLed at random moments, 20 times on the same data directory (some crashes recovered by the
 * next writer itself), loses no acknowledged put, update or delete and leaves no item nobody wrote, under each
 * fsync policy in turn.
 */
class AcknowledgedWritesSurviveSigkillTest
{
    private static final int CYCLES = 20;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedWriteSurvivesSigkillAndNothingElseAppears() throws Exception
    {
        final long seed = Long.getLong("ferrite.chaos.seed", 20261123L);
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(new TeeStream(captured, System.out), true, StandardCharsets.UTF_8);
        out.println("seed=" + seed);

        final EmbeddedChaos.Result result = EmbeddedChaos.run(CYCLES, dir.resolve("data"), seed,
            List.of(FsyncPolicy.NONE, FsyncPolicy.BATCH, FsyncPolicy.EVERY_WRITE), 250, 800, out);
        out.println(result.summaryLine());

        final String text = captured.toString(StandardCharsets.UTF_8);
        assertEquals(CYCLES, result.cycles());
        assertEquals(CYCLES, text.lines().filter(l -> l.startsWith("cycle ") && l.contains("| recovery: ")).count(),
            "each cycle prints its line with the recovery report:\n" + text);
        assertTrue(result.acked() > CYCLES, "the writers acknowledged only " + result.acked() + " writes:\n" + text);
        assertTrue(result.passed(), result.summaryLine() + "\n" + text);
    }

    /** Copies the progress to stdout (the build log) while the test keeps it for the assertions. */
    private static final class TeeStream extends OutputStream
    {
        private final OutputStream first;
        private final OutputStream second;

        TeeStream(final OutputStream first, final OutputStream second)
        {
            this.first = first;
            this.second = second;
        }

        public void write(final int b) throws IOException
        {
            first.write(b);
            second.write(b);
        }

        public void write(final byte[] b, final int off, final int len) throws IOException
        {
            first.write(b, off, len);
            second.write(b, off, len);
        }

        public void flush() throws IOException
        {
            first.flush();
            second.flush();
        }
    }
}
