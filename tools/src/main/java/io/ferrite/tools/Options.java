package io.ferrite.tools;

import java.util.HashMap;
import java.util.Map;

/**
 * {@code --name value} and {@code --flag} command-line options, with errors that name the option.
 */
public final class Options
{
    private final Map<String, String> values = new HashMap<>();

    private Options()
    {
    }

    /**
     * @param args    the arguments.
     * @param known   option names (without dashes) that take a value.
     * @param flags   option names that take none.
     * @return the parsed options.
     * @throws IllegalArgumentException on an unknown option or a missing value.
     */
    public static Options parse(final String[] args, final String[] known, final String[] flags)
    {
        final Options options = new Options();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if (!arg.startsWith("--"))
            {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
            final String name = arg.substring(2);
            if (contains(flags, name))
            {
                options.values.put(name, "true");
            }
            else if (contains(known, name))
            {
                if (i + 1 >= args.length)
                {
                    throw new IllegalArgumentException("option --" + name + " needs a value");
                }
                options.values.put(name, args[++i]);
            }
            else
            {
                throw new IllegalArgumentException("unknown option --" + name);
            }
        }
        return options;
    }

    private static boolean contains(final String[] names, final String name)
    {
        for (final String candidate : names)
        {
            if (candidate.equals(name))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param name         option name.
     * @param defaultValue returned when absent.
     * @return the value.
     */
    public String string(final String name, final String defaultValue)
    {
        return values.getOrDefault(name, defaultValue);
    }

    /**
     * @param name         option name.
     * @param defaultValue returned when absent.
     * @return the value as a long.
     */
    public long longValue(final String name, final long defaultValue)
    {
        final String value = values.get(name);
        if (null == value)
        {
            return defaultValue;
        }
        try
        {
            return Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("option --" + name + " needs an integer, got '" + value + "'");
        }
    }

    /**
     * @param name         option name.
     * @param defaultValue returned when absent.
     * @return the value as an int.
     * @throws IllegalArgumentException when it is not an integer or does not fit an int (a cast would wrap
     *                                  4294967296 to 0, a member id or a key count the operator never gave).
     */
    public int intValue(final String name, final int defaultValue)
    {
        final long value = longValue(name, defaultValue);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("option --" + name + " is out of range, got " + value);
        }
        return (int)value;
    }

    /**
     * @param name a flag's name.
     * @return true when the flag was given.
     */
    public boolean flag(final String name)
    {
        return values.containsKey(name);
    }
}
