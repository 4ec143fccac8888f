package io.ferrite.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node closes a session it has not heard from for its session timeout, e.g. the front's, when a long pause held
 * the front's event loop. The front answered 503 ("restart the node") to every request after that, for good. Now it
 * opens a new session with the node and serves again; a request meanwhile gets a retryable 503.
 */
class AFrontWhoseNodeSessionEndedReconnectsTest
{
    private static final long SESSION_TIMEOUT_MS = 500;
    private static final String TARGET = "DynamoDB_20120810.";

    @TempDir
    Path dataDir;

    @Test
    void afterTheNodeClosedItsSessionTheFrontServesAgain() throws Exception
    {
        try (HttpNodeFixture fixture = new HttpNodeFixture(dataDir, config -> { }, node -> node
            .sessionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(SESSION_TIMEOUT_MS))
            .keepAliveIntervalNs(TimeUnit.MILLISECONDS.toNanos(100))))
        {
            fixture.dynamo.createTable(b -> b.tableName("tab")
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                    .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
            fixture.dynamo.putItem(b -> b.tableName("tab").item(Map.of("pk", AttributeValue.fromS("a"))));
            final long timedOutBefore = sessionsTimedOut(fixture);

            // Hold every event loop well past the node's session timeout: no keep-alive goes out.
            fixture.front.holdEventLoopsForTesting(TimeUnit.MILLISECONDS.toNanos(SESSION_TIMEOUT_MS * 4));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sessionsTimedOut(fixture) == timedOutBefore)
            {
                assertTrue(System.nanoTime() < deadline, "the node never timed the front's session out");
                Thread.sleep(10);
            }

            // Raw requests (no SDK retries): 503s while it reconnects, then answers again.
            int unavailable = 0;
            int status = 0;
            final long servedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (200 != status)
            {
                assertTrue(System.nanoTime() < servedBy, "the front still answers " + status + " 20 s after its " +
                    "session ended (" + unavailable + " answers of 503)");
                try (RawHttp http = new RawHttp(fixture.front.port()))
                {
                    final RawHttp.Response response = http.exchange(TARGET + "GetItem",
                        "{\"TableName\":\"tab\",\"Key\":{\"pk\":{\"S\":\"a\"}}}");
                    status = response.status();
                    if (503 == status)
                    {
                        unavailable++;
                        assertTrue(response.body().contains("ServiceUnavailable"), response.body());
                        Thread.sleep(20);
                    }
                    else
                    {
                        assertEquals(200, status, response.body());
                        assertTrue(response.body().contains("\"pk\":{\"S\":\"a\"}"), response.body());
                    }
                }
            }
            fixture.dynamo.putItem(b -> b.tableName("tab").item(Map.of("pk", AttributeValue.fromS("b"))));
            assertEquals("b", fixture.dynamo.getItem(b -> b.tableName("tab")
                .key(Map.of("pk", AttributeValue.fromS("b")))).item().get("pk").s());
        }
    }

    private static long sessionsTimedOut(final HttpNodeFixture fixture)
    {
        return io.ferrite.transport.node.NodeCounters.valueOf(fixture.node.counters().reader(), "sessions timed out");
    }
}
