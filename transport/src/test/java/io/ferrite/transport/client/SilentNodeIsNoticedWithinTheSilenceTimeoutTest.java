package io.ferrite.transport.client;

import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.config.Settings;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Over UDP, a node that stops dead (its host gone: no answers, no Aeron heartbeats, no end-of-stream) is noticed after
 * the client's node silence timeout (here 1 s), not after Aeron's default 10 s image liveness timeout: the request in
 * flight fails with NODE_UNAVAILABLE well before its own 30 s timeout, and later sends are refused. Over IPC through the
 * node's driver, a node that stops answering while that driver runs on is noticed as soon, by its silence; and a client
 * that stops polling for a while is not told its live node is gone. (A node dead or frozen with its driver, over IPC:
 * {@link ANodeDeadOrFrozenBehindItsOwnDriverIsNoticedTest}.)
 */
class SilentNodeIsNoticedWithinTheSilenceTimeoutTest
{
    @TempDir
    Path tempDir;

    private ScriptedNode node;
    private FerriteClient client;

    @AfterEach
    void closeAll()
    {
        CloseHelper.closeAll(client, node);
    }

    @Test
    void aFrozenNodeFailsTheRequestsInFlightWithNodeUnavailableAfterTheSilenceTimeout() throws Exception
    {
        final int port;
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            port = socket.getLocalPort();
        }
        node = new ScriptedNode(tempDir.resolve("aeron-node"), "aeron:udp?endpoint=127.0.0.1:" + port);
        node.responder((templateId, correlationId, request, offset, length, out) -> 0); // never answers
        client = FerriteClient.connect(new ClientConfig()
            .embeddedDriver(true)
            .aeronDir(tempDir.resolve("aeron-client").toString())
            .requestChannel("aeron:udp?endpoint=127.0.0.1:" + port)
            .responseChannel("aeron:udp?endpoint=127.0.0.1:0")
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(5))
            .requestTimeoutNs(TimeUnit.SECONDS.toNanos(30))
            .nodeSilenceTimeoutNs(TimeUnit.SECONDS.toNanos(1)));
        final Map<Long, String> outcomes = new ConcurrentHashMap<>();
        final ResponseHandler handler = recording(outcomes);
        final byte[] key = ItemCodec.encode(Map.of("pk", s("k")));
        final long id = client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, handler);
        assertTrue(id > 0, "sent: " + id);

        // a live but silent node (nothing to answer yet) is not taken for a dead one: 2 s of heartbeats only
        final long quietUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < quietUntil)
        {
            if (0 == client.poll())
            {
                Thread.onSpinWait();
            }
        }
        assertTrue(outcomes.isEmpty(), String.valueOf(outcomes));
        assertTrue(client.isConnected());

        node.freeze();
        final long frozenAt = System.nanoTime();
        final long deadline = frozenAt + TimeUnit.SECONDS.toNanos(6);
        while (!outcomes.containsKey(id) && System.nanoTime() < deadline)
        {
            if (0 == client.poll())
            {
                Thread.onSpinWait();
            }
        }
        final long noticedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozenAt);
        assertTrue(outcomes.containsKey(id), "no outcome " + noticedAfterMs + " ms after the node froze " +
            "(Aeron's default image liveness is 10 s); counters " + client.counters());
        // the first of two clocks of the same length: the client's own (nothing heard, not even to KeepAlive) and its
        // driver's image liveness (no frame at all, not even Aeron's heartbeats)
        assertTrue(outcomes.get(id).startsWith("NODE_UNAVAILABLE: node unavailable: the node's response stream went away") ||
            outcomes.get(id).startsWith("NODE_UNAVAILABLE: node unavailable: the node sent nothing for"), outcomes.get(id));
        assertFalse(client.isConnected());
        assertEquals(FerriteClient.NOT_CONNECTED, client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, handler));
        assertEquals(1, client.counters().nodeUnavailable());
    }

    /**
     * Through the node's own driver over IPC, a node whose router stops (a stuck thread) while its driver runs on keeps
     * the session's streams alive at Aeron's level, so only the node's silence tells: before, such a node was never
     * noticed, each request waiting out its own timeout.
     */
    @Test
    void aNodeThatStopsAnsweringWhileItsDriverRunsOnIsNoticedAfterTheSilenceTimeout()
    {
        node = new ScriptedNode(tempDir.resolve("aeron-node"), "aeron:ipc");
        node.responder((templateId, correlationId, request, offset, length, out) -> 0); // never answers a request
        client = FerriteClient.connect(new ClientConfig()
            .aeronDir(node.aeronDir())
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(5))
            .requestTimeoutNs(TimeUnit.SECONDS.toNanos(30))
            .nodeSilenceTimeoutNs(TimeUnit.SECONDS.toNanos(1)));
        final Map<Long, String> outcomes = new ConcurrentHashMap<>();
        final ResponseHandler handler = recording(outcomes);
        final byte[] key = ItemCodec.encode(Map.of("pk", s("k")));
        final long id = client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, handler);
        assertTrue(id > 0, "sent: " + id);

        // a live node that answers KeepAlive but not (yet) the request is not taken for a dead one
        pollFor(TimeUnit.SECONDS.toNanos(2), () -> false);
        assertTrue(outcomes.isEmpty(), String.valueOf(outcomes));
        assertTrue(client.isConnected());
        assertTrue(client.counters().keepAlivesAnswered() > 0, client.counters().toString());

        node.answerKeepAlives(false);
        final long stoppedAt = System.nanoTime();
        pollFor(TimeUnit.SECONDS.toNanos(6), () -> outcomes.containsKey(id));
        final long noticedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
        assertTrue(outcomes.containsKey(id), "no outcome " + noticedAfterMs + " ms after the node stopped answering " +
            "while its driver runs on; counters " + client.counters());
        assertTrue(outcomes.get(id).startsWith("NODE_UNAVAILABLE: node unavailable: the node sent nothing for"),
            outcomes.get(id));
        assertFalse(client.isConnected());
        assertEquals(1, client.counters().silentNodes());
        assertEquals(1, client.counters().nodesLost());
    }

    /**
     * The silence that counts is the node's, not the client's own: a client that neither polls nor sends for longer than
     * the silence timeout (its thread busy elsewhere) still finds its live node there, since the node owed it nothing
     * meanwhile.
     */
    @Test
    void aClientThatStopsPollingForLongerThanTheSilenceTimeoutStillFindsItsNode() throws InterruptedException
    {
        node = new ScriptedNode(tempDir.resolve("aeron-node"), "aeron:ipc");
        client = FerriteClient.connect(new ClientConfig()
            .aeronDir(node.aeronDir())
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(5))
            .nodeSilenceTimeoutNs(TimeUnit.SECONDS.toNanos(1)));
        Thread.sleep(2_500);
        final Map<Long, String> outcomes = new ConcurrentHashMap<>();
        final byte[] key = ItemCodec.encode(Map.of("pk", s("k")));
        final long id = client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, recording(outcomes));
        assertTrue(id > 0, "sent: " + id);
        pollFor(TimeUnit.SECONDS.toNanos(5), () -> outcomes.containsKey(id));
        assertEquals("item", outcomes.get(id), client.counters().toString());
        assertTrue(client.isConnected());
        assertEquals(0, client.counters().nodesLost());
    }

    private void pollFor(final long ns, final java.util.function.BooleanSupplier done)
    {
        final long deadline = System.nanoTime() + ns;
        while (!done.getAsBoolean() && System.nanoTime() - deadline < 0)
        {
            if (0 == client.poll())
            {
                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            }
        }
    }

    /**
     * @return a handler that records each request's outcome by its id ("item", "response", "error CODE", or the
     * failure and its message).
     */
    static ResponseHandler recording(final Map<Long, String> outcomes)
    {
        return new ResponseHandler()
        {
            public void onItem(final long requestId, final boolean found, final DirectBuffer buffer, final int offset,
                final int length)
            {
                outcomes.put(requestId, "item");
            }

            public void onResponse(final long requestId, final int templateId, final DirectBuffer buffer,
                final int offset, final int length)
            {
                outcomes.put(requestId, "response");
            }

            public void onError(final long requestId, final ErrorCode code, final String message)
            {
                outcomes.put(requestId, "error " + code);
            }

            public void onFailure(final long requestId, final ClientFailure failure, final String message)
            {
                outcomes.put(requestId, failure + ": " + message);
            }
        };
    }

    @Test
    void theSilenceTimeoutIsAClientKeyWithAFloor()
    {
        assertEquals(TimeUnit.SECONDS.toNanos(5), new ClientConfig().nodeSilenceTimeoutNs(), "the default");
        final ClientConfig config = ClientConfig.from(
            Settings.fromSystemProperties().set("ferrite.client.nodeSilenceTimeoutMs", "2500"));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(2500), config.nodeSilenceTimeoutNs());
        final IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class,
            () -> new ClientConfig().nodeSilenceTimeoutNs(TimeUnit.MILLISECONDS.toNanos(200)));
        assertTrue(tooShort.getMessage().contains("ferrite.client.nodeSilenceTimeoutMs must be at least 1000 ms"),
            tooShort.getMessage());
    }
}
