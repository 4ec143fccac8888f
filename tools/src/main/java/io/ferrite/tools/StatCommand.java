package io.ferrite.tools;

import io.ferrite.transport.node.NodeCounters;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code ferrite stat}: prints a running node's counters (requests by operation, errors by code,
 * throttles, bytes, in flight, sessions, per table and per shard) every second, as AeronStat does, from
 * the memory-mapped counters file in the node's data directory. With {@code --histograms} it asks the node
 * for its latency histograms instead: every shard loop writes {@code histograms/shard-<i>.hlog}
 * (HdrHistogram log, one histogram per operation, in ns), and stat merges them per operation, prints
 * percentiles and writes {@code histograms/<operation>.hgrm}.
 */
final class StatCommand
{
    static final String USAGE = "stat [--dir DIR] [--count N] [--interval-ms MS] [--histograms]   print a running " +
        "node's counters every second (N times, default until Ctrl-C), or dump its latency histograms";

    private StatCommand()
    {
    }

    static int run(final String[] args) throws Exception
    {
        return run(args, System.out);
    }

    static int run(final String[] args, final PrintStream out) throws Exception
    {
        return run(args, out, System.err);
    }

    static int run(final String[] args, final PrintStream out, final PrintStream err) throws Exception
    {
        final Options options = Options.parse(args, new String[]{ "dir", "count", "interval-ms" }, new String[]{ "histograms" });
        final Path dir = Path.of(options.string("dir", "data"));
        final long count = options.longValue("count", 0);
        final long intervalMs = options.longValue("interval-ms", 1000);
        if (count < 0)
        {
            throw new IllegalArgumentException("option --count must be at least 0 (0: until Ctrl-C), got " + count);
        }
        if (intervalMs < 1)
        {
            throw new IllegalArgumentException("option --interval-ms must be at least 1, got " + intervalMs);
        }
        final NodeCounters.View opened;
        try
        {
            opened = NodeCounters.View.open(dir);
        }
        catch (final IllegalStateException | IndexOutOfBoundsException ex)
        {
            // no node has run on that directory, or its counters file is not one (truncated, another file's)
            err.println("ferrite stat: cannot read the counters of " + dir.toAbsolutePath() + ": " +
                (ex instanceof IllegalStateException ? ex.getMessage() :
                "node-counters.dat is shorter than its header says (" + ex.getMessage() + ")"));
            return 1;
        }
        try (NodeCounters.View view = opened)
        {
            if (options.flag("histograms"))
            {
                return histograms(view, dir, out);
            }
            for (long i = 0; 0 == count || i < count; i++)
            {
                if (i > 0)
                {
                    Thread.sleep(intervalMs);
                }
                print(view, out);
            }
        }
        return 0;
    }

    private static void print(final NodeCounters.View view, final PrintStream out)
    {
        final long heartbeatAgeMs = System.currentTimeMillis() - view.heartbeatMs();
        out.println(Instant.now() + " - ferrite node pid " + view.pid() + ", heartbeat " + heartbeatAgeMs + " ms ago" +
            (heartbeatAgeMs > 5_000 ? " (NOT RUNNING? values are the last ones written)" : ""));
        out.println("=========================");
        view.reader().forEach((value, id, label) -> out.format("%3d: %,20d - %s%n", id, value, label));
        out.println("--");
        out.flush();
    }

    private static int histograms(final NodeCounters.View view, final Path dir, final PrintStream out) throws Exception
    {
        final CountersReader reader = view.reader();
        final int[] shards = { 0 };
        reader.forEach((value, id, label) ->
        {
            if (label.startsWith("shard ") && label.endsWith(" requests"))
            {
                shards[0]++;
            }
        });
        final long dumpsBefore = NodeCounters.valueOf(reader, NodeCounters.HISTOGRAM_DUMPS_LABEL);
        view.increment(NodeCounters.HISTOGRAM_REQUESTS_LABEL);
        final long deadline = System.currentTimeMillis() + 10_000;
        while (NodeCounters.valueOf(reader, NodeCounters.HISTOGRAM_DUMPS_LABEL) < dumpsBefore + shards[0])
        {
            if (System.currentTimeMillis() > deadline)
            {
                out.println("ferrite stat: the node did not write its histograms within 10 s (is it running?)");
                return 1;
            }
            Thread.sleep(10);
        }

        final Path histogramDir = dir.resolve("histograms");
        final Map<String, Histogram> byOperation = new TreeMap<>();
        final List<Path> logs;
        try (Stream<Path> files = Files.list(histogramDir))
        {
            logs = files.filter(f -> f.getFileName().toString().endsWith(".hlog")).sorted().collect(Collectors.toList());
        }
        for (final Path log : logs)
        {
            final HistogramLogReader logReader = new HistogramLogReader(log.toFile());
            EncodableHistogram next;
            while (null != (next = logReader.nextIntervalHistogram()))
            {
                final Histogram histogram = (Histogram)next;
                byOperation.computeIfAbsent(histogram.getTag(), tag -> new Histogram(3)).add(histogram);
            }
            logReader.close();
        }
        if (byOperation.isEmpty())
        {
            out.println("ferrite stat: no request latency recorded yet (" + logs.size() + " shard logs in " + histogramDir + ")");
            return 0;
        }
        out.format("latency from the router receiving a request to its response being published, us (%d shards)%n", shards[0]);
        out.format("%-16s %12s %10s %10s %10s %10s %10s%n", "operation", "count", "p50", "p90", "p99", "p99.9", "max");
        for (final Map.Entry<String, Histogram> entry : byOperation.entrySet())
        {
            final Histogram h = entry.getValue();
            out.format("%-16s %12d %10.1f %10.1f %10.1f %10.1f %10.1f%n", entry.getKey(), h.getTotalCount(),
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0);
            final Path hgrm = histogramDir.resolve(entry.getKey() + ".hgrm");
            try (PrintStream file = new PrintStream(hgrm.toFile(), "US-ASCII"))
            {
                h.outputPercentileDistribution(file, 1000.0);
            }
            catch (final IOException ex)
            {
                out.println("ferrite stat: cannot write " + hgrm + ": " + ex.getMessage());
            }
        }
        out.println("percentile distributions (us): " + histogramDir + "/<operation>.hgrm");
        return 0;
    }
}
