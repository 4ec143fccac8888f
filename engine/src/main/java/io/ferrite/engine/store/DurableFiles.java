package io.ferrite.engine.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Making names durable, not only contents: on Linux a file's fsync does not make its directory entry durable, so a
 * file created or renamed into place, or a directory created, can vanish after a power loss unless the directory that
 * holds the entry is synced too. The catalog, the checkpoint file, the stores and the log use these after every such
 * change.
 */
public final class DurableFiles
{
    private DurableFiles()
    {
    }

    /**
     * Syncs a directory, making the entries created, renamed or deleted in it durable.
     *
     * @param directory the directory.
     * @throws IOException if it cannot be opened or synced.
     */
    public static void forceDirectory(final Path directory) throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    /**
     * Creates a directory and any missing parents, then syncs the parent of each one created, top down, so that the
     * whole path survives a power loss.
     *
     * @param directory the directory.
     * @throws IOException if a directory cannot be created or synced.
     */
    public static void createDirectories(final Path directory) throws IOException
    {
        final List<Path> missing = new ArrayList<>();
        for (Path path = directory.toAbsolutePath(); null != path && !Files.isDirectory(path); path = path.getParent())
        {
            missing.add(path);
        }
        Files.createDirectories(directory);
        for (int i = missing.size() - 1; i >= 0; i--)
        {
            final Path parent = missing.get(i).getParent();
            if (null != parent)
            {
                forceDirectory(parent);
            }
        }
    }
}
