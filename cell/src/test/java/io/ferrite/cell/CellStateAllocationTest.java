package io.ferrite.cell;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.sbe.AttributeType;
import io.ferrite.codecs.sbe.BooleanType;
import io.ferrite.codecs.sbe.CreateTableRequestEncoder;
import io.ferrite.codecs.sbe.DeleteItemRequestEncoder;
import io.ferrite.codecs.sbe.ErrorResponseDecoder;
import io.ferrite.codecs.sbe.GetItemRequestEncoder;
import io.ferrite.codecs.sbe.KeyRole;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import io.ferrite.codecs.sbe.PutItemRequestEncoder;
import io.ferrite.codecs.sbe.ReturnValuesType;
import io.ferrite.codecs.sbe.UpdateItemRequestEncoder;
import io.ferrite.engine.config.EngineConfig;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service's request path (what every member runs for every log message, and the leader's answer encoding) allocates
 * nothing in steady state: PutItem (plain and conditional with names and values), UpdateItem (UpdateExpression),
 * GetItem, DeleteItem and a retried write answered from the dedupe table, measured with the thread's allocation counter.
 */
class CellStateAllocationTest
{
    private static final long CLIENT = 7;
    private static final int KEYS = 64;
    private static final int WARM_UP_ROUNDS = 40;
    private static final int MEASURED_ROUNDS = 40;
    private static final int WINDOWS = 5;
    /** A few bytes an operation, for the odd lazily grown structure; garbage per request would be hundreds. */
    private static final long MAX_BYTES_PER_OPERATION = 1;

    @TempDir
    Path dir;

    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final MutableDirectBuffer[] puts = new MutableDirectBuffer[KEYS];
    private final int[] putLengths = new int[KEYS];
    private final MutableDirectBuffer[] conditionalPuts = new MutableDirectBuffer[KEYS];
    private final int[] conditionalPutLengths = new int[KEYS];
    private final MutableDirectBuffer[] updates = new MutableDirectBuffer[KEYS];
    private final int[] updateLengths = new int[KEYS];
    private final MutableDirectBuffer[] gets = new MutableDirectBuffer[KEYS];
    private final int[] getLengths = new int[KEYS];
    private final MutableDirectBuffer[] deletes = new MutableDirectBuffer[KEYS];
    private final int[] deleteLengths = new int[KEYS];

    private final CellState.Answer answer = this::onAnswer;
    private int answers;
    private int errors;
    private final MessageHeaderDecoder answerHeader = new MessageHeaderDecoder();
    private long nextRequestId = 1;
    private final ErrorResponseDecoder errorDecoder = new ErrorResponseDecoder();
    private String firstError;

    private void onAnswer(final DirectBuffer buffer, final int offset, final int length)
    {
        answers++;
        if (ErrorResponseDecoder.TEMPLATE_ID == answerHeader.wrap(buffer, offset).templateId())
        {
            errors++;
            if (null == firstError)
            {
                firstError = errorDecoder.wrapAndApplyHeader(buffer, offset, answerHeader).message();
            }
        }
    }

    @Test
    void steadyStateRequestsAllocateNothingOnTheServiceThread()
    {
        final EngineConfig config = new EngineConfig().dataDir(dir.resolve("engine")).partitionMaxItems(10_000)
            .averageItemBytes(128);
        // small dedupe bounds, so that the table reaches them (and recycles its entries) within the warm-up
        try (CellState state = new CellState(config, 256, 1024, CellState.DEFAULT_DEDUPE_MAX_BYTES))
        {
            state.time(1_700_000_000_000_000_000L);
            createTable(state);
            encodeRequests();

            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            assertTrue(threads.isThreadAllocatedMemorySupported());
            threads.setThreadAllocatedMemoryEnabled(true);

            for (int round = 0; round < WARM_UP_ROUNDS; round++)
            {
                round(state, ALL);
            }
            final StringBuilder perKind = new StringBuilder();
            long allocated = 0;
            int operations = 0;
            for (int kind = 0; kind < KINDS.length; kind++)
            {
                // the least of a few windows: a window may catch the JIT recompiling something on this thread
                long bytes = Long.MAX_VALUE;
                int ops = 0;
                for (int window = 0; window < WINDOWS && bytes > 0; window++)
                {
                    final int answersBefore = answers;
                    final long before = threads.getCurrentThreadAllocatedBytes();
                    for (int round = 0; round < MEASURED_ROUNDS; round++)
                    {
                        round(state, 1 << kind);
                    }
                    bytes = Math.min(bytes, threads.getCurrentThreadAllocatedBytes() - before);
                    ops = answers - answersBefore;
                }
                perKind.append(KINDS[kind]).append(' ').append(bytes).append(" B / ").append(ops).append(" ops; ");
                allocated += bytes;
                operations += ops;
            }
            final long total = allocated;
            final int count = operations;

            assertEquals(MEASURED_ROUNDS * KEYS * KINDS.length * 2, operations); // each with the put in front of it
            // attribute_not_exists(missing) holds. (A failed condition is answered from an exception the engine's shard
            // allocates, on the node's path as well; not measured here.)
            assertEquals(0, errors, () -> "no request failed: " + firstError);
            assertTrue(state.deduplicated() >= (long)(WARM_UP_ROUNDS + MEASURED_ROUNDS) * KEYS, "retries were answered from the dedupe table");
            assertTrue(allocated <= MAX_BYTES_PER_OPERATION * operations,
                () -> "the service thread allocated " + total + " bytes over " + count + " operations (" +
                    (total / (double)count) + " a request: " + perKind + "); the request path must allocate nothing");
        }
    }

    private static final String[] KINDS = {"put", "retried put", "conditional put", "update", "get", "delete"};
    private static final int ALL = 0x3F;

    private void round(final CellState state, final int kinds)
    {
        for (int k = 0; k < KEYS; k++)
        {
            final long putId = nextRequestId++;
            deliver(state, puts[k], putLengths[k], putId); // every kind needs the item in place
            if (0 != (kinds & 1))
            {
                deliver(state, puts[k], putLengths[k], nextRequestId++);
            }
            if (0 != (kinds & 2))
            {
                deliver(state, puts[k], putLengths[k], putId); // a client's retry: answered from the dedupe table
            }
            if (0 != (kinds & 4))
            {
                deliver(state, conditionalPuts[k], conditionalPutLengths[k], nextRequestId++);
            }
            if (0 != (kinds & 8))
            {
                deliver(state, updates[k], updateLengths[k], nextRequestId++);
            }
            if (0 != (kinds & 16))
            {
                deliver(state, gets[k], getLengths[k], nextRequestId++);
            }
            if (0 != (kinds & 32))
            {
                deliver(state, deletes[k], deleteLengths[k], nextRequestId++);
            }
        }
    }

    private void deliver(final CellState state, final MutableDirectBuffer message, final int length, final long requestId)
    {
        message.putLong(CellProtocol.HEADER_LENGTH + MessageHeaderEncoder.ENCODED_LENGTH + 8, requestId, ByteOrder.LITTLE_ENDIAN);
        state.onMessage(message, 0, length, 0, 0, answer);
    }

    private void encodeRequests()
    {
        final byte[] empty = new byte[0];
        final byte[] names = ItemCodec.encode(Map.of("#h", AttributeValue.s("hits")));
        final byte[] conditionNames = ItemCodec.encode(Map.of("#m", AttributeValue.s("missing")));
        final byte[] values = ItemCodec.encode(Map.of(":a", AttributeValue.n("1")));
        for (int k = 0; k < KEYS; k++)
        {
            final byte[] key = ItemCodec.encode(Map.of("pk", AttributeValue.s("key-" + k)));
            // the item has "hits" already, so the update below keeps its size (an item that grows is the store's business)
            final byte[] item = ItemCodec.encode(Map.of("pk", AttributeValue.s("key-" + k), "v", AttributeValue.s("x".repeat(100)),
                "hits", AttributeValue.n("0")));

            ExpandableArrayBuffer b = message();
            final PutItemRequestEncoder put = new PutItemRequestEncoder().wrapAndApplyHeader(b, CellProtocol.HEADER_LENGTH, header)
                .correlationId(k).requestId(0).returnValues(ReturnValuesType.NONE).tableName("items")
                .putItem(item, 0, item.length).conditionExpression("")
                .putExpressionAttributeNames(empty, 0, 0).putExpressionAttributeValues(empty, 0, 0);
            puts[k] = b;
            putLengths[k] = CellProtocol.HEADER_LENGTH + MessageHeaderEncoder.ENCODED_LENGTH + put.encodedLength();

            b = message();
            final PutItemRequestEncoder conditional = new PutItemRequestEncoder()
                .wrapAndApplyHeader(b, CellProtocol.HEADER_LENGTH, header)
                .correlationId(k).requestId(0).returnValues(ReturnValuesType.NONE).tableName("items")
                .putItem(item, 0, item.length).conditionExpression("attribute_not_exists(#m)")
                .putExpressionAttributeNames(conditionNames, 0, conditionNames.length).putExpressionAttributeValues(empty, 0, 0);
            conditionalPuts[k] = b;
            conditionalPutLengths[k] = CellProtocol.HEADER_LENGTH + MessageHeaderEncoder.ENCODED_LENGTH +
                conditional.encodedLength();

            b = message();
            final UpdateItemRequestEncoder update = new UpdateItemRequestEncoder()
                .wrapAndApplyHeader(b, CellProtocol.HEADER_LENGTH, header)
                .correlationId(k).requestId(0).returnValues(ReturnValuesType.NONE).tableName("items")
                .putKey(key, 0, key.length).putSetAttributes(empty, 0, 0).putRemoveAttributes(empty, 0, 0)
                .updateExpression("SET #h = :a").conditionExpression("")
                .putExpressionAttributeNames(names, 0, names.length).putExpressionAttributeValues(values, 0, values.length);
            updates[k] = b;
            updateLengths[k] = CellProtocol.HEADER_LENGTH + MessageHeaderEncoder.ENCODED_LENGTH + update.encodedLength();

            b = message();
            final GetItemRequestEncoder get = new GetItemRequestEncoder().wrapAndApplyHeader(b, CellProtocol.HEADER_LENGTH, header)
                .correlationId(k).requestId(0).consistentRead(BooleanType.TRUE).tableName("items")
                .putKey(key, 0, key.length).projectionExpression("").putExpressionAttributeNames(empty, 0, 0);
            gets[k] = b;
            getLengths[k] = CellProtocol.HEADER_LENGTH + MessageHeaderEncoder.ENCODED_LENGTH + get.encodedLength();

            b = message();
            final DeleteItemRequestEncoder delete = new DeleteItemRequestEncoder()
                .wrapAndApplyHeader(b, CellProtocol.HEADER_LENGTH, header)
                .correlationId(k).requestId(0).returnValues(ReturnValuesType.NONE).tableName("items")
                .putKey(key, 0, key.length).conditionExpression("")
                .putExpressionAttributeNames(empty, 0, 0).putExpressionAttributeValues(empty, 0, 0);
            deletes[k] = b;
            deleteLengths[k] = CellProtocol.HEADER_LENGTH + MessageHeaderEncoder.ENCODED_LENGTH + delete.encodedLength();
        }
    }

    private static ExpandableArrayBuffer message()
    {
        final ExpandableArrayBuffer b = new ExpandableArrayBuffer(1024);
        CellProtocol.writeHeader(b, 0, CellProtocol.KIND_REQUEST, CLIENT);
        return b;
    }

    private void createTable(final CellState state)
    {
        final ExpandableArrayBuffer b = message();
        final CreateTableRequestEncoder e = new CreateTableRequestEncoder().wrapAndApplyHeader(b, CellProtocol.HEADER_LENGTH, header)
            .correlationId(1).requestId(nextRequestId++)
            .billingMode(io.ferrite.codecs.sbe.BillingMode.PAY_PER_REQUEST).readCapacityUnits(0).writeCapacityUnits(0);
        e.keySchemaCount(1).next().keyRole(KeyRole.HASH).attributeType(AttributeType.S).attributeName("pk");
        e.tableName("items");
        state.onMessage(b, 0, CellProtocol.HEADER_LENGTH + MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength(), 0, 0, answer);
        assertEquals(0, errors, () -> "CreateTable: " + firstError);
    }
}
