package io.ferrite.engine.table;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replica restoring another directory's tables keeps their ids, refuses an id already taken, and keeps the next id.
 */
class CatalogRestoredIdsTest
{
    @TempDir
    Path dir;

    @Test
    void restoredIdsAndTheNextIdArePersistedAndATakenIdIsRefused()
    {
        final Catalog catalog = Catalog.load(dir);
        catalog.restoreNextTableId(9);
        catalog.addWithId(7, TableSpec.of("b").partitionKey("pk", KeyType.S), TableDefinition.evenPartitions(1), 1);
        catalog.addWithId(3, TableSpec.of("a").partitionKey("pk", KeyType.S), TableDefinition.evenPartitions(1), 1);

        final IllegalArgumentException taken = assertThrows(IllegalArgumentException.class, () -> catalog.addWithId(
            7, TableSpec.of("c").partitionKey("pk", KeyType.S), TableDefinition.evenPartitions(1), 1));
        assertTrue(taken.getMessage().contains("table id 7 of c is already used by b"), taken.getMessage());
        final IllegalArgumentException low = assertThrows(IllegalArgumentException.class,
            () -> catalog.restoreNextTableId(7));
        assertTrue(low.getMessage().contains("not above the id 7 of b"), low.getMessage());

        final Catalog reloaded = Catalog.load(dir);
        assertEquals(9, reloaded.nextTableId());
        assertEquals(3, reloaded.find("a").tableId());
        assertEquals(7, reloaded.find("b").tableId());
        assertEquals(9, reloaded.add(TableSpec.of("d").partitionKey("pk", KeyType.S),
            TableDefinition.evenPartitions(1), 1).tableId());
    }
}
