package io.ferrite.cell;

import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import io.ferrite.engine.config.EngineConfig;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The clustered service of a cell member: its state is a {@link CellState} (an engine shard in direct mode on
 * this service thread), fed the cluster log in order. Every member applies every message; each answers on
 * the client's session, and Aeron Cluster delivers only the leader's answer (a follower's session offers are
 * no-ops). Snapshots hold the shard's tables and items and the dedupe table; {@link #onStart} starts from an
 * empty engine directory and loads the latest snapshot, after which the cluster replays the log from there.
 * <p>
 * <b>Threading:</b> the callbacks run on the service container's thread; the volatile fields are read by the
 * member's status writer.
 */
final class CellService implements ClusteredService
{
    private static final long ANSWER_BACK_PRESSURE_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(50);

    /**
     * What a member does when a failure local to it (not an outcome of the log) means it must not apply anything more:
     * called on the service thread, which it must not return to the log (the member process halts; see
     * {@link CellMember}).
     */
    @FunctionalInterface
    interface LocalFailureHandler
    {
        /**
         * @param reason what failed, where in the log.
         * @param cause  the failure.
         */
        void onLocalFailure(String reason, Throwable cause);
    }

    /** Ends the service agent: for a service run without a member process around it (its member then has no service). */
    static final LocalFailureHandler TERMINATE_SERVICE = (reason, cause) ->
    {
        throw new org.agrona.concurrent.AgentTerminationException(reason, cause);
    };

    private static final int MAX_READ_REPLY_PUBLICATIONS = 64;

    private final EngineConfig engineConfig;
    private final long dedupeMaxBytes;
    private final String ownSettingsFingerprint;
    private final Path memberDir;
    private final String readChannel;
    private io.aeron.Subscription readSubscription;
    private final org.agrona.concurrent.UnsafeBuffer[] readReplyChannels =
        new org.agrona.concurrent.UnsafeBuffer[MAX_READ_REPLY_PUBLICATIONS];
    private final int[] readReplyStreams = new int[MAX_READ_REPLY_PUBLICATIONS];
    private final ExclusivePublication[] readReplyPublications = new ExclusivePublication[MAX_READ_REPLY_PUBLICATIONS];
    private int readReplyCount;
    private final FragmentAssembler readAssembler = new FragmentAssembler(this::onRead);
    private ExclusivePublication readReply;
    private final CellState.Answer readAnswer = this::answerRead;
    volatile long readsServed;
    volatile long readsDropped;
    private Cluster cluster;
    private IdleStrategy idle;
    private CellState state;
    private ClientSession session;
    private final CellState.Answer answer = this::answer;
    /**
     * True while a callback that applies state, answers or snapshots it runs: its idle strategy is the service
     * agent, whose idle runs {@link #doBackgroundWork}, which then must not serve a read (it would encode into the
     * buffer an answer is about to be offered again from, or re-wrap the views a snapshot's scan is reading) nor run
     * the shard's duties in the middle of an operation.
     */
    private boolean inCallback;

    volatile Cluster.Role role = Cluster.Role.FOLLOWER;
    volatile long appliedPosition;
    volatile long appliedMessages;
    volatile long deduplicated;
    volatile int leaderMemberId = -1;
    volatile long leadershipTermId = -1;
    volatile long snapshotsTaken;
    volatile long snapshotLoadedItems = -1;
    volatile long droppedAnswers;
    /** Client messages of the log not applied because the cell had no settings of record yet (see onSessionMessage). */
    volatile long droppedBeforeSettings;
    /** The fingerprint of the cell's settings of record, once known (the status file shows it). */
    volatile String cellSettingsFingerprint = "";
    private final org.agrona.concurrent.UnsafeBuffer settingsBuffer =
        new org.agrona.concurrent.UnsafeBuffer(new byte[16 * 1024]);
    private static final long SETTINGS_OFFER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private volatile Thread serviceThread;
    private volatile Thread sender;
    private volatile LocalFailureHandler localFailureHandler = TERMINATE_SERVICE;
    /** Fault injection ({@link #failNextWalSync()}), armed on the service thread between messages. */
    private volatile boolean failNextWalSync;

    /**
     * @param readChannel the channel of this member's read endpoint (eventually consistent reads outside the log),
     *                    or null for none.
     */
    CellService(final EngineConfig engineConfig, final Path memberDir, final String readChannel)
    {
        this(engineConfig, memberDir, readChannel, CellState.DEFAULT_DEDUPE_MAX_BYTES);
    }

    /**
     * @param readChannel    the channel of this member's read endpoint, or null for none.
     * @param dedupeMaxBytes the bytes of answers the dedupe table keeps (the same on every member).
     */
    CellService(final EngineConfig engineConfig, final Path memberDir, final String readChannel, final long dedupeMaxBytes)
    {
        this.dedupeMaxBytes = dedupeMaxBytes;
        this.engineConfig = engineConfig;
        this.ownSettingsFingerprint = Long.toHexString(CellSettings.of(engineConfig, CellState.DEFAULT_DEDUPE_PER_CLIENT,
            CellState.DEFAULT_DEDUPE_TOTAL, dedupeMaxBytes).fingerprint());
        this.memberDir = memberDir;
        this.readChannel = readChannel;
    }

    /**
     * @return the thread the service runs on once it has started, else null: the member thread wakes it when the
     * commit position moves (MemberAgent), instead of leaving it to notice at the end of a park.
     */
    Thread serviceThread()
    {
        return serviceThread;
    }

    /**
     * @param thread the thread that sends what this service offers (the member thread, whose media driver sends the
     *               answers): woken after each answer, instead of noticing it at the end of a park.
     */
    void sender(final Thread thread)
    {
        sender = thread;
    }

    /**
     * @param handler what to do when a failure local to this member stops it (the member process halts; the default
     *                ends the service agent).
     */
    void localFailureHandler(final LocalFailureHandler handler)
    {
        localFailureHandler = handler;
    }

    /**
     * Fault injection, for tests and game days only: the shard's next WAL fdatasync fails (armed between messages on
     * the service thread), as a failed writeback would; the write it belongs to then stops this member.
     */
    void failNextWalSync()
    {
        failNextWalSync = true;
    }

    private void stop(final String reason, final Throwable cause)
    {
        localFailureHandler.onLocalFailure(reason, cause);
    }

    private void wakeSender()
    {
        final Thread thread = sender;
        if (null != thread)
        {
            LockSupport.unpark(thread);
        }
    }

    /**
     * @return the bytes the service thread has allocated since it started (the JVM's per-thread counter), or -1 when
     * unknown: the status file shows it, so that the request path's allocation can be watched on a running member.
     */
    long allocatedBytes()
    {
        final Thread thread = serviceThread;
        if (null == thread || !(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads) ||
            !threads.isThreadAllocatedMemorySupported())
        {
            return -1;
        }
        return threads.getThreadAllocatedBytes(thread.getId());
    }

    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        serviceThread = Thread.currentThread();
        this.cluster = cluster;
        this.idle = cluster.idleStrategy();
        this.role = cluster.role();
        inCallback = true;
        try
        {
            state = new CellState(
                engineConfig, CellState.DEFAULT_DEDUPE_PER_CLIENT, CellState.DEFAULT_DEDUPE_TOTAL, dedupeMaxBytes);
            if (null != snapshotImage)
            {
                loadSnapshot(snapshotImage);
                snapshotLoadedItems = state.checksum().items;
                // the snapshot carries the cell's settings of record: checked before any of the log is applied
                state.checkSettings();
                noteSettings();
            }
        }
        catch (final CellState.LocalFailure ex)
        {
            stop("member " + cluster.memberId() + " stops at start, having loaded its snapshot: " + ex.getMessage(), ex);
            return;
        }
        finally
        {
            inCallback = false;
        }
        if (null != readChannel)
        {
            readSubscription = cluster.aeron().addSubscription(readChannel, CellProtocol.READ_STREAM_ID);
        }
    }

    /**
     * An eventually consistent read from a client's read path: answered from this member's applied state (which
     * may be behind the leader's), on a publication to the reply channel the client named; dropped while that
     * publication is not connected yet (the client sends again).
     */
    private void onRead(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (null != CellProtocol.check(buffer, offset, length) || CellProtocol.KIND_READ != CellProtocol.kind(buffer, offset) ||
            length < CellProtocol.HEADER_LENGTH + 8)
        {
            readsDropped++;
            return;
        }
        final int at = offset + CellProtocol.HEADER_LENGTH;
        final int streamId = buffer.getInt(at, java.nio.ByteOrder.LITTLE_ENDIAN);
        final int channelLength = buffer.getInt(at + 4, java.nio.ByteOrder.LITTLE_ENDIAN);
        if (channelLength <= 0 || channelLength > 1024 || at + 8 + channelLength > offset + length)
        {
            readsDropped++;
            return;
        }
        ExclusivePublication reply = readReply(streamId, buffer, at + 8, channelLength);
        if (null == reply)
        {
            if (readReplyCount >= MAX_READ_REPLY_PUBLICATIONS)
            {
                for (int i = 0; i < readReplyCount; i++)
                {
                    org.agrona.CloseHelper.quietClose(readReplyPublications[i]);
                    readReplyPublications[i] = null;
                }
                readReplyCount = 0;
            }
            final String channel = buffer.getStringWithoutLengthUtf8(at + 8, channelLength);
            try
            {
                reply = cluster.aeron().addExclusivePublication(channel, streamId);
            }
            catch (final RuntimeException ex)
            {
                readsDropped++;
                return;
            }
            final byte[] channelBytes = new byte[channelLength];
            buffer.getBytes(at + 8, channelBytes);
            readReplyChannels[readReplyCount] = new org.agrona.concurrent.UnsafeBuffer(channelBytes);
            readReplyStreams[readReplyCount] = streamId;
            readReplyPublications[readReplyCount] = reply;
            readReplyCount++;
        }
        if (!reply.isConnected())
        {
            readsDropped++;
            return;
        }
        final int frameOffset = at + 8 + channelLength;
        readReply = reply;
        state.read(buffer, frameOffset, offset + length - frameOffset, readAnswer, reply.maxMessageLength());
        readReply = null;
        readsServed++;
    }

    /**
     * @return the publication already open to this reply channel and stream (compared as bytes: no string per read),
     * or null.
     */
    private ExclusivePublication readReply(
        final int streamId, final DirectBuffer buffer, final int channelOffset, final int channelLength)
    {
        for (int i = 0; i < readReplyCount; i++)
        {
            final org.agrona.concurrent.UnsafeBuffer channel = readReplyChannels[i];
            if (readReplyStreams[i] == streamId && channel.capacity() == channelLength)
            {
                int j = 0;
                while (j < channelLength && channel.getByte(j) == buffer.getByte(channelOffset + j))
                {
                    j++;
                }
                if (j == channelLength)
                {
                    return readReplyPublications[i];
                }
            }
        }
        return null;
    }

    private void answerRead(final DirectBuffer buffer, final int offset, final int length)
    {
        if (readReply.offer(buffer, offset, length) < 0)
        {
            readsDropped++; // the client sends again
        }
        else
        {
            wakeSender();
        }
    }

    private void loadSnapshot(final Image image)
    {
        final boolean[] done = new boolean[1];
        final FragmentAssembler assembler = new FragmentAssembler(
            (buffer, offset, length, header) -> done[0] |= state.loadSnapshotRecord(buffer, offset, length));
        idle.reset();
        while (!done[0])
        {
            final int fragments = image.poll(assembler, 1);
            if (0 == fragments)
            {
                if (image.isClosed() || image.isEndOfStream())
                {
                    if (!done[0])
                    {
                        throw new IllegalStateException("the cell snapshot ended before its end marker");
                    }
                }
                idle.idle();
            }
            else
            {
                idle.reset();
            }
        }
    }

    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
    }

    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
    }

    public void onSessionMessage(
        final ClientSession session,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        state.time(cluster.timeUnit().toNanos(timestamp));
        if (null == session)
        {
            onServiceMessage(buffer, offset, length, header.position());
            return;
        }
        if (null == state.recordedSettings())
        {
            // Not applied, not answered, by every member alike (the settings of record are replicated state): no member
            // applies a client's message before it has checked its settings against the cell's. Only a message that
            // reached the log between the first leader's election and its SETTINGS message lands here; its client sends
            // it again after its resend interval.
            droppedBeforeSettings++;
            appliedPosition = header.position();
            return;
        }
        this.session = session;
        final boolean checksum = length >= CellProtocol.HEADER_LENGTH &&
            CellProtocol.KIND_CHECKSUM == CellProtocol.kind(buffer, offset);
        inCallback = true;
        try
        {
            state.onMessage(buffer, offset, length, header.position(), cluster.memberId(), answer);
        }
        catch (final CellState.LocalFailure ex)
        {
            stop("member " + cluster.memberId() + " stops at log position " + header.position() + ": " +
                ex.getMessage(), ex);
            return; // only when the handler returned: nothing more is applied from this message
        }
        finally
        {
            inCallback = false;
            this.session = null;
        }
        appliedPosition = header.position();
        appliedMessages = state.applied();
        deduplicated = state.deduplicated();
        if (checksum && null != state.lastChecksum())
        {
            writeChecksumFile(state.lastChecksum());
        }
    }

    /**
     * A message of the log with no client session: one sent by a member's service, i.e. a SETTINGS message (see
     * {@link #onNewLeadershipTermEvent}).
     */
    private void onServiceMessage(final DirectBuffer buffer, final int offset, final int length, final long position)
    {
        inCallback = true;
        try
        {
            state.onSettings(buffer, offset, length, position);
        }
        catch (final CellState.LocalFailure ex)
        {
            stop("member " + cluster.memberId() + " stops at log position " + position + ": " + ex.getMessage(), ex);
            return;
        }
        finally
        {
            inCallback = false;
        }
        noteSettings();
        appliedPosition = position;
    }

    private void noteSettings()
    {
        final CellSettings recorded = state.recordedSettings();
        if (null != recorded)
        {
            cellSettingsFingerprint = Long.toHexString(recorded.fingerprint());
        }
    }

    /**
     * @return the fingerprint of this member's own outcome-deciding settings.
     */
    String ownSettingsFingerprint()
    {
        return ownSettingsFingerprint;
    }

    private void answer(final DirectBuffer buffer, final int offset, final int length)
    {
        final ClientSession target = session;
        if (null == target)
        {
            return;
        }
        long deadlineNs = 0;
        while (true)
        {
            final long result = target.offer(buffer, offset, length);
            if (result > 0)
            {
                wakeSender();
                return;
            }
            if (ClientSession.MOCKED_OFFER == result)
            {
                return;
            }
            if (Publication.NOT_CONNECTED == result || Publication.CLOSED == result ||
                Publication.MAX_POSITION_EXCEEDED == result)
            {
                droppedAnswers++; // the client is gone; a retry of a write gets the recorded answer
                return;
            }
            final long now = System.nanoTime(); // bounds a wait only, never state
            if (0 == deadlineNs)
            {
                deadlineNs = now + ANSWER_BACK_PRESSURE_TIMEOUT_NS;
            }
            else if (now > deadlineNs)
            {
                droppedAnswers++;
                return;
            }
            idle.idle();
        }
    }

    private void writeChecksumFile(final CellState.Checksum sum)
    {
        final String text = "checksum=" + sum.checksum + "\nitems=" + sum.items + "\nlogPosition=" + sum.logPosition + "\n";
        writeAtomically(memberDir.resolve("checksum.properties"), text);
    }

    static void writeAtomically(final Path file, final String text)
    {
        try
        {
            final Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            System.err.println("ferrite cell: cannot write " + file + ": " + ex);
        }
    }

    public void onTimerEvent(final long correlationId, final long timestamp)
    {
    }

    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        inCallback = true;
        try
        {
            writeSnapshot(snapshotPublication);
        }
        finally
        {
            inCallback = false;
        }
        snapshotsTaken++;
    }

    private void writeSnapshot(final ExclusivePublication snapshotPublication)
    {
        state.writeSnapshot((buffer, offset, length) ->
        {
            idle.reset();
            while (true)
            {
                final long result = snapshotPublication.offer(buffer, offset, length);
                if (result > 0)
                {
                    return;
                }
                if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
                {
                    throw new IllegalStateException("the snapshot publication refused a record: " + result);
                }
                idle.idle();
            }
        });
    }

    public void onRoleChange(final Cluster.Role newRole)
    {
        role = newRole;
    }

    public void onTerminate(final Cluster cluster)
    {
        closeState();
    }

    public void onNewLeadershipTermEvent(
        final long leadershipTermId,
        final long logPosition,
        final long timestamp,
        final long termBaseLogPosition,
        final int leaderMemberId,
        final int logSessionId,
        final TimeUnit timeUnit,
        final int appVersion)
    {
        this.leaderMemberId = leaderMemberId;
        this.leadershipTermId = leadershipTermId;
        offerSettings();
    }

    /**
     * Every member's service offers its SETTINGS message at the start of every leadership term (this event is in the
     * log, so every member offers at the same place, as Aeron Cluster wants of service messages): the leader's is
     * appended to the log; a follower's is dropped by its consensus module once the leader's, with the same service
     * message id, is in the log. The first in the log becomes the cell's settings of record (a fresh cell: the first
     * leader's); every later one makes each member check its own again (a member that joins or restarts).
     */
    private void offerSettings()
    {
        final int length = state.encodeSettings(settingsBuffer, cluster.memberId());
        final long deadlineNs = System.nanoTime() + SETTINGS_OFFER_TIMEOUT_NS; // bounds a wait only
        inCallback = true;
        try
        {
            idle.reset();
            while (true)
            {
                final long result = cluster.offer(settingsBuffer, 0, length);
                if (result > 0)
                {
                    return;
                }
                if (System.nanoTime() - deadlineNs > 0)
                {
                    stop("member " + cluster.memberId() + " stops: its consensus module did not take its SETTINGS " +
                        "message for " + TimeUnit.NANOSECONDS.toSeconds(SETTINGS_OFFER_TIMEOUT_NS) + " s (offer " +
                        result + ")", new IllegalStateException("service message offer " + result));
                    return;
                }
                idle.idle();
            }
        }
        finally
        {
            inCallback = false;
        }
    }

    /**
     * Serves the read endpoint and runs the shard's duties between log messages; does nothing when called from
     * inside another callback through the idle strategy (see {@link #inCallback}).
     */
    public int doBackgroundWork(final long nowNs)
    {
        final CellState current = state;
        if (null == current || inCallback)
        {
            return 0;
        }
        if (failNextWalSync)
        {
            failNextWalSync = false;
            current.shard().failNextWalSyncForTesting(new IOException("injected: a failed WAL fdatasync (fault injection)"));
        }
        int work;
        try
        {
            work = current.doDutyCycle(nowNs);
        }
        catch (final RuntimeException ex)
        {
            stop("member " + cluster.memberId() + " stops: its shard's duty cycle (WAL sync, checkpoint) failed after " +
                "log position " + appliedPosition + ": " + ex, ex);
            return 0;
        }
        if (null != readSubscription)
        {
            work += readSubscription.poll(readAssembler, 16);
        }
        return work;
    }

    /**
     * @return the checksum of this member's state now (tests; the service thread only).
     */
    CellState.Checksum stateChecksum()
    {
        return state.checksum();
    }

    void closeState()
    {
        final CellState current = state;
        state = null;
        if (null != current)
        {
            current.close();
        }
    }
}
