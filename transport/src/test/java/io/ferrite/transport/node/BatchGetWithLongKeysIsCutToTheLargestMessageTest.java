package io.ferrite.transport.node;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.sbe.AttributeType;
import io.ferrite.codecs.sbe.ReturnValuesType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.ferrite.transport.node.RawSession.item;
import static io.ferrite.transport.node.RawSession.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A BatchGetItem whose items do not fit one message comes back cut, the rest as unprocessed keys, and the cut counts
 * those keys (2 KB each here) and the message's own bytes, not only the items: a shard's reply fits the reply ring's
 * largest message, the router's merged response fits the session's. Counting only items, the shard's reply ran past
 * the ring's largest message and its write threw (no answer, a request in flight for good), and so did the router's
 * offer of the merged response. A response that cannot fit even its unprocessed keys is a ValidationException saying
 * so, as a shard's too-large page is.
 */
class BatchGetWithLongKeysIsCutToTheLargestMessageTest
{
    /** Rings of 2 MiB: the reply ring's largest message is 256 KiB. */
    private static final int QUEUE_BYTES = 2 * 1024 * 1024;
    private static final int REPLY_RING_MAX_MESSAGE = QUEUE_BYTES / 8;
    /** A response channel of 1 MiB terms: its largest message is 128 KiB. */
    private static final String SMALL_TERMS = "aeron:ipc?term-length=1048576";
    private static final int SMALL_TERMS_MAX_MESSAGE = 1024 * 1024 / 8;

    private static NodeFixture fixture;
    private static final List<Map<String, AttributeValue>> KEYS = new ArrayList<>();

    @BeforeAll
    static void start()
    {
        fixture = new NodeFixture(1, config -> config.maxFrameBytes(240 * 1024).shardQueueBytes(QUEUE_BYTES)
            .engine().averageItemBytes(8 * 1024).partitionMaxItems(1024));
        final RawSession session = fixture.ipcSession().connect();
        ok(session.createTable("Tbl", "pk", AttributeType.S, null, null));
        final String value = "v".repeat(3000);
        for (int i = 0; i < 100; i++)
        {
            final String pk = String.format("%04d", i) + "k".repeat(1996);
            ok(session.putItem("Tbl", item("pk", pk, "v", value), ReturnValuesType.NONE));
            KEYS.add(item("pk", pk));
        }
    }

    @AfterAll
    static void stop()
    {
        fixture.close();
    }

    @Test
    void aShardReplyCountsTheUnprocessedKeysAgainstTheReplyRingsLargestMessage()
    {
        // 100 items of 5 KB do not fit 256 KiB; the 100 keys of 2 KB do, with some items
        final RawSession session = fixture.ipcSession().connect();
        final byte[] response = session.batchGet("Tbl", KEYS);
        assertCutAndComplete(response, KEYS.size(), REPLY_RING_MAX_MESSAGE);
        assertEquals(0, fixture.counter("requests in flight"));
    }

    @Test
    void theMergedResponseCountsTheUnprocessedKeysAgainstTheSessionsLargestMessage()
    {
        // the shard's reply holds all 50 items (250 KB); the session takes 128 KiB: the 50 keys (100 KB) and a few items
        try (RawSession session = new RawSession(fixture.aeron, fixture.node.ipcChannel(), fixture.node.requestStreamId(),
            SMALL_TERMS, 3101).connect())
        {
            final List<Map<String, AttributeValue>> keys = KEYS.subList(0, 50);
            final byte[] response = session.batchGet("Tbl", keys);
            assertCutAndComplete(response, keys.size(), SMALL_TERMS_MAX_MESSAGE);
            assertEquals(0, fixture.counter("requests in flight"));
        }
    }

    @Test
    void aResponseWhoseUnprocessedKeysAloneExceedTheSessionsLargestMessageIsAValidationError()
    {
        // terms of 64 KiB: an 8 KiB largest message, less than the 10 keys of 2 KB; the offer would throw
        try (RawSession session = new RawSession(fixture.aeron, fixture.node.ipcChannel(), fixture.node.requestStreamId(),
            "aeron:ipc?term-length=65536", 3102).connect())
        {
            final String error = RawSession.error(session.batchGet("Tbl", KEYS.subList(0, 10)));
            assertTrue(null != error && error.startsWith("ValidationException: The response of ") &&
                error.contains("exceeds the response stream's largest message of 8192 bytes"), error);
            assertEquals(0, fixture.counter("requests in flight"));
            ok(session.getItem("Tbl", KEYS.get(0)));
        }
    }

    private static void assertCutAndComplete(final byte[] response, final int requested, final int maxMessage)
    {
        final int[] unprocessed = new int[1];
        final List<Map<String, AttributeValue>> items = RawSession.batchGetItems(response, unprocessed);
        assertTrue(response.length <= maxMessage, "a response of " + response.length + " bytes, largest " + maxMessage);
        assertTrue(!items.isEmpty() && unprocessed[0] > 0, items.size() + " items, " + unprocessed[0] + " unprocessed");
        assertEquals(requested, items.size() + unprocessed[0]);
        final Set<AttributeValue> distinct = new HashSet<>();
        items.forEach(found -> distinct.add(found.get("pk")));
        assertEquals(items.size(), distinct.size());
    }
}
