package io.ferrite.cell;

import io.ferrite.codecs.key.KeyHash;
import io.ferrite.engine.config.EngineConfig;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The settings of a member that decide outcomes of the log, and their fingerprint. Members apply the same log each to
 * its own engine, so a setting that changes what a logged message does (a refusal, an eviction, an answer's bytes)
 * must be equal on every member, or they differ silently. The cell records the settings of the first member whose
 * SETTINGS message reached its log (decision 0013, "Settings of record"), and each member compares its own with them.
 * <p>
 * In, and why:
 * <ul>
 * <li>{@code ferrite.engine.partitionMaxItems}: a new item past it is refused (ItemCollectionSizeLimitExceeded);
 * <li>{@code ferrite.engine.partitionMaxBytes}, the value in force (set, or derived from partitionMaxItems and the
 * averages {@code averageKeyBytes}/{@code averageItemBytes}, which count only through it): a write past it is
 * refused, and the refusal's message names it (answers are recorded in the dedupe table byte for byte);
 * <li>{@code ferrite.engine.initialPartitions}: how many partitions a table has, so which items share a partition's
 * bounds, and the partition ids in refusals;
 * <li>{@code ferrite.cell.dedupeMaxBytes}, and the dedupe table's count bounds (answers per client, answers in all;
 * fixed in this build, but a build that changed them would evict differently): which retries are answered from the
 * table and which are applied again.
 * </ul>
 * Out, and why: the store kind (a cell runs the hash store only: {@link CellState} refuses another), the averages
 * themselves (they size the store, and count only through the byte bound), the data directory, the WAL's fsync,
 * batching and pretouch, the store's memory and page-cache folios, checkpoints, the command queue, the free-disk and
 * available-memory margins {@code minFreeDiskBytes} and {@code minAvailableMemoryBytes} (local
 * durability and speed; a failure or refusal there stops the member, it is never an answer), the cluster's timeouts, term and segment lengths, retention, snapshot interval, idle
 * strategies, fault injection (Aeron's or the member's own; the log is the leader's either way), and the replica
 * flag (always set in a cell).
 * <p>
 * Immutable.
 */
final class CellSettings
{
    static final String PARTITION_MAX_ITEMS = EngineConfig.PREFIX + "partitionMaxItems";
    static final String PARTITION_MAX_BYTES = EngineConfig.PREFIX + "partitionMaxBytes";
    static final String INITIAL_PARTITIONS = EngineConfig.PREFIX + "initialPartitions";
    static final String DEDUPE_MAX_BYTES = "ferrite.cell.dedupeMaxBytes";
    static final String DEDUPE_PER_CLIENT = "ferrite.cell.dedupeAnswersPerClient";
    static final String DEDUPE_TOTAL = "ferrite.cell.dedupeAnswers";

    private final TreeMap<String, String> values;
    private final String text;
    private final long fingerprint;

    private CellSettings(final TreeMap<String, String> values)
    {
        this.values = values;
        final StringBuilder builder = new StringBuilder();
        values.forEach((key, value) -> builder.append(key).append('=').append(value).append('\n'));
        this.text = builder.toString();
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        this.fingerprint = KeyHash.xxh64(new UnsafeBuffer(bytes), 0, bytes.length, 0);
    }

    /**
     * @param engine          the member's engine configuration.
     * @param dedupePerClient answers the dedupe table keeps per client.
     * @param dedupeTotal     answers it keeps in all.
     * @param dedupeMaxBytes  bytes of answers it keeps in all.
     * @return the outcome-deciding settings among them.
     */
    static CellSettings of(
        final EngineConfig engine, final int dedupePerClient, final int dedupeTotal, final long dedupeMaxBytes)
    {
        final TreeMap<String, String> values = new TreeMap<>();
        values.put(PARTITION_MAX_ITEMS, Long.toString(engine.partitionMaxItems()));
        values.put(PARTITION_MAX_BYTES, Long.toString(engine.partitionMaxBytes()));
        values.put(INITIAL_PARTITIONS, Integer.toString(engine.initialPartitions()));
        values.put(DEDUPE_MAX_BYTES, Long.toString(dedupeMaxBytes));
        values.put(DEDUPE_PER_CLIENT, Integer.toString(dedupePerClient));
        values.put(DEDUPE_TOTAL, Integer.toString(dedupeTotal));
        return new CellSettings(values);
    }

    /**
     * @param text the form {@link #text()} gives ({@code key=value} lines).
     * @return the settings it holds.
     */
    static CellSettings parse(final String text)
    {
        final TreeMap<String, String> values = new TreeMap<>();
        for (final String line : text.split("\n"))
        {
            final int at = line.indexOf('=');
            if (at > 0)
            {
                values.put(line.substring(0, at), line.substring(at + 1));
            }
        }
        return new CellSettings(values);
    }

    /**
     * @return the settings by name.
     */
    Map<String, String> values()
    {
        return java.util.Collections.unmodifiableMap(values);
    }

    /**
     * @return {@code key=value} lines in key order: what a SETTINGS message and a snapshot carry.
     */
    String text()
    {
        return text;
    }

    /**
     * @return xxh64 of {@link #text()}.
     */
    long fingerprint()
    {
        return fingerprint;
    }

    /**
     * @param recorded the cell's settings of record.
     * @return one line per setting that differs ({@code name: here X, cell Y}); empty when they are equal.
     */
    List<String> differences(final CellSettings recorded)
    {
        final TreeMap<String, String> all = new TreeMap<>(values);
        recorded.values.forEach(all::putIfAbsent);
        final List<String> lines = new ArrayList<>();
        for (final String key : all.keySet())
        {
            final String here = values.get(key);
            final String there = recorded.values.get(key);
            if (null == here ? null != there : !here.equals(there))
            {
                lines.add(key + ": here " + (null == here ? "(unknown to this build)" : here) + ", cell " +
                    (null == there ? "(unknown to the recording build)" : there));
            }
        }
        return lines;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "fingerprint=" + Long.toHexString(fingerprint) + " " + values;
    }
}
