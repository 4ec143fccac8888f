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

/**
 * The pooled dedupe table against a plain model of its rules (a client's oldest answers go past {@code perClient}, the
 * oldest of all past {@code total}, insertion order kept for the snapshot): seeded random records, lookups and a
 * snapshot-style copy, which must evict exactly as the original.
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
        final LinkedHashMap<Key, byte[]> answers = new LinkedHashMap<>();
        final Map<Long, ArrayDeque<Key>> byClient = new HashMap<>();

        Model(final int perClient, final int total)
        {
            this.perClient = perClient;
            this.total = total;
        }

        void record(final Key key, final byte[] answer)
        {
            if (null != answers.put(key, answer))
            {
                return;
            }
            final ArrayDeque<Key> keys = byClient.computeIfAbsent(key.clientId(), k -> new ArrayDeque<>());
            keys.addLast(key);
            if (keys.size() > perClient)
            {
                answers.remove(keys.removeFirst());
            }
            if (answers.size() > total)
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
        }
    }

    @RepeatedTest(20)
    void evictsAndFindsAsTheRulesSay(final RepetitionInfo repetition)
    {
        final SplittableRandom random = new SplittableRandom(repetition.getCurrentRepetition());
        final int perClient = 1 + random.nextInt(8);
        final int total = 1 + random.nextInt(40);
        final int clients = 1 + random.nextInt(6);
        final DedupeTable table = new DedupeTable(perClient, total);
        final Model model = new Model(perClient, total);
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
        final DedupeTable restored = new DedupeTable(perClient, total);
        for (int i = 0; i < order.size(); i++)
        {
            restored.restore(order.get(i).clientId(), order.get(i).requestId(), new UnsafeBuffer(answers.get(i)), 0,
                answers.get(i).length);
            assertArrayEquals(model.answers.get(order.get(i)), answers.get(i));
        }
        assertEquals(table.size(), restored.size());
        assertEquals(table.clients(), restored.clients());

        table.clear();
        assertEquals(0, table.size());
        assertEquals(0, table.clients());
        assertEquals(-1, table.find(100, 0, target, 0));
    }

    @Test
    void refusesBoundsBelowOne()
    {
        assertThrows(IllegalArgumentException.class, () -> new DedupeTable(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new DedupeTable(10, 0));
    }
}
