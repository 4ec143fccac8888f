package io.ferrite.engine.config;

import io.ferrite.engine.wal.FsyncPolicy;
import io.ferrite.engine.wal.PretouchMethod;
import io.ferrite.engine.wal.PretouchReadAhead;
import io.ferrite.engine.wal.WalConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ferrite.engine.walPretouchAheadBytes}: default, size suffixes, 0 to disable, out-of-range values refused
 * naming the key. {@code ferrite.engine.walPretouchReadAhead}: default BY_POLICY, read, unknown values refused
 * naming the key and the choices.
 */
class WalPretouchSettingTest
{
    private static final String KEY = EngineConfig.PREFIX + "walPretouchAheadBytes";

    @Test
    void defaultsTo16MiBAndReadsSizesAndZero()
    {
        assertEquals(WalConfig.DEFAULT_PRETOUCH_AHEAD_BYTES, new EngineConfig().walPretouchAheadBytes());
        assertEquals(16L << 20, WalConfig.DEFAULT_PRETOUCH_AHEAD_BYTES);
        assertEquals(32L << 20, EngineConfig.from(Settings.fromSystemProperties().set(KEY, "32m")).walPretouchAheadBytes());
        assertEquals(0, EngineConfig.from(Settings.fromSystemProperties().set(KEY, "0")).walPretouchAheadBytes());
    }

    @Test
    void refusesOutOfRangeValuesNamingTheKey()
    {
        final IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
            () -> EngineConfig.from(Settings.fromSystemProperties().set(KEY, "-1")));
        assertTrue(negative.getMessage().contains(KEY), negative.getMessage());
        final IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
            () -> EngineConfig.from(Settings.fromSystemProperties().set(KEY, "2g")));
        assertTrue(huge.getMessage().contains(KEY), huge.getMessage());

        final IllegalStateException fluent = assertThrows(IllegalStateException.class,
            () -> new EngineConfig().dataDir(Path.of("data")).walPretouchAheadBytes(-5).validate());
        assertTrue(fluent.getMessage().contains(KEY), fluent.getMessage());
    }

    @Test
    void readAheadDefaultsToByPolicyAndReadsTheChoices()
    {
        final String key = EngineConfig.PREFIX + "walPretouchReadAhead";
        assertEquals(PretouchReadAhead.BY_POLICY, new EngineConfig().walPretouchReadAhead());
        assertEquals(PretouchReadAhead.ON,
            EngineConfig.from(Settings.fromSystemProperties().set(key, "ON")).walPretouchReadAhead());
        assertEquals(PretouchReadAhead.OFF,
            EngineConfig.from(Settings.fromSystemProperties().set(key, "off")).walPretouchReadAhead());
        final IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
            () -> EngineConfig.from(Settings.fromSystemProperties().set(key, "sometimes")));
        assertTrue(unknown.getMessage().contains(key) && unknown.getMessage().contains("BY_POLICY"),
            unknown.getMessage());
    }

    @Test
    void methodDefaultsToByPolicyAndReadsTheChoices()
    {
        final String key = EngineConfig.PREFIX + "walPretouchMethod";
        assertEquals(PretouchMethod.BY_POLICY, new EngineConfig().walPretouchMethod());
        assertEquals(PretouchMethod.POPULATE,
            EngineConfig.from(Settings.fromSystemProperties().set(key, "populate")).walPretouchMethod());
        assertEquals(PretouchMethod.READ,
            EngineConfig.from(Settings.fromSystemProperties().set(key, "read")).walPretouchMethod());
        assertEquals(PretouchMethod.READ, EngineConfig.from(Settings.fromSystemProperties().set(key, "read"))
            .copy().walPretouchMethod(), "a copy keeps it");
        final IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
            () -> EngineConfig.from(Settings.fromSystemProperties().set(key, "mmap")));
        assertTrue(unknown.getMessage().contains(key) && unknown.getMessage().contains("POPULATE"),
            unknown.getMessage());
        assertTrue(PretouchMethod.BY_POLICY.populates(FsyncPolicy.NONE));
        assertTrue(PretouchMethod.BY_POLICY.populates(FsyncPolicy.BATCH));
        assertFalse(PretouchMethod.BY_POLICY.populates(FsyncPolicy.EVERY_WRITE));
        assertTrue(PretouchMethod.POPULATE.populates(FsyncPolicy.BATCH));
        assertFalse(PretouchMethod.READ.populates(FsyncPolicy.NONE));
    }
}
