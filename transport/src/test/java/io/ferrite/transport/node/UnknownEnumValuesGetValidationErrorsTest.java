package io.ferrite.transport.node;

import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.sbe.AttributeType;
import io.ferrite.codecs.sbe.BatchGetItemRequestEncoder;
import io.ferrite.codecs.sbe.BillingMode;
import io.ferrite.codecs.sbe.BooleanType;
import io.ferrite.codecs.sbe.CreateTableRequestEncoder;
import io.ferrite.codecs.sbe.GetItemRequestEncoder;
import io.ferrite.codecs.sbe.KeyRole;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import io.ferrite.codecs.sbe.QueryRequestEncoder;
import io.ferrite.codecs.sbe.ReturnValuesType;
import io.ferrite.codecs.sbe.ScanRequestEncoder;
import io.ferrite.codecs.sbe.SortKeyConditionType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.ferrite.transport.node.RawSession.error;
import static io.ferrite.transport.node.RawSession.item;
import static io.ferrite.transport.node.RawSession.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An SBE enum field holding a value its enum does not know (a frame that passes the frame validator, which checks
 * lengths, not enum values): the request gets one ValidationException naming the field and the value, not silence
 * (the generated decoder's {@code get} throws IllegalArgumentException, which the router let out of the agent, so the
 * request was consumed and never answered) and not a retryable InternalServerError; the node carries on.
 */
class UnknownEnumValuesGetValidationErrorsTest
{
    private static final int BODY = MessageHeaderEncoder.ENCODED_LENGTH;

    private static NodeFixture fixture;
    private static RawSession session;

    @BeforeAll
    static void start()
    {
        fixture = new NodeFixture(1);
        session = fixture.ipcSession().connect();
        ok(session.createTable("Tbl", "pk", AttributeType.S, null, null));
    }

    @AfterAll
    static void stop()
    {
        fixture.close();
    }

    @Test
    void createTableWithAnUnknownKeyRoleIsAValidationError()
    {
        final long c = session.nextCorrelationId();
        final int length = createTableFrame(c, "Bad1");
        session.buffer.putByte(BODY + CreateTableRequestEncoder.BLOCK_LENGTH + CreateTableRequestEncoder.KeySchemaEncoder.HEADER_SIZE +
            CreateTableRequestEncoder.KeySchemaEncoder.keyRoleEncodingOffset(), (byte)7);
        assertEquals("ValidationException: 1 validation error detected: Value '7' at 'keySchema.member.keyType' failed " +
            "to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]", error(session.call(c, length)));
        ok(session.createTable("After1", "pk", AttributeType.S, null, null));
    }

    @Test
    void createTableWithAnUnknownAttributeTypeIsAValidationError()
    {
        final long c = session.nextCorrelationId();
        final int length = createTableFrame(c, "Bad2");
        session.buffer.putByte(BODY + CreateTableRequestEncoder.BLOCK_LENGTH + CreateTableRequestEncoder.KeySchemaEncoder.HEADER_SIZE +
            CreateTableRequestEncoder.KeySchemaEncoder.attributeTypeEncodingOffset(), (byte)77);
        assertEquals("ValidationException: 1 validation error detected: Value '77' at " +
            "'attributeDefinitions.member.attributeType' failed to satisfy constraint: Member must satisfy enum value " +
            "set: [B, N, S] (key attribute pk)", error(session.call(c, length)));
        ok(session.createTable("After2", "pk", AttributeType.S, null, null));
    }

    @Test
    void batchGetWithAnUnknownConsistentReadIsAValidationError()
    {
        final long c = session.nextCorrelationId();
        final BatchGetItemRequestEncoder e = new BatchGetItemRequestEncoder()
            .wrapAndApplyHeader(session.buffer, 0, session.header).correlationId(c).requestId(c);
        final BatchGetItemRequestEncoder.TablesEncoder tables = e.tablesCount(1).next().consistentRead(BooleanType.TRUE);
        final byte[] key = ItemCodec.encode(item("pk", "a"));
        tables.keysCount(1).next().putKey(key, 0, key.length);
        tables.tableName("Tbl").projectionExpression("").putExpressionAttributeNames(new byte[0], 0, 0);
        session.buffer.putByte(BODY + BatchGetItemRequestEncoder.BLOCK_LENGTH + BatchGetItemRequestEncoder.TablesEncoder.HEADER_SIZE +
            BatchGetItemRequestEncoder.TablesEncoder.consistentReadEncodingOffset(), (byte)9);
        assertEquals("ValidationException: 1 validation error detected: Value '9' at 'consistentRead' failed to " +
            "satisfy constraint: Member must satisfy enum value set: [true, false]",
            error(session.call(c, BODY + e.encodedLength())));
        ok(session.getItem("Tbl", item("pk", "a")));
    }

    @Test
    void queryWithAnUnknownScanIndexForwardIsAValidationErrorNotARetryableOne()
    {
        ok(session.putItem("Tbl", item("pk", "q", "v", 1), ReturnValuesType.NONE));
        final long c = session.nextCorrelationId();
        final int length = queryFrame(c, "q");
        session.buffer.putByte(BODY + QueryRequestEncoder.scanIndexForwardEncodingOffset(), (byte)5);
        final String error = error(session.call(c, length));
        assertNotNull(error, "a Query with scanIndexForward 5 succeeded");
        assertEquals("ValidationException: 1 validation error detected: Value '5' at 'scanIndexForward' failed to " +
            "satisfy constraint: Member must satisfy enum value set: [true, false]", error);
    }

    @Test
    void getItemQueryAndScanWithAnUnknownConsistentReadAreValidationErrors()
    {
        final long c = session.nextCorrelationId();
        final byte[] key = ItemCodec.encode(java.util.Map.of("pk", io.ferrite.codecs.item.AttributeValue.s("g")));
        final GetItemRequestEncoder e = new GetItemRequestEncoder().wrapAndApplyHeader(session.buffer, 0, session.header)
            .correlationId(c).requestId(c).consistentRead(BooleanType.TRUE)
            .returnConsumedCapacity(io.ferrite.codecs.sbe.ReturnConsumedCapacityType.NONE).tableName("Tbl")
            .putKey(key, 0, key.length).projectionExpression("").putExpressionAttributeNames(new byte[0], 0, 0);
        session.buffer.putByte(BODY + GetItemRequestEncoder.consistentReadEncodingOffset(), (byte)9);
        assertEquals("ValidationException: 1 validation error detected: Value '9' at 'consistentRead' failed to " +
            "satisfy constraint: Member must satisfy enum value set: [true, false]",
            error(session.call(c, BODY + e.encodedLength())), "it was read as eventually consistent");

        final long q = session.nextCorrelationId();
        final int queryLength = queryFrame(q, "g");
        session.buffer.putByte(BODY + QueryRequestEncoder.consistentReadEncodingOffset(), (byte)7);
        final String queryError = error(session.call(q, queryLength));
        assertNotNull(queryError, "a Query with consistentRead 7 succeeded");
        assertTrue(queryError.startsWith("ValidationException: 1 validation error detected: Value '7' at 'consistentRead'"),
            queryError);

        final byte[] empty = new byte[0];
        final long s = session.nextCorrelationId();
        final ScanRequestEncoder scan = new ScanRequestEncoder().wrapAndApplyHeader(session.buffer, 0, session.header)
            .correlationId(s).requestId(s).segment(0).totalSegments(1).consistentRead(BooleanType.TRUE).pageLimit(10)
            .tableName("Tbl").putExclusiveStartKey(empty, 0, 0).filterExpression("").projectionExpression("")
            .putExpressionAttributeNames(empty, 0, 0).putExpressionAttributeValues(empty, 0, 0);
        session.buffer.putByte(BODY + ScanRequestEncoder.consistentReadEncodingOffset(), (byte)3);
        final String scanError = error(session.call(s, BODY + scan.encodedLength()));
        assertNotNull(scanError, "a Scan with consistentRead 3 succeeded");
        assertTrue(scanError.startsWith("ValidationException: 1 validation error detected: Value '3' at 'consistentRead'"),
            scanError);
    }

    /**
     * A valid Query of partition key {@code pk} (string) of table Tbl in the session's buffer.
     *
     * @return its length.
     */
    private static int queryFrame(final long correlationId, final String pk)
    {
        final byte[] key = RawSession.value(io.ferrite.codecs.item.AttributeValue.s(pk));
        final byte[] empty = new byte[0];
        final QueryRequestEncoder e = new QueryRequestEncoder().wrapAndApplyHeader(session.buffer, 0, session.header)
            .correlationId(correlationId).requestId(correlationId).condition(SortKeyConditionType.NONE)
            .scanIndexForward(BooleanType.TRUE).consistentRead(BooleanType.TRUE).pageLimit(10).tableName("Tbl")
            .putPartitionKeyValue(key, 0, key.length).putSortKeyValue(empty, 0, 0).putSortKeyUpper(empty, 0, 0)
            .putExclusiveStartKey(empty, 0, 0).keyConditionExpression("").filterExpression("").projectionExpression("")
            .putExpressionAttributeNames(empty, 0, 0).putExpressionAttributeValues(empty, 0, 0);
        return BODY + e.encodedLength();
    }

    /**
     * A valid CreateTable (one HASH key "pk" of type S) in the session's buffer.
     *
     * @return its length.
     */
    private static int createTableFrame(final long correlationId, final String table)
    {
        final CreateTableRequestEncoder e = new CreateTableRequestEncoder()
            .wrapAndApplyHeader(session.buffer, 0, session.header).correlationId(correlationId).requestId(correlationId)
            .billingMode(BillingMode.PAY_PER_REQUEST).readCapacityUnits(0).writeCapacityUnits(0);
        e.keySchemaCount(1).next().keyRole(KeyRole.HASH).attributeType(AttributeType.S).attributeName("pk");
        e.tableName(table);
        return BODY + e.encodedLength();
    }
}
