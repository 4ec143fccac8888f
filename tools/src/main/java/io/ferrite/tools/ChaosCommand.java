package io.ferrite.tools;

import io.ferrite.engine.wal.FsyncPolicy;
import io.ferrite.tools.chaos.CellTarget;
import io.ferrite.tools.chaos.ChaosDriver;
import io.ferrite.tools.chaos.ChaosTarget;
import io.ferrite.tools.chaos.EmbeddedChaos;
import io.ferrite.tools.chaos.NodeTarget;
import io.ferrite.tools.chaos.history.HistoryCheck;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code ferrite chaos}, two forms:
 * <ul>
 *   <li>{@code --target embedded --cycles N}: kills a writer at random moments and checks that recovery keeps every
 *   acknowledged write and invents none. The last line is {@code cycles=N acked=A lost=L phantom=P}; exit code 0
 *   when lost and phantom are both 0, else 1.</li>
 *   <li>{@code --target node|cell --duration S --kill-interval K}: the game day ({@link ChaosDriver}): load from
 *   several clients, a member SIGKILLed and restarted every K seconds, then the history check. The last line is
 *   {@code acked=A lost=L duplicated=D linearizable=true|false availability=P%}; exit code 0 when lost and
 *   duplicated are 0 and the history is linearizable, else 1.</li>
 * </ul>
 */
final class ChaosCommand
{
    static final String USAGE = "chaos --target embedded --cycles N [--data-dir DIR] [--seed S] " +
        "[--fsync none|batch|every_write] [--min-run-ms MS] [--max-run-ms MS]   SIGKILL a writer N times; " +
        "check every acknowledged write survives (exit 1 on any lost or phantom)\n" +
        "       chaos --target node|cell --duration S --kill-interval K [--rate R] [--clients C] [--keys N] " +
        "[--timeout-ms MS] [--seed S] [--data-dir DIR]   load at R ops/s, SIGKILL and restart a member every K s, " +
        "check the history (exit 1 unless lost=0 duplicated=0 linearizable=true)";

    private static final List<String> TARGETS = List.of("embedded", "node", "cell");

    private ChaosCommand()
    {
    }

    static int run(final String[] args) throws Exception
    {
        final Options options = Options.parse(args, new String[]{ "target", "cycles", "data-dir", "seed", "fsync",
            "min-run-ms", "max-run-ms", "duration", "kill-interval", "rate", "clients", "keys", "timeout-ms" },
            new String[0]);
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
        if (!"embedded".equals(target))
        {
            return runGameDay(target, options);
        }
        if (null != options.string("duration", null) || null != options.string("kill-interval", null))
        {
            throw new IllegalArgumentException("--target embedded runs kill-and-recover cycles of an embedded writer: " +
                "give --cycles N, not --duration/--kill-interval (those are for --target node or cell)");
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

    private static int runGameDay(final String target, final Options options) throws Exception
    {
        if (null != options.string("cycles", null))
        {
            throw new IllegalArgumentException("--cycles is for --target embedded; --target " + target +
                " takes --duration S --kill-interval K");
        }
        if (null == options.string("duration", null))
        {
            throw new IllegalArgumentException("option --duration is required for --target " + target);
        }
        final long duration = options.longValue("duration", -1);
        if (null == options.string("kill-interval", null))
        {
            throw new IllegalArgumentException("option --kill-interval is required for --target " + target +
                " (0 for no kills)");
        }
        final long killInterval = options.longValue("kill-interval", -1);
        final int clients = options.intValue("clients", 4);
        final int keys = options.intValue("keys", 8);
        final ChaosDriver.Settings settings = new ChaosDriver.Settings(duration, killInterval,
            options.longValue("rate", 200), clients, keys, options.longValue("timeout-ms", 1_000),
            options.longValue("seed", System.nanoTime()));
        final String runDirOption = options.string("data-dir", null);
        if (null != runDirOption && Files.isDirectory(Path.of(runDirOption)))
        {
            try (Stream<Path> entries = Files.list(Path.of(runDirOption)))
            {
                if (entries.findAny().isPresent())
                {
                    throw new IllegalArgumentException("--data-dir " + runDirOption + " is not empty: the game day " +
                        "checks every key against what its clients wrote, so it needs a fresh directory");
                }
            }
        }
        final Path runDir = null == runDirOption ? Files.createTempDirectory("ferrite-chaos-" + target + "-") :
            Files.createDirectories(Path.of(runDirOption));
        System.out.println("chaos: run directory " + runDir.toAbsolutePath());
        final HistoryCheck.Report report =
            new ChaosDriver(newTarget(target, runDir), settings, System.out).run();
        if (null == runDirOption)
        {
            if (report.passed())
            {
                deleteRecursively(runDir);
            }
            else
            {
                System.out.println("chaos: run directory kept for inspection: " + runDir.toAbsolutePath());
            }
        }
        return report.passed() ? 0 : 1;
    }

    /** The game day's targets by name. */
    private static ChaosTarget newTarget(final String target, final Path runDir)
    {
        if ("node".equals(target))
        {
            return new NodeTarget(runDir, System.out);
        }
        if ("cell".equals(target))
        {
            // The same member JVM options as 'ferrite cell start' takes.
            final String javaOpts = System.getenv("FERRITE_CELL_JAVA_OPTS");
            return new CellTarget(runDir, System.out, null == javaOpts || javaOpts.isBlank() ? List.of() :
                Arrays.asList(javaOpts.trim().split("\\s+")));
        }
        throw new IllegalArgumentException("no game day target '" + target + "'");
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
