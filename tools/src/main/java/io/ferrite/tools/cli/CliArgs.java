package io.ferrite.tools.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A verb's command line, parsed as the AWS CLI parses it: {@code --name value} options (the last of a
 * repeated option wins), boolean pairs {@code --x / --no-x}, list options that take every following word up
 * to the next option, {@code file://} (text) and {@code fileb://} (base64 of the bytes) values read from files,
 * and structure values in JSON or shorthand syntax.
 * <p>
 * Threading: one thread.
 */
public final class CliArgs
{
    /**
     * How an option takes its value.
     */
    public enum Kind
    {
        /** One word. */
        STRING,
        /** One word, an integer. */
        INTEGER,
        /** {@code --x} or {@code --no-x}, no value. */
        BOOLEAN,
        /** A flag with no negative form. */
        FLAG,
        /** One word: a structure or map in JSON or shorthand. */
        STRUCTURE,
        /** One or more words: list elements in shorthand, or one JSON list. */
        LIST
    }

    /**
     * An option a verb accepts.
     *
     * @param name     without dashes, e.g. {@code table-name}.
     * @param kind     how it takes its value.
     * @param required true when the verb cannot run without it.
     */
    public record Option(String name, Kind kind, boolean required)
    {
    }

    private final Map<String, List<String>> values = new LinkedHashMap<>();
    private final Map<String, Boolean> booleans = new LinkedHashMap<>();

    private CliArgs()
    {
    }

    /**
     * @param args    the words after the verb.
     * @param options the options the verb (and the CLI) accepts.
     * @return the parsed options.
     * @throws ParamException naming unknown options and missing required ones.
     */
    public static CliArgs parse(final List<String> args, final List<Option> options)
    {
        final Map<String, Option> byName = new LinkedHashMap<>();
        options.forEach(o -> byName.put(o.name(), o));
        final CliArgs parsed = new CliArgs();
        final List<String> unknown = new ArrayList<>();
        int i = 0;
        while (i < args.size())
        {
            final String word = args.get(i++);
            if (!word.startsWith("--"))
            {
                unknown.add(word);
                continue;
            }
            final String name = word.substring(2);
            Option option = byName.get(name);
            if (null == option && name.startsWith("no-"))
            {
                final Option positive = byName.get(name.substring(3));
                if (null != positive && positive.kind() == Kind.BOOLEAN)
                {
                    parsed.booleans.put(positive.name(), Boolean.FALSE);
                    continue;
                }
            }
            if (null == option)
            {
                unknown.add(word);
                continue;
            }
            switch (option.kind())
            {
                case BOOLEAN, FLAG -> parsed.booleans.put(name, Boolean.TRUE);
                case LIST ->
                {
                    final List<String> words = new ArrayList<>();
                    while (i < args.size() && !args.get(i).startsWith("--"))
                    {
                        words.add(args.get(i++));
                    }
                    if (words.isEmpty())
                    {
                        throw ParamException.usage("argument --" + name + ": expected at least one argument");
                    }
                    parsed.values.put(name, words);
                }
                default ->
                {
                    if (i >= args.size())
                    {
                        throw ParamException.usage("argument --" + name + ": expected one argument");
                    }
                    parsed.values.put(name, List.of(args.get(i++)));
                }
            }
        }
        if (!unknown.isEmpty())
        {
            throw ParamException.usage("Unknown options: " + String.join(", ", unknown));
        }
        final List<String> missing = new ArrayList<>();
        for (final Option option : options)
        {
            if (option.required() && !parsed.values.containsKey(option.name()) &&
                !parsed.booleans.containsKey(option.name()))
            {
                missing.add("--" + option.name());
            }
        }
        if (!missing.isEmpty())
        {
            throw ParamException.usage("the following arguments are required: " + String.join(", ", missing));
        }
        return parsed;
    }

    /**
     * @param name an option's name.
     * @return true when it was given.
     */
    public boolean has(final String name)
    {
        return values.containsKey(name) || booleans.containsKey(name);
    }

    /**
     * @param name a string option.
     * @return its value (a {@code file://} value's file contents), or null when absent.
     */
    public String string(final String name)
    {
        final List<String> words = values.get(name);
        return null == words ? null : resolve(name, words.get(0));
    }

    /**
     * @param name         an integer option.
     * @param defaultValue when absent.
     * @return its value.
     */
    public int integer(final String name, final int defaultValue)
    {
        final String text = string(name);
        if (null == text)
        {
            return defaultValue;
        }
        try
        {
            return Integer.parseInt(text.strip());
        }
        catch (final NumberFormatException ex)
        {
            throw ParamException.parameter("invalid literal for int() with base 10: '" + text + "'");
        }
    }

    /**
     * @param name         a boolean option.
     * @param defaultValue when neither {@code --name} nor {@code --no-name} was given.
     * @return its value.
     */
    public boolean bool(final String name, final boolean defaultValue)
    {
        return booleans.getOrDefault(name, defaultValue);
    }

    /**
     * A structure or map value, from JSON (when it starts with a brace) or shorthand.
     *
     * @param name the option.
     * @return the tree and whether it came from shorthand, or null when absent.
     */
    public Value structure(final String name)
    {
        final String text = string(name);
        return null == text ? null : parseValue(name, text);
    }

    /**
     * A list value: one JSON list, or one element per word (JSON or shorthand each).
     *
     * @param name the option.
     * @return the elements, or null when absent.
     */
    public List<Value> list(final String name)
    {
        final List<String> words = values.get(name);
        if (null == words)
        {
            return null;
        }
        final List<Value> elements = new ArrayList<>();
        if (words.size() == 1)
        {
            final String text = resolve(name, words.get(0));
            if (text.strip().startsWith("["))
            {
                final Object tree = parseJson(name, text);
                if (tree instanceof List<?> list)
                {
                    list.forEach(element -> elements.add(new Value(element, false)));
                    return elements;
                }
            }
            elements.add(parseValue(name, text));
            return elements;
        }
        for (final String word : words)
        {
            elements.add(parseValue(name, resolve(name, word)));
        }
        return elements;
    }

    /**
     * A parsed structure value.
     *
     * @param tree      the tree ({@link Json}'s model).
     * @param shorthand true when it came from shorthand syntax (every scalar a string).
     */
    public record Value(Object tree, boolean shorthand)
    {
    }

    private static Value parseValue(final String name, final String text)
    {
        final String stripped = text.strip();
        if (stripped.startsWith("{") || stripped.startsWith("["))
        {
            return new Value(parseJson(name, text), false);
        }
        try
        {
            return new Value(Shorthand.parse(text), true);
        }
        catch (final Shorthand.ParseException ex)
        {
            throw ParamException.parameter("Error parsing parameter '--" + name + "': " + ex.getMessage());
        }
    }

    private static Object parseJson(final String name, final String text)
    {
        try
        {
            return Json.parse(text);
        }
        catch (final Json.ParseException ex)
        {
            throw ParamException.parameter("Error parsing parameter '--" + name + "': Invalid JSON: " +
                ex.getMessage() + "\nJSON received: " + text);
        }
    }

    private static String resolve(final String name, final String word)
    {
        final boolean binary = word.startsWith("fileb://");
        if (!binary && !word.startsWith("file://"))
        {
            return word;
        }
        final String location = word.substring(binary ? 8 : 7);
        final Path path = Path.of(location.startsWith("~") ? System.getProperty("user.home") + location.substring(1) :
            location);
        try
        {
            final byte[] bytes = Files.readAllBytes(path);
            return binary ? Base64.getEncoder().encodeToString(bytes) : new String(bytes, StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            throw ParamException.parameter("Error parsing parameter '--" + name + "': Unable to load paramfile " +
                word + ": [Errno 2] No such file or directory: '" + location + "'");
        }
        catch (final IOException ex)
        {
            throw ParamException.parameter("Error parsing parameter '--" + name + "': Unable to load paramfile " +
                word + ": " + ex);
        }
    }
}
