package io.ferrite.cell;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayDeque;

/**
 * The answers to recent writes, by (client id, request id), so that a retried write is answered with its
 * original answer instead of being applied again. Bounded three times: at most {@code perClient} answers per client
 * (its oldest go first), {@code total} in all and {@code maxBytes} bytes of answers in all (the oldest of all go
 * first; the answer just recorded always stays, however long). Eviction depends only on the order of insertion, which
 * is log order, and on the answers' lengths, so every member holds the same table; it is part of the snapshot
 * and is written and read back in insertion order. The bounds must be the same on every member.
 * <p>
 * A retry that arrives after its answer was evicted is applied again: a client must not retry a write after
 * more than {@code perClient} newer writes of its own (the cell client retries one request at a time, well
 * inside that).
 * <p>
 * <b>Allocation:</b> entries (with their answer bytes) and per-client queues are pooled: an evicted entry is reused
 * for the next answer, and its byte array too when the answer fits. The table allocates while it grows towards its
 * bounds and for an answer longer than the reused entry's array; once a client has {@code perClient} answers (or the
 * table {@code total}, or {@code maxBytes}) every new answer evicts and allocates nothing. The arrays held, in use and
 * pooled, stay near {@code maxBytes}: past twice it an evicted entry's array is dropped rather than pooled, and an
 * answer much shorter than its entry's array gets an array of its own size. The index is a chained hash on the two
 * longs with a fixed bucket array. Service thread only.
 */
final class DedupeTable
{
    /** Visits an entry; {@code answer} holds {@code length} bytes and is the table's own (do not keep it). */
    @FunctionalInterface
    interface Visitor
    {
        void visit(long clientId, long requestId, byte[] answer, int length);
    }

    private static final int MIN_ANSWER_CAPACITY = 64;
    /** Pooled arrays larger than this are dropped on eviction rather than kept (a rare huge ReturnValues answer). */
    private static final int MAX_POOLED_ANSWER_CAPACITY = 64 * 1024;
    private static final byte[] NO_BYTES = new byte[0];

    private static final class Entry
    {
        long clientId;
        long requestId;
        byte[] answer = NO_BYTES;
        int length;
        Entry older;
        Entry newer;
        Entry nextOfClient;
        Entry nextInBucket;
    }

    private static final class ClientQueue
    {
        Entry head;
        Entry tail;
        int count;
    }

    private final int perClient;
    private final int total;
    private final long maxBytes;
    /** Bytes of the answers in the table (their lengths): what {@code maxBytes} bounds, the same on every member. */
    private long answerBytes;
    /** Bytes of the arrays held, in use and pooled (their capacities): this member's heap, kept near the bound. */
    private long heldBytes;
    private final Entry[] buckets;
    private final int mask;
    private final Long2ObjectHashMap<ClientQueue> byClient = new Long2ObjectHashMap<>();
    private final ArrayDeque<ClientQueue> freeQueues = new ArrayDeque<>();
    private Entry freeEntries;
    private Entry oldest;
    private Entry newest;
    private int size;

    DedupeTable(final int perClient, final int total, final long maxBytes)
    {
        if (perClient < 1 || total < 1 || maxBytes < 1)
        {
            throw new IllegalArgumentException("dedupe bounds must be positive: perClient=" + perClient + " total=" +
                total + " maxBytes=" + maxBytes);
        }
        this.perClient = perClient;
        this.total = total;
        this.maxBytes = maxBytes;
        final int bucketCount = Integer.highestOneBit(Math.min(Math.max(16, total), 1 << 20) * 2 - 1);
        buckets = new Entry[bucketCount];
        mask = bucketCount - 1;
    }

    private int bucket(final long clientId, final long requestId)
    {
        long h = clientId * 0x9E3779B97F4A7C15L + requestId;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return (int)h & mask;
    }

    private Entry lookup(final long clientId, final long requestId)
    {
        for (Entry e = buckets[bucket(clientId, requestId)]; null != e; e = e.nextInBucket)
        {
            if (e.clientId == clientId && e.requestId == requestId)
            {
                return e;
            }
        }
        return null;
    }

    /**
     * Copies the answer recorded for this request into {@code target} at {@code targetOffset}.
     *
     * @return its length, or -1 when there is none.
     */
    int find(final long clientId, final long requestId, final MutableDirectBuffer target, final int targetOffset)
    {
        final Entry e = lookup(clientId, requestId);
        if (null == e)
        {
            return -1;
        }
        target.putBytes(targetOffset, e.answer, 0, e.length);
        return e.length;
    }

    /**
     * @return true when an answer is recorded for this request.
     */
    boolean contains(final long clientId, final long requestId)
    {
        return null != lookup(clientId, requestId);
    }

    /**
     * Records the answer to a request applied now (copied).
     */
    void record(final long clientId, final long requestId, final DirectBuffer answer, final int offset, final int length)
    {
        final Entry existing = lookup(clientId, requestId);
        if (null != existing)
        {
            copy(existing, answer, offset, length); // a key already present keeps its place, as a map's put would
            evictPastMaxBytes(existing);
            return;
        }
        final Entry e = newEntry();
        e.clientId = clientId;
        e.requestId = requestId;
        copy(e, answer, offset, length);

        final int b = bucket(clientId, requestId);
        e.nextInBucket = buckets[b];
        buckets[b] = e;
        e.older = newest;
        e.newer = null;
        if (null == newest)
        {
            oldest = e;
        }
        else
        {
            newest.newer = e;
        }
        newest = e;
        size++;

        ClientQueue queue = byClient.get(clientId);
        if (null == queue)
        {
            queue = freeQueues.isEmpty() ? new ClientQueue() : freeQueues.pollFirst();
            byClient.put(clientId, queue);
        }
        e.nextOfClient = null;
        if (null == queue.tail)
        {
            queue.head = e;
        }
        else
        {
            queue.tail.nextOfClient = e;
        }
        queue.tail = e;
        queue.count++;

        if (queue.count > perClient)
        {
            remove(queue.head, queue);
        }
        if (size > total)
        {
            final Entry eldest = oldest;
            remove(eldest, byClient.get(eldest.clientId)); // the head of its client's queue: a client's are in global order
        }
        evictPastMaxBytes(e);
    }

    /**
     * Evicts the oldest answers while the table holds more than {@code maxBytes} of them, keeping {@code kept} (the
     * answer just recorded).
     */
    private void evictPastMaxBytes(final Entry kept)
    {
        while (answerBytes > maxBytes && oldest != kept)
        {
            final Entry eldest = oldest;
            remove(eldest, byClient.get(eldest.clientId));
        }
    }

    /**
     * Adds an entry read from a snapshot (in the order they were written).
     */
    void restore(final long clientId, final long requestId, final DirectBuffer answer, final int offset, final int length)
    {
        record(clientId, requestId, answer, offset, length);
    }

    private void copy(final Entry e, final DirectBuffer answer, final int offset, final int length)
    {
        final int capacity = e.answer.length;
        if (capacity < length ||
            (heldBytes > 2 * maxBytes && capacity > MIN_ANSWER_CAPACITY && capacity > 2L * length))
        {
            // too short; or, while the arrays held are past twice the bound, much longer than this answer
            e.answer = new byte[Math.max(MIN_ANSWER_CAPACITY, length)];
            heldBytes += e.answer.length - capacity;
        }
        answer.getBytes(offset, e.answer, 0, length);
        answerBytes += length - e.length;
        e.length = length;
    }

    private Entry newEntry()
    {
        final Entry e = freeEntries;
        if (null == e)
        {
            return new Entry();
        }
        freeEntries = e.nextOfClient;
        e.nextOfClient = null;
        return e;
    }

    /**
     * Removes the head of {@code queue} (which is {@code e}) from the queue, the global order and the index.
     */
    private void remove(final Entry e, final ClientQueue queue)
    {
        queue.head = e.nextOfClient;
        if (null == queue.head)
        {
            queue.tail = null;
        }
        queue.count--;
        if (0 == queue.count)
        {
            byClient.remove(e.clientId);
            freeQueues.addFirst(queue);
        }

        if (null == e.older)
        {
            oldest = e.newer;
        }
        else
        {
            e.older.newer = e.newer;
        }
        if (null == e.newer)
        {
            newest = e.older;
        }
        else
        {
            e.newer.older = e.older;
        }

        final int b = bucket(e.clientId, e.requestId);
        Entry previous = null;
        for (Entry at = buckets[b]; null != at; previous = at, at = at.nextInBucket)
        {
            if (at == e)
            {
                if (null == previous)
                {
                    buckets[b] = e.nextInBucket;
                }
                else
                {
                    previous.nextInBucket = e.nextInBucket;
                }
                break;
            }
        }
        size--;

        e.older = null;
        e.newer = null;
        e.nextInBucket = null;
        answerBytes -= e.length;
        e.length = 0;
        if (e.answer.length > MAX_POOLED_ANSWER_CAPACITY || heldBytes > 2 * maxBytes)
        {
            heldBytes -= e.answer.length;
            e.answer = NO_BYTES;
        }
        e.nextOfClient = freeEntries;
        freeEntries = e;
    }

    int size()
    {
        return size;
    }

    int clients()
    {
        return byClient.size();
    }

    /**
     * @return the bytes of the answers in the table (what {@code maxBytes} bounds).
     */
    long answerBytes()
    {
        return answerBytes;
    }

    /**
     * @return the bytes of the arrays the table holds, in use and pooled.
     */
    long heldBytes()
    {
        return heldBytes;
    }

    /**
     * Visits every entry in insertion order (oldest first), e.g. to write a snapshot.
     */
    void forEach(final Visitor visitor)
    {
        for (Entry e = oldest; null != e; e = e.newer)
        {
            visitor.visit(e.clientId, e.requestId, e.answer, e.length);
        }
    }

    void clear()
    {
        while (null != oldest)
        {
            remove(oldest, byClient.get(oldest.clientId));
        }
    }
}
