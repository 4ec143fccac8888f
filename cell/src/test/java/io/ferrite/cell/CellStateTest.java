package io.ferrite.cell;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.sbe.BooleanType;
import io.ferrite.codecs.sbe.CreateTableRequestEncoder;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.codecs.sbe.ErrorResponseDecoder;
import io.ferrite.codecs.sbe.GetItemRequestEncoder;
import io.ferrite.codecs.sbe.ItemResponseDecoder;
import io.ferrite.codecs.sbe.KeyRole;
import io.ferrite.codecs.sbe.AttributeType;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import io.ferrite.codecs.sbe.PutItemRequestEncoder;
import io.ferrite.codecs.sbe.ReturnValuesType;
import io.ferrite.codecs.sbe.TableDescriptionResponseDecoder;
import io.ferrite.codecs.sbe.UpdateItemRequestEncoder;
import io.ferrite.engine.config.EngineConfig;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replicated state machine without a cluster: requests as the log delivers them.
 */
class CellStateTest
{
    private static final long CLIENT = 42;

    @TempDir
    Path dir;

    private final ExpandableArrayBuffer frame = new ExpandableArrayBuffer(4096);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private byte[] lastAnswer;

    private EngineConfig config(final String name)
    {
        return new EngineConfig().dataDir(dir.resolve(name)).partitionMaxItems(1000).averageItemBytes(128);
    }

    @Test
    void aRetriedWriteGetsItsFirstAnswerAndIsAppliedOnce() throws Exception
    {
        try (CellState state = new CellState(config("a")))
        {
            state.time(1_700_000_000_000_000_000L);
            createTable(state, 1);
            for (int i = 0; i < 3; i++)
            {
                add(state, 7, 5); // one request id, three deliveries (a client's retries)
                assertEquals(ItemResponseDecoder.TEMPLATE_ID, templateOf(lastAnswer));
            }
            add(state, 8, 5);
            assertEquals(n(10), get(state).get("hits"), "request 7 applied once, 8 once");
            assertEquals(2, state.deduplicated());

            // a retry of a write that failed its condition gets the failure again, even once the condition holds
            put(state, 9, Map.of("pk", s("c"), "hits", n(1)), "attribute_not_exists(pk)");
            assertEquals(ErrorCode.ConditionalCheckFailedException, errorOf(lastAnswer));
            put(state, 9, Map.of("pk", s("c"), "hits", n(1)), "attribute_not_exists(pk)");
            assertEquals(ErrorCode.ConditionalCheckFailedException, errorOf(lastAnswer));
            assertEquals(n(10), get(state).get("hits"));
            assertTrue(Files.list(dir.resolve("a")).findAny().isPresent(), "the member's shard keeps its own WAL");
        }
    }

    @Test
    void aSnapshotCarriesTablesItemsCreationTimesAndTheDedupeTable()
    {
        final List<byte[]> records = new ArrayList<>();
        final long checksum;
        try (CellState state = new CellState(config("b")))
        {
            state.time(1_650_000_000_123_000_000L);
            createTable(state, 1);
            for (int i = 0; i < 700; i++)
            {
                put(state, 100 + i, Map.of("pk", s("k" + i), "pad", s("x".repeat(i % 300))), null);
            }
            add(state, 2000, 3);
            checksum = state.checksum().checksum;
            state.writeSnapshot((buffer, offset, length) ->
            {
                final byte[] record = new byte[length];
                buffer.getBytes(offset, record);
                records.add(record);
            });
        }
        assertTrue(records.size() > 3, "items go in several batches: " + records.size());

        try (CellState restored = new CellState(config("b"))) // same directory: wiped at start
        {
            assertEquals(0, restored.checksum().items);
            boolean end = false;
            for (final byte[] record : records)
            {
                assertFalse(end);
                end = restored.loadSnapshotRecord(new UnsafeBuffer(record), 0, record.length);
            }
            assertTrue(end);
            assertEquals(701, restored.checksum().items);
            assertEquals(checksum, restored.checksum().checksum);
            assertEquals(1_650_000_000_123L, restored.shard().describeTable("counters").createdEpochMs(),
                "the table keeps the cluster time it was created at");
            add(restored, 2000, 3); // a retry after the snapshot: answered from the restored dedupe table
            assertEquals(n(3), get(restored).get("hits"));
            assertEquals(1, restored.deduplicated());
        }
    }

    @Test
    void theReadPathServesReadsAndRefusesWrites()
    {
        try (CellState state = new CellState(config("d")))
        {
            createTable(state, 1);
            add(state, 2, 4);
            final byte[] key = ItemCodec.encode(Map.of("pk", s("c")));
            final byte[] values = ItemCodec.encode(Map.of(":a", n(1)));
            final UpdateItemRequestEncoder e = new UpdateItemRequestEncoder().wrapAndApplyHeader(frame, 0, header)
                .correlationId(77).requestId(3).returnValues(ReturnValuesType.NONE).tableName("counters")
                .putKey(key, 0, key.length).putSetAttributes(new byte[0], 0, 0).putRemoveAttributes(new byte[0], 0, 0)
                .updateExpression("ADD hits :a").conditionExpression("")
                .putExpressionAttributeNames(new byte[0], 0, 0).putExpressionAttributeValues(values, 0, values.length);
            state.read(frame, 0, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength(), this::capture);
            assertEquals(ErrorCode.ValidationException, errorOf(lastAnswer));
            assertTrue(messageOf(lastAnswer).contains("writes go through the cell's log"), messageOf(lastAnswer));

            final GetItemRequestEncoder g = new GetItemRequestEncoder().wrapAndApplyHeader(frame, 0, header)
                .correlationId(78).requestId(4).consistentRead(BooleanType.FALSE).tableName("counters")
                .putKey(key, 0, key.length).projectionExpression("").putExpressionAttributeNames(new byte[0], 0, 0);
            state.read(frame, 0, MessageHeaderEncoder.ENCODED_LENGTH + g.encodedLength(), this::capture);
            assertEquals(ItemResponseDecoder.TEMPLATE_ID, templateOf(lastAnswer));
            assertEquals(n(4), get(state).get("hits"), "the refused write changed nothing");
        }
    }

    @Test
    void garbageGetsAnErrorNamingTheProblem()
    {
        try (CellState state = new CellState(config("c")))
        {
            state.onMessage(new UnsafeBuffer(new byte[] { 1, 2, 3 }), 0, 3, 0, 0, this::capture);
            assertEquals(ErrorCode.SerializationException, errorOf(lastAnswer));
            final byte[] junk = new byte[40];
            CellProtocol.writeHeader(new UnsafeBuffer(junk), 0, CellProtocol.KIND_REQUEST, CLIENT);
            state.onMessage(new UnsafeBuffer(junk), 0, junk.length, 0, 0, this::capture);
            assertEquals(ErrorCode.SerializationException, errorOf(lastAnswer));
        }
    }

    // ------------------------------------------------------------------------------------------

    private void capture(final org.agrona.DirectBuffer buffer, final int offset, final int length)
    {
        lastAnswer = new byte[length];
        buffer.getBytes(offset, lastAnswer);
    }

    private void deliver(final CellState state, final int length)
    {
        final ExpandableArrayBuffer message = new ExpandableArrayBuffer(length + CellProtocol.HEADER_LENGTH);
        CellProtocol.writeHeader(message, 0, CellProtocol.KIND_REQUEST, CLIENT);
        message.putBytes(CellProtocol.HEADER_LENGTH, frame, 0, length);
        state.onMessage(message, 0, length + CellProtocol.HEADER_LENGTH, 0, 0, this::capture);
    }

    private void createTable(final CellState state, final long requestId)
    {
        final CreateTableRequestEncoder e = new CreateTableRequestEncoder().wrapAndApplyHeader(frame, 0, header)
            .correlationId(requestId).requestId(requestId)
            .billingMode(io.ferrite.codecs.sbe.BillingMode.PAY_PER_REQUEST).readCapacityUnits(0).writeCapacityUnits(0);
        e.keySchemaCount(1).next().keyRole(KeyRole.HASH).attributeType(AttributeType.S).attributeName("pk");
        e.tableName("counters");
        deliver(state, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
        assertEquals(TableDescriptionResponseDecoder.TEMPLATE_ID, templateOf(lastAnswer), () -> messageOf(lastAnswer));
    }

    private void add(final CellState state, final long requestId, final int amount)
    {
        final byte[] key = ItemCodec.encode(Map.of("pk", s("c")));
        final byte[] values = ItemCodec.encode(Map.of(":a", n(amount)));
        final UpdateItemRequestEncoder e = new UpdateItemRequestEncoder().wrapAndApplyHeader(frame, 0, header)
            .correlationId(requestId * 10).requestId(requestId).returnValues(ReturnValuesType.NONE).tableName("counters")
            .putKey(key, 0, key.length).putSetAttributes(new byte[0], 0, 0).putRemoveAttributes(new byte[0], 0, 0)
            .updateExpression("ADD hits :a").conditionExpression("")
            .putExpressionAttributeNames(new byte[0], 0, 0).putExpressionAttributeValues(values, 0, values.length);
        deliver(state, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
        final long correlationId = new UnsafeBuffer(lastAnswer).getLong(MessageHeaderEncoder.ENCODED_LENGTH);
        assertEquals(requestId * 10, correlationId, "the answer carries this delivery's correlation id");
    }

    private void put(final CellState state, final long requestId, final Map<String, AttributeValue> item, final String condition)
    {
        final byte[] bytes = ItemCodec.encode(item);
        final PutItemRequestEncoder e = new PutItemRequestEncoder().wrapAndApplyHeader(frame, 0, header)
            .correlationId(requestId).requestId(requestId).returnValues(ReturnValuesType.NONE).tableName("counters")
            .putItem(bytes, 0, bytes.length).conditionExpression(null == condition ? "" : condition)
            .putExpressionAttributeNames(new byte[0], 0, 0).putExpressionAttributeValues(new byte[0], 0, 0);
        deliver(state, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    private Map<String, AttributeValue> get(final CellState state)
    {
        final byte[] key = ItemCodec.encode(Map.of("pk", s("c")));
        final GetItemRequestEncoder e = new GetItemRequestEncoder().wrapAndApplyHeader(frame, 0, header)
            .correlationId(1).requestId(1).consistentRead(BooleanType.TRUE).tableName("counters")
            .putKey(key, 0, key.length).projectionExpression("").putExpressionAttributeNames(new byte[0], 0, 0);
        deliver(state, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
        final UnsafeBuffer buffer = new UnsafeBuffer(lastAnswer);
        final MessageHeaderDecoder h = new MessageHeaderDecoder().wrap(buffer, 0);
        final ItemResponseDecoder d = new ItemResponseDecoder().wrapAndApplyHeader(buffer, 0, h);
        final byte[] item = new byte[d.itemLength()];
        d.getItem(item, 0, item.length);
        return ItemCodec.decode(new UnsafeBuffer(item), 0, item.length);
    }

    private static String messageOf(final byte[] answer)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(answer);
        final MessageHeaderDecoder h = new MessageHeaderDecoder().wrap(buffer, 0);
        return new ErrorResponseDecoder().wrapAndApplyHeader(buffer, 0, h).message();
    }

    private static int templateOf(final byte[] answer)
    {
        return new MessageHeaderDecoder().wrap(new UnsafeBuffer(answer), 0).templateId();
    }

    private static ErrorCode errorOf(final byte[] answer)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(answer);
        final MessageHeaderDecoder h = new MessageHeaderDecoder().wrap(buffer, 0);
        if (ErrorResponseDecoder.TEMPLATE_ID != h.templateId())
        {
            return null;
        }
        return new ErrorResponseDecoder().wrapAndApplyHeader(buffer, 0, h).errorCode();
    }
}
