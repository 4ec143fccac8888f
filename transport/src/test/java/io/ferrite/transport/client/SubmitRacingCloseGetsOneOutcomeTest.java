package io.ferrite.transport.client;

import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.sbe.ErrorCode;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Background mode: commands submitted from other threads while another thread closes the client. Every command that
 * {@link FerriteClient#submit(ClientCommand)} accepted runs exactly once, so the request it sends ends in exactly one
 * outcome: an answer, a failure callback (CLIENT_CLOSED for one still in flight), or a negative send status (CLOSED
 * for a command the closing client runs after it closed). Before, a command still queued when the background thread
 * stopped (or one queued just after close) was dropped: its caller heard nothing, ever.
 */
class SubmitRacingCloseGetsOneOutcomeTest
{
    private static final int ROUNDS = 20;
    private static final int SUBMITTERS = 3;

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
    void everyAcceptedSubmitEndsInExactlyOneOutcomeWhenCloseRacesIt() throws InterruptedException
    {
        node = new ScriptedNode(tempDir.resolve("aeron"), "aeron:ipc");
        // no answers: a request in flight at close ends in CLIENT_CLOSED (answering a closed client's requests would
        // only make the stand-in node wait on a response stream nobody reads)
        node.responder((templateId, correlationId, request, offset, length, out) -> 0);
        node.record(false);
        final byte[] key = ItemCodec.encode(Map.of("pk", s("k")));
        final UnsafeBuffer keyBuffer = new UnsafeBuffer(key);
        final AtomicLong outcomes = new AtomicLong();
        final ResponseHandler handler = new ResponseHandler()
        {
            public void onItem(final long requestId, final boolean found, final DirectBuffer buffer, final int offset,
                final int length)
            {
                outcomes.incrementAndGet();
            }

            public void onError(final long requestId, final ErrorCode code, final String message)
            {
                outcomes.incrementAndGet();
            }

            public void onFailure(final long requestId, final ClientFailure failure, final String message)
            {
                outcomes.incrementAndGet();
            }
        };
        final ClientCommand get = c ->
        {
            if (c.getItem("t", keyBuffer, 0, key.length, false, handler) < 0)
            {
                outcomes.incrementAndGet(); // refused at once (CLOSED, IN_FLIGHT_LIMIT, ...): the command heard it
            }
        };

        long totalAccepted = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            outcomes.set(0);
            client = FerriteClient.connect(new ClientConfig()
                .aeronDir(node.aeronDir())
                .connectTimeoutNs(TimeUnit.SECONDS.toNanos(5))
                .requestTimeoutNs(TimeUnit.SECONDS.toNanos(30))
                .commandQueueCapacity(256));
            client.startBackgroundThread(new BackoffIdleStrategy());
            final FerriteClient racing = client;
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong accepted = new AtomicLong();
            final Thread[] submitters = new Thread[SUBMITTERS];
            for (int t = 0; t < SUBMITTERS; t++)
            {
                submitters[t] = new Thread(() ->
                {
                    while (!stop.get())
                    {
                        if (racing.submit(get))
                        {
                            accepted.incrementAndGet();
                        }
                        else
                        {
                            Thread.onSpinWait();
                        }
                    }
                }, "submitter-" + t);
                submitters[t].start();
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (client.counters().sent() < 200 && System.nanoTime() < deadline) // the background thread is busy
            {
                Thread.onSpinWait();
            }
            final long acceptedBeforeClose = accepted.get();
            client.close(); // stops the background thread, which closes the client there, while the submitters go on
            final long outcomesAtClose = outcomes.get();
            stop.set(true);
            for (final Thread submitter : submitters)
            {
                submitter.join();
            }
            assertFalse(client.submit(get), "a closed client takes no work");
            assertTrue(acceptedBeforeClose >= 200, "round " + round + ": the submitters and the background thread got going");
            assertEquals(accepted.get(), outcomes.get(), "round " + round + ": every accepted submit ends in exactly " +
                "one outcome (counters " + client.counters() + ")");
            assertEquals(outcomesAtClose, outcomes.get(), "round " + round + ": no outcome comes after close() returned");
            totalAccepted += accepted.get();
            client = null;
        }
        assertTrue(totalAccepted > ROUNDS * 200L, "accepted " + totalAccepted);
    }

    /**
     * A command that closes the client, with more commands queued behind it than one poll drains: those still run,
     * once each, on the closed client (its close runs them: the drain hands the queue's head on before each command,
     * so the close inside it sees the rest), although a closed client never polls again.
     */
    @Test
    void commandsQueuedBehindOneThatClosesTheClientStillRunOnce()
    {
        node = new ScriptedNode(tempDir.resolve("aeron"), "aeron:ipc");
        client = FerriteClient.connect(new ClientConfig()
            .aeronDir(node.aeronDir())
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(5))
            .fragmentLimit(4));
        final byte[] key = ItemCodec.encode(Map.of("pk", s("k")));
        final UnsafeBuffer keyBuffer = new UnsafeBuffer(key);
        final ResponseHandler ignore = new ResponseHandler()
        {
            public void onError(final long requestId, final ErrorCode code, final String message)
            {
            }

            public void onFailure(final long requestId, final ClientFailure failure, final String message)
            {
            }
        };
        final AtomicLong refusedWithClosed = new AtomicLong();
        final ClientCommand get = c ->
        {
            if (FerriteClient.CLOSED == c.getItem("t", keyBuffer, 0, key.length, false, ignore))
            {
                refusedWithClosed.incrementAndGet();
            }
        };
        assertTrue(client.submit(FerriteClient::close));
        for (int i = 0; i < 10; i++)
        {
            assertTrue(client.submit(get));
        }
        client.poll();
        assertEquals(10, refusedWithClosed.get(), "every command behind the close ran once, on the closed client");
        client.poll();
        assertEquals(10, refusedWithClosed.get());
        assertFalse(client.submit(get));
    }
}
