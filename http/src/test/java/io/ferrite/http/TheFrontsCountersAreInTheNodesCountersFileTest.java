package io.ferrite.http;

import io.ferrite.transport.node.NodeCounters;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An operator watching {@code ferrite stat} sees the HTTP front next to the node: connections, answers by status
 * class, and each rule's closes, read here as stat reads them, from the node's counters file by another mapping.
 */
class TheFrontsCountersAreInTheNodesCountersFileTest
{
    private static final String TARGET = "DynamoDB_20120810.";
    private static final int MAX_BODY = 4096;

    @TempDir
    Path dataDir;

    @Test
    void connectionsAnswersAndEachRulesClosesAreCounted() throws Exception
    {
        try (HttpNodeFixture fixture = new HttpNodeFixture(dataDir,
            config -> config.requestTimeoutMs(300).idleTimeoutMs(600).maxRequestBytes(MAX_BODY));
            NodeCounters.View view = NodeCounters.View.open(dataDir))
        {
            final CountersReader stat = view.reader();
            final int port = fixture.front.port();
            try (RawHttp http = new RawHttp(port))
            {
                assertEquals(200, http.exchange(TARGET + "ListTables", "{}").status());
                assertEquals(400, http.exchange(TARGET + "GetItem", "{\"TableName\":\"nosuchtable\"," +
                    "\"Key\":{\"k\":{\"S\":\"a\"}}}").status());
                assertEquals(400, http.exchange(TARGET + "NoSuchOperation", "{}").status());
                assertEquals(1, value(stat, HttpCounters.CONNECTIONS_OPEN));
                // Nothing more is sent on it: closed by the idle rule.
                assertTrue(http.closedByServer(), "the idle connection stayed open");
            }
            try (RawHttp http = new RawHttp(port))
            {
                http.send("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: " + TARGET + "ListTables\r\n");
                assertTrue(http.closedByServer(), "the slow request's connection stayed open");
            }
            try (RawHttp http = new RawHttp(port))
            {
                http.send("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: " + TARGET + "PutItem\r\n" +
                    "Content-Length: " + (MAX_BODY + 1) + "\r\n\r\n");
                assertEquals(413, http.read().status());
                assertTrue(http.closedByServer(), "the connection stayed open after its 413");
            }

            awaitValue(stat, HttpCounters.CONNECTIONS_OPEN, 0);
            assertEquals(3, value(stat, HttpCounters.CONNECTIONS_ACCEPTED));
            assertEquals(1, value(stat, HttpCounters.RESPONSES_OK));
            assertEquals(3, value(stat, HttpCounters.RESPONSES_CLIENT_ERROR), "two 400s and the 413");
            assertEquals(0, value(stat, HttpCounters.RESPONSES_SERVER_ERROR));
            assertEquals(1, value(stat, HttpCounters.CLOSED_IDLE));
            assertEquals(1, value(stat, HttpCounters.CLOSED_SLOW_REQUEST));
            assertEquals(1, value(stat, HttpCounters.CLOSED_BODY_TOO_LARGE));
            assertEquals(0, value(stat, HttpCounters.CLOSED_WRITE_STALL));
        }
    }

    private static long value(final CountersReader reader, final String label)
    {
        final long value = NodeCounters.valueOf(reader, label);
        assertTrue(value >= 0, "no counter labelled '" + label + "' in the node's counters file");
        return value;
    }

    private static void awaitValue(final CountersReader reader, final String label, final long expected)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (value(reader, label) != expected && System.nanoTime() < deadline)
        {
            Thread.sleep(5);
        }
        assertEquals(expected, value(reader, label), label);
    }
}
