package io.ferrite.tools.remote;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.api.Ferrite;
import io.ferrite.engine.api.Page;
import io.ferrite.engine.api.Query;
import io.ferrite.engine.api.Scan;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.SortKeyCondition;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.transport.client.ClientConfig;
import io.ferrite.transport.client.ClientFailure;
import io.ferrite.transport.client.FerriteClient;
import io.ferrite.transport.client.FerriteBlockingClient;
import io.ferrite.transport.client.ResponseHandler;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client against a node started the way a user starts one ({@code tools/bin/ferrite server} with
 * {@code -D} settings in FERRITE_JAVA_OPTS), over IPC and UDP. (Allocation of node and client processes under
 * Epsilon GC: {@link NodeAndClientAllocateNothingUnderEpsilonTest}.)
 */
class ClientAgainstLauncherNodeTest
{
    @TempDir
    static Path tempDir;

    private static NodeProcess node;

    @BeforeAll
    static void startNode() throws Exception
    {
        node = NodeProcess.start(tempDir.resolve("data"), tempDir.resolve("aeron-node"), "");
    }

    @AfterAll
    static void stopNode() throws Exception
    {
        if (null != node)
        {
            final int exit = node.terminate(30_000);
            final List<String> output = node.output();
            node.close();
            assertEquals(0, exit, "SIGTERM: clean exit; output:\n" + String.join("\n", output));
            assertTrue(output.stream().noneMatch(line -> line.contains("agent error")), String.join("\n", output));
        }
    }

    @Test
    void operationsOverIpcAndUdpAgainstALauncherNode()
    {
        final ClientConfig ipc = new ClientConfig().aeronDir(node.aeronDir()).connectTimeoutNs(TimeUnit.SECONDS.toNanos(20));
        final ClientConfig udp = new ClientConfig()
            .embeddedDriver(true)
            .aeronDir(tempDir.resolve("aeron-client").toString())
            .requestChannel(node.udpChannel())
            .responseChannel("aeron:udp?endpoint=127.0.0.1:0")
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(20));
        try (FerriteBlockingClient viaIpc = FerriteBlockingClient.connect(ipc);
            FerriteBlockingClient viaUdp = FerriteBlockingClient.connect(udp))
        {
            viaIpc.createTable(TableSpec.of("launched").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N));
            assertTrue(viaUdp.listTables().contains("launched"));
            for (int i = 0; i < 20; i++)
            {
                (0 == i % 2 ? viaIpc : viaUdp).putItem("launched", Map.of("pk", s("a"), "sk", n(i), "v", s("v" + i)));
            }
            assertEquals(Map.of("pk", s("a"), "sk", n(3), "v", s("v3")), viaIpc.getItem("launched", Map.of("pk", s("a"), "sk", n(3))));
            assertEquals(Map.of("pk", s("a"), "sk", n(4), "v", s("v4")), viaUdp.getItem("launched", Map.of("pk", s("a"), "sk", n(4))));
            final Page page = viaUdp.query(Query.on("launched").partitionKey(s("a"))
                .sortKey(SortKeyCondition.BETWEEN, n(5), n(9)).scanIndexForward(false).limit(3));
            assertEquals(3, page.count());
            assertEquals(n(9), page.items().get(0).get("sk"));
            assertEquals(20, viaIpc.scan(Scan.on("launched")).count());
            assertEquals(Map.of("pk", s("a"), "sk", n(0), "v", s("v0")),
                viaUdp.deleteItem("launched", Map.of("pk", s("a"), "sk", n(0)), ReturnValues.ALL_OLD));
            assertNull(viaIpc.getItem("launched", Map.of("pk", s("a"), "sk", n(0))));
            assertTrue(viaIpc.batchWriteItem(Map.of("launched", List.of(Ferrite.put(Map.of("pk", s("b"), "sk", n(1))))))
                .values().stream().allMatch(List::isEmpty));
            assertEquals(1, viaUdp.batchGetItem(Map.of("launched", List.of(Map.of("pk", s("b"), "sk", n(1)))))
                .responses().get("launched").size());
            final FerriteException ex = assertThrows(FerriteException.class,
                () -> viaUdp.putItem("launched", Map.of("pk", s("a"))));
            assertEquals(ErrorCode.ValidationException, ex.code());
            assertEquals(20, viaIpc.describeTable("launched").itemCount());

            assertEquals(Map.of("w", n(9)), viaUdp.updateItem("launched", Map.of("pk", s("a"), "sk", n(1)),
                Map.of("w", n(9)), List.of("v"), ReturnValues.UPDATED_NEW));
            assertEquals(Map.of("pk", s("a"), "sk", n(1), "w", n(9)), viaIpc.getItem("launched", Map.of("pk", s("a"), "sk", n(1))));

            pipelinedThroughTheAsyncApi(viaIpc.async());
            pipelinedThroughTheAsyncApi(viaUdp.async());
            assertEquals(20 + 2 * PIPELINED, viaUdp.describeTable("launched").itemCount());

            assertEquals("launched", viaUdp.deleteTable("launched").spec().tableName());
            assertFalse(viaIpc.listTables().contains("launched"));
        }
    }

    private static final int PIPELINED = 200;

    /**
     * Puts {@link #PIPELINED} items without waiting for answers, then polls until each is answered, then reads them
     * back the same way: the asynchronous API against a launched node.
     */
    private static void pipelinedThroughTheAsyncApi(final FerriteClient client)
    {
        final int[] answered = { 0 };
        final int[] found = { 0 };
        final List<String> failures = new ArrayList<>();
        final ResponseHandler handler = new ResponseHandler()
        {
            public void onItem(final long requestId, final boolean itemFound, final DirectBuffer buffer, final int offset,
                final int length)
            {
                answered[0]++;
                found[0] += itemFound ? 1 : 0;
            }

            public void onError(final long requestId, final ErrorCode code, final String message)
            {
                failures.add(code + ": " + message);
            }

            public void onFailure(final long requestId, final ClientFailure failure, final String message)
            {
                failures.add(failure + ": " + message);
            }
        };
        final String pk = "async-" + client.clientId();
        final ItemWriter writer = new ItemWriter();
        for (int i = 0; i < PIPELINED; i++)
        {
            writer.reset().string("pk", pk).number("sk", i).string("v", "pipelined " + i);
            final int length = writer.finish();
            while (client.putItem("launched", writer.buffer(), 0, length, ReturnValues.NONE, handler) < 0)
            {
                client.poll(); // back-pressure or the in-flight bound: answers free room
            }
        }
        awaitAnswers(client, answered, PIPELINED, failures);
        answered[0] = 0;
        for (int i = 0; i < PIPELINED; i++)
        {
            writer.reset().string("pk", pk).number("sk", i);
            final int length = writer.finish();
            while (client.getItem("launched", writer.buffer(), 0, length, true, handler) < 0)
            {
                client.poll();
            }
        }
        awaitAnswers(client, answered, PIPELINED, failures);
        assertEquals(PIPELINED, found[0], "every pipelined put is read back");
    }

    private static void awaitAnswers(final FerriteClient client, final int[] answered, final int expected,
        final List<String> failures)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (answered[0] < expected && failures.isEmpty() && System.nanoTime() < deadlineNs)
        {
            if (0 == client.poll())
            {
                Thread.onSpinWait();
            }
        }
        assertEquals(List.of(), failures);
        assertEquals(expected, answered[0], "answers");
    }
}
