package io.ferrite.tools.chaos.history;

import io.ferrite.tools.chaos.history.RegisterOp.Kind;
import io.ferrite.tools.chaos.history.RegisterOp.Outcome;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Decides whether one key's history of register operations ({@link RegisterOp}) is linearizable: whether there is
 * one order of the operations, each placed at a single instant between its invoke and its completion, in which every
 * read returns the last value written and every conditional write's outcome matches the value it found. Keys are
 * independent registers, so a whole history is linearizable when each key's is (P-compositionality: check each key
 * on its own, see {@link HistoryCheck}).
 * <p>
 * <b>Search:</b> Wing and Gong's, with Lowe's memoisation, over the operations' call and return events in time
 * order: repeatedly pick an operation whose call comes before the first pending return (it may take effect now),
 * apply it to the register if its outcome allows, and go on; when a return is reached whose operation was not
 * placed, undo the last choice. A configuration (set of operations placed, register value) is explored at most once
 * (a hash set remembers those seen), which makes histories with thousands of operations per key and a handful
 * concurrent take milliseconds. The search counts its steps and gives up with {@link Verdict#UNKNOWN} past a budget,
 * never hanging.
 * <p>
 * <b>Outcomes:</b> {@link Outcome#FAILED} operations and reads of unknown outcome carry no information and are left
 * out. An operation of unknown outcome has no completion bound and need not be placed at all (it may never take
 * effect); an unknown conditional write, when placed, writes only if the register holds its expected value. A
 * {@link Outcome#CONDITION_FAILED} conditional write is an observation: the register did not hold its expected
 * value at that instant. Operations whose times touch (one's completion equals the other's invoke) are taken to
 * overlap.
 * <p>
 * <b>Keeping timeouts cheap</b> (each unknown operation stays placeable to the end of the history, so naively they
 * multiply the configurations): (1) when an unknown write is the only writer of a value that an answered read
 * returned (or an answered conditional write expected), it certainly took effect before that answer, so it is
 * placed as an answered write completing then; (2) all values nobody observed (no read returned them, no
 * conditional write expected them) behave alike, since every comparison with them is false, so they are one
 * stand-in value; unknown writes of such values are interchangeable, and the search lets "one of them takes effect
 * now" happen at any point after the first was invoked without tracking which (the supply is taken as unlimited:
 * this can only accept a rare violation that needs one such write to take effect twice, never reject a correct
 * history); (3) an unknown operation is never placed where it would not change the register (leaving it out is
 * the same); (4) once every operation that observes an unknown operation's value has completed, that operation
 * joins (2) and whether it was placed drops out of the configuration.
 * <p>
 * <b>Witness:</b> when no order exists, the result names the operation the search could place least far: the
 * deepest point reached, the values the register could hold there, the operations last placed before it and
 * those overlapping it.
 * <p>
 * <b>Threading:</b> stateless; {@link #check} may be called from any thread, concurrently.
 */
public final class LinearizabilityChecker
{
    /** Default step budget per key: far above what a linearizable history of 100,000 operations needs. */
    public static final long DEFAULT_BUDGET = 2_000_000;

    private static final int WITNESS_CONTEXT = 6;
    private static final int WITNESS_OVERLAPPING = 12;

    /** The answer. */
    public enum Verdict
    {
        /** An order exists. */
        LINEARIZABLE,
        /** No order exists: the history shows a consistency violation. */
        NOT_LINEARIZABLE,
        /** The search ran out of budget before deciding. */
        UNKNOWN
    }

    /**
     * What the check found for one key.
     *
     * @param verdict    the answer.
     * @param steps      search steps taken.
     * @param opsChecked operations the search had to place (after leaving out those carrying no information).
     * @param witness    for {@link Verdict#NOT_LINEARIZABLE}, where and why; for {@link Verdict#UNKNOWN}, the budget;
     *                   else empty.
     * @param stuckOp    for {@link Verdict#NOT_LINEARIZABLE}, the id of the operation that could not be placed; else
     *                   -1.
     */
    public record Result(Verdict verdict, long steps, int opsChecked, String witness, int stuckOp)
    {
    }

    private LinearizabilityChecker()
    {
    }

    /**
     * Checks one key's history.
     *
     * @param history the key's operations, in any order.
     * @param budget  the most search steps to take before answering {@link Verdict#UNKNOWN}.
     * @return the verdict.
     */
    public static Result check(final List<RegisterOp> history, final long budget)
    {
        if (budget < 1)
        {
            throw new IllegalArgumentException("budget must be at least 1 step, got " + budget);
        }
        return new Search(history, budget).run();
    }

    /**
     * @param history the key's operations.
     * @return {@link #check(List, long)} with {@link #DEFAULT_BUDGET}.
     */
    public static Result check(final List<RegisterOp> history)
    {
        return check(history, DEFAULT_BUDGET);
    }

    /** One search: the events as a linked list (so placed operations can be lifted out and put back). */
    private static final class Search
    {
        /** Stack marker of the move "an unknown write of an unobserved value takes effect now". */
        private static final int UNOBSERVED_MOVE = -2;

        private final List<RegisterOp> history;
        private final long budget;
        /** Operations to place: the required (answered) ones first, in invoke order, then the optional ones. */
        private final RegisterOp[] ops;
        private final int required;
        private final long[] zobrist;
        /** Event e: the call of op e/2 when even, its return when odd; index 2n is the head of the list. */
        private final int[] next;
        private final int[] prev;
        private final int head;
        private final long[] requiredPlaced;
        private final long[] optionalPlaced;
        /** The value each operation writes, or {@link #top} for a value nobody observed. */
        private final long[] effectiveValue;
        /** The stand-in for values nobody observed: differs from every value read or expected. */
        private final long top;
        /** Earliest invoke of an unknown plain write of an unobserved value, or MAX_VALUE. */
        private final long firstUnobservedWrite;
        /**
         * Per optional operation: the last completion of an operation that observes its value (a read of it, a
         * conditional write expecting it). Past that, whether it was placed no longer matters: the search stops
         * trying it and leaves it out of the configuration (the unobserved-write move stands for it).
         */
        private final long[] relevantUntil;
        /** Per expected value, the earliest invoke of an unknown conditional write of an unobserved value. */
        private final Map<Long, Long> firstUnobservedConditionalWrite = new HashMap<>();
        private final Set<Configuration> seen = new HashSet<>();
        /** Every required word below this is all placed; every word at or above {@link #highWord} is empty. */
        private int lowWord;
        private int highWord;

        private int bestDepth = -1;
        private int stuckOp = -1;
        private final Set<Long> stuckStates = new LinkedHashSet<>();
        /** The operations (indexes into {@link #ops}) placed last before the deepest stuck point. */
        private List<Integer> stuckPrefix = List.of();

        Search(final List<RegisterOp> history, final long budget)
        {
            this.history = history;
            this.budget = budget;
            final Set<Long> observed = new HashSet<>();
            final Map<Long, Long> mustHoldBy = new HashMap<>();
            final Map<Long, Integer> writers = new HashMap<>();
            final Set<Long> used = new HashSet<>();
            final Map<Long, Long> lastObservedBy = new HashMap<>();
            for (final RegisterOp op : history)
            {
                used.add(op.value());
                used.add(op.expected());
                if (Outcome.FAILED == op.outcome())
                {
                    continue;
                }
                if (Kind.READ == op.kind())
                {
                    if (Outcome.OK == op.outcome())
                    {
                        observed.add(op.value());
                        mustHoldBy.merge(op.value(), op.completeNs(), Math::min);
                        lastObservedBy.merge(op.value(), op.completeNs(), Math::max);
                    }
                    continue;
                }
                writers.merge(op.value(), 1, Integer::sum);
                if (Kind.CONDITIONAL_WRITE == op.kind())
                {
                    observed.add(op.expected());
                    lastObservedBy.merge(op.expected(), op.completionBound(), Math::max);
                    if (Outcome.OK == op.outcome())
                    {
                        mustHoldBy.merge(op.expected(), op.completeNs(), Math::min);
                    }
                }
            }
            long unobserved = Long.MIN_VALUE;
            while (used.contains(unobserved))
            {
                unobserved++;
            }
            top = unobserved;

            final List<RegisterOp> requiredOps = new ArrayList<>();
            final List<RegisterOp> optionalOps = new ArrayList<>();
            long firstUnobserved = Long.MAX_VALUE;
            for (final RegisterOp op : history)
            {
                if (Outcome.FAILED == op.outcome() || (Kind.READ == op.kind() && Outcome.UNKNOWN == op.outcome()))
                {
                    continue;
                }
                if (Outcome.UNKNOWN != op.outcome())
                {
                    requiredOps.add(op);
                    continue;
                }
                final Long by = mustHoldBy.get(op.value());
                if (null != by && by >= op.invokeNs() && 1 == writers.get(op.value()))
                {
                    // The only writer of a value an answered operation saw: it took effect before that answer.
                    requiredOps.add(new RegisterOp(op.id(), op.kind(), op.expected(), op.value(), op.invokeNs(), by,
                        Outcome.OK));
                }
                else if (!observed.contains(op.value()))
                {
                    if (Kind.WRITE == op.kind())
                    {
                        firstUnobserved = Math.min(firstUnobserved, op.invokeNs());
                    }
                    else
                    {
                        firstUnobservedConditionalWrite.merge(op.expected(), op.invokeNs(), Math::min);
                    }
                }
                else
                {
                    optionalOps.add(op);
                }
            }
            firstUnobservedWrite = firstUnobserved;
            final Comparator<RegisterOp> byInvoke =
                Comparator.comparingLong(RegisterOp::invokeNs).thenComparingInt(RegisterOp::id);
            requiredOps.sort(byInvoke);
            optionalOps.sort(byInvoke);
            required = requiredOps.size();
            final int n = required + optionalOps.size();
            ops = new RegisterOp[n];
            effectiveValue = new long[n];
            relevantUntil = new long[n - required];
            for (int i = 0; i < n; i++)
            {
                final RegisterOp op = i < required ? requiredOps.get(i) : optionalOps.get(i - required);
                ops[i] = op;
                // Values nobody observed behave alike: every comparison with them is false.
                effectiveValue[i] = observed.contains(op.value()) ? op.value() : top;
                if (i >= required)
                {
                    relevantUntil[i - required] = lastObservedBy.getOrDefault(op.value(), Long.MIN_VALUE);
                }
            }

            final SplittableRandom random = new SplittableRandom(0x5eed_f00dL);
            zobrist = new long[n];
            for (int i = 0; i < n; i++)
            {
                zobrist[i] = random.nextLong();
            }

            final Integer[] events = new Integer[2 * n];
            for (int e = 0; e < 2 * n; e++)
            {
                events[e] = e;
            }
            Arrays.sort(events, Comparator.<Integer>comparingLong(this::eventTime)
                .thenComparingInt(e -> e & 1)
                .thenComparingInt(e -> e));
            head = 2 * n;
            next = new int[2 * n + 1];
            prev = new int[2 * n + 1];
            int last = head;
            for (final int e : events)
            {
                next[last] = e;
                prev[e] = last;
                last = e;
            }
            next[last] = -1;
            requiredPlaced = new long[(required + 63) >>> 6];
            optionalPlaced = new long[(n - required + 63) >>> 6];
        }

        private long eventTime(final int event)
        {
            final RegisterOp op = ops[event >>> 1];
            return 0 == (event & 1) ? op.invokeNs() : op.completionBound();
        }

        Result run()
        {
            final int[] stackCall = new int[ops.length * 2 + 1];
            final long[] stackState = new long[ops.length * 2 + 1];
            int depth = 0;
            int remaining = required;
            long state = RegisterOp.ABSENT;
            long hash = 0;
            long steps = 0;
            int entry = UNOBSERVED_MOVE;
            while (true)
            {
                if (0 == remaining)
                {
                    return new Result(Verdict.LINEARIZABLE, steps, ops.length, "", -1);
                }
                // A step: an attempt to place an operation (or the unobserved write) or an undo; walking past
                // operations that cannot be placed is not counted (it is bounded by the operations pending).
                if (steps > budget)
                {
                    return new Result(Verdict.UNKNOWN, budget, ops.length, "gave up after " + budget +
                        " search steps (" + ops.length + " operations to place, " + seen.size() +
                        " configurations seen): raise the budget or shorten the run", -1);
                }
                if (UNOBSERVED_MOVE == entry)
                {
                    entry = next[head];
                    if (unobservedWriteMayTakeEffect(state) && ++steps > 0 && seen.add(configuration(hash, top)))
                    {
                        stackCall[depth] = UNOBSERVED_MOVE;
                        stackState[depth] = state;
                        depth++;
                        state = top;
                    }
                    continue;
                }
                if (-1 != entry && 0 == (entry & 1))
                {
                    final int op = entry >>> 1;
                    final boolean allowed = allowed(ops[op], state);
                    final long after = allowed ? after(ops[op], effectiveValue[op], state) : state;
                    // An optional operation that would not change the register is as good as left out.
                    if (allowed && (op < required || (after != state && !expired(op))))
                    {
                        steps++;
                        setPlaced(op, true);
                        hash ^= zobrist[op];
                        if (seen.add(configuration(hash, after)))
                        {
                            stackCall[depth] = entry;
                            stackState[depth] = state;
                            depth++;
                            state = after;
                            if (op < required)
                            {
                                remaining--;
                            }
                            lift(entry);
                            entry = UNOBSERVED_MOVE;
                            continue;
                        }
                        setPlaced(op, false);
                        hash ^= zobrist[op];
                    }
                    entry = next[entry];
                    continue;
                }

                // A return (or the end): its operation was not placed before it, so undo the last choice.
                if (-1 != entry && (entry >>> 1) < required)
                {
                    noteStuck(entry >>> 1, required - remaining, state, stackCall, depth);
                }
                if (0 == depth)
                {
                    return new Result(Verdict.NOT_LINEARIZABLE, steps, ops.length, witness(),
                        -1 == stuckOp ? -1 : ops[stuckOp].id());
                }
                steps++;
                depth--;
                final int call = stackCall[depth];
                state = stackState[depth];
                if (UNOBSERVED_MOVE == call)
                {
                    entry = next[head];
                    continue;
                }
                final int op = call >>> 1;
                setPlaced(op, false);
                hash ^= zobrist[op];
                if (op < required)
                {
                    remaining++;
                }
                unlift(call);
                entry = next[call];
            }
        }

        /**
         * Whether some unknown write of a value nobody observed may take effect now (before the first pending
         * return), turning the register into {@link #top}. Such writes are interchangeable, and the search treats
         * their supply as unlimited once one was invoked: a (rare) violation only explicable by using one of them
         * twice is accepted, never the other way round.
         */
        private boolean unobservedWriteMayTakeEffect(final long state)
        {
            if (top == state)
            {
                return false;
            }
            final Long conditional = firstUnobservedConditionalWrite.get(state);
            final long earliest = Math.min(firstUnobservedWrite, null == conditional ? Long.MAX_VALUE : conditional);
            if (Long.MAX_VALUE == earliest && 0 == relevantUntil.length)
            {
                return false;
            }
            final long frontier = frontierTime();
            if (earliest <= frontier)
            {
                return true;
            }
            // An optional operation nothing can observe any more is one more write of "a value nobody reads".
            for (int i = 0; i < relevantUntil.length; i++)
            {
                final RegisterOp op = ops[required + i];
                if (relevantUntil[i] < frontier && op.invokeNs() <= frontier &&
                    (Kind.WRITE == op.kind() || state == op.expected()))
                {
                    return true;
                }
            }
            return false;
        }

        /**
         * @return the time of the first return still in the list (the latest instant the next placed operation can
         *     take effect), or MAX_VALUE when none is left.
         */
        private long frontierTime()
        {
            int event = next[head];
            while (-1 != event && 0 == (event & 1))
            {
                event = next[event];
            }
            return -1 == event ? Long.MAX_VALUE : eventTime(event);
        }

        private boolean expired(final int op)
        {
            return op >= required && relevantUntil[op - required] < frontierTime();
        }

        private static boolean allowed(final RegisterOp op, final long state)
        {
            switch (op.kind())
            {
                case READ:
                    return state == op.value();
                case CONDITIONAL_WRITE:
                    switch (op.outcome())
                    {
                        case OK:
                            return state == op.expected();
                        case CONDITION_FAILED:
                            return state != op.expected();
                        default:
                            return true;
                    }
                default:
                    return true;
            }
        }

        private static long after(final RegisterOp op, final long value, final long state)
        {
            switch (op.kind())
            {
                case READ:
                    return state;
                case CONDITIONAL_WRITE:
                    if (Outcome.CONDITION_FAILED == op.outcome())
                    {
                        return state;
                    }
                    return state == op.expected() ? value : state;
                default:
                    return value;
            }
        }

        private void lift(final int call)
        {
            unlink(call);
            unlink(call + 1);
        }

        private void unlift(final int call)
        {
            relink(call + 1);
            relink(call);
        }

        private void unlink(final int event)
        {
            next[prev[event]] = next[event];
            if (-1 != next[event])
            {
                prev[next[event]] = prev[event];
            }
        }

        private void relink(final int event)
        {
            next[prev[event]] = event;
            if (-1 != next[event])
            {
                prev[next[event]] = event;
            }
        }

        private void setPlaced(final int op, final boolean placed)
        {
            final long[] bits = op < required ? requiredPlaced : optionalPlaced;
            final int index = op < required ? op : op - required;
            if (op < required)
            {
                // Bounds of the words that are neither all placed nor all unplaced, kept for configuration().
                lowWord = Math.min(lowWord, index >>> 6);
                highWord = Math.max(highWord, (index >>> 6) + 1);
            }
            if (placed)
            {
                bits[index >>> 6] |= 1L << index;
            }
            else
            {
                bits[index >>> 6] &= ~(1L << index);
            }
        }

        /**
         * The placed set, compactly: the required operations placed form a prefix plus a few beyond it (those
         * concurrent with the frontier), so only the words from the first unplaced one to the last placed one are
         * kept, with the optional operations' bits.
         */
        private Configuration configuration(final long hash, final long state)
        {
            while (lowWord < requiredPlaced.length && -1L == requiredPlaced[lowWord])
            {
                lowWord++;
            }
            while (highWord > lowWord && 0 == requiredPlaced[highWord - 1])
            {
                highWord--;
            }
            final int from = lowWord;
            final int to = Math.max(from, highWord);
            final long[] words = new long[to - from + optionalPlaced.length];
            System.arraycopy(requiredPlaced, from, words, 0, to - from);
            System.arraycopy(optionalPlaced, 0, words, to - from, optionalPlaced.length);
            long liveHash = hash;
            if (relevantUntil.length > 0)
            {
                final long frontier = frontierTime();
                for (int i = 0; i < relevantUntil.length; i++)
                {
                    if (relevantUntil[i] < frontier && 0 != (optionalPlaced[i >>> 6] & (1L << i)))
                    {
                        words[to - from + (i >>> 6)] &= ~(1L << i);
                        liveHash ^= zobrist[required + i];
                    }
                }
            }
            return new Configuration(liveHash * 0x9E3779B97F4A7C15L + state, state, from, to - from, words);
        }

        private void noteStuck(final int op, final int placedRequired, final long state, final int[] stackCall,
            final int depth)
        {
            if (placedRequired > bestDepth)
            {
                bestDepth = placedRequired;
                stuckOp = op;
                stuckStates.clear();
                final List<Integer> prefix = new ArrayList<>();
                for (int i = depth - 1; i >= 0 && prefix.size() < WITNESS_CONTEXT; i--)
                {
                    if (UNOBSERVED_MOVE != stackCall[i])
                    {
                        prefix.add(0, stackCall[i] >>> 1);
                    }
                }
                stuckPrefix = prefix;
            }
            if (placedRequired == bestDepth && op == stuckOp)
            {
                stuckStates.add(state);
            }
        }

        private RegisterOp original(final RegisterOp op)
        {
            for (final RegisterOp candidate : history)
            {
                if (candidate.id() == op.id())
                {
                    return candidate;
                }
            }
            return op;
        }

        private String witness()
        {
            if (-1 == stuckOp)
            {
                return "no operation can be placed first";
            }
            final RegisterOp stuck = original(ops[stuckOp]);
            final StringBuilder text = new StringBuilder();
            text.append("no order explains ").append(stuck);
            if (Outcome.UNKNOWN == stuck.outcome())
            {
                text.append(" (its value was read by ").append(ops[stuckOp].completeNs()).append(", so it took effect)");
            }
            text.append(": with ").append(bestDepth).append(" of ").append(required)
                .append(" answered operations placed, the register could hold only ");
            final List<String> states = new ArrayList<>();
            stuckStates.forEach(s -> states.add(top == s ? "a value no read returned" : RegisterOp.show(s)));
            text.append(states).append(" just before it");
            text.append("\n    last placed: ").append(stuckPrefix.isEmpty() ? "(none)" : "");
            for (final int op : stuckPrefix)
            {
                text.append("\n      ").append(original(ops[op]));
            }
            text.append("\n    overlapping or just before it:");
            final List<RegisterOp> around = new ArrayList<>();
            final List<RegisterOp> before = new ArrayList<>();
            final long end = ops[stuckOp].completionBound();
            for (final RegisterOp op : history)
            {
                if (op.id() == stuck.id() || Outcome.FAILED == op.outcome())
                {
                    continue;
                }
                if (op.invokeNs() <= end && op.completionBound() >= stuck.invokeNs())
                {
                    around.add(op);
                }
                else if (op.completionBound() < stuck.invokeNs())
                {
                    before.add(op);
                }
            }
            before.sort(Comparator.comparingLong(RegisterOp::completionBound));
            final List<RegisterOp> shown = new ArrayList<>(
                before.subList(Math.max(0, before.size() - WITNESS_CONTEXT / 2), before.size()));
            around.sort(Comparator.comparingLong(RegisterOp::invokeNs));
            shown.addAll(around.subList(0, Math.min(WITNESS_OVERLAPPING, around.size())));
            for (final RegisterOp op : shown)
            {
                text.append("\n      ").append(op);
            }
            if (around.size() > WITNESS_OVERLAPPING)
            {
                text.append("\n      ... ").append(around.size() - WITNESS_OVERLAPPING).append(" more overlapping");
            }
            return text.toString();
        }
    }

    /** A configuration of the search: which operations are placed, and the register's value. */
    private static final class Configuration
    {
        private final long hash;
        private final long state;
        private final int from;
        private final int requiredWords;
        private final long[] words;

        Configuration(final long hash, final long state, final int from, final int requiredWords, final long[] words)
        {
            this.hash = hash;
            this.state = state;
            this.from = from;
            this.requiredWords = requiredWords;
            this.words = words;
        }

        public int hashCode()
        {
            return (int)(hash ^ (hash >>> 32));
        }

        public boolean equals(final Object other)
        {
            if (!(other instanceof Configuration))
            {
                return false;
            }
            final Configuration that = (Configuration)other;
            return hash == that.hash && state == that.state && from == that.from &&
                requiredWords == that.requiredWords && Arrays.equals(words, that.words);
        }
    }
}
