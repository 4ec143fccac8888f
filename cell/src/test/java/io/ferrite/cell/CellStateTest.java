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
import io.ferrite.codecs.sbe.BatchGetItemRequestEncoder;
import io.ferrite.codecs.sbe.BatchGetItemResponseDecoder;
import io.ferrite.codecs.sbe.BatchWriteItemRequestEncoder;
import io.ferrite.codecs.sbe.BatchWriteItemResponseDecoder;
import io.ferrite.codecs.sbe.BillingMode;
import io.ferrite.codecs.sbe.DescribeTableRequestEncoder;
import io.ferrite.codecs.sbe.ItemsPageResponseDecoder;
import io.ferrite.codecs.sbe.QueryRequestEncoder;
import io.ferrite.codecs.sbe.ScanRequestEncoder;
import io.ferrite.codecs.sbe.SortKeyConditionType;
import io.ferrite.codecs.sbe.UpdateTableRequestEncoder;
import io.ferrite.codecs.sbe.WriteOp;
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

    @Test
    void enumValuesOutsideTheirSetAreValidationErrorsNamingFieldAndValue()
    {
        try (CellState state = new CellState(config("e")))
        {
            final int body = MessageHeaderEncoder.ENCODED_LENGTH;
            final int element = body + CreateTableRequestEncoder.BLOCK_LENGTH + CreateTableRequestEncoder.KeySchemaEncoder.HEADER_SIZE;
            for (final int offset : new int[] {CreateTableRequestEncoder.KeySchemaEncoder.keyRoleEncodingOffset(),
                CreateTableRequestEncoder.KeySchemaEncoder.attributeTypeEncodingOffset()})
            {
                final CreateTableRequestEncoder e = new CreateTableRequestEncoder().wrapAndApplyHeader(frame, 0, header)
                    .correlationId(2).requestId(2)
                    .billingMode(io.ferrite.codecs.sbe.BillingMode.PAY_PER_REQUEST).readCapacityUnits(0).writeCapacityUnits(0);
                e.keySchemaCount(1).next().keyRole(KeyRole.HASH).attributeType(AttributeType.S).attributeName("pk");
                e.tableName("enums");
                frame.putByte(element + offset, (byte)77);
                deliver(state, body + e.encodedLength());
                assertEquals(ErrorCode.ValidationException, errorOf(lastAnswer), () -> messageOf(lastAnswer));
                assertTrue(messageOf(lastAnswer).contains("'77'"), messageOf(lastAnswer));
            }

            createEvents(state, 3);
            final QueryRequestEncoder q = new QueryRequestEncoder().wrapAndApplyHeader(frame, 0, header)
                .correlationId(4).requestId(4).condition(SortKeyConditionType.NONE).scanIndexForward(BooleanType.TRUE)
                .consistentRead(BooleanType.TRUE).pageLimit(0).tableName("events")
                .putPartitionKeyValue(new byte[0], 0, 0).putSortKeyValue(new byte[0], 0, 0).putSortKeyUpper(new byte[0], 0, 0)
                .putExclusiveStartKey(new byte[0], 0, 0).keyConditionExpression("pk = :p")
                .filterExpression("").projectionExpression("")
                .putExpressionAttributeNames(new byte[0], 0, 0);
            final byte[] values = ItemCodec.encode(Map.of(":p", s("a")));
            q.putExpressionAttributeValues(values, 0, values.length);
            frame.putByte(body + QueryRequestEncoder.scanIndexForwardEncodingOffset(), (byte)5);
            deliver(state, body + q.encodedLength());
            assertEquals(ErrorCode.ValidationException, errorOf(lastAnswer), () -> messageOf(lastAnswer));
            assertTrue(messageOf(lastAnswer).contains("'5' at 'scanIndexForward'"), messageOf(lastAnswer));

            final byte[] item = ItemCodec.encode(Map.of("pk", s("a"), "sk", n(1)));
            final BatchWriteItemRequestEncoder w = new BatchWriteItemRequestEncoder().wrapAndApplyHeader(frame, 0, header)
                .correlationId(5).requestId(5);
            final BatchWriteItemRequestEncoder.TablesEncoder tables = w.tablesCount(1).next();
            tables.writesCount(1).next().op(WriteOp.PUT).putItemOrKey(item, 0, item.length);
            tables.tableName("events");
            frame.putByte(body + BatchWriteItemRequestEncoder.BLOCK_LENGTH + BatchWriteItemRequestEncoder.TablesEncoder.HEADER_SIZE +
                BatchWriteItemRequestEncoder.TablesEncoder.sbeBlockLength() +
                BatchWriteItemRequestEncoder.TablesEncoder.WritesEncoder.HEADER_SIZE +
                BatchWriteItemRequestEncoder.TablesEncoder.WritesEncoder.opEncodingOffset(), (byte)9);
            deliver(state, body + w.encodedLength());
            assertEquals(ErrorCode.ValidationException, errorOf(lastAnswer), () -> messageOf(lastAnswer));
            assertTrue(messageOf(lastAnswer).contains("write op 9"), messageOf(lastAnswer));
        }
    }

    @Test
    void queryAndScanServeKeyConditionFilterAndProjectionExpressions()
    {
        try (CellState state = new CellState(config("q")))
        {
            createEvents(state, 1);
            for (int i = 0; i < 10; i++)
            {
                putIn(state, "events", 10 + i, Map.of("pk", s(i < 6 ? "a" : "b"), "sk", n(i), "v", n(i * 10), "w", s("x")));
            }
            final byte[] names = ItemCodec.encode(Map.of("#v", s("v")));
            final byte[] values = ItemCodec.encode(Map.of(":p", s("a"), ":lo", n(1), ":min", n(30)));
            final QueryRequestEncoder q = new QueryRequestEncoder().wrapAndApplyHeader(frame, 0, header)
                .correlationId(5).requestId(5).condition(SortKeyConditionType.NONE).scanIndexForward(BooleanType.TRUE)
                .consistentRead(BooleanType.TRUE).pageLimit(0).tableName("events")
                .putPartitionKeyValue(new byte[0], 0, 0).putSortKeyValue(new byte[0], 0, 0).putSortKeyUpper(new byte[0], 0, 0)
                .putExclusiveStartKey(new byte[0], 0, 0).keyConditionExpression("pk = :p AND sk >= :lo")
                .filterExpression("#v >= :min").projectionExpression("sk, #v")
                .putExpressionAttributeNames(names, 0, names.length).putExpressionAttributeValues(values, 0, values.length);
            deliver(state, MessageHeaderEncoder.ENCODED_LENGTH + q.encodedLength());
            final List<Map<String, AttributeValue>> page = pageOf(lastAnswer);
            assertEquals(List.of(Map.of("sk", n(3), "v", n(30)), Map.of("sk", n(4), "v", n(40)), Map.of("sk", n(5), "v", n(50))),
                page, "sk >= 1 in partition a (5 items scanned), v >= 30 kept, only sk and v projected");
            assertEquals(5, scannedOf(lastAnswer));

            final byte[] scanValues = ItemCodec.encode(Map.of(":min", n(70)));
            final ScanRequestEncoder sc = new ScanRequestEncoder().wrapAndApplyHeader(frame, 0, header)
                .correlationId(6).requestId(6).segment(0).totalSegments(1).consistentRead(BooleanType.TRUE).pageLimit(0)
                .tableName("events").putExclusiveStartKey(new byte[0], 0, 0).filterExpression("v >= :min")
                .projectionExpression("v").putExpressionAttributeNames(new byte[0], 0, 0)
                .putExpressionAttributeValues(scanValues, 0, scanValues.length);
            deliver(state, MessageHeaderEncoder.ENCODED_LENGTH + sc.encodedLength());
            final List<Map<String, AttributeValue>> scanned = pageOf(lastAnswer);
            assertEquals(3, scanned.size(), scanned.toString());
            assertTrue(scanned.containsAll(List.of(Map.of("v", n(70)), Map.of("v", n(80)), Map.of("v", n(90)))), scanned.toString());
            assertEquals(10, scannedOf(lastAnswer));

            // an unused value is refused as DynamoDB refuses it
            final byte[] extra = ItemCodec.encode(Map.of(":min", n(70), ":unused", n(1)));
            final ScanRequestEncoder bad = new ScanRequestEncoder().wrapAndApplyHeader(frame, 0, header)
                .correlationId(7).requestId(7).segment(0).totalSegments(1).consistentRead(BooleanType.TRUE).pageLimit(0)
                .tableName("events").putExclusiveStartKey(new byte[0], 0, 0).filterExpression("v >= :min")
                .projectionExpression("").putExpressionAttributeNames(new byte[0], 0, 0)
                .putExpressionAttributeValues(extra, 0, extra.length);
            deliver(state, MessageHeaderEncoder.ENCODED_LENGTH + bad.encodedLength());
            assertEquals(ErrorCode.ValidationException, errorOf(lastAnswer));
            assertTrue(messageOf(lastAnswer).contains(":unused"), messageOf(lastAnswer));
        }
    }

    @Test
    void batchWriteIsAppliedOnceAndBatchGetProjectsThroughTheLogAndTheReadPath()
    {
        try (CellState state = new CellState(config("bw")))
        {
            createEvents(state, 1);
            putIn(state, "events", 2, Map.of("pk", s("gone"), "sk", n(0)));
            for (int delivery = 0; delivery < 2; delivery++) // a client's retry of the same batch
            {
                final BatchWriteItemRequestEncoder w = new BatchWriteItemRequestEncoder().wrapAndApplyHeader(frame, 0, header)
                    .correlationId(30 + delivery).requestId(3);
                final BatchWriteItemRequestEncoder.TablesEncoder tables = w.tablesCount(1).next();
                final BatchWriteItemRequestEncoder.TablesEncoder.WritesEncoder writes = tables.writesCount(4);
                for (int i = 0; i < 3; i++)
                {
                    final byte[] item = ItemCodec.encode(Map.of("pk", s("k"), "sk", n(i), "v", n(i), "w", s("w" + i)));
                    writes.next().op(WriteOp.PUT).putItemOrKey(item, 0, item.length);
                }
                final byte[] key = ItemCodec.encode(Map.of("pk", s("gone"), "sk", n(0)));
                writes.next().op(WriteOp.DELETE).putItemOrKey(key, 0, key.length);
                tables.tableName("events");
                deliver(state, MessageHeaderEncoder.ENCODED_LENGTH + w.encodedLength());
                final UnsafeBuffer answer = new UnsafeBuffer(lastAnswer);
                final MessageHeaderDecoder h = new MessageHeaderDecoder().wrap(answer, 0);
                assertEquals(BatchWriteItemResponseDecoder.TEMPLATE_ID, h.templateId(), () -> messageOf(lastAnswer));
                final BatchWriteItemResponseDecoder response = new BatchWriteItemResponseDecoder().wrapAndApplyHeader(answer, 0, h);
                assertEquals(30 + delivery, response.correlationId());
                assertEquals(0, response.unprocessedItems().count());
            }
            assertEquals(1, state.deduplicated(), "the retried batch was answered from the dedupe table");
            assertEquals(3, state.checksum().items, "three puts, one delete");

            final byte[] names = ItemCodec.encode(Map.of("#w", s("w")));
            final BatchGetItemRequestEncoder g = new BatchGetItemRequestEncoder().wrapAndApplyHeader(frame, 0, header)
                .correlationId(40).requestId(4);
            final BatchGetItemRequestEncoder.TablesEncoder tables = g.tablesCount(1).next().consistentRead(BooleanType.TRUE);
            final BatchGetItemRequestEncoder.TablesEncoder.KeysEncoder keys = tables.keysCount(2);
            for (final int i : new int[] { 1, 7 })
            {
                final byte[] key = ItemCodec.encode(Map.of("pk", s("k"), "sk", n(i)));
                keys.next().putKey(key, 0, key.length);
            }
            tables.tableName("events").projectionExpression("#w").putExpressionAttributeNames(names, 0, names.length);
            final int length = MessageHeaderEncoder.ENCODED_LENGTH + g.encodedLength();
            deliver(state, length);
            assertEquals(List.of(Map.of("w", s("w1"))), batchItemsOf(lastAnswer), "one key found, projected to w");
            state.read(frame, 0, length, this::capture);
            assertEquals(List.of(Map.of("w", s("w1"))), batchItemsOf(lastAnswer), "a member's read endpoint serves it too");
        }
    }

    @Test
    void aBatchGetAnswerLongerThanAPublicationMessageSendsTheRestAsUnprocessedKeys()
    {
        // 100 items of 30 KB: 3 MB, past the 2 MiB a publication of the default 16 MiB term takes in one message
        try (CellState state = new CellState(new EngineConfig().dataDir(dir.resolve("big"))
            .partitionMaxItems(200).averageItemBytes(40 * 1024)))
        {
            createEvents(state, 1);
            final String pad = "p".repeat(30_000);
            for (int i = 0; i < 100; i++)
            {
                putIn(state, "events", 10 + i, Map.of("pk", s("k"), "sk", n(i), "pad", s(pad)));
            }
            final BatchGetItemRequestEncoder g = new BatchGetItemRequestEncoder().wrapAndApplyHeader(frame, 0, header)
                .correlationId(40).requestId(4);
            final BatchGetItemRequestEncoder.TablesEncoder tables =
                g.tablesCount(1).next().consistentRead(BooleanType.TRUE);
            final BatchGetItemRequestEncoder.TablesEncoder.KeysEncoder keys = tables.keysCount(100);
            for (int i = 0; i < 100; i++)
            {
                final byte[] key = ItemCodec.encode(Map.of("pk", s("k"), "sk", n(i)));
                keys.next().putKey(key, 0, key.length);
            }
            tables.tableName("events").projectionExpression("").putExpressionAttributeNames(new byte[0], 0, 0);
            final int length = MessageHeaderEncoder.ENCODED_LENGTH + g.encodedLength();

            deliver(state, length);
            assertTrue(lastAnswer.length <= CellState.MAX_ANSWER_BYTES,
                "through the log: " + lastAnswer.length + " bytes");
            final int found = batchItemsOf(lastAnswer).size();
            assertTrue(found > 0 && found < 100, found + " items");
            assertEquals(100 - found, unprocessedKeysOf(lastAnswer), "every key not answered is unprocessed");

            final int smallPublication = 512 * 1024; // a reply publication of a 4 MiB term
            state.read(frame, 0, length, this::capture, smallPublication);
            assertTrue(lastAnswer.length <= smallPublication - CellState.ANSWER_MARGIN_BYTES,
                "through a read endpoint: " + lastAnswer.length + " bytes");
            final int foundByRead = batchItemsOf(lastAnswer).size();
            assertTrue(foundByRead > 0 && foundByRead < found, foundByRead + " items");
            assertEquals(100 - foundByRead, unprocessedKeysOf(lastAnswer));
        }
    }

    private static int unprocessedKeysOf(final byte[] answer)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(answer);
        final MessageHeaderDecoder h = new MessageHeaderDecoder().wrap(buffer, 0);
        final BatchGetItemResponseDecoder d = new BatchGetItemResponseDecoder().wrapAndApplyHeader(buffer, 0, h);
        for (final BatchGetItemResponseDecoder.ResponsesDecoder table : d.responses())
        {
            for (final BatchGetItemResponseDecoder.ResponsesDecoder.ItemsDecoder item : table.items())
            {
                item.skipItem();
            }
            table.skipTableName();
        }
        int keys = 0;
        for (final BatchGetItemResponseDecoder.UnprocessedKeysDecoder table : d.unprocessedKeys())
        {
            for (final BatchGetItemResponseDecoder.UnprocessedKeysDecoder.KeysDecoder key : table.keys())
            {
                key.skipKey();
                keys++;
            }
            table.skipTableName();
        }
        return keys;
    }

    @Test
    void updateTableChangesTheCapacityAndASnapshotKeepsIt()
    {
        final List<byte[]> records = new ArrayList<>();
        try (CellState state = new CellState(config("ut")))
        {
            createTable(state, 1);
            final UpdateTableRequestEncoder u = new UpdateTableRequestEncoder().wrapAndApplyHeader(frame, 0, header)
                .correlationId(2).requestId(2).billingMode(BillingMode.PROVISIONED).readCapacityUnits(50)
                .writeCapacityUnits(20).tableName("counters");
            deliver(state, MessageHeaderEncoder.ENCODED_LENGTH + u.encodedLength());
            assertEquals(TableDescriptionResponseDecoder.TEMPLATE_ID, templateOf(lastAnswer), () -> messageOf(lastAnswer));
            assertEquals(List.of("PROVISIONED", 50L, 20L), capacityOf(describe(state)));

            final UpdateTableRequestEncoder none = new UpdateTableRequestEncoder().wrapAndApplyHeader(frame, 0, header)
                .correlationId(3).requestId(3).billingMode(BillingMode.NULL_VAL).readCapacityUnits(0).writeCapacityUnits(0)
                .tableName("counters");
            deliver(state, MessageHeaderEncoder.ENCODED_LENGTH + none.encodedLength());
            assertEquals(ErrorCode.ValidationException, errorOf(lastAnswer));
            assertTrue(messageOf(lastAnswer).startsWith("At least one of ProvisionedThroughput"), messageOf(lastAnswer));

            state.writeSnapshot((buffer, offset, length) ->
            {
                final byte[] record = new byte[length];
                buffer.getBytes(offset, record);
                records.add(record);
            });
        }
        try (CellState restored = new CellState(config("ut")))
        {
            for (final byte[] record : records)
            {
                restored.loadSnapshotRecord(new UnsafeBuffer(record), 0, record.length);
            }
            assertEquals(List.of("PROVISIONED", 50L, 20L), capacityOf(describe(restored)));
        }
    }

    private void createEvents(final CellState state, final long requestId)
    {
        final CreateTableRequestEncoder e = new CreateTableRequestEncoder().wrapAndApplyHeader(frame, 0, header)
            .correlationId(requestId).requestId(requestId)
            .billingMode(io.ferrite.codecs.sbe.BillingMode.PAY_PER_REQUEST).readCapacityUnits(0).writeCapacityUnits(0);
        final CreateTableRequestEncoder.KeySchemaEncoder keys = e.keySchemaCount(2);
        keys.next().keyRole(KeyRole.HASH).attributeType(AttributeType.S).attributeName("pk");
        keys.next().keyRole(KeyRole.RANGE).attributeType(AttributeType.N).attributeName("sk");
        e.tableName("events");
        deliver(state, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
        assertEquals(TableDescriptionResponseDecoder.TEMPLATE_ID, templateOf(lastAnswer), () -> messageOf(lastAnswer));
    }

    private void putIn(final CellState state, final String table, final long requestId, final Map<String, AttributeValue> item)
    {
        final byte[] bytes = ItemCodec.encode(item);
        final PutItemRequestEncoder e = new PutItemRequestEncoder().wrapAndApplyHeader(frame, 0, header)
            .correlationId(requestId).requestId(requestId).returnValues(ReturnValuesType.NONE).tableName(table)
            .putItem(bytes, 0, bytes.length).conditionExpression("")
            .putExpressionAttributeNames(new byte[0], 0, 0).putExpressionAttributeValues(new byte[0], 0, 0);
        deliver(state, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
        assertEquals(ItemResponseDecoder.TEMPLATE_ID, templateOf(lastAnswer), () -> messageOf(lastAnswer));
    }

    private byte[] describe(final CellState state)
    {
        final DescribeTableRequestEncoder e = new DescribeTableRequestEncoder().wrapAndApplyHeader(frame, 0, header)
            .correlationId(9).requestId(9).tableName("counters");
        deliver(state, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
        return lastAnswer;
    }

    private static List<Object> capacityOf(final byte[] answer)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(answer);
        final MessageHeaderDecoder h = new MessageHeaderDecoder().wrap(buffer, 0);
        final TableDescriptionResponseDecoder d = new TableDescriptionResponseDecoder().wrapAndApplyHeader(buffer, 0, h);
        return List.of(d.billingMode().name(), d.readCapacityUnits(), d.writeCapacityUnits());
    }

    private static List<Map<String, AttributeValue>> pageOf(final byte[] answer)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(answer);
        final MessageHeaderDecoder h = new MessageHeaderDecoder().wrap(buffer, 0);
        assertEquals(ItemsPageResponseDecoder.TEMPLATE_ID, h.templateId(), () -> messageOf(answer));
        final ItemsPageResponseDecoder d = new ItemsPageResponseDecoder().wrapAndApplyHeader(buffer, 0, h);
        final List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (final ItemsPageResponseDecoder.ItemsDecoder item : d.items())
        {
            final byte[] bytes = new byte[item.itemLength()];
            item.getItem(bytes, 0, bytes.length);
            items.add(ItemCodec.decode(new UnsafeBuffer(bytes), 0, bytes.length));
        }
        return items;
    }

    private static int scannedOf(final byte[] answer)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(answer);
        final MessageHeaderDecoder h = new MessageHeaderDecoder().wrap(buffer, 0);
        return new ItemsPageResponseDecoder().wrapAndApplyHeader(buffer, 0, h).scannedCount();
    }

    private static List<Map<String, AttributeValue>> batchItemsOf(final byte[] answer)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(answer);
        final MessageHeaderDecoder h = new MessageHeaderDecoder().wrap(buffer, 0);
        assertEquals(BatchGetItemResponseDecoder.TEMPLATE_ID, h.templateId(), () -> messageOf(answer));
        final BatchGetItemResponseDecoder d = new BatchGetItemResponseDecoder().wrapAndApplyHeader(buffer, 0, h);
        final List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (final BatchGetItemResponseDecoder.ResponsesDecoder table : d.responses())
        {
            for (final BatchGetItemResponseDecoder.ResponsesDecoder.ItemsDecoder item : table.items())
            {
                final byte[] bytes = new byte[item.itemLength()];
                item.getItem(bytes, 0, bytes.length);
                items.add(ItemCodec.decode(new UnsafeBuffer(bytes), 0, bytes.length));
            }
            assertEquals("events", table.tableName());
        }
        return items;
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
