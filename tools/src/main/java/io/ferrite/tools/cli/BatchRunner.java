package io.ferrite.tools.cli;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.engine.admission.ConsumedCapacity;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * BatchWriteItem and BatchGetItem of any size: the requests are split into batches DynamoDB accepts (25
 * writes, 100 keys), sent in order, and what a batch leaves unprocessed is resent with jittered exponential
 * back-off; what is still unprocessed after {@link #MAX_ATTEMPTS} sends of a batch is handed back, as the
 * AWS CLI prints UnprocessedItems. When there is more than one batch a progress bar is drawn on stderr
 * (redrawn at most every 100 ms).
 * <p>
 * What the requests consumed is summed per table over every batch and every resend (each is a request DynamoDB would
 * charge), from {@link CliBackend#lastBatchConsumedCapacity()} after each: {@link #consumedHalfUnits()}. It is empty
 * when the backend reports nothing (ReturnConsumedCapacity NONE, or the embedded engine).
 * <p>
 * Threading: one thread.
 */
final class BatchRunner
{
    static final int WRITES_PER_BATCH = 25;
    static final int KEYS_PER_BATCH = 100;
    static final int MAX_ATTEMPTS = 10;
    static final long FIRST_BACKOFF_MS = 50;
    static final long MAX_BACKOFF_MS = 5_000;

    private final CliBackend backend;
    private final PrintStream progressOut;
    private final CliCommand.Sleeper sleeper;
    private final LongSupplier clockMs;
    private final SplittableRandom random = new SplittableRandom();
    private final Map<String, Long> consumedHalfUnits = new LinkedHashMap<>();
    private int retries;

    BatchRunner(final CliBackend backend, final PrintStream progressOut, final CliCommand.Sleeper sleeper, final LongSupplier clockMs)
    {
        this.backend = backend;
        this.progressOut = progressOut;
        this.sleeper = sleeper;
        this.clockMs = clockMs;
    }

    /**
     * @return batches resent because something was left unprocessed.
     */
    int retries()
    {
        return retries;
    }

    /**
     * @return per table, in the order tables first reported it, the capacity units the last {@link #write} or
     * {@link #read} consumed over all its requests, in halves (an eventually consistent 4 KB read is 1, a 1 KB write
     * 2), so that the sum is exact; empty when the backend reported none.
     */
    Map<String, Long> consumedHalfUnits()
    {
        return Collections.unmodifiableMap(consumedHalfUnits);
    }

    private void addConsumed()
    {
        for (final ConsumedCapacity table : backend.lastBatchConsumedCapacity())
        {
            // capacity units are whole or half units: doubling them gives an exact long
            consumedHalfUnits.merge(table.tableName(), Math.round(2 * table.capacityUnits()), Long::sum);
        }
    }

    private record Entry<T>(String table, T value)
    {
    }

    /**
     * @param writesByTable every write, per table, in order.
     * @return what is still unprocessed, per table (empty when everything was written).
     */
    Map<String, List<CliBackend.Write>> write(final Map<String, List<CliBackend.Write>> writesByTable)
    {
        final List<Entry<CliBackend.Write>> all = new ArrayList<>();
        writesByTable.forEach((table, writes) -> writes.forEach(w -> all.add(new Entry<>(table, w))));
        final Progress progress = new Progress("writes", all.size(), all.size() > WRITES_PER_BATCH);
        consumedHalfUnits.clear();
        final Map<String, List<CliBackend.Write>> leftOver = new LinkedHashMap<>();
        for (int from = 0; from < all.size(); from += WRITES_PER_BATCH)
        {
            Map<String, List<CliBackend.Write>> batch = group(all.subList(from, Math.min(all.size(), from + WRITES_PER_BATCH)));
            int pending = size(batch);
            for (int attempt = 1; !batch.isEmpty(); attempt++)
            {
                final Map<String, List<CliBackend.Write>> unprocessed = backend.batchWriteItem(batch);
                addConsumed();
                final int left = size(unprocessed);
                progress.advance(pending - left);
                pending = left;
                if (unprocessed.isEmpty() || attempt >= MAX_ATTEMPTS)
                {
                    unprocessed.forEach((t, w) -> leftOver.computeIfAbsent(t, k -> new ArrayList<>()).addAll(w));
                    break;
                }
                backOff(attempt);
                batch = unprocessed;
            }
        }
        progress.finish();
        return leftOver;
    }

    /**
     * @param keysByTable    every key, per table, in order.
     * @param consistentRead ConsistentRead per table.
     * @param projections    ProjectionExpression per table (absent: whole items).
     * @param names          ExpressionAttributeNames per table (absent: none).
     * @return the items found and the keys still unprocessed, per table.
     */
    CliBackend.BatchGetResult read(
        final Map<String, List<Map<String, AttributeValue>>> keysByTable,
        final Map<String, Boolean> consistentRead,
        final Map<String, String> projections,
        final Map<String, Map<String, String>> names)
    {
        final List<Entry<Map<String, AttributeValue>>> all = new ArrayList<>();
        keysByTable.forEach((table, keys) -> keys.forEach(k -> all.add(new Entry<>(table, k))));
        final Progress progress = new Progress("keys", all.size(), all.size() > KEYS_PER_BATCH);
        consumedHalfUnits.clear();
        final Map<String, List<Map<String, AttributeValue>>> responses = new LinkedHashMap<>();
        keysByTable.keySet().forEach(table -> responses.put(table, new ArrayList<>()));
        final Map<String, List<Map<String, AttributeValue>>> leftOver = new LinkedHashMap<>();
        for (int from = 0; from < all.size(); from += KEYS_PER_BATCH)
        {
            Map<String, List<Map<String, AttributeValue>>> batch =
                group(all.subList(from, Math.min(all.size(), from + KEYS_PER_BATCH)));
            int pending = size(batch);
            for (int attempt = 1; !batch.isEmpty(); attempt++)
            {
                final CliBackend.BatchGetResult result = backend.batchGetItem(batch, consistentRead,
                    only(projections, batch.keySet()), only(names, batch.keySet()));
                addConsumed();
                result.responses().forEach((t, items) -> responses.computeIfAbsent(t, k -> new ArrayList<>()).addAll(items));
                final Map<String, List<Map<String, AttributeValue>>> unprocessed = nonEmpty(result.unprocessedKeys());
                final int left = size(unprocessed);
                progress.advance(pending - left);
                pending = left;
                if (unprocessed.isEmpty() || attempt >= MAX_ATTEMPTS)
                {
                    unprocessed.forEach((t, k) -> leftOver.computeIfAbsent(t, x -> new ArrayList<>()).addAll(k));
                    break;
                }
                backOff(attempt);
                batch = unprocessed;
            }
        }
        progress.finish();
        return new CliBackend.BatchGetResult(responses, leftOver);
    }

    /** The entries of {@code byTable} for the tables of one batch (each batch names only the tables it reads). */
    private static <V> Map<String, V> only(final Map<String, V> byTable, final java.util.Set<String> tables)
    {
        final Map<String, V> selected = new LinkedHashMap<>();
        byTable.forEach((table, value) ->
        {
            if (tables.contains(table))
            {
                selected.put(table, value);
            }
        });
        return selected;
    }

    private void backOff(final int attempt)
    {
        retries++;
        final long ceiling = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(attempt - 1, 20));
        final long delay = ceiling / 2 + random.nextLong(ceiling / 2 + 1);
        try
        {
            sleeper.sleep(delay);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while backing off before a retry", ex);
        }
    }

    private static <T> Map<String, List<T>> group(final List<Entry<T>> entries)
    {
        final Map<String, List<T>> byTable = new LinkedHashMap<>();
        entries.forEach(e -> byTable.computeIfAbsent(e.table(), k -> new ArrayList<>()).add(e.value()));
        return byTable;
    }

    private static <T> Map<String, List<T>> nonEmpty(final Map<String, List<T>> byTable)
    {
        final Map<String, List<T>> result = new LinkedHashMap<>();
        byTable.forEach((t, list) ->
        {
            if (!list.isEmpty())
            {
                result.put(t, list);
            }
        });
        return result;
    }

    private static int size(final Map<String, ? extends List<?>> byTable)
    {
        int size = 0;
        for (final List<?> list : byTable.values())
        {
            size += list.size();
        }
        return size;
    }

    private final class Progress
    {
        private static final int BAR_WIDTH = 30;
        private static final long REDRAW_INTERVAL_MS = 100;

        private final String unit;
        private final int total;
        private final boolean enabled;
        private int done;
        private int drawn = -1;
        private long lastDrawMs = Long.MIN_VALUE;

        Progress(final String unit, final int total, final boolean enabled)
        {
            this.unit = unit;
            this.total = total;
            this.enabled = enabled;
        }

        void advance(final int count)
        {
            done += count;
            final long now = clockMs.getAsLong();
            if (enabled && (now - lastDrawMs >= REDRAW_INTERVAL_MS || done == total))
            {
                lastDrawMs = now;
                draw();
            }
        }

        void finish()
        {
            if (enabled)
            {
                if (drawn != done)
                {
                    draw();
                }
                progressOut.print('\n');
                progressOut.flush();
            }
        }

        private void draw()
        {
            drawn = done;
            final int filled = 0 == total ? BAR_WIDTH : (int)((long)done * BAR_WIDTH / total);
            progressOut.print("\r[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "] " + done + "/" + total +
                " " + unit + " (" + (0 == total ? 100 : (long)done * 100 / total) + "%)" +
                (retries > 0 ? ", " + retries + " retries" : ""));
            progressOut.flush();
        }
    }
}
