package io.ferrite.tools;

import io.ferrite.engine.wal.FsyncPolicy;
import io.ferrite.tools.chaos.EmbeddedChaos;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Locale;

/**
 * {@code ferrite chaos}: kills a writer at random moments and checks that recovery keeps every acknowledged
 * write and invents none. The last line is {@code cycles=N acked=A lost=L phantom=P}; exit code 0 when lost and
 * phantom are both 0, else 1.
 */
final class ChaosCommand
{
    static final String USAGE = "chaos --target embedded --cycles N [--data-dir DIR] [--seed S] " +
        "[--fsync none|batch|every_write] [--min-run-ms MS] [--max-run-ms MS]   SIGKILL a writer N times; " +
        "check every acknowledged write survives (exit 1 on any lost or phantom)";

    private static final List<String> TARGETS = List.of("embedded");

    private ChaosCommand()
    {
    }

    static int run(final String[] args) throws IOException, InterruptedException
    {
        final Options options = Options.parse(args,
            new String[]{ "target", "cycles", "data-dir", "seed", "fsync", "min-run-ms", "max-run-ms" }, new String[0]);
        final String target = options.string("target", null);
        if (null == target)
        {
            throw new IllegalArgumentException("option --target is required; the targets are: " + String.join(", ", TARGETS));
        }
        if (!TARGETS.contains(target))
        {
            throw new IllegalArgumentException("unknown --target '" + target + "'; the targets are: " +
                String.join(", ", TARGETS));
        }
        final long cycles = options.longValue("cycles", -1);
        if (cycles < 1 || cycles > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException(-1 == cycles ? "option --cycles is required" :
                "option --cycles must be at least 1, got " + cycles);
        }
        final FsyncPolicy fsyncPolicy = fsyncPolicy(options.string("fsync", "batch"));
        final long seed = options.longValue("seed", System.nanoTime());
        final long minRunMs = options.longValue("min-run-ms", 300);
        final long maxRunMs = options.longValue("max-run-ms", 1_500);
        final String dataDirOption = options.string("data-dir", null);
        final Path dataDir = null == dataDirOption ? Files.createTempDirectory("ferrite-chaos-") : Path.of(dataDirOption);

        System.out.println("chaos: target=" + target + " cycles=" + cycles + " fsync=" + fsyncPolicy + " seed=" + seed +
            " run=" + minRunMs + ".." + maxRunMs + "ms data-dir=" + dataDir.toAbsolutePath());
        final EmbeddedChaos.Result result = EmbeddedChaos.run(
            (int)cycles, dataDir, seed, List.of(fsyncPolicy), minRunMs, maxRunMs, System.out);
        if (null == dataDirOption)
        {
            if (result.passed())
            {
                deleteRecursively(dataDir);
            }
            else
            {
                System.out.println("chaos: data directory kept for inspection: " + dataDir.toAbsolutePath());
            }
        }
        System.out.println(result.summaryLine());
        return result.passed() ? 0 : 1;
    }

    private static FsyncPolicy fsyncPolicy(final String name)
    {
        try
        {
            return FsyncPolicy.valueOf(name.toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("option --fsync must be none, batch or every_write, got '" + name + "'");
        }
    }

    private static void deleteRecursively(final Path dir) throws IOException
    {
        Files.walkFileTree(dir, new SimpleFileVisitor<>()
        {
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
            {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            public FileVisitResult postVisitDirectory(final Path directory, final IOException ex) throws IOException
            {
                if (null != ex)
                {
                    throw ex;
                }
                Files.delete(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
