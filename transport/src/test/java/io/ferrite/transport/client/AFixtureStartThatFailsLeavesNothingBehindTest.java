package io.ferrite.transport.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ClientNodeFixture} leaves no thread, media driver or directory behind when a step of its start fails: a
 * node that fails half started (its shards, media driver and Aeron client up when its UDP port turns out to be
 * taken), and a UDP client whose node never answers (its own media driver up when its connect times out).
 */
class AFixtureStartThatFailsLeavesNothingBehindTest
{
    /** The threads a node or a client starts: its agents', its media driver's and its Aeron client's. */
    private static final Pattern STARTED_THREADS = Pattern.compile(".*(ferrite|aeron|driver|conductor|sender|receiver).*");

    @TempDir
    Path parent;

    @Test
    void aNodeWhoseUdpPortIsTakenLeavesNoThreadNorDirectory() throws IOException
    {
        final Set<Thread> threadsBefore = startedThreads();
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            final RuntimeException failure = assertThrows(RuntimeException.class, () -> ClientNodeFixture.launchIn(
                parent, 1, node -> node.udpEndpoint("127.0.0.1:" + taken.getLocalPort())));
            assertTrue(String.valueOf(failure).contains(String.valueOf(taken.getLocalPort())), String.valueOf(failure));
        }
        assertEquals(Set.of(), newThreads(threadsBefore), "threads left by the failed start");
        assertEquals(List.of(), entries(parent), "left in the fixture's parent directory");
    }

    @Test
    void aUdpClientWhoseNodeNeverAnswersLeavesNoThreadAndTheFixtureClosesTheRest() throws IOException
    {
        final Set<Thread> threadsBefore = startedThreads();
        final ClientNodeFixture started = ClientNodeFixture.launchIn(parent, 1, node -> { });
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            final Set<Thread> threadsOfTheNode = startedThreads();
            assertFalse(newThreads(threadsBefore).isEmpty(), "the node's threads are seen");
            final ClientConfig config = started.udpClientConfig()
                .requestChannel("aeron:udp?endpoint=127.0.0.1:" + silent.getLocalPort())
                .connectTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500));
            final FerriteClientException failure = assertThrows(FerriteClientException.class,
                () -> started.connect(config));
            assertEquals(ClientFailure.NODE_UNAVAILABLE, failure.failure(), failure.getMessage());
            assertFalse(new File(config.aeronDir()).exists(), "the client's aeron dir " + config.aeronDir());
            assertEquals(Set.of(), newThreads(threadsOfTheNode), "threads left by the failed connect");
        }
        finally
        {
            started.close();
        }
        assertEquals(Set.of(), newThreads(threadsBefore), "threads left after the fixture closed");
        assertEquals(List.of(), entries(parent), "left in the fixture's parent directory");
    }

    private static Set<Thread> startedThreads()
    {
        final Set<Thread> threads = new java.util.HashSet<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.isAlive() && STARTED_THREADS.matcher(thread.getName()).matches())
            {
                threads.add(thread);
            }
        }
        return threads;
    }

    private static Set<String> newThreads(final Set<Thread> before)
    {
        final Set<String> names = new TreeSet<>();
        for (final Thread thread : startedThreads())
        {
            if (!before.contains(thread))
            {
                names.add(thread.getName());
            }
        }
        return names;
    }

    private static List<Path> entries(final Path dir) throws IOException
    {
        try (Stream<Path> entries = Files.list(dir))
        {
            return entries.toList();
        }
    }
}
