package io.ferrite.transport.node;

import io.ferrite.transport.ProtocolVersions;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The node answers a KeepAlive with one on the session's response stream, so that a client can tell a node that is idle
 * from one that is dead or frozen behind a media driver the client does not own (decision 0006); but only to a client
 * that named protocol version 6 or later in its ConnectRequest: an older client would take the frame for a garbled
 * response (or, by its first eight bytes, for the answer to a request of its own).
 */
class KeepAliveIsAnsweredToClientsThatExpectItTest
{
    @Test
    void aCurrentClientsKeepAliveIsAnsweredAnOlderClientsIsNot()
    {
        try (NodeFixture fixture = new NodeFixture(1))
        {
            final RawSession current = fixture.ipcSession().connect();
            final RawSession older = fixture.udpSession().connect(ProtocolVersions.KEEP_ALIVE_ANSWERED - 1);
            final int olderFramesBefore = older.received.size();
            for (int i = 0; i < 3; i++)
            {
                current.keepAlive();
                older.keepAlive();
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (current.keepAliveAnswers < 3 && System.nanoTime() - deadline < 0)
            {
                current.poll();
                Thread.yield();
            }
            assertEquals(3, current.keepAliveAnswers, "a version " + ProtocolVersions.KEEP_ALIVE_ANSWERED + " client");

            // the older client's stream carries the answer to its next request and nothing before it (one stream: the
            // node's frames arrive in the order it sent them)
            older.listTables(10, null);
            assertEquals(0, older.keepAliveAnswers, "a version " + (ProtocolVersions.KEEP_ALIVE_ANSWERED - 1) + " client");
            assertEquals(olderFramesBefore + 1, older.received.size(), "only the answer to its request");
            assertEquals(6, fixture.counter("requests: KeepAlive"), "every KeepAlive counted");
        }
    }
}
