package io.ferrite.perf.latency;

/**
 * The operations a workload issues, named by the Ferrite API call that carries them. YCSB's names map as:
 * read = {@link #GET} (GetItem), update = {@link #PUT} (PutItem of the whole record), insert = {@link #INSERT}
 * (PutItem of a new record), scan = {@link #QUERY} (Query of one partition key, a YCSB scan's range read),
 * read-modify-write = {@link #RMW} (GetItem then PutItem, timed as one operation).
 */
public enum Op
{
    /** GetItem of one record. */
    GET("get"),
    /** PutItem replacing one record. */
    PUT("put"),
    /** PutItem of a record not yet in the data set. */
    INSERT("insert"),
    /** Query of one partition key (up to its ten records). */
    QUERY("query"),
    /** GetItem then PutItem of the same record. */
    RMW("read-modify-write");

    private static final Op[] VALUES = values();

    private final String label;

    Op(final String label)
    {
        this.label = label;
    }

    /**
     * @return the name used in the JSON summary and file names.
     */
    public String label()
    {
        return label;
    }

    /**
     * @param ordinal an ordinal.
     * @return the op with that ordinal, without allocating a values() array.
     */
    static Op of(final int ordinal)
    {
        return VALUES[ordinal];
    }

    /**
     * @return how many ops there are.
     */
    static int count()
    {
        return VALUES.length;
    }
}
