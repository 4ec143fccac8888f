package io.ferrite.engine.wal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The writer a crash test kills. Run in a child JVM:
 * <ul>
 * <li>{@code append <dir> <policy>}: appends records forever, printing {@code ACK <sequence>} after each
 * append returns (i.e. once acknowledged);</li>
 * <li>{@code tear <dir>}: opens a Chronicle document, writes half a record into it, prints
 * {@code TORN}, and waits to be killed with the document unfinished and the write lock held.</li>
 * </ul>
 */
public final class WalCrashChild
{
    private WalCrashChild()
    {
    }

    static int imageLength(final long sequence)
    {
        return (int)((sequence * 97) % 5000);
    }

    public static void main(final String[] args) throws Exception
    {
        final PrintStream out = new PrintStream(System.out, false, "US-ASCII");
        final Path directory = Path.of(args[1]);
        if ("tear".equals(args[0]))
        {
            try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(directory)
                .rollCycle(new WalConfig().rollCycle()).build())
            {
                final ExcerptAppender appender = queue.createAppender();
                final DocumentContext context = appender.writingDocument();
                final Bytes<?> bytes = context.wire().bytes();
                for (int i = 0; i < Integer.getInteger("tear.bytes", 50); i++)
                {
                    bytes.writeByte((byte)(i | 1));
                }
                out.println("TORN");
                out.flush();
                Thread.sleep(60_000);
            }
            return;
        }

        final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        final UnsafeBuffer image = new UnsafeBuffer(ByteBuffer.allocateDirect(8192));
        try (Wal wal = new Wal(new WalConfig().directory(directory).fsyncPolicy(FsyncPolicy.valueOf(args[2]))))
        {
            out.println("OPEN " + wal.lastSequence());
            out.flush();
            while (true)
            {
                final long sequence = wal.lastSequence() + 1;
                WalTestRecords.append(wal, key, image, sequence, imageLength(sequence));
                out.println("ACK " + sequence);
                out.flush();
            }
        }
    }
}
