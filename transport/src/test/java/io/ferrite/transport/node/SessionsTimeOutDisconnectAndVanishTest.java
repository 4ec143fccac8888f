package io.ferrite.transport.node;

import io.ferrite.codecs.sbe.AttributeType;
import io.ferrite.codecs.sbe.ReturnValuesType;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.ferrite.transport.node.RawSession.item;
import static io.ferrite.transport.node.RawSession.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sessions end in three ways and each frees the session's slot and response publication: silence past
 * the session timeout (keep-alives prevent it), Disconnect, and the client's image going away. A request
 * from an ended session gets no answer and is counted; reconnecting gives a working session.
 */
class SessionsTimeOutDisconnectAndVanishTest
{
    @Test
    void silentSessionTimesOutKeptAliveOneDoesNot()
    {
        try (NodeFixture fixture = new NodeFixture(1, config -> config
            .sessionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(1_000))
            .keepAliveIntervalNs(TimeUnit.MILLISECONDS.toNanos(100))))
        {
            final RawSession kept = fixture.ipcSession().connect();
            ok(kept.createTable("Sessions", "pk", AttributeType.S, null, null));
            kept.keepAlive();
            final RawSession silent = fixture.udpSession().connect();
            kept.keepAlive();
            assertEquals(1_000, silent.sessionTimeoutMs);
            assertEquals(100, silent.keepAliveIntervalMs);
            assertEquals(2, fixture.counter("sessions open"));

            // the kept session sends only keep-alives for well over the timeout
            final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_500);
            while (System.nanoTime() - until < 0)
            {
                kept.keepAlive();
                sleep(100);
            }
            awaitTrue(() -> 1 == fixture.counter("sessions timed out"), "the silent session timed out");
            assertEquals(1, fixture.counter("sessions open"));
            ok(kept.putItem("Sessions", item("pk", "alive"), ReturnValuesType.NONE));

            // the silent session's response publication is gone, and its requests are dropped and counted
            awaitTrue(() -> 0 == silent.subscription.imageCount(), "the timed-out session's publication closed");
            final long dropped = fixture.counter("frames dropped: no session to answer");
            silent.keepAlive();
            awaitTrue(() -> fixture.counter("frames dropped: no session to answer") > dropped, "the request was dropped");
            assertTrue(silent.drain(100).isEmpty());

            // reconnecting gives a working session again
            silent.connect();
            assertEquals(2, fixture.counter("sessions open"));
            assertNull(RawSession.item(silent.putItem("Sessions", item("pk", "back"), ReturnValuesType.NONE)));
        }
    }

    /**
     * A client that reconnects right after its session closed asks for a response publication on the channel and
     * session id of the one the node just closed, which the media driver may still hold (it lingers): the driver then
     * refuses the add ("existing publication has clashing sessionId"). The node used to drop the session there, so the
     * ConnectRequest went unanswered and only a resend a second later got through. It now asks the driver again until
     * the connect deadline, and the one request is answered once the driver has let the old publication go (about
     * 2 s a round here). Three disconnect-reconnect rounds over UDP.
     */
    @Test
    void aReconnectRightAfterADisconnectIsAnsweredWithoutASecondRequest()
    {
        try (NodeFixture fixture = new NodeFixture(1))
        {
            final RawSession session = fixture.udpSession().connectOnce();
            ok(session.createTable("Reconnects", "pk", AttributeType.S, null, null));
            for (int round = 0; round < 3; round++)
            {
                session.disconnect();
                final int round0 = round;
                awaitTrue(() -> 0 == fixture.counter("sessions open"), "Disconnect closed the session, round " + round0);
                session.connectOnce();
                assertNull(RawSession.item(session.putItem("Reconnects", item("pk", "r" + round), ReturnValuesType.NONE)),
                    "round " + round);
            }
            assertEquals(1, fixture.counter("sessions open"));
            // the driver lingers a closed publication for seconds and each reconnect came within milliseconds: the
            // clash, the case this test is about, must have come up
            assertTrue(fixture.counter("response publications added again: clash") > 0,
                "no reconnect met a lingering publication: the test did not test the clash");
        }
    }

    @Test
    void disconnectAndVanishedClientFreeTheirSessions()
    {
        try (NodeFixture fixture = new NodeFixture(1))
        {
            final RawSession leaving = fixture.ipcSession().connect();
            final RawSession vanishing = new RawSession(fixture.aeron, "aeron:ipc?linger=0", fixture.node.requestStreamId(),
                "aeron:ipc", 3999).connect();
            assertEquals(2, fixture.counter("sessions open"));

            leaving.disconnect();
            awaitTrue(() -> 1 == fixture.counter("sessions open"), "Disconnect closed the session");
            awaitTrue(() -> 0 == leaving.subscription.imageCount(), "its response publication closed");

            vanishing.publication.close();
            awaitTrue(() -> 0 == fixture.counter("sessions open"), "the vanished client's session closed");
            awaitTrue(() -> 0 == vanishing.subscription.imageCount(), "its response publication closed");
            assertEquals(0, fixture.counter("sessions timed out"));
            vanishing.subscription.close();
        }
    }

    static void awaitTrue(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("never happened: " + what);
            }
            sleep(5);
        }
    }

    static void sleep(final long ms)
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
