package io.ferrite.tools.chaos.history;

import io.ferrite.tools.chaos.history.RegisterOp.Kind;
import io.ferrite.tools.chaos.history.RegisterOp.Outcome;

import java.util.List;
import java.util.Map;

/**
 * One client thread's part of a history: operations recorded into arrays allocated up front (no allocation, no
 * lock per operation), read back into {@link RegisterOp}s after the thread is done.
 * <p>
 * <b>Threading:</b> one thread records; another may read it ({@link #addTo}) only after that thread finished
 * (e.g. after {@link Thread#join()}, which orders the recording before the reading).
 */
public final class OpRecorder
{
    private static final Kind[] KINDS = Kind.values();
    private static final Outcome[] OUTCOMES = Outcome.values();

    private final int firstId;
    private final int[] key;
    private final byte[] kind;
    private final long[] expected;
    private final long[] value;
    private final long[] invokeNs;
    private final long[] completeNs;
    private final byte[] outcome;
    private int size;

    /**
     * @param firstId  the id of this recorder's first operation (ids must not overlap between recorders).
     * @param capacity the most operations it records.
     */
    public OpRecorder(final int firstId, final int capacity)
    {
        this.firstId = firstId;
        key = new int[capacity];
        kind = new byte[capacity];
        expected = new long[capacity];
        value = new long[capacity];
        invokeNs = new long[capacity];
        completeNs = new long[capacity];
        outcome = new byte[capacity];
    }

    /**
     * @return true when no more operations fit.
     */
    public boolean full()
    {
        return size == key.length;
    }

    /**
     * @return operations recorded.
     */
    public int size()
    {
        return size;
    }

    /**
     * Records one operation (the caller checked {@link #full()}).
     *
     * @param keyIndex   the key.
     * @param opKind     what it did.
     * @param opExpected a conditional write's expected value.
     * @param opValue    the value written or read.
     * @param invoke     when it was sent.
     * @param complete   when it was answered.
     * @param opOutcome  what the client heard.
     * @return the operation's id.
     */
    public int record(final int keyIndex, final Kind opKind, final long opExpected, final long opValue,
        final long invoke, final long complete, final Outcome opOutcome)
    {
        final int i = size++;
        key[i] = keyIndex;
        kind[i] = (byte)opKind.ordinal();
        expected[i] = opExpected;
        value[i] = opValue;
        invokeNs[i] = invoke;
        completeNs[i] = complete;
        outcome[i] = (byte)opOutcome.ordinal();
        return firstId + i;
    }

    /**
     * Adds the recorded operations to per-key lists.
     *
     * @param keyNames the name of each key index.
     * @param opsByKey receives them.
     */
    public void addTo(final List<String> keyNames, final Map<String, List<RegisterOp>> opsByKey)
    {
        for (int i = 0; i < size; i++)
        {
            opsByKey.computeIfAbsent(keyNames.get(key[i]), k -> new java.util.ArrayList<>()).add(new RegisterOp(
                firstId + i, KINDS[kind[i]], expected[i], value[i], invokeNs[i], completeNs[i], OUTCOMES[outcome[i]]));
        }
    }

    /**
     * @param i an operation's index in this recorder.
     * @return when it was sent.
     */
    public long invokedAt(final int i)
    {
        return invokeNs[i];
    }

    /**
     * @param i an operation's index in this recorder.
     * @return its completion time when answered successfully, else -1.
     */
    public long answeredAt(final int i)
    {
        final Outcome o = OUTCOMES[outcome[i]];
        return Outcome.OK == o || Outcome.CONDITION_FAILED == o ? completeNs[i] : -1;
    }
}
