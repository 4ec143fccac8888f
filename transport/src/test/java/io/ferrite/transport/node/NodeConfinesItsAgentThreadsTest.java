package io.ferrite.transport.node;

import io.ferrite.engine.config.Settings;
import net.openhft.affinity.Affinity;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code ferrite.node.cpus}: the node's agent threads run confined to the listed CPUs (read back from the kernel's
 * view of each thread in /proc), the JVM's other threads do not, and a bad list is refused at validation.
 */
class NodeConfinesItsAgentThreadsTest
{
    @Test
    void agentThreadsAreConfinedAndOthersAreNot() throws Exception
    {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")) && Affinity.isJNAAvailable(), "needs Linux /proc and JNA");
        final int cpu = Affinity.getAffinity().nextSetBit(0);
        try (NodeFixture fixture = new NodeFixture(2, config -> config.cpus(Integer.toString(cpu))))
        {
            final long deadline = System.nanoTime() + 10_000_000_000L;
            List<String[]> agents = agentThreads();
            // a runner names its thread before starting it, and the thread confines itself in the agent's onStart,
            // after that: wait for the three threads to have started, not merely to exist (seen in CI: a shard
            // thread read back with both CPUs between the two)
            while ((agents.size() < 3 || !allConfinedTo(agents, cpu)) && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
                agents = agentThreads();
            }
            assertEquals(3, agents.size(), "router and two shard threads");
            for (final String[] thread : agents)
            {
                assertEquals(Integer.toString(cpu), thread[1], thread[0] + " confined to CPU " + cpu);
            }
            final String mainCpus = cpusAllowed(Path.of("/proc/thread-self/status"));
            assertFalse(mainCpus.equals(Integer.toString(cpu)) && Affinity.getAffinity().cardinality() > 1,
                "the test's own thread is not confined");
        }
    }

    @Test
    void aBadCpuListIsRefusedAtValidation()
    {
        final IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
            () -> NodeConfig.from(Settings.fromSystemProperties().set("ferrite.node.cpus", "one")).dataDir(Path.of("x")).validate());
        assertTrue(bad.getMessage().startsWith("ferrite.node.cpus=one is not a CPU list"), bad.getMessage());
        assertEquals(null, new NodeConfig().cpus("none").cpus());
    }

    private static boolean allConfinedTo(final List<String[]> threads, final int cpu)
    {
        for (final String[] thread : threads)
        {
            if (!Integer.toString(cpu).equals(thread[1]))
            {
                return false;
            }
        }
        return true;
    }

    /** Threads named like the node's agents (comm is cut at 15 characters), with their allowed-CPU lists. */
    private static List<String[]> agentThreads() throws IOException
    {
        final List<String[]> found = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task")))
        {
            for (final Path task : (Iterable<Path>)tasks::iterator)
            {
                try
                {
                    final String name = Files.readString(task.resolve("comm")).trim();
                    if (name.startsWith("ferrite-router") || name.startsWith("ferrite-shard") || name.startsWith("[ferrite-"))
                    {
                        found.add(new String[]{ name, cpusAllowed(task.resolve("status")) });
                    }
                }
                catch (final IOException ignore)
                {
                    // the thread ended between the listing and the read
                }
            }
        }
        return found;
    }

    private static String cpusAllowed(final Path status) throws IOException
    {
        for (final String line : Files.readAllLines(status))
        {
            if (line.startsWith("Cpus_allowed_list:"))
            {
                return line.substring("Cpus_allowed_list:".length()).trim();
            }
        }
        throw new IllegalStateException("no Cpus_allowed_list in " + status);
    }
}
