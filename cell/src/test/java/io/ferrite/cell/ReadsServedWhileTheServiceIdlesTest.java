package io.ferrite.cell;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.sbe.AttributeType;
import io.ferrite.codecs.sbe.BillingMode;
import io.ferrite.codecs.sbe.BooleanType;
import io.ferrite.codecs.sbe.CreateTableRequestEncoder;
import io.ferrite.codecs.sbe.ErrorResponseDecoder;
import io.ferrite.codecs.sbe.GetItemRequestEncoder;
import io.ferrite.codecs.sbe.ItemResponseDecoder;
import io.ferrite.codecs.sbe.KeyRole;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import io.ferrite.codecs.sbe.PutItemRequestEncoder;
import io.ferrite.codecs.sbe.ReturnValuesType;
import io.ferrite.engine.config.EngineConfig;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Proxy;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * In Aeron 1.51 {@code Cluster.idleStrategy()} is the service agent, whose {@code idle()} runs
 * {@link CellService#doBackgroundWork}, which serves eventually consistent reads. A service that idles inside a
 * callback (an answer back-pressured, a snapshot publication back-pressured) must not serve a read there: the read
 * would be encoded into the buffer the write's answer is offered again from, or re-wrap the views the snapshot's
 * scan is reading. Here a {@link CellService} runs against an IPC media driver, a {@link Cluster} whose idle strategy
 * does what the agent's does, and a read waiting on the read endpoint at the moment the service idles.
 */
class ReadsServedWhileTheServiceIdlesTest
{
    private static final int REPLY_STREAM = 1202;
    private static final String TABLE = "tbl";

    @TempDir
    Path dir;

    private final ExpandableArrayBuffer frame = new ExpandableArrayBuffer(16384);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final List<byte[]> offered = new ArrayList<>();
    private final List<byte[]> serviceMessages = new ArrayList<>();
    private final List<byte[]> snapshotRecords = new ArrayList<>();
    private final FragmentAssembler snapshotAssembler = new FragmentAssembler((b, o, l, h) ->
    {
        final byte[] record = new byte[l];
        b.getBytes(o, record);
        snapshotRecords.add(record);
    });
    private boolean backPressureOnce;
    private Subscription snapshotSubscription;
    private MediaDriver driver;
    private Aeron aeron;
    private CellService service;
    private Subscription replies;
    private ExclusivePublication reads;
    private ClientSession writer;
    private Header logHeader;

    @BeforeEach
    void start() throws Exception
    {
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(dir.resolve("aeron").toString()).threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true).dirDeleteOnShutdown(true).termBufferSparseFile(true)
            .ipcTermBufferLength(64 * 1024));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        service = new CellService(
            new EngineConfig().dataDir(dir.resolve("engine")).partitionMaxItems(2000).averageItemBytes(4200),
            dir, "aeron:ipc");
        final IdleStrategy agentIdle = new IdleStrategy() // what ClusteredServiceAgent.idle() does
        {
            public void idle(final int workCount)
            {
                if (workCount <= 0)
                {
                    idle();
                }
            }

            public void idle()
            {
                service.doBackgroundWork(System.nanoTime());
                if (null != snapshotSubscription)
                {
                    snapshotSubscription.poll(snapshotAssembler, 4); // the snapshot's reader, so that it drains
                }
            }

            public void reset()
            {
            }
        };
        final Cluster cluster = (Cluster)Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] { Cluster.class }, (proxy, method, args) -> switch (method.getName())
            {
                case "aeron" -> aeron;
                case "idleStrategy" -> agentIdle;
                case "role" -> Cluster.Role.LEADER;
                case "timeUnit" -> TimeUnit.MILLISECONDS;
                case "memberId" -> 0;
                case "offer" -> // a service message (the member's SETTINGS): kept, to be delivered as the log would
                {
                    final DirectBuffer b = (DirectBuffer)args[0];
                    final byte[] bytes = new byte[(Integer)args[2]];
                    b.getBytes((Integer)args[1], bytes);
                    serviceMessages.add(bytes);
                    yield 1L;
                }
                default -> throw new UnsupportedOperationException(method.getName());
            });
        writer = (ClientSession)Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] { ClientSession.class }, (proxy, method, args) ->
            {
                if ("offer".equals(method.getName()) && 3 == args.length)
                {
                    if (backPressureOnce)
                    {
                        backPressureOnce = false;
                        return Publication.BACK_PRESSURED; // the writer's egress is full for a moment
                    }
                    final DirectBuffer b = (DirectBuffer)args[0];
                    final byte[] bytes = new byte[(Integer)args[2]];
                    b.getBytes((Integer)args[1], bytes);
                    offered.add(bytes);
                    return 1L;
                }
                if ("id".equals(method.getName()))
                {
                    return 1L;
                }
                throw new UnsupportedOperationException(method.getName());
            });
        service.onStart(cluster, null);
        logHeader = new Header(0, 16);
        logHeader.buffer(new UnsafeBuffer(new byte[64]));
        logHeader.offset(0);
        // the leader's SETTINGS message opens the log: until it is applied no client message is (nor answered; the
        // client sends it again), on every member alike
        createTable();
        assertEquals(0, offered.size());
        assertEquals(1, service.droppedBeforeSettings);
        service.onNewLeadershipTermEvent(0, 0, 1_700_000_000_000L, 0, 0, 0, TimeUnit.MILLISECONDS, 0);
        final byte[] settings = serviceMessages.remove(0);
        service.onSessionMessage(null, 1_700_000_000_000L, new UnsafeBuffer(settings), 0, settings.length, logHeader);
        assertEquals(service.ownSettingsFingerprint(), service.cellSettingsFingerprint);

        createTable();
        replies = aeron.addSubscription("aeron:ipc", REPLY_STREAM);
        reads = aeron.addExclusivePublication("aeron:ipc", CellProtocol.READ_STREAM_ID);
        while (!reads.isConnected())
        {
            service.doBackgroundWork(System.nanoTime());
        }
        // the member drops reads until its reply publication connects
        final UnsafeBuffer read = readRequest(1, "c");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (service.readsServed < 1 && System.nanoTime() < deadline)
        {
            reads.offer(read, 0, read.capacity());
            for (int i = 0; i < 100; i++)
            {
                service.doBackgroundWork(System.nanoTime());
            }
            Thread.sleep(1);
        }
        assertTrue(service.readsServed >= 1, "the read endpoint answers");
        while (replies.poll((b, o, l, h) -> { }, 10) > 0)
        {
        }
    }

    @AfterEach
    void stop()
    {
        if (null != service)
        {
            service.closeState();
        }
        CloseHelper.quietCloseAll(snapshotSubscription, reads, replies, aeron, driver);
    }

    @Test
    void aWriteAnswerOfferedAgainAfterBackPressureIsNotReplacedByAReadAnswer() throws Exception
    {
        putItem(2, 2, Map.of("pk", s("c"), "secret", s("only-for-the-reader")), "");
        final UnsafeBuffer read = readRequest(77, "c");
        while (reads.offer(read, 0, read.capacity()) < 0) // waiting on the endpoint while the write is applied
        {
            Thread.onSpinWait();
        }
        offered.clear();
        backPressureOnce = true;
        putItem(3, 3, Map.of("pk", s("c"), "secret", s("overwritten")), "attribute_not_exists(pk)");

        assertEquals(1, offered.size());
        final UnsafeBuffer answer = new UnsafeBuffer(offered.get(0));
        assertEquals(ErrorResponseDecoder.TEMPLATE_ID, new MessageHeaderDecoder().wrap(answer, 0).templateId(),
            "the writer gets its ConditionalCheckFailed, not the reader's item: " +
            new String(offered.get(0), StandardCharsets.ISO_8859_1).replaceAll("[^ -~]", "."));
        assertEquals(3, answer.getLong(MessageHeaderEncoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN));

        final long[] readCorrelation = { -1 };
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (readCorrelation[0] < 0 && System.nanoTime() < deadline) // the read is served after the callback
        {
            service.doBackgroundWork(System.nanoTime());
            replies.poll((b, o, l, h) ->
            {
                final MessageHeaderDecoder h2 = new MessageHeaderDecoder().wrap(b, o);
                final long correlation = b.getLong(o + MessageHeaderEncoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN);
                // a warm-up read's reply may still arrive first
                if (ItemResponseDecoder.TEMPLATE_ID == h2.templateId() && 77 == correlation)
                {
                    readCorrelation[0] = correlation;
                }
            }, 10);
        }
        assertEquals(77, readCorrelation[0], "the reader is answered once the write's answer is out");
    }

    @Test
    void aSnapshotTakenWhileReadsWaitHoldsEveryItemUnchanged() throws Exception
    {
        final String pad = "y".repeat(4000);
        for (int i = 0; i < 1000; i++)
        {
            putItem(100_000 + i, 100_000 + i, Map.of("pk", s(String.format("k%05d", i)), "pad", s(pad)), "");
        }
        final ExclusivePublication snapshot = aeron.addExclusivePublication("aeron:ipc?term-length=4m", 5000);
        snapshotSubscription = aeron.addSubscription("aeron:ipc", 5000);
        while (!snapshot.isConnected())
        {
            Thread.onSpinWait();
        }
        final UnsafeBuffer read = readRequest(88, String.format("k%05d", 5));
        for (int i = 0; i < 10; i++) // reads waiting on the endpoint while the snapshot back-pressures
        {
            while (reads.offer(read, 0, read.capacity()) < 0)
            {
                Thread.onSpinWait();
            }
        }
        service.onTakeSnapshot(snapshot); // 4 MB of items through a 2 MB publication window: it idles
        while (snapshotSubscription.poll(snapshotAssembler, 100) > 0)
        {
        }
        snapshot.close();

        try (CellState restored = new CellState(new EngineConfig().dataDir(dir.resolve("restored"))
            .partitionMaxItems(2000).averageItemBytes(4200)))
        {
            for (final byte[] record : snapshotRecords)
            {
                restored.loadSnapshotRecord(new UnsafeBuffer(record), 0, record.length);
            }
            final CellState.Checksum original = service.stateChecksum();
            final CellState.Checksum loaded = restored.checksum();
            assertEquals(original.items, loaded.items, "the snapshot holds every item");
            assertEquals(original.checksum, loaded.checksum, "the snapshot holds every item's bytes");
        }
    }

    private UnsafeBuffer readRequest(final long correlationId, final String pk)
    {
        final byte[] key = ItemCodec.encode(Map.of("pk", s(pk)));
        final GetItemRequestEncoder g = new GetItemRequestEncoder().wrapAndApplyHeader(frame, 0, header)
            .correlationId(correlationId).requestId(9).consistentRead(BooleanType.FALSE).tableName(TABLE)
            .putKey(key, 0, key.length).projectionExpression("").putExpressionAttributeNames(new byte[0], 0, 0);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + g.encodedLength();
        final byte[] channel = "aeron:ipc".getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer b = new UnsafeBuffer(new byte[CellProtocol.HEADER_LENGTH + 8 + channel.length + length]);
        CellProtocol.writeHeader(b, 0, CellProtocol.KIND_READ, 2);
        b.putInt(CellProtocol.HEADER_LENGTH, REPLY_STREAM, ByteOrder.LITTLE_ENDIAN);
        b.putInt(CellProtocol.HEADER_LENGTH + 4, channel.length, ByteOrder.LITTLE_ENDIAN);
        b.putBytes(CellProtocol.HEADER_LENGTH + 8, channel);
        b.putBytes(CellProtocol.HEADER_LENGTH + 8 + channel.length, frame, 0, length);
        return b;
    }

    private void createTable()
    {
        final CreateTableRequestEncoder c = new CreateTableRequestEncoder().wrapAndApplyHeader(frame, 0, header)
            .correlationId(1).requestId(1).billingMode(BillingMode.PAY_PER_REQUEST)
            .readCapacityUnits(0).writeCapacityUnits(0);
        c.keySchemaCount(1).next().keyRole(KeyRole.HASH).attributeType(AttributeType.S).attributeName("pk");
        c.tableName(TABLE);
        deliver(MessageHeaderEncoder.ENCODED_LENGTH + c.encodedLength());
    }

    private void putItem(
        final long correlationId, final long requestId, final Map<String, io.ferrite.codecs.item.AttributeValue> item,
        final String condition)
    {
        final byte[] bytes = ItemCodec.encode(item);
        final PutItemRequestEncoder e = new PutItemRequestEncoder().wrapAndApplyHeader(frame, 0, header)
            .correlationId(correlationId).requestId(requestId).returnValues(ReturnValuesType.NONE).tableName(TABLE)
            .putItem(bytes, 0, bytes.length).conditionExpression(condition)
            .putExpressionAttributeNames(new byte[0], 0, 0).putExpressionAttributeValues(new byte[0], 0, 0);
        deliver(MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    private void deliver(final int length)
    {
        final ExpandableArrayBuffer message = new ExpandableArrayBuffer(length + CellProtocol.HEADER_LENGTH);
        CellProtocol.writeHeader(message, 0, CellProtocol.KIND_REQUEST, 1);
        message.putBytes(CellProtocol.HEADER_LENGTH, frame, 0, length);
        service.onSessionMessage(
            writer, 1_700_000_000_000L, message, 0, length + CellProtocol.HEADER_LENGTH, logHeader);
    }
}
