package io.ferrite.transport.client;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.engine.api.Ferrite;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A BatchGetItem whose ProjectionExpression and ExpressionAttributeNames are long (long attribute names are valid:
 * up to 64 KB) is answered. The router sized the frame it forwards to a shard by the keys and table names only, so
 * a projection or names of more than a few dozen bytes ran past its end: InternalServerError "Internal error on the
 * router: java.lang.IndexOutOfBoundsException" (found by the HTTP front's fuzz test).
 */
class BatchGetWithALongProjectionIsAnsweredTest
{
    private static final String LONG_A = "a".repeat(300);
    private static final String LONG_B = "b".repeat(300);

    private ClientNodeFixture started;
    private FerriteBlockingClient client;

    @BeforeEach
    void start()
    {
        started = ClientNodeFixture.launch(2, node -> node.udpEndpoint("none"));
        client = started.connect();
        client.createTable(TableSpec.of("tbl").partitionKey("pk", KeyType.S));
        client.putItem("tbl", Map.of("pk", s("k"), LONG_A, n(1), LONG_B, s("two"), "c", n(3)));
    }

    @AfterEach
    void stop()
    {
        CloseHelper.close(started);
    }

    @Test
    void aLongProjectionExpressionIsForwardedWhole()
    {
        final Ferrite.BatchGet result = client.batchGetItem(Map.of("tbl", List.of(Map.of("pk", s("k")))),
            Map.of("tbl", LONG_A + ", " + LONG_B), null);
        assertEquals(List.of(Map.<String, AttributeValue>of(LONG_A, n(1), LONG_B, s("two"))),
            result.responses().get("tbl"));
    }

    @Test
    void longExpressionAttributeNamesAreForwardedWhole()
    {
        final Ferrite.BatchGet result = client.batchGetItem(Map.of("tbl", List.of(Map.of("pk", s("k")))),
            Map.of("tbl", "#a, #b"), Map.of("tbl", Map.of("#a", LONG_A, "#b", LONG_B)));
        assertEquals(List.of(Map.<String, AttributeValue>of(LONG_A, n(1), LONG_B, s("two"))),
            result.responses().get("tbl"));
    }
}
