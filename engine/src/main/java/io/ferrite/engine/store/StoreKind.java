package io.ferrite.engine.store;

/**
 * Which {@link ItemStore} implementation new partitions use ({@code ferrite.engine.store}).
 */
public enum StoreKind
{
    /** {@link HashItemStore}, files {@code *.store}: our own open-addressing table and arena (decision 0014). */
    HASH(".store"),

    /** {@link ChronicleItemStore}, files {@code *.map}: Chronicle Map (decision 0003). */
    CHRONICLE(".map");

    private final String suffix;

    StoreKind(final String suffix)
    {
        this.suffix = suffix;
    }

    /**
     * @return the file name suffix of this kind's store files.
     */
    public String suffix()
    {
        return suffix;
    }
}
