package io.ferrite.perf.latency;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness's HTTP client against the JDK's HTTP server on 127.0.0.1: statuses, body lengths, the DynamoDB
 * headers it sends, keep-alive reuse of one connection for sequential requests and one connection per concurrent one.
 */
class HttpWireTest
{
    @Test
    void sendsDynamoRequestsAndReusesKeepAliveConnections() throws Exception
    {
        final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        final HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", exchange ->
        {
            final String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            seen.add(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("X-Amz-Target") + " " +
                exchange.getRequestHeaders().getFirst("X-Amz-Date") + " " + body);
            final byte[] answer = body.contains("missing") ? "{}".getBytes() : ("{\"echo\":" + body + "}").getBytes();
            exchange.sendResponseHeaders(body.contains("bad") ? 400 : 200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        final List<long[]> answers = new ArrayList<>();
        final URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        try (HttpWire wire = new HttpWire(endpoint, (token, status, length) -> answers.add(
            new long[]{ token, status, length })))
        {
            for (int i = 0; i < 3; i++)
            {
                wire.send("GetItem", "{\"n\":" + i + "}", "X-Amz-Date: 20260101T000000Z\r\n", i);
                await(wire, answers, i + 1);
            }
            assertEquals(1, wire.connections(), "sequential requests share one keep-alive connection");
            wire.send("PutItem", "{\"bad\":1}", "X-Amz-Date: 20260101T000000Z\r\n", 10);
            wire.send("GetItem", "{\"missing\":1}", "X-Amz-Date: 20260101T000000Z\r\n", 11);
            await(wire, answers, 5);
            assertEquals(2, wire.connections(), "two concurrent requests need two connections");
        }
        finally
        {
            server.stop(0);
        }
        assertEquals(0, answers.get(0)[0]);
        assertEquals(200, answers.get(0)[1]);
        assertEquals("{\"echo\":{\"n\":0}}".length(), answers.get(0)[2]);
        final long[] bad = answers.stream().filter(a -> 10 == a[0]).findFirst().orElseThrow();
        final long[] missing = answers.stream().filter(a -> 11 == a[0]).findFirst().orElseThrow();
        assertEquals(400, bad[1]);
        assertEquals(200, missing[1]);
        assertEquals(2, missing[2]);
        assertTrue(seen.contains("POST DynamoDB_20120810.GetItem 20260101T000000Z {\"n\":2}"), seen.toString());
    }

    private static void await(final HttpWire wire, final List<long[]> answers, final int count)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (answers.size() < count)
        {
            assertTrue(System.nanoTime() - deadline < 0, "no answer within 10 s");
            if (0 == wire.poll())
            {
                Thread.onSpinWait();
            }
        }
    }
}
