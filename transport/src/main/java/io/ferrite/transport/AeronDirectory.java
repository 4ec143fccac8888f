package io.ferrite.transport;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Aeron directory a node and its IPC clients share when neither is told one: defined here once, so that
 * {@code ferrite server} and {@code ferrite cli} (or any client built with default settings) on the same host find
 * each other with no configuration.
 * <p>
 * <b>Threading:</b> stateless; any thread.
 */
public final class AeronDirectory
{
    private AeronDirectory()
    {
    }

    /**
     * @return {@code /dev/shm/ferrite-aeron-<user>}, or the same name under {@code java.io.tmpdir} where there is no
     * {@code /dev/shm}. Not Aeron's own default ({@code aeron-<user>}), so that a node never shares a directory with an
     * unrelated media driver by accident.
     */
    public static String defaultName()
    {
        final Path shm = Path.of("/dev/shm");
        final Path base = Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        return base.resolve("ferrite-aeron-" + System.getProperty("user.name", "default")).toString();
    }
}
