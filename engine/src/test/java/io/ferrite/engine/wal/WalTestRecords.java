package io.ferrite.engine.wal;

import io.ferrite.codecs.sbe.WalOp;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deterministic record content derived from the sequence, so a reader can check any record it replays
 * without having seen it written (the crash child and the test agree through this class alone).
 * Each image starts with a marker {@code MARK-<sequence>-END} that tests search for in the file.
 */
final class WalTestRecords
{
    private WalTestRecords()
    {
    }

    static int tableId(final long sequence)
    {
        return (int)(sequence % 7);
    }

    static int partitionId(final long sequence)
    {
        return (int)(sequence % 13);
    }

    static WalOp op(final long sequence)
    {
        return WalOp.values()[(int)(sequence % 4)];
    }

    static int keyLength(final long sequence)
    {
        return 1 + (int)((sequence * 31) % 200);
    }

    static void fillKey(final UnsafeBuffer buffer, final long sequence)
    {
        final int length = keyLength(sequence);
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(i, (byte)(sequence * 17 + i));
        }
    }

    static void fillImage(final UnsafeBuffer buffer, final long sequence, final int length)
    {
        final byte[] marker = marker(sequence);
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(i, i < marker.length ? marker[i] : (byte)(sequence * 131 + i * 7));
        }
    }

    /** The sequences {@code from} to {@code to}, both included. */
    static List<Long> range(final long from, final long to)
    {
        final List<Long> list = new ArrayList<>();
        for (long s = from; s <= to; s++)
        {
            list.add(s);
        }
        return list;
    }

    static byte[] marker(final long sequence)
    {
        return String.format("MARK-%014d-END", sequence).getBytes(StandardCharsets.US_ASCII);
    }

    static long append(final Wal wal, final UnsafeBuffer key, final UnsafeBuffer image, final long sequence,
        final int imageLength)
    {
        fillKey(key, sequence);
        fillImage(image, sequence, imageLength);
        return wal.append(tableId(sequence), partitionId(sequence), op(sequence), key, 0, keyLength(sequence),
            image, 0, imageLength, sequence * 1000);
    }

    static void assertRecord(final long sequence, final int tableId, final int partitionId, final WalOp op,
        final DirectBuffer key, final int keyOff, final int keyLen, final DirectBuffer image, final int imageOff,
        final int imageLen, final long timestampNs, final int expectedImageLength)
    {
        assertEquals(tableId(sequence), tableId, "tableId of " + sequence);
        assertEquals(partitionId(sequence), partitionId, "partitionId of " + sequence);
        assertEquals(op(sequence), op, "op of " + sequence);
        assertEquals(sequence * 1000, timestampNs, "timestampNs of " + sequence);
        assertEquals(keyLength(sequence), keyLen, "keyLen of " + sequence);
        for (int i = 0; i < keyLen; i++)
        {
            assertEquals((byte)(sequence * 17 + i), key.getByte(keyOff + i), "key byte " + i + " of " + sequence);
        }
        assertEquals(expectedImageLength, imageLen, "imageLen of " + sequence);
        final UnsafeBuffer expected = new UnsafeBuffer(new byte[imageLen]);
        fillImage(expected, sequence, imageLen);
        for (int i = 0; i < imageLen; i++)
        {
            if (expected.getByte(i) != image.getByte(imageOff + i))
            {
                throw new AssertionError("image byte " + i + " of sequence " + sequence + " differs");
            }
        }
    }

    static List<Path> cycleFiles(final Path directory) throws IOException
    {
        try (Stream<Path> files = Files.list(directory))
        {
            return files.filter((p) -> p.toString().endsWith(".cq4")).sorted().collect(Collectors.toList());
        }
    }

    /**
     * Flips one byte of the record with this sequence, after its marker, in whichever cycle file holds it.
     */
    static void corruptRecord(final Path directory, final long sequence) throws IOException
    {
        final byte[] marker = marker(sequence);
        for (final Path file : cycleFiles(directory))
        {
            final byte[] content = Files.readAllBytes(file);
            final int at = indexOf(content, marker);
            if (at >= 0)
            {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
                {
                    final long position = at + marker.length + 1;
                    final ByteBuffer one = ByteBuffer.allocate(1);
                    channel.read(one, position);
                    one.put(0, (byte)~one.get(0));
                    one.clear();
                    channel.write(one, position);
                }
                return;
            }
        }
        assertTrue(false, "marker of sequence " + sequence + " not found in " + directory);
    }

    private static int indexOf(final byte[] haystack, final byte[] needle)
    {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (haystack[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * Waits up to 10 s, spinning, for a value to reach a bound.
     *
     * @param value   read again and again.
     * @param atLeast the bound.
     * @return the last value read: at least {@code atLeast}, or less after 10 s.
     */
    static long awaitAtLeast(final LongSupplier value, final long atLeast)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long seen = value.getAsLong();
        while (seen < atLeast && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
            seen = value.getAsLong();
        }
        return seen;
    }
}
