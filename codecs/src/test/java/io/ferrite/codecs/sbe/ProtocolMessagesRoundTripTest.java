package io.ferrite.codecs.sbe;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The data-plane and table-management messages of the schema carry what the engine needs, with item
 * bytes intact through varData and nested groups: each is encoded after a header, dispatched by the
 * header's template id, decoded and compared field by field.
 */
class ProtocolMessagesRoundTripTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 20));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();

    @Test
    void createTableAndItsDescriptionCarryTheKeySchema()
    {
        final CreateTableRequestEncoder encoder = new CreateTableRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder).correlationId(7).requestId(70);
        final CreateTableRequestEncoder.KeySchemaEncoder keySchema = encoder.keySchemaCount(2);
        keySchema.next().keyRole(KeyRole.HASH).attributeType(AttributeType.S).attributeName("customer");
        keySchema.next().keyRole(KeyRole.RANGE).attributeType(AttributeType.N).attributeName("id");
        encoder.tableName("orders");

        assertEquals(CreateTableRequestDecoder.TEMPLATE_ID, templateIdAt(0));
        final CreateTableRequestDecoder decoder = new CreateTableRequestDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(7, decoder.correlationId());
        assertEquals(70, decoder.requestId());
        final CreateTableRequestDecoder.KeySchemaDecoder keys = decoder.keySchema();
        assertEquals(2, keys.count());
        keys.next();
        assertEquals(KeyRole.HASH, keys.keyRole());
        assertEquals(AttributeType.S, keys.attributeType());
        assertEquals("customer", keys.attributeName());
        keys.next();
        assertEquals(KeyRole.RANGE, keys.keyRole());
        assertEquals(AttributeType.N, keys.attributeType());
        assertEquals("id", keys.attributeName());
        assertEquals("orders", decoder.tableName());
    }

    @Test
    void queryRequestAndItsPageCarryItemBytesAndTheLastEvaluatedKey()
    {
        final byte[] exclusiveStartKey = ItemCodec.encode(Map.of("customer", AttributeValue.s("é"), "id", AttributeValue.n("-1.5E+3")));
        new QueryRequestEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(1).requestId(2).condition(SortKeyConditionType.BETWEEN)
            .scanIndexForward(BooleanType.FALSE).consistentRead(BooleanType.TRUE).pageLimit(25)
            .tableName("orders")
            .putPartitionKeyValue(new byte[]{ 1, 0, 0, 0, 0 }, 0, 5)
            .putSortKeyValue(new byte[]{ 2 }, 0, 1)
            .putSortKeyUpper(new byte[]{ 3 }, 0, 1)
            .putExclusiveStartKey(exclusiveStartKey, 0, exclusiveStartKey.length)
            .keyConditionExpression("")
            .filterExpression("")
            .projectionExpression("")
            .putExpressionAttributeNames(new byte[0], 0, 0)
            .putExpressionAttributeValues(new byte[0], 0, 0);

        assertEquals(QueryRequestDecoder.TEMPLATE_ID, templateIdAt(0));
        final QueryRequestDecoder query = new QueryRequestDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(SortKeyConditionType.BETWEEN, query.condition());
        assertEquals(BooleanType.FALSE, query.scanIndexForward());
        assertEquals(25, query.pageLimit());
        assertEquals("orders", query.tableName());
        assertArrayEquals(new byte[]{ 1, 0, 0, 0, 0 }, bytes(query.partitionKeyValueLength(), query::getPartitionKeyValue));
        assertArrayEquals(new byte[]{ 2 }, bytes(query.sortKeyValueLength(), query::getSortKeyValue));
        assertArrayEquals(new byte[]{ 3 }, bytes(query.sortKeyUpperLength(), query::getSortKeyUpper));
        assertArrayEquals(exclusiveStartKey, bytes(query.exclusiveStartKeyLength(), query::getExclusiveStartKey));

        final List<Map<String, AttributeValue>> items = List.of(
            Map.of("customer", AttributeValue.s("é"), "id", AttributeValue.n(1), "tags", AttributeValue.ss(List.of("a", "b"))),
            Map.of("customer", AttributeValue.s("é"), "id", AttributeValue.n(2), "doc",
                AttributeValue.m(Map.of("l", AttributeValue.l(List.of(AttributeValue.nul(), AttributeValue.bool(true)))))));
        final ItemsPageResponseEncoder page = new ItemsPageResponseEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(1).count(items.size()).scannedCount(items.size());
        final ItemsPageResponseEncoder.ItemsEncoder itemsEncoder = page.itemsCount(items.size());
        for (final Map<String, AttributeValue> item : items)
        {
            final byte[] encoded = ItemCodec.encode(item);
            itemsEncoder.next().putItem(encoded, 0, encoded.length);
        }
        page.putLastEvaluatedKey(exclusiveStartKey, 0, exclusiveStartKey.length);

        final ItemsPageResponseDecoder decoded = new ItemsPageResponseDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(2, decoded.count());
        int i = 0;
        for (final ItemsPageResponseDecoder.ItemsDecoder item : decoded.items())
        {
            final byte[] bytes = bytes(item.itemLength(), item::getItem);
            assertEquals(items.get(i++), ItemCodec.decode(new UnsafeBuffer(bytes), 0, bytes.length));
        }
        assertArrayEquals(exclusiveStartKey, bytes(decoded.lastEvaluatedKeyLength(), decoded::getLastEvaluatedKey));
    }

    @Test
    void batchWriteNestsTablesAndWritesAndReportsUnprocessedTheSameWay()
    {
        final Map<String, List<byte[]>> writes = new LinkedHashMap<>();
        writes.put("a", List.of(ItemCodec.encode(Map.of("pk", AttributeValue.s("1"))), ItemCodec.encode(Map.of("pk", AttributeValue.s("2")))));
        writes.put("b", List.of(ItemCodec.encode(Map.of("pk", AttributeValue.n(3)))));

        final BatchWriteItemRequestEncoder encoder = new BatchWriteItemRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder).correlationId(9).requestId(90);
        final BatchWriteItemRequestEncoder.TablesEncoder tables = encoder.tablesCount(writes.size());
        writes.forEach((table, list) ->
        {
            tables.next();
            final BatchWriteItemRequestEncoder.TablesEncoder.WritesEncoder w = tables.writesCount(list.size());
            for (int i = 0; i < list.size(); i++)
            {
                w.next().op(0 == i ? WriteOp.PUT : WriteOp.DELETE).putItemOrKey(list.get(i), 0, list.get(i).length);
            }
            tables.tableName(table);
        });

        final BatchWriteItemRequestDecoder decoder = new BatchWriteItemRequestDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        final Map<String, List<byte[]>> decoded = new LinkedHashMap<>();
        for (final BatchWriteItemRequestDecoder.TablesDecoder table : decoder.tables())
        {
            final List<byte[]> list = new java.util.ArrayList<>();
            int i = 0;
            for (final BatchWriteItemRequestDecoder.TablesDecoder.WritesDecoder write : table.writes())
            {
                assertEquals(0 == i++ ? WriteOp.PUT : WriteOp.DELETE, write.op());
                list.add(bytes(write.itemOrKeyLength(), write::getItemOrKey));
            }
            decoded.put(table.tableName(), list);
        }
        assertEquals(writes.keySet(), decoded.keySet());
        writes.forEach((table, list) ->
        {
            for (int i = 0; i < list.size(); i++)
            {
                assertArrayEquals(list.get(i), decoded.get(table).get(i));
            }
        });
    }

    @Test
    void errorResponseNamesCodeAndMessage()
    {
        new ErrorResponseEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(5).errorCode(ErrorCode.ValidationException).message("Item size has exceeded the maximum allowed size");
        final ErrorResponseDecoder decoder = new ErrorResponseDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(ErrorCode.ValidationException, decoder.errorCode());
        assertEquals("Item size has exceeded the maximum allowed size", decoder.message());
        assertFalse(ErrorResponseDecoder.TEMPLATE_ID == QueryRequestDecoder.TEMPLATE_ID);
    }

    private int templateIdAt(final int offset)
    {
        return headerDecoder.wrap(buffer, offset).templateId();
    }

    private interface Getter
    {
        int get(byte[] dst, int offset, int length);
    }

    private static byte[] bytes(final int length, final Getter getter)
    {
        final byte[] bytes = new byte[length];
        getter.get(bytes, 0, length);
        return bytes;
    }
}
