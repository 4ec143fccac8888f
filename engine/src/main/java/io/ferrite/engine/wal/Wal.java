package io.ferrite.engine.wal;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import io.ferrite.codecs.sbe.WalOp;
import io.ferrite.codecs.sbe.WalRecordDecoder;
import io.ferrite.codecs.sbe.WalRecordEncoder;
import io.ferrite.engine.store.DurableFiles;
import io.ferrite.engine.store.LibC;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.MappedBytes;
import net.openhft.chronicle.bytes.MappedFile;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.OS;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

/**
 * One shard's write-ahead log: a Chronicle Queue in {@link WalConfig#directory()} holding one SBE
 * {@code WalRecord} per mutation, with a CRC32C, a sequence and a configurable {@link FsyncPolicy}.
 * <p>
 * <b>Threading:</b> single writer, not thread safe. Every method, from the first {@link #append} to
 * {@link #close}, must be called from the same thread: the shard loop that owns the WAL (Chronicle's
 * appender enforces this and throws if another thread uses it while the first lives; {@link #releaseWriterThread()}
 * hands it over). The constructor may run on another thread. Nothing else may write to the directory while a
 * {@code Wal} is open on it. Under
 * {@link FsyncPolicy#BATCH} the WAL starts one daemon thread of its own, the syncer, which only forces the
 * file being written ({@code fdatasync}); it shares nothing with the owner but the sync file's channel
 * (under a lock the owner takes only to force, roll or close) and two sequences (release/volatile).
 * Unless {@link WalConfig#pretouchAheadBytes()} is 0, the WAL also starts a daemon pretoucher thread, which
 * prepares the file being written ahead of the owner without changing its contents (see {@code runPretoucher}):
 * it faults its pages in through the appender's mapping, holding its own references to that mapping and its chunk
 * ahead, or reads them into the page cache ({@link PretouchMethod}). It shares with the owner one position
 * (release) and one reference to the current file and its mapping (volatile), is unparked by the owner, and is
 * stopped and joined by {@link #close} before the queue closes.
 * <p>
 * <b>Record layout</b> (one Chronicle document each; Chronicle's own 4-byte document header, which
 * holds the length and a not-complete bit, precedes it; all fields little-endian):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |       blockLength = 29        |       templateId = 90         |  SBE message header
 *  +-------------------------------+-------------------------------+
 *  |       schemaId = 7101         |        version = 1            |
 *  +-------------------------------+-------------------------------+  offset 8
 *  |                     checksum (CRC32C, uint32)                 |
 *  +---------------------------------------------------------------+  offset 12
 *  |                     sequence (int64)                         ...
 *  ...                                                             |
 *  +---------------------------------------------------------------+  offset 20
 *  |                     timestampNs (int64)                      ...
 *  ...                                                             |
 *  +---------------------------------------------------------------+  offset 28
 *  |                     tableId (int32)                           |
 *  +---------------------------------------------------------------+  offset 32
 *  |                     partitionId (int32)                       |
 *  +---------------+-----------------------------------------------+  offset 36
 *  |  op (uint8)   |  key length (uint32)                         ...
 *  +---------------+-----------------------------------------------+
 *  ... key length  |  key bytes                                   ...
 *  +---------------------------------------------------------------+
 *  |                     image length (uint32)                     |
 *  +---------------------------------------------------------------+
 *  |                     image bytes                              ...
 *  +---------------------------------------------------------------+
 * </pre>
 * The checksum is CRC32C over the 8 header bytes followed by every byte after the checksum field
 * (offset 12 to the end), as the schema says. A record is intact when its header names
 * {@code WalRecord} of this schema, its lengths add up exactly to the document length, its op is
 * known and its checksum matches.
 * <p>
 * <b>Torn and corrupt records.</b> A record that is not intact, or a document a killed writer left
 * unfinished, is <em>torn</em> when no acknowledged record can have been lost with it: it is the last
 * record in the log, or the next intact record has exactly the sequence that follows the last intact
 * one before it (so the torn record was the tail of an earlier run and this WAL reopened past it).
 * Torn records are skipped and reported in the {@link ReplayResult}. Any other failure, i.e. a record
 * that fails in the middle with a gap in sequences around it, or sequences that go backwards or skip, is
 * corruption: {@link #replay} throws {@link IllegalStateException} naming the sequences, the file and
 * the byte offset.
 * <p>
 * <b>Durability.</b> See {@link FsyncPolicy}. The sync is {@code FileChannel.force(false)}
 * ({@code fdatasync}) on the cycle file the appender writes, or under BATCH the same for the file's prefix up to
 * the last record appended ({@code msync(MS_SYNC)} of that range, Linux's ranged fdatasync, so that the
 * pages populated ahead of the writer are not written back; the pages it covers are first unmapped from the
 * appender's mapping, so that their writeback write-protects nothing, see {@code unmapWritten}), plus an
 * {@code fsync} of the directory when a new cycle file appears; a file the appender leaves is forced whole then (BATCH, EVERY_WRITE) or by the next
 * {@link #sync()} (NONE), so a completed sync covers every record before it. Chronicle's own {@code ExcerptAppender.sync()} msyncs only the mapped chunk
 * of the current write position, which misses records left in the previous chunk and the file's
 * header, and its default sync mode is {@code MS_ASYNC}, a no-op on Linux; so the WAL does not use it.
 * Measured by {@code WalAllocationTest} on the project's shared 2-core VM under load average ~4 (rough,
 * noisy), ~230-byte records, averages: NONE ~3 µs per append; EVERY_WRITE ~0.2-2 ms per append, the cost
 * of one fdatasync. BATCH used to force on the owner's thread (one fdatasync per batch, ~8-40 µs per append
 * averaged, milliseconds for the append that paid it); its syncer thread now pays that, and an append costs
 * about what it costs under NONE (perf/README.md has the JMH figures).
 * <p>
 * <b>Crash.</b> Observed with Chronicle Queue 2026.4: a writer killed mid-append holds the queue's write
 * lock (in {@code metadata.cq4t}) and leaves the document's header at zero, with the bytes it had
 * written after it; the header is only set, complete, when the document closes. On reopen Chronicle
 * sees the lock's owner pid is dead and force-unlocks it at once (a WARN "Forced unlocking ... which is
 * now dead"), readers stop at the zero header, and the next append overwrites the leftovers. Measured:
 * open after SIGKILL 25-40 ms, first append without waiting. The WAL finds such leftovers on open and
 * reports them as a torn record. {@link WalConfig#queueTimeoutMs()} bounds any wait on a lock whose
 * owner is still alive or on another host (Chronicle's default is 10 s).
 * <p>
 * <b>Allocation.</b> {@link #append}, {@link #sync} and {@link #flushIfDue} allocate nothing in steady
 * state: the encoder, the buffers and Chronicle's document context are reused. Measured over 10k
 * appends: 0 bytes under BATCH; 0-600 bytes under NONE (sporadic, inside Chronicle, not yet located).
 * A file roll, replay and open allocate; so does {@link #purgeUpTo} after a roll (once per roll cycle),
 * not between rolls.
 */
public final class Wal implements AutoCloseable
{
    /** Encoded length of a record with an empty key and image. */
    public static final int MIN_RECORD_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + WalRecordEncoder.BLOCK_LENGTH +
        WalRecordEncoder.keyHeaderLength() + WalRecordEncoder.imageHeaderLength();

    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final int CHECKSUM_OFFSET = HEADER_LENGTH + WalRecordEncoder.checksumEncodingOffset();
    private static final int CHECKSUM_END = CHECKSUM_OFFSET + WalRecordEncoder.checksumEncodingLength();
    private static final int UNFINISHED_PROBE_LENGTH = 256;
    private static final int POSITION_BITS = 40;
    private static final long POSITION_MASK = (1L << POSITION_BITS) - 1;
    private static final int PRETOUCH_READ_BYTES = 64 * 1024;
    /**
     * The owner wakes the pretoucher each time it has written this much (or a quarter of the read-ahead, if less),
     * and the pretoucher yields its CPU after reading this much: each of its bursts fills ~64 pages (~0.2 ms of
     * zeroing), never milliseconds' worth on the CPU of the thread that woke it.
     */
    private static final long PRETOUCH_BURST_BYTES = 256 * 1024;
    /** The unit the BATCH syncer unmaps in ({@link #unmapWritten}): a page. */
    private static final long UNMAP_PAGE = OS.pageSize();
    /** The pretoucher's longest park: it is woken by the owner (see publishPretouchPosition); this is the backstop. */
    private static final long PRETOUCH_IDLE_PARK_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final Logger LOG = LoggerFactory.getLogger(Wal.class);

    private final FsyncPolicy fsyncPolicy;
    private final long batchIntervalNs;
    private final int batchMaxRecords;
    private final int maxRecordLength;
    private final Path directory;
    private final SingleChronicleQueue queue;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final WalRecordEncoder encoder = new WalRecordEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final WalRecordDecoder decoder = new WalRecordDecoder();
    private final UnsafeBuffer mappedBuffer = new UnsafeBuffer(0, 0);
    private final ByteBuffer scratchByteBuffer;
    private final CRC32C crc32c = new CRC32C();
    private final UnsafeBuffer scratchBuffer;
    private final BytesStore<?, ?> scratchStore;

    /** Guards {@link #syncChannel}: the BATCH syncer forces it while the owner may switch or close it. */
    private final Object syncLock = new Object();
    /** BATCH: last sequence appended, published by the owner (release) for the syncer. */
    private final AtomicLong appendedForSync = new AtomicLong();
    private final Thread batchSyncer;
    /**
     * BATCH: {@code syncGeneration << POSITION_BITS | end of the last record appended} in the sync file, published by
     * the owner (release) before {@link #appendedForSync}; -1 when the position does not fit.
     */
    private final AtomicLong appendedEndForSync = new AtomicLong(-1);
    private volatile long syncedSequence;
    /**
     * The first failure to make the log durable (a BATCH sync on the syncer thread, an EVERY_WRITE or explicit
     * fdatasync, a file switch): once set, the log refuses every append and sync ({@link #throwIfFailed()}).
     * Retrying would not be safe: after a failed writeback Linux marks the pages clean and reports the error
     * once, so a later fdatasync can succeed without the data ever reaching the disk.
     */
    private volatile Throwable failure;
    /** Fault injection ({@link #failNextSyncForTesting}): the next fdatasync throws this instead. */
    private volatile IOException nextSyncFailure;
    private volatile boolean stopSyncer;
    private long earlyWakeSequence;

    /** Pretoucher: how far ahead of the write position it reads; 0 when there is none. */
    private final long pretouchAheadBytes;
    /** Pretoucher: bytes the owner writes between two wake-ups of it (one burst, or a quarter of the read-ahead). */
    private final long pretouchWakeStride;
    /** Pretoucher: whether it reads with the kernel's read-ahead (large folios) or without (4 KiB folios). */
    private final boolean pretouchReadsAhead;
    /** Pretoucher: whether it faults the pages in through the appender's mapping ({@link PretouchMethod}). */
    private final boolean pretouchPopulates;
    /** Pretoucher: the madvise advice it populates with, {@code MADV_POPULATE_WRITE} but in tests. */
    private final int populateAdvice;
    private final Thread pretoucher;
    /**
     * Pretoucher: the file being written, with a generation, published by the owner (volatile) when the
     * appender starts a file.
     */
    private volatile PretouchTarget pretouchTarget;
    /**
     * Pretoucher: {@code generation << POSITION_BITS | write position}, published by the owner (release) after
     * each append; -1 before the first.
     */
    private final AtomicLong pretouchPosition = new AtomicLong(-1);
    private final AtomicLong pretouchedBytes = new AtomicLong();
    /** Pretoucher: its rounds (wake-ups) so far; written by it only. */
    private final AtomicLong pretouchRounds = new AtomicLong();
    private volatile boolean stopPretoucher;
    private volatile Throwable pretouchFailure;
    private int pretouchCycle = Integer.MIN_VALUE;
    private int pretouchGeneration;
    /** Pretoucher only: the file of the position {@link #awaitRound} last returned. */
    private PretouchTarget roundTarget;
    /** Owner: the write position at or past which it next wakes the pretoucher. */
    private long pretouchWakeAt;

    private ExcerptAppender appender;
    private FileChannel syncChannel;
    private int syncChannelCycle = Integer.MIN_VALUE;
    /** BATCH: syncs the sync file's written prefix only ({@link LogSyncMapping}); null if it could not be opened. */
    private LogSyncMapping syncMapping;
    /** BATCH: counts the sync file's switches (23 bits), so that a published end names the file it is in. */
    private int syncGeneration;
    /** Syncs of a written prefix done ({@link #prefixSyncsForTesting()}). */
    private final AtomicLong prefixSyncs = new AtomicLong();
    /**
     * BATCH: drops the appender's page-table entries for the pages a prefix sync is about to write back ({@link
     * #unmapWritten}); null under the other policies, when turned off for a test, or after it failed. Sync lock.
     */
    private LogMappingAdvisor syncUnmapper;
    /** BATCH: the appender's mapping of the sync file, taken when the sync file switches; may be null. Sync lock. */
    private MappedFile syncMappedFile;
    /** BATCH: where the sync file's next unmapping starts; -1 before its first. Sync lock. */
    private long unmappedTo = -1;
    /** Bytes of the log unmapped before their sync ({@link #unmappedBytesForTesting()}). */
    private final AtomicLong unmappedBytes = new AtomicLong();
    /**
     * NONE: the files the appender left since the last sync, other than the sync file (which the next sync's switch
     * forces): a sync forces them too, so that it covers every record before it whatever the files (see
     * {@link #forceToDisk()}). Owner only.
     */
    private final ArrayList<File> leftUnsynced = new ArrayList<>(2);
    /** NONE: the cycle and file the appender last wrote. Owner only. */
    private int writtenCycle = Integer.MIN_VALUE;
    private File writtenFile;
    /** fdatasyncs done ({@link #forcesForTesting()}). */
    private final AtomicLong forces = new AtomicLong();
    private long lastSequence;
    private int onlyFileCycle = Integer.MIN_VALUE;
    private int unsyncedRecords;
    private boolean closed;
    private boolean checkedForUnfinished;
    private String unfinishedAtOpen;

    /**
     * Opens the log in {@code config.directory()}, creating it if absent, and recovers
     * {@link #lastSequence()} from the last intact record.
     *
     * @param config of this WAL; validated, not retained.
     * @throws IllegalArgumentException if the config is invalid.
     */
    public Wal(final WalConfig config)
    {
        config.validate();
        fsyncPolicy = config.fsyncPolicy();
        batchIntervalNs = config.batchIntervalNs();
        batchMaxRecords = config.batchMaxRecords();
        maxRecordLength = config.maxRecordLength();
        directory = config.directory();

        scratchByteBuffer = ByteBuffer.allocateDirect(maxRecordLength).order(ByteOrder.LITTLE_ENDIAN);
        scratchBuffer = new UnsafeBuffer(scratchByteBuffer);
        scratchStore = BytesStore.wrap(scratchByteBuffer);

        try
        {
            DurableFiles.createDirectories(directory);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create WAL directory " + directory, ex);
        }

        final MonotonicRollClock rollClock = new MonotonicRollClock(config.rollClock());
        queue = SingleChronicleQueueBuilder.binary(directory)
            .rollCycle(config.rollCycle())
            .timeoutMS(config.queueTimeoutMs())
            .timeProvider(rollClock)
            .syncMode(SyncMode.NONE) // the WAL forces the file itself, see class javadoc
            .build();
        final int lastCycle = queue.lastCycle();
        if (lastCycle != Integer.MIN_VALUE)
        {
            // never append to a file before the newest one, even if the clock is now behind it
            rollClock.floorMs = queue.epoch() + (long)lastCycle * config.rollCycle().lengthInMillis();
        }

        lastSequence = recoverLastSequence();
        syncedSequence = lastSequence;
        appendedForSync.set(lastSequence);
        earlyWakeSequence = lastSequence;
        if (FsyncPolicy.BATCH == fsyncPolicy)
        {
            syncUnmapper = config.unmapsSyncedPages() ?
                new LogMappingAdvisor("ferrite-wal-sync", LibC.MADV_DONTNEED, false) : null;
            batchSyncer = new Thread(this::runBatchSyncer, "ferrite-wal-sync " + directory);
            batchSyncer.setDaemon(true);
            batchSyncer.start();
        }
        else
        {
            batchSyncer = null;
        }

        pretouchAheadBytes = config.pretouchAheadBytes();
        pretouchWakeStride = Math.max(4096, Math.min(PRETOUCH_BURST_BYTES, pretouchAheadBytes / 4));
        pretouchReadsAhead = config.pretouchReadAhead().readsAhead(fsyncPolicy);
        pretouchPopulates = config.pretouchMethod().populates(fsyncPolicy);
        populateAdvice = config.populateAdvice();
        if (pretouchAheadBytes > 0)
        {
            pretoucher = new Thread(this::runPretoucher, "ferrite-wal-pretouch " + directory);
            pretoucher.setDaemon(true);
            pretoucher.start();
        }
        else
        {
            pretoucher = null;
        }
    }

    /**
     * Appends one record and makes it durable per the {@link FsyncPolicy} before returning.
     * <p>
     * After a durability failure ({@link #throwIfFailed()}) it writes nothing and throws. A failure found after the
     * record was written (its EVERY_WRITE fdatasync, or the sync file's switch) does not throw here: the record is in
     * the log, and a restart after a crash replays it, so the caller must apply it like any other and then call
     * {@link #throwIfFailed()} to report that it may not be durable.
     *
     * @param tableId     the mutation applies to.
     * @param partitionId the mutation applies to.
     * @param op          what the record does.
     * @param key         buffer holding the item-format key.
     * @param keyOff      offset of the key in {@code key}.
     * @param keyLen      length of the key.
     * @param image       buffer holding the new image; may be null when {@code imageLen} is 0.
     * @param imageOff    offset of the image in {@code image}.
     * @param imageLen    length of the image; 0 for a delete.
     * @param timestampNs stored in the record and handed back on replay.
     * @return the record's sequence: {@link #lastSequence()} + 1, from 1, continuing after a restart.
     * @throws IllegalArgumentException if the record would exceed {@link WalConfig#maxRecordLength()}.
     * @throws FerriteException         InternalServerError if the log failed before: nothing is written.
     */
    public long append(
        final int tableId,
        final int partitionId,
        final WalOp op,
        final DirectBuffer key,
        final int keyOff,
        final int keyLen,
        final DirectBuffer image,
        final int imageOff,
        final int imageLen,
        final long timestampNs)
    {
        throwIfFailed();
        return write(tableId, partitionId, op, key, keyOff, keyLen, image, imageOff, imageLen, timestampNs);
    }

    /**
     * Appends a record that undoes the one just appended, which its writer could not apply (its store had no room),
     * as {@link #append} does, but even after a durability failure: the log must keep matching the store, so that a
     * restart after a crash does not replay the record that was never applied.
     *
     * @param tableId     the mutation applies to.
     * @param partitionId the mutation applies to.
     * @param op          what the record does.
     * @param key         buffer holding the item-format key.
     * @param keyOff      offset of the key in {@code key}.
     * @param keyLen      length of the key.
     * @param image       buffer holding the image to restore; may be null when {@code imageLen} is 0.
     * @param imageOff    offset of the image in {@code image}.
     * @param imageLen    length of the image; 0 for a delete.
     * @param timestampNs stored in the record and handed back on replay.
     * @return the record's sequence.
     */
    public long appendCorrection(
        final int tableId,
        final int partitionId,
        final WalOp op,
        final DirectBuffer key,
        final int keyOff,
        final int keyLen,
        final DirectBuffer image,
        final int imageOff,
        final int imageLen,
        final long timestampNs)
    {
        return write(tableId, partitionId, op, key, keyOff, keyLen, image, imageOff, imageLen, timestampNs);
    }

    private long write(
        final int tableId,
        final int partitionId,
        final WalOp op,
        final DirectBuffer key,
        final int keyOff,
        final int keyLen,
        final DirectBuffer image,
        final int imageOff,
        final int imageLen,
        final long timestampNs)
    {
        checkOpen();
        final int length = recordLength(keyLen, imageLen);
        if (null == op || WalOp.NULL_VAL == op)
        {
            throw new IllegalArgumentException("WAL op must be PUT, DELETE, CREATE_TABLE or DELETE_TABLE: " + op);
        }
        final long sequence = lastSequence + 1;

        if (null == appender)
        {
            appender = queue.createAppender();
        }

        // Encoded aside, in a direct ByteBuffer, so that the JDK's intrinsic CRC32C can checksum it (it needs a
        // ByteBuffer; the mapped file has none), then copied into the log: a 1 KB copy costs less than a
        // table-driven CRC over the mapped bytes.
        encode(scratchBuffer, sequence, tableId, partitionId, op, key, keyOff, keyLen,
            image, imageOff, imageLen, timestampNs);

        long end;
        Bytes<?> logBytes;
        try (DocumentContext context = appender.writingDocument())
        {
            boolean written = false;
            try
            {
                final Bytes<?> bytes = context.wire().bytes();
                final long start = bytes.writePosition();
                final BytesStore<?, ?> store = bytes.bytesStore();
                if (start >= store.start() && start + length <= store.safeLimit())
                {
                    // the record fits in the current mapping: one copy straight into the mapped file
                    mappedBuffer.wrap(bytes.addressForWrite(start), length);
                    mappedBuffer.putBytes(0, scratchBuffer, 0, length);
                    bytes.writeSkip(length);
                }
                else
                {
                    // the record would straddle two mapped chunks: let Chronicle copy it across
                    bytes.write(scratchStore, 0L, (long)length);
                }
                end = bytes.writePosition();
                logBytes = bytes;
                written = true;
            }
            finally
            {
                if (!written)
                {
                    context.rollbackOnClose();
                }
            }
        }

        lastSequence = sequence;
        if (null != pretoucher)
        {
            publishPretouchPosition(end, logBytes);
        }
        afterAppend(end);

        return sequence;
    }

    /**
     * Makes an empty log continue after {@code sequence}: the next append gets {@code sequence + 1}. For a data
     * directory whose log was set aside (its records after a lost page unreachable) after a checkpoint at
     * {@code sequence}; the caller appends a record before the next open, which recovers the sequence from it.
     *
     * @param sequence the last sequence the new log follows.
     * @throws IllegalStateException if the log is not empty.
     */
    public void continueAfter(final long sequence)
    {
        checkOpen();
        if (0 != lastSequence || null != appender)
        {
            throw new IllegalStateException("only an empty log can continue after a sequence: lastSequence=" +
                lastSequence + " in " + directory);
        }
        lastSequence = sequence;
        syncedSequence = sequence;
        appendedForSync.set(sequence);
        earlyWakeSequence = sequence;
    }

    /**
     * @return sequence of the last record appended or recovered on open; 0 for an empty log.
     */
    public long lastSequence()
    {
        return lastSequence;
    }

    /**
     * Replays, in order, every intact record with a sequence greater than {@code afterSequence}.
     * Skips and reports torn records; throws on corruption (see the class javadoc for the rule).
     *
     * @param afterSequence the last sequence already applied (e.g. the checkpoint's); 0 for all.
     * @param handler       receives each record.
     * @return what was replayed and what was torn.
     * @throws IllegalStateException naming sequence, file and offset of a record corrupt in the middle.
     */
    public ReplayResult replay(final long afterSequence, final WalRecordHandler handler)
    {
        checkOpen();
        long replayed = 0;
        long lastIntact = 0;
        long torn = 0;
        int pendingFailures = 0;
        final StringBuilder tornReport = new StringBuilder();
        final StringBuilder pendingReport = new StringBuilder();

        try (ExcerptTailer tailer = queue.createTailer())
        {
            tailer.toStart();
            while (true)
            {
                try (DocumentContext context = tailer.readingDocument())
                {
                    if (!context.isPresent())
                    {
                        break;
                    }
                    if (!context.isData())
                    {
                        continue;
                    }

                    final DirectBuffer record = wrapRecord(context.wire().bytes());
                    final String failure = null == record ? "record longer than maxRecordLength" : verify(record);
                    if (null != failure)
                    {
                        pendingFailures++;
                        describe(pendingReport, tailer, context, failure, lastIntact);
                        continue;
                    }

                    final long sequence = decoder.sequence();
                    if (pendingFailures > 0 && sequence != lastIntact + 1)
                    {
                        throw new IllegalStateException("WAL corrupt in the middle: " + pendingFailures +
                            " bad record(s) between intact sequences " + lastIntact + " and " + sequence +
                            ", so sequences up to " + (sequence - 1) + " are lost: " + pendingReport);
                    }
                    if (lastIntact != 0 && sequence != lastIntact + 1)
                    {
                        throw new IllegalStateException("WAL sequence out of order: expected " + (lastIntact + 1) +
                            " after " + lastIntact + " but found " + sequence + " at " + tailer.currentFile() +
                            " index 0x" + Long.toHexString(context.index()));
                    }
                    if (pendingFailures > 0)
                    {
                        torn += pendingFailures;
                        tornReport.append(pendingReport).append("(superseded by sequence ")
                            .append(sequence).append(") ");
                        pendingFailures = 0;
                        pendingReport.setLength(0);
                    }
                    lastIntact = sequence;

                    if (sequence > afterSequence)
                    {
                        deliver(record, handler);
                        replayed++;
                    }
                }
            }
        }

        if (pendingFailures > 0)
        {
            torn += pendingFailures;
            tornReport.append(pendingReport).append("(tail) ");
        }
        if (null != unfinishedAtOpen)
        {
            torn++;
            tornReport.append(unfinishedAtOpen);
        }

        return new ReplayResult(replayed, lastIntact, torn, tornReport.toString().trim());
    }

    /**
     * Forces every record appended so far to stable storage, whatever the policy.
     */
    public void sync()
    {
        checkOpen();
        throwIfFailed();
        if (unsyncedRecords > 0)
        {
            forceToDisk();
        }
    }

    /**
     * Duty method for the shard loop's idle time. Does nothing now: BATCH's syncs run on the WAL's own
     * syncer thread (see {@link FsyncPolicy#BATCH}), so the loop owes the WAL no idle work; kept so that
     * loops written against it need not change.
     *
     * @param nowNs the loop's clock, unused.
     * @return 0: no work done on the calling thread.
     */
    public int flushIfDue(final long nowNs)
    {
        return 0;
    }

    /**
     * Deletes the queue files whose records all have a sequence {@code <= checkpointSequence}. The newest
     * file is never deleted, so {@link #lastSequence()} survives a restart.
     * <p>
     * Listing the directory and reading each file's first record allocates, so it is skipped when the
     * previous purge left only the file the appender still writes: nothing can be deleted until the
     * appender rolls to a new file. Periodic checkpoints therefore allocate nothing here between rolls.
     *
     * @param checkpointSequence the highest sequence a durable checkpoint contains.
     * @return number of files deleted.
     */
    public int purgeUpTo(final long checkpointSequence)
    {
        checkOpen();
        if (null != appender && appender.cycle() == onlyFileCycle)
        {
            return 0;
        }
        queue.refreshDirectoryListing();
        final int firstCycle = queue.firstCycle();
        final int lastCycle = queue.lastCycle();
        if (firstCycle == Integer.MAX_VALUE || lastCycle == Integer.MIN_VALUE || firstCycle >= lastCycle)
        {
            onlyFileCycle = lastCycle;
            return 0;
        }

        final NavigableSet<Long> cycles = queue.listCyclesBetween(firstCycle, lastCycle);
        final TreeMap<Integer, File> files = new TreeMap<>();
        final TreeMap<Integer, Long> firstSequences = new TreeMap<>();
        try (ExcerptTailer tailer = queue.createTailer())
        {
            for (final Long boxedCycle : cycles)
            {
                final int cycle = boxedCycle.intValue();
                if (!tailer.moveToCycle(cycle))
                {
                    continue;
                }
                files.put(cycle, tailer.currentFile());
                try (DocumentContext context = tailer.readingDocument())
                {
                    if (context.isPresent() && tailer.cycle() == cycle)
                    {
                        final DirectBuffer record = wrapRecord(context.wire().bytes());
                        if (null != record && null == verify(record))
                        {
                            firstSequences.put(cycle, decoder.sequence());
                        }
                    }
                }
            }
        }

        int removed = 0;
        for (final Map.Entry<Integer, File> entry : files.entrySet())
        {
            final Map.Entry<Integer, Long> next = firstSequences.higherEntry(entry.getKey());
            if (null == next || next.getValue() - 1 > checkpointSequence)
            {
                break;
            }
            final File file = entry.getValue();
            if (null != file && file.delete())
            {
                removed++;
            }
        }

        if (removed > 0)
        {
            queue.refreshDirectoryListing();
            if (queue.firstCycle() == lastCycle)
            {
                onlyFileCycle = lastCycle;
            }
        }

        return removed;
    }

    /**
     * Syncs unsynced records unless the policy is NONE, then closes the queue. Idempotent.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        stopPretoucher();
        stopBatchSyncer();
        try
        {
            if (fsyncPolicy != FsyncPolicy.NONE && unsyncedRecords > 0 && null == failure)
            {
                forceToDisk();
            }
        }
        finally
        {
            synchronized (syncLock)
            {
                closeSyncChannel();
            }
            if (null != appender)
            {
                appender.close();
            }
            queue.close();
        }
    }

    /**
     * @param keyLen   key length.
     * @param imageLen image length.
     * @return encoded length of a record.
     * @throws IllegalArgumentException if negative or longer than the configured maximum.
     */
    private int recordLength(final int keyLen, final int imageLen)
    {
        final long length = (long)MIN_RECORD_LENGTH + keyLen + imageLen;
        if (keyLen < 0 || imageLen < 0 || length > maxRecordLength)
        {
            throw new IllegalArgumentException("WAL record too long or negative: keyLen=" + keyLen +
                " imageLen=" + imageLen + " encoded=" + length + " maxRecordLength=" + maxRecordLength);
        }

        return (int)length;
    }

    private void encode(
        final MutableDirectBuffer buffer,
        final long sequence,
        final int tableId,
        final int partitionId,
        final WalOp op,
        final DirectBuffer key,
        final int keyOff,
        final int keyLen,
        final DirectBuffer image,
        final int imageOff,
        final int imageLen,
        final long timestampNs)
    {
        headerEncoder.wrap(buffer, 0)
            .blockLength(WalRecordEncoder.BLOCK_LENGTH)
            .templateId(WalRecordEncoder.TEMPLATE_ID)
            .schemaId(WalRecordEncoder.SCHEMA_ID)
            .version(WalRecordEncoder.SCHEMA_VERSION);
        encoder.wrap(buffer, HEADER_LENGTH)
            .checksum(0)
            .sequence(sequence)
            .timestampNs(timestampNs)
            .tableId(tableId)
            .partitionId(partitionId)
            .op(op)
            .putKey(key, keyOff, keyLen);
        if (imageLen > 0)
        {
            encoder.putImage(image, imageOff, imageLen);
        }
        else
        {
            encoder.putImage(scratchBuffer, 0, 0);
        }

        final int length = HEADER_LENGTH + encoder.encodedLength();
        encoder.checksum(scratchChecksum(length) & 0xFFFF_FFFFL);
    }

    /**
     * CRC32C of the record at the start of {@link #scratchByteBuffer}: the header, then everything after the
     * checksum field. {@link CRC32C} on a direct ByteBuffer is a JIT intrinsic and allocates nothing.
     */
    private int scratchChecksum(final int length)
    {
        final ByteBuffer bytes = scratchByteBuffer;
        crc32c.reset();
        bytes.limit(HEADER_LENGTH).position(0);
        crc32c.update(bytes);
        bytes.limit(length).position(CHECKSUM_END);
        crc32c.update(bytes);
        bytes.clear();
        return (int)crc32c.getValue();
    }

    /**
     * @param bytes of a document being read, positioned at its first byte.
     * @return a buffer over the whole document at offset 0, or null if it exceeds the maximum length.
     */
    private DirectBuffer wrapRecord(final Bytes<?> bytes)
    {
        final long start = bytes.readPosition();
        final long length = bytes.readRemaining();
        if (length > maxRecordLength)
        {
            return null;
        }
        final BytesStore<?, ?> store = bytes.bytesStore();
        if (start >= store.start() && start + length <= store.safeLimit())
        {
            mappedBuffer.wrap(bytes.addressForRead(start), (int)length);
            return mappedBuffer;
        }

        scratchStore.write(0L, bytes, start, length);
        mappedBuffer.wrap(scratchBuffer, 0, (int)length);
        return mappedBuffer;
    }

    /**
     * Checks structure and checksum, leaving {@link #decoder} wrapped on success.
     *
     * @param record the whole document at offset 0.
     * @return null if intact, else what is wrong.
     */
    private String verify(final DirectBuffer record)
    {
        final int length = record.capacity();
        if (length < MIN_RECORD_LENGTH)
        {
            return "length " + length + " < minimum " + MIN_RECORD_LENGTH;
        }
        headerDecoder.wrap(record, 0);
        final int blockLength = headerDecoder.blockLength();
        if (headerDecoder.templateId() != WalRecordDecoder.TEMPLATE_ID ||
            headerDecoder.schemaId() != WalRecordDecoder.SCHEMA_ID ||
            blockLength < WalRecordDecoder.BLOCK_LENGTH)
        {
            return "bad header templateId=" + headerDecoder.templateId() + " schemaId=" + headerDecoder.schemaId() +
                " blockLength=" + blockLength;
        }
        final int keyLengthOffset = HEADER_LENGTH + blockLength;
        final long keyLen = record.getInt(keyLengthOffset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        final long imageLengthOffset = keyLengthOffset + 4L + keyLen;
        if (imageLengthOffset + 4 > length)
        {
            return "key length " + keyLen + " overruns record length " + length;
        }
        final long imageLen = record.getInt((int)imageLengthOffset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        if (imageLengthOffset + 4 + imageLen != length)
        {
            return "lengths key=" + keyLen + " image=" + imageLen + " do not add up to record length " + length;
        }
        decoder.wrap(record, HEADER_LENGTH, blockLength, headerDecoder.version());
        final long stored = decoder.checksum();
        if (record.addressOffset() != scratchBuffer.addressOffset())
        {
            scratchBuffer.putBytes(0, record, 0, length);
        }
        final long computed = scratchChecksum(length) & 0xFFFF_FFFFL;
        if (stored != computed)
        {
            return "checksum stored=0x" + Long.toHexString(stored) + " computed=0x" + Long.toHexString(computed);
        }
        final short op = decoder.opRaw();
        if (op < WalOp.PUT.value() || op > WalOp.DELETE_TABLE.value())
        {
            return "unknown op " + op;
        }

        return null;
    }

    private void deliver(final DirectBuffer record, final WalRecordHandler handler)
    {
        final int keyLengthOffset = HEADER_LENGTH + headerDecoder.blockLength();
        final int keyLen = record.getInt(keyLengthOffset, ByteOrder.LITTLE_ENDIAN);
        final int imageLengthOffset = keyLengthOffset + 4 + keyLen;
        final int imageLen = record.getInt(imageLengthOffset, ByteOrder.LITTLE_ENDIAN);
        handler.onRecord(
            decoder.sequence(),
            decoder.tableId(),
            decoder.partitionId(),
            WalOp.get(decoder.opRaw()),
            record,
            keyLengthOffset + 4,
            keyLen,
            record,
            imageLengthOffset + 4,
            imageLen,
            decoder.timestampNs());
    }

    private static void describe(
        final StringBuilder report,
        final ExcerptTailer tailer,
        final DocumentContext context,
        final String failure,
        final long lastIntact)
    {
        report.append("[after sequence ").append(lastIntact)
            .append(": file ").append(tailer.currentFile())
            .append(" offset ").append(context.wire().bytes().readPosition())
            .append(" index 0x").append(Long.toHexString(context.index()))
            .append(": ").append(failure).append("] ");
    }

    private long recoverLastSequence()
    {
        try (ExcerptTailer tailer = queue.createTailer())
        {
            tailer.direction(TailerDirection.BACKWARD).toEnd();
            while (true)
            {
                try (DocumentContext context = tailer.readingDocument())
                {
                    if (!context.isPresent())
                    {
                        return 0;
                    }
                    if (!context.isData())
                    {
                        continue;
                    }
                    final Bytes<?> bytes = context.wire().bytes();
                    if (!checkedForUnfinished)
                    {
                        checkedForUnfinished = true;
                        unfinishedAtOpen = findUnfinishedDocument(bytes, tailer.currentFile());
                    }
                    final DirectBuffer record = wrapRecord(bytes);
                    if (null != record && null == verify(record))
                    {
                        return decoder.sequence();
                    }
                }
            }
        }
    }

    /**
     * Chronicle writes a document's header only when the document completes, under a write lock that
     * the next writer takes over from a dead process; so a writer killed mid-append leaves a zero
     * header followed by the bytes it had written, which readers ignore and the next append
     * overwrites. Finds such leftovers after the last complete document so that they are reported.
     *
     * @param bytes of the last complete document, as read.
     * @param file  holding it.
     * @return a description, or null if the space after the last document is clean.
     */
    private static String findUnfinishedDocument(final Bytes<?> bytes, final File file)
    {
        final long headerOffset = (bytes.readLimit() + 3) & ~3L;
        final BytesStore<?, ?> store = bytes.bytesStore();
        final long end = Math.min(headerOffset + 4 + UNFINISHED_PROBE_LENGTH, store.safeLimit());
        // a killed writer's bytes start right after the zero header (a record starts with blockLength 0x1D);
        // stale leftovers further back were cut off by the next append, which zeroes the bytes after itself
        if (headerOffset < store.start() || headerOffset + 5 > end || 0 != store.readInt(headerOffset) ||
            0 == store.readByte(headerOffset + 4))
        {
            return null;
        }
        int nonZero = 0;
        for (long offset = headerOffset + 4; offset < end; offset++)
        {
            if (0 != store.readByte(offset))
            {
                nonZero++;
            }
        }

        return 0 == nonZero ? null : "[unfinished document left by a writer killed mid-append: file " + file +
            " offset " + headerOffset + ", zero header followed by " + nonZero + " non-zero byte(s) in the next " +
            (end - headerOffset - 4) + "; invisible to readers, overwritten by the next append]";
    }

    private void afterAppend(final long end)
    {
        switch (fsyncPolicy)
        {
            case EVERY_WRITE:
                unsyncedRecords = 1;
                try
                {
                    forceToDisk();
                }
                catch (final FerriteException ex)
                {
                    // recorded in failure: the caller applies the record, then throwIfFailed() reports it
                }
                break;

            case BATCH:
                final int cycle = appender.cycle();
                if (cycle != syncChannelCycle)
                {
                    // first record or a roll: the previous file is forced here, on the owner, once per file
                    synchronized (syncLock)
                    {
                        try
                        {
                            switchSyncChannel(cycle);
                        }
                        catch (final IOException | RuntimeException ex)
                        {
                            fail(ex);
                            return; // the caller applies the record, then throwIfFailed() reports it
                        }
                    }
                }
                unsyncedRecords++;
                appendedEndForSync.lazySet(end <= POSITION_MASK ? ((long)syncGeneration << POSITION_BITS) | end : -1);
                appendedForSync.lazySet(lastSequence); // release: the syncer reads it with get()
                if (lastSequence - earlyWakeSequence >= batchMaxRecords &&
                    lastSequence - syncedSequence >= batchMaxRecords)
                {
                    earlyWakeSequence = lastSequence;
                    LockSupport.unpark(batchSyncer);
                }
                break;

            default:
                if (appender.cycle() != writtenCycle)
                {
                    leftFile();
                }
                unsyncedRecords++;
                break;
        }
    }

    /**
     * NONE: the appender started a file (once per roll; allocates). The one it left is remembered for the next sync,
     * unless it is the sync file, which that sync's switch forces.
     */
    private void leftFile()
    {
        if (null != writtenFile && writtenCycle != syncChannelCycle)
        {
            leftUnsynced.add(writtenFile);
        }
        writtenCycle = appender.cycle();
        writtenFile = appender.currentFile();
    }

    /**
     * BATCH's group commit, off the owner's thread: wakes every {@code batchIntervalNs} (or early, when the
     * owner has appended {@code batchMaxRecords} records the syncer has not covered) and forces the current
     * file if anything was appended since its last force. The owner forces the previous file itself when it
     * rolls, so this only ever forces the file being written. A failure stops it and fails the log: the owner's
     * next append throws and writes nothing.
     */
    private void runBatchSyncer()
    {
        while (!stopSyncer)
        {
            LockSupport.parkNanos(this, batchIntervalNs);
            final long target = appendedForSync.get();
            if (target > syncedSequence)
            {
                try
                {
                    synchronized (syncLock)
                    {
                        if (null != syncChannel)
                        {
                            forceSyncFile();
                        }
                    }
                    syncedSequence = target;
                }
                catch (final IOException | RuntimeException ex)
                {
                    fail(ex);
                    return;
                }
            }
        }
    }

    /**
     * Owner side of the pretoucher: publishes the end of the record just written, and the file with its mapping
     * (taken from {@code logBytes}, the appender's bytes the record went to), when the appender has started a new
     * one (once per file; the only allocation).
     */
    private void publishPretouchPosition(final long end, final Bytes<?> logBytes)
    {
        final int cycle = appender.cycle();
        if (cycle != pretouchCycle)
        {
            final File file = appender.currentFile();
            if (null == file)
            {
                return;
            }
            pretouchCycle = cycle;
            pretouchGeneration = (pretouchGeneration + 1) & 0x7F_FFFF;
            // the appender's bytes of the file just started: its mapping, which a populating pretoucher works in
            pretouchTarget = new PretouchTarget(file, mappedFileOf(logBytes), pretouchGeneration);
            pretouchWakeAt = 0; // a new file: wake it now
        }
        pretouchPosition.lazySet(((long)pretouchGeneration << POSITION_BITS) | (end & POSITION_MASK));
        if (end >= pretouchWakeAt)
        {
            // once per burst written: the pretoucher stays ahead by the read-ahead less one burst, wakes in
            // proportion to what is written (none when nothing is), and each round is short
            pretouchWakeAt = end + pretouchWakeStride;
            LockSupport.unpark(pretoucher);
        }
    }

    /**
     * The pretoucher thread: {@link #runPopulatingPretoucher} when {@link PretouchMethod} says so (by default under
     * NONE), else, or when populating is not possible here, {@link #runReadingPretoucher}.
     * <p>
     * Why either: on a disk-backed file system Chronicle's file grows sparse (ftruncate), and the first store to a
     * page not in the page cache faults, and the kernel's read-around for a mapping fault fills a whole
     * read-ahead window ({@code read_ahead_kb}; 8 MiB on the project's VM) of zeroed pages on the faulting
     * thread: measured ~21 ms on the shard thread every 8 MiB of WAL. Here that cost is paid on this thread.
     */
    private void runPretoucher()
    {
        if (pretouchPopulates && runPopulatingPretoucher())
        {
            return;
        }
        runReadingPretoucher();
    }

    /**
     * {@link PretouchMethod#READ}: when the owner wakes it (on a new file, then each time it has written another 256
     * KiB, or a quarter of {@code pretouchAheadBytes} if that is less), brings the file being written into the page
     * cache from where it stopped up to {@code pretouchAheadBytes} past the owner's write position (bounded by the
     * file's size, which Chronicle keeps at least 16 MiB past the current chunk), so that the page cache holds those
     * pages, zero-filled, before the owner's stores into its mapping reach them. It parks for at most 100 ms between
     * rounds, and yields its CPU after each 256 KiB it brings in. It used to poll every millisecond: ~935 wake-ups a
     * second even with nothing written. Woken once per quarter read-ahead (4 MiB) instead, each round zeroed up to
     * 4-16 MiB of pages in one go, on the CPU of the owner that woke it: the owner waited up to 14 ms behind it.
     * <p>
     * It works through its own descriptor ({@link PretouchFile}), with the kernel's read-ahead or without as
     * {@link WalConfig#pretouchReadAhead()} and the fsync policy say: without, the pages it brings in are 4 KiB
     * folios, not the large folios read-ahead makes, which a sync write-protects whole while the owner waits
     * ({@link PretouchReadAhead}, decision 0007). It only reads, so durability is untouched; a failure stops the
     * pretoucher (the owner's stores then fault as they would without it), is logged, and is kept for
     * {@link #pretouchFailure()}. The owner still faults once per page-cache folio to map it.
     */
    private void runReadingPretoucher()
    {
        // read into only with read-ahead (without, PretouchFile.pull copies nothing); kept reachable to the end
        // (the reachabilityFence below): native code writes to its address, which no Java reference would keep alive
        final ByteBuffer buffer = pretouchReadsAhead ? ByteBuffer.allocateDirect(PRETOUCH_READ_BYTES) : null;
        final long bufferAddress = null == buffer ? 0 : BufferUtil.address(buffer);
        PretouchFile file = null;
        int generation = -1;
        long touchedUpTo = 0;
        long lastPublished = -1;
        try
        {
            while (!stopPretoucher)
            {
                final long published = awaitRound(lastPublished);
                if (published < 0)
                {
                    continue;
                }
                lastPublished = published;
                final PretouchTarget target = roundTarget;
                final long position = published & POSITION_MASK;
                if (target.generation() != generation)
                {
                    if (null != file)
                    {
                        file.close();
                    }
                    file = PretouchFile.open(target.file().toPath(), pretouchReadsAhead);
                    generation = target.generation();
                    touchedUpTo = position & ~4095L;
                }
                final long limit = Math.min(position + pretouchAheadBytes, file.size());
                long burst = 0;
                while (touchedUpTo < limit && !stopPretoucher)
                {
                    final long read = file.pull(bufferAddress, Math.min(PRETOUCH_READ_BYTES, limit - touchedUpTo),
                        touchedUpTo);
                    if (read <= 0)
                    {
                        break;
                    }
                    touchedUpTo += read;
                    pretouchedBytes.getAndAdd(read);
                    burst += read;
                    if (burst >= PRETOUCH_BURST_BYTES)
                    {
                        // a whole read-ahead (a new file) is ~4,000 pages to zero: ~10 ms on one CPU, which the
                        // owner, woken on the same CPU, would otherwise wait out (14 ms seen at 50,000 puts/s)
                        burst = 0;
                        Thread.yield();
                    }
                }
            }
        }
        catch (final IOException | RuntimeException | LinkageError ex)
        {
            pretouchFailure = ex;
            LOG.warn("WAL pretoucher stopped (the writer now faults its pages in itself): {}", directory, ex);
        }
        finally
        {
            if (null != file)
            {
                file.close();
            }
            Reference.reachabilityFence(buffer);
        }
    }

    /**
     * {@link PretouchMethod#POPULATE}: woken as the reading pretoucher is, it keeps the pages from the owner's write
     * position to {@code pretouchAheadBytes} past it faulted in, writable, in the appender's own mapping of the file,
     * through a {@link LogMappingAdvisor} following the file the owner publishes. Taking each chunk of the mapping
     * ahead also grows the file and maps the chunk on this thread, the work the owner did at each chunk's start (an
     * {@code ftruncate} that waited milliseconds behind writeback, perf/README). The contents are untouched, and
     * durability with them. The owner, at most {@code pretouchAheadBytes} behind, holds the chunk it lets go of by
     * then. Where {@link PretouchReadAhead} says the log is to be cached in 4 KiB folios, each chunk is advised
     * {@code MADV_RANDOM}. (Asking for each range through a descriptor first, as the reading pretoucher does, is not
     * enough: its faults on the first pages, which the appender's first fault read around and marked for
     * asynchronous read-ahead, start read-ahead in large folios ahead of it.)
     * <p>
     * A file whose mapping is closed under it (a roll, a purge) is let go, and the next one taken when the owner
     * publishes it. Any other failure stops the pretoucher, as for the reading one.
     *
     * @return true when it stopped (the WAL closes, or a failure); false, before doing anything, when the kernel
     * refuses {@code MADV_POPULATE_WRITE} (before Linux 5.14) or the log's bytes are not a mapped file: the caller
     * then reads ahead instead.
     */
    private boolean runPopulatingPretoucher()
    {
        if (pretouchAheadBytes > queue.blockSize())
        {
            LOG.warn("WAL pretoucher: walPretouchAheadBytes {} is more than the log's chunk ({} bytes); populating " +
                "goes no further than the end of the chunk after the writer's: {}", pretouchAheadBytes,
                queue.blockSize(), directory);
        }
        int generation = -1;
        long touchedUpTo = 0;
        long lastPublished = -1;
        try (LogMappingAdvisor populator =
            new LogMappingAdvisor("ferrite-wal-pretouch", populateAdvice, !pretouchReadsAhead))
        {
            while (!stopPretoucher)
            {
                final long published = awaitRound(lastPublished);
                if (published < 0)
                {
                    continue;
                }
                lastPublished = published;
                final PretouchTarget target = roundTarget;
                final long position = published & POSITION_MASK;
                if (target.generation() != generation)
                {
                    generation = target.generation();
                    if (null == target.mappedFile())
                    {
                        LOG.warn("WAL pretoucher: the log {} is not a mapped file; reading it ahead instead",
                            target.file());
                        return false;
                    }
                    touchedUpTo = 0;
                }
                if (!populator.follow(target.mappedFile()))
                {
                    continue; // closed before it could be reserved: wait for the next file
                }
                touchedUpTo = Math.max(touchedUpTo, position);
                final long limit = Math.min(position + pretouchAheadBytes,
                    populatedChunksEnd(position, target.mappedFile().chunkSize()));
                while (touchedUpTo < limit && !stopPretoucher)
                {
                    final long end =
                        populator.advise(touchedUpTo, Math.min(limit, touchedUpTo + PRETOUCH_BURST_BYTES));
                    if (LogMappingAdvisor.UNSUPPORTED == end)
                    {
                        LOG.warn("WAL pretoucher: this kernel has no madvise(MADV_POPULATE_WRITE) (Linux 5.14 and " +
                            "later); reading the log ahead instead: {}", directory);
                        return false;
                    }
                    if (LogMappingAdvisor.CLOSED == end)
                    {
                        break; // the file's mapping closed under it: wait for the next file
                    }
                    pretouchedBytes.getAndAdd(end - touchedUpTo);
                    touchedUpTo = end;
                    Thread.yield(); // after each burst, as in runReadingPretoucher
                }
            }
            return true;
        }
        catch (final IOException | RuntimeException | LinkageError ex)
        {
            pretouchFailure = ex;
            LOG.warn("WAL pretoucher stopped (the writer now faults its pages in itself): {}", directory, ex);
            return true;
        }
    }

    /**
     * Where populating stops: the end of the chunk after the one the owner writes in. The populator holds one chunk
     * at a time and the owner holds its own, so pages populated further ahead would be in a chunk nobody holds when
     * the populator moves on: Chronicle unmaps it, the page-table entries go with it, and the owner faults on them
     * after all. A {@code pretouchAheadBytes} larger than a chunk (64 MiB, Chronicle's default block size, which the
     * WAL keeps) is therefore worth no more than one chunk.
     */
    static long populatedChunksEnd(final long position, final long chunkSize)
    {
        return (position / chunkSize + 2) * chunkSize;
    }

    /**
     * The pretoucher's wait: parks until the owner wakes it (or for the 100 ms backstop), then returns the write
     * position the owner has published since {@code lastPublished}, with its file in {@link #roundTarget}; -1 when
     * there is none (nothing appended since the last round: no syscall when idle) or a roll is half published.
     */
    private long awaitRound(final long lastPublished)
    {
        LockSupport.parkNanos(this, PRETOUCH_IDLE_PARK_NS);
        pretouchRounds.lazySet(pretouchRounds.get() + 1);
        final long published = pretouchPosition.get();
        final PretouchTarget target = pretouchTarget;
        if (published == lastPublished || published < 0 || null == target ||
            target.generation() != (int)(published >>> POSITION_BITS))
        {
            return -1;
        }
        roundTarget = target;
        return published;
    }

    private void stopPretoucher()
    {
        if (null != pretoucher)
        {
            stopPretoucher = true;
            wakeAndJoin(pretoucher);
        }
    }

    /**
     * @return how many times the pretoucher has woken so far.
     */
    long pretouchRounds()
    {
        return pretouchRounds.get();
    }

    /**
     * @return bytes of the file being written that the pretoucher has read ahead of the owner so far.
     */
    long pretouchedBytes()
    {
        return pretouchedBytes.get();
    }

    /**
     * @return what stopped the pretoucher, or null.
     */
    Throwable pretouchFailure()
    {
        return pretouchFailure;
    }

    /**
     * @return the pretoucher thread, or null when {@link WalConfig#pretouchAheadBytes()} is 0.
     */
    Thread pretoucherThread()
    {
        return pretoucher;
    }

    /** The mapping of the file the appender's {@code bytes} write to; null when they are not a mapped file's. */
    private static MappedFile mappedFileOf(final Bytes<?> bytes)
    {
        return bytes instanceof MappedBytes ? ((MappedBytes)bytes).mappedFile() : null;
    }

    private record PretouchTarget(File file, MappedFile mappedFile, int generation)
    {
    }

    private void stopBatchSyncer()
    {
        if (null != batchSyncer)
        {
            stopSyncer = true;
            wakeAndJoin(batchSyncer);
        }
    }

    /** Wakes a background thread that has been told to stop and waits (up to 10 s) for it to end. */
    private static void wakeAndJoin(final Thread thread)
    {
        LockSupport.unpark(thread);
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Forces the file being written and, under NONE, every other file written since the last sync: BATCH and
     * EVERY_WRITE force a file when the appender leaves it, but under NONE nothing does, so a sync that forced the
     * current file only left the records of a file rolled past since the last sync (the log rolls hourly) to the
     * kernel's writeback. A sync must cover every record before it: a checkpoint's sync precedes the store syncs that
     * let it skip those records, and recovery takes a page lost before a synced record for corruption, or drops the
     * synced records after it as never synced (decision 0003).
     */
    private void forceToDisk()
    {
        try
        {
            synchronized (syncLock)
            {
                for (int i = 0; i < leftUnsynced.size(); i++)
                {
                    forceFile(leftUnsynced.get(i));
                }
                leftUnsynced.clear();
                final int cycle = appender.cycle();
                if (cycle != syncChannelCycle)
                {
                    switchSyncChannel(cycle);
                }
                forceSyncFile();
                if (lastSequence > syncedSequence)
                {
                    syncedSequence = lastSequence;
                }
            }
            unsyncedRecords = 0;
        }
        catch (final IOException | RuntimeException ex)
        {
            fail(ex);
            throwIfFailed();
        }
    }

    private void force(final FileChannel channel) throws IOException
    {
        throwInjectedSyncFailure();
        channel.force(false);
        forces.incrementAndGet();
    }

    /**
     * Forces the sync file, under the sync lock: under BATCH its prefix up to the end of the last record appended
     * ({@link LogSyncMapping}), so that the pages the pretoucher populated past it stay writable in the appender's
     * mapping; otherwise, or when that end is not in this file, all of it. The end is read after the sequence to
     * cover ({@link #appendedForSync}, published after it), so it is that record's end or a later one's; an end in
     * an earlier generation means the record is in a file the owner left since, which it forced when it left.
     */
    private void forceSyncFile() throws IOException
    {
        final long end = appendedEndForSync.get();
        if (null != syncMapping && end >= 0 && (int)(end >>> POSITION_BITS) == syncGeneration)
        {
            forcePrefix(end & POSITION_MASK);
        }
        else
        {
            force(syncChannel);
        }
    }

    private void forcePrefix(final long end) throws IOException
    {
        throwInjectedSyncFailure();
        unmapWritten(end);
        syncMapping.syncPrefix(end);
        prefixSyncs.incrementAndGet();
    }

    /**
     * Before a prefix sync: drops the appender's page-table entries for the whole pages of the sync file written
     * since the last one, up to the page {@code end} falls in, which the owner is still writing (decision 0007,
     * "Unmapping what is synced"). Why: writeback write-protects each page it cleans in every mapping that maps it
     * writable, with one TLB shootdown per page, and on this project's VM each shootdown is a hypercall (the syncer
     * spent 0.7 of a CPU in them at 150 k puts/s, and the owner waited on its page-table lock); one {@code madvise}
     * drops a whole range under one shootdown, and writeback then finds no mapping to write-protect. The pages stay
     * in the page cache, dirty, so the sync writes exactly what it did before. Pages before {@code end} that the
     * owner writes again (Chronicle's header, its index arrays) fault back in on its next store, as their
     * write-protection after each sync made them do anyway. Best effort: a failure stops the unmapping, with a
     * warning, and never fails a sync.
     */
    private void unmapWritten(final long end)
    {
        final MappedFile file = syncMappedFile;
        if (null == syncUnmapper || null == file)
        {
            return;
        }
        final long to = end & -UNMAP_PAGE;
        try
        {
            if (!syncUnmapper.follow(file))
            {
                return; // the file's mapping closed: nothing of it is mapped any more
            }
            if (unmappedTo < 0)
            {
                // the first sync of this file: from the start of the chunk the owner writes in, which it holds (a
                // file reopened at a restart has earlier chunks no longer mapped, which need no unmapping)
                unmappedTo = to - to % file.chunkSize();
            }
            if (to <= unmappedTo)
            {
                return;
            }
            final long done = syncUnmapper.advise(unmappedTo, to);
            if (LogMappingAdvisor.UNSUPPORTED == done)
            {
                stopUnmapping("the kernel refused madvise(MADV_DONTNEED) on it");
            }
            else if (done > unmappedTo)
            {
                unmappedBytes.addAndGet(done - unmappedTo);
                unmappedTo = done;
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            stopUnmapping(ex.toString());
        }
    }

    private void stopUnmapping(final String why)
    {
        LOG.warn("WAL {}: stopped unmapping the log's written pages before syncing them ({}); syncs go on, each " +
            "page written back now costs a TLB shootdown", directory, why);
        syncUnmapper.close();
        syncUnmapper = null;
    }

    /** Fault injection ({@link #failNextSyncForTesting}): a sync of either kind throws the failure set, once. */
    private void throwInjectedSyncFailure() throws IOException
    {
        final IOException injected = nextSyncFailure;
        if (null != injected)
        {
            nextSyncFailure = null;
            throw injected;
        }
    }

    private void forceFile(final File file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ))
        {
            force(channel);
        }
        catch (final NoSuchFileException ex)
        {
            // purged after a checkpoint that covers its records: nothing left to make durable
        }
    }

    /**
     * For tests: the size of the chunks Chronicle maps the log files in (its block size).
     *
     * @return the size in bytes.
     */
    long chunkBytesForTesting()
    {
        return queue.blockSize();
    }

    /**
     * For tests: the fdatasyncs of log files done so far (directory syncs not counted).
     *
     * @return the count.
     */
    long forcesForTesting()
    {
        return forces.get();
    }

    /**
     * For tests: the last sequence a completed sync covers (BATCH's syncer, or an explicit or EVERY_WRITE sync).
     *
     * @return the sequence.
     */
    long syncedSequenceForTesting()
    {
        return syncedSequence;
    }

    /**
     * For tests: where the last record appended under BATCH ends in its file, as published for the syncer.
     *
     * @return the byte position, or -1 before the first append or past the positions published.
     */
    long lastEndForTesting()
    {
        final long end = appendedEndForSync.get();
        return end < 0 ? -1 : end & POSITION_MASK;
    }

    /**
     * For tests: the BATCH syncs of the written prefix of the file ({@link LogSyncMapping}) done so far.
     *
     * @return the count.
     */
    long prefixSyncsForTesting()
    {
        return prefixSyncs.get();
    }

    /**
     * For tests: bytes of the log the BATCH syncer unmapped from the appender's mapping before syncing them.
     *
     * @return the count.
     */
    long unmappedBytesForTesting()
    {
        return unmappedBytes.get();
    }

    /**
     * Lets another thread become the writer while this one lives: Chronicle's appender belongs to the first thread that
     * writes with it and refuses another until that thread has ended. For {@code Shard.releaseOwnership()}, on the
     * writing thread after its last call; the next writer's first append takes the appender.
     */
    public void releaseWriterThread()
    {
        if (null != appender)
        {
            appender.singleThreadedCheckReset();
        }
    }

    /**
     * Fault injection, for tests only: the log's next fdatasync (BATCH's syncer, EVERY_WRITE's, {@link #sync()}'s or a
     * file switch's) throws {@code failure} instead of syncing, as a failed writeback (EIO, ENOSPC) would.
     *
     * @param failure what the fdatasync throws.
     */
    public void failNextSyncForTesting(final IOException failure)
    {
        nextSyncFailure = failure;
    }

    /** Keeps the first durability failure (the syncer thread and the owner may both find one) and logs it. */
    private void fail(final Throwable cause)
    {
        synchronized (syncLock)
        {
            if (null != failure)
            {
                return;
            }
            failure = cause;
        }
        LOG.error("WAL in {} failed to make records durable after sequence {}; it refuses writes until the engine " +
            "is restarted (restart replays the log)", directory, syncedSequence, cause);
    }

    /**
     * @return whether the log failed to make its records durable ({@link #throwIfFailed()} would throw).
     */
    public boolean failed()
    {
        return null != failure;
    }

    /**
     * Throws if the log failed to make its records durable (an fdatasync or a sync file's switch failed): from then on
     * it refuses every append, and records appended since the last successful sync may not survive a power loss
     * (they survive a crash of the process: they are in the page cache). Restarting the engine replays the log.
     * A writer calls it after applying a record {@link #append} wrote despite a failure, to report that failure.
     *
     * @throws FerriteException InternalServerError if the log failed (the cause is logged once, when it happens).
     */
    public void throwIfFailed()
    {
        final Throwable cause = failure;
        if (null != cause)
        {
            throw new FerriteException(ErrorCode.InternalServerError, "The write-ahead log in " + directory +
                " failed to make records durable after sequence " + syncedSequence + " (" + cause + "); writes are " +
                "refused until the engine is restarted");
        }
    }

    /**
     * The appender rolled (or wrote its first record): finish the old file, open the new one, and make
     * the new file's directory entry durable.
     */
    private void switchSyncChannel(final int cycle) throws IOException
    {
        if (null != syncChannel)
        {
            force(syncChannel);
            closeSyncChannel();
        }
        final File file = appender.currentFile();
        if (null == file)
        {
            throw new IllegalStateException("WAL appender has no current file at cycle " + cycle + " in " + directory);
        }
        syncChannel = FileChannel.open(file.toPath(), StandardOpenOption.READ);
        syncChannelCycle = cycle;
        syncMappedFile = mappedFileOf(appender.wire().bytes());
        unmappedTo = -1;
        syncGeneration = (syncGeneration + 1) & 0x7F_FFFF;
        if (FsyncPolicy.BATCH == fsyncPolicy)
        {
            try
            {
                syncMapping = LogSyncMapping.open(file.toPath());
            }
            catch (final IOException | RuntimeException | LinkageError ex)
            {
                LOG.warn("WAL {}: cannot sync {} a prefix at a time ({}); the syncer forces the whole file",
                    directory, file, ex.toString());
            }
        }
        DurableFiles.forceDirectory(directory);
    }

    private void closeSyncChannel()
    {
        if (null != syncChannel)
        {
            try
            {
                syncChannel.close();
            }
            catch (final IOException ignore)
            {
                // closing a read-only descriptor after a successful force loses nothing
            }
            syncChannel = null;
            syncChannelCycle = Integer.MIN_VALUE;
        }
        if (null != syncMapping)
        {
            syncMapping.close();
            syncMapping = null;
        }
        if (null != syncUnmapper)
        {
            syncUnmapper.close(); // lets go of the file's mapping; follows the next sync file's
        }
        syncMappedFile = null;
    }

    /**
     * The roll cycle's clock, never going back: Chronicle picks the file an append goes to from the time, so a system
     * clock stepped back (an NTP correction, a restored VM) would append to an older file, which replay reads before
     * the newer ones (sequences out of order: the log could not be opened) and whose records the next open does not
     * count when it recovers the last sequence (so sequences would repeat). The floor starts at the newest file's
     * cycle and follows the clock up. Called on the owner's thread (appends, replay, purge).
     */
    private static final class MonotonicRollClock implements TimeProvider
    {
        private final TimeProvider clock;
        long floorMs = Long.MIN_VALUE;

        MonotonicRollClock(final TimeProvider clock)
        {
            this.clock = clock;
        }

        @Override
        public long currentTimeMillis()
        {
            final long now = clock.currentTimeMillis();
            if (now < floorMs)
            {
                return floorMs;
            }
            floorMs = now;
            return now;
        }

        @Override
        public long currentTimeMicros()
        {
            return currentTimeMillis() * 1000;
        }

        @Override
        public long currentTimeNanos()
        {
            return currentTimeMillis() * 1_000_000;
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("WAL is closed: " + directory);
        }
    }
}
