package io.ferrite.tools;

import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.config.Settings;
import io.ferrite.http.HttpConfig;
import io.ferrite.http.HttpCounters;
import io.ferrite.http.HttpFront;
import io.ferrite.transport.node.Node;
import io.ferrite.transport.node.NodeConfig;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ferrite server}: starts a node (embedded Aeron media driver, router, shard loops) on a data
 * directory, prints its configuration, what recovery and routing repair did, and a ready line once it
 * serves; runs until SIGTERM or SIGINT, then shuts down cleanly: stops taking requests, answers those in
 * flight, checkpoints every shard (WAL synced), closes the sessions and the driver.
 * <p>
 * The ready line, for scripts and tests that launch the server as a child process:
 * {@code ferrite: node ready ipc=aeron:ipc/<stream> udp=<host:port|none> aeronDir=<dir> shards=<n> dataDir=<dir>},
 * preceded, unless {@code --http-port none}, by {@code ferrite server: http=http://<host>:<port>} (the DynamoDB-compatible
 * HTTP/JSON API, {@link HttpFront}; started after the node and stopped before it).
 * <p>
 * SIGTERM and SIGINT are handled here, not by the JVM's shutdown sequence: the node is closed first and the process
 * then exits with status 0, so a supervisor sees a clean stop (not 143), and libraries' own exit hooks (Chronicle
 * Map closes every map it knows at exit) cannot close a store under a shard that is still checkpointing. Any other
 * exit (System.exit elsewhere, the last thread ending) still runs the shutdown hook, which stops the node too.
 */
final class ServerCommand
{
    static final String USAGE = "server [--config FILE] [--data-dir DIR] [--http-port PORT|0|none]   start a node on a " +
        "data directory (default ./data; settings ferrite.node.*, ferrite.http.* and ferrite.engine.* from FILE and -D) " +
        "with the DynamoDB-compatible HTTP API on 127.0.0.1:" + HttpConfig.DEFAULT_PORT + " (0: any free port; none: off); " +
        "SIGTERM stops it cleanly";

    private ServerCommand()
    {
    }

    static int run(final String[] args) throws InterruptedException
    {
        final Options options = Options.parse(args, new String[]{ "config", "data-dir", "http-port" }, new String[0]);
        final String configFile = options.string("config", null);
        if (null != configFile && !Files.isRegularFile(Path.of(configFile)))
        {
            // checked here: the loader's own message named the file twice and not what was wrong with it
            throw new IllegalArgumentException("option --config needs a properties file; " + Path.of(configFile).toAbsolutePath() +
                (Files.isDirectory(Path.of(configFile)) ? " is a directory" : " does not exist"));
        }
        final Settings settings = Settings.load(null == configFile ? null : Path.of(configFile));
        final NodeConfig config = NodeConfig.from(settings);
        final String dataDir = options.string("data-dir", null);
        if (null != dataDir)
        {
            config.dataDir(Path.of(dataDir));
        }
        config.validate();
        if (Files.exists(config.dataDir()) && !Files.isDirectory(config.dataDir()))
        {
            throw new IllegalArgumentException("option --data-dir (ferrite.node.dataDir) must name a directory; " +
                config.dataDir().toAbsolutePath() + " is a file");
        }
        final HttpConfig httpConfig = HttpConfig.from(settings);
        final String httpPort = options.string("http-port", null);
        if (null != httpPort)
        {
            httpConfig.port(httpPort);
        }
        System.out.println("ferrite server: " + config);
        System.out.println("ferrite server: " + httpConfig);
        // a misspelt key (ferrite.node.shardz) would otherwise leave its setting at the default without a word
        for (final String unknown : settings.unreadKeys(NodeConfig.PREFIX, EngineConfig.PREFIX, HttpConfig.PREFIX))
        {
            System.out.println("ferrite server: WARNING: unknown setting " + unknown + " (from " + settings.source() +
                ") is ignored: no such key under " + unknown.substring(0, unknown.indexOf('.', "ferrite.".length()) + 1));
        }

        final CountDownLatch stop = new CountDownLatch(1);
        final CountDownLatch stopped = new CountDownLatch(1);
        final Thread hook = new Thread(() ->
        {
            stop.countDown();
            try
            {
                stopped.await();
            }
            catch (final InterruptedException ignore)
            {
                Thread.currentThread().interrupt();
            }
        }, "ferrite-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        final SignalHandler onStopSignal = signal -> stop.countDown();
        Signal.handle(new Signal("TERM"), onStopSignal);
        Signal.handle(new Signal("INT"), onStopSignal);

        boolean launched = false;
        boolean clean = false;
        try (Node node = Node.launch(config))
        {
            launched = true;
            node.startupReport().forEach(line -> System.out.println("ferrite server: " + line));
            System.out.println("ferrite server: counters in " + node.counters().file() + " (tools/bin/ferrite stat --dir " +
                config.dataDir() + ")");
            final HttpFront http = httpConfig.enabled() ?
                HttpFront.start(httpConfig, node.aeronDirectoryName(), node.ipcChannel(), node.requestStreamId(),
                    new HttpCounters(node.counters()::newFrontCounter)) : null;
            try
            {
                if (null != http)
                {
                    System.out.println("ferrite server: http=" + http.endpoint() + " (DynamoDB API, X-Amz-Target " +
                        "DynamoDB_20120810.*; signatures are not verified)");
                }
                System.out.println(node.readyLine());
                System.out.flush();
                stop.await();
                System.out.println("ferrite server: stopping: draining requests, checkpointing shards, closing sessions");
                System.out.flush();
            }
            finally
            {
                if (null != http)
                {
                    http.close();
                }
            }
            clean = true;
        }
        catch (final RuntimeException ex)
        {
            // An operator's mistake (a data directory that cannot be created or locked, a port in use) is told in a
            // line, not a stack trace; the node, if it had started, has been closed by now.
            System.out.flush();
            System.err.println("ferrite server: " + (launched ? "failed after the node started" : "cannot start") + ": " +
                describe(ex));
            System.err.println("ferrite server: " + (launched ? "node stopped; data in " : "nothing started; data dir ") +
                config.dataDir().toAbsolutePath());
            System.err.flush();
            return 1;
        }
        finally
        {
            if (clean)
            {
                System.out.println("ferrite server: stopped cleanly; data in " + config.dataDir().toAbsolutePath());
            }
            System.out.flush();
            stopped.countDown();
        }
        // Exiting from here (FerriteMain calls System.exit with this status) runs the hook above, which returns at
        // once now that the node is stopped.
        return 0;
    }

    /**
     * @param ex a failure.
     * @return its message and those of its causes, each named by its class when that says more than the text.
     */
    static String describe(final Throwable ex)
    {
        final StringBuilder text = new StringBuilder();
        for (Throwable t = ex; null != t; t = t.getCause())
        {
            final String message = t.getMessage();
            final String part = null == message ? t.getClass().getSimpleName() :
                (t instanceof java.io.IOException ? t.getClass().getSimpleName() + ": " : "") + message;
            if (text.indexOf(part) >= 0)
            {
                continue;
            }
            if (text.length() > 0)
            {
                text.append(" (cause: ");
            }
            text.append(part);
            if (t != ex)
            {
                text.append(')');
            }
        }
        return text.toString();
    }
}
