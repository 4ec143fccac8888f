package io.ferrite.cell;

import io.aeron.CommonContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cell client connected through a media driver that the application names (not its own) outlives that driver: when
 * the driver is SIGKILLed, Aeron's driver timeout (10 s) is reported on stderr and a later call fails, where Aeron's
 * default error handler ended the whole JVM ({@code System.exit(-1)}: this test's fork died with exit code 255).
 */
final class ACellClientOutlivesItsMediaDriverTest
{
    @TempDir
    Path tempDir;

    @Test
    void aDriverKilledUnderTheClientIsReportedAndTheJvmGoesOn() throws Exception
    {
        final String aeronDir = (new File("/dev/shm").isDirectory() ? "/dev/shm" : tempDir.toString()) +
            "/ferrite-cell-client-driver-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(CellLauncher.jvmFlags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
            "-Daeron.dir=" + aeronDir, "-Daeron.dir.delete.on.start=true", "-Daeron.threading.mode=SHARED",
            "io.aeron.driver.MediaDriver"));
        final Process driver = new ProcessBuilder(command)
            .redirectErrorStream(true).redirectOutput(tempDir.resolve("driver.log").toFile()).start();
        final PrintStream stderr = System.err;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try
        {
            final long driverDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!CommonContext.isDriverActive(new File(aeronDir), 1_000, message -> { }))
            {
                assertTrue(driver.isAlive() && System.nanoTime() < driverDeadline, "the child media driver started");
                Thread.sleep(50);
            }
            System.setErr(new PrintStream(new TeeStream(stderr, captured), true, StandardCharsets.UTF_8));
            try (CellClient client = CellClient.connect(new CellClientConfig().aeronDir(aeronDir)
                .ingressEndpoints("0=127.0.0.1:" + freeUdpPort()).requestTimeoutMs(500)))
            {
                // No cell listens: the call fails within its timeout, over a live driver.
                final CellResult before = client.putItem("t", Map.of("pk", s("a")));
                assertNotEquals(CellResult.Outcome.OK, before.outcome(), before.toString());

                driver.destroyForcibly().waitFor();
                final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10 + 10);
                while (!captured.toString(StandardCharsets.UTF_8).contains("its media driver stopped answering"))
                {
                    assertTrue(System.nanoTime() < until, "Aeron's driver timeout was reported within 20 s of " +
                        "the SIGKILL; stderr meanwhile: " + captured.toString(StandardCharsets.UTF_8));
                    client.poll();
                    Thread.sleep(50);
                }
                // The JVM is here to say so, and the client answers its caller rather than hang.
                final CellResult after = client.putItem("t", Map.of("pk", s("b")));
                assertNotEquals(CellResult.Outcome.OK, after.outcome(), after.toString());
            }
        }
        finally
        {
            System.setErr(stderr);
            driver.destroyForcibly().waitFor();
            // a SIGKILLed driver does not delete its directory
            org.agrona.IoUtil.delete(new File(aeronDir), true);
        }
        assertTrue(captured.toString(StandardCharsets.UTF_8).contains("ferrite cell client: "),
            captured.toString(StandardCharsets.UTF_8));
    }

    private static int freeUdpPort() throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    private static final class TeeStream extends java.io.OutputStream
    {
        private final java.io.OutputStream first;
        private final java.io.OutputStream second;

        TeeStream(final java.io.OutputStream first, final java.io.OutputStream second)
        {
            this.first = first;
            this.second = second;
        }

        @Override
        public synchronized void write(final int b) throws java.io.IOException
        {
            first.write(b);
            second.write(b);
        }

        @Override
        public synchronized void write(final byte[] bytes, final int offset, final int length)
            throws java.io.IOException
        {
            first.write(bytes, offset, length);
            second.write(bytes, offset, length);
        }
    }
}
