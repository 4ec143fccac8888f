package io.ferrite.transport.client;

import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.sbe.ErrorCode;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A handler that polls the client (or makes a blocking call on it) from inside its callback gets an
 * IllegalStateException saying why, before anything is done: no fragment is handed over twice, a blocking call sends
 * nothing, and the client goes on. Before, the nested poll re-entered the response subscription mid-poll.
 */
class ReentrantPollIsRefusedTest
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
    void aPollOrABlockingCallFromAHandlerThrowsAndTheClientCarriesOn()
    {
        node = new ScriptedNode(tempDir.resolve("aeron"), "aeron:ipc");
        node.responder((templateId, correlationId, request, offset, length, out) ->
            ScriptedNode.itemResponse(correlationId, true, request, offset, 4, out));
        client = FerriteClient.connect(new ClientConfig()
            .aeronDir(node.aeronDir())
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(5))
            .requestTimeoutNs(TimeUnit.SECONDS.toNanos(5)));
        final FerriteBlockingClient blocking = new FerriteBlockingClient(client);
        final List<String> outcomes = new ArrayList<>();
        final List<RuntimeException> refusals = new ArrayList<>();
        final byte[] key = ItemCodec.encode(Map.of("pk", s("k")));
        final ResponseHandler reentrant = new ResponseHandler()
        {
            public void onItem(final long requestId, final boolean found, final DirectBuffer buffer, final int offset,
                final int length)
            {
                outcomes.add("item " + requestId);
                try
                {
                    client.poll();
                }
                catch (final RuntimeException ex)
                {
                    refusals.add(ex);
                }
                try
                {
                    blocking.getItem("t", key, false);
                }
                catch (final RuntimeException ex)
                {
                    refusals.add(ex);
                }
            }

            public void onError(final long requestId, final ErrorCode code, final String message)
            {
                outcomes.add("error " + requestId);
            }

            public void onFailure(final long requestId, final ClientFailure failure, final String message)
            {
                outcomes.add("failure " + requestId + " " + failure);
            }
        };

        final long first = client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, reentrant);
        final long second = client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, reentrant);
        pollUntil(() -> outcomes.size() >= 2);

        assertEquals(List.of("item " + first, "item " + second), outcomes, "each answer handed over once");
        assertEquals(4, refusals.size(), String.valueOf(refusals));
        for (final RuntimeException refusal : refusals)
        {
            assertEquals(IllegalStateException.class, refusal.getClass(), String.valueOf(refusal));
            assertTrue(refusal.getMessage().contains("from inside a ResponseHandler callback"), refusal.getMessage());
            assertTrue(refusal.getMessage().contains("re-enter the response subscription"), refusal.getMessage());
        }
        assertEquals(2, node.received.size(), "the blocking calls from the handler sent nothing");
        assertEquals(0, client.inFlight());
        assertEquals(0, client.counters().unmatched(), "no fragment was handed over again");

        // the client carries on: a poll outside a callback works, and so does a blocking call
        assertNotNull(blocking.getItem("t", key, false));
        assertEquals(3, node.received.size());
        assertEquals(2, outcomes.size());
    }

    private void pollUntil(final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("condition not met within 10 s; counters " + client.counters());
            }
            if (0 == client.poll())
            {
                Thread.onSpinWait();
            }
        }
    }
}
