package io.ferrite.perf.latency;

/**
 * {@code --alloc-check}.
 */
final class AllocCheck
{
    private AllocCheck()
    {
    }

    static int run(final String[] args, final String heap)
    {
        throw new IllegalArgumentException("--alloc-check is not built yet");
    }
}
