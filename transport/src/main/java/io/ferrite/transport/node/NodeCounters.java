package io.ferrite.transport.node;

import io.ferrite.codecs.sbe.ErrorCode;
import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The node's counters: Agrona counters in a memory-mapped file in the data directory
 * ({@value #FILE_NAME}), so that {@code ferrite stat} can read them live from another process, as
 * AeronStat reads a driver's.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                        magic (int)                            |
 *  +---------------------------------------------------------------+
 *  |                   layout version (int)                        |
 *  +---------------------------------------------------------------+
 *  |                  metadata length (int)                        |
 *  +---------------------------------------------------------------+
 *  |                   values length (int)                         |
 *  +---------------------------------------------------------------+
 *  |                     node pid (long)                           |
 *  +---------------------------------------------------------------+
 *  |             started at, epoch ms (long)                       |
 *  +---------------------------------------------------------------+
 *  |         heartbeat, epoch ms (long): written by the router     |
 *  +---------------------------------------------------------------+
 *  |  padding to 128 bytes; counters metadata; counters values    ...
 *  +---------------------------------------------------------------+
 * </pre>
 * <b>Threading:</b> counters are allocated by the thread that builds the node, later by the router thread
 * (per-table counters) and by a front's starting thread ({@link #newFrontCounter}), under this object's lock;
 * values are written by their owners: single-writer counters with release stores, shared ones (errors, bytes out,
 * in flight, responses dropped) with atomic adds. Readers on any thread or process.
 */
public final class NodeCounters implements AutoCloseable
{
    /** The counters file in a node's data directory. */
    public static final String FILE_NAME = "node-counters.dat";
    static final int MAGIC = 0x46455243;
    static final int LAYOUT_VERSION = 1;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int METADATA_LENGTH_OFFSET = 8;
    static final int VALUES_LENGTH_OFFSET = 12;
    static final int PID_OFFSET = 16;
    static final int START_MS_OFFSET = 24;
    static final int HEARTBEAT_MS_OFFSET = 32;
    static final int HEADER_LENGTH = 128;
    static final int MAX_COUNTERS = 2048;

    /** Counter type: node-wide. */
    public static final int TYPE_NODE = 7101;
    /** Counter type: requests of one operation. */
    public static final int TYPE_OPERATION = 7102;
    /** Counter type: errors of one code. */
    public static final int TYPE_ERROR = 7103;
    /** Counter type: requests of one table. */
    public static final int TYPE_TABLE = 7104;
    /** Counter type: requests of one shard. */
    public static final int TYPE_SHARD = 7105;
    /** Counter type: the control counters of the on-demand histogram dump. */
    public static final int TYPE_CONTROL = 7106;
    /** Counter type: a front's in the same process (the HTTP front's, labels starting {@code "http: "}). */
    public static final int TYPE_FRONT = 7107;

    /** Label of the counter {@code stat --histograms} increments to ask for a dump. */
    public static final String HISTOGRAM_REQUESTS_LABEL = "histogram dump requests";
    /**
     * Label of the counter holding the JVM's heap in use, in bytes, as of the last heartbeat. Under Epsilon GC
     * (nothing is ever collected) its growth is every byte the node allocated: the proof of a garbage-free request
     * path for a whole node process.
     */
    public static final String HEAP_USED_LABEL = "jvm heap used bytes";
    /** Label of the counter each shard increments once it has written its dump. */
    public static final String HISTOGRAM_DUMPS_LABEL = "histogram dumps written";

    private final Path file;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final CountersManager manager;

    final AtomicCounter[] operations = new AtomicCounter[Operations.COUNT];
    final AtomicCounter[] errors = new AtomicCounter[ErrorCode.values().length];
    final AtomicCounter throttles;
    final AtomicCounter partitionThrottles;
    final AtomicCounter partitionBursts;
    final AtomicCounter bytesIn;
    final AtomicCounter bytesOut;
    final AtomicCounter inFlight;
    final AtomicCounter sessionsOpen;
    final AtomicCounter sessionsOpened;
    final AtomicCounter sessionsTimedOut;
    final AtomicCounter sessionsClosedBackPressure;
    /** Response publications asked for again because the driver still held a closing one on their channel. */
    final AtomicCounter responsePublicationsAddedAgain;
    final AtomicCounter responsesBackPressureTimeouts;
    final AtomicCounter responsesDroppedSessionClosing;
    final AtomicCounter framesDropped;
    final AtomicCounter shardQueueFull;
    final AtomicCounter routingEpoch;
    final AtomicCounter histogramRequests;
    final AtomicCounter histogramDumps;
    final AtomicCounter heapUsed;
    final AtomicCounter[] shardRequests;

    NodeCounters(final Path dataDir, final int shardCount)
    {
        this.file = dataDir.resolve(FILE_NAME);
        final int metadataLength = MAX_COUNTERS * CountersReader.METADATA_LENGTH;
        final int valuesLength = MAX_COUNTERS * CountersReader.COUNTER_LENGTH;
        final long length = HEADER_LENGTH + (long)metadataLength + valuesLength;
        final File asFile = file.toFile();
        IoUtil.deleteIfExists(asFile);
        mapped = IoUtil.mapNewFile(asFile, length);
        header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        final AtomicBuffer metadata = new UnsafeBuffer(mapped, HEADER_LENGTH, metadataLength);
        final AtomicBuffer values = new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength, valuesLength);
        manager = new CountersManager(metadata, values, StandardCharsets.US_ASCII, new SystemEpochClock(), 0);

        for (int i = 0; i < Operations.COUNT; i++)
        {
            operations[i] = manager.newCounter("requests: " + Operations.name(i), TYPE_OPERATION);
        }
        for (final ErrorCode code : ErrorCode.values())
        {
            if (ErrorCode.NULL_VAL != code && ErrorCode.OK != code)
            {
                errors[code.ordinal()] = manager.newCounter("errors: " + code.name(), TYPE_ERROR);
            }
        }
        throttles = manager.newCounter("throttled requests", TYPE_NODE);
        partitionThrottles = manager.newCounter("partition throttled requests", TYPE_NODE);
        partitionBursts = manager.newCounter("partition burst requests", TYPE_NODE);
        bytesIn = manager.newCounter("bytes in", TYPE_NODE);
        bytesOut = manager.newCounter("bytes out", TYPE_NODE);
        inFlight = manager.newCounter("requests in flight", TYPE_NODE);
        sessionsOpen = manager.newCounter("sessions open", TYPE_NODE);
        sessionsOpened = manager.newCounter("sessions opened", TYPE_NODE);
        sessionsTimedOut = manager.newCounter("sessions timed out", TYPE_NODE);
        sessionsClosedBackPressure = manager.newCounter("sessions closed: response back-pressure", TYPE_NODE);
        responsePublicationsAddedAgain = manager.newCounter("response publications added again: clash", TYPE_NODE);
        responsesBackPressureTimeouts = manager.newCounter("responses dropped: back-pressured past the bound", TYPE_NODE);
        responsesDroppedSessionClosing = manager.newCounter("responses dropped: session closing", TYPE_NODE);
        framesDropped = manager.newCounter("frames dropped: no session to answer", TYPE_NODE);
        shardQueueFull = manager.newCounter("router waits: shard queue full", TYPE_NODE);
        routingEpoch = manager.newCounter("routing metadata epoch", TYPE_NODE);
        histogramRequests = manager.newCounter(HISTOGRAM_REQUESTS_LABEL, TYPE_CONTROL);
        histogramDumps = manager.newCounter(HISTOGRAM_DUMPS_LABEL, TYPE_CONTROL);
        heapUsed = manager.newCounter(HEAP_USED_LABEL, TYPE_NODE);
        shardRequests = new AtomicCounter[shardCount];
        for (int i = 0; i < shardCount; i++)
        {
            shardRequests[i] = manager.newCounter("shard " + i + " requests", TYPE_SHARD);
        }

        header.putLong(PID_OFFSET, ProcessHandle.current().pid());
        header.putLong(START_MS_OFFSET, System.currentTimeMillis());
        header.putLong(HEARTBEAT_MS_OFFSET, System.currentTimeMillis());
        header.putInt(METADATA_LENGTH_OFFSET, metadataLength);
        header.putInt(VALUES_LENGTH_OFFSET, valuesLength);
        header.putInt(VERSION_OFFSET, LAYOUT_VERSION);
        header.putIntRelease(MAGIC_OFFSET, MAGIC);
    }

    // Allocation is synchronized: the router allocates table counters on its thread while a front in the same
    // process may allocate its own on the thread that starts it (CountersManager is not thread-safe to allocate).
    synchronized AtomicCounter newTableCounter(final String tableName)
    {
        return manager.newCounter("table " + tableName + " requests", TYPE_TABLE);
    }

    synchronized AtomicCounter newTableThrottleCounter(final String tableName)
    {
        return manager.newCounter("table " + tableName + " throttled requests", TYPE_TABLE);
    }

    /**
     * Frees a table's counter (its table was deleted), under the allocation lock: freeing changes the manager's free
     * list, as allocating does.
     *
     * @param counter a counter this object allocated.
     */
    synchronized void free(final AtomicCounter counter)
    {
        counter.close();
    }

    /**
     * Allocates a counter of a front in the node's process (the HTTP front's), so that {@code ferrite stat} shows it
     * with the node's. Safe from any thread while the node runs; the counter lives as long as the node's counters.
     *
     * @param label the counter's label (US-ASCII).
     * @return the counter, zero.
     */
    public synchronized AtomicCounter newFrontCounter(final String label)
    {
        return manager.newCounter(label, TYPE_FRONT);
    }

    void error(final ErrorCode code)
    {
        final AtomicCounter counter = errors[code.ordinal()];
        if (null != counter)
        {
            counter.increment();
        }
    }

    void heartbeat(final long nowMs)
    {
        // Runtime's two native calls allocate nothing (MemoryMXBean would allocate a MemoryUsage each time).
        final Runtime runtime = Runtime.getRuntime();
        heapUsed.setOrdered(runtime.totalMemory() - runtime.freeMemory());
        header.putLongRelease(HEARTBEAT_MS_OFFSET, nowMs);
    }

    /**
     * @return the counters, for reading in-process (tests, tools).
     */
    public CountersReader reader()
    {
        return manager;
    }

    /**
     * @return the counters file.
     */
    public Path file()
    {
        return file;
    }

    /**
     * Looks a counter's value up by its label (allocating; for tests and tools).
     *
     * @param reader a reader over a node's counters.
     * @param label  the counter's label.
     * @return its value, or -1 when there is no such counter.
     */
    public static long valueOf(final CountersReader reader, final String label)
    {
        final long[] found = { -1 };
        reader.forEach((value, id, counterLabel) ->
        {
            if (counterLabel.equals(label))
            {
                found[0] = value;
            }
        });
        return found[0];
    }

    /**
     * Unmaps the file, leaving it in place (its last values stay readable by {@code stat}).
     */
    public void close()
    {
        IoUtil.unmap(mapped);
    }

    /**
     * A read-only (but for the histogram request counter) view of a node's counters file, for
     * {@code ferrite stat} in another process.
     */
    public static final class View implements AutoCloseable
    {
        private final MappedByteBuffer mapped;
        private final UnsafeBuffer header;
        private final CountersReader reader;
        private final UnsafeBuffer values;

        private View(final MappedByteBuffer mapped)
        {
            this.mapped = mapped;
            header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
            if (MAGIC != header.getIntVolatile(MAGIC_OFFSET) || LAYOUT_VERSION != header.getInt(VERSION_OFFSET))
            {
                IoUtil.unmap(mapped);
                throw new IllegalStateException("not a Ferrite node counters file (magic " +
                    Integer.toHexString(header.getInt(MAGIC_OFFSET)) + ", version " + header.getInt(VERSION_OFFSET) + ")");
            }
            final int metadataLength = header.getInt(METADATA_LENGTH_OFFSET);
            final int valuesLength = header.getInt(VALUES_LENGTH_OFFSET);
            values = new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength, valuesLength);
            reader = new CountersReader(new UnsafeBuffer(mapped, HEADER_LENGTH, metadataLength), values,
                StandardCharsets.US_ASCII);
        }

        /**
         * Maps the counters file of a node's data directory.
         *
         * @param dataDir the node's data directory.
         * @return the view.
         * @throws IllegalStateException when there is no counters file there.
         */
        public static View open(final Path dataDir)
        {
            final Path file = dataDir.resolve(FILE_NAME);
            if (!Files.exists(file))
            {
                throw new IllegalStateException("no " + FILE_NAME + " in " + dataDir.toAbsolutePath() +
                    ": is a node running on that data directory?");
            }
            return new View(IoUtil.mapExistingFile(file.toFile(), FILE_NAME));
        }

        /**
         * @return the counters.
         */
        public CountersReader reader()
        {
            return reader;
        }

        /**
         * @return the node's process id.
         */
        public long pid()
        {
            return header.getLong(PID_OFFSET);
        }

        /**
         * @return when the node last said it was alive, epoch ms (updated every 100 ms or so while it runs).
         */
        public long heartbeatMs()
        {
            return header.getLongVolatile(HEARTBEAT_MS_OFFSET);
        }

        /**
         * Adds one to a counter found by label (used to ask the node for a histogram dump).
         *
         * @param label the counter's label.
         * @return the value before, or -1 when there is no such counter.
         */
        public long increment(final String label)
        {
            final int[] id = { -1 };
            reader.forEach((value, counterId, counterLabel) ->
            {
                if (counterLabel.equals(label))
                {
                    id[0] = counterId;
                }
            });
            if (id[0] < 0)
            {
                return -1;
            }
            return values.getAndAddLong(CountersReader.counterOffset(id[0]), 1);
        }

        /**
         * Unmaps the file.
         */
        public void close()
        {
            IoUtil.unmap(mapped);
        }
    }
}
