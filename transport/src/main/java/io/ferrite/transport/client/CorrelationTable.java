package io.ferrite.transport.client;

/**
 * Maps an in-flight request's correlation id to the index of the slot that holds its state: a primitive
 * open-addressing hash table (linear probing, backward-shift deletion), so lookups, inserts and removes
 * neither box nor allocate.
 * <p>
 * Threading: not thread-safe; owned by the thread that polls the {@link FerriteClient}.
 * <p>
 * Layout: two parallel arrays of {@code capacity} entries, a power of two at least twice the most ids
 * held at once, so probe sequences stay short and an insert never needs to grow the table.
 * <pre>
 *   keys[i]   : correlation id, or 0 for an empty entry (correlation ids start at 1)
 *   values[i] : slot index
 * </pre>
 */
final class CorrelationTable
{
    /** Returned by {@link #get(long)} and {@link #remove(long)} for an id that is not in the table. */
    static final int MISSING = -1;

    private static final long EMPTY = 0;

    private final long[] keys;
    private final int[] values;
    private final int mask;
    private final int maxSize;
    private int size;

    /**
     * @param maxSize the most ids held at once.
     */
    CorrelationTable(final int maxSize)
    {
        if (maxSize < 1)
        {
            throw new IllegalArgumentException("maxSize must be at least 1: " + maxSize);
        }
        final int capacity = Integer.highestOneBit(Math.max(2, maxSize) * 2 - 1) << 1;
        keys = new long[capacity];
        values = new int[capacity];
        mask = capacity - 1;
        this.maxSize = maxSize;
    }

    /**
     * @param correlationId an id greater than 0, not already present.
     * @param slot          the slot index to map it to.
     * @throws IllegalStateException if the table already holds its maximum.
     */
    void put(final long correlationId, final int slot)
    {
        if (correlationId <= 0)
        {
            throw new IllegalArgumentException("correlation id must be positive: " + correlationId);
        }
        if (size == maxSize)
        {
            throw new IllegalStateException("correlation table full at " + maxSize + " ids");
        }
        int index = hash(correlationId);
        while (EMPTY != keys[index])
        {
            if (keys[index] == correlationId)
            {
                throw new IllegalStateException("correlation id already present: " + correlationId);
            }
            index = (index + 1) & mask;
        }
        keys[index] = correlationId;
        values[index] = slot;
        size++;
    }

    /**
     * @param correlationId the id.
     * @return its slot, or {@link #MISSING}.
     */
    int get(final long correlationId)
    {
        int index = hash(correlationId);
        long key;
        while (EMPTY != (key = keys[index]))
        {
            if (key == correlationId)
            {
                return values[index];
            }
            index = (index + 1) & mask;
        }
        return MISSING;
    }

    /**
     * @param correlationId the id.
     * @return the slot it mapped to, or {@link #MISSING} when it was not present.
     */
    int remove(final long correlationId)
    {
        int index = hash(correlationId);
        long key;
        while (EMPTY != (key = keys[index]))
        {
            if (key == correlationId)
            {
                final int slot = values[index];
                keys[index] = EMPTY;
                size--;
                compactChain(index);
                return slot;
            }
            index = (index + 1) & mask;
        }
        return MISSING;
    }

    /**
     * @return ids held now.
     */
    int size()
    {
        return size;
    }

    /**
     * Empties the table.
     */
    void clear()
    {
        java.util.Arrays.fill(keys, EMPTY);
        size = 0;
    }

    /**
     * Backward-shift deletion: moves each later entry of the probe chain into the hole when its home
     * position is not between the hole and itself, so lookups never need tombstones.
     */
    private void compactChain(final int deletedIndex)
    {
        int hole = deletedIndex;
        int index = (deletedIndex + 1) & mask;
        long key;
        while (EMPTY != (key = keys[index]))
        {
            final int home = hash(key);
            final boolean homeInRange = hole <= index ? (hole < home && home <= index) : (hole < home || home <= index);
            if (!homeInRange)
            {
                keys[hole] = key;
                values[hole] = values[index];
                keys[index] = EMPTY;
                hole = index;
            }
            index = (index + 1) & mask;
        }
    }

    private int hash(final long correlationId)
    {
        // Fibonacci hashing: sequential ids spread over the table.
        return (int)((correlationId * 0x9E3779B97F4A7C15L) >>> 40) & mask;
    }
}
