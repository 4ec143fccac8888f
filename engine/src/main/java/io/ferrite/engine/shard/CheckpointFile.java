package io.ferrite.engine.shard;

import io.ferrite.engine.store.DurableFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The data directory's checkpoint: the WAL sequence up to which every partition store is durable, so that
 * restart replays only the records after it.
 * <p>
 * <b>Layout</b> ({@code checkpoint.bin}, big-endian): two slots, written alternately in place, so a write torn
 * by a crash or power loss spoils only the slot being written and the other still holds the previous
 * checkpoint (WAL files are purged only after the new checkpoint is durable, so the previous one is always
 * still replayable). A slot is valid when its second word is the complement of its first. The newer valid
 * slot wins. A 16-byte file (slot 0 alone) is the format before slots; it is read as is and becomes the
 * two-slot format on the next write, which goes to slot 1.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+  offset 0
 *  |                   slot 0: sequence (int64)                   ...
 *  +---------------------------------------------------------------+  offset 8
 *  |                   slot 0: ~sequence (int64)                  ...
 *  +---------------------------------------------------------------+  offset 16
 *  |                   slot 1: sequence (int64)                   ...
 *  +---------------------------------------------------------------+  offset 24
 *  |                   slot 1: ~sequence (int64)                  ...
 *  +---------------------------------------------------------------+
 * </pre>
 * <b>Threading:</b> the shard thread. <b>Allocation:</b> {@link #write(long)} allocates nothing: the file
 * stays open and the buffer is reused, so periodic checkpoints make no garbage.
 */
final class CheckpointFile implements AutoCloseable
{
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CheckpointFile.class);
    static final String FILE_NAME = "checkpoint.bin";
    static final int SLOT_LENGTH = 16;

    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer slot = ByteBuffer.allocateDirect(SLOT_LENGTH).order(ByteOrder.BIG_ENDIAN);
    private long sequence;
    private int currentSlot;

    private CheckpointFile(final Path file, final FileChannel channel, final long sequence, final int currentSlot)
    {
        this.file = file;
        this.channel = channel;
        this.sequence = sequence;
        this.currentSlot = currentSlot;
    }

    /**
     * Opens (creating if absent) the checkpoint file of a data directory and reads the last checkpoint.
     *
     * @param dataDir the data directory.
     * @return the open file; {@link #sequence()} is 0 when no checkpoint was ever written.
     * @throws IllegalStateException if the file exists but holds no valid slot.
     */
    static CheckpointFile open(final Path dataDir)
    {
        final Path file = dataDir.resolve(FILE_NAME);
        final FileChannel channel;
        try
        {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open " + file, ex);
        }

        try
        {
            final long size = channel.size();
            if (0 == size)
            {
                // new (or never written): its name must survive a power loss as the other files' names do
                DurableFiles.forceDirectory(file.toAbsolutePath().getParent());
                return new CheckpointFile(file, channel, 0, -1);
            }
            if (size < SLOT_LENGTH || (SLOT_LENGTH == size && !validSlot(channel)))
            {
                // The first checkpoint's write, torn (its size reached the disk, not all its bytes): no checkpoint was
                // ever durable, so no log file was purged, and replay from the start is right. (A single-slot file of
                // the format before slots, torn, is handled alike: the open then refuses a log purged past sequence 1.)
                LOG.warn("checkpoint file {} holds no checkpoint ({} bytes, a first write torn): replaying the whole " +
                    "write-ahead log", file, size);
                return new CheckpointFile(file, channel, 0, -1);
            }
            if (SLOT_LENGTH != size && 2 * SLOT_LENGTH != size)
            {
                throw new IllegalStateException("checkpoint file " + file + " is corrupt (" + size + " bytes)");
            }

            final ByteBuffer bytes = ByteBuffer.allocate((int)size).order(ByteOrder.BIG_ENDIAN);
            while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) >= 0)
            {
                // read to the end
            }
            int best = -1;
            long bestSequence = 0;
            for (int i = 0; i < size / SLOT_LENGTH; i++)
            {
                final long value = bytes.getLong(i * SLOT_LENGTH);
                if (value == ~bytes.getLong(i * SLOT_LENGTH + 8) && (best < 0 || value > bestSequence))
                {
                    best = i;
                    bestSequence = value;
                }
            }
            if (best < 0)
            {
                throw new IllegalStateException("checkpoint file " + file + " is corrupt (" + size +
                    " bytes, no slot holds a sequence and its complement)");
            }
            return new CheckpointFile(file, channel, bestSequence, best);
        }
        catch (final IOException | RuntimeException ex)
        {
            try
            {
                channel.close();
            }
            catch (final IOException suppressed)
            {
                ex.addSuppressed(suppressed);
            }
            if (ex instanceof IOException)
            {
                throw new UncheckedIOException("cannot read " + file, (IOException)ex);
            }
            throw (RuntimeException)ex;
        }
    }

    private static boolean validSlot(final FileChannel channel) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.allocate(SLOT_LENGTH).order(ByteOrder.BIG_ENDIAN);
        while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) >= 0)
        {
            // read the slot
        }
        return bytes.getLong(0) == ~bytes.getLong(8);
    }

    /**
     * @return the sequence of the last checkpoint; 0 if none.
     */
    long sequence()
    {
        return sequence;
    }

    /**
     * Durably records a new checkpoint in the slot not holding the current one ({@code fsync} before returning).
     *
     * @param newSequence the WAL sequence every store is now durable up to.
     * @throws UncheckedIOException if the write or the sync fails; the previous checkpoint still stands.
     */
    void write(final long newSequence)
    {
        final int target = 0 == currentSlot ? 1 : 0;
        slot.clear();
        slot.putLong(0, newSequence).putLong(8, ~newSequence);
        try
        {
            final long position = (long)target * SLOT_LENGTH;
            while (slot.hasRemaining())
            {
                channel.write(slot, position + slot.position());
            }
            channel.force(true);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write checkpoint " + newSequence + " to " + file, ex);
        }
        sequence = newSequence;
        currentSlot = target;
    }

    /**
     * Closes the file.
     */
    public void close()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot close " + file, ex);
        }
    }
}
