package io.ferrite.transport.node;

import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.sbe.AttributeType;
import io.ferrite.codecs.sbe.BooleanType;
import io.ferrite.codecs.sbe.GetItemRequestEncoder;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import io.ferrite.codecs.sbe.ReturnValuesType;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static io.ferrite.transport.node.RawSession.item;
import static io.ferrite.transport.node.RawSession.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With {@code agentThreading=SHARED} the router runs on the shard's thread, so it cannot close a session whose response
 * was back-pressured past the bound until the shard's duty cycle ends: the shard must drop that session's further
 * responses at once (counted) instead of spending the bound on each (10 ms x up to 64 per duty cycle, a stall of
 * every client). Asserted on the counters, not on time: exactly one response ran to the bound.
 */
class SlowClientCostsTheSharedLoopOneBackPressureBoundTest
{
    private static final int REQUESTS = 64;

    @Test
    void aBackPressuredSessionCostsTheSharedLoopOneBoundAndItsOtherResponsesAreDropped()
    {
        try (NodeFixture fixture = new NodeFixture(1, config -> config.agentThreading(NodeConfig.AgentThreading.SHARED)))
        {
            final RawSession good = fixture.ipcSession().connect();
            ok(good.createTable("Tbl", "pk", AttributeType.S, null, null));
            ok(good.putItem("Tbl", item("pk", "big", "v", "y".repeat(6000)), ReturnValuesType.NONE));

            // a client that never reads, on terms of 64 KiB: a few 6 KB responses fill its window
            try (RawSession slow = new RawSession(fixture.aeron, fixture.node.ipcChannel(), fixture.node.requestStreamId(),
                "aeron:ipc?term-length=65536", 3001).connect())
            {
                final byte[] key = ItemCodec.encode(item("pk", "big"));
                final GetItemRequestEncoder e = new GetItemRequestEncoder();
                for (int i = 0; i < REQUESTS; i++)
                {
                    final long c = slow.nextCorrelationId();
                    e.wrapAndApplyHeader(slow.buffer, 0, slow.header).correlationId(c).requestId(c)
                        .consistentRead(BooleanType.FALSE).tableName("Tbl").putKey(key, 0, key.length)
                        .projectionExpression("").putExpressionAttributeNames(new byte[0], 0, 0);
                    // offered directly: RawSession.send would poll the responses while it waits
                    assertTrue(slow.publication.offer(slow.buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength()) > 0);
                }
                awaitCounter(fixture, "sessions closed: response back-pressure", 1);
                // the loop is past the slow session's requests once it answers another client
                ok(good.getItem("Tbl", item("pk", "big")));

                assertEquals(1, fixture.counter("responses dropped: back-pressured past the bound"),
                    "responses that spent the whole back-pressure bound");
                assertEquals(1, fixture.counter("sessions closed: response back-pressure"));
            }
        }
    }

    private static void awaitCounter(final NodeFixture fixture, final String label, final long atLeast)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (fixture.counter(label) < atLeast)
        {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting for " + label + " to reach " + atLeast);
            Thread.yield();
        }
    }
}
