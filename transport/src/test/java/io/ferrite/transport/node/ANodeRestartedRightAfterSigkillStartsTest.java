package io.ferrite.transport.node;

import io.aeron.CommonContext;
import io.ferrite.engine.wal.FsyncPolicy;
import io.ferrite.transport.AeronDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node's embedded media driver killed with SIGKILL leaves a CnC file whose heartbeat Aeron takes as alive for its
 * driver timeout (10 s): a node restarted at once (a supervisor's restart) failed with "Active media driver
 * detected". The CnC file names the driver's process id; when no such process runs, the directory is replaced.
 */
class ANodeRestartedRightAfterSigkillStartsTest
{
    @TempDir
    Path dir;

    @Test
    void aDriverKilledASecondAgoDoesNotStopTheNextStart() throws Exception
    {
        final String aeronDir = dir.resolve("aeron").toString();
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        final String flags = System.getProperty("ferrite.jvm.flags", "").trim();
        if (!flags.isEmpty())
        {
            command.addAll(Arrays.asList(flags.split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "-Daeron.dir=" + aeronDir,
            "-Daeron.threading.mode=SHARED", "io.aeron.driver.MediaDriver"));
        final Path log = dir.resolve("driver.log");
        final Process driver = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!CommonContext.isDriverActive(new File(aeronDir), 5_000, message -> { }))
            {
                assertTrue(System.nanoTime() < deadline && driver.isAlive(),
                    "the child's media driver did not start: " + Files.readString(log));
                Thread.sleep(20);
            }
            assertEquals(-1, AeronDirectory.deadDriverPid(aeronDir), "a running driver is not dead");
        }
        finally
        {
            driver.destroyForcibly(); // SIGKILL
            assertTrue(driver.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(driver.pid(), AeronDirectory.deadDriverPid(aeronDir), "the killed driver's process is gone");
        assertTrue(CommonContext.isDriverActive(new File(aeronDir), 10_000, message -> { }),
            "its heartbeat still reads as alive to Aeron (what refused the start)");

        final NodeConfig config = new NodeConfig().dataDir(dir.resolve("data")).aeronDir(aeronDir).udpEndpoint("none")
            .shardCount(1);
        config.engine().partitionMaxItems(1_000).fsyncPolicy(FsyncPolicy.NONE);
        try (Node node = Node.launch(config))
        {
            assertTrue(node.startupReport().stream().anyMatch(line -> line.contains("(process " + driver.pid() + ") is gone")),
                node.startupReport().toString());
        }
    }
}
