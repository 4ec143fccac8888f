package io.ferrite.transport.client;

import io.ferrite.engine.wal.FsyncPolicy;
import io.ferrite.transport.node.Node;
import io.ferrite.transport.node.NodeConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A node in a child JVM, for tests that kill (SIGKILL) or freeze (SIGSTOP) the node's whole process, its embedded media
 * driver with it, which no in-process test can do. {@link #main} starts a one-shard node with its embedded driver on the
 * given data and aeron directories (IPC only), prints {@value #READY}, and runs until its standard input ends: so a child
 * whose test JVM died goes too. {@link #start} runs it from a test and waits for that line.
 */
final class ChildNode implements AutoCloseable
{
    static final String READY = "child node ready";

    final Process process;
    final String aeronDir;
    private final Path log;

    private ChildNode(final Process process, final String aeronDir, final Path log)
    {
        this.process = process;
        this.aeronDir = aeronDir;
        this.log = log;
    }

    /**
     * @param args the data directory and the aeron directory.
     */
    public static void main(final String[] args) throws IOException
    {
        final NodeConfig config = new NodeConfig().dataDir(Path.of(args[0])).aeronDir(args[1]).udpEndpoint("none")
            .shardCount(1);
        config.engine().partitionMaxItems(1_000).fsyncPolicy(FsyncPolicy.NONE);
        try (Node node = Node.launch(config))
        {
            System.out.println(READY);
            System.out.flush();
            while (System.in.read() >= 0)
            {
                // runs until the parent closes our input or goes away
            }
        }
    }

    /**
     * Starts a child node in {@code dir} and waits until it serves.
     */
    static ChildNode start(final Path dir) throws IOException, InterruptedException
    {
        final String aeronDir = dir.resolve("aeron").toString();
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        final String flags = System.getProperty("ferrite.jvm.flags", "").trim();
        if (!flags.isEmpty())
        {
            command.addAll(Arrays.asList(flags.split("\\s+")));
        }
        command.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"), ChildNode.class.getName(),
            dir.resolve("data").toString(), aeronDir));
        final Path log = dir.resolve("child-node.log");
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final ChildNode child = new ChildNode(process, aeronDir, log);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains(READY))
        {
            if (!process.isAlive() || System.nanoTime() > deadline)
            {
                child.close();
                throw new AssertionError("the child node did not start: " + Files.readString(log));
            }
            Thread.sleep(20);
        }
        return child;
    }

    /** Sends the child a signal (STOP, CONT) with kill(1). */
    void signal(final String name) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (0 != kill.waitFor())
        {
            throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
        }
    }

    String output() throws IOException
    {
        return Files.readString(log);
    }

    /** Thaws the child if it was stopped, kills it (SIGKILL) and waits for it to end. */
    public void close() throws IOException, InterruptedException
    {
        if (process.isAlive())
        {
            // a stopped process takes SIGKILL too; thawed first all the same, and a child gone meanwhile is no error
            new ProcessBuilder("kill", "-CONT", Long.toString(process.pid())).start().waitFor();
            process.destroyForcibly();
        }
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            throw new AssertionError("the child node " + process.pid() + " did not end");
        }
    }
}
