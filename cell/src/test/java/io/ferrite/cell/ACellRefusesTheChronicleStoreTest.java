package io.ferrite.cell;

import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.config.Settings;
import io.ferrite.engine.store.StoreKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Chronicle Map store is sized by entry count and average size, not by the partition's byte bound, so in a cell a
 * write within the bound could find it full on one member (a local failure) and not on another: a cell refuses it at
 * start, naming the setting, before it opens a store or joins the cluster.
 */
class ACellRefusesTheChronicleStoreTest
{
    @TempDir
    Path dir;

    private static final String MESSAGE = "ferrite.engine.store=chronicle is not supported in a cell";

    @Test
    void theStateRefusesIt()
    {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new CellState(
            new EngineConfig().dataDir(dir.resolve("c")).partitionMaxItems(1000).storeKind(StoreKind.CHRONICLE)));
        assertTrue(refused.getMessage().startsWith(MESSAGE) &&
            refused.getMessage().contains("ferrite.engine.partitionMaxBytes"), refused.getMessage());
        assertFalse(Files.exists(dir.resolve("c")), "nothing was opened");
    }

    @Test
    void aMemberRefusesItAtStart()
    {
        final CellLayout layout = new CellLayout(dir, 3, 20100);
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> CellMember.start(layout, 0, Settings.fromSystemProperties().set("ferrite.engine.store", "chronicle")));
        assertTrue(refused.getMessage().startsWith(MESSAGE), refused.getMessage());
        assertFalse(Files.exists(layout.memberDir(0).resolve("aeron")), "no driver was started");
    }
}
