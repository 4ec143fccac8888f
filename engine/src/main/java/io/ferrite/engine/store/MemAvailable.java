package io.ferrite.engine.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongSupplier;

/**
 * Reads {@code MemAvailable} of {@code /proc/meminfo} again and again without allocating: one descriptor kept open and
 * read from offset 0 into one direct buffer (the kernel regenerates the file on each read from its start), parsed in
 * place. For the shard's memory guard, whose samples would otherwise allocate some 30-60 KB a second (a line list
 * of the whole file), which the node's allocation test sees; and, once, for a store's open ({@code
 * HashItemStore.availableMemory}).
 * <p>
 * Threading: one thread at a time. {@link #getAsLong()} throws {@link UncheckedIOException} when the file cannot be
 * read and {@link IllegalStateException} when it has no {@code MemAvailable} line (kernels before 3.14).
 */
public final class MemAvailable implements LongSupplier, AutoCloseable
{
    private static final byte[] KEY = "MemAvailable:".getBytes(StandardCharsets.US_ASCII);

    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(16 * 1024);

    /**
     * @param file {@code /proc/meminfo}, or a file of the same format in tests.
     * @throws UncheckedIOException when it cannot be opened.
     */
    public MemAvailable(final Path file)
    {
        this.file = file;
        try
        {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open " + file, ex);
        }
    }

    /**
     * @return the bytes {@code MemAvailable} says are available now.
     */
    @Override
    public long getAsLong()
    {
        buffer.clear();
        try
        {
            while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0)
            {
                continue; // the whole file, a read at a time
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
        return parse(buffer, buffer.position());
    }

    /**
     * @param text  the file's bytes from index 0.
     * @param limit how many there are.
     * @return the {@code MemAvailable} figure in bytes (the file gives kB).
     */
    static long parse(final ByteBuffer text, final int limit)
    {
        for (int i = 0; i + KEY.length <= limit; i++)
        {
            if ((0 == i || '\n' == text.get(i - 1)) && startsWithKey(text, i))
            {
                int j = i + KEY.length;
                while (j < limit && ' ' == text.get(j))
                {
                    j++;
                }
                long kib = 0;
                int digits = 0;
                while (j < limit && text.get(j) >= '0' && text.get(j) <= '9' && digits < 18)
                {
                    kib = kib * 10 + (text.get(j) - '0');
                    j++;
                    digits++;
                }
                if (0 == digits)
                {
                    break;
                }
                return kib * 1024;
            }
        }
        throw new IllegalStateException("no MemAvailable figure in /proc/meminfo");
    }

    private static boolean startsWithKey(final ByteBuffer text, final int at)
    {
        for (int k = 0; k < KEY.length; k++)
        {
            if (KEY[k] != text.get(at + k))
            {
                return false;
            }
        }
        return true;
    }

    /** Closes the descriptor. */
    @Override
    public void close()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // a read-only descriptor of a proc file: nothing to lose
        }
    }
}
