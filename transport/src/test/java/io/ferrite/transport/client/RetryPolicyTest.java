package io.ferrite.transport.client;

import io.ferrite.codecs.sbe.ErrorCode;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Back-off waits must stay inside [0, cap] with cap doubling per attempt up to the maximum, spread over
 * that range (jitter, so retrying clients do not stampede), and only throttling and transient server
 * errors may be retried.
 */
class RetryPolicyTest
{
    @Test
    void waitsAreJitteredWithinAnExponentiallyGrowingCap()
    {
        final RetryPolicy policy = new RetryPolicy(10, 1_000, 50_000);
        long random = 42;
        for (int attempt = 1; attempt <= 12; attempt++)
        {
            final long cap = Math.min(50_000, 1_000L << (attempt - 1));
            long min = Long.MAX_VALUE;
            long max = 0;
            for (int i = 0; i < 5_000; i++)
            {
                random = RetryPolicy.nextRandom(random);
                final long wait = policy.backoffNs(attempt, random);
                assertTrue(wait >= 0 && wait <= cap, "attempt " + attempt + " wait " + wait + " cap " + cap);
                min = Math.min(min, wait);
                max = Math.max(max, wait);
            }
            assertTrue(min < cap / 10, "attempt " + attempt + ": waits not spread low, min " + min);
            assertTrue(max > cap * 9 / 10, "attempt " + attempt + ": waits not spread high, max " + max);
        }
        random = RetryPolicy.nextRandom(random);
        assertTrue(policy.backoffNs(200, random) <= 50_000, "a huge attempt count must not overflow past the cap");
    }

    @Test
    void budgetCountsAttemptsInAll()
    {
        final RetryPolicy policy = new RetryPolicy(3, 1, 1);
        assertTrue(policy.mayRetry(1));
        assertTrue(policy.mayRetry(2));
        assertFalse(policy.mayRetry(3));
        assertFalse(new RetryPolicy(1, 1, 1).mayRetry(1));
    }

    @Test
    void onlyThrottlingAndTransientServerErrorsAreRetryable()
    {
        final Set<ErrorCode> retryable = EnumSet.of(ErrorCode.ProvisionedThroughputExceededException,
            ErrorCode.ThrottlingException, ErrorCode.RequestLimitExceeded, ErrorCode.InternalServerError,
            ErrorCode.ServiceUnavailable);
        for (final ErrorCode code : ErrorCode.values())
        {
            assertEquals(retryable.contains(code), RetryPolicy.isRetryable(code), code.name());
        }
    }
}
