package io.ferrite.tools;

import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.config.Settings;
import io.ferrite.engine.shard.Shard;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.OffsetEpochNanoClock;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ferrite server}: opens a data directory (recovering it), prints the configuration and what
 * recovery did, and runs the shard's loop until SIGTERM or SIGINT, then checkpoints and closes cleanly.
 * The network front (SBE over Aeron) is added by the server/client work; today the node serves the
 * engine's duty cycle only.
 */
final class ServerCommand
{
    static final String USAGE = "server [--config FILE] [--data-dir DIR]   start a node on a data directory " +
        "(default ./data); SIGTERM stops it cleanly";

    private ServerCommand()
    {
    }

    static int run(final String[] args) throws InterruptedException
    {
        final Options options = Options.parse(args, new String[]{ "config", "data-dir" }, new String[0]);
        final String configFile = options.string("config", null);
        final Settings settings = Settings.load(null == configFile ? null : Path.of(configFile));
        final EngineConfig config = EngineConfig.from(settings);
        config.dataDir(Path.of(options.string("data-dir", null == config.dataDir() ? "data" : config.dataDir().toString())));
        config.validate();

        System.out.println("ferrite server: " + config);
        final Shard shard = Shard.open(config, new OffsetEpochNanoClock());
        System.out.println("ferrite server: recovered " + shard.recoveryReport());

        final CountDownLatch stopped = new CountDownLatch(1);
        final Thread loop = Thread.currentThread();
        final Thread hook = new Thread(() ->
        {
            loop.interrupt();
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

        final IdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 1_000_000);
        try
        {
            System.out.println("ferrite server: running on " + config.dataDir().toAbsolutePath() +
                " (SIGTERM or Ctrl-C to stop)");
            while (!Thread.currentThread().isInterrupted())
            {
                idle.idle(shard.doDutyCycle(System.nanoTime()));
            }
        }
        finally
        {
            Thread.interrupted();
            shard.close();
            System.out.println("ferrite server: checkpointed and closed " + config.dataDir().toAbsolutePath());
            stopped.countDown();
        }
        return 0;
    }
}
