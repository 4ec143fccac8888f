package io.ferrite.transport.client;

import io.ferrite.codecs.sbe.ErrorCode;

/**
 * Which errors are retried and how long to wait before each retry: exponential back-off with full jitter
 * (a uniformly random wait in {@code [0, min(maxBackoff, baseBackoff * 2^(attempt-1))]}), bounded by a
 * number of attempts and by the request's own timeout. A retry re-sends the same request bytes under a
 * new correlation id and the original request id.
 * <p>
 * Threading: immutable; the random state lives in the caller ({@link #nextRandom(long)} is a pure
 * function), so one policy may be shared.
 */
public final class RetryPolicy
{
    private final int maxAttempts;
    private final long baseBackoffNs;
    private final long maxBackoffNs;

    /**
     * @param maxAttempts   attempts in all (1 = never retry).
     * @param baseBackoffNs the largest wait before the first retry.
     * @param maxBackoffNs  the cap on any one wait.
     */
    public RetryPolicy(final int maxAttempts, final long baseBackoffNs, final long maxBackoffNs)
    {
        if (maxAttempts < 1)
        {
            throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        }
        if (baseBackoffNs < 1 || maxBackoffNs < baseBackoffNs)
        {
            throw new IllegalArgumentException("need 1 <= baseBackoffNs <= maxBackoffNs: baseBackoffNs=" + baseBackoffNs +
                " maxBackoffNs=" + maxBackoffNs);
        }
        this.maxAttempts = maxAttempts;
        this.baseBackoffNs = baseBackoffNs;
        this.maxBackoffNs = maxBackoffNs;
    }

    /**
     * Retryable errors: the node was throttling (ProvisionedThroughputExceeded, Throttling,
     * RequestLimitExceeded) or could not serve the request just now (InternalServerError,
     * ServiceUnavailable). Others (validation, condition failed, not found...) would fail again.
     *
     * @param code the node's error code.
     * @return true when a retry may succeed.
     */
    public static boolean isRetryable(final ErrorCode code)
    {
        switch (code)
        {
            case ProvisionedThroughputExceededException:
            case ThrottlingException:
            case RequestLimitExceeded:
            case InternalServerError:
            case ServiceUnavailable:
                return true;
            default:
                return false;
        }
    }

    /**
     * @param code the node's error code.
     * @return true for the node's throttling answers (ProvisionedThroughputExceeded, Throttling, RequestLimitExceeded),
     *     which the client counts ({@link ClientCounters#throttled()}) and retries within its budget.
     */
    public static boolean isThrottle(final ErrorCode code)
    {
        return ErrorCode.ProvisionedThroughputExceededException == code || ErrorCode.ThrottlingException == code ||
            ErrorCode.RequestLimitExceeded == code;
    }

    /**
     * @param attemptsMade attempts already made (at least 1).
     * @return true when the budget allows another attempt.
     */
    public boolean mayRetry(final int attemptsMade)
    {
        return attemptsMade < maxAttempts;
    }

    /**
     * @param attemptsMade attempts already made (at least 1).
     * @param random       a random 64-bit value (from {@link #nextRandom(long)}).
     * @return the wait before the next attempt, in nanoseconds: in {@code [0, cap]} with
     *     {@code cap = min(maxBackoff, baseBackoff * 2^(attemptsMade-1))}.
     */
    public long backoffNs(final int attemptsMade, final long random)
    {
        final int shift = Math.min(Math.max(attemptsMade - 1, 0), 62);
        final long exponential = baseBackoffNs << shift;
        final long cap = (exponential >>> shift) != baseBackoffNs || exponential > maxBackoffNs ? maxBackoffNs : exponential;
        return Long.remainderUnsigned(random, cap + 1);
    }

    /**
     * One step of xorshift64*: a fast, allocation-free source of jitter.
     *
     * @param state the previous state (not 0).
     * @return the next state, also the random value to use.
     */
    public static long nextRandom(final long state)
    {
        long x = state;
        x ^= x >>> 12;
        x ^= x << 25;
        x ^= x >>> 27;
        return x * 0x2545F4914F6CDD1DL;
    }

    /**
     * @return attempts in all.
     */
    public int maxAttempts()
    {
        return maxAttempts;
    }

    /**
     * @return the largest wait before the first retry, in nanoseconds.
     */
    public long baseBackoffNs()
    {
        return baseBackoffNs;
    }

    /**
     * @return the cap on any one wait, in nanoseconds.
     */
    public long maxBackoffNs()
    {
        return maxBackoffNs;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "RetryPolicy(maxAttempts=" + maxAttempts + ", baseBackoffNs=" + baseBackoffNs +
            ", maxBackoffNs=" + maxBackoffNs + ")";
    }
}
