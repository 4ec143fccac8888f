package io.ferrite.perf;

import net.openhft.chronicle.bytes.PointerBytesStore;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
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
final class RawChronicleMapFixture implements AutoCloseable
{
    private final Path dir;
    private final ChronicleMap<byte[], byte[]> map;
    private final PointerBytesStore keyPointer = new PointerBytesStore();
    private final UnsafeBuffer entryView = new UnsafeBuffer(0, 0);

    RawChronicleMapFixture(final Dataset dataset)
    {
        try
        {
            dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "ferrite-bench-raw-");
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

    static UnsafeBuffer newKeyBuffer()
    {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(64));
    }

    /**
     * @return the value's length copied into {@code dst}, or -1 when absent.
     */
    int get(final DirectBuffer key, final int keyLength, final UnsafeBuffer dst)
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

    public void close()
    {
        try
        {
            map.close();
        }
        finally
        {
            IoUtil.delete(dir.toFile(), true);
        }
    }
}
