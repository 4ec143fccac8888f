package io.ferrite.cell;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * A three-member cell of child JVMs for a test: free ports, its own directory, every member killed on close.
 */
final class CellFixture implements AutoCloseable
{
    final CellLauncher launcher;
    final Path dir;

    private CellFixture(final CellLauncher launcher, final Path dir)
    {
        this.launcher = launcher;
        this.dir = dir;
    }

    static CellFixture start(final Path dir, final String... memberJvmArgs) throws Exception
    {
        final int basePort = freeBasePort();
        final String classpath = Path.of("target", "classes").toAbsolutePath() + java.io.File.pathSeparator +
            Files.readString(Path.of("target", "launcher", "classpath.txt"), StandardCharsets.UTF_8).trim();
        final List<String> jvmArgs = new java.util.ArrayList<>(
            List.of("-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        jvmArgs.addAll(List.of(memberJvmArgs));
        final CellLauncher launcher = CellLauncher.create(dir, 3, basePort, jvmArgs, classpath);
        final CellFixture fixture = new CellFixture(launcher, dir);
        try
        {
            launcher.start(90_000);
        }
        catch (final Exception | Error ex)
        {
            fixture.close();
            throw ex;
        }
        return fixture;
    }

    CellClient client()
    {
        return CellClient.connect(new CellClientConfig().ingressEndpoints(launcher.layout().ingressEndpoints())
            .readEndpoints(launcher.layout().readEndpoints()));
    }

    int leader() throws InterruptedException
    {
        return launcher.awaitLeader(30_000, 1);
    }

    int aFollower() throws InterruptedException
    {
        final int leader = leader();
        return (leader + 1) % 3;
    }

    /**
     * Asks for a checksum through the log and waits until every member in {@code members} wrote its own for
     * the same log position.
     *
     * @return the checksum properties of each member.
     */
    List<Properties> checksums(final CellClient client, final int... members) throws Exception
    {
        final CellResult asked = client.checksum(10_000);
        if (!asked.ok())
        {
            throw new AssertionError("checksum request failed: " + asked + "\n" + logs());
        }
        final String position = asked.item().get("logPosition").asNumber();
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            final List<Properties> all = new java.util.ArrayList<>();
            for (final int member : members)
            {
                final Properties p = checksumOf(member);
                if (position.equals(p.getProperty("logPosition")))
                {
                    all.add(p);
                }
            }
            if (all.size() == members.length)
            {
                return all;
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("members " + java.util.Arrays.toString(members) + " did not all reach log " +
                    "position " + position + ": " + launcher.status() + "\n" + logs() + diagnostics());
            }
            Thread.sleep(50);
        }
    }

    Properties checksumOf(final int member) throws IOException
    {
        final Path file = launcher.layout().memberDir(member).resolve("checksum.properties");
        final Properties properties = new Properties();
        if (Files.exists(file))
        {
            try (var in = Files.newInputStream(file))
            {
                properties.load(in);
            }
        }
        return properties;
    }

    String logs() throws IOException
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < 3; i++)
        {
            final Path log = launcher.layout().memberDir(i).resolve("member.log");
            if (Files.exists(log))
            {
                final List<String> lines = Files.readAllLines(log);
                text.append("--- member ").append(i).append(" (last 40 lines)\n");
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> text.append(l).append('\n'));
            }
        }
        return text.toString();
    }

    /**
     * What a failure message needs to say why a member is where it is: each member's status file as written (its
     * election state, positions, how long it has been starting or since its member thread last published), Aeron's
     * error logs (the consensus module's, the service container's and the media driver's, as {@code ClusterTool
     * errors} prints them) and, for a running member, the stacks of its threads that are in Aeron or Ferrite code
     * (a consensus module held in one of its waits shows there).
     */
    String diagnostics()
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < 3; i++)
        {
            final Path memberDir = launcher.layout().memberDir(i);
            text.append("--- member ").append(i).append(" status.properties\n");
            try
            {
                text.append(Files.exists(memberDir.resolve("status.properties")) ?
                    Files.readString(memberDir.resolve("status.properties")) : "(none)\n");
            }
            catch (final IOException ex)
            {
                text.append(ex).append('\n');
            }
            text.append("--- member ").append(i).append(" Aeron error logs\n");
            try
            {
                final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                try (java.io.PrintStream out = new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8))
                {
                    io.aeron.cluster.ClusterTool.errors(out, memberDir.resolve("cluster").toFile());
                }
                text.append(bytes.toString(StandardCharsets.UTF_8));
            }
            catch (final RuntimeException ex)
            {
                text.append(ex).append('\n');
            }
            final long pid = launcher.pidOf(i);
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
            {
                text.append("--- member ").append(i).append(" threads in Aeron or Ferrite code (pid ").append(pid)
                    .append(")\n").append(threadsOf(pid));
            }
        }
        return text.toString();
    }

    private static String threadsOf(final long pid)
    {
        try
        {
            final Process jcmd = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid), "Thread.print")
                .redirectErrorStream(true).start();
            final String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            final StringBuilder text = new StringBuilder();
            for (final String thread : dump.split("\n\\s*\n"))
            {
                if (thread.contains("io.aeron.") || thread.contains("io.ferrite."))
                {
                    text.append(thread.strip()).append("\n\n");
                }
            }
            return text.toString();
        }
        catch (final IOException | InterruptedException ex)
        {
            return "no thread dump: " + ex + "\n";
        }
    }

    /**
     * @return a base port for a test cell: free now, and below the kernel's ephemeral range so that no socket bound to
     * port 0 takes one of the cell's ports while a member is down ({@link CellLayout#freeBasePort}).
     */
    static int freeBasePort()
    {
        return CellLayout.freeBasePort(3);
    }

    public void close()
    {
        launcher.stop(0);
        for (int i = 0; i < 3; i++)
        {
            launcher.kill(i);
        }
    }
}
