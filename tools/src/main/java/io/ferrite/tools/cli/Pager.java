package io.ferrite.tools.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The AWS CLI's automatic pagination of Query, Scan and ListTables: follow the output token
 * (LastEvaluatedKey, LastEvaluatedTableName) page after page and print one merged result, unless
 * {@code --max-items} stops it early, in which case a {@code NextToken} tells {@code --starting-token} where
 * to resume. The token is the AWS CLI's: base64 of {@code {"ExclusiveStartKey": ..., "boto_truncate_amount": n}},
 * where the amount is how many items of the page that starts there were already printed.
 * <p>
 * The merged result sums what the AWS CLI sums (botocore's Query and Scan paginators list Count, ScannedCount and
 * ConsumedCapacity.CapacityUnits as result keys, and its full result adds up numeric result keys over every page it
 * fetched): Count and ScannedCount, and the capacity the pages consumed, counted in half units so the sum is exact.
 * <p>
 * Threading: one thread.
 */
final class Pager
{
    /**
     * One page as the pager sees it.
     *
     * @param results      the page's results (items or table names) as trees.
     * @param count        Count (may differ from results' size for Select COUNT).
     * @param scannedCount ScannedCount.
     * @param next         the output token (a key tree or a table name), or null on the last page.
     * @param consumedHalfUnits what the request for this page consumed, in half capacity units (an eventually
     *                     consistent 4 KB read is 1), or {@link #NOT_REPORTED}.
     */
    record Chunk(List<Object> results, int count, int scannedCount, Object next, long consumedHalfUnits)
    {
        /**
         * A page whose request reported no consumed capacity (not asked for, or a backend that counts none).
         */
        Chunk(final List<Object> results, final int count, final int scannedCount, final Object next)
        {
            this(results, count, scannedCount, next, NOT_REPORTED);
        }
    }

    /** A page's or a result's consumed capacity when no request reported one. */
    static final long NOT_REPORTED = -1;

    /**
     * Fetches one page.
     */
    @FunctionalInterface
    interface Fetch
    {
        /**
         * @param start    the input token (ExclusiveStartKey tree or table name), or null for the first page.
         * @param pageSize the page's Limit, or 0 for none.
         * @return the page.
         */
        Chunk fetch(Object start, int pageSize);
    }

    /**
     * Everything fetched.
     *
     * @param pages     the pages as fetched (after truncation), for text output which prints page by page.
     * @param results   all results, in order.
     * @param count     the sum of the pages' counts of what was printed.
     * @param scanned   the sum of the pages' ScannedCount.
     * @param consumedHalfUnits the sum of what every page fetched consumed, in half units (a page cut short by
     *                  --max-items or started into by --starting-token was read and charged whole, and counts whole), or
     *                  {@link #NOT_REPORTED} when no page reported it.
     * @param nextToken NextToken when --max-items stopped early, else null.
     */
    record Result(
        List<Chunk> pages, List<Object> results, int count, int scanned, long consumedHalfUnits, String nextToken)
    {
    }

    private Pager()
    {
    }

    /**
     * @param fetch          fetches a page.
     * @param inputTokenName ExclusiveStartKey or ExclusiveStartTableName (in the token).
     * @param maxItems       --max-items, or 0 for all.
     * @param startingToken  --starting-token, or null.
     * @param pageSize       --page-size, or 0.
     * @param countOnly      true for Select COUNT: count comes from the pages, there are no results.
     * @return what was fetched.
     */
    @SuppressWarnings("unchecked")
    static Result paginate(
        final Fetch fetch,
        final String inputTokenName,
        final int maxItems,
        final String startingToken,
        final int pageSize,
        final boolean countOnly)
    {
        Object start = null;
        int truncate = 0;
        if (null != startingToken)
        {
            final Map<String, Object> token = decode(startingToken);
            start = token.get(inputTokenName);
            final Object amount = token.get("boto_truncate_amount");
            truncate = null == amount ? 0 : ((Number)amount).intValue();
        }

        final List<Chunk> pages = new ArrayList<>();
        final List<Object> results = new ArrayList<>();
        int count = 0;
        int scanned = 0;
        long consumedHalfUnits = NOT_REPORTED;
        String nextToken = null;
        boolean first = true;
        while (true)
        {
            final Chunk chunk = fetch.fetch(start, pageSize);
            List<Object> kept = chunk.results();
            final int skipped = first ? Math.min(truncate, kept.size()) : 0;
            kept = kept.subList(skipped, kept.size());
            scanned += chunk.scannedCount();
            if (NOT_REPORTED != chunk.consumedHalfUnits())
            {
                consumedHalfUnits = Math.max(0, consumedHalfUnits) + chunk.consumedHalfUnits();
            }
            if (maxItems > 0 && results.size() + kept.size() > maxItems)
            {
                final int take = maxItems - results.size();
                final List<Object> taken = new ArrayList<>(kept.subList(0, take));
                results.addAll(taken);
                count += take;
                pages.add(new Chunk(taken, take, chunk.scannedCount(), null, chunk.consumedHalfUnits()));
                nextToken = encode(inputTokenName, start, take + skipped);
                break;
            }
            results.addAll(kept);
            final int pageCount = countOnly ? chunk.count() : kept.size();
            count += pageCount;
            pages.add(new Chunk(new ArrayList<>(kept), pageCount, chunk.scannedCount(), chunk.next(),
                chunk.consumedHalfUnits()));
            if (null == chunk.next())
            {
                break;
            }
            start = chunk.next();
            first = false;
            if (maxItems > 0 && results.size() == maxItems)
            {
                nextToken = encode(inputTokenName, start, 0);
                break;
            }
        }
        return new Result(pages, results, count, scanned, consumedHalfUnits, nextToken);
    }

    static String encode(final String inputTokenName, final Object start, final int truncateAmount)
    {
        final Map<String, Object> token = new LinkedHashMap<>();
        token.put(inputTokenName, start);
        if (truncateAmount > 0)
        {
            token.put("boto_truncate_amount", truncateAmount);
        }
        return Base64.getEncoder().encodeToString(Json.compact(token).getBytes(StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> decode(final String token)
    {
        try
        {
            final Object tree = Json.parse(new String(Base64.getDecoder().decode(token.strip()), StandardCharsets.UTF_8));
            if (tree instanceof Map)
            {
                return (Map<String, Object>)tree;
            }
        }
        catch (final IllegalArgumentException | Json.ParseException ex)
        {
            // reported below
        }
        throw ParamException.parameter("Error parsing parameter '--starting-token': not a NextToken printed by " +
            "this command: " + token);
    }
}
