package io.ferrite.cell;

import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.sbe.AttributeType;
import io.ferrite.codecs.sbe.CreateTableRequestEncoder;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.codecs.sbe.KeyRole;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import io.ferrite.codecs.sbe.PutItemRequestEncoder;
import io.ferrite.codecs.sbe.ReturnValuesType;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.wal.FsyncPolicy;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Only outcomes of the log are answers: a failure local to the member (here its WAL's fdatasync) is thrown as a
 * {@link CellState.LocalFailure}, with nothing answered and nothing recorded for a retry to find.
 */
class LocalFailuresAreNotAnswersTest
{
    private static final long CLIENT = 9;

    @TempDir
    Path dir;

    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private byte[] answer;

    @Test
    void aFailedWalSyncIsNeitherAnsweredNorRecorded() throws IOException
    {
        final CellState state = new CellState(new EngineConfig().dataDir(dir).partitionMaxItems(1000)
            .fsyncPolicy(FsyncPolicy.EVERY_WRITE));
        try
        {
            state.time(1_700_000_000_000_000_000L);
            apply(state, createTable(1));
            apply(state, put(2, "a"));
            assertEquals(2, state.dedupeSize());

            state.shard().failNextWalSyncForTesting(new IOException("injected EIO"));
            answer = null;
            final CellState.LocalFailure failure = assertThrows(CellState.LocalFailure.class, () -> apply(state, put(3, "b")));
            assertTrue(failure.getMessage().contains("request 3") && failure.getMessage().contains("InternalServerError"),
                failure.getMessage());
            assertNull(answer, "nothing is answered");
            assertEquals(2, state.dedupeSize(), "nothing is recorded for a retry to find");
            assertEquals(2, state.applied());
        }
        finally
        {
            try
            {
                state.close();
            }
            catch (final RuntimeException expected)
            {
                // its last checkpoint needs the failed WAL; a member that stops halts instead of closing
            }
        }
    }

    @Test
    void theErrorsThatAreOutcomesOfTheLogAreListedOnce()
    {
        final Set<ErrorCode> outcomes = EnumSet.of(ErrorCode.ValidationException, ErrorCode.SerializationException,
            ErrorCode.ConditionalCheckFailedException, ErrorCode.ResourceNotFoundException,
            ErrorCode.ResourceInUseException, ErrorCode.LimitExceededException,
            ErrorCode.ItemCollectionSizeLimitExceededException);
        for (final ErrorCode code : ErrorCode.values())
        {
            if (ErrorCode.NULL_VAL != code)
            {
                assertEquals(outcomes.contains(code), CellState.isOutcomeOfTheLog(code), code.name());
            }
        }
    }

    private void apply(final CellState state, final byte[] message)
    {
        state.onMessage(new UnsafeBuffer(message), 0, message.length, 0, 0, (buffer, offset, length) ->
        {
            answer = new byte[length];
            buffer.getBytes(offset, answer);
        });
    }

    private byte[] createTable(final long requestId)
    {
        final ExpandableArrayBuffer b = message();
        final CreateTableRequestEncoder e = new CreateTableRequestEncoder()
            .wrapAndApplyHeader(b, CellProtocol.HEADER_LENGTH, header)
            .correlationId(requestId).requestId(requestId)
            .billingMode(io.ferrite.codecs.sbe.BillingMode.PAY_PER_REQUEST).readCapacityUnits(0).writeCapacityUnits(0);
        e.keySchemaCount(1).next().keyRole(KeyRole.HASH).attributeType(AttributeType.S).attributeName("pk");
        e.tableName("items");
        return bytes(b, e.encodedLength());
    }

    private byte[] put(final long requestId, final String key)
    {
        final byte[] item = ItemCodec.encode(Map.of("pk", s(key)));
        final ExpandableArrayBuffer b = message();
        final PutItemRequestEncoder e = new PutItemRequestEncoder().wrapAndApplyHeader(b, CellProtocol.HEADER_LENGTH, header)
            .correlationId(requestId).requestId(requestId).returnValues(ReturnValuesType.NONE).tableName("items")
            .putItem(item, 0, item.length).conditionExpression("")
            .putExpressionAttributeNames(new byte[0], 0, 0).putExpressionAttributeValues(new byte[0], 0, 0);
        return bytes(b, e.encodedLength());
    }

    private static ExpandableArrayBuffer message()
    {
        final ExpandableArrayBuffer b = new ExpandableArrayBuffer(1024);
        CellProtocol.writeHeader(b, 0, CellProtocol.KIND_REQUEST, CLIENT);
        return b;
    }

    private static byte[] bytes(final ExpandableArrayBuffer b, final int encodedLength)
    {
        final byte[] message = new byte[CellProtocol.HEADER_LENGTH + MessageHeaderEncoder.ENCODED_LENGTH + encodedLength];
        b.getBytes(0, message);
        return message;
    }
}
