package io.ferrite.tools.remote;

import io.ferrite.transport.client.ClientConfig;
import io.ferrite.transport.node.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's CLI session is true: its {@code console} block is run, command by command, by bash in the
 * repository root against a node started with the launcher ({@code tools/bin/ferrite server}, the README's first
 * command), and every line each command prints (stdout and stderr) must be the line the README shows.
 */
class ReadmeCliSessionTest
{
    private static final String BLOCK_START = "```console";
    private static final String BLOCK_END = "```";
    private static final String PROMPT = "$ ";

    @TempDir
    Path tempDir;

    record Step(String command, String expected)
    {
    }

    @Test
    void theCliSessionInTheReadmePrintsWhatTheReadmeShows() throws Exception
    {
        final Path root = Path.of(System.getProperty("user.dir")).getParent();
        final List<Step> steps = steps(Files.readAllLines(root.resolve("README.md"), StandardCharsets.UTF_8));
        assertTrue(steps.size() >= 5, "the README has a CLI session: " + steps);

        final StringBuilder script = new StringBuilder("__s=0\n");
        for (int i = 0; i < steps.size(); i++)
        {
            script.append("printf '").append(marker(i)).append("\\n'; (exit $__s); { ")
                .append(steps.get(i).command()).append("\n} 2>&1; __s=$?\n");
        }
        final Path scriptFile = tempDir.resolve("session.sh");
        Files.writeString(scriptFile, script.toString(), StandardCharsets.UTF_8);

        final NodeProcess node = NodeProcess.start(tempDir.resolve("data"), tempDir.resolve("aeron"), "");
        final String output;
        try
        {
            final ProcessBuilder bash = new ProcessBuilder("bash", scriptFile.toString())
                .directory(root.toFile())
                .redirectErrorStream(true);
            bash.environment().put("FERRITE_JAVA_OPTS", "-Dferrite.client.aeronDir=" + node.aeronDir());
            bash.environment().remove("FERRITE_REBUILD");
            final Process process = bash.start();
            output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "session finished");
        }
        finally
        {
            final int exit = node.terminate(30_000);
            node.close();
            assertEquals(0, exit, "node stops cleanly");
        }

        for (int i = 0; i < steps.size(); i++)
        {
            final int start = output.indexOf(marker(i) + "\n");
            assertTrue(start >= 0, "step " + i + " ran: " + output);
            final int from = start + marker(i).length() + 1;
            final int end = i + 1 < steps.size() ? output.indexOf(marker(i + 1), from) : output.length();
            final String printed = stripTrailingNewline(output.substring(from, end));
            assertEquals(steps.get(i).expected(), printed, "what the README shows for: " + steps.get(i).command());
        }
    }

    @Test
    void aNodeAndAClientWithDefaultSettingsShareOneAeronDirectory()
    {
        // The session above relies on it: `ferrite server` and `ferrite cli` are started with no settings.
        assertEquals(new NodeConfig().resolvedAeronDir(), new ClientConfig().aeronDir());
    }

    private static String marker(final int step)
    {
        return "@@@ferrite-readme-step-" + step + "@@@";
    }

    private static String stripTrailingNewline(final String text)
    {
        return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    }

    /**
     * The first {@code console} block: a line starting with the prompt begins a command (continued while a line
     * ends with a backslash); the lines up to the next prompt are what it prints.
     */
    static List<Step> steps(final List<String> readme) throws IOException
    {
        final int start = readme.indexOf(BLOCK_START);
        assertTrue(start >= 0, "README has a " + BLOCK_START + " block");
        final List<Step> steps = new ArrayList<>();
        int i = start + 1;
        while (!readme.get(i).equals(BLOCK_END))
        {
            final String first = readme.get(i);
            assertTrue(first.startsWith(PROMPT), "a command line starts with the prompt: " + first);
            final StringBuilder command = new StringBuilder(first.substring(PROMPT.length()));
            while (readme.get(i).endsWith("\\"))
            {
                i++;
                command.append('\n').append(readme.get(i));
            }
            i++;
            final List<String> expected = new ArrayList<>();
            while (!readme.get(i).startsWith(PROMPT) && !readme.get(i).equals(BLOCK_END))
            {
                expected.add(readme.get(i));
                i++;
            }
            assertFalse(command.toString().isBlank());
            steps.add(new Step(command.toString(), String.join("\n", expected)));
        }
        return steps;
    }
}
