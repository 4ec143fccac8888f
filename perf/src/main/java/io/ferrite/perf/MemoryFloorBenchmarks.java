package io.ferrite.perf;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The floor under any GetItem on this machine with this data size: what touching one random 1 KB entry of a
 * 1 GB memory-mapped file costs with no data structure at all, and with the least a hash table can do (read one
 * 8-byte slot of a 16 MB slot array, then the entry it points at, compare the key, copy the value). No store
 * can serve a uniformly random get faster than the first, and a purpose-built open-addressing table would sit
 * near the second. Compare with {@link EmbeddedBenchmarks#rawChronicleMapGet} and
 * {@link EmbeddedBenchmarks#getItem}.
 */
@BenchmarkMode({ Mode.Throughput, Mode.SampleTime })
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class MemoryFloorBenchmarks
{
    /** A file of {@code entries} 1 KB entries, mapped and resident, plus a slot array pointing into it. */
    @State(Scope.Thread)
    public static class Region
    {
        /** Entries (1 KB each), as many as the engine benchmarks' items. */
        @Param("1000000")
        public int entries;

        Path dir;
        MappedByteBuffer mapped;
        UnsafeBuffer region;
        UnsafeBuffer slots;
        UnsafeBuffer mappedSlots;
        int slotMask;
        final UnsafeBuffer dst = new UnsafeBuffer(ByteBuffer.allocateDirect(Dataset.ITEM_BYTES));
        long randomState = 0x2545F4914F6CDD1DL;

        /** Maps and fills the file; builds the slot array (two slots per entry, as a half-full table). */
        @Setup(Level.Trial)
        public void setUp()
        {
            if ((long)entries * Dataset.ITEM_BYTES + slotArrayBytes(entries) > Integer.MAX_VALUE)
            {
                throw new IllegalArgumentException("entries must fit one 2 GB mapping: " + entries);
            }
            try
            {
                dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "ferrite-floor-");
                try (RandomAccessFile file = new RandomAccessFile(dir.resolve("region").toFile(), "rw"))
                {
                    // the entries, then a copy of the slot array, as the hash store keeps its table in its file
                    file.setLength((long)entries * Dataset.ITEM_BYTES + slotArrayBytes(entries));
                    mapped = file.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, file.length());
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            region = new UnsafeBuffer(mapped, 0, entries * Dataset.ITEM_BYTES);
            mappedSlots = new UnsafeBuffer(mapped, entries * Dataset.ITEM_BYTES, slotArrayBytes(entries));
            for (int i = 0; i < entries; i++)
            {
                region.putLong(i * Dataset.ITEM_BYTES, i);
            }
            final int slotCount = slotCount(entries);
            slotMask = slotCount - 1;
            slots = new UnsafeBuffer(ByteBuffer.allocateDirect(slotCount * 8));
            for (int s = 0; s < slotCount; s++)
            {
                slots.putLong(s * 8, (long)(mix(s) & 0x7FFF_FFFFL) % entries);
                mappedSlots.putLong(s * 8, slots.getLong(s * 8));
            }
        }

        /** Two to four slots per entry: a table at most half full, as the hash store's. */
        private static int slotCount(final int entries)
        {
            return Integer.highestOneBit(entries) * 4;
        }

        private static int slotArrayBytes(final int entries)
        {
            return slotCount(entries) * 8;
        }

        /** Unmaps and deletes the file. */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            IoUtil.unmap(mapped);
            IoUtil.delete(dir.toFile(), true);
        }

        long nextRandom()
        {
            long x = randomState;
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            randomState = x;
            return x;
        }

        private static long mix(final long value)
        {
            long z = value * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            return z ^ (z >>> 31);
        }
    }

    /**
     * Copies one uniformly random 1 KB entry out of the mapped file: one cold access (and its TLB miss), then
     * a sequential 1 KB read the prefetcher helps with.
     *
     * @param region the file.
     * @return a value read, so the JIT keeps the copy.
     */
    @Benchmark
    public long randomEntryCopy(final Region region)
    {
        final int entry = (int)Long.remainderUnsigned(region.nextRandom(), region.entries);
        region.dst.putBytes(0, region.region, entry * Dataset.ITEM_BYTES, Dataset.ITEM_BYTES);
        return region.dst.getLong(0);
    }

    /**
     * An ideal hash table's get: read a random 8-byte slot, follow it to its entry (a dependent access), check
     * the entry's key word and copy the entry: two dependent cold accesses.
     *
     * @param region the file and slots.
     * @return a value read.
     */
    @Benchmark
    public long slotThenEntryCopy(final Region region)
    {
        return slotThenEntry(region, region.slots);
    }

    /**
     * {@link #slotThenEntryCopy} with the slot array in the mapped file instead of a direct buffer, as the hash
     * store keeps its table: the kernel maps a large file's page cache with 2 MiB entries where it can (ext4's large
     * folios, Linux 6.18 here), a direct buffer gets 4 KiB pages, so this variant pays the TLB what the store pays.
     *
     * @param region the file and slots.
     * @return a value read.
     */
    @Benchmark
    public long slotInFileThenEntryCopy(final Region region)
    {
        return slotThenEntry(region, region.mappedSlots);
    }

    private static long slotThenEntry(final Region region, final UnsafeBuffer slots)
    {
        final int slot = (int)(region.nextRandom() & region.slotMask);
        final int entry = (int)slots.getLong(slot * 8);
        final int offset = entry * Dataset.ITEM_BYTES;
        if (region.region.getLong(offset) != entry)
        {
            return -1;
        }
        region.dst.putBytes(0, region.region, offset, Dataset.ITEM_BYTES);
        return region.dst.getLong(8);
    }
}
