package io.ferrite.transport.node;

import io.aeron.ExclusivePublication;
import io.ferrite.codecs.sbe.ConnectRequestEncoder;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two ConnectRequests whose response channels nobody subscribes to: when the first is dropped at its connect deadline,
 * the router still counts the second as pending, so it keeps checking it every duty cycle. Housekeeping counted the
 * pending sessions without the ones it was dropping and closing each dropped one counted it off again, so the count
 * went to 0 with a session still waiting, whose ConnectResponse then waited for the next 20 ms pass.
 */
class DroppedConnectLeavesTheOtherPendingConnectsCountedTest
{
    private static final long CONNECT_TIMEOUT_MS = 300;

    @Test
    void droppingOneUnconnectedSessionDoesNotCountOffAnother()
    {
        try (NodeFixture fixture = new NodeFixture(1, config -> config.connectTimeoutNs(
            TimeUnit.MILLISECONDS.toNanos(CONNECT_TIMEOUT_MS))))
        {
            try (ExclusivePublication first = connectNobodyAnswers(fixture, 4301))
            {
                awaitCounter(fixture, "sessions open", 1);
                sleepMs(CONNECT_TIMEOUT_MS / 3);
                try (ExclusivePublication second = connectNobodyAnswers(fixture, 4302))
                {
                    awaitCounter(fixture, "sessions open", 2);
                    assertEquals(2, fixture.node.router().pendingConnects());

                    // the first is dropped at its deadline, the second still waits
                    awaitCounter(fixture, "sessions open", 1);
                    assertEquals(1, fixture.node.router().pendingConnects(),
                        "pending connects after the first session was dropped");
                }
            }
        }
    }

    /**
     * Sends a ConnectRequest whose response channel (IPC, that stream) has no subscriber, so it never connects.
     */
    private static ExclusivePublication connectNobodyAnswers(final NodeFixture fixture, final int responseStreamId)
    {
        final ExclusivePublication publication =
            fixture.aeron.addExclusivePublication(fixture.node.ipcChannel(), fixture.node.requestStreamId());
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final ConnectRequestEncoder encoder = new ConnectRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(1).clientId(responseStreamId).responseStreamId(responseStreamId)
            .protocolVersion(MessageHeaderEncoder.SCHEMA_VERSION).responseChannel("aeron:ipc");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (publication.offer(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength()) < 0)
        {
            assertTrue(System.nanoTime() - deadline < 0, "the ConnectRequest could not be sent");
            Thread.yield();
        }
        return publication;
    }

    private static void awaitCounter(final NodeFixture fixture, final String label, final long value)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (fixture.counter(label) != value)
        {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting for " + label + " to be " + value);
            Thread.yield();
        }
    }

    private static void sleepMs(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }
}
