package io.ferrite.tools.chaos.history;

/**
 * One operation on one key's register, as a client saw it: what it asked, when it asked (invoke) and when it
 * heard back (complete), and what it heard.
 * <p>
 * The register holds a {@code long} value or nothing ({@link #ABSENT}); it starts absent. The operations:
 * <ul>
 *   <li>{@link Kind#WRITE} of {@link #value}: sets it.</li>
 *   <li>{@link Kind#CONDITIONAL_WRITE} of {@link #value} if the register holds {@link #expected} ({@link #ABSENT}
 *   for "if absent"): sets it when the condition holds; {@link Outcome#CONDITION_FAILED} says it did not hold
 *   (an observation: the register did not hold {@code expected} at that moment).</li>
 *   <li>{@link Kind#READ}, strongly consistent: {@link #value} is what it returned ({@link #ABSENT} for no item).</li>
 * </ul>
 * Outcomes: {@link Outcome#OK} (answered, took effect); {@link Outcome#FAILED} (answered with an error that means it
 * did not take effect, e.g. a validation error or a throttle, or never sent); {@link Outcome#UNKNOWN} (timed out or
 * the connection was lost after sending: it may or may not take effect, at any moment after {@link #invokeNs}, so
 * it has no completion bound and {@link #completeNs} is ignored).
 * <p>
 * Immutable; any thread.
 *
 * @param id         the operation's number in its history (for witnesses).
 * @param kind       what it does.
 * @param expected   a conditional write's expected value ({@link #ABSENT}: "if absent"); unused otherwise.
 * @param value      the value written, or the value a read returned.
 * @param invokeNs   when it was sent (any monotonic clock shared by the history).
 * @param completeNs when its answer arrived; ignored for {@link Outcome#UNKNOWN}.
 * @param outcome    what the client heard.
 */
public record RegisterOp(int id, Kind kind, long expected, long value, long invokeNs, long completeNs, Outcome outcome)
{
    /** The value that stands for "no item". Writes never write it. */
    public static final long ABSENT = 0;

    /** What an operation does. */
    public enum Kind
    {
        /** Sets the register. */
        WRITE,
        /** Sets the register if it holds the expected value. */
        CONDITIONAL_WRITE,
        /** Returns the register's value, strongly consistent. */
        READ
    }

    /** What the client heard. */
    public enum Outcome
    {
        /** Answered: a write took effect; a read returned {@link #value}. */
        OK,
        /** A conditional write was answered "condition failed": the register did not hold the expected value. */
        CONDITION_FAILED,
        /** Definitely did not take effect (an error answer, or never sent). Carries no information. */
        FAILED,
        /** No answer (timeout, connection lost): may take effect at any time after its invoke, or never. */
        UNKNOWN
    }

    /**
     * Checks the operation's shape.
     */
    public RegisterOp
    {
        if (null == kind || null == outcome)
        {
            throw new IllegalArgumentException("op " + id + ": kind and outcome are required");
        }
        if (Kind.READ != kind && ABSENT == value)
        {
            throw new IllegalArgumentException("op " + id + ": a write cannot write ABSENT (" + ABSENT + ")");
        }
        if (Outcome.CONDITION_FAILED == outcome && Kind.CONDITIONAL_WRITE != kind)
        {
            throw new IllegalArgumentException("op " + id + ": only a conditional write can fail its condition, not a " +
                kind);
        }
        if (Outcome.UNKNOWN != outcome && Outcome.FAILED != outcome && completeNs < invokeNs)
        {
            throw new IllegalArgumentException("op " + id + ": completes at " + completeNs + " before its invoke at " +
                invokeNs);
        }
    }

    /**
     * @return a write.
     */
    public static RegisterOp write(final int id, final long value, final long invokeNs, final long completeNs,
        final Outcome outcome)
    {
        return new RegisterOp(id, Kind.WRITE, ABSENT, value, invokeNs, completeNs, outcome);
    }

    /**
     * @return a conditional write of {@code value} if the register holds {@code expected}.
     */
    public static RegisterOp conditionalWrite(final int id, final long expected, final long value, final long invokeNs,
        final long completeNs, final Outcome outcome)
    {
        return new RegisterOp(id, Kind.CONDITIONAL_WRITE, expected, value, invokeNs, completeNs, outcome);
    }

    /**
     * @return a strongly consistent read that returned {@code value} (meaningful for {@link Outcome#OK} only).
     */
    public static RegisterOp read(final int id, final long value, final long invokeNs, final long completeNs,
        final Outcome outcome)
    {
        return new RegisterOp(id, Kind.READ, ABSENT, value, invokeNs, completeNs, outcome);
    }

    /**
     * @return true when the client got a definite answer that it took effect or observed something.
     */
    public boolean answered()
    {
        return Outcome.OK == outcome || Outcome.CONDITION_FAILED == outcome;
    }

    /**
     * @return the completion time, or {@link Long#MAX_VALUE} for an unknown outcome (no bound).
     */
    public long completionBound()
    {
        return Outcome.UNKNOWN == outcome ? Long.MAX_VALUE : completeNs;
    }

    public String toString()
    {
        final String what;
        switch (kind)
        {
            case WRITE:
                what = "write(" + show(value) + ")";
                break;
            case CONDITIONAL_WRITE:
                what = "write(" + show(expected) + " -> " + show(value) + ")";
                break;
            default:
                what = "read()" + (Outcome.OK == outcome ? " -> " + show(value) : "");
                break;
        }
        final String end = Outcome.UNKNOWN == outcome ? "?" : Long.toString(completeNs);
        return "#" + id + " " + what + " " + outcome + " [" + invokeNs + ", " + end + "]";
    }

    static String show(final long value)
    {
        return ABSENT == value ? "absent" : Long.toString(value);
    }
}
