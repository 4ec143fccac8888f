package io.ferrite.tools;

import io.ferrite.tools.cli.CliCommand;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Entry point of {@code tools/bin/ferrite}: dispatches to a command by its first argument.
 */
public final class FerriteMain
{
    /**
     * A command-line command.
     */
    @FunctionalInterface
    public interface Command
    {
        /**
         * @param args the arguments after the command's name.
         * @return the process exit code.
         * @throws Exception anything unexpected (printed, exit code 1).
         */
        int run(String[] args) throws Exception;
    }

    private static final Map<String, Command> COMMANDS = new TreeMap<>();
    private static final Map<String, String> USAGE = new TreeMap<>();

    static
    {
        register("server", ServerCommand::run, ServerCommand.USAGE);
        register("chaos", ChaosCommand::run, ChaosCommand.USAGE);
        register("stat", StatCommand::run, StatCommand.USAGE);
        register("cli", CliCommand::run, CliCommand.USAGE);
        register("ping", PingCommand::run, PingCommand.USAGE);
        register("cell", CellCommand::run, CellCommand.USAGE);
    }

    private FerriteMain()
    {
    }

    static void register(final String name, final Command command, final String usage)
    {
        COMMANDS.put(name, command);
        USAGE.put(name, usage);
    }

    /**
     * @param args command name, then its arguments.
     */
    public static void main(final String[] args)
    {
        System.exit(execute(args));
    }

    /**
     * Runs a command as {@link #main} does, without exiting.
     *
     * @param args command name, then its arguments.
     * @return the exit code: 0 success, 1 failure, 2 usage error (the command's own otherwise, e.g. cli's).
     */
    static int execute(final String[] args)
    {
        if (0 == args.length || "help".equals(args[0]) || "--help".equals(args[0]) || "-h".equals(args[0]))
        {
            printUsage();
            return 0 == args.length ? 2 : 0;
        }

        final Command command = COMMANDS.get(args[0]);
        if (null == command)
        {
            System.err.println("ferrite: unknown command '" + args[0] + "'");
            printUsage();
            return 2;
        }
        // `ferrite server --help` prints the command's usage (cli has its own help, as the AWS CLI does)
        if (!"cli".equals(args[0]) && Arrays.stream(args, 1, args.length).anyMatch(a -> "--help".equals(a) || "-h".equals(a)))
        {
            System.out.println("usage: tools/bin/ferrite " + USAGE.get(args[0]));
            return 0;
        }

        int exitCode;
        try
        {
            exitCode = command.run(Arrays.copyOfRange(args, 1, args.length));
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("ferrite " + args[0] + ": " + ex.getMessage());
            System.err.println("usage: " + USAGE.get(args[0]));
            exitCode = 2;
        }
        catch (final Exception ex)
        {
            System.err.println("ferrite " + args[0] + " failed: " + ex);
            ex.printStackTrace(System.err);
            exitCode = 1;
        }
        return exitCode;
    }

    private static void printUsage()
    {
        System.err.println("usage: tools/bin/ferrite <command> [options]");
        USAGE.forEach((name, usage) -> System.err.println("  " + usage));
    }
}
