package io.ferrite.transport.client;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The correlation table must agree with a plain HashMap through any mix of inserts and removes,
 * including the out-of-order completions and wrap-around probe chains that backward-shift deletion must
 * get right.
 */
class CorrelationTableTest
{
    @RepeatedTest(20)
    void agreesWithAHashMapUnderRandomOutOfOrderCompletion(final RepetitionInfo repetition)
    {
        final SplittableRandom random = new SplittableRandom(repetition.getCurrentRepetition() * 7919L);
        final int maxSize = 1 + random.nextInt(300);
        final CorrelationTable table = new CorrelationTable(maxSize);
        final Map<Long, Integer> reference = new HashMap<>();
        final List<Long> live = new ArrayList<>();
        long nextId = 1 + random.nextInt(1000);

        for (int step = 0; step < 20_000; step++)
        {
            if (live.size() < maxSize && (live.isEmpty() || random.nextInt(100) < 55))
            {
                final long id = nextId;
                nextId += 1 + (random.nextInt(10) == 0 ? random.nextInt(1 << 20) : 0);
                final int slot = random.nextInt(maxSize);
                table.put(id, slot);
                reference.put(id, slot);
                live.add(id);
            }
            else
            {
                final long id = live.remove(random.nextInt(live.size()));
                assertEquals(reference.remove(id).intValue(), table.remove(id), "remove " + id);
            }
            if (0 == step % 97)
            {
                for (final Map.Entry<Long, Integer> entry : reference.entrySet())
                {
                    assertEquals(entry.getValue().intValue(), table.get(entry.getKey()), "get " + entry.getKey());
                }
                assertEquals(CorrelationTable.MISSING, table.get(nextId + 5));
            }
            assertEquals(reference.size(), table.size());
        }
    }

    @Test
    void refusesMoreThanItsMaximumAndDuplicateIds()
    {
        final CorrelationTable table = new CorrelationTable(2);
        table.put(1, 0);
        assertThrows(IllegalStateException.class, () -> table.put(1, 1));
        table.put(2, 1);
        assertThrows(IllegalStateException.class, () -> table.put(3, 2));
        assertEquals(0, table.remove(1));
        assertEquals(CorrelationTable.MISSING, table.remove(1));
        table.put(3, 0);
        assertEquals(0, table.get(3));
        assertThrows(IllegalArgumentException.class, () -> table.put(0, 0));
    }
}
