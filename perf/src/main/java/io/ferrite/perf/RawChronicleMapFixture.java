package io.ferrite.perf;

import net.openhft.chronicle.bytes.PointerBytesStore;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A plain persisted Chronicle Map holding the same keys (the engine's index keys) and values (the same item
 * bytes) as {@link EngineFixture}, sized for the same number of entries as the engine's partition, read the cheapest garbage-free way Chronicle offers: a query context on an
 * off-heap key, copying the value out of the mapped entry. The baseline GetItem is compared with.
 * <p>
 * <b>Threading:</b> one thread.
 */
public final class RawChronicleMapFixture implements AutoCloseable
{
    private final Path dir;
    private final ExitCleanup.Step dirCleanup;
    private final ChronicleMap<byte[], byte[]> map;
    private final PointerBytesStore keyPointer = new PointerBytesStore();
    private final PointerBytesStore valuePointer = new PointerBytesStore();
    private final UnsafeBuffer entryView = new UnsafeBuffer(0, 0);

    /**
     * @param dataset the data set to load.
     */
    public RawChronicleMapFixture(final Dataset dataset)
    {
        try
        {
            dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "ferrite-bench-raw-");
            dirCleanup = ExitCleanup.deleteAtExit(dir);
            map = ChronicleMap.of(byte[].class, byte[].class)
                .name("raw")
                .entries((long)EngineFixture.HEADROOM * dataset.items())
                .averageKeySize(EngineFixture.AVERAGE_KEY_BYTES)
                .averageValueSize(Dataset.ITEM_BYTES)
                .createPersistedTo(dir.resolve("raw.map").toFile());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }

        final long startNs = System.nanoTime();
        final UnsafeBuffer key = new UnsafeBuffer(new byte[64]);
        for (int i = 0; i < dataset.items(); i++)
        {
            final int keyLength = dataset.indexKey(i, key);
            final byte[] keyBytes = new byte[keyLength];
            key.getBytes(0, keyBytes);
            final byte[] value = new byte[dataset.itemLength(i)];
            dataset.item(i, 0).getBytes(0, value);
            map.put(keyBytes, value);
        }
        System.out.printf("%nloaded %,d entries into a raw Chronicle Map in %.1f s%n",
            dataset.items(), (System.nanoTime() - startNs) / 1e9);
    }

    /**
     * @return a direct buffer big enough for an index key.
     */
    public static UnsafeBuffer newKeyBuffer()
    {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(64));
    }

    /**
     * @param key       the index key.
     * @param keyLength its length.
     * @param dst       receives the value.
     * @return the value's length copied into {@code dst}, or -1 when absent.
     */
    public int get(final DirectBuffer key, final int keyLength, final UnsafeBuffer dst)
    {
        keyPointer.set(key.addressOffset(), keyLength);
        try (ExternalMapQueryContext<byte[], byte[], ?> context = map.queryContext(keyPointer, 0, keyLength))
        {
            final MapEntry<byte[], byte[]> entry = context.entry();
            if (null == entry)
            {
                return -1;
            }
            final Data<byte[]> value = entry.value();
            final int length = (int)value.size();
            entryView.wrap(value.bytes().addressForRead(value.offset()), length);
            dst.putBytes(0, entryView, 0, length);
            return length;
        }
    }

    /**
     * Inserts or replaces one entry without allocating: the key and value are read in place from direct
     * buffers under the entry's update lock.
     *
     * @param key         the index key (direct buffer).
     * @param keyLength   its length.
     * @param value       the value (direct buffer).
     * @param valueLength its length.
     * @return true if an entry was replaced, false if one was inserted.
     */
    public boolean put(final DirectBuffer key, final int keyLength, final DirectBuffer value, final int valueLength)
    {
        keyPointer.set(key.addressOffset(), keyLength);
        valuePointer.set(value.addressOffset(), valueLength);
        try (ExternalMapQueryContext<byte[], byte[], ?> context = map.queryContext(keyPointer, 0, keyLength))
        {
            context.updateLock().lock();
            final Data<byte[]> data = context.wrapValueBytesAsData(valuePointer, 0, valueLength);
            final MapEntry<byte[], byte[]> entry = context.entry();
            if (null != entry)
            {
                context.replaceValue(entry, data);
                return true;
            }
            context.insert(context.absentEntry(), data);
            return false;
        }
    }

    /**
     * Closes the map and deletes its file.
     */
    public void close()
    {
        try
        {
            map.close();
        }
        finally
        {
            dirCleanup.runNow();
        }
    }
}
