package io.ferrite.transport.client;

import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.codecs.sbe.ItemsPageResponseEncoder;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node that answers with frames the client cannot read: each fails its request at once with BAD_RESPONSE naming
 * what was wrong (not at the request's 20 s timeout), is counted, and the client goes on answering the next request;
 * a frame whose correlation id cannot be read is counted and dropped. Before, a cut-short answer was read past its
 * end (an item of garbage length handed to onItem) or threw inside Aeron's poll and left its request to time out.
 */
class GarbledAnswersFailTheirRequestAtOnceTest
{
    private static final int HEADER = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final long PROMPTLY_NS = TimeUnit.SECONDS.toNanos(5);

    @FunctionalInterface
    interface Garble
    {
        int write(long correlationId, MutableDirectBuffer out);
    }

    @TempDir
    Path tempDir;

    private ScriptedNode node;
    private FerriteClient client;
    private volatile Garble garble;
    private final Map<Long, String> outcomes = new ConcurrentHashMap<>();
    private final byte[] key = ItemCodec.encode(Map.of("pk", s("k")));
    private final ResponseHandler handler = new ResponseHandler()
    {
        public void onItem(final long requestId, final boolean found, final DirectBuffer buffer, final int offset,
            final int length)
        {
            outcomes.put(requestId, "item found=" + found + " length=" + length);
        }

        public void onPage(final long requestId, final ItemsPage page)
        {
            outcomes.put(requestId, "page of " + page.itemCount());
        }

        public void onError(final long requestId, final ErrorCode code, final String message)
        {
            outcomes.put(requestId, "error " + code + ": " + message);
        }

        public void onFailure(final long requestId, final ClientFailure failure, final String message)
        {
            outcomes.put(requestId, failure + ": " + message);
        }
    };

    @BeforeEach
    void start()
    {
        node = new ScriptedNode(tempDir.resolve("aeron"), "aeron:ipc");
        node.responder((templateId, correlationId, request, offset, length, out) ->
        {
            final Garble g = garble;
            return null == g ? ScriptedNode.itemResponse(correlationId, true, request, offset, 4, out) :
                g.write(correlationId, out);
        });
        client = FerriteClient.connect(new ClientConfig()
            .aeronDir(node.aeronDir())
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(5))
            .requestTimeoutNs(TimeUnit.SECONDS.toNanos(20)));
    }

    @AfterEach
    void closeAll()
    {
        CloseHelper.closeAll(client, node);
    }

    @Test
    void anItemCutShortFailsItsRequestAtOnce()
    {
        expectBadResponse(
            (correlationId, out) -> withItemLengthField(correlationId, out, 1000, 4),
            "var-data field item of length 1000 runs past the end of the frame");
    }

    @Test
    void anItemLengthHeaderCutShortFailsItsRequestAtOnce()
    {
        expectBadResponse(
            (correlationId, out) -> withItemLengthField(correlationId, out, 0, 0) - 2,
            "var-data field item's length header runs past the end of the frame");
    }

    @Test
    void aBlockLengthPastTheFrameFailsItsRequestAtOnce()
    {
        expectBadResponse(
            (correlationId, out) ->
            {
                final int length = withItemLengthField(correlationId, out, 0, 0);
                out.putShort(0, (short)200, ByteOrder.LITTLE_ENDIAN); // the header's block length
                return length;
            },
            "its block length 200 runs past the end of the frame");
    }

    @Test
    void aBlockShorterThanItsFieldsFailsItsRequestAtOnce()
    {
        expectBadResponse(
            (correlationId, out) ->
            {
                withItemLengthField(correlationId, out, 0, 0);
                out.putShort(0, (short)8, ByteOrder.LITTLE_ENDIAN);
                out.putInt(HEADER + 8, 0, ByteOrder.LITTLE_ENDIAN);
                return HEADER + 8 + 4;
            },
            "block length of 8, shorter than the 25 bytes of its fields");
    }

    @Test
    void aPageWhoseItemsRunPastTheFrameFailsItsRequestAtOnce()
    {
        expectBadResponse(
            (correlationId, out) ->
            {
                final ItemsPageResponseEncoder page = new ItemsPageResponseEncoder()
                    .wrapAndApplyHeader(out, 0, new MessageHeaderEncoder())
                    .correlationId(correlationId)
                    .count(500)
                    .scannedCount(500)
                    .consumedReadHalfUnits(ItemsPageResponseEncoder.consumedReadHalfUnitsNullValue())
                    .consumedWriteUnits(ItemsPageResponseEncoder.consumedWriteUnitsNullValue());
                page.itemsCount(0);
                page.putLastEvaluatedKey(new byte[0], 0, 0);
                final int length = HEADER + page.encodedLength();
                out.putShort(HEADER + ItemsPageResponseEncoder.BLOCK_LENGTH + 2, (short)500, ByteOrder.LITTLE_ENDIAN);
                return length;
            },
            "var-data field items.item's length header runs past the end of the frame");
    }

    @Test
    void anErrorWithAGarbledMessageLengthFailsItsRequestAtOnce()
    {
        expectBadResponse(
            (correlationId, out) ->
            {
                final int length = ScriptedNode.error(correlationId, ErrorCode.ValidationException, "bad", out);
                out.putInt(HEADER + 10, 0x7fff_0000, ByteOrder.LITTLE_ENDIAN); // the message's length
                return length;
            },
            "var-data field message of length 2147418112 runs past the end of the frame");
    }

    @Test
    void framesWhoseCorrelationIdCannotBeReadAreCountedAndDropped()
    {
        garble = (correlationId, out) ->
        {
            withItemLengthField(correlationId, out, 0, 0);
            return HEADER + 3; // the correlation id cut off
        };
        final long first = send();
        garble = (correlationId, out) ->
        {
            final int length = withItemLengthField(correlationId, out, 0, 0);
            out.putShort(4, (short)999, ByteOrder.LITTLE_ENDIAN); // another schema id
            return length;
        };
        final long second = send();
        pollUntil(() -> client.counters().malformedResponses() == 2);
        assertFalse(outcomes.containsKey(first), "no answer to hand over: " + outcomes);
        assertFalse(outcomes.containsKey(second), "no answer to hand over: " + outcomes);
        garble = null;
        final long next = send();
        pollUntil(() -> outcomes.containsKey(next));
        assertTrue(outcomes.get(next).startsWith("item found=true"), outcomes.get(next));
        assertEquals(2, client.inFlight(), "the two unanswered requests wait for their timeout");
    }

    private void expectBadResponse(final Garble bad, final String expected)
    {
        garble = bad;
        final long id = send();
        pollUntil(() -> outcomes.containsKey(id));
        final String outcome = outcomes.get(id);
        assertTrue(outcome.startsWith("BAD_RESPONSE: the node's answer to request " + id + " could not be read"), outcome);
        assertTrue(outcome.contains(expected), outcome);
        assertEquals(1, client.counters().malformedResponses());
        assertEquals(0, client.inFlight());

        garble = null;
        final long next = send();
        pollUntil(() -> outcomes.containsKey(next));
        assertTrue(outcomes.get(next).startsWith("item found=true length=4"), outcomes.get(next));
        assertEquals(0, client.counters().timeouts());
    }

    private long send()
    {
        final long id = client.getItem("t", new UnsafeBuffer(key), 0, key.length, false, handler);
        assertTrue(id > 0, "sent: " + id);
        return id;
    }

    /** An ItemResponse whose item length field says {@code claimed} and which carries {@code carried} bytes. */
    private static int withItemLengthField(
        final long correlationId, final MutableDirectBuffer out, final int claimed, final int carried)
    {
        final int length = ScriptedNode.itemResponse(correlationId, true, new UnsafeBuffer(new byte[carried]), 0, carried, out);
        out.putInt(length - carried - 4, claimed, ByteOrder.LITTLE_ENDIAN);
        return length;
    }

    private void pollUntil(final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + PROMPTLY_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("not within 5 s (the request timeout is 20 s); outcomes " + outcomes +
                    ", counters " + client.counters());
            }
            if (0 == client.poll())
            {
                Thread.onSpinWait();
            }
        }
    }
}
