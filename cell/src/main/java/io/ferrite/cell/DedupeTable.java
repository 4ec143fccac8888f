package io.ferrite.cell;

import org.agrona.DirectBuffer;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The answers to recent writes, by (client id, request id), so that a retried write is answered with its
 * original answer instead of being applied again. Bounded twice: at most {@code perClient} answers per client
 * (its oldest go first) and {@code total} in all (the oldest of all go first). Eviction depends only on the
 * order of insertion, which is log order, so every member holds the same table; it is part of the snapshot
 * and is written and read back in insertion order.
 * <p>
 * A retry that arrives after its answer was evicted is applied again: a client must not retry a write after
 * more than {@code perClient} newer writes of its own (the cell client retries one request at a time, well
 * inside that). Service thread only. Allocates per entry (keys and copies of answers).
 */
final class DedupeTable
{
    record Key(long clientId, long requestId)
    {
    }

    private final int perClient;
    private final int total;
    private final LinkedHashMap<Key, byte[]> answers = new LinkedHashMap<>();
    private final Map<Long, ArrayDeque<Key>> byClient = new HashMap<>();

    DedupeTable(final int perClient, final int total)
    {
        if (perClient < 1 || total < 1)
        {
            throw new IllegalArgumentException("dedupe bounds must be positive: perClient=" + perClient + " total=" + total);
        }
        this.perClient = perClient;
        this.total = total;
    }

    /**
     * @return the answer recorded for this request, or null.
     */
    byte[] find(final long clientId, final long requestId)
    {
        return answers.get(new Key(clientId, requestId));
    }

    /**
     * Records the answer to a request applied now (copied).
     */
    void record(final long clientId, final long requestId, final DirectBuffer answer, final int offset, final int length)
    {
        final byte[] copy = new byte[length];
        answer.getBytes(offset, copy);
        put(new Key(clientId, requestId), copy);
    }

    private void put(final Key key, final byte[] answer)
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
            ofClient.remove(eldest); // the head: a client's keys are in global order
            if (ofClient.isEmpty())
            {
                byClient.remove(eldest.clientId());
            }
        }
    }

    int size()
    {
        return answers.size();
    }

    int clients()
    {
        return byClient.size();
    }

    /**
     * Visits every entry in insertion order (oldest first), e.g. to write a snapshot.
     */
    void forEach(final Consumer<Map.Entry<Key, byte[]>> visitor)
    {
        answers.entrySet().forEach(visitor);
    }

    /**
     * Adds an entry read from a snapshot (in the order they were written).
     */
    void restore(final long clientId, final long requestId, final byte[] answer)
    {
        put(new Key(clientId, requestId), answer);
    }

    void clear()
    {
        answers.clear();
        byClient.clear();
    }
}
