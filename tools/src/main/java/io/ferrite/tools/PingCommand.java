package io.ferrite.tools;

import io.ferrite.engine.config.Settings;
import io.ferrite.tools.ping.ClientPing;
import io.ferrite.transport.CpuAffinity;
import io.ferrite.transport.client.ClientConfig;
import io.ferrite.transport.client.FerriteBlockingClient;
import io.ferrite.transport.node.Node;
import io.ferrite.transport.node.NodeConfig;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code ferrite ping}: GetItem round trips through the SBE client at a fixed rate, latency from the
 * intended send time (coordinated omission corrected), printed as percentiles; optionally an .hgrm
 * file and a JSON summary line in the perf harness's format.
 */
final class PingCommand
{
    static final String USAGE = "ping [--transport ipc|udp] [--aeron-dir DIR] [--endpoint HOST:PORT] " +
        "[--response-endpoint HOST:PORT] [--rate PER_S] [--seconds S] [--warmup-seconds S] [--keys N] " +
        "[--idle yield|spin|backoff] [--cpus LIST] [--late-us US] [--hgrm FILE] [--name NAME] [--in-process-node DATA_DIR]   GetItem round trips at a fixed rate through the " +
        "SBE client; prints p50/p90/p99/p99.9/max (coordinated omission corrected)";

    private PingCommand()
    {
    }

    static int run(final String[] args) throws FileNotFoundException
    {
        final Options options = Options.parse(args, new String[]{ "transport", "aeron-dir", "endpoint",
            "response-endpoint", "rate", "seconds", "warmup-seconds", "keys", "idle", "cpus", "late-us", "hgrm", "name", "in-process-node" }, new String[0]);
        final String transport = options.string("transport", "ipc");
        final ClientConfig config = ClientConfig.from(Settings.fromSystemProperties());
        final String nodeDataDir = options.string("in-process-node", null);
        Node node = null;
        if (null != nodeDataDir)
        {
            final NodeConfig nodeConfig = NodeConfig.from(Settings.fromSystemProperties()).dataDir(Path.of(nodeDataDir));
            node = Node.launch(nodeConfig);
            System.out.println(node.readyLine());
            config.aeronDir(node.aeronDirectoryName());
        }
        if (null != options.string("aeron-dir", null))
        {
            config.aeronDir(options.string("aeron-dir", null));
        }
        if ("udp".equals(transport))
        {
            config.requestChannel(null != node && null == options.string("endpoint", null) ? node.udpChannel() :
                "aeron:udp?endpoint=" + options.string("endpoint", "127.0.0.1:40123"))
                .responseChannel("aeron:udp?endpoint=" + options.string("response-endpoint", "127.0.0.1:0"));
        }
        else if (!"ipc".equals(transport))
        {
            throw new IllegalArgumentException("option --transport must be ipc or udp, got '" + transport + "'");
        }
        final long rate = options.longValue("rate", 10_000);
        final long seconds = options.longValue("seconds", 10);
        final long warmupSeconds = options.longValue("warmup-seconds", 3);
        final int keys = options.intValue("keys", 1_000);
        if (rate < 1 || seconds < 1 || warmupSeconds < 0 || keys < 1)
        {
            throw new IllegalArgumentException("--rate, --seconds and --keys must be at least 1, --warmup-seconds at least 0");
        }
        final IdleStrategy idle = idleStrategy(options.string("idle", "yield"));
        final String name = options.string("name", "ping-getitem-" + transport);

        System.out.println("ping: " + config);
        final String cpus = options.string("cpus", null);
        final BitSet cpuSet = null == cpus ? null : CpuAffinity.parse("--cpus", cpus);
        try (Node ignored = node; FerriteBlockingClient client = FerriteBlockingClient.connect(config))
        {
            if (null != cpuSet)
            {
                // the thread that sends and polls, after connecting: a thread inherits its creator's CPUs, and the
                // client's Aeron conductor thread (started by connect) must stay free to run on the other CPUs
                CpuAffinity.pinCurrentThread(cpuSet, "--cpus");
                System.out.println("ping: thread confined to CPUs " + CpuAffinity.format(cpuSet));
            }
            final ClientPing ping = new ClientPing(client, "ping", keys);
            ping.prepare();
            final long lateUs = options.longValue("late-us", 0);
            if (lateUs > 0)
            {
                ping.lateThresholdNs(TimeUnit.MICROSECONDS.toNanos(lateUs));
            }
            if (warmupSeconds > 0)
            {
                ping.run(rate, TimeUnit.SECONDS.toNanos(warmupSeconds), idle);
                System.out.println("ping: warm-up done (" + ping.completed() + " round trips)");
            }
            // GC count first: its first call loads the management beans (~200 KB), which must not land in the window.
            final long gcBefore = gcCount();
            final Runtime runtime = Runtime.getRuntime();
            final long heapBefore = runtime.totalMemory() - runtime.freeMemory();
            final Histogram histogram = ping.run(rate, TimeUnit.SECONDS.toNanos(seconds), idle);
            final long heapAfter = runtime.totalMemory() - runtime.freeMemory();
            final long gcs = gcCount() - gcBefore;

            System.out.printf(Locale.ROOT, "ping: %s rate=%d/s ops=%d failures=%d notFound=%d%n",
                name, rate, histogram.getTotalCount(), ping.failures(), ping.notFound());
            System.out.printf(Locale.ROOT, "ping: latency us p50=%.1f p90=%.1f p99=%.1f p99.9=%.1f max=%.1f%n",
                us(histogram.getValueAtPercentile(50)), us(histogram.getValueAtPercentile(90)),
                us(histogram.getValueAtPercentile(99)), us(histogram.getValueAtPercentile(99.9)), us(histogram.getMaxValue()));
            System.out.printf(Locale.ROOT, "ping: heap used grew %d bytes during the measured run, %d GCs " +
                "(under Epsilon GC the growth is every byte this JVM allocated)%n", heapAfter - heapBefore, gcs);
            System.out.printf(Locale.ROOT, "{\"name\":\"%s\",\"ops\":%d,\"p50_ns\":%d,\"p90_ns\":%d,\"p99_ns\":%d," +
                "\"p999_ns\":%d,\"max_ns\":%d}%n", name, histogram.getTotalCount(), histogram.getValueAtPercentile(50),
                histogram.getValueAtPercentile(90), histogram.getValueAtPercentile(99),
                histogram.getValueAtPercentile(99.9), histogram.getMaxValue());
            System.out.println("ping: client counters " + client.counters());
            if (lateUs > 0)
            {
                System.out.print(ping.lateBursts(TimeUnit.MILLISECONDS.toNanos(5)));
            }
            final String hgrm = options.string("hgrm", null);
            if (null != hgrm)
            {
                try (PrintStream out = new PrintStream(Files.newOutputStream(Path.of(hgrm))))
                {
                    histogram.outputPercentileDistribution(out, 1000.0);
                }
                catch (final java.io.IOException ex)
                {
                    throw new java.io.UncheckedIOException(ex);
                }
            }
            return 0 == ping.failures() && 0 == ping.notFound() ? 0 : 1;
        }
    }

    private static double us(final long nanos)
    {
        return nanos / 1000.0;
    }

    private static long gcCount()
    {
        long count = 0;
        for (final java.lang.management.GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans())
        {
            count += Math.max(0, bean.getCollectionCount());
        }
        return count;
    }

    private static IdleStrategy idleStrategy(final String name)
    {
        switch (name)
        {
            case "yield":
                return new YieldingIdleStrategy();
            case "spin":
                return new BusySpinIdleStrategy();
            case "backoff":
                return new BackoffIdleStrategy();
            default:
                throw new IllegalArgumentException("option --idle must be yield, spin or backoff, got '" + name + "'");
        }
    }
}
