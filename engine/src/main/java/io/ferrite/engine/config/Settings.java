package io.ferrite.engine.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The one configuration loader: a properties file overlaid by JVM system properties, with typed
 * getters whose errors name the key, the bad value and what was expected.
 * <p>
 * Every component's typed config object is built from one of these (keys are prefixed by component,
 * e.g. {@code ferrite.engine.dataDir}), so a setting can come from the file or from {@code -D} and the
 * system property wins. Not thread-safe; used at start-up only.
 */
public final class Settings
{
    private final Properties properties = new Properties();
    private final java.util.Set<String> read = new java.util.HashSet<>();
    private final String source;

    private Settings(final String source)
    {
        this.source = source;
    }

    /**
     * Settings from system properties only.
     *
     * @return the settings.
     */
    public static Settings fromSystemProperties()
    {
        final Settings settings = new Settings("system properties");
        settings.overlay(System.getProperties());
        return settings;
    }

    /**
     * Settings from a properties file (if not null) overlaid by system properties.
     *
     * @param file the properties file, or null for none.
     * @return the settings.
     */
    public static Settings load(final Path file)
    {
        if (null == file)
        {
            return fromSystemProperties();
        }

        final Settings settings = new Settings(file + " + system properties");
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            final Properties fromFile = new Properties();
            fromFile.load(reader);
            settings.overlay(fromFile);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + ex.getMessage(), ex);
        }
        settings.overlay(System.getProperties());
        return settings;
    }

    /**
     * Sets a value, overriding what was loaded (used by command-line options and tests).
     *
     * @param key   the full key.
     * @param value the value.
     * @return this.
     */
    public Settings set(final String key, final String value)
    {
        properties.setProperty(key, value);
        return this;
    }

    private void overlay(final Properties from)
    {
        for (final String name : from.stringPropertyNames())
        {
            if (name.startsWith("ferrite."))
            {
                properties.setProperty(name, from.getProperty(name));
            }
        }
    }

    private String get(final String key)
    {
        read.add(key);
        return properties.getProperty(key);
    }

    /**
     * The keys set under the given prefixes that nothing has read: misspelt or unknown settings, which would otherwise
     * be ignored without a word (call it after every configuration that reads these settings was built).
     *
     * @param prefixes the prefixes of the settings the caller's configurations read, e.g. {@code "ferrite.node."}.
     * @return those keys, sorted.
     */
    public java.util.List<String> unreadKeys(final String... prefixes)
    {
        final java.util.List<String> unread = new java.util.ArrayList<>();
        for (final String name : properties.stringPropertyNames())
        {
            for (final String prefix : prefixes)
            {
                if (name.startsWith(prefix) && !read.contains(name))
                {
                    unread.add(name);
                    break;
                }
            }
        }
        java.util.Collections.sort(unread);
        return unread;
    }

    /**
     * @return where the settings came from, for messages.
     */
    public String source()
    {
        return source;
    }

    /**
     * @param key          the full key.
     * @param defaultValue returned when the key is not set.
     * @return the string value.
     */
    public String string(final String key, final String defaultValue)
    {
        final String value = get(key);
        return null == value ? defaultValue : value.trim();
    }

    /**
     * @param key          the full key.
     * @param defaultValue returned when the key is not set.
     * @param min          smallest accepted value.
     * @param max          largest accepted value.
     * @return the value.
     */
    public long longValue(final String key, final long defaultValue, final long min, final long max)
    {
        final String text = get(key);
        if (null == text)
        {
            return defaultValue;
        }

        final long value;
        try
        {
            value = parseSize(text.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(
                "config " + key + "=" + text + " (from " + source + ") is not an integer (suffixes k, m, g allowed)");
        }

        if (value < min || value > max)
        {
            throw new IllegalArgumentException(
                "config " + key + "=" + text + " (from " + source + ") is outside [" + min + ", " + max + "]");
        }
        return value;
    }

    /**
     * @param key          the full key.
     * @param defaultValue returned when the key is not set.
     * @param min          smallest accepted value.
     * @param max          largest accepted value.
     * @return the value.
     */
    public int intValue(final String key, final int defaultValue, final int min, final int max)
    {
        return (int)longValue(key, defaultValue, min, max);
    }

    /**
     * @param key          the full key.
     * @param type         the enum type.
     * @param defaultValue returned when the key is not set.
     * @param <E>          the enum.
     * @return the value, matched ignoring case.
     */
    public <E extends Enum<E>> E enumValue(final String key, final Class<E> type, final E defaultValue)
    {
        final String text = get(key);
        if (null == text)
        {
            return defaultValue;
        }

        for (final E constant : type.getEnumConstants())
        {
            if (constant.name().equalsIgnoreCase(text.trim()))
            {
                return constant;
            }
        }
        throw new IllegalArgumentException("config " + key + "=" + text + " (from " + source + ") is not one of " +
            java.util.Arrays.toString(type.getEnumConstants()));
    }

    private static long parseSize(final String text)
    {
        final char last = Character.toLowerCase(text.charAt(text.length() - 1));
        final long multiplier = 'k' == last ? 1024L : 'm' == last ? 1024L * 1024 : 'g' == last ? 1024L * 1024 * 1024 : 1;
        final String digits = 1 == multiplier ? text : text.substring(0, text.length() - 1);
        return Math.multiplyExact(Long.parseLong(digits.replace("_", "")), multiplier);
    }
}
