package io.ferrite.transport.client;

import io.ferrite.codecs.item.ItemCodec;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client on the same host reaches its node over IPC through the node's own media driver, so the driver dies or
 * freezes with the node. Aeron then tells the client nothing until its driver timeout (10 s): the client's request
 * waited that long, or its own timeout, and an application could not fail over. The client asks a quiet node for a sign
 * of life (KeepAlive, which the node answers) and takes it as gone when nothing at all comes back within its node
 * silence timeout (here 1 s): the request in flight fails with NODE_UNAVAILABLE well before Aeron's 10 s, and the
 * client says it is no longer connected. The node is a child JVM, SIGKILLed or SIGSTOPped whole.
 */
class ANodeDeadOrFrozenBehindItsOwnDriverIsNoticedTest
{
    private static final long SILENCE_MS = 1_000;
    /** Generous (not a latency assertion), and well under the 10 s Aeron would take. */
    private static final long NOTICED_WITHIN_MS = 6_000;

    @TempDir
    Path dir;

    private ChildNode child;
    private FerriteClient client;
    private final Map<Long, String> outcomes = new ConcurrentHashMap<>();
    private final ResponseHandler handler = SilentNodeIsNoticedWithinTheSilenceTimeoutTest.recording(outcomes);

    @AfterEach
    void closeAll() throws Exception
    {
        CloseHelper.quietClose(client);
        if (null != child)
        {
            child.close();
        }
    }

    /**
     * Then the client outlives Aeron's driver timeout, which it did not: Aeron's default error handler ends the JVM
     * ({@code System.exit(-1)}, "Media Driver timeout - is it running? exiting client...") when the driver it was
     * connected through stops answering for 10 s, so a node dying took every IPC client's application with it (here,
     * the test's JVM: the fork crashed).
     */
    @Test
    void aSigkilledNodeFailsTheRequestInFlightWithinTheSilenceTimeoutAndItsDriversTimeoutEndsNoJvm() throws Exception
    {
        connectAndStayConnectedWhileIdle();
        child.process.destroyForcibly(); // SIGKILL: the node's driver goes with it
        final long killedAt = System.nanoTime();
        assertTrue(child.process.waitFor(30, TimeUnit.SECONDS));
        awaitNodeLost(killedAt, "SIGKILL");

        final PrintStream stderr = System.err;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(new TeeOutputStream(stderr, captured), true));
        try
        {
            final long until = killedAt + TimeUnit.SECONDS.toNanos(10 + 5);
            pollUntil(() -> captured.toString().contains("its media driver stopped answering"), until - System.nanoTime());
        }
        finally
        {
            System.setErr(stderr);
        }
        assertTrue(captured.toString().contains("ferrite client: FATAL - MediaDriver"), "Aeron's driver timeout came " +
            "and was reported; stderr meanwhile: " + captured);
        assertFalse(client.isConnected());
        assertEquals(0, client.poll(), "the client polls on over its closed Aeron");
        assertEquals(1, client.counters().nodesLost(), client.counters().toString());
    }

    private static final class TeeOutputStream extends OutputStream
    {
        private final OutputStream first;
        private final OutputStream second;

        TeeOutputStream(final OutputStream first, final OutputStream second)
        {
            this.first = first;
            this.second = second;
        }

        public synchronized void write(final int b) throws IOException
        {
            first.write(b);
            second.write(b);
        }

        public synchronized void write(final byte[] bytes, final int offset, final int length) throws IOException
        {
            first.write(bytes, offset, length);
            second.write(bytes, offset, length);
        }

        public synchronized void flush() throws IOException
        {
            first.flush();
            second.flush();
        }
    }

    @Test
    void aFrozenNodeFailsTheRequestInFlightWithinTheSilenceTimeout() throws Exception
    {
        connectAndStayConnectedWhileIdle();
        child.signal("STOP"); // every thread of the node, its driver's too, stands still
        final long frozenAt = System.nanoTime();
        awaitNodeLost(frozenAt, "SIGSTOP");
    }

    /**
     * Connects through the child node's driver and proves that a live node with nothing to say is not taken for a dead
     * one: it answers, then stays idle for more than twice the silence timeout while the client polls.
     */
    private void connectAndStayConnectedWhileIdle() throws Exception
    {
        child = ChildNode.start(dir);
        client = FerriteClient.connect(new ClientConfig()
            .aeronDir(child.aeronDir)
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(20))
            .requestTimeoutNs(TimeUnit.SECONDS.toNanos(30))
            .nodeSilenceTimeoutNs(TimeUnit.MILLISECONDS.toNanos(SILENCE_MS)));
        final long listed = client.listTables(10, null, handler);
        assertTrue(listed > 0, "sent: " + listed);
        pollUntil(() -> outcomes.containsKey(listed), TimeUnit.SECONDS.toNanos(20));
        assertEquals("response", outcomes.get(listed));

        pollUntil(() -> false, TimeUnit.MILLISECONDS.toNanos(2 * SILENCE_MS + 500));
        assertTrue(client.isConnected(), "a live idle node was taken for a dead one: " + client.counters() +
            "\nnode output:\n" + child.output());
        assertEquals(0, client.counters().nodesLost());
        assertTrue(client.counters().keepAlivesAnswered() > 0, "the node answers KeepAlive: " + client.counters());
    }

    private void awaitNodeLost(final long since, final String what) throws Exception
    {
        final byte[] key = ItemCodec.encode(Map.of("pk", s("k")));
        final long id = client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, handler);
        assertTrue(id > 0, "sent after " + what + ": " + id);

        pollUntil(() -> outcomes.containsKey(id), TimeUnit.MILLISECONDS.toNanos(NOTICED_WITHIN_MS) - (System.nanoTime() - since));
        final long noticedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
        System.out.println("after " + what + " of the node: " + outcomes.get(id) + " (" + noticedAfterMs + " ms)");
        assertTrue(outcomes.containsKey(id), "the request in flight had no outcome " + noticedAfterMs + " ms after " +
            what + " of the node (Aeron's driver timeout is 10 s); counters " + client.counters());
        assertTrue(outcomes.get(id).startsWith("NODE_UNAVAILABLE: node unavailable: the node sent nothing for"),
            outcomes.get(id));
        assertFalse(client.isConnected(), "the client reports the node lost");
        assertEquals(FerriteClient.NOT_CONNECTED, client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, handler));
        assertEquals(1, client.counters().nodesLost(), client.counters().toString());
        assertEquals(1, client.counters().silentNodes(), client.counters().toString());
        assertEquals(1, client.counters().nodeUnavailable(), client.counters().toString());
    }

    private void pollUntil(final java.util.function.BooleanSupplier done, final long forNs)
    {
        final long deadline = System.nanoTime() + forNs;
        while (!done.getAsBoolean() && System.nanoTime() - deadline < 0)
        {
            if (0 == client.poll())
            {
                java.util.concurrent.locks.LockSupport.parkNanos(200_000); // two cores, shared with the child node
            }
        }
    }
}
