package io.ferrite.tools.chaos.history;

import io.ferrite.tools.chaos.history.LinearizabilityChecker.Verdict;
import io.ferrite.tools.chaos.history.RegisterOp.Kind;
import io.ferrite.tools.chaos.history.RegisterOp.Outcome;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Judges a whole recorded history: each key's register history through the {@link LinearizabilityChecker}, and
 * beside it the counts a game day reports.
 * <p>
 * <b>The scheme.</b> Every write carries a value unique across the run (a token naming the client and its
 * operation), so a value seen names the one operation that wrote it. The history ends with a final strongly
 * consistent read of every key, taken after the load stopped. The register model has no delete: once written, a
 * key is never absent again. Definitions (an "observation" is an answered read, load or final):
 * <ul>
 *   <li><b>acked</b>: writes and conditional writes of the load answered OK.</li>
 *   <li><b>lost</b>: acked writes whose effect is gone in a way no linearization explains: some observation invoked
 *   after the write completed returned a value that is neither the write's own nor the value of a write that could
 *   have taken effect after it (one not answered before the lost write was invoked, and invoked before the
 *   observation completed). No item, and a value nobody wrote, qualify. Each acked write counts once. (A
 *   re-applied old write seen by a read with no read between shows here too: the later acked writes it hides are
 *   lost to that reader.)</li>
 *   <li><b>duplicated</b>: writes that took effect twice: their value was certainly in the register (the write was
 *   acked, or a read returned it), then an observation invoked after that returned another value, then an
 *   observation invoked after that one completed returned the first value again. With unique values and one
 *   application per write that cannot happen. Counted once per write. (ADD counters or append-only lists would
 *   count applications directly; the node does not carry update expressions over the wire yet, so the register's
 *   reappearance is the evidence used.)</li>
 *   <li><b>availability</b>: the share of the load's requests (not the final reads) answered successfully (OK, or
 *   a definite condition failure) within the client timeout.</li>
 *   <li><b>linearizable</b>: true when every key's history is linearizable; a key the checker gave up on (budget)
 *   makes it false and is named.</li>
 * </ul>
 * <p>
 * Stateless; any thread.
 */
public final class HistoryCheck
{
    private static final int MAX_PROBLEMS = 20;

    private HistoryCheck()
    {
    }

    /**
     * What the check found.
     *
     * @param acked         acked writes of the load.
     * @param lost          of those, lost (see the class comment).
     * @param duplicated    writes applied twice.
     * @param linearizable  every key proven linearizable.
     * @param keys          keys checked.
     * @param keysUndecided keys the checker gave up on.
     * @param requests      the load's requests.
     * @param answered      of those, answered successfully within the timeout.
     * @param problems      the first problems found, one line (or witness) each.
     */
    public record Report(long acked, long lost, long duplicated, boolean linearizable, int keys, int keysUndecided,
        long requests, long answered, List<String> problems)
    {
        /**
         * @return the share of requests answered successfully within the timeout, in percent (100 with no request).
         */
        public double availabilityPercent()
        {
            return 0 == requests ? 100.0 : 100.0 * answered / requests;
        }

        /**
         * @return {@code acked=A lost=L duplicated=D linearizable=true|false availability=P%}.
         */
        public String summaryLine()
        {
            return "acked=" + acked + " lost=" + lost + " duplicated=" + duplicated + " linearizable=" + linearizable +
                " availability=" + String.format(Locale.ROOT, "%.2f", availabilityPercent()) + "%";
        }

        /**
         * @return true when nothing was lost or duplicated and the history is linearizable.
         */
        public boolean passed()
        {
            return 0 == lost && 0 == duplicated && linearizable;
        }
    }

    /**
     * Checks a history.
     *
     * @param opsByKey        each key's operations, final reads included.
     * @param firstFinalOpId  operations with an id at or above this are the final reads (not load).
     * @param timeoutNs       the client timeout, for availability.
     * @param budgetPerKey    the checker's step budget per key.
     * @return the report.
     */
    public static Report check(final Map<String, List<RegisterOp>> opsByKey, final int firstFinalOpId,
        final long timeoutNs, final long budgetPerKey)
    {
        final List<String> problems = new ArrayList<>();
        long acked = 0;
        long lost = 0;
        long duplicated = 0;
        long requests = 0;
        long answered = 0;
        int undecided = 0;
        boolean linearizable = true;
        for (final Map.Entry<String, List<RegisterOp>> entry : new TreeMap<>(opsByKey).entrySet())
        {
            final String key = entry.getKey();
            final List<RegisterOp> ops = entry.getValue();
            for (final RegisterOp op : ops)
            {
                if (op.id() >= firstFinalOpId)
                {
                    continue;
                }
                requests++;
                if (op.answered() && op.completeNs() - op.invokeNs() <= timeoutNs)
                {
                    answered++;
                }
                if (Kind.READ != op.kind() && Outcome.OK == op.outcome())
                {
                    acked++;
                }
            }
            for (final RegisterOp op : lostWrites(ops, firstFinalOpId))
            {
                lost++;
                note(problems, "LOST key " + key + ": " + op + " acked, then gone");
            }
            for (final RegisterOp op : duplicatedWrites(ops))
            {
                duplicated++;
                note(problems, "DUPLICATED key " + key + ": " + op + " took effect again after being overwritten");
            }
            final LinearizabilityChecker.Result result = LinearizabilityChecker.check(ops, budgetPerKey);
            if (Verdict.LINEARIZABLE != result.verdict())
            {
                linearizable = false;
                if (Verdict.UNKNOWN == result.verdict())
                {
                    undecided++;
                    note(problems, "UNDECIDED key " + key + ": " + result.witness());
                }
                else
                {
                    note(problems, "NOT LINEARIZABLE key " + key + ": " + result.witness());
                }
            }
        }
        return new Report(acked, lost, duplicated, linearizable, opsByKey.size(), undecided, requests, answered,
            problems);
    }

    private static void note(final List<String> problems, final String problem)
    {
        if (problems.size() < MAX_PROBLEMS)
        {
            problems.add(problem);
        }
    }

    /**
     * @param ops            one key's operations.
     * @param firstFinalOpId where the final reads' ids start.
     * @return the acked load writes that are lost (class comment), in invoke order.
     */
    static List<RegisterOp> lostWrites(final List<RegisterOp> ops, final int firstFinalOpId)
    {
        final Map<Long, List<RegisterOp>> writersByValue = new HashMap<>();
        final List<RegisterOp> acked = new ArrayList<>();
        final List<RegisterOp> observations = new ArrayList<>();
        for (final RegisterOp op : ops)
        {
            if (Kind.READ == op.kind())
            {
                if (Outcome.OK == op.outcome())
                {
                    observations.add(op);
                }
                continue;
            }
            if (Outcome.FAILED != op.outcome() && Outcome.CONDITION_FAILED != op.outcome())
            {
                writersByValue.computeIfAbsent(op.value(), v -> new ArrayList<>()).add(op);
            }
            if (Outcome.OK == op.outcome() && op.id() < firstFinalOpId)
            {
                acked.add(op);
            }
        }
        observations.sort(Comparator.comparingLong(RegisterOp::invokeNs));
        final List<RegisterOp> lost = new ArrayList<>();
        for (final RegisterOp write : acked)
        {
            for (int i = observations.size() - 1; i >= 0 && observations.get(i).invokeNs() > write.completeNs(); i--)
            {
                final RegisterOp read = observations.get(i);
                if (read.value() != write.value() && !explainedAfter(writersByValue.get(read.value()), write, read))
                {
                    lost.add(write);
                    break;
                }
            }
        }
        lost.sort(Comparator.comparingLong(RegisterOp::invokeNs));
        return lost;
    }

    private static boolean explainedAfter(final List<RegisterOp> writers, final RegisterOp write, final RegisterOp read)
    {
        if (null == writers)
        {
            return false;
        }
        for (final RegisterOp other : writers)
        {
            if (other.completionBound() > write.invokeNs() && other.invokeNs() < read.completeNs())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param ops one key's operations.
     * @return the writes that took effect twice (class comment), in invoke order.
     */
    static List<RegisterOp> duplicatedWrites(final List<RegisterOp> ops)
    {
        final List<RegisterOp> reads = new ArrayList<>();
        final Map<Long, RegisterOp> writerByValue = new HashMap<>();
        final Map<Long, Integer> writers = new HashMap<>();
        for (final RegisterOp op : ops)
        {
            if (Kind.READ == op.kind())
            {
                if (Outcome.OK == op.outcome())
                {
                    reads.add(op);
                }
            }
            else if (Outcome.FAILED != op.outcome() && Outcome.CONDITION_FAILED != op.outcome())
            {
                writerByValue.put(op.value(), op);
                writers.merge(op.value(), 1, Integer::sum);
            }
        }
        reads.sort(Comparator.comparingLong(RegisterOp::invokeNs));
        final int n = reads.size();
        // Suffix minima of completion over reads[i..], keeping the best two with different values.
        final long[] best = new long[n + 1];
        final long[] bestValue = new long[n + 1];
        final long[] second = new long[n + 1];
        best[n] = Long.MAX_VALUE;
        second[n] = Long.MAX_VALUE;
        bestValue[n] = RegisterOp.ABSENT;
        for (int i = n - 1; i >= 0; i--)
        {
            final RegisterOp read = reads.get(i);
            best[i] = best[i + 1];
            bestValue[i] = bestValue[i + 1];
            second[i] = second[i + 1];
            if (read.completeNs() < best[i])
            {
                if (read.value() != bestValue[i])
                {
                    second[i] = best[i];
                }
                best[i] = read.completeNs();
                bestValue[i] = read.value();
            }
            else if (read.value() != bestValue[i] && read.completeNs() < second[i])
            {
                second[i] = read.completeNs();
            }
        }
        final Map<Long, Long> firstSeenBy = new HashMap<>();
        final Map<Long, Long> lastReadInvoke = new HashMap<>();
        for (final RegisterOp read : reads)
        {
            firstSeenBy.merge(read.value(), read.completeNs(), Math::min);
            lastReadInvoke.merge(read.value(), read.invokeNs(), Math::max);
        }
        final List<RegisterOp> duplicated = new ArrayList<>();
        for (final Map.Entry<Long, RegisterOp> entry : writerByValue.entrySet())
        {
            final long value = entry.getKey();
            final RegisterOp write = entry.getValue();
            if (1 != writers.get(value) || !lastReadInvoke.containsKey(value))
            {
                continue;
            }
            long inRegisterBy = firstSeenBy.get(value);
            if (Outcome.OK == write.outcome())
            {
                inRegisterBy = Math.min(inRegisterBy, write.completeNs());
            }
            final int from = firstInvokedAfter(reads, inRegisterBy);
            final long otherSeenBy = value != bestValue[from] ? best[from] : second[from];
            if (Long.MAX_VALUE != otherSeenBy && lastReadInvoke.get(value) > otherSeenBy)
            {
                duplicated.add(write);
            }
        }
        duplicated.sort(Comparator.comparingLong(RegisterOp::invokeNs));
        return duplicated;
    }

    private static int firstInvokedAfter(final List<RegisterOp> reads, final long time)
    {
        int low = 0;
        int high = reads.size();
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (reads.get(mid).invokeNs() > time)
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }
        return low;
    }
}
