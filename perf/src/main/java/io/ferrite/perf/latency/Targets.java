package io.ferrite.perf.latency;

/**
 * Starts a target by name.
 */
final class Targets
{
    /** The names {@code --target} accepts. */
    static final String NAMES = "embedded|ipc|udp|http|dynalite|redis|chronicle-map|cell|cell-eventual";

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
     * Starts a target and loads {@code records} records into it.
     *
     * @param name    one of {@link #NAMES}.
     * @param records how many.
     * @return the target, ready.
     */
    static Target open(final String name, final int records)
    {
        check(name);
        switch (name)
        {
            case "embedded":
                return new EmbeddedTarget(records);
            case "ipc":
                return new FerriteClientTarget(false, records);
            case "udp":
                return new FerriteClientTarget(true, records);
            case "http":
                return new HttpTarget(records);
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
