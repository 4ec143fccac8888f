package io.ferrite.perf;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Runs the JMH benchmarks with JMH's own command line, giving every fork the project's JVM flags (the parent
 * pom's {@code ferrite.jvm.flags}, filtered into {@code bench.properties} at build time) plus a fixed heap,
 * unless {@code -jvmArgs} is given. Everything else is JMH's: {@code -h} lists the options.
 */
public final class RunBenchmarks
{
    private static final String DEFAULT_HEAP = "-Xms1g -Xmx1g";

    private RunBenchmarks()
    {
    }

    /**
     * @param args JMH command line options.
     * @throws CommandLineOptionException if they do not parse.
     * @throws RunnerException            if a benchmark fails.
     * @throws IOException                 if JMH's help or listing cannot be written.
     */
    public static void main(final String[] args) throws CommandLineOptionException, RunnerException, IOException
    {
        final CommandLineOptions commandLine = new CommandLineOptions(args);
        if (commandLine.shouldHelp() || commandLine.shouldList() || commandLine.shouldListWithParams() ||
            commandLine.shouldListProfilers() || commandLine.shouldListResultFormats())
        {
            org.openjdk.jmh.Main.main(args);
            return;
        }

        final ChainedOptionsBuilder options = new OptionsBuilder().parent(commandLine);
        if (!commandLine.getJvmArgs().hasValue())
        {
            options.jvmArgs(forkFlags());
        }
        new Runner(options.build()).run();
    }

    static String[] forkFlags()
    {
        final Properties properties = new Properties();
        try (InputStream in = RunBenchmarks.class.getResourceAsStream("bench.properties"))
        {
            if (null == in)
            {
                throw new IllegalStateException("bench.properties missing: build the perf module with Maven");
            }
            properties.load(in);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final List<String> flags = new ArrayList<>();
        for (final String flag : (properties.getProperty("jvm.flags") + " " + DEFAULT_HEAP).trim().split("\\s+"))
        {
            if (!flag.isEmpty())
            {
                flags.add(flag);
            }
        }
        return flags.toArray(new String[0]);
    }
}
