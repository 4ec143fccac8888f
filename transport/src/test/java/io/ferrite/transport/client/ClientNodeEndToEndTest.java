package io.ferrite.transport.client;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.codecs.sbe.ListTablesResponseDecoder;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import io.ferrite.codecs.sbe.TableDescriptionResponseDecoder;
import io.ferrite.engine.api.Ferrite;
import io.ferrite.engine.api.Page;
import io.ferrite.engine.api.Query;
import io.ferrite.engine.api.Scan;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.SortKeyCondition;
import io.ferrite.engine.shard.WriteRequest;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableDescription;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.transport.node.NodeConfig;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every operation through both client APIs against a real node started in this JVM, over IPC and over UDP
 * (the client with its own media driver and an ephemeral response port, as a client on another host would
 * run). Expected answers come from a plain in-memory model of the items written.
 */
class ClientNodeEndToEndTest
{
    /** How the client reaches the node, and how the node runs. */
    enum Transport
    {
        IPC(false), UDP(false),
        /** The node on one thread: router, shard loops, media driver and Aeron client invoked in turn. */
        IPC_ONE_THREAD_NODE(true), UDP_ONE_THREAD_NODE(true);

        final boolean oneThreadNode;

        Transport(final boolean oneThreadNode)
        {
            this.oneThreadNode = oneThreadNode;
        }

        boolean ipc()
        {
            return this == IPC || this == IPC_ONE_THREAD_NODE;
        }
    }

    private ClientNodeFixture started;

    @AfterEach
    void closeAll()
    {
        CloseHelper.close(started);
    }

    private ClientConfig startNodeAndConfigure(final Transport transport)
    {
        started = ClientNodeFixture.launch(2, node ->
        {
            if (transport.oneThreadNode)
            {
                node.agentThreading(NodeConfig.AgentThreading.SHARED).driverThreading(NodeConfig.DriverThreading.INVOKER);
            }
        });
        final List<String> routerThreads = new ArrayList<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.getName().contains("ferrite-router"))
            {
                routerThreads.add(thread.getName());
            }
        }
        assertEquals(1, routerThreads.size(), routerThreads.toString());
        final String routerThread = routerThreads.get(0);
        for (final String agent : List.of("ferrite-shard-0", "ferrite-shard-1", "ferrite-driver", "ferrite-aeron-client"))
        {
            assertEquals(transport.oneThreadNode, routerThread.contains(agent), agent + " on the router's thread " + routerThread);
        }
        return transport.ipc() ? started.ipcClientConfig() : started.udpClientConfig();
    }

    private static Map<String, AttributeValue> order(final String customer, final int id)
    {
        return Map.of("customer", s(customer), "id", n(id), "total", n(id + ".5"), "note", s("order " + id));
    }

    private static Map<String, AttributeValue> key(final String customer, final int id)
    {
        return Map.of("customer", s(customer), "id", n(id));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void blockingApiServesEveryOperation(final Transport transport)
    {
        final ClientConfig config = startNodeAndConfigure(transport);
        final FerriteBlockingClient client = started.connect(config);

        // Table management.
        final TableDescription created = client.createTable(
            TableSpec.of("orders").partitionKey("customer", KeyType.S).sortKey("id", KeyType.N));
        assertEquals("orders", created.spec().tableName());
        assertEquals(KeyType.N, created.spec().sortKeyType());
        client.createTable(TableSpec.of("users").partitionKey("name", KeyType.S));
        final FerriteException duplicate = assertThrows(FerriteException.class,
            () -> client.createTable(TableSpec.of("users").partitionKey("name", KeyType.S)));
        assertEquals(ErrorCode.ResourceInUseException, duplicate.code());
        assertEquals(List.of("orders", "users"), client.listTables());
        final FerriteBlockingClient.ListTablesPage firstPage = client.listTables(1, null);
        assertEquals(List.of("orders"), firstPage.tableNames());
        assertEquals("orders", firstPage.lastEvaluatedTableName());
        assertEquals(List.of("users"), client.listTables(1, "orders").tableNames());

        // Items, with ReturnValues.
        final Map<String, Map<String, AttributeValue>> model = new TreeMap<>();
        for (int id = 1; id <= 30; id++)
        {
            client.putItem("orders", order("alice", id));
            model.put("alice#" + id, order("alice", id));
        }
        client.putItem("orders", order("bob", 1));
        assertEquals(order("alice", 7), client.getItem("orders", key("alice", 7)));
        assertEquals(order("alice", 7), client.getItem("orders", key("alice", 7), true));
        assertNull(client.getItem("orders", key("alice", 99)));
        final Map<String, AttributeValue> replaced = new LinkedHashMap<>(order("alice", 3));
        replaced.put("note", s("replaced"));
        assertEquals(order("alice", 3), client.putItem("orders", replaced, ReturnValues.ALL_OLD));
        assertNull(client.putItem("orders", order("carol", 1), ReturnValues.ALL_OLD), "no old item");
        assertEquals(replaced, client.deleteItem("orders", key("alice", 3), ReturnValues.ALL_OLD));
        assertNull(client.getItem("orders", key("alice", 3)));
        client.deleteItem("orders", key("carol", 1));
        assertNull(client.getItem("orders", key("carol", 1)));

        final Map<String, AttributeValue> updatedNew = client.updateItem("orders", key("alice", 4),
            Map.of("status", s("shipped")), List.of("note"), ReturnValues.ALL_NEW);
        final Map<String, AttributeValue> expected = new TreeMap<>(order("alice", 4));
        expected.remove("note");
        expected.put("status", s("shipped"));
        assertEquals(expected, new TreeMap<>(updatedNew));
        assertEquals(Map.of("status", s("shipped")), client.updateItem("orders", key("alice", 4),
            Map.of("status", s("delivered")), List.of(), ReturnValues.UPDATED_OLD));
        assertNull(client.updateItem("orders", key("alice", 4), Map.of("status", s("x")), List.of(), ReturnValues.NONE));

        // Query: every sort key condition, both directions, Limit and ExclusiveStartKey.
        assertIds(client.query(Query.on("orders").partitionKey(s("alice"))), ids(1, 30, i -> i != 3));
        assertIds(client.query(Query.on("orders").partitionKey(s("alice")).sortKey(SortKeyCondition.EQ, n(10))), List.of(10));
        assertIds(client.query(Query.on("orders").partitionKey(s("alice")).sortKey(SortKeyCondition.LT, n(5))), List.of(1, 2, 4));
        assertIds(client.query(Query.on("orders").partitionKey(s("alice")).sortKey(SortKeyCondition.LE, n(5))), List.of(1, 2, 4, 5));
        assertIds(client.query(Query.on("orders").partitionKey(s("alice")).sortKey(SortKeyCondition.GT, n(27))), List.of(28, 29, 30));
        assertIds(client.query(Query.on("orders").partitionKey(s("alice")).sortKey(SortKeyCondition.GE, n(28))), List.of(28, 29, 30));
        assertIds(client.query(Query.on("orders").partitionKey(s("alice"))
            .sortKey(SortKeyCondition.BETWEEN, n(2), n(6))), List.of(2, 4, 5, 6));
        assertIds(client.query(Query.on("orders").partitionKey(s("alice"))
            .sortKey(SortKeyCondition.BETWEEN, n(2), n(6)).scanIndexForward(false)), List.of(6, 5, 4, 2));
        client.createTable(TableSpec.of("words").partitionKey("p", KeyType.S).sortKey("w", KeyType.S));
        for (final String word : List.of("apple", "apricot", "banana", "apex", "b"))
        {
            client.putItem("words", Map.of("p", s("x"), "w", s(word)));
        }
        final Page begins = client.query(Query.on("words").partitionKey(s("x")).sortKey(SortKeyCondition.BEGINS_WITH, s("ap")));
        assertEquals(List.of("apex", "apple", "apricot"), begins.items().stream().map(i -> i.get("w").asString()).toList());

        final List<Integer> paged = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        int pages = 0;
        do
        {
            final Page page = client.query(Query.on("orders").partitionKey(s("alice")).scanIndexForward(false)
                .limit(7).exclusiveStartKey(start));
            page.items().forEach(item -> paged.add(Integer.parseInt(item.get("id").asNumber())));
            assertTrue(page.count() <= 7);
            start = page.lastEvaluatedKey();
            pages++;
        }
        while (null != start);
        assertEquals(ids(30, 1, i -> i != 3), paged);
        assertTrue(pages >= 5, "29 items in pages of 7: " + pages);

        // Scan: segments and pages cover every item exactly once.
        final Set<String> scanned = new HashSet<>();
        int scannedItems = 0;
        for (int segment = 0; segment < 3; segment++)
        {
            Map<String, AttributeValue> scanStart = null;
            do
            {
                final Page page = client.scan(Scan.on("orders").segment(segment, 3).limit(4).exclusiveStartKey(scanStart));
                for (final Map<String, AttributeValue> item : page.items())
                {
                    scannedItems++;
                    scanned.add(item.get("customer").asString() + "#" + item.get("id").asNumber());
                }
                scanStart = page.lastEvaluatedKey();
            }
            while (null != scanStart);
        }
        assertEquals(30, scannedItems, "alice 29 + bob 1, none twice");
        assertEquals(30, scanned.size());

        // Batches.
        final Map<String, List<WriteRequest>> writes = new LinkedHashMap<>();
        writes.put("orders", List.of(Ferrite.put(order("dave", 1)), Ferrite.put(order("dave", 2)),
            Ferrite.delete(key("bob", 1))));
        writes.put("users", List.of(Ferrite.put(Map.of("name", s("dave"), "age", n(40)))));
        assertTrue(client.batchWriteItem(writes).values().stream().allMatch(List::isEmpty), "nothing unprocessed");
        assertNull(client.getItem("orders", key("bob", 1)));
        final Map<String, List<Map<String, AttributeValue>>> keys = new LinkedHashMap<>();
        keys.put("orders", List.of(key("dave", 1), key("dave", 2), key("nobody", 1)));
        keys.put("users", List.of(Map.of("name", s("dave"))));
        final Ferrite.BatchGet batch = client.batchGetItem(keys);
        assertEquals(Set.of(order("dave", 1), order("dave", 2)), new HashSet<>(batch.responses().get("orders")));
        assertEquals(List.of(Map.of("name", s("dave"), "age", n(40))), batch.responses().get("users"));
        assertTrue(batch.unprocessedKeys().values().stream().allMatch(List::isEmpty));

        // Describe and delete.
        final TableDescription described = client.describeTable("orders");
        assertEquals(31, described.itemCount(), "alice 29 + dave 2");
        final FerriteException missing = assertThrows(FerriteException.class, () -> client.describeTable("nope"));
        assertEquals(ErrorCode.ResourceNotFoundException, missing.code());
        assertEquals("users", client.deleteTable("users").spec().tableName());
        assertEquals(List.of("orders", "words"), client.listTables());
        final FerriteException gone = assertThrows(FerriteException.class, () -> client.getItem("users", Map.of("name", s("dave"))));
        assertEquals(ErrorCode.ResourceNotFoundException, gone.code());
        assertTrue(gone.getMessage().contains("users") || gone.getMessage().contains("not found"), gone.getMessage());
        assertEquals(0, client.counters().timeouts());
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void asyncApiServesEveryOperationPipelined(final Transport transport)
    {
        final ClientConfig config = startNodeAndConfigure(transport);
        final FerriteClient client = started.connectAsync(config);
        final FerriteClientScriptedNodeTest.Recorder recorder = new FerriteClientScriptedNodeTest.Recorder();
        final PageRecorder pages = new PageRecorder();
        final MessageHeaderDecoder header = new MessageHeaderDecoder();

        final long create = client.createTable(TableSpec.of("tbl").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N), recorder);
        await(client, () -> recorder.done.contains(create));
        assertFalse(recorder.failures.containsKey(create), String.valueOf(recorder.failures));

        // Pipelined puts: hundreds in flight at once, answers matched by correlation id.
        final ItemWriter writer = new ItemWriter();
        final List<Long> puts = new ArrayList<>();
        for (int i = 0; i < 500; i++)
        {
            writer.reset().string("pk", "p" + (i % 5)).number("sk", i).number("v", i * 10L);
            final int length = writer.finish();
            final long id = client.putItem("tbl", writer.buffer(), 0, length, ReturnValues.NONE, recorder);
            assertTrue(id > 0, "send status " + id);
            puts.add(id);
        }
        await(client, () -> recorder.done.containsAll(puts));
        assertTrue(puts.stream().noneMatch(recorder.failures::containsKey), String.valueOf(recorder.failures));

        // Get, Update (ALL_NEW), Delete (ALL_OLD), Get again.
        writer.reset().string("pk", "p2").number("sk", 7);
        final byte[] key7 = copy(writer);
        final long get = client.getItem("tbl", new UnsafeBuffer(key7), 0, key7.length, true, recorder);
        writer.reset().string("note", "hi");
        final byte[] set = copy(writer);
        writer.reset().nul("v");
        final byte[] remove = copy(writer);
        final long update = client.updateItem("tbl", new UnsafeBuffer(key7), 0, key7.length, new UnsafeBuffer(set), 0, set.length,
            new UnsafeBuffer(remove), 0, remove.length, ReturnValues.ALL_NEW, recorder);
        await(client, () -> recorder.done.contains(get) && recorder.done.contains(update));
        assertEquals(Map.of("pk", s("p2"), "sk", n(7), "v", n(70)), decode(recorder.items.get(get)));
        assertEquals(Map.of("pk", s("p2"), "sk", n(7), "note", s("hi")), decode(recorder.items.get(update)));
        final long delete = client.deleteItem("tbl", new UnsafeBuffer(key7), 0, key7.length, ReturnValues.ALL_OLD, recorder);
        await(client, () -> recorder.done.contains(delete));
        assertEquals(Map.of("pk", s("p2"), "sk", n(7), "note", s("hi")), decode(recorder.items.get(delete)));
        final long getGone = client.getItem("tbl", new UnsafeBuffer(key7), 0, key7.length, false, recorder);
        await(client, () -> recorder.done.contains(getGone));
        assertEquals(0, recorder.items.get(getGone).length, "no item: found=false, no bytes");

        // Query backwards between 100 and 200 on p0 (sk = 0, 5, 10 ...), Limit 5, through every page.
        final UnsafeBuffer pk = new UnsafeBuffer(valueBytes(s("p0")));
        final UnsafeBuffer low = new UnsafeBuffer(valueBytes(n(100)));
        final UnsafeBuffer high = new UnsafeBuffer(valueBytes(n(200)));
        final QueryParams query = new QueryParams();
        byte[] start = null;
        final List<Long> sortKeys = new ArrayList<>();
        do
        {
            query.reset().tableName("tbl").partitionKey(pk, 0, pk.capacity())
                .sortKey(SortKeyCondition.BETWEEN, low, 0, low.capacity()).sortKeyUpper(high, 0, high.capacity())
                .scanIndexForward(false).limit(5);
            if (null != start)
            {
                query.exclusiveStartKey(new UnsafeBuffer(start), 0, start.length);
            }
            pages.reset();
            final long id = client.query(query, pages);
            await(client, () -> pages.done);
            assertNull(pages.failure, pages.failure);
            pages.items.forEach(item -> sortKeys.add(Long.parseLong(decode(item).get("sk").asNumber())));
            start = pages.lastEvaluatedKey;
            assertTrue(id > 0);
        }
        while (null != start);
        final List<Long> expected = new ArrayList<>();
        for (long sk = 200; sk >= 100; sk -= 5)
        {
            expected.add(sk);
        }
        assertEquals(expected, sortKeys);

        // Scan in 2 segments, pages of 64.
        final ScanParams scan = new ScanParams();
        int scannedItems = 0;
        for (int segment = 0; segment < 2; segment++)
        {
            byte[] scanStart = null;
            do
            {
                scan.reset().tableName("tbl").segment(segment, 2).limit(64);
                if (null != scanStart)
                {
                    scan.exclusiveStartKey(new UnsafeBuffer(scanStart), 0, scanStart.length);
                }
                pages.reset();
                client.scan(scan, pages);
                await(client, () -> pages.done);
                assertNull(pages.failure, pages.failure);
                scannedItems += pages.items.size();
                scanStart = pages.lastEvaluatedKey;
            }
            while (null != scanStart);
        }
        assertEquals(499, scannedItems);

        // Table management answers as raw messages.
        final RawRecorder raw = new RawRecorder();
        final long describe = client.describeTable("tbl", raw);
        final long list = client.listTables(0, null, raw);
        await(client, () -> raw.messages.containsKey(describe) && raw.messages.containsKey(list));
        final UnsafeBuffer describeBuffer = new UnsafeBuffer(raw.messages.get(describe));
        header.wrap(describeBuffer, 0);
        final TableDescriptionResponseDecoder description =
            new TableDescriptionResponseDecoder().wrapAndApplyHeader(describeBuffer, 0, header);
        assertEquals(499, description.itemCount());
        final UnsafeBuffer listBuffer = new UnsafeBuffer(raw.messages.get(list));
        header.wrap(listBuffer, 0);
        final ListTablesResponseDecoder names = new ListTablesResponseDecoder().wrapAndApplyHeader(listBuffer, 0, header);
        final ListTablesResponseDecoder.TableNamesDecoder group = names.tableNames();
        assertEquals(1, group.count());
        assertEquals("tbl", group.next().tableName());

        final Map<String, List<WriteRequest>> writes = Map.of("tbl", List.of(
            WriteRequest.put(ItemCodec.encode(Map.of("pk", s("b"), "sk", n(1))))));
        final long batchWrite = client.batchWriteItem(writes, raw);
        final long batchGet = client.batchGetItem(Map.of("tbl", List.of(ItemCodec.encode(Map.of("pk", s("b"), "sk", n(1))))), true, raw);
        await(client, () -> raw.messages.containsKey(batchWrite) && raw.messages.containsKey(batchGet));
        assertEquals(io.ferrite.codecs.sbe.BatchGetItemResponseDecoder.TEMPLATE_ID, raw.templates.get(batchGet));

        final long missing = client.getItem("nope", new UnsafeBuffer(key7), 0, key7.length, false, recorder);
        await(client, () -> recorder.done.contains(missing));
        assertTrue(recorder.failures.get(missing).startsWith("ResourceNotFoundException"), recorder.failures.get(missing));
        final long dropTable = client.deleteTable("tbl", raw);
        await(client, () -> raw.messages.containsKey(dropTable));
        assertEquals(0, client.counters().timeouts());
        assertEquals(0, client.inFlight());
    }

    private static List<Integer> ids(final int from, final int to, final Predicate<Integer> keep)
    {
        final List<Integer> ids = new ArrayList<>();
        final int step = from <= to ? 1 : -1;
        for (int i = from; i != to + step; i += step)
        {
            if (keep.test(i))
            {
                ids.add(i);
            }
        }
        return ids;
    }

    private static void assertIds(final Page page, final List<Integer> expected)
    {
        final List<Integer> ids = new ArrayList<>();
        page.items().forEach(item -> ids.add(Integer.parseInt(item.get("id").asNumber())));
        assertEquals(expected, ids);
        assertEquals(expected.size(), page.count());
    }

    private static byte[] copy(final ItemWriter writer)
    {
        final int length = writer.finish();
        final byte[] bytes = new byte[length];
        writer.buffer().getBytes(0, bytes);
        return bytes;
    }

    private static byte[] valueBytes(final AttributeValue value)
    {
        final byte[] item = ItemCodec.encode(Map.of("v", value));
        final UnsafeBuffer buffer = new UnsafeBuffer(item);
        final int valueOffset = ItemFormat.valueOffset(buffer, ItemFormat.firstEntry(0));
        final byte[] bytes = new byte[item.length - valueOffset];
        buffer.getBytes(valueOffset, bytes);
        return bytes;
    }

    private static Map<String, AttributeValue> decode(final byte[] item)
    {
        return ItemCodec.decode(new UnsafeBuffer(item), 0, item.length);
    }

    private static void await(final FerriteClient client, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("no answer within 30 s; counters " + client.counters());
            }
            if (0 == client.poll())
            {
                Thread.yield();
            }
        }
    }

    private static final class PageRecorder implements ResponseHandler
    {
        boolean done;
        String failure;
        final List<byte[]> items = new ArrayList<>();
        byte[] lastEvaluatedKey;

        void reset()
        {
            done = false;
            failure = null;
            items.clear();
            lastEvaluatedKey = null;
        }

        public void onPage(final long requestId, final ItemsPage page)
        {
            while (page.nextItem())
            {
                final byte[] item = new byte[page.itemLength()];
                page.buffer().getBytes(page.itemOffset(), item);
                items.add(item);
            }
            assertEquals(items.size(), page.count());
            if (page.lastEvaluatedKeyLength() > 0)
            {
                lastEvaluatedKey = new byte[page.lastEvaluatedKeyLength()];
                page.buffer().getBytes(page.lastEvaluatedKeyOffset(), lastEvaluatedKey);
            }
            done = true;
        }

        public void onError(final long requestId, final ErrorCode code, final String message)
        {
            failure = code + ": " + message;
            done = true;
        }

        public void onFailure(final long requestId, final ClientFailure failure, final String message)
        {
            this.failure = failure + ": " + message;
            done = true;
        }
    }

    private static final class RawRecorder implements ResponseHandler
    {
        final Map<Long, byte[]> messages = new LinkedHashMap<>();
        final Map<Long, Integer> templates = new LinkedHashMap<>();

        public void onResponse(final long requestId, final int templateId, final DirectBuffer buffer, final int offset,
            final int length)
        {
            final byte[] message = new byte[length];
            buffer.getBytes(offset, message);
            messages.put(requestId, message);
            templates.put(requestId, templateId);
        }

        public void onError(final long requestId, final ErrorCode code, final String message)
        {
            throw new AssertionError("request " + requestId + " failed: " + code + ": " + message);
        }

        public void onFailure(final long requestId, final ClientFailure failure, final String message)
        {
            throw new AssertionError("request " + requestId + " failed: " + failure + ": " + message);
        }
    }
}
