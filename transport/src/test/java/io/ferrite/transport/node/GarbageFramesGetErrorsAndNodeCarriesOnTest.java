package io.ferrite.transport.node;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.sbe.AttributeType;
import io.ferrite.codecs.sbe.ErrorResponseDecoder;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import io.ferrite.codecs.sbe.PutItemRequestEncoder;
import io.ferrite.codecs.sbe.ReturnValuesType;
import io.ferrite.codecs.item.ItemCodec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.ferrite.transport.node.RawSession.error;
import static io.ferrite.transport.node.RawSession.item;
import static io.ferrite.transport.node.RawSession.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client sends garbage (random bytes, truncated frames, wrong template ids, schema ids and versions,
 * lengths that run past the frame, oversize frames): each bad frame gets exactly one ErrorResponse that
 * names the reason, with the correlation id where one is readable; a frame with no session is dropped
 * and counted; afterwards the same session's and another session's normal requests succeed and no
 * acknowledged data is lost.
 */
class GarbageFramesGetErrorsAndNodeCarriesOnTest
{
    private static final int MAX_FRAME = 64 * 1024;

    @Test
    void everyBadFrameGetsOneErrorAndTheNodeCarriesOn()
    {
        try (NodeFixture fixture = new NodeFixture(2, config -> config.maxFrameBytes(MAX_FRAME)))
        {
            final RawSession good = fixture.ipcSession().connect();
            ok(good.createTable("Tee", "pk", AttributeType.S, null, null));
            for (int i = 0; i < 20; i++)
            {
                ok(good.putItem("Tee", item("pk", "k" + i, "v", i), ReturnValuesType.NONE));
            }

            final RawSession bad = fixture.udpSession().connect();
            final int before = bad.received.size();
            final List<String> expectedReasons = new ArrayList<>();
            final List<Long> expectedCorrelationIds = new ArrayList<>();

            // random bytes
            final SplittableRandom random = new SplittableRandom(7101);
            for (int i = 0; i < 50; i++)
            {
                final byte[] garbage = new byte[1 + random.nextInt(300)];
                random.nextBytes(garbage);
                if (garbage.length >= 4)
                {
                    garbage[2] = (byte)0xFF; // never a real template id by chance
                }
                send(bad, garbage);
                expectedReasons.add(garbage.length < 8 ? "shorter than the 8-byte SBE message header" : "");
                expectedCorrelationIds.add(0L);
            }

            // every truncation of a valid PutItem
            final byte[] put = putFrame(bad, 777, item("pk", "truncated", "v", "x"));
            for (int length = 0; length < put.length; length += 3)
            {
                final byte[] truncated = java.util.Arrays.copyOf(put, length);
                send(bad, truncated);
                expectedReasons.add(length < 8 ? "shorter than the 8-byte" : "");
                expectedCorrelationIds.add(length >= 16 ? 777L : 0L);
            }

            // wrong template ids (unknown, a response, the WAL record), other schema, newer version
            for (final int template : new int[]{ 99, 14, 90, 50 })
            {
                final byte[] frame = put.clone();
                new UnsafeBuffer(frame).putShort(2, (short)template, ByteOrder.LITTLE_ENDIAN);
                send(bad, frame);
                expectedReasons.add("Unknown template id " + template);
                expectedCorrelationIds.add(0L);
            }
            final byte[] otherSchema = put.clone();
            new UnsafeBuffer(otherSchema).putShort(4, (short)1234, ByteOrder.LITTLE_ENDIAN);
            send(bad, otherSchema);
            expectedReasons.add("Unknown schema id 1234");
            expectedCorrelationIds.add(0L);
            final byte[] newer = put.clone();
            new UnsafeBuffer(newer).putShort(6, (short)(MessageHeaderDecoder.SCHEMA_VERSION + 1), ByteOrder.LITTLE_ENDIAN);
            send(bad, newer);
            expectedReasons.add("is newer than the node's " + MessageHeaderDecoder.SCHEMA_VERSION);
            expectedCorrelationIds.add(777L);

            // a var-data length that runs past the frame, and a block length shorter than the message's
            final byte[] pastEnd = put.clone();
            final int tableNameLengthOffset = MessageHeaderEncoder.ENCODED_LENGTH + PutItemRequestEncoder.BLOCK_LENGTH;
            new UnsafeBuffer(pastEnd).putInt(tableNameLengthOffset + 4 + "Tee".length(), 1_000_000, ByteOrder.LITTLE_ENDIAN);
            send(bad, pastEnd);
            expectedReasons.add("var-data field item of length 1000000");
            expectedCorrelationIds.add(777L);
            final byte[] shortBlock = put.clone();
            new UnsafeBuffer(shortBlock).putShort(0, (short)4, ByteOrder.LITTLE_ENDIAN);
            send(bad, shortBlock);
            expectedReasons.add("block length 4 is shorter than the " + PutItemRequestEncoder.BLOCK_LENGTH + " bytes of PutItemRequest");
            expectedCorrelationIds.add(0L);

            // oversize
            final byte[] big = putFrame(bad, 778, item("pk", "big", "blob", "x".repeat(MAX_FRAME)));
            send(bad, big);
            expectedReasons.add("exceeds the node's maximum frame size of " + MAX_FRAME);
            expectedCorrelationIds.add(778L);

            // a frame from a publication that never connected: dropped and counted, nobody to answer
            final long droppedBefore = fixture.counter("frames dropped: no session to answer");
            final RawSession stranger = fixture.ipcSession();
            send(stranger, put);

            bad.awaitReceived(before + expectedReasons.size());
            final List<byte[]> errors = bad.received.subList(before, bad.received.size());
            for (int i = 0; i < expectedReasons.size(); i++)
            {
                final byte[] frame = errors.get(i);
                final String message = error(frame);
                assertTrue(null != message && (message.startsWith("SerializationException") ||
                    message.startsWith("ValidationException")), "frame " + i + " answered with an error: " + message);
                assertTrue(message.contains(expectedReasons.get(i)), "frame " + i + ": '" + message + "' names '" +
                    expectedReasons.get(i) + "'");
                final ErrorResponseDecoder decoder = new ErrorResponseDecoder()
                    .wrapAndApplyHeader(new UnsafeBuffer(frame), 0, new MessageHeaderDecoder());
                assertEquals(expectedCorrelationIds.get(i), decoder.correlationId(), "correlation id of frame " + i);
            }

            // both sessions carry on; nothing was lost; the stranger got nothing
            ok(bad.putItem("Tee", item("pk", "after", "v", 1), ReturnValuesType.NONE));
            assertEquals(AttributeValue.n(1), RawSession.item(bad.getItem("Tee", item("pk", "after"))).get("v"));
            for (int i = 0; i < 20; i++)
            {
                assertEquals(AttributeValue.n(i), RawSession.item(good.getItem("Tee", item("pk", "k" + i))).get("v"));
            }
            assertNull(RawSession.item(good.getItem("Tee", item("pk", "truncated"))));
            assertEquals(20 + 1, RawSession.itemCount(good.describeTable("Tee")));
            assertTrue(stranger.drain(50).isEmpty());
            assertTrue(fixture.counter("frames dropped: no session to answer") > droppedBefore);
            assertTrue(fixture.counter("errors: SerializationException") >= expectedReasons.size() - 2);
        }
    }

    private static byte[] putFrame(final RawSession session, final long correlationId, final Map<String, AttributeValue> item)
    {
        final byte[] bytes = ItemCodec.encode(item);
        final PutItemRequestEncoder e = new PutItemRequestEncoder().wrapAndApplyHeader(session.buffer, 0, session.header)
            .correlationId(correlationId).requestId(correlationId).returnValues(ReturnValuesType.NONE).tableName("Tee")
            .putItem(bytes, 0, bytes.length).conditionExpression("")
            .putExpressionAttributeNames(new byte[0], 0, 0).putExpressionAttributeValues(new byte[0], 0, 0);
        final byte[] frame = new byte[MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength()];
        session.buffer.getBytes(0, frame);
        return frame;
    }

    private static void send(final RawSession session, final byte[] frame)
    {
        session.send(new UnsafeBuffer(frame), 0, frame.length);
    }
}
