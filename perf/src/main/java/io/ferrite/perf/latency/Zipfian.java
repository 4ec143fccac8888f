package io.ferrite.perf.latency;

import java.util.SplittableRandom;

/**
 * Zipfian-distributed integers in {@code [0, n)} with YCSB's constant (theta 0.99): item 0 is the most popular,
 * by the rejection-free method of Gray et al., "Quickly Generating Billion-Record Synthetic Databases"
 * (SIGMOD 1994), the one YCSB's ZipfianGenerator uses. {@link #nextScrambled()} spreads the popular items
 * over the key space with an FNV-1a hash, as YCSB's ScrambledZipfianGenerator does, so hot keys are not
 * neighbours.
 * <p>
 * <b>Threading:</b> not thread-safe; one per load thread. Drawing allocates nothing.
 */
public final class Zipfian
{
    /** YCSB's default Zipfian constant. */
    public static final double THETA = 0.99;

    private final long n;
    private final double theta;
    private final double zetaN;
    private final double alpha;
    private final double eta;
    private final double halfPowTheta;
    private final SplittableRandom random;

    /**
     * @param n     how many items; at least 1.
     * @param theta the Zipfian constant, in (0, 1).
     * @param seed  of the random source.
     */
    public Zipfian(final long n, final double theta, final long seed)
    {
        if (n < 1 || !(theta > 0 && theta < 1))
        {
            throw new IllegalArgumentException("Zipfian needs n >= 1 and 0 < theta < 1: n=" + n + " theta=" + theta);
        }
        this.n = n;
        this.theta = theta;
        this.zetaN = zeta(n, theta);
        final double zeta2 = zeta(Math.min(2, n), theta);
        this.alpha = 1.0 / (1.0 - theta);
        this.eta = n <= 2 ? 1.0 : (1.0 - Math.pow(2.0 / n, 1.0 - theta)) / (1.0 - zeta2 / zetaN);
        this.halfPowTheta = 1.0 + Math.pow(0.5, theta);
        this.random = new SplittableRandom(seed);
    }

    /**
     * @return the next Zipfian value in {@code [0, n)}; 0 is the most frequent.
     */
    public long next()
    {
        final double u = random.nextDouble();
        final double uz = u * zetaN;
        if (uz < 1.0)
        {
            return 0;
        }
        if (uz < halfPowTheta)
        {
            return Math.min(1, n - 1);
        }
        final long value = (long)(n * Math.pow(eta * u - eta + 1.0, alpha));
        return Math.min(value, n - 1);
    }

    /**
     * @return the next Zipfian value hashed over {@code [0, n)}: same popularity skew, popular keys scattered.
     */
    public long nextScrambled()
    {
        return Long.remainderUnsigned(fnv1a64(next()), n);
    }

    /**
     * @return how many items the distribution is over.
     */
    public long items()
    {
        return n;
    }

    /**
     * @return theta.
     */
    public double theta()
    {
        return theta;
    }

    static double zeta(final long n, final double theta)
    {
        double sum = 0;
        for (long i = 1; i <= n; i++)
        {
            sum += 1.0 / Math.pow(i, theta);
        }
        return sum;
    }

    static long fnv1a64(final long value)
    {
        long hash = 0xCBF29CE484222325L;
        long v = value;
        for (int i = 0; i < 8; i++)
        {
            hash ^= v & 0xFF;
            hash *= 0x100000001B3L;
            v >>>= 8;
        }
        return hash;
    }
}
