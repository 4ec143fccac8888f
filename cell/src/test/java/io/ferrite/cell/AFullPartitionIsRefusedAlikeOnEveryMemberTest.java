package io.ferrite.cell;

import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.sbe.AttributeType;
import io.ferrite.codecs.sbe.CreateTableRequestEncoder;
import io.ferrite.codecs.sbe.DeleteItemRequestEncoder;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.codecs.sbe.ErrorResponseDecoder;
import io.ferrite.codecs.sbe.KeyRole;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import io.ferrite.codecs.sbe.PutItemRequestEncoder;
import io.ferrite.codecs.sbe.ReturnValuesType;
import io.ferrite.engine.config.EngineConfig;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The review's divergence (decision 0013, "Review of 2026-12-06"): a partition capped at 100 items of a cell's
 * default average size is filled with 30 KB items until it refuses, every other one is deleted, and then 45 KB
 * items are put. Member A applies the whole log; member B starts from A's snapshot taken after the deletes, so its
 * store is compact where A's has 30 KB holes that no 45 KB item fits. Whether a put fits must not depend on that:
 * both members give every answer alike and end with equal checksums.
 */
class AFullPartitionIsRefusedAlikeOnEveryMemberTest
{
    private static final long CLIENT = 7;

    @TempDir
    Path dir;

    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private long requestId;

    private EngineConfig config(final String name)
    {
        // as a cell member's defaults, with the partition capped at 100 items
        return new EngineConfig().dataDir(dir.resolve(name)).partitionMaxItems(100).averageItemBytes(256);
    }

    @Test
    void aMemberRestoredFromASnapshotAndOneThatRanTheWholeLogGiveTheSameAnswers()
    {
        final List<byte[]> before = new ArrayList<>();
        before.add(createTable());
        for (int i = 0; i < 70; i++)
        {
            before.add(put("a" + i, 30_000));
        }
        for (int i = 0; i < 70; i += 2)
        {
            before.add(delete("a" + i));
        }
        final List<byte[]> after = new ArrayList<>();
        for (int i = 0; i < 30; i++)
        {
            after.add(put("b" + i, 45_000));
        }

        try (CellState whole = new CellState(config("whole")); CellState restored = new CellState(config("restored")))
        {
            final List<byte[]> wholeAnswers = new ArrayList<>();
            int refusedBeforeSnapshot = 0;
            for (final byte[] message : before)
            {
                refusedBeforeSnapshot += isFull(apply(whole, message)) ? 1 : 0;
            }
            assertTrue(refusedBeforeSnapshot > 0, "the 30 KB items filled the partition");

            final List<byte[]> records = new ArrayList<>();
            whole.writeSnapshot((buffer, offset, length) ->
            {
                final byte[] record = new byte[length];
                buffer.getBytes(offset, record);
                records.add(record);
            });
            for (final byte[] record : records)
            {
                restored.loadSnapshotRecord(new UnsafeBuffer(record), 0, record.length);
            }
            assertEquals(whole.checksum().checksum, restored.checksum().checksum);

            final List<byte[]> restoredAnswers = new ArrayList<>();
            int accepted = 0;
            for (final byte[] message : after)
            {
                final byte[] a = apply(whole, message);
                final byte[] b = apply(restored, message);
                wholeAnswers.add(a);
                restoredAnswers.add(b);
                accepted += null == errorOf(b) ? 1 : 0;
            }
            for (int i = 0; i < after.size(); i++)
            {
                assertEquals(describe(wholeAnswers.get(i)), describe(restoredAnswers.get(i)),
                    "put b" + i + " of 45 KB was answered differently by the member that ran the whole log and " +
                    "the member restored from a snapshot");
            }
            assertTrue(accepted > 0 && accepted < after.size(), "some 45 KB items fit and then the partition is full: " +
                accepted);
            assertEquals(whole.checksum().items, restored.checksum().items);
            assertEquals(whole.checksum().checksum, restored.checksum().checksum);
        }
    }

    private byte[] apply(final CellState state, final byte[] message)
    {
        final byte[][] answer = new byte[1][];
        state.time(1_700_000_000_000_000_000L);
        state.onMessage(new UnsafeBuffer(message), 0, message.length, 0, 0, (buffer, offset, length) ->
        {
            answer[0] = new byte[length];
            buffer.getBytes(offset, answer[0]);
        });
        return answer[0];
    }

    private byte[] createTable()
    {
        final ExpandableArrayBuffer b = message();
        final CreateTableRequestEncoder e = new CreateTableRequestEncoder()
            .wrapAndApplyHeader(b, CellProtocol.HEADER_LENGTH, header)
            .correlationId(++requestId).requestId(requestId)
            .billingMode(io.ferrite.codecs.sbe.BillingMode.PAY_PER_REQUEST).readCapacityUnits(0).writeCapacityUnits(0);
        e.keySchemaCount(1).next().keyRole(KeyRole.HASH).attributeType(AttributeType.S).attributeName("pk");
        e.tableName("items");
        return bytes(b, e.encodedLength());
    }

    private byte[] put(final String key, final int padBytes)
    {
        final byte[] item = ItemCodec.encode(Map.of("pk", s(key), "pad", s("x".repeat(padBytes))));
        final ExpandableArrayBuffer b = message();
        final PutItemRequestEncoder e = new PutItemRequestEncoder().wrapAndApplyHeader(b, CellProtocol.HEADER_LENGTH, header)
            .correlationId(++requestId).requestId(requestId).returnValues(ReturnValuesType.NONE).tableName("items")
            .putItem(item, 0, item.length).conditionExpression("")
            .putExpressionAttributeNames(new byte[0], 0, 0).putExpressionAttributeValues(new byte[0], 0, 0);
        return bytes(b, e.encodedLength());
    }

    private byte[] delete(final String key)
    {
        final byte[] bytes = ItemCodec.encode(Map.of("pk", s(key)));
        final ExpandableArrayBuffer b = message();
        final DeleteItemRequestEncoder e = new DeleteItemRequestEncoder()
            .wrapAndApplyHeader(b, CellProtocol.HEADER_LENGTH, header)
            .correlationId(++requestId).requestId(requestId).returnValues(ReturnValuesType.NONE).tableName("items")
            .putKey(bytes, 0, bytes.length).conditionExpression("")
            .putExpressionAttributeNames(new byte[0], 0, 0).putExpressionAttributeValues(new byte[0], 0, 0);
        return bytes(b, e.encodedLength());
    }

    private static ExpandableArrayBuffer message()
    {
        final ExpandableArrayBuffer b = new ExpandableArrayBuffer(64 * 1024);
        CellProtocol.writeHeader(b, 0, CellProtocol.KIND_REQUEST, CLIENT);
        return b;
    }

    private static byte[] bytes(final ExpandableArrayBuffer b, final int encodedLength)
    {
        final byte[] message = new byte[CellProtocol.HEADER_LENGTH + MessageHeaderEncoder.ENCODED_LENGTH + encodedLength];
        b.getBytes(0, message);
        return message;
    }

    private static boolean isFull(final byte[] answer)
    {
        return ErrorCode.ItemCollectionSizeLimitExceededException == errorOf(answer);
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

    private static String describe(final byte[] answer)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(answer);
        final MessageHeaderDecoder h = new MessageHeaderDecoder().wrap(buffer, 0);
        if (ErrorResponseDecoder.TEMPLATE_ID != h.templateId())
        {
            return "template " + h.templateId();
        }
        final ErrorResponseDecoder d = new ErrorResponseDecoder().wrapAndApplyHeader(buffer, 0, h);
        return d.errorCode() + ": " + d.message();
    }
}
