package io.ferrite.engine.store;

/**
 * A {@link ItemStore} could not take a new or grown entry because its map has used all the memory it
 * was sized for (its segment tiers and the extra tiers its bloat factor allows).
 * <p>
 * The store is left unchanged by the failed call and stays usable: reads, removes and smaller writes go on.
 * The engine answers the request with ItemCollectionSizeLimitExceeded and splits the partition.
 */
public final class StoreFullException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was full, with the map's name, entry count and configured bound.
     * @param cause   Chronicle Map's own report.
     */
    public StoreFullException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
