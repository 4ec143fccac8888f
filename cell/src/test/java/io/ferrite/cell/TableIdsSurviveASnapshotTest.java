package io.ferrite.cell;

import io.ferrite.codecs.sbe.AttributeType;
import io.ferrite.codecs.sbe.BillingMode;
import io.ferrite.codecs.sbe.CreateTableRequestEncoder;
import io.ferrite.codecs.sbe.DeleteTableRequestEncoder;
import io.ferrite.codecs.sbe.DescribeTableRequestEncoder;
import io.ferrite.codecs.sbe.KeyRole;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import io.ferrite.codecs.sbe.TableDescriptionResponseDecoder;
import io.ferrite.engine.config.EngineConfig;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A member that loaded a snapshot (restarted or seeded) must give every table the id the member that ran the whole
 * log gives it: DescribeTable and CreateTable answer it (and the dedupe table records those answers), the shard's WAL
 * records it. Ids are not reused after a DeleteTable, so the next id is carried too.
 */
class TableIdsSurviveASnapshotTest
{
    @TempDir
    Path dir;

    private final ExpandableArrayBuffer frame = new ExpandableArrayBuffer(4096);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private byte[] lastAnswer;

    @Test
    void aMemberRestoredFromASnapshotGivesEveryTableTheSameId()
    {
        final List<byte[]> records = new ArrayList<>();
        final List<Integer> whole = new ArrayList<>();
        try (CellState state = new CellState(config("whole")))
        {
            beforeTheSnapshot(state);
            state.writeSnapshot((buffer, offset, length) ->
            {
                final byte[] record = new byte[length];
                buffer.getBytes(offset, record);
                records.add(record);
            });
            afterTheSnapshot(state, whole);
        }
        final List<Integer> restored = new ArrayList<>();
        try (CellState state = new CellState(config("restored")))
        {
            for (final byte[] record : records)
            {
                state.loadSnapshotRecord(new UnsafeBuffer(record), 0, record.length);
            }
            afterTheSnapshot(state, restored);
        }
        assertEquals(List.of(1, 3, 4), whole, "zeta, alpha (gamma, id 2, was deleted), then beta");
        assertEquals(whole, restored);
    }

    @Test
    void aVersionOneSnapshotWithoutTableIdsStillLoads()
    {
        final List<byte[]> records = new ArrayList<>();
        try (CellState state = new CellState(config("whole")))
        {
            beforeTheSnapshot(state);
            state.writeSnapshot((buffer, offset, length) ->
            {
                final byte[] record = new byte[length];
                buffer.getBytes(offset, record);
                records.add(record);
            });
        }
        final List<Integer> restored = new ArrayList<>();
        try (CellState state = new CellState(config("restored")))
        {
            for (final byte[] record : records)
            {
                final byte[] old = asVersionOne(record);
                state.loadSnapshotRecord(new UnsafeBuffer(old), 0, old.length);
            }
            afterTheSnapshot(state, restored);
        }
        assertEquals(List.of(2, 1, 3), restored, "version 1's ids: the tables re-created in name order");
    }

    /** A version 2 record as version 1 wrote it: the header without the next id, a table without its id. */
    private static byte[] asVersionOne(final byte[] record)
    {
        final UnsafeBuffer b = new UnsafeBuffer(record);
        final int type = b.getInt(0, ByteOrder.LITTLE_ENDIAN);
        if (1 == type)
        {
            b.putInt(4, 1, ByteOrder.LITTLE_ENDIAN);
            return java.util.Arrays.copyOf(record, 28);
        }
        return 2 == type ? java.util.Arrays.copyOf(record, record.length - 4) : record;
    }

    private void beforeTheSnapshot(final CellState state)
    {
        state.time(1_700_000_000_000_000_000L);
        createTable(state, 1, "zeta");
        createTable(state, 2, "gamma");
        createTable(state, 3, "alpha");
        deleteTable(state, 4, "gamma");
    }

    private void afterTheSnapshot(final CellState state, final List<Integer> ids)
    {
        createTable(state, 5, "beta");
        for (final String name : List.of("zeta", "alpha", "beta"))
        {
            ids.add(describe(state, name));
        }
    }

    private EngineConfig config(final String name)
    {
        return new EngineConfig().dataDir(dir.resolve(name)).partitionMaxItems(100).averageItemBytes(128);
    }

    private int describe(final CellState state, final String name)
    {
        final DescribeTableRequestEncoder e = new DescribeTableRequestEncoder().wrapAndApplyHeader(frame, 0, header)
            .correlationId(9).requestId(9).tableName(name);
        deliver(state, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
        final UnsafeBuffer b = new UnsafeBuffer(lastAnswer);
        final MessageHeaderDecoder h = new MessageHeaderDecoder().wrap(b, 0);
        assertEquals(TableDescriptionResponseDecoder.TEMPLATE_ID, h.templateId(), name + " is described");
        return new TableDescriptionResponseDecoder().wrapAndApplyHeader(b, 0, h).tableId();
    }

    private void createTable(final CellState state, final long requestId, final String name)
    {
        final CreateTableRequestEncoder e = new CreateTableRequestEncoder().wrapAndApplyHeader(frame, 0, header)
            .correlationId(requestId).requestId(requestId)
            .billingMode(BillingMode.PAY_PER_REQUEST).readCapacityUnits(0).writeCapacityUnits(0);
        e.keySchemaCount(1).next().keyRole(KeyRole.HASH).attributeType(AttributeType.S).attributeName("pk");
        e.tableName(name);
        deliver(state, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    private void deleteTable(final CellState state, final long requestId, final String name)
    {
        final DeleteTableRequestEncoder e = new DeleteTableRequestEncoder().wrapAndApplyHeader(frame, 0, header)
            .correlationId(requestId).requestId(requestId).tableName(name);
        deliver(state, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    private void deliver(final CellState state, final int length)
    {
        final ExpandableArrayBuffer message = new ExpandableArrayBuffer(length + CellProtocol.HEADER_LENGTH);
        CellProtocol.writeHeader(message, 0, CellProtocol.KIND_REQUEST, 42);
        message.putBytes(CellProtocol.HEADER_LENGTH, frame, 0, length);
        state.onMessage(message, 0, length + CellProtocol.HEADER_LENGTH, 0, 0, (buffer, offset, l) ->
        {
            lastAnswer = new byte[l];
            buffer.getBytes(offset, lastAnswer);
        });
    }
}
