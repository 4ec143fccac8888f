package io.ferrite.engine.admission;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A token bucket kept in one atomic word, by the generic cell rate algorithm (GCRA, "virtual scheduling"): instead of
 * a token count and a last-refill time, the bucket holds the <i>theoretical arrival time</i> (TAT) at which it would
 * be full again if nothing more were taken. Taking {@code n} units moves the TAT {@code n} emission intervals later;
 * a request is admitted when, after that move, the TAT is at most the burst tolerance ahead of now. Refill is implicit
 * (time passing), so it is computed from the clock the caller passes in, never from a timer: deterministic to test,
 * and the same constant cost on every call. Decision: docs/decisions/0009-admission-control.md.
 * <p>
 * <b>Units.</b> A bucket counts whatever unit its owner chooses; Ferrite's capacity buckets count half read capacity
 * units or write capacity units ({@link CapacityUnits}). {@code ratePerSecond} units are added each second, and at
 * most {@code burstUnits} accumulate while unused.
 * <p>
 * <b>Time</b> is kept in 1/32 ns since the bucket's origin, so that the emission interval of a fast bucket stays
 * exact enough (1 M units/s: 32,000 steps per unit; the interval is rounded up, so rounding never admits more than
 * the rate). Comparisons are wrap-safe (differences of two's-complement longs, as with {@code System.nanoTime}), so
 * the scaled clock may wrap (every ~9 years); what must hold is that a bucket is consulted at least once in that
 * span, which any router does many times a second.
 * <p>
 * <b>Large requests.</b> A request costing more than the whole burst could never fit; it is admitted when the bucket
 * is full and leaves the bucket in debt (TAT beyond the tolerance), so later requests wait until the debt is paid:
 * the rate holds on average and a big Query or batch is not starved forever. {@link #consume} charges after the fact
 * (a Query's cost is known once its page is read) in the same way. Debt is capped at {@value #MAX_DEBT_SECONDS} s
 * beyond the burst, so that no sequence of charges can overflow the word.
 * <p>
 * <b>Threading:</b> lock-free; any number of threads may call {@link #tryAcquire}, {@link #consume} and
 * {@link #availableUnits} concurrently (one compare-and-set loop on one {@link AtomicLong}, no allocation); these
 * three are linearizable (checked by Lincheck, TokenBucketLinearizabilityTest), and so is {@link #refund}, the same
 * kind of compare-and-set loop on the same word (checked there too). {@link #reconfigure}
 * may be called from any thread too, but it is not linearizable with calls in flight: it takes effect for calls that
 * begin after it returns; a call in flight uses the old or the new limits, and one that used the old may land on the
 * converted level.
 */
public final class TokenBucket
{
    /** Returned by {@link #tryAcquire} when the request is admitted. */
    public static final long ADMITTED = 0;

    /** Time is kept in nanoseconds shifted left by this many bits (1/32 ns). */
    static final int TIME_SHIFT = 5;
    private static final long SCALED_NANOS_PER_SECOND = 1_000_000_000L << TIME_SHIFT;
    /** The most a rate may be: above this the interval would be under 32 steps, too coarse to be fair. */
    public static final long MAX_RATE_PER_SECOND = 1_000_000_000L;
    /** The longest a bucket may let unused capacity accumulate, in seconds (DynamoDB's burst is 300 s). */
    public static final long MAX_BURST_SECONDS = 3_600;
    /** The most units one call may take or charge (a 16 MB BatchGetItem costs 8,192 half RCUs). */
    public static final long MAX_UNITS_PER_CALL = 1L << 24;
    /** Debt is capped at this much time beyond a full burst's worth, so that repeated charges cannot overflow. */
    static final long MAX_DEBT_SECONDS = 3_600;
    private static final long MAX_DEBT_SCALED = MAX_DEBT_SECONDS * SCALED_NANOS_PER_SECOND;

    private final AtomicLong theoreticalArrival;
    private final long originNs;
    private volatile Limits limits;

    private record Limits(long ratePerSecond, long burstUnits, long intervalScaled, long toleranceScaled)
    {
    }

    /**
     * A bucket that starts full.
     *
     * @param ratePerSecond units added per second, 1 to {@link #MAX_RATE_PER_SECOND}.
     * @param burstUnits    the most units that accumulate while unused (at least 1, at most
     *                      {@link #MAX_BURST_SECONDS} worth of the rate).
     * @param nowNs         the clock the bucket will be consulted with (e.g. {@code System.nanoTime()}), now.
     */
    public TokenBucket(final long ratePerSecond, final long burstUnits, final long nowNs)
    {
        this.limits = limits(ratePerSecond, burstUnits);
        this.originNs = nowNs;
        this.theoreticalArrival = new AtomicLong(0); // == now: full
    }

    /**
     * Takes {@code units} if the bucket holds them (or, for a request larger than the whole burst, if it is full).
     *
     * @param nowNs the clock, in the same terms as the constructor's.
     * @param units the units to take, 0 to {@link #MAX_UNITS_PER_CALL}.
     * @return {@link #ADMITTED}, or how many nanoseconds from now the request would be admitted (at least 1): what a
     * throttled caller can be told to wait.
     */
    public long tryAcquire(final long nowNs, final long units)
    {
        checkUnits(units);
        final Limits limits = this.limits;
        final long now = scaled(nowNs);
        final long cost = units * limits.intervalScaled;
        while (true)
        {
            final long tat = theoreticalArrival.get();
            final long ahead = ahead(tat, now);
            final long needed = ahead + cost; // ahead is at most the burst plus the debt cap: no overflow
            if (overdraws(ahead, needed, limits))
            {
                final long waitScaled = Math.min(ahead, needed - limits.toleranceScaled);
                return Math.max(1, (waitScaled + (1L << TIME_SHIFT) - 1) >>> TIME_SHIFT);
            }
            if (theoreticalArrival.compareAndSet(tat, now + Math.min(needed, limits.toleranceScaled + MAX_DEBT_SCALED)))
            {
                return ADMITTED;
            }
        }
    }

    /**
     * Charges {@code units} whether or not the bucket holds them (the bucket may go into debt): for costs known only
     * after the work, such as the bytes a Query read beyond its estimate.
     *
     * @param nowNs the clock.
     * @param units the units to charge, 0 to {@link #MAX_UNITS_PER_CALL}.
     */
    public void consume(final long nowNs, final long units)
    {
        move(nowNs, units, true);
    }

    /**
     * Gives back {@code units} taken earlier for work that was then not done (a batch's keys handed back unprocessed,
     * taken up front as an estimate): the bucket holds them again, but never more than a full bucket, since what was
     * taken has refilled meanwhile if the bucket is full now.
     *
     * @param nowNs the clock.
     * @param units the units to give back, 0 to {@link #MAX_UNITS_PER_CALL}.
     */
    public void refund(final long nowNs, final long units)
    {
        move(nowNs, units, false);
    }

    /**
     * {@link #consume} ({@code take}: into debt up to its cap) or {@link #refund} (back to a full bucket at most):
     * moves the theoretical arrival time by the units' cost, unconditionally, in one compare-and-set loop.
     */
    private void move(final long nowNs, final long units, final boolean take)
    {
        checkUnits(units);
        final Limits limits = this.limits;
        final long now = scaled(nowNs);
        final long cost = units * limits.intervalScaled;
        while (true)
        {
            final long tat = theoreticalArrival.get();
            final long ahead = ahead(tat, now);
            if (!take && 0 == ahead)
            {
                return; // full: nothing to give back
            }
            final long next = take ? Math.min(ahead + cost, limits.toleranceScaled + MAX_DEBT_SCALED) :
                Math.max(0, ahead - cost);
            if (theoreticalArrival.compareAndSet(tat, now + next))
            {
                return;
            }
        }
    }

    /**
     * @param nowNs the clock.
     * @return the units the bucket holds now (0 when empty or in debt), at most the burst.
     */
    public long availableUnits(final long nowNs)
    {
        final Limits limits = this.limits;
        final long now = scaled(nowNs);
        final long room = limits.toleranceScaled - ahead(theoreticalArrival.get(), now);
        return room <= 0 ? 0 : room / limits.intervalScaled;
    }

    /**
     * Whether {@link #tryAcquire} would admit {@code units} now, without taking them: for a caller that must check
     * several buckets before it charges any (a batch, or a partition's bucket under its table's).
     *
     * @param nowNs the clock.
     * @param units the units, 0 to {@link #MAX_UNITS_PER_CALL}.
     * @return true if the bucket holds them (or, for a request larger than the whole burst, if it is full).
     */
    public boolean wouldAdmit(final long nowNs, final long units)
    {
        checkUnits(units);
        final Limits limits = this.limits;
        final long ahead = ahead(theoreticalArrival.get(), scaled(nowNs));
        return !overdraws(ahead, ahead + units * limits.intervalScaled, limits);
    }

    /** How far from full the bucket is: how far the theoretical arrival time is ahead of now (never negative). */
    private static long ahead(final long tat, final long now)
    {
        return tat - now > 0 ? tat - now : 0;
    }

    /** Taking would overdraw; a request bigger than the whole burst waits for a full bucket (ahead == 0). */
    private static boolean overdraws(final long ahead, final long needed, final Limits limits)
    {
        return needed > limits.toleranceScaled && ahead > 0;
    }

    /**
     * Changes the rate and burst (UpdateTable, or a new share from global admission control). What the bucket holds
     * is kept as <i>units</i>, capped at the new burst, and what it owes (debt) as units owed: DynamoDB's burst is
     * capacity that went unused, so a table raised from 1 to 40,000 WCU keeps the 300 units it saved at 1/s rather
     * than being handed 300 s of the new rate at once (which keeping the time, as this did before, did). Allocates one
     * small object: not for the request path.
     * <p>
     * Not linearizable with calls in flight: a {@link #consume} on another thread that read the old limits and
     * completes after this converts the bucket is charged at the old interval (one call's cost, at the old rate's
     * price); calls that begin after this returns see the new limits and the converted level.
     *
     * @param nowNs         the clock, in the same terms as the constructor's.
     * @param ratePerSecond the new rate.
     * @param burstUnits    the new burst.
     */
    public void reconfigure(final long nowNs, final long ratePerSecond, final long burstUnits)
    {
        final Limits next = limits(ratePerSecond, burstUnits);
        final long now = scaled(nowNs);
        while (true)
        {
            final Limits previous = this.limits;
            final long tat = theoreticalArrival.get();
            final long room = previous.toleranceScaled - ahead(tat, now);
            final long nextAhead;
            if (room >= 0)
            {
                final long held = room / previous.intervalScaled; // a part of a unit is dropped: never more than held
                // held < the new burst keeps held x interval under the new tolerance: no overflow
                nextAhead = held >= next.burstUnits ? 0 : next.toleranceScaled - held * next.intervalScaled;
            }
            else
            {
                final long owed = (-room + previous.intervalScaled - 1) / previous.intervalScaled; // rounded up
                final long owedScaled = owed > MAX_DEBT_SCALED / next.intervalScaled ? MAX_DEBT_SCALED :
                    Math.min(owed * next.intervalScaled, MAX_DEBT_SCALED);
                nextAhead = next.toleranceScaled + owedScaled;
            }
            if (theoreticalArrival.compareAndSet(tat, now + nextAhead))
            {
                limits = next;
                return;
            }
        }
    }

    /**
     * @return units added per second.
     */
    public long ratePerSecond()
    {
        return limits.ratePerSecond;
    }

    /**
     * @return the most units that accumulate.
     */
    public long burstUnits()
    {
        return limits.burstUnits;
    }

    private long scaled(final long nowNs)
    {
        return (nowNs - originNs) << TIME_SHIFT; // wraps every ~9 years; every comparison is a difference
    }

    private static void checkUnits(final long units)
    {
        if (units < 0 || units > MAX_UNITS_PER_CALL)
        {
            throw new IllegalArgumentException("units must be 0 to " + MAX_UNITS_PER_CALL + ", got " + units);
        }
    }

    private static Limits limits(final long ratePerSecond, final long burstUnits)
    {
        if (ratePerSecond < 1 || ratePerSecond > MAX_RATE_PER_SECOND)
        {
            throw new IllegalArgumentException("rate must be 1 to " + MAX_RATE_PER_SECOND + " units/s, got " + ratePerSecond);
        }
        if (burstUnits < 1 || burstUnits > Math.max(1, ratePerSecond * MAX_BURST_SECONDS))
        {
            throw new IllegalArgumentException("burst must be 1 to " + MAX_BURST_SECONDS + " s of the rate (" +
                ratePerSecond * MAX_BURST_SECONDS + " units), got " + burstUnits);
        }
        final long interval = (SCALED_NANOS_PER_SECOND + ratePerSecond - 1) / ratePerSecond; // rounded up: never faster
        return new Limits(ratePerSecond, burstUnits, interval, burstUnits * interval);
    }
}
