package io.ferrite.perf.latency;

import io.ferrite.perf.Dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP front's peer: dynalite (MIT licence, Node.js + LevelDB, an implementation of DynamoDB's JSON API),
 * standing in for Amazon's DynamoDB Local, whose licence is not open source (see perf/README.md). The harness
 * installs the pinned version with npm into {@code perf/target/dynalite-VERSION} on first use, starts it bound to
 * 127.0.0.1 on a free port with its in-memory store, creates the table and loads the data set over HTTP, and drives it
 * with {@link HttpTarget}'s client code, so {@code http} and {@code dynalite} differ only by the server. Closing the
 * target kills the Node.js process (a shutdown hook does too if the harness dies first).
 */
final class DynaliteTarget
{
    static final String VERSION = "4.0.0";

    private DynaliteTarget()
    {
    }

    /**
     * Installs (once), starts and loads dynalite.
     *
     * @param records how many records to load.
     * @return the running target.
     */
    static Target open(final int records)
    {
        final Path home = installDir();
        final Path cli = install(home);
        final int port = freePort();
        final Process process;
        try
        {
            process = new ProcessBuilder(List.of("node", cli.toString(), "--host", "127.0.0.1", "--port",
                Integer.toString(port), "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"))
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("dynalite.log").toFile())
                .start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start dynalite (is Node.js's `node` on the PATH?): " + ex, ex);
        }
        final Thread reaper = new Thread(process::destroyForcibly, "dynalite-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        final AutoCloseable stop = () ->
        {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            try
            {
                Runtime.getRuntime().removeShutdownHook(reaper);
            }
            catch (final IllegalStateException ignored)
            {
                // already shutting down: the hook runs anyway
            }
        };
        try
        {
            awaitListening(process, port, home.resolve("dynalite.log"));
            final URI endpoint = new URI("http://127.0.0.1:" + port + "/");
            createTable(endpoint);
            final long startNs = System.nanoTime();
            final HttpTarget target = new HttpTarget("dynalite", endpoint, records, Long.MAX_VALUE / 2, stop);
            final Recorder loadRecorder = new Recorder(System::nanoTime);
            try (Session loader = target.newSession(loadRecorder, 7))
            {
                OpenLoop.load(loader, records);
            }
            if (loadRecorder.errors(Op.INSERT) > 0)
            {
                throw new IllegalStateException("loading " + records + " records into dynalite failed " +
                    loadRecorder.errors(Op.INSERT) + " times");
            }
            System.out.printf("dynalite %s (pid %d) on %s: loaded %,d records of %d B in %.1f s%n", VERSION,
                process.pid(), endpoint, records, Dataset.ITEM_BYTES, (System.nanoTime() - startNs) / 1e9);
            return target;
        }
        catch (final RuntimeException | URISyntaxException ex)
        {
            try
            {
                stop.close();
            }
            catch (final Exception suppressed)
            {
                ex.addSuppressed(suppressed);
            }
            throw ex instanceof RuntimeException re ? re : new IllegalStateException(ex);
        }
    }

    private static Path installDir()
    {
        final String configured = System.getProperty("ferrite.perf.dynaliteDir");
        if (null != configured)
        {
            return Path.of(configured);
        }
        try
        {
            // perf/target/classes -> perf/target
            final Path classes = Path.of(DynaliteTarget.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return classes.getParent().resolve("dynalite-" + VERSION);
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static Path install(final Path home)
    {
        final Path cli = home.resolve("node_modules/dynalite/cli.js");
        if (Files.isRegularFile(cli))
        {
            return cli;
        }
        System.out.println("dynalite: installing dynalite@" + VERSION + " with npm into " + home);
        try
        {
            Files.createDirectories(home);
            final Process npm = new ProcessBuilder(List.of("npm", "install", "--prefix", home.toString(), "--no-audit",
                "--no-fund", "--no-save", "dynalite@" + VERSION))
                .inheritIO()
                .start();
            if (!npm.waitFor(10, TimeUnit.MINUTES))
            {
                npm.destroyForcibly();
                throw new IllegalStateException("npm install dynalite@" + VERSION + " took over 10 minutes");
            }
            if (0 != npm.exitValue() || !Files.isRegularFile(cli))
            {
                throw new IllegalStateException("npm install dynalite@" + VERSION + " into " + home + " failed (exit " +
                    npm.exitValue() + "); the dynalite target needs Node.js and npm with access to the npm registry");
            }
            return cli;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot run npm to install dynalite (is npm on the PATH?): " + ex, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted installing dynalite", ex);
        }
    }

    private static int freePort()
    {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void awaitListening(final Process process, final int port, final Path log)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            if (!process.isAlive())
            {
                throw new IllegalStateException("dynalite exited with " + process.exitValue() + " before listening; " +
                    "see " + log);
            }
            try (Socket socket = new Socket())
            {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            }
            catch (final IOException notYet)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw new IllegalStateException("dynalite did not listen on 127.0.0.1:" + port + " within 30 s; " +
                        "see " + log);
                }
                Thread.onSpinWait();
            }
        }
    }

    private static void createTable(final URI endpoint)
    {
        final String body = "{\"TableName\":\"" + Dataset.TABLE + "\",\"AttributeDefinitions\":[" +
            "{\"AttributeName\":\"" + Dataset.PK + "\",\"AttributeType\":\"S\"}," +
            "{\"AttributeName\":\"" + Dataset.SK + "\",\"AttributeType\":\"N\"}],\"KeySchema\":[" +
            "{\"AttributeName\":\"" + Dataset.PK + "\",\"KeyType\":\"HASH\"}," +
            "{\"AttributeName\":\"" + Dataset.SK + "\",\"KeyType\":\"RANGE\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}";
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
        try
        {
            final HttpResponse<String> created = client.send(HttpTarget.request(endpoint, "CreateTable", body),
                HttpResponse.BodyHandlers.ofString());
            if (200 != created.statusCode())
            {
                throw new IllegalStateException("dynalite CreateTable answered " + created.statusCode() + ": " +
                    created.body());
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true)
            {
                final HttpResponse<String> described = client.send(HttpTarget.request(endpoint, "DescribeTable",
                    "{\"TableName\":\"" + Dataset.TABLE + "\"}"), HttpResponse.BodyHandlers.ofString());
                if (described.body().contains("\"TableStatus\":\"ACTIVE\""))
                {
                    return;
                }
                if (System.nanoTime() - deadline > 0)
                {
                    throw new IllegalStateException("dynalite's table is not ACTIVE after 30 s: " + described.body());
                }
                Thread.sleep(10);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("dynalite CreateTable: " + ex, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating dynalite's table", ex);
        }
    }
}
