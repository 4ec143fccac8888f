package io.ferrite.perf.latency;

import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.wal.FsyncPolicy;
import io.ferrite.perf.EngineFixture;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The WAL settings of the harness's {@code --fsync} and {@code --fsync-interval-us}, applied to the engine of a
 * target the harness starts itself (embedded, ipc, udp, http).
 */
final class WalChoice
{
    private final FsyncPolicy policy;
    private final long batchIntervalUs;
    private final int batchRecords;

    private WalChoice(final FsyncPolicy policy, final long batchIntervalUs, final int batchRecords)
    {
        this.policy = policy;
        this.batchIntervalUs = batchIntervalUs;
        this.batchRecords = batchRecords;
    }

    /**
     * @param fsync           {@code --fsync}'s value (none, batch, every-write), or null for the default, none.
     * @param batchIntervalUs {@code --fsync-interval-us}, or 0 when not given (the engine's default interval).
     * @param batchRecords    {@code --fsync-batch-records}, or 0 when not given (the engine's default count).
     * @return the choice.
     * @throws IllegalArgumentException for an unknown policy, or a batch setting with a policy other than batch.
     */
    static WalChoice of(final String fsync, final long batchIntervalUs, final int batchRecords)
    {
        final FsyncPolicy policy;
        if (null == fsync)
        {
            policy = FsyncPolicy.NONE;
        }
        else
        {
            switch (fsync.toLowerCase(Locale.ROOT))
            {
                case "none":
                    policy = FsyncPolicy.NONE;
                    break;
                case "batch":
                    policy = FsyncPolicy.BATCH;
                    break;
                case "every-write":
                    policy = FsyncPolicy.EVERY_WRITE;
                    break;
                default:
                    throw new IllegalArgumentException(
                        "option --fsync must be none, batch or every-write, got '" + fsync + "'");
            }
        }
        if ((0 != batchIntervalUs || 0 != batchRecords) && FsyncPolicy.BATCH != policy)
        {
            final String option = 0 != batchIntervalUs ? "--fsync-interval-us" : "--fsync-batch-records";
            throw new IllegalArgumentException("option " + option + " needs --fsync batch (it sets BATCH's group " +
                "commit), got --fsync " + policy.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        return new WalChoice(policy, batchIntervalUs, batchRecords);
    }

    /**
     * @return the fsync policy.
     */
    FsyncPolicy policy()
    {
        return policy;
    }

    /**
     * Sets the policy, and BATCH's interval and record count when given, on an engine configuration.
     *
     * @param config the target's engine configuration.
     * @return {@code config}.
     */
    EngineConfig applyTo(final EngineConfig config)
    {
        config.fsyncPolicy(policy);
        if (0 != batchIntervalUs)
        {
            config.fsyncBatchIntervalNs(TimeUnit.MICROSECONDS.toNanos(batchIntervalUs));
        }
        if (0 != batchRecords)
        {
            config.fsyncBatchMaxRecords(batchRecords);
        }
        return config;
    }

    /**
     * @return how the load line describes it, e.g. {@code BATCH (every 2000 us or 256 records)}.
     */
    public String toString()
    {
        return EngineFixture.describeFsync(applyTo(new EngineConfig()));
    }
}
