package io.ferrite.engine.queued;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The name registry behind {@link ShardClient#tableId}: one id per name for good, and a refusal that says why once
 * {@link TableRegistry#MAX_NAMES} names are registered, while the names already registered keep working.
 */
class TableRegistryTest
{
    @Test
    void aNameKeepsItsIdAndTheFirstNamePastTheBoundIsRefusedWithTheBound()
    {
        final TableRegistry registry = new TableRegistry();
        final Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < TableRegistry.MAX_NAMES; i++)
        {
            final int id = registry.register("t" + i);
            assertTrue(ids.add(id), "a new id for each name");
            assertEquals("t" + i, registry.name(id));
        }
        assertEquals(registry.register("t17"), registry.register("t17"), "a registered name keeps its id");

        final IllegalStateException refused =
            assertThrows(IllegalStateException.class, () -> registry.register("one-too-many"));
        assertEquals("cannot register table name one-too-many: a queued shard registers at most 4096 distinct table " +
            "names in its life and has them all (ids are never reused, since a caller may still hold one); keep one " +
            "id per name", refused.getMessage());
        assertThrows(IllegalStateException.class, () -> registry.register("another"), "still refused");
        assertEquals("t4095", registry.name(registry.register("t4095")), "registered names still answer");
        assertNull(registry.name(TableRegistry.MAX_NAMES));
        assertNull(registry.name(-1));
    }
}
