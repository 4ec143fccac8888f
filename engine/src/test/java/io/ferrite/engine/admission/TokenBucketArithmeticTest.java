package io.ferrite.engine.admission;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static io.ferrite.engine.admission.TokenBucket.ADMITTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bucket's rate, burst and refill arithmetic on a clock the test moves by hand, including clock jumps both ways,
 * idle periods of years, debt, reconfiguration and the extremes of every parameter.
 */
class TokenBucketArithmeticTest
{
    private static final long SECOND = 1_000_000_000L;
    private static final long MS = 1_000_000L;

    @Test
    void aNewBucketIsFullAndHoldsExactlyItsBurst()
    {
        final TokenBucket bucket = new TokenBucket(100, 50, 7 * SECOND);
        assertEquals(50, bucket.availableUnits(7 * SECOND));
        for (int i = 0; i < 50; i++)
        {
            assertEquals(ADMITTED, bucket.tryAcquire(7 * SECOND, 1), "unit " + i);
        }
        final long wait = bucket.tryAcquire(7 * SECOND, 1);
        assertEquals(10 * MS, wait, "one unit of 100/s is 10 ms away");
        assertEquals(0, bucket.availableUnits(7 * SECOND));
    }

    @Test
    void refillFollowsTheRateAndStopsAtTheBurst()
    {
        final TokenBucket bucket = new TokenBucket(1_000, 100, 0);
        assertEquals(ADMITTED, bucket.tryAcquire(0, 100));
        assertEquals(0, bucket.availableUnits(0));
        assertEquals(1, bucket.availableUnits(MS));
        assertEquals(25, bucket.availableUnits(25 * MS));
        assertEquals(100, bucket.availableUnits(SECOND), "capped at the burst");
        assertEquals(100, bucket.availableUnits(1_000 * SECOND));
        assertEquals(ADMITTED, bucket.tryAcquire(1_000 * SECOND, 100));
        assertTrue(bucket.tryAcquire(1_000 * SECOND, 1) > 0, "a long idle period does not bank more than the burst");
    }

    @Test
    void admittedThroughputOverTimeIsTheRatePlusOneBurst()
    {
        final long rate = 4_000;
        final long burst = 400;
        final TokenBucket bucket = new TokenBucket(rate, burst, 0);
        final SplittableRandom random = new SplittableRandom(5);
        long admitted = 0;
        long now = 0;
        final long end = 10 * SECOND;
        while (now < end)
        {
            final int units = 1 + random.nextInt(3);
            if (ADMITTED == bucket.tryAcquire(now, units))
            {
                admitted += units;
            }
            now += random.nextLong(1, 50_000); // offered far above the rate: ~60 k units/s
        }
        final long expected = rate * 10 + burst;
        assertTrue(admitted <= expected && admitted >= expected - 3, "admitted " + admitted + ", rate allows " + expected);
    }

    @Test
    void aRefundGivesBackWhatWasTakenButNeverFillsPastTheBurstNorClearsMoreDebtThanItsUnits()
    {
        final TokenBucket bucket = new TokenBucket(1_000, 100, 0);
        assertEquals(ADMITTED, bucket.tryAcquire(0, 60));
        bucket.refund(0, 25);
        assertEquals(65, bucket.availableUnits(0), "25 of the 60 taken given back");
        bucket.refund(0, 80);
        assertEquals(100, bucket.availableUnits(0), "no more than a full bucket");
        bucket.refund(SECOND, 10);
        assertEquals(100, bucket.availableUnits(SECOND), "a full bucket stays full");

        bucket.consume(SECOND, 150);
        bucket.refund(SECOND, 20);
        assertEquals(0, bucket.availableUnits(SECOND + 30 * MS), "still 20 in debt of the 50 owed");
        assertEquals(10, bucket.availableUnits(SECOND + 40 * MS));
        bucket.refund(SECOND + 40 * MS, 0);
        assertEquals(10, bucket.availableUnits(SECOND + 40 * MS), "nothing given back, nothing changed");
    }

    @Test
    void theWaitItReportsIsExactlyWhenTheRequestFits()
    {
        final TokenBucket bucket = new TokenBucket(3, 3, 0);
        assertEquals(ADMITTED, bucket.tryAcquire(0, 3));
        final long wait = bucket.tryAcquire(0, 2);
        assertTrue(bucket.tryAcquire(wait - 1, 2) > 0, "not a nanosecond early");
        assertEquals(ADMITTED, bucket.tryAcquire(wait, 2));
    }

    @Test
    void aRequestLargerThanTheBurstWaitsForAFullBucketThenLeavesDebt()
    {
        final TokenBucket bucket = new TokenBucket(10, 5, 0);
        assertEquals(ADMITTED, bucket.tryAcquire(0, 1));
        final long wait = bucket.tryAcquire(0, 20);
        assertEquals(100 * MS, wait, "refused until full again");
        assertEquals(ADMITTED, bucket.tryAcquire(wait, 20));
        // 20 units at 10/s from a full bucket of 5: 15 units of debt, 1.5 s, then 0.5 s per further 5 units.
        assertEquals(1_500 * MS + 100 * MS, bucket.tryAcquire(wait, 1));
        assertEquals(ADMITTED, bucket.tryAcquire(wait + 1_600 * MS, 1));
    }

    @Test
    void consumeChargesAfterTheFactAndItsDebtIsCapped()
    {
        final TokenBucket bucket = new TokenBucket(1, 1, 0);
        for (int i = 0; i < 10_000; i++)
        {
            bucket.consume(0, TokenBucket.MAX_UNITS_PER_CALL); // far beyond any cap: must not overflow the word
        }
        final long wait = bucket.tryAcquire(0, 1);
        assertEquals((TokenBucket.MAX_DEBT_SECONDS + 1) * SECOND, wait, "debt capped at an hour beyond the burst");
        assertEquals(0, bucket.availableUnits(0));
        assertEquals(1, bucket.availableUnits((TokenBucket.MAX_DEBT_SECONDS + 1) * SECOND));
    }

    @Test
    void aClockThatJumpsBackDelaysAdmissionByTheJumpAndNeverAdmitsMore()
    {
        final TokenBucket bucket = new TokenBucket(100, 10, 50 * SECOND);
        assertEquals(ADMITTED, bucket.tryAcquire(50 * SECOND, 10));
        final long back = 50 * SECOND - 3 * SECOND;
        assertEquals(3 * SECOND + 10 * MS, bucket.tryAcquire(back, 1), "the lost 3 s must pass again");
        assertEquals(0, bucket.availableUnits(back));
        assertEquals(ADMITTED, bucket.tryAcquire(back + 3 * SECOND + 10 * MS, 1));
    }

    @Test
    void aClockThatJumpsForwardRefillsNoMoreThanTheBurst()
    {
        final TokenBucket bucket = new TokenBucket(100, 10, 0);
        assertEquals(ADMITTED, bucket.tryAcquire(0, 10));
        // Five years in one jump. (The documented precondition: a bucket is consulted at least once every ~9 years,
        // since differences of the scaled clock, in 1/32 ns, must fit a long.)
        final long later = 5L * 365 * 24 * 3600 * SECOND + 123_456_789L;
        assertEquals(10, bucket.availableUnits(later));
        assertEquals(ADMITTED, bucket.tryAcquire(later, 10));
        assertEquals(10 * MS, bucket.tryAcquire(later, 1));
    }

    @Test
    void idlePeriodsOfYearsBetweenCallsStillRefillToTheBurst()
    {
        final TokenBucket bucket = new TokenBucket(1_000_000, 1_000, Long.MAX_VALUE - SECOND);
        long now = Long.MAX_VALUE - SECOND;
        for (int year = 0; year < 20; year++) // the 1/32 ns clock changes sign after ~9 years and wraps after ~18
        {
            assertEquals(ADMITTED, bucket.tryAcquire(now, 1_000), "year " + year);
            assertTrue(bucket.tryAcquire(now, 1) > 0);
            now += 365L * 24 * 3600 * SECOND; // the clock itself overflows Long.MAX_VALUE on the way
        }
    }

    @Test
    void extremeRatesKeepTheirArithmetic()
    {
        final TokenBucket fastest = new TokenBucket(TokenBucket.MAX_RATE_PER_SECOND, TokenBucket.MAX_RATE_PER_SECOND, 0);
        assertEquals(ADMITTED, fastest.tryAcquire(0, TokenBucket.MAX_UNITS_PER_CALL));
        assertEquals(TokenBucket.MAX_RATE_PER_SECOND - TokenBucket.MAX_UNITS_PER_CALL, fastest.availableUnits(0));

        final TokenBucket slowest = new TokenBucket(1, 3_600, 0);
        assertEquals(ADMITTED, slowest.tryAcquire(0, 3_600));
        assertEquals(SECOND, slowest.tryAcquire(0, 1));
    }

    @Test
    void reconfigureKeepsTheUnitsHeldNotTheTime()
    {
        // DynamoDB's burst is capacity that went unused: 300 s of 1 WCU is 300 units, and a rise to 40,000 WCU
        // must not turn that full bucket into 300 s of the new rate (12 M units) at once
        final TokenBucket idle = new TokenBucket(1, 300, 0);
        idle.reconfigure(0, 40_000, 300 * 40_000);
        assertEquals(40_000, idle.ratePerSecond());
        assertEquals(300, idle.availableUnits(0), "the 300 units saved at 1/s, not 12,000,000");
        assertEquals(ADMITTED, idle.tryAcquire(0, 300));
        assertTrue(idle.tryAcquire(0, 1) > 0);
        assertEquals(40_000, idle.availableUnits(SECOND), "refilled at the new rate");

        // a partly used bucket keeps what it holds; a smaller burst caps it
        final TokenBucket partly = new TokenBucket(100, 300, 0);
        assertEquals(ADMITTED, partly.tryAcquire(0, 100));
        partly.reconfigure(0, 10, 3_000);
        assertEquals(200, partly.availableUnits(0));
        partly.reconfigure(0, 10, 50);
        assertEquals(50, partly.availableUnits(0), "capped at the new burst");
        assertEquals(50, partly.availableUnits(100 * SECOND));
    }

    @Test
    void reconfigureKeepsDebtAsUnitsOwedAndAppliesTheNewRate()
    {
        final TokenBucket bucket = new TokenBucket(10, 10, 0);
        assertEquals(ADMITTED, bucket.tryAcquire(0, 10));
        bucket.consume(0, 20); // 20 units owed beyond empty: 2 s at 10/s
        bucket.reconfigure(0, 1_000, 1_000);
        assertEquals(1_000, bucket.ratePerSecond());
        // the 20 units owed are paid in 20 ms at 1,000/s, then the bucket refills
        assertEquals(0, bucket.availableUnits(20 * MS));
        assertEquals(500, bucket.availableUnits(520 * MS));
        assertEquals(ADMITTED, bucket.tryAcquire(520 * MS, 500));

        final TokenBucket slower = new TokenBucket(1_000, 1_000, 0);
        assertEquals(ADMITTED, slower.tryAcquire(0, 1_000));
        slower.consume(0, 100); // 100 owed
        slower.reconfigure(0, 10, 10);
        assertEquals(0, slower.availableUnits(10 * SECOND), "100 owed at 10/s take 10 s");
        assertEquals(5, slower.availableUnits(10 * SECOND + 500 * MS));
    }

    @Test
    void reconfigureAcrossTheExtremesDoesNotOverflow()
    {
        final TokenBucket fastest = new TokenBucket(TokenBucket.MAX_RATE_PER_SECOND,
            TokenBucket.MAX_BURST_SECONDS * TokenBucket.MAX_RATE_PER_SECOND, 0);
        fastest.reconfigure(0, 1, TokenBucket.MAX_BURST_SECONDS);
        assertEquals(TokenBucket.MAX_BURST_SECONDS, fastest.availableUnits(0), "a full bucket stays full");
        for (int i = 0; i < 100; i++)
        {
            fastest.consume(0, TokenBucket.MAX_UNITS_PER_CALL); // deep debt at 1 unit/s: capped
        }
        fastest.reconfigure(0, TokenBucket.MAX_RATE_PER_SECOND, TokenBucket.MAX_RATE_PER_SECOND);
        assertEquals(0, fastest.availableUnits(0));
        fastest.reconfigure(0, 1, 1);
        assertEquals(0, fastest.availableUnits(0));
        assertTrue(fastest.tryAcquire(0, 1) > 0);
        assertEquals(1, fastest.availableUnits((TokenBucket.MAX_DEBT_SECONDS + 2) * SECOND), "the debt cap still holds");
    }

    @Test
    void badParametersAreRefusedWithTheRuleTheyBreak()
    {
        assertEquals("rate must be 1 to 1000000000 units/s, got 0",
            assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1, 0)).getMessage());
        assertEquals("burst must be 1 to 3600 s of the rate (36000 units), got 36001",
            assertThrows(IllegalArgumentException.class, () -> new TokenBucket(10, 36_001, 0)).getMessage());
        final TokenBucket bucket = new TokenBucket(10, 10, 0);
        assertEquals("units must be 0 to 16777216, got -1",
            assertThrows(IllegalArgumentException.class, () -> bucket.tryAcquire(0, -1)).getMessage());
    }

    @Test
    void wouldAdmitForeseesEveryTryAcquireWithoutTakingAnything()
    {
        final java.util.SplittableRandom random = new java.util.SplittableRandom(61206);
        final TokenBucket bucket = new TokenBucket(1_000, 50, 0);
        long now = 0;
        int admitted = 0;
        int refused = 0;
        for (int i = 0; i < 100_000; i++)
        {
            now += random.nextInt(3) * random.nextLong(0, 12 * MS);
            final long units = 0 == random.nextInt(50) ? random.nextLong(51, 200) : random.nextLong(1, 20);
            if (0 == random.nextInt(100))
            {
                bucket.consume(now, random.nextLong(0, 100)); // debt, sometimes
            }
            final long before = bucket.availableUnits(now);
            final boolean foreseen = bucket.wouldAdmit(now, units);
            assertEquals(before, bucket.availableUnits(now), "wouldAdmit takes nothing");
            final boolean actual = ADMITTED == bucket.tryAcquire(now, units);
            assertEquals(foreseen, actual, "step " + i + ": " + units + " units at " + now + " ns");
            if (actual)
            {
                admitted++;
            }
            else
            {
                refused++;
            }
        }
        assertTrue(admitted > 1_000 && refused > 1_000, admitted + " admitted, " + refused + " refused");
    }
}
