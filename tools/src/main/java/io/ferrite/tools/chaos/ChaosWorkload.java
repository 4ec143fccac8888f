package io.ferrite.tools.chaos;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.engine.wal.FsyncPolicy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the chaos writer writes and what the checker expects from it, in one place so that the two cannot
 * drift: the engine configuration both open the data directory with, the table, and the item each
 * operation produces from a key and a version.
 * <p>
 * Every operation carries a version unique across the whole run, so an item found after a crash names
 * the one operation that wrote it. Contents are derived from the version alone (and, for an update, from
 * the item it updated), so a torn or mixed-up image does not match.
 * <p>
 * Stateless; any thread.
 */
final class ChaosWorkload
{
    static final String TABLE = "chaos";
    static final String KEY = "k";
    static final String VERSION = "v";
    static final String OP = "op";
    static final String PAD = "pad";
    static final String UPDATED = "upd";

    /** Keys are drawn from {@code k0..k(KEY_SPACE-1)}: new keys early on, mostly overwrites and deletes later. */
    static final int KEY_SPACE = 3_000;

    /** The operations, as the writer names them on its ack lines. */
    enum Op
    {
        PUT, UPDATE, DELETE
    }

    private ChaosWorkload()
    {
    }

    /**
     * The configuration the writer and the checker both open the data directory with: the partition store
     * sizing must not differ between the two.
     */
    static EngineConfig engineConfig(final Path dataDir, final FsyncPolicy fsyncPolicy)
    {
        return new EngineConfig()
            .dataDir(dataDir)
            .fsyncPolicy(fsyncPolicy)
            .initialPartitions(2)
            .partitionMaxItems(20_000)
            .averageItemBytes(256);
    }

    static TableSpec tableSpec()
    {
        return TableSpec.of(TABLE).partitionKey(KEY, KeyType.S);
    }

    static Map<String, AttributeValue> key(final String key)
    {
        return Map.of(KEY, AttributeValue.s(key));
    }

    static Map<String, AttributeValue> putItem(final String key, final long version)
    {
        return Map.of(
            KEY, AttributeValue.s(key),
            VERSION, AttributeValue.n(version),
            OP, AttributeValue.s("put"),
            PAD, AttributeValue.s(pad(version)));
    }

    /** The attributes an update sets; it also removes {@link #PAD} when {@link #updateRemovesPad}. */
    static Map<String, AttributeValue> updateSet(final long version)
    {
        return Map.of(
            VERSION, AttributeValue.n(version),
            OP, AttributeValue.s("update"),
            UPDATED, AttributeValue.s("u" + version));
    }

    static List<String> updateRemove(final long version)
    {
        return updateRemovesPad(version) ? List.of(PAD) : List.of();
    }

    private static boolean updateRemovesPad(final long version)
    {
        return 0 == (version & 1);
    }

    /**
     * The item a key holds after {@code op} at {@code version} is applied to {@code before}.
     *
     * @param op      the operation.
     * @param key     the key.
     * @param version the operation's version.
     * @param before  the item before, or null for none.
     * @return the item after, or null for none.
     */
    static Map<String, AttributeValue> apply(
        final Op op, final String key, final long version, final Map<String, AttributeValue> before)
    {
        switch (op)
        {
            case PUT:
                return putItem(key, version);

            case UPDATE:
                final Map<String, AttributeValue> after = new TreeMap<>();
                if (null == before)
                {
                    after.put(KEY, AttributeValue.s(key));
                }
                else
                {
                    after.putAll(before);
                }
                after.putAll(updateSet(version));
                updateRemove(version).forEach(after::remove);
                return after;

            case DELETE:
                return null;

            default:
                throw new IllegalArgumentException("unknown op " + op);
        }
    }

    /**
     * @param item an item of the chaos table.
     * @return the version that wrote it, or -1 when it has none (it was never written by the workload).
     */
    static long versionOf(final Map<String, AttributeValue> item)
    {
        final AttributeValue version = item.get(VERSION);
        if (null == version)
        {
            return -1;
        }
        try
        {
            return Long.parseLong(version.asNumber());
        }
        catch (final RuntimeException ex)
        {
            return -1;
        }
    }

    /** 0 to 299 characters that depend on the version, so items differ in size and content. */
    private static String pad(final long version)
    {
        final int length = (int)((version * 7919) % 300);
        final StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            sb.append((char)('a' + (version + i) % 26));
        }
        return sb.toString();
    }
}
