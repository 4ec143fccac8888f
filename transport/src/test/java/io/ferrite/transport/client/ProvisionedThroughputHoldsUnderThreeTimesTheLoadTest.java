package io.ferrite.transport.client;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.engine.admission.BillingMode;
import io.ferrite.engine.admission.ConsumedCapacity;
import io.ferrite.engine.admission.ReturnConsumedCapacity;
import io.ferrite.engine.api.Ferrite;
import io.ferrite.engine.api.Query;
import org.agrona.DirectBuffer;
import io.ferrite.engine.admission.TableCapacity;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableDescription;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.transport.node.NodeConfig;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Admission control end to end (decision 0009): a table provisioned at R write capacity units, written at 3R by
 * three clients on one hot partition key of a two-shard node, admits R (within 10%) and throttles the rest at once;
 * a short spike after an idle second is absorbed by burst capacity; UpdateTable to 2R makes 2R hold; capacity
 * survives a restart; ReturnConsumedCapacity reports DynamoDB's units through both client APIs. The node keeps 1 s of burst (ferrite.node.admissionBurstSeconds=1) so that the burst is
 * drained within the first half second and the measurement, which starts after 1 s, sees the rate alone.
 */
class ProvisionedThroughputHoldsUnderThreeTimesTheLoadTest
{
    private static final int R = 200;
    private static final int CLIENTS = 3;

    private ClientNodeFixture started;
    private ClientNodeFixture secondRouter;
    private final List<FerriteBlockingClient> clients = new ArrayList<>();

    @AfterEach
    void closeAll()
    {
        CloseHelper.closeAll(secondRouter, started);
    }

    /**
     * A node of two shards keeping 1 s of burst, with the test's own settings on top.
     */
    private static ClientNodeFixture launch(final Consumer<NodeConfig> settings)
    {
        return ClientNodeFixture.launch(2, node -> settings.accept(node.admissionBurstSeconds(1)));
    }

    private FerriteBlockingClient connect()
    {
        return connectTo(started);
    }

    private FerriteBlockingClient connectTo(final ClientNodeFixture target)
    {
        final FerriteBlockingClient client = target.connect(target.ipcClientConfig().maxAttempts(1));
        clients.add(client);
        return client;
    }

    @Test
    void admittedWritesHoldTheProvisionedRateOnAHotKeyAndFollowUpdateTable() throws Exception
    {
        started = launch(node -> { });
        final FerriteBlockingClient admin = connect();
        final TableDescription created = admin.createTable(TableSpec.of("metered").partitionKey("pk", KeyType.S)
            .sortKey("sk", KeyType.N).capacity(TableCapacity.provisioned(R, R)));
        assertEquals(TableCapacity.provisioned(R, R), created.spec().capacity());
        for (int i = 0; i < CLIENTS; i++)
        {
            connect();
        }

        // 3R for 4 s from a full bucket of 1 s of burst (R units)
        final Run steady = drive(3 * R, 4_000, 1_000);
        assertHoldsRate(steady, R, R, 4.0);
        assertTrue(steady.throttled > steady.admitted.get() / 2, "the rest is throttled: " + steady);

        // an idle second and a half refills the burst (R units); a spike of R/2 writes at once is absorbed
        Thread.sleep(1_500);
        final FerriteBlockingClient spiker = clients.get(1);
        int spikeThrottled = 0;
        for (int i = 0; i < R / 2; i++)
        {
            try
            {
                spiker.putItem("metered", Map.of("pk", s("hot"), "sk", n(1_000_000 + i)));
            }
            catch (final FerriteException ex)
            {
                assertEquals(ErrorCode.ProvisionedThroughputExceededException, ex.code(), ex.getMessage());
                spikeThrottled++;
            }
        }
        assertEquals(0, spikeThrottled, "a spike within the burst is absorbed");

        final TableDescription updated = admin.updateTable("metered", TableCapacity.provisioned(R, 2 * R));
        assertEquals(TableCapacity.provisioned(R, 2 * R), updated.spec().capacity());
        assertEquals("ACTIVE", updated.status());
        // the new burst is 2R units (1 s at 2R)
        final Run faster = drive(3 * R, 4_000, 1_000);
        assertHoldsRate(faster, 2 * R, 2 * R, 4.0);
        assertTrue(clients.get(1).counters().throttled() > 0, clients.get(1).counters().toString());

        // the node counts the throttles, and the capacity survives a restart
        clients.clear();
        started.restartNode();
        final FerriteBlockingClient again = connect();
        assertEquals(TableCapacity.provisioned(R, 2 * R), again.describeTable("metered").spec().capacity());
        assertEquals(BillingMode.PAY_PER_REQUEST,
            again.updateTable("metered", TableCapacity.ON_DEMAND).spec().capacity().billingMode());
        final FerriteException invalid = assertThrows(FerriteException.class,
            () -> again.updateTable("metered", TableCapacity.provisioned(0, 5)));
        assertEquals(ErrorCode.ValidationException, invalid.code());
    }

    @Test
    void twoRoutersShareTheTablesRateThroughTheGlobalAdmissionService() throws Exception
    {
        // two nodes, each a router in front of the table (nodes do not share data yet: each holds its own copy);
        // the first hosts the admission service, the second reaches it over UDP
        started = launch(node -> node.admissionService(true).admissionIntervalNs(TimeUnit.MILLISECONDS.toNanos(200)));
        final String admissionService = started.node().admissionServiceChannel();
        secondRouter = launch(node -> node.admissionServiceChannel(admissionService)
            .admissionIntervalNs(TimeUnit.MILLISECONDS.toNanos(200)));
        final TableSpec spec = TableSpec.of("metered").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N)
            .capacity(TableCapacity.provisioned(R, R));
        connect().createTable(spec);
        connectTo(secondRouter).createTable(spec);
        connect();
        connect();
        connectTo(secondRouter);

        // 3R in all: 2R through the first router (clients 1, 2), R through the second (client 3)
        // until the first grants arrive each router admits at the whole rate from a burst of its own, so up to 2R
        // units sit in the two buckets at the start; they drain at 2R/s or more, later when grants are slow to
        // arrive on a loaded machine: measure from 2.5 s
        final Run run = drive(3 * R, 5_000, 2_500);
        final double totalPerSecond = run.admittedInWindow / 2.5;
        assertTrue(Math.abs(totalPerSecond - R) <= 0.1 * R,
            "admitted " + totalPerSecond + "/s through both routers, provisioned " + R + " for the table (" + run + ")");
        assertTrue(run.admittedByClient[2] > 0 && run.admittedByClient[0] + run.admittedByClient[1] > run.admittedByClient[2],
            "both routers admit, in proportion to their demand: " + java.util.Arrays.toString(run.admittedByClient));
    }

    @Test
    void aPartitionOverItsCeilingIsThrottledWhileTheTableHasCapacityAndOtherPartitionsAreServed()
    {
        // a 20 WCU partition ceiling under a 40 WCU table over two partitions (shards), an even share of 20; the node's
        // 20 WCU leave no room to burst
        started = launch(node -> node.admissionPartitionWriteUnits(20).admissionNodeWriteUnits(20));
        final FerriteBlockingClient client = connect();
        client.createTable(TableSpec.of("ceiling").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N)
            .capacity(TableCapacity.provisioned(1_000, 40)));
        final long startNs = System.nanoTime();
        int admitted = 0;
        int throttled = 0;
        for (int i = 0; i < 100; i++)
        {
            try
            {
                client.putItem("ceiling", Map.of("pk", s("hot"), "sk", n(i)));
                admitted++;
            }
            catch (final FerriteException ex)
            {
                assertEquals(ErrorCode.ProvisionedThroughputExceededException, ex.code(), ex.getMessage());
                throttled++;
            }
        }
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        // the partition's one second of allocation (20) plus what refilled meanwhile, while the table's bucket held 40
        assertTrue(admitted >= 20 && admitted <= 20 + 20 * seconds + 1,
            admitted + " admitted in " + seconds + " s at a ceiling of 20/s");
        assertTrue(throttled > 0);
        final long partitionThrottles = io.ferrite.transport.node.NodeCounters.valueOf(
            started.node().counters().reader(), "partition throttled requests");
        assertEquals(throttled, partitionThrottles, "every throttle was the partition's, not the table's");

        // keys on the other shard's partition are still admitted (hot's own shard may refuse some)
        int otherAdmitted = 0;
        for (int i = 0; i < 20; i++)
        {
            try
            {
                client.putItem("ceiling", Map.of("pk", s("other-" + i), "sk", n(i)));
                otherAdmitted++;
            }
            catch (final FerriteException ex)
            {
                assertEquals(ErrorCode.ProvisionedThroughputExceededException, ex.code(), ex.getMessage());
            }
        }
        assertTrue(otherAdmitted >= 3, otherAdmitted + " of 20 writes on other keys admitted");
    }

    @Test
    void aBatchHandsBackTheTablesWithoutRoomAndIsThrottledOnlyWhenNoneHasRoom()
    {
        started = launch(node -> { });
        final FerriteBlockingClient client = connect();
        client.createTable(TableSpec.of("batched").partitionKey("pk", KeyType.S).capacity(TableCapacity.provisioned(5, 5)));
        client.createTable(TableSpec.of("roomy").partitionKey("pk", KeyType.S)
            .capacity(TableCapacity.provisioned(1_000, 1_000)));
        final List<io.ferrite.engine.shard.WriteRequest> writes = puts("k", 10);
        // 10 WCU against a full bucket of 5 (1 s of burst): admitted, leaving the bucket 5 units in debt
        assertTrue(client.batchWriteItem(Map.of("batched", writes)).isEmpty());

        // DynamoDB processes what each table's throughput allows and hands the rest back unprocessed
        final Map<String, List<io.ferrite.engine.shard.WriteRequest>> both = new LinkedHashMap<>();
        both.put("batched", puts("again", 3));
        both.put("roomy", puts("r", 4));
        final Map<String, List<io.ferrite.engine.shard.WriteRequest>> handedBack = client.batchWriteItem(both);
        assertEquals(List.of("batched"), List.copyOf(handedBack.keySet()), "the table in debt is handed back whole");
        assertEquals(List.of("again0", "again1", "again2"), pks(handedBack.get("batched")));
        for (int i = 0; i < 4; i++)
        {
            assertEquals(s("r" + i), client.getItem("roomy", Map.of("pk", s("r" + i))).get("pk"), "roomy's write applied");
        }
        assertEquals(null, client.getItem("batched", Map.of("pk", s("again0"))), "the handed-back write was not applied");
        assertEquals(0, client.counters().errors(ErrorCode.ProvisionedThroughputExceededException));

        // reads, on a table of their own: 5 RCU are 10 half units a second; 10 keys (misses cost a block each) read
        // consistently take 20 from a full bucket, into debt
        client.createTable(TableSpec.of("thin").partitionKey("pk", KeyType.S).capacity(TableCapacity.provisioned(5, 5)));
        client.putItem("thin", Map.of("pk", s("t0")));
        final List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            keys.add(Map.of("pk", s("t" + i)));
        }
        assertEquals(1, client.batchGetItem(Map.of("thin", keys), Map.of("thin", true), null, null)
            .responses().get("thin").size());
        final Map<String, List<Map<String, AttributeValue>>> readBoth = new LinkedHashMap<>();
        readBoth.put("thin", keys.subList(0, 2));
        readBoth.put("roomy", List.of(Map.of("pk", s("r0")), Map.of("pk", s("r1"))));
        final Ferrite.BatchGet read = client.batchGetItem(readBoth);
        assertEquals(2, read.responses().get("roomy").size(), "roomy's keys read");
        assertEquals(null, read.responses().get("thin"), "nothing read on the table in debt");
        assertEquals(keys.subList(0, 2), read.unprocessedKeys().get("thin"), "its keys handed back");
        assertEquals(0, client.counters().errors(ErrorCode.ProvisionedThroughputExceededException));

        // none of the batch's tables has room: DynamoDB's ProvisionedThroughputExceededException, nothing applied
        final FerriteException throttled = assertThrows(FerriteException.class,
            () -> client.batchWriteItem(Map.of("batched", puts("never", 2))));
        assertEquals(ErrorCode.ProvisionedThroughputExceededException, throttled.code());
        assertEquals("The level of configured provisioned throughput for the table was exceeded. Consider increasing " +
            "your provisioning level with the UpdateTable API.", throttled.getMessage());
        assertEquals(1, client.counters().errors(ErrorCode.ProvisionedThroughputExceededException));
        assertEquals(null, client.getItem("batched", Map.of("pk", s("never0"))));
    }

    private static List<io.ferrite.engine.shard.WriteRequest> puts(final String prefix, final int count)
    {
        final List<io.ferrite.engine.shard.WriteRequest> writes = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            writes.add(io.ferrite.engine.shard.WriteRequest.put(
                io.ferrite.codecs.item.ItemCodec.encode(Map.of("pk", s(prefix + i)))));
        }
        return writes;
    }

    private static List<String> pks(final List<io.ferrite.engine.shard.WriteRequest> writes)
    {
        final List<String> pks = new ArrayList<>();
        for (final io.ferrite.engine.shard.WriteRequest write : writes)
        {
            assertTrue(write.put(), "a put handed back as a put");
            pks.add(io.ferrite.codecs.item.ItemCodec.decode(new org.agrona.concurrent.UnsafeBuffer(write.bytes()), 0,
                write.bytes().length).get("pk").asString());
        }
        return pks;
    }

    @Test
    void returnConsumedCapacityReportsDynamoDbsUnitsThroughBothClientApis()
    {
        started = launch(node -> { });
        final FerriteBlockingClient client = connect();
        client.createTable(TableSpec.of("units").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N)
            .capacity(TableCapacity.provisioned(100, 100)));
        client.putItem("units", Map.of("pk", s("a"), "sk", n(1)));
        assertEquals(null, client.lastConsumedCapacity(), "NONE by default");

        client.returnConsumedCapacity(ReturnConsumedCapacity.TOTAL);
        client.putItem("units", Map.of("pk", s("a"), "sk", n(2), "blob", s("x".repeat(1500))));
        assertEquals(new ConsumedCapacity("units", 2.0, 0.0, 2.0), client.lastConsumedCapacity(), "1.5 KB: 2 WCU");
        client.putItem("units", Map.of("pk", s("a"), "sk", n(3), "blob", s("y".repeat(5000))));
        client.getItem("units", Map.of("pk", s("a"), "sk", n(1)));
        assertEquals(new ConsumedCapacity("units", 0.5, 0.5, 0.0), client.lastConsumedCapacity(), "eventually consistent");
        client.getItem("units", Map.of("pk", s("a"), "sk", n(3)), true);
        assertEquals(new ConsumedCapacity("units", 2.0, 2.0, 0.0), client.lastConsumedCapacity(), "5 KB consistent: 2 RCU");
        client.query(Query.on("units").partitionKey(s("a")));
        assertEquals(new ConsumedCapacity("units", 1.0, 1.0, 0.0), client.lastConsumedCapacity(),
            "Query: ~6.5 KB read, rounded up once to 8 KB, eventually consistent: 1 RCU");
        client.deleteItem("units", Map.of("pk", s("a"), "sk", n(1)));
        assertEquals(new ConsumedCapacity("units", 1.0, 0.0, 1.0), client.lastConsumedCapacity());
        // a write is charged on the larger of the item before and after: a small change to a 5 KB item costs 5 WCU,
        // and so does removing the attribute that made it large
        client.putItem("units", Map.of("pk", s("b"), "sk", n(3), "blob", s("z".repeat(5000))));
        assertEquals(new ConsumedCapacity("units", 5.0, 0.0, 5.0), client.lastConsumedCapacity(), "put of 5 KB");
        client.updateItem("units", Map.of("pk", s("b"), "sk", n(3)), Map.of("tag", s("t")), List.of(),
            io.ferrite.engine.shard.ReturnValues.NONE);
        assertEquals(new ConsumedCapacity("units", 5.0, 0.0, 5.0), client.lastConsumedCapacity(), "update of a 5 KB item");
        client.updateItem("units", Map.of("pk", s("b"), "sk", n(3)), Map.of(), List.of("blob"),
            io.ferrite.engine.shard.ReturnValues.NONE);
        assertEquals(new ConsumedCapacity("units", 5.0, 0.0, 5.0), client.lastConsumedCapacity(), "shrinking it, too");
        client.updateItem("units", Map.of("pk", s("b"), "sk", n(3)), Map.of("tag", s("u")), List.of(),
            io.ferrite.engine.shard.ReturnValues.NONE);
        assertEquals(new ConsumedCapacity("units", 1.0, 0.0, 1.0), client.lastConsumedCapacity(), "now small: 1 WCU");
        // a call the node answers without a figure leaves none, not the call before's (a caller summing calls or
        // pages would count that one twice)
        final FerriteException missing = assertThrows(FerriteException.class,
            () -> client.getItem("no-such-table", Map.of("pk", s("a"), "sk", n(1))));
        assertEquals(ErrorCode.ResourceNotFoundException, missing.code());
        assertEquals(null, client.lastConsumedCapacity(), "an unknown table consumed nothing");
        client.describeTable("units");
        assertEquals(null, client.lastConsumedCapacity(), "table operations leave it as it was");
        client.getItem("units", Map.of("pk", s("a"), "sk", n(2)));
        assertEquals(new ConsumedCapacity("units", 0.5, 0.5, 0.0), client.lastConsumedCapacity());
        client.describeTable("units");
        assertEquals(new ConsumedCapacity("units", 0.5, 0.5, 0.0), client.lastConsumedCapacity(),
            "table operations leave it as it was");

        final FerriteClient async = client.async().returnConsumedCapacity(ReturnConsumedCapacity.INDEXES);
        final long[] reported = { -1, -1 };
        final boolean[] answered = { false };
        final ItemWriter key = new ItemWriter();
        key.reset().string("pk", "a").number("sk", 3);
        final long requestId = async.getItem("units", key.buffer(), 0, key.finish(), false, new ResponseHandler()
        {
            public void onConsumedCapacity(final long id, final long readHalfUnits, final long writeUnits)
            {
                reported[0] = readHalfUnits;
                reported[1] = writeUnits;
            }

            public void onItem(final long id, final boolean found, final DirectBuffer buffer, final int offset, final int length)
            {
                answered[0] = true;
            }

            public void onError(final long id, final ErrorCode code, final String message)
            {
                answered[0] = true;
            }

            public void onFailure(final long id, final ClientFailure failure, final String message)
            {
                answered[0] = true;
            }
        });
        assertTrue(requestId > 0);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!answered[0] && System.nanoTime() < deadline)
        {
            if (0 == async.poll())
            {
                Thread.onSpinWait();
            }
        }
        assertTrue(answered[0]);
        assertEquals(2, reported[0], "5 KB eventually consistent: 2 half units (1 RCU)");
        assertEquals(0, reported[1]);
    }

    /**
     * Drives {@code ratePerSecond} PutItems on one partition key, split over the clients, each paced on its own thread.
     */
    private Run drive(final int ratePerSecond, final long durationMs, final long windowStartMs) throws InterruptedException
    {
        final Run run = new Run();
        final long startNs = System.nanoTime();
        final long endNs = startNs + TimeUnit.MILLISECONDS.toNanos(durationMs);
        final long windowStartNs = startNs + TimeUnit.MILLISECONDS.toNanos(windowStartMs);
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) * CLIENTS / ratePerSecond;
        final AtomicInteger sequence = new AtomicInteger();
        final List<Thread> threads = new ArrayList<>();
        final AtomicLong failures = new AtomicLong();
        for (int c = 1; c <= CLIENTS; c++)
        {
            final FerriteBlockingClient client = clients.get(clients.size() - CLIENTS - 1 + c);
            final int index = c;
            final long offsetNs = intervalNs * c / CLIENTS;
            final Thread thread = new Thread(() ->
            {
                long due = startNs + offsetNs;
                while (due < endNs)
                {
                    final long waitNs = due - System.nanoTime();
                    if (waitNs > 0)
                    {
                        LockSupport.parkNanos(waitNs);
                    }
                    due += intervalNs;
                    try
                    {
                        client.putItem("metered", Map.of("pk", s("hot"), "sk", n(sequence.incrementAndGet())));
                        run.admitted.incrementAndGet();
                        if (System.nanoTime() >= windowStartNs)
                        {
                            run.admittedInWindowCounter.incrementAndGet();
                            run.admittedByClientCounter.incrementAndGet(index - 1);
                        }
                    }
                    catch (final FerriteException ex)
                    {
                        if (ErrorCode.ProvisionedThroughputExceededException == ex.code())
                        {
                            run.throttledCounter.incrementAndGet();
                        }
                        else
                        {
                            failures.incrementAndGet();
                        }
                    }
                }
            }, "driver-" + c);
            threads.add(thread);
            thread.start();
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        run.seconds = (System.nanoTime() - startNs) / 1e9;
        assertEquals(0, failures.get(), "only throttles may fail");
        System.out.println("admission run at " + ratePerSecond + "/s for " + durationMs + " ms: " + run);
        run.admittedInWindow = run.admittedInWindowCounter.get();
        run.throttled = run.throttledCounter.get();
        for (int i = 0; i < CLIENTS; i++)
        {
            run.admittedByClient[i] = run.admittedByClientCounter.get(i);
        }
        return run;
    }

    /**
     * A token bucket's promise, judged over the whole run so that neither the machine's load nor when the client
     * threads get to run can move it: no more than the burst plus the rate times the run's length is admitted, and
     * with three times the rate offered, not much less than the rate times the load's length.
     */
    private static void assertHoldsRate(final Run run, final int rate, final int burstUnits, final double loadSeconds)
    {
        final double most = burstUnits + rate * run.seconds;
        assertTrue(run.admitted.get() <= most * 1.02 + 2, "admitted " + run.admitted + " in " + run.seconds +
            " s; a bucket of " + rate + "/s with a burst of " + burstUnits + " admits at most " + most + " (" + run + ")");
        final double least = 0.85 * rate * loadSeconds;
        assertTrue(run.admitted.get() >= least, "admitted " + run.admitted + " in " + run.seconds + " s under " +
            3 * rate + "/s offered; provisioned " + rate + "/s should admit at least " + least + " (" + run + ")");
    }

    private static final class Run
    {
        final AtomicLong admitted = new AtomicLong();
        final AtomicLong admittedInWindowCounter = new AtomicLong();
        final AtomicLong throttledCounter = new AtomicLong();
        final java.util.concurrent.atomic.AtomicLongArray admittedByClientCounter =
            new java.util.concurrent.atomic.AtomicLongArray(CLIENTS);
        final long[] admittedByClient = new long[CLIENTS];
        long admittedInWindow;
        long throttled;
        double seconds;

        public String toString()
        {
            return "admitted=" + admitted + " admittedInWindow=" + admittedInWindowCounter + " throttled=" + throttledCounter;
        }
    }
}
