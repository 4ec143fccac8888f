package io.ferrite.engine.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A misspelt key in a config file (ferrite.engine.partitionMaxItem) left its setting at the default without a word:
 * the keys nothing read are named, so `ferrite server` can warn about them.
 */
class UnknownSettingsAreNamedTest
{
    @TempDir
    Path dir;

    @Test
    void keysUnderTheGivenPrefixesThatNoConfigurationReadAreNamed() throws Exception
    {
        final Path file = dir.resolve("ferrite.properties");
        Files.writeString(file, "ferrite.engine.partitionMaxItems=5000\nferrite.engine.partitionMaxItem=6000\n" +
            "ferrite.engine.fsync=none\nferrite.client.requestTimeoutMs=5\nferrite.engine.Fsync=batch\n");
        final Settings settings = Settings.load(file);
        final EngineConfig config = EngineConfig.from(settings);
        assertEquals(5000, config.partitionMaxItems());
        assertEquals(List.of("ferrite.engine.Fsync", "ferrite.engine.partitionMaxItem"),
            settings.unreadKeys(EngineConfig.PREFIX), "misspelt keys; the client's key is not the engine's to judge");
        assertEquals(List.of("ferrite.client.requestTimeoutMs"), settings.unreadKeys("ferrite.client."));
    }
}
