package io.ferrite.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code ferrite server --config FILE} with no such file is a usage error saying what is wrong with it (checked before
 * anything starts, so it runs in-process).
 */
class ServerCommandRefusesAMissingConfigFileTest
{
    @TempDir
    Path dir;

    @Test
    void missingConfigFileIsNamedWithTheReason()
    {
        final Path missing = dir.resolve("ferrite.properties");
        assertEquals("option --config needs a properties file; " + missing.toAbsolutePath() + " does not exist",
            assertThrows(IllegalArgumentException.class,
                () -> ServerCommand.run(new String[]{ "--config", missing.toString(), "--data-dir", dir.toString() })).getMessage());
        assertEquals("option --config needs a properties file; " + dir.toAbsolutePath() + " is a directory",
            assertThrows(IllegalArgumentException.class,
                () -> ServerCommand.run(new String[]{ "--config", dir.toString(), "--data-dir", dir.toString() })).getMessage());
    }
}
