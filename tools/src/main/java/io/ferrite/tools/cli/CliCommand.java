package io.ferrite.tools.cli;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.config.Settings;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@code ferrite cli}: the AWS CLI's {@code dynamodb} commands against Ferrite. A command written for
 * {@code aws dynamodb} works with {@code ferrite cli} in its place: the same verbs, options, DynamoDB JSON
 * and shorthand syntax, {@code file://} arguments, automatic pagination with {@code --max-items} and
 * {@code --starting-token}, {@code --output json|text|table}, and the AWS CLI's error lines and exit codes
 * (0 success, 252 bad command line, 254 an error from the database, 255 anything else).
 * <p>
 * {@code --endpoint-url} picks the backend: {@code file:///path/to/data-dir} opens an engine data directory in
 * this process ({@link EmbeddedBackend}); {@code aeron:ipc} (the default) and {@code aeron:udp?endpoint=host:port}
 * name a running node, reached with the blocking SBE client ({@link AeronBackend}).
 * <p>
 * Threading: one instance per invocation, on the caller's thread.
 */
public final class CliCommand
{
    /** One line for {@code ferrite help}. */
    public static final String USAGE = "cli <command> [parameters]   the AWS CLI's DynamoDB commands (`aws dynamodb " +
        "put-item ...` works as `ferrite cli put-item ...`); `ferrite cli help` lists them";

    /** The default endpoint, as the AWS CLI defaults to its regional endpoint. */
    public static final String DEFAULT_ENDPOINT = "aeron:ipc";

    /** Exit code of a bad command line (the AWS CLI's ParamValidation/usage code). */
    public static final int EXIT_USAGE = 252;
    /** Exit code of an error answered by the database (the AWS CLI's ClientError code). */
    public static final int EXIT_SERVICE_ERROR = 254;
    /** Exit code of any other failure. */
    public static final int EXIT_OTHER = 255;

    private static final String USAGE_BLOCK = "usage: ferrite cli [options] <command> [parameters]\n" +
        "To see help text, you can run:\n\n  ferrite cli help\n  ferrite cli <command> help\n";

    /**
     * Opens the backend an {@code --endpoint-url} names.
     */
    @FunctionalInterface
    public interface BackendFactory
    {
        /**
         * @param endpointUrl e.g. {@code file:///var/ferrite/shard-0} or {@code aeron:ipc}.
         * @param mayCreate   true for create-table: a {@code file://} directory that does not exist may be created
         *                    (any other verb refuses it, so a mistyped path does not make an empty database).
         * @return an open backend; the CLI closes it when the command is done.
         */
        CliBackend open(String endpointUrl, boolean mayCreate);
    }

    /**
     * Waits between retries of unprocessed batch items (tests pass one that does not sleep).
     */
    @FunctionalInterface
    public interface Sleeper
    {
        /**
         * @param millis how long.
         * @throws InterruptedException when interrupted.
         */
        void sleep(long millis) throws InterruptedException;
    }

    private final PrintStream out;
    private final PrintStream err;
    private final BackendFactory backendFactory;
    private final Sleeper sleeper;
    private final LongSupplier clockMs;

    /**
     * @param out            where responses go.
     * @param err            where errors and progress go.
     * @param backendFactory opens the backend for an endpoint URL.
     * @param sleeper        waits between retries of unprocessed batch items.
     * @param clockMs        milliseconds, for the progress bar's redraw rate.
     */
    public CliCommand(
        final PrintStream out,
        final PrintStream err,
        final BackendFactory backendFactory,
        final Sleeper sleeper,
        final LongSupplier clockMs)
    {
        this.out = out;
        this.err = err;
        this.backendFactory = backendFactory;
        this.sleeper = sleeper;
        this.clockMs = clockMs;
    }

    /**
     * The entry point used by {@code tools/bin/ferrite cli}.
     *
     * @param args the words after {@code cli}.
     * @return the exit code.
     */
    public static int run(final String[] args)
    {
        // The engine's libraries log start-up chatter (and Chronicle Map's advice on every recovering open);
        // a CLI's stderr is for the user's errors. -D on the command line still wins.
        quietLogger("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        quietLogger("org.slf4j.simpleLogger.log.net.openhft.chronicle.map.ChronicleMapBuilder", "error");
        return new CliCommand(System.out, System.err, CliCommand::defaultBackend, Thread::sleep,
            System::currentTimeMillis).execute(args);
    }

    private static void quietLogger(final String property, final String level)
    {
        if (null == System.getProperty(property))
        {
            System.setProperty(property, level);
        }
    }

    /**
     * The backends: {@code aeron:ipc} and {@code aeron:udp?endpoint=HOST:PORT} ({@link AeronBackend}, with the
     * {@code ferrite.client.*} settings) and {@code file://} data directories ({@link EmbeddedBackend}, with the
     * {@code ferrite.engine.*} settings); settings from system properties and the {@code FERRITE_CONFIG} file.
     *
     * @param endpointUrl the endpoint.
     * @param mayCreate   true when a missing data directory may be created.
     * @return the backend.
     */
    public static CliBackend defaultBackend(final String endpointUrl, final boolean mayCreate)
    {
        if (endpointUrl.startsWith("file://"))
        {
            final Path dataDir = Path.of(endpointUrl.substring("file://".length()));
            if (!mayCreate && !Files.isDirectory(dataDir))
            {
                throw ParamException.parameter("--endpoint-url " + endpointUrl + ": no such data directory " +
                    "(only create-table creates one)");
            }
            try
            {
                return new EmbeddedBackend(EngineConfig.from(settings()).dataDir(dataDir));
            }
            catch (final IllegalStateException ex)
            {
                throw new IllegalStateException(ex.getMessage() + ": a running node owns it; stop the node first, " +
                    "or talk to the node through its aeron: endpoint", ex);
            }
        }
        if (endpointUrl.startsWith("aeron:ipc") || endpointUrl.startsWith("aeron:udp"))
        {
            return new AeronBackend(endpointUrl, settings());
        }
        throw ParamException.parameter("Invalid endpoint: " + endpointUrl + " (expected aeron:ipc, " +
            "aeron:udp?endpoint=host:port or file:///path/to/data-dir)");
    }

    private static Settings settings()
    {
        final String configFile = System.getenv("FERRITE_CONFIG");
        return Settings.load(null == configFile || configFile.isBlank() ? null : Path.of(configFile));
    }

    /**
     * Runs one command.
     *
     * @param argv the words after {@code cli}.
     * @return the exit code.
     */
    public int execute(final String[] argv)
    {
        String operation = null;
        try
        {
            final Global global = Global.extract(new ArrayList<>(Arrays.asList(argv)));
            final List<String> rest = global.rest;
            if (!rest.isEmpty() && "dynamodb".equals(rest.get(0)))
            {
                rest.remove(0);
            }
            if (rest.isEmpty())
            {
                throw ParamException.usage("ferrite cli: error: the following arguments are required: command");
            }
            if ("help".equals(rest.get(0)))
            {
                out.print(help());
                return 0;
            }
            if ("wait".equals(rest.get(0)) && rest.size() > 1 && !rest.get(1).startsWith("--"))
            {
                final String waiter = rest.remove(1);
                rest.set(0, "wait " + waiter);
            }
            final Verbs.Verb verb = Verbs.find(rest.get(0));
            if (null == verb)
            {
                throw ParamException.usage("ferrite cli: error: argument command: Invalid choice '" + rest.get(0) +
                    "', valid choices are: " + verbNames());
            }
            operation = verb.operation();
            final List<String> verbArgs = rest.subList(1, rest.size());
            if (verbArgs.size() == 1 && "help".equals(verbArgs.get(0)))
            {
                out.print(verbHelp(verb));
                return 0;
            }
            final List<CliArgs.Option> options = new ArrayList<>(verb.options());
            if (verb.paginated())
            {
                options.addAll(Verbs.PAGING);
            }
            final CliArgs args = CliArgs.parse(CliInputJson.expand(verbArgs, options), options);
            final Verbs.Response response;
            try (CliBackend backend = backendFactory.open(global.endpointUrl, "create-table".equals(verb.name())))
            {
                final BatchRunner batchRunner = new BatchRunner(backend, err, sleeper, clockMs);
                response = verb.handler().run(new Verbs(backend, batchRunner, global.paginate, sleeper), args);
            }
            print(verb, global.output, response);
            return 0;
        }
        catch (final ParamException ex)
        {
            err.println();
            if (ex.showUsage())
            {
                err.println(USAGE_BLOCK);
            }
            err.println(ex.getMessage());
            return EXIT_USAGE;
        }
        catch (final FerriteException ex)
        {
            err.println();
            err.println("An error occurred (" + ex.code().name() + ") when calling the " + operation + " operation: " +
                ex.getMessage());
            return EXIT_SERVICE_ERROR;
        }
        catch (final io.ferrite.engine.api.ConditionalCheckFailedException ex)
        {
            // with ReturnValuesOnConditionCheckFailure ALL_OLD: the AWS CLI prints the error only, as here
            err.println();
            err.println("An error occurred (" + ex.code().name() + ") when calling the " + operation + " operation: " +
                ex.getMessage());
            return EXIT_SERVICE_ERROR;
        }
        catch (final RuntimeException ex)
        {
            err.println();
            err.println(null == ex.getMessage() ? ex.toString() : ex.getMessage());
            return EXIT_OTHER;
        }
    }

    private void print(final Verbs.Verb verb, final String output, final Verbs.Response response)
    {
        final Map<String, Object> tree = response.tree();
        if (tree.isEmpty())
        {
            return;
        }
        switch (output)
        {
            case "text" ->
            {
                if (null == response.pages())
                {
                    out.print(OutputFormat.text(tree));
                }
                else
                {
                    response.pages().forEach(page -> out.print(OutputFormat.text(page)));
                    if (tree.containsKey("NextToken"))
                    {
                        out.print("NEXTTOKEN\t" + tree.get("NextToken") + "\n");
                    }
                }
            }
            case "table" -> out.print(OutputFormat.table(verb.operation(), tree));
            default -> out.println(Json.pretty(tree));
        }
        out.flush();
    }

    private static String verbNames()
    {
        final List<String> names = new ArrayList<>();
        Verbs.VERBS.forEach(v -> names.add(v.name()));
        return String.join(", ", names);
    }

    private static String help()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("ferrite cli: the AWS CLI's DynamoDB commands against Ferrite; `aws dynamodb <command> ...` works as\n")
            .append("`ferrite cli <command> ...`.\n\n")
            .append("usage: ferrite cli [--endpoint-url URL] [--output json|text|table] <command> [parameters]\n\n")
            .append("Global options:\n")
            .append("  --endpoint-url URL   aeron:ipc (default), aeron:udp?endpoint=HOST:PORT, or file:///path/to/data-dir\n")
            .append("                       (an engine data directory opened in this process, e.g. a stopped node's\n")
            .append("                       <dataDir>/shard-<i>); FERRITE_ENDPOINT_URL sets the default; with file://,\n")
            .append("                       FERRITE_CONFIG=FILE reads the node's ferrite.* settings (as server --config)\n")
            .append("  --output FORMAT      json (default), text or table\n")
            .append("  --no-paginate        one page of query/scan/list-tables, as the database returned it\n")
            .append("  --region, --profile, --no-cli-pager, --no-verify-ssl, --cli-binary-format: accepted and ignored\n\n")
            .append("Commands:\n");
        Verbs.VERBS.forEach(v -> sb.append("  ").append(v.name()).append('\n'));
        sb.append("\nConsumed capacity: put-item, get-item, update-item, delete-item, query, scan, batch-get-item and\n")
            .append("batch-write-item take --return-consumed-capacity TOTAL|INDEXES|NONE and print DynamoDB's ConsumedCapacity\n")
            .append("as the node reports it; query and scan sum CapacityUnits over every page the CLI fetched (each page\n")
            .append("costs the size of the items it read, rounded up to 4 KB once per page), as the AWS CLI does; for a\n")
            .append("batch, one entry per table, summed over every request of a batch the CLI split (25 writes, 100 keys)\n")
            .append("or resent for what came back unprocessed. The embedded engine (file://) counts no capacity: the\n")
            .append("option is checked and nothing is printed.\n");
        sb.append("\nExit codes: 0 ok, 252 bad command line, 254 error from the database, 255 other failure.\n");
        return sb.toString();
    }

    private static String verbHelp(final Verbs.Verb verb)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("ferrite cli ").append(verb.name()).append("  (DynamoDB ").append(verb.operation()).append(")\n\n");
        final List<CliArgs.Option> options = new ArrayList<>(verb.options());
        if (verb.paginated())
        {
            options.addAll(Verbs.PAGING);
        }
        for (final CliArgs.Option option : options)
        {
            sb.append(option.required() ? "  --" : "  [--").append(option.name());
            switch (option.kind())
            {
                case BOOLEAN -> sb.append(" | --no-").append(option.name());
                case FLAG -> { }
                case LIST -> sb.append(" <value> [<value>...]");
                default -> sb.append(" <value>");
            }
            sb.append(option.required() ? "\n" : "]\n");
        }
        return sb.toString();
    }

    /**
     * The AWS CLI's global options, which may appear anywhere on the line.
     */
    private static final class Global
    {
        String endpointUrl;
        String output = "json";
        boolean paginate = true;
        List<String> rest;

        static Global extract(final List<String> words)
        {
            final Global global = new Global();
            final String fromEnvironment = System.getenv("FERRITE_ENDPOINT_URL");
            global.endpointUrl = null == fromEnvironment || fromEnvironment.isBlank() ? DEFAULT_ENDPOINT : fromEnvironment;
            final List<String> rest = new ArrayList<>();
            int i = 0;
            while (i < words.size())
            {
                final String word = words.get(i++);
                switch (word)
                {
                    case "--endpoint-url" -> global.endpointUrl = value(words, i++, word);
                    case "--output" ->
                    {
                        global.output = value(words, i++, word);
                        if (!List.of("json", "text", "table").contains(global.output))
                        {
                            throw ParamException.usage("ferrite cli: error: argument --output: Invalid choice '" +
                                global.output + "', valid choices are: json, text, table");
                        }
                    }
                    case "--region", "--profile", "--cli-read-timeout", "--cli-connect-timeout", "--ca-bundle",
                        "--color", "--cli-binary-format" -> value(words, i++, word);
                    case "--no-paginate" -> global.paginate = false;
                    case "--no-cli-pager", "--no-verify-ssl", "--no-sign-request", "--debug", "--cli-auto-prompt",
                        "--no-cli-auto-prompt" ->
                    {
                    }
                    case "--query" -> throw ParamException.usage("ferrite cli: error: --query (JMESPath) is not " +
                        "supported yet; pipe --output json into jq instead");
                    default -> rest.add(word);
                }
            }
            global.rest = rest;
            return global;
        }

        private static String value(final List<String> words, final int index, final String option)
        {
            if (index >= words.size())
            {
                throw ParamException.usage("ferrite cli: error: argument " + option + ": expected one argument");
            }
            return words.get(index);
        }
    }
}
