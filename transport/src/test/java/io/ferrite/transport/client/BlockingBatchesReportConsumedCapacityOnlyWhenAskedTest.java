package io.ferrite.transport.client;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.sbe.BatchWriteItemResponseDecoder;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import io.ferrite.engine.admission.ConsumedCapacity;
import io.ferrite.engine.admission.ReturnConsumedCapacity;
import io.ferrite.engine.api.Ferrite;
import io.ferrite.engine.shard.WriteRequest;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The blocking client's BatchGetItem and BatchWriteItem say what each table consumed when ReturnConsumedCapacity asks
 * for it, with DynamoDB's figures, and say nothing when it does not. Before, the client dropped the node's per-table
 * {@code consumedCapacity} group, so a caller of the blocking API (and {@code ferrite cli}) could not learn what a
 * batch cost; and since the node fills that group for every batch, passing it on unasked would have answered what
 * DynamoDB answers only when asked.
 * <p>
 * Item sizes are DynamoDB's (attribute names plus values, UTF-8) and chosen away from block edges, so the figures are
 * those DynamoDB's rules give: "small" items (about 110 bytes) are 1 WCU to write and one 4 KB block to read; "large"
 * items (4,511 bytes: {@code pk} + 2, {@code payload} + 4,500) are ceil(4,511 / 1 KB) = 5 WCU to write and
 * ceil(4,511 / 4 KB) = 2 blocks to read; a read is half a unit a block eventually consistent, one strongly.
 */
class BlockingBatchesReportConsumedCapacityOnlyWhenAskedTest
{
    private static final String LARGE_PAYLOAD = "x".repeat(4_500);
    private static final String SMALL_PAYLOAD = "y".repeat(100);

    private ClientNodeFixture started;
    private FerriteBlockingClient client;

    @BeforeEach
    void start()
    {
        started = ClientNodeFixture.launch(2, node -> node.udpEndpoint("none"));
        client = started.connect();
        client.createTable(TableSpec.of("small").partitionKey("pk", KeyType.S));
        client.createTable(TableSpec.of("large").partitionKey("pk", KeyType.S));
    }

    @AfterEach
    void stop()
    {
        CloseHelper.close(started);
    }

    @Test
    void aBatchMadeWithoutAskingReportsNothingThoughTheNodeSentIt()
    {
        assertEquals(ReturnConsumedCapacity.NONE, client.async().returnConsumedCapacity(), "NONE by default");
        assertTrue(client.batchWriteItem(writes(3, 2, 0)).isEmpty());
        assertEquals(List.of(), client.lastBatchConsumedCapacity(), "not asked: nothing, as DynamoDB");
        client.batchGetItem(keys(3, 2, 0));
        assertEquals(List.of(), client.lastBatchConsumedCapacity());

        // the node answers every batch with its consumedCapacity group (the request has no field to ask): it is the
        // client that keeps it to itself
        final Map<String, Long> sent = rawBatchWriteCapacity(writes(1, 1, 0));
        assertEquals(Map.of("small", 1L, "large", 5L), sent, "write units per table in the raw response");
        assertEquals(List.of(), client.lastBatchConsumedCapacity());
    }

    @ParameterizedTest
    @EnumSource(value = ReturnConsumedCapacity.class, names = { "TOTAL", "INDEXES" })
    void aBatchWriteReportsEachTablesWriteUnits(final ReturnConsumedCapacity mode)
    {
        client.returnConsumedCapacity(mode);
        final Map<String, List<WriteRequest>> writes = writes(3, 2, 0);
        // a delete of an item that is not there still costs 1 WCU
        writes.get("large").add(Ferrite.delete(Map.of("pk", s("absent"))));
        assertTrue(client.batchWriteItem(writes).isEmpty());

        final Map<String, ConsumedCapacity> byTable = byTable(client.lastBatchConsumedCapacity());
        assertEquals(new ConsumedCapacity("small", 3.0, 0.0, 3.0), byTable.get("small"), "3 small puts: 3 x 1 WCU");
        assertEquals(new ConsumedCapacity("large", 11.0, 0.0, 11.0), byTable.get("large"),
            "2 large puts: 2 x 5 WCU; a delete of nothing: 1 WCU");
        assertEquals(2, client.lastBatchConsumedCapacity().size(), "one entry per table");

        // replacing a small item by a large one costs the larger (5 WCU); deleting a small item 1 WCU; the figures are
        // this batch's alone
        final Map<String, List<WriteRequest>> second = new LinkedHashMap<>();
        second.put("small", new ArrayList<>(List.of(
            Ferrite.put(large("small-0")), Ferrite.delete(Map.of("pk", s("small-1"))))));
        assertTrue(client.batchWriteItem(second).isEmpty());
        assertEquals(List.of(new ConsumedCapacity("small", 6.0, 0.0, 6.0)), client.lastBatchConsumedCapacity());
    }

    @Test
    void aBatchGetReportsEachTablesReadsAtItsOwnConsistency()
    {
        assertTrue(client.batchWriteItem(writes(3, 2, 0)).isEmpty());
        client.returnConsumedCapacity(ReturnConsumedCapacity.TOTAL);

        final Map<String, List<Map<String, AttributeValue>>> keys = keys(3, 2, 0);
        keys.get("large").add(Map.of("pk", s("absent")));
        final Ferrite.BatchGet result = client.batchGetItem(keys, Map.of("small", true), null, null);
        assertEquals(3, result.responses().get("small").size());
        assertEquals(2, result.responses().get("large").size());

        final Map<String, ConsumedCapacity> byTable = byTable(client.lastBatchConsumedCapacity());
        assertEquals(new ConsumedCapacity("small", 3.0, 3.0, 0.0), byTable.get("small"),
            "3 small items read strongly consistently: 3 x 1 RCU");
        assertEquals(new ConsumedCapacity("large", 2.5, 2.5, 0.0), byTable.get("large"),
            "2 large items eventually consistent: 2 x 2 blocks x 0.5; a miss: one block, 0.5");

        // a projection returns less but costs the whole item, as DynamoDB charges it
        client.batchGetItem(Map.of("large", List.of(Map.of("pk", s("large-0")))), Map.of("large", true),
            Map.of("large", "pk"), null);
        assertEquals(List.of(new ConsumedCapacity("large", 2.0, 2.0, 0.0)), client.lastBatchConsumedCapacity(),
            "2 blocks strongly consistent, the projection notwithstanding");
    }

    @Test
    void theListIsForgottenOnNoneAndAfterAFailedBatchAndCannotBeChanged()
    {
        client.returnConsumedCapacity(ReturnConsumedCapacity.TOTAL);
        client.batchWriteItem(writes(1, 0, 0));
        final List<ConsumedCapacity> reported = client.lastBatchConsumedCapacity();
        assertEquals(List.of(new ConsumedCapacity("small", 1.0, 0.0, 1.0)), reported);
        assertThrows(UnsupportedOperationException.class, () -> reported.add(reported.get(0)));
        client.putItem("small", small("after"));
        assertEquals(reported, client.lastBatchConsumedCapacity(), "an item operation leaves it");

        final FerriteException missing = assertThrows(FerriteException.class,
            () -> client.batchGetItem(Map.of("nosuchtable", List.of(Map.of("pk", s("k"))))));
        assertEquals(ErrorCode.ResourceNotFoundException, missing.code());
        assertEquals(List.of(), client.lastBatchConsumedCapacity(), "a failed batch consumed nothing it can report");

        client.batchWriteItem(writes(1, 0, 0));
        assertFalse(client.lastBatchConsumedCapacity().isEmpty());
        client.returnConsumedCapacity(ReturnConsumedCapacity.NONE);
        assertEquals(List.of(), client.lastBatchConsumedCapacity(), "NONE forgets it");

        // the mode is the async client's: set there, it counts for the blocking client's batches too
        client.async().returnConsumedCapacity(ReturnConsumedCapacity.INDEXES);
        client.batchWriteItem(writes(0, 1, 0));
        assertEquals(List.of(new ConsumedCapacity("large", 5.0, 0.0, 5.0)), client.lastBatchConsumedCapacity());
    }

    /** Puts of small-i (i < smalls) and large-i (i < larges), numbered from {@code from}. */
    private static Map<String, List<WriteRequest>> writes(final int smalls, final int larges, final int from)
    {
        final Map<String, List<WriteRequest>> writes = new LinkedHashMap<>();
        if (smalls > 0)
        {
            final List<WriteRequest> list = new ArrayList<>();
            for (int i = from; i < from + smalls; i++)
            {
                list.add(Ferrite.put(small("small-" + i)));
            }
            writes.put("small", list);
        }
        if (larges > 0)
        {
            final List<WriteRequest> list = new ArrayList<>();
            for (int i = from; i < from + larges; i++)
            {
                list.add(Ferrite.put(large("large-" + i)));
            }
            writes.put("large", list);
        }
        return writes;
    }

    private static Map<String, List<Map<String, AttributeValue>>> keys(final int smalls, final int larges, final int from)
    {
        final Map<String, List<Map<String, AttributeValue>>> keys = new LinkedHashMap<>();
        final List<Map<String, AttributeValue>> small = new ArrayList<>();
        for (int i = from; i < from + smalls; i++)
        {
            small.add(Map.of("pk", s("small-" + i)));
        }
        final List<Map<String, AttributeValue>> large = new ArrayList<>();
        for (int i = from; i < from + larges; i++)
        {
            large.add(Map.of("pk", s("large-" + i)));
        }
        keys.put("small", small);
        keys.put("large", large);
        return keys;
    }

    private static Map<String, AttributeValue> small(final String pk)
    {
        return Map.of("pk", s(pk), "payload", s(SMALL_PAYLOAD));
    }

    private static Map<String, AttributeValue> large(final String pk)
    {
        return Map.of("pk", s(pk), "payload", s(LARGE_PAYLOAD));
    }

    private static Map<String, ConsumedCapacity> byTable(final List<ConsumedCapacity> list)
    {
        final Map<String, ConsumedCapacity> byTable = new LinkedHashMap<>();
        for (final ConsumedCapacity capacity : list)
        {
            assertEquals(null, byTable.put(capacity.tableName(), capacity), "one entry per table: " + list);
        }
        return byTable;
    }

    /**
     * Sends a BatchWriteItem through the async client and reads the response's consumedCapacity group itself.
     */
    private Map<String, Long> rawBatchWriteCapacity(final Map<String, List<WriteRequest>> writes)
    {
        final byte[][] message = new byte[1][];
        final String[] failure = new String[1];
        final ResponseHandler handler = new ResponseHandler()
        {
            public void onResponse(final long requestId, final int templateId, final DirectBuffer buffer,
                final int offset, final int length)
            {
                message[0] = new byte[length];
                buffer.getBytes(offset, message[0]);
            }

            public void onError(final long requestId, final ErrorCode code, final String text)
            {
                failure[0] = code + ": " + text;
            }

            public void onFailure(final long requestId, final ClientFailure clientFailure, final String text)
            {
                failure[0] = clientFailure + ": " + text;
            }
        };
        final FerriteClient async = client.async();
        assertTrue(async.batchWriteItem(writes, handler) > 0, "sent");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (null == message[0] && null == failure[0] && System.nanoTime() < deadline)
        {
            if (0 == async.poll())
            {
                Thread.onSpinWait();
            }
        }
        assertEquals(null, failure[0]);
        assertTrue(null != message[0], "answered within 10 s");

        final UnsafeBuffer buffer = new UnsafeBuffer(message[0]);
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, 0);
        final BatchWriteItemResponseDecoder decoder = new BatchWriteItemResponseDecoder()
            .wrapAndApplyHeader(buffer, 0, header);
        for (final BatchWriteItemResponseDecoder.UnprocessedItemsDecoder table : decoder.unprocessedItems())
        {
            for (final BatchWriteItemResponseDecoder.UnprocessedItemsDecoder.WritesDecoder write : table.writes())
            {
                write.skipItemOrKey();
            }
            table.skipTableName();
        }
        final Map<String, Long> units = new LinkedHashMap<>();
        for (final BatchWriteItemResponseDecoder.ConsumedCapacityDecoder table : decoder.consumedCapacity())
        {
            final long writeUnits = table.writeUnits();
            units.put(table.tableName(), writeUnits);
        }
        return units;
    }
}
