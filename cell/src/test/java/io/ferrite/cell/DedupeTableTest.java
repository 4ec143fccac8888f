package io.ferrite.cell;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pooled dedupe table against a plain model of its rules (a client's oldest answers go past {@code perClient}, the
 * oldest of all past {@code total} and past {@code maxBytes} of answers, keeping the one just recorded; insertion order
 * kept for the snapshot): seeded random records, lookups and a snapshot-style copy, which must evict exactly as the
 * original.
 */
class DedupeTableTest
{
    private record Key(long clientId, long requestId)
    {
    }

    /** The rules, written the obvious way. */
    private static final class Model
    {
        final int perClient;
        final int total;
        final long maxBytes;
        final LinkedHashMap<Key, byte[]> answers = new LinkedHashMap<>();
        final Map<Long, ArrayDeque<Key>> byClient = new HashMap<>();

        Model(final int perClient, final int total, final long maxBytes)
        {
            this.perClient = perClient;
            this.total = total;
            this.maxBytes = maxBytes;
        }

        long bytes()
        {
            return answers.values().stream().mapToLong(a -> a.length).sum();
        }

        void record(final Key key, final byte[] answer)
        {
            if (null == answers.put(key, answer))
            {
                recordNew(key);
            }
            while (bytes() > maxBytes && !answers.keySet().iterator().next().equals(key))
            {
                removeEldest();
            }
        }

        private void removeEldest()
        {
            final Key eldest = answers.keySet().iterator().next();
            answers.remove(eldest);
            final ArrayDeque<Key> ofClient = byClient.get(eldest.clientId());
            ofClient.remove(eldest);
            if (ofClient.isEmpty())
            {
                byClient.remove(eldest.clientId());
            }
        }

        private void recordNew(final Key key)
        {
            final ArrayDeque<Key> keys = byClient.computeIfAbsent(key.clientId(), k -> new ArrayDeque<>());
            keys.addLast(key);
            if (keys.size() > perClient)
            {
                answers.remove(keys.removeFirst());
            }
            if (answers.size() > total)
            {
                removeEldest();
            }
        }
    }

    @RepeatedTest(20)
    void evictsAndFindsAsTheRulesSay(final RepetitionInfo repetition)
    {
        final SplittableRandom random = new SplittableRandom(repetition.getCurrentRepetition());
        final int perClient = 1 + random.nextInt(8);
        final int total = 1 + random.nextInt(40);
        final int clients = 1 + random.nextInt(6);
        // half the runs with a byte bound that binds (answers are 0 to 199 bytes)
        final long maxBytes = random.nextBoolean() ? 1 + random.nextInt(3_000) : Long.MAX_VALUE;
        final DedupeTable table = new DedupeTable(perClient, total, maxBytes);
        final Model model = new Model(perClient, total, maxBytes);
        final long[] nextRequest = new long[clients];
        final UnsafeBuffer target = new UnsafeBuffer(new byte[1024]);

        for (int step = 0; step < 2_000; step++)
        {
            final int client = random.nextInt(clients);
            final long requestId = random.nextInt(4) == 0 && nextRequest[client] > 0 ?
                random.nextLong(nextRequest[client]) : nextRequest[client]++; // sometimes a key seen before
            final Key key = new Key(100 + client, requestId);
            final byte[] answer = new byte[random.nextInt(200)];
            random.nextBytes(answer);
            table.record(key.clientId(), key.requestId(), new UnsafeBuffer(answer), 0, answer.length);
            model.record(key, answer);

            assertEquals(model.answers.size(), table.size(), "size at step " + step);
            assertEquals(model.bytes(), table.answerBytes(), "answer bytes at step " + step);
            assertEquals(model.byClient.size(), table.clients(), "clients at step " + step);
            for (int c = 0; c < clients; c++)
            {
                for (long r = Math.max(0, nextRequest[c] - perClient - 2); r < nextRequest[c]; r++)
                {
                    final byte[] expected = model.answers.get(new Key(100 + c, r));
                    final int length = table.find(100 + c, r, target, 0);
                    if (null == expected)
                    {
                        assertEquals(-1, length, "client " + c + " request " + r + " at step " + step);
                    }
                    else
                    {
                        final byte[] found = new byte[length];
                        target.getBytes(0, found);
                        assertArrayEquals(expected, found, "client " + c + " request " + r + " at step " + step);
                    }
                }
            }
        }

        // a snapshot: the entries in insertion order, restored into a fresh table, give the same table
        final List<Key> order = new ArrayList<>();
        final List<byte[]> answers = new ArrayList<>();
        table.forEach((clientId, requestId, answer, length) ->
        {
            order.add(new Key(clientId, requestId));
            answers.add(Arrays.copyOf(answer, length));
        });
        assertEquals(new ArrayList<>(model.answers.keySet()), order);
        final DedupeTable restored = new DedupeTable(perClient, total, maxBytes);
        for (int i = 0; i < order.size(); i++)
        {
            restored.restore(order.get(i).clientId(), order.get(i).requestId(), new UnsafeBuffer(answers.get(i)), 0,
                answers.get(i).length);
            assertArrayEquals(model.answers.get(order.get(i)), answers.get(i));
        }
        assertEquals(table.size(), restored.size());
        assertEquals(table.clients(), restored.clients());
        assertEquals(table.answerBytes(), restored.answerBytes());
        final List<Key> restoredOrder = new ArrayList<>();
        restored.forEach((clientId, requestId, answer, length) -> restoredOrder.add(new Key(clientId, requestId)));
        assertEquals(order, restoredOrder, "a restored table holds the same entries in the same order");

        table.clear();
        assertEquals(0, table.size());
        assertEquals(0, table.clients());
        assertEquals(-1, table.find(100, 0, target, 0));
    }

    @Test
    void theByteBoundEvictsTheOldestAnswersAndKeepsTheNewestHoweverLong()
    {
        final DedupeTable table = new DedupeTable(4096, 262_144, 10_000);
        final UnsafeBuffer answer = new UnsafeBuffer(new byte[64 * 1024]);
        for (int r = 0; r < 10; r++)
        {
            table.record(1 + r % 2, r, answer, 0, 1_000); // two clients, interleaved: 10,000 bytes, at the bound
        }
        assertEquals(10, table.size());
        table.record(3, 0, answer, 0, 2_500); // evicts the three oldest (3,000 bytes), whichever client's
        assertEquals(8, table.size());
        for (int r = 0; r < 3; r++)
        {
            assertEquals(-1, table.find(1 + r % 2, r, answer, 0), "request " + r + " was among the oldest");
        }
        assertEquals(1_000, table.find(2, 3, answer, 0));
        assertEquals(9_500, table.answerBytes());

        table.record(4, 0, answer, 0, 40_000); // longer than the bound: kept, alone
        assertEquals(1, table.size());
        assertEquals(40_000, table.find(4, 0, answer, 0));
        table.record(4, 1, answer, 0, 100);
        assertEquals(1, table.size(), "the long answer is the oldest and goes");
        assertEquals(100, table.answerBytes());
    }

    @Test
    void aTableAtItsByteBoundRecordsWithoutAllocating()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final DedupeTable table = new DedupeTable(4096, 262_144, 256 * 1024);
        final UnsafeBuffer answer = new UnsafeBuffer(new byte[8 * 1024]);
        long requestId = 0;
        for (int warm = 0; warm < 20; warm++)
        {
            for (int i = 0; i < 10_000; i++)
            {
                table.record(1 + i % 3, requestId++, answer, 0, 100 + (i * 37) % 2_000);
            }
        }
        // answers of one length (a longer answer than a pooled entry's array allocates one, as without the bound)
        for (int i = 0; i < 10_000; i++)
        {
            table.record(1 + i % 3, requestId++, answer, 0, 1_500);
        }
        final long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int i = 0; i < 10_000; i++)
        {
            table.record(1 + i % 3, requestId++, answer, 0, 1_500);
        }
        final long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertEquals(0, allocated, "bytes allocated by 10,000 records at the byte bound");
        assertTrue(table.answerBytes() <= 256 * 1024, "answer bytes " + table.answerBytes());
        assertTrue(table.heldBytes() <= 2 * 256 * 1024 + 8 * 1024, "arrays held " + table.heldBytes());
    }

    @Test
    void refusesBoundsBelowOne()
    {
        assertThrows(IllegalArgumentException.class, () -> new DedupeTable(0, 10, 100));
        assertThrows(IllegalArgumentException.class, () -> new DedupeTable(10, 0, 100));
        assertThrows(IllegalArgumentException.class, () -> new DedupeTable(10, 10, 0));
    }
}
