package io.ferrite.perf.latency;

/**
 * Starts a target by name.
 */
final class Targets
{
    /** The names {@code --target} accepts. */
    static final String NAMES = "embedded|ipc|udp|http|dynalite|redis|chronicle-map|cell|cell-eventual";
    /** The targets whose engine the harness configures, so {@code --fsync} applies to them. */
    static final String WITH_WAL = "embedded, ipc, udp and http";

    private Targets()
    {
    }

    static void check(final String name)
    {
        switch (name)
        {
            case "embedded":
            case "ipc":
            case "udp":
            case "http":
            case "dynalite":
            case "redis":
            case "chronicle-map":
            case "cell":
            case "cell-eventual":
                return;
            default:
                throw new IllegalArgumentException("--target must be one of " + NAMES + ", got '" + name + "'");
        }
    }

    /**
     * @param name one of {@link #NAMES}.
     * @return whether the target runs a Ferrite engine that the harness configures ({@link #WITH_WAL}).
     */
    static boolean hasWal(final String name)
    {
        check(name);
        switch (name)
        {
            case "embedded":
            case "ipc":
            case "udp":
            case "http":
                return true;
            default:
                return false;
        }
    }

    /**
     * Starts a target and loads {@code records} records into it.
     *
     * @param name    one of {@link #NAMES}.
     * @param records how many.
     * @param wal     the WAL's fsync policy, for the targets of {@link #WITH_WAL}; the others ignore it.
     * @return the target, ready.
     */
    static Target open(final String name, final int records, final WalChoice wal)
    {
        check(name);
        switch (name)
        {
            case "embedded":
                return new EmbeddedTarget(records, wal);
            case "ipc":
                return new FerriteClientTarget(false, records, wal);
            case "udp":
                return new FerriteClientTarget(true, records, wal);
            case "http":
                return new HttpTarget(records, wal);
            case "dynalite":
                return DynaliteTarget.open(records);
            case "chronicle-map":
                return new ChronicleMapTarget(records);
            case "redis":
                return new RedisTarget(records);
            case "cell":
                return new CellTarget(true, records);
            case "cell-eventual":
                return new CellTarget(false, records);
            default:
                throw new IllegalArgumentException("target " + name + " is not built yet");
        }
    }
}
