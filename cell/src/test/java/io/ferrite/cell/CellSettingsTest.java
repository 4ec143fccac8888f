package io.ferrite.cell;

import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.store.StoreFolios;
import io.ferrite.engine.store.StoreMemory;
import io.ferrite.engine.store.StoreKind;
import io.ferrite.engine.wal.FsyncPolicy;
import io.ferrite.engine.wal.PretouchMethod;
import io.ferrite.engine.wal.PretouchReadAhead;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which settings the cell's settings fingerprint holds (those that decide outcomes of the log) and which it leaves out
 * (local durability and speed), and what a member does with a SETTINGS message: the first recorded, a differing member
 * stopped naming the setting, the record kept by a snapshot.
 */
class CellSettingsTest
{
    @TempDir
    Path dir;

    private static EngineConfig base()
    {
        return new EngineConfig().dataDir(Path.of("a")).partitionMaxItems(1000).averageItemBytes(128);
    }

    private static CellSettings of(final EngineConfig config)
    {
        return CellSettings.of(config, 4096, 262_144, 64L << 20);
    }

    @Test
    void holdsExactlyTheOutcomeDecidingSettings()
    {
        assertEquals(Set.of(CellSettings.PARTITION_MAX_ITEMS, CellSettings.PARTITION_MAX_BYTES,
            CellSettings.INITIAL_PARTITIONS, CellSettings.DEDUPE_MAX_BYTES, CellSettings.DEDUPE_PER_CLIENT,
            CellSettings.DEDUPE_TOTAL), of(base()).values().keySet());
    }

    @Test
    void everyOutcomeDecidingSettingChangesTheFingerprintAndIsNamed()
    {
        final CellSettings reference = of(base());
        final List<Object[]> changes = new ArrayList<>();
        changes.add(new Object[] { of(base().partitionMaxItems(1001)), CellSettings.PARTITION_MAX_ITEMS });
        changes.add(new Object[] { of(base().partitionMaxBytes(1_000_000)), CellSettings.PARTITION_MAX_BYTES });
        // the averages count through the byte bound they derive, when it is not set
        changes.add(new Object[] { of(base().averageItemBytes(129)), CellSettings.PARTITION_MAX_BYTES });
        changes.add(new Object[] { of(base().averageKeyBytes(49)), CellSettings.PARTITION_MAX_BYTES });
        changes.add(new Object[] { of(base().initialPartitions(2)), CellSettings.INITIAL_PARTITIONS });
        changes.add(new Object[] { CellSettings.of(base(), 4096, 262_144, 32L << 20), CellSettings.DEDUPE_MAX_BYTES });
        changes.add(new Object[] { CellSettings.of(base(), 4095, 262_144, 64L << 20), CellSettings.DEDUPE_PER_CLIENT });
        changes.add(new Object[] { CellSettings.of(base(), 4096, 262_143, 64L << 20), CellSettings.DEDUPE_TOTAL });
        for (final Object[] change : changes)
        {
            final CellSettings changed = (CellSettings)change[0];
            assertNotEquals(reference.fingerprint(), changed.fingerprint(), changed.toString());
            final List<String> differences = changed.differences(reference);
            // the item bound also derives the byte bound (unset here), so it may name both
            assertTrue(differences.stream().anyMatch(line -> line.startsWith(change[1] + ": here ")),
                differences.toString());
            assertTrue(differences.size() <= 2, differences.toString());
        }
    }

    @Test
    void localSettingsAreLeftOut()
    {
        final long reference = of(base()).fingerprint();
        final EngineConfig local = base()
            .dataDir(Path.of("elsewhere"))
            .fsyncPolicy(FsyncPolicy.EVERY_WRITE)
            .fsyncBatchIntervalNs(123_000)
            .fsyncBatchMaxRecords(7)
            .walPretouchAheadBytes(0)
            .walPretouchReadAhead(PretouchReadAhead.ON)
            .walPretouchMethod(PretouchMethod.READ)
            .storeFolios(StoreFolios.SMALL)
            .storeMemory(StoreMemory.MAPPED)
            .checkpointIntervalRecords(5)
            .checkpointIntervalNs(1_000_000)
            .commandQueueBytes(1 << 16)
            .minFreeDiskBytes(1)
            .minAvailableMemoryBytes(1)
            .replica(true)
            .storeKind(StoreKind.CHRONICLE); // refused in a cell anyway (CellState.requireHashStore)
        assertEquals(reference, of(local).fingerprint());
        // the averages do not count once the byte bound is set: they only size the store then
        assertEquals(of(base().partitionMaxBytes(5_000_000)).fingerprint(),
            of(base().partitionMaxBytes(5_000_000).averageItemBytes(4000).averageKeyBytes(200)).fingerprint());
    }

    /**
     * A setting added to the engine later must be put on one side or the other: this names every field of
     * EngineConfig that neither list holds.
     */
    @Test
    void everyEngineSettingIsDecidedInOrOut()
    {
        final Set<String> in = Set.of("partitionMaxItems", "partitionMaxBytes", "initialPartitions",
            "averageItemBytes", "averageKeyBytes"); // the averages through the derived byte bound
        final Set<String> out = Set.of("dataDir", "fsyncPolicy", "storeKind", "fsyncBatchIntervalNs",
            "fsyncBatchMaxRecords", "walPretouchAheadBytes", "walPretouchReadAhead", "walPretouchMethod",
            "storeFolios", "storeMemory", "replica", "checkpointIntervalRecords", "checkpointIntervalNs", "commandQueueBytes", "minFreeDiskBytes",
            "minAvailableMemoryBytes");
        final List<String> undecided = new ArrayList<>();
        for (final java.lang.reflect.Field field : EngineConfig.class.getDeclaredFields())
        {
            if (!java.lang.reflect.Modifier.isStatic(field.getModifiers()) && !in.contains(field.getName()) &&
                !out.contains(field.getName()))
            {
                undecided.add(field.getName());
            }
        }
        assertEquals(List.of(), undecided, "EngineConfig fields neither in the cell's settings fingerprint nor " +
            "left out of it on purpose: decide each in CellSettings (and this test)");
    }

    @Test
    void theTextRoundTrips()
    {
        final CellSettings settings = of(base());
        final CellSettings parsed = CellSettings.parse(settings.text());
        assertEquals(settings.fingerprint(), parsed.fingerprint());
        assertTrue(parsed.differences(settings).isEmpty());
    }

    @Test
    void theFirstSettingsMessageIsRecordedAndAMemberThatDiffersStopsNamingTheSetting()
    {
        final ExpandableArrayBuffer message = new ExpandableArrayBuffer(4096);
        final List<byte[]> snapshot = new ArrayList<>();
        try (CellState leader = new CellState(base().dataDir(dir.resolve("leader")));
            CellState other = new CellState(base().dataDir(dir.resolve("other")).partitionMaxBytes(2_000_000)))
        {
            assertNull(leader.recordedSettings());
            final int length = leader.encodeSettings(message, 1);
            leader.onSettings(message, 0, length, 100);
            assertEquals(leader.ownSettings().fingerprint(), leader.recordedSettings().fingerprint());

            final CellState.LocalFailure failure = assertThrows(CellState.LocalFailure.class,
                () -> other.onSettings(message, 0, length, 100));
            assertTrue(failure.getMessage().contains("ferrite.engine.partitionMaxBytes: here 2000000, cell ") &&
                failure.getMessage().contains("recorded by member 1 at log position 100"), failure.getMessage());

            // a later member's SETTINGS does not replace the record: the first of the log is the cell's
            final int otherLength = other.encodeSettings(message, 2);
            leader.onSettings(message, 0, otherLength, 200);
            assertEquals(leader.ownSettings().fingerprint(), leader.recordedSettings().fingerprint());

            leader.writeSnapshot((buffer, offset, len) ->
            {
                final byte[] record = new byte[len];
                buffer.getBytes(offset, record);
                snapshot.add(record);
            });
        }
        // a member restored from a snapshot has the record before any of the log: it checks at start
        try (CellState restored = new CellState(base().dataDir(dir.resolve("r1")).partitionMaxItems(999)))
        {
            load(restored, snapshot);
            assertEquals(snapshot.size() > 0, null != restored.recordedSettings());
            final CellState.LocalFailure failure = assertThrows(CellState.LocalFailure.class, restored::checkSettings);
            assertTrue(failure.getMessage().contains("ferrite.engine.partitionMaxItems: here 999, cell 1000"),
                failure.getMessage());
        }
        try (CellState restored = new CellState(base().dataDir(dir.resolve("r2"))))
        {
            load(restored, snapshot);
            restored.checkSettings(); // equal: no failure
        }
    }

    private static void load(final CellState state, final List<byte[]> records)
    {
        boolean end = false;
        for (final byte[] record : records)
        {
            end = state.loadSnapshotRecord(new UnsafeBuffer(record), 0, record.length);
        }
        assertTrue(end);
    }
}
