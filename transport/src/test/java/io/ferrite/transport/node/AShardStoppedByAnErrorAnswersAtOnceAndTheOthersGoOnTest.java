package io.ferrite.transport.node;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.transport.client.ClientConfig;
import io.ferrite.transport.client.FerriteBlockingClient;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An Error on a shard's thread (what a SIGBUS in one of its mapped files becomes) killed the thread: the node looked
 * healthy while every request for the shard waited for its timeout, and once its queue filled the router would wait
 * on it. Now the shard's loop stops using the shard and answers each of its requests at once with an error that
 * says so, the other shard carries on, and a restart recovers the stopped shard from its log as after a crash.
 */
class AShardStoppedByAnErrorAnswersAtOnceAndTheOthersGoOnTest
{
    private static final int KEYS = 64;

    @Test
    void theStoppedShardAnswersWithAnErrorTheOtherServesAndARestartRecoversEveryAcknowledgedWrite()
    {
        try (NodeFixture fixture = new NodeFixture(2, config -> { }))
        {
            final List<Integer> acknowledged = new ArrayList<>();
            final List<Integer> refused = new ArrayList<>();
            try (FerriteBlockingClient client = connect(fixture))
            {
                client.createTable(TableSpec.of("tab").partitionKey("pk", KeyType.S));
                for (int i = 0; i < KEYS; i++)
                {
                    client.putItem("tab", item(i, 1));
                    acknowledged.add(i);
                }

                fixture.node.shardForTesting(0).failNextWriteForTesting(
                    new InternalError("injected: a fault occurred in a recent unsafe memory access operation"));
                for (int i = 0; i < KEYS; i++)
                {
                    try
                    {
                        client.putItem("tab", item(i, 2));
                    }
                    catch (final FerriteException ex)
                    {
                        // an answer, not a client timeout: the loop answers for its stopped shard
                        assertEquals(ErrorCode.InternalServerError, ex.code(), ex.getMessage());
                        assertTrue(ex.getMessage().contains("Shard 0 stopped after a fatal error") &&
                            ex.getMessage().contains("injected"), ex.getMessage());
                        refused.add(i);
                    }
                }
                assertFalse(refused.isEmpty(), "no key went to shard 0");
                assertTrue(refused.size() < KEYS, "no key went to shard 1");
                for (int i = 0; i < KEYS; i++)
                {
                    if (refused.contains(i))
                    {
                        final int key = i;
                        final FerriteException read = assertThrows(FerriteException.class,
                            () -> client.getItem("tab", key(key)));
                        assertEquals(ErrorCode.InternalServerError, read.code(), read.getMessage());
                    }
                    else
                    {
                        assertEquals(item(i, 2), client.getItem("tab", key(i)), "shard 1 goes on");
                    }
                }
                // a request for every shard (DescribeTable gathers from both) is answered too
                final FerriteException describe = assertThrows(FerriteException.class, () -> client.describeTable("tab"));
                assertTrue(describe.getMessage().contains("Shard 0 stopped"), describe.getMessage());
            }

            fixture.stop();
            fixture.start(fixture.config(2));
            try (FerriteBlockingClient client = connect(fixture))
            {
                for (int i = 0; i < KEYS; i++)
                {
                    assertEquals(item(i, refused.contains(i) ? 1 : 2), client.getItem("tab", key(i)),
                        "key " + i + " after the restart");
                }
                client.putItem("tab", item(refused.get(0), 3));
                assertEquals(item(refused.get(0), 3), client.getItem("tab", key(refused.get(0))), "shard 0 serves again");
            }
        }
    }

    private static FerriteBlockingClient connect(final NodeFixture fixture)
    {
        return FerriteBlockingClient.connect(new ClientConfig().aeronDir(fixture.node.aeronDirectoryName())
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(10)).requestTimeoutNs(TimeUnit.SECONDS.toNanos(30)));
    }

    private static Map<String, AttributeValue> item(final int key, final int version)
    {
        return Map.of("pk", s("k" + key), "v", n(version));
    }

    private static Map<String, AttributeValue> key(final int key)
    {
        return Map.of("pk", s("k" + key));
    }
}
