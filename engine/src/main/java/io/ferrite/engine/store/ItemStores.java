package io.ferrite.engine.store;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens and deletes a partition's {@link ItemStore} by its base path (no suffix): an existing file decides the
 * implementation (a {@code .map} file is opened by {@link ChronicleItemStore}, a {@code .store} file by
 * {@link HashItemStore}), so data directories written before the hash store keep working; a new store is
 * created with the configured {@link StoreKind}.
 */
public final class ItemStores
{
    private ItemStores()
    {
    }

    /**
     * @param kind   the implementation for a new store.
     * @param base   the store's path without suffix.
     * @param config sizing and name; its file is set to the chosen file.
     * @return the open store.
     */
    public static ItemStore open(final StoreKind kind, final Path base, final StoreConfig config)
    {
        final Path map = file(base, StoreKind.CHRONICLE);
        final Path store = file(base, StoreKind.HASH);
        final boolean mapExists = Files.exists(map);
        final boolean storeExists = Files.exists(store);
        if (mapExists && storeExists)
        {
            throw new IllegalStateException("both a Chronicle Map file and a hash store file exist for one " +
                "partition; remove the one that is not current: " + map + ", " + store);
        }
        final StoreKind chosen = mapExists ? StoreKind.CHRONICLE : storeExists ? StoreKind.HASH : kind;
        config.file(file(base, chosen));
        return StoreKind.HASH == chosen ? HashItemStore.open(config) : ChronicleItemStore.open(config);
    }

    /**
     * Deletes the files of a closed store, whichever kind it is.
     *
     * @param base the store's path without suffix.
     */
    public static void delete(final Path base)
    {
        ChronicleItemStore.delete(file(base, StoreKind.CHRONICLE));
        HashItemStore.delete(file(base, StoreKind.HASH));
    }

    /**
     * @param base the store's path without suffix.
     * @param kind the implementation.
     * @return the file a store of that kind uses.
     */
    public static Path file(final Path base, final StoreKind kind)
    {
        return base.resolveSibling(base.getFileName() + kind.suffix());
    }
}
