package io.ferrite.tools;

import io.ferrite.cell.CellLauncher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tools/bin/ferrite cell start|status|stop}, as a user runs them: start returns once a leader is elected, with
 * three member processes running; status shows one leader and exits 0; stop ends every member.
 */
class CellCommandStartsReportsAndStopsACellTest
{
    @TempDir
    Path dir;

    @Test
    void startStatusStop() throws Exception
    {
        final Path cellDir = dir.resolve("cell");
        final int basePort = io.ferrite.cell.CellLayout.freeBasePort(3);
        try
        {
            final Result start = ferrite("cell", "start", "--dir", cellDir.toString(), "--base-port", Integer.toString(basePort));
            assertEquals(0, start.exit, start.output);
            assertTrue(start.output.contains("ferrite: cell ready members=3 leader="), start.output);

            final List<CellLauncher.MemberStatus> members = CellLauncher.open(cellDir).status();
            assertEquals(3, members.stream().filter(CellLauncher.MemberStatus::alive).count(), members.toString());

            final Result status = ferrite("cell", "status", "--dir", cellDir.toString());
            assertEquals(0, status.exit, status.output);
            assertEquals(1, status.output.lines().filter(l -> l.startsWith("member ") && l.contains(" LEADER ")).count(),
                status.output);
            assertTrue(status.output.contains("cell: serving"), status.output);

            final Result stop = ferrite("cell", "stop", "--dir", cellDir.toString());
            assertEquals(0, stop.exit, stop.output);
            assertTrue(stop.output.contains("stopped 3 member(s)"), stop.output);
            for (final CellLauncher.MemberStatus member : members)
            {
                assertFalse(ProcessHandle.of(member.pid()).map(ProcessHandle::isAlive).orElse(false),
                    "member " + member.memberId() + " is gone");
            }
        }
        finally
        {
            if (Files.exists(cellDir.resolve("cell.properties")))
            {
                final CellLauncher launcher = CellLauncher.open(cellDir);
                for (int i = 0; i < 3; i++)
                {
                    launcher.kill(i);
                }
            }
        }
    }

    private record Result(int exit, String output)
    {
    }

    private Result ferrite(final String... args) throws IOException, InterruptedException
    {
        final Path launcher = Path.of(System.getProperty("user.dir"), "bin", "ferrite");
        final List<String> command = new java.util.ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("FERRITE_REBUILD");
        builder.environment().put("FERRITE_JAVA_OPTS", "-Xmx128m -Djava.io.tmpdir=" + dir);
        final Process process = builder.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("ferrite " + String.join(" ", args) + " did not finish: " + output);
        }
        return new Result(process.exitValue(), output);
    }

}
