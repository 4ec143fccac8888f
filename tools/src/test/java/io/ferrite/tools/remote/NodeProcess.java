package io.ferrite.tools.remote;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A Ferrite node started as a separate process through the launcher ({@code tools/bin/ferrite server}),
 * with its settings passed as {@code -D} options in {@code FERRITE_JAVA_OPTS}, as a user would. Waits for
 * the node's ready line and reads the UDP endpoint and aeron dir from it.
 * <p>
 * Test helper; one test thread uses it. {@link #close()} SIGTERMs (then SIGKILLs) a node still running.
 */
final class NodeProcess implements AutoCloseable
{
    private static final long READY_TIMEOUT_MS = 90_000;

    private final Process process;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch ready = new CountDownLatch(1);
    private final Thread reader;
    private volatile String readyLine;

    private NodeProcess(final Process process)
    {
        this.process = process;
        reader = new Thread(this::readLines, "node-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts a node on a data directory, with its own aeron dir, IPC and UDP (on a free port).
     *
     * @param dataDir  the data directory.
     * @param aeronDir the node's aeron dir.
     * @param extraOpts more -D options.
     * @return the node, once it printed its ready line.
     * @throws IOException when it cannot be started.
     * @throws InterruptedException when interrupted while waiting.
     */
    static NodeProcess start(final Path dataDir, final Path aeronDir, final String extraOpts)
        throws IOException, InterruptedException
    {
        final Path launcher = Path.of(System.getProperty("user.dir"), "bin", "ferrite");
        if (!Files.isExecutable(launcher))
        {
            throw new IllegalStateException("launcher not found at " + launcher + " (tests run from the tools module)");
        }
        final ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "server", "--data-dir", dataDir.toString())
            .redirectErrorStream(true);
        final String opts = "-Xmx512m -Dferrite.node.aeronDir=" + aeronDir + " -Dferrite.node.udpEndpoint=127.0.0.1:0 -Dferrite.http.port=0 " +
            "-Djava.io.tmpdir=" + dataDir.getParent() + " " + extraOpts;
        builder.environment().put("FERRITE_JAVA_OPTS", opts);
        builder.environment().remove("FERRITE_REBUILD");
        final NodeProcess node = new NodeProcess(builder.start());
        if (!node.ready.await(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS))
        {
            node.close();
            throw new IllegalStateException("node did not print its ready line within " + READY_TIMEOUT_MS +
                " ms; output:\n" + String.join("\n", node.lines));
        }
        return node;
    }

    private void readLines()
    {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = in.readLine()))
            {
                lines.add(line);
                if (line.startsWith("ferrite: node ready"))
                {
                    readyLine = line;
                    ready.countDown();
                }
            }
        }
        catch (final IOException ignore)
        {
            // the process died: what it printed is in lines
        }
        ready.countDown();
    }

    private String field(final String name)
    {
        final String line = readyLine;
        if (null == line)
        {
            throw new IllegalStateException("node is not ready; output:\n" + String.join("\n", lines));
        }
        for (final String part : line.split(" "))
        {
            if (part.startsWith(name + "="))
            {
                return part.substring(name.length() + 1);
            }
        }
        throw new IllegalStateException("ready line has no " + name + "=: " + line);
    }

    /**
     * @return the UDP request channel from the ready line.
     */
    String udpChannel()
    {
        return "aeron:udp?endpoint=" + field("udp");
    }

    /**
     * @return the node's aeron dir from the ready line.
     */
    String aeronDir()
    {
        return field("aeronDir");
    }

    /**
     * @return the process.
     */
    Process process()
    {
        return process;
    }

    /**
     * @return everything the node printed so far.
     */
    List<String> output()
    {
        synchronized (lines)
        {
            return new ArrayList<>(lines);
        }
    }

    /**
     * SIGKILL: the node gets no chance to close anything.
     *
     * @throws InterruptedException when interrupted while waiting for it to die.
     */
    void kill() throws InterruptedException
    {
        killTree(true);
    }

    /**
     * SIGTERM and wait for a clean exit.
     *
     * @param timeoutMs how long to wait.
     * @return the exit code, or -1 if it did not exit in time.
     * @throws InterruptedException when interrupted.
     */
    int terminate(final long timeoutMs) throws InterruptedException
    {
        process.toHandle().destroy();
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
        {
            return -1;
        }
        reader.join(5_000);
        return process.exitValue();
    }

    private void killTree(final boolean forcibly) throws InterruptedException
    {
        // The launcher execs java, so the process is the JVM itself; descendants are killed too in case.
        process.toHandle().descendants().forEach(h -> h.destroyForcibly());
        if (forcibly)
        {
            process.toHandle().destroyForcibly();
        }
        else
        {
            process.toHandle().destroy();
        }
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("node pid " + process.pid() + " survived SIGKILL for 30 s");
        }
        reader.join(5_000);
    }

    public void close() throws InterruptedException
    {
        if (process.isAlive())
        {
            if (terminate(20_000) < 0)
            {
                killTree(true);
            }
        }
    }
}
