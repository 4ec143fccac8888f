package io.ferrite.perf.latency;

/**
 * {@code ferrite-perf report DIR}.
 */
final class Report
{
    private Report()
    {
    }

    static int run(final String[] args)
    {
        throw new IllegalArgumentException("report is not built yet");
    }
}
