package io.ferrite.transport.client;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import io.ferrite.codecs.sbe.BooleanType;
import io.ferrite.codecs.sbe.ConnectRequestDecoder;
import io.ferrite.codecs.sbe.ConnectResponseEncoder;
import io.ferrite.codecs.sbe.DisconnectDecoder;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.codecs.sbe.ErrorResponseEncoder;
import io.ferrite.codecs.sbe.ItemResponseEncoder;
import io.ferrite.codecs.sbe.KeepAliveDecoder;
import io.ferrite.codecs.sbe.KeepAliveEncoder;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import io.ferrite.transport.ProtocolVersions;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the node in the client's unit tests: its own embedded media driver, the session
 * handshake of decision 0004, and scripted answers to requests, on its own agent thread. It records every
 * request it receives so a test can check what the client encoded. Not the node: no engine behind it.
 */
final class ScriptedNode implements Agent, AutoCloseable
{
    /** Writes the answer to one request into {@code out} at 0; returns its length, or 0 for no answer. */
    @FunctionalInterface
    interface Responder
    {
        int respond(int templateId, long correlationId, DirectBuffer request, int offset, int length,
            MutableDirectBuffer out);
    }

    /** A request as received. */
    record Received(int templateId, long correlationId, long requestId, byte[] bytes)
    {
    }

    final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    final AtomicInteger keepAlives = new AtomicInteger();
    final AtomicInteger disconnects = new AtomicInteger();
    final AtomicInteger connects = new AtomicInteger();
    final AtomicInteger connectRequests = new AtomicInteger();
    final AtomicInteger connectRequestsToIgnore = new AtomicInteger();
    /**
     * ConnectRequests to answer by opening the response publication, waiting until it connects, and closing it
     * again without a ConnectResponse: as a node that gave up on the session just before the client's side connected.
     */
    final AtomicInteger connectRequestsToAbandon = new AtomicInteger();
    /** Request images (client publications) that went away: a client that closed its publication. */
    final AtomicInteger requestImagesLost = new AtomicInteger();

    /** While set, the node's media driver (its one SHARED thread) stands still: no data, no heartbeats, no EOS. */
    private final java.util.concurrent.atomic.AtomicBoolean frozen = new java.util.concurrent.atomic.AtomicBoolean();
    private final MediaDriver driver;
    private final Aeron aeron;
    private final Subscription requests;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ConnectRequestDecoder connectDecoder = new ConnectRequestDecoder();
    private final ConnectResponseEncoder connectEncoder = new ConnectResponseEncoder();
    private final KeepAliveEncoder keepAliveEncoder = new KeepAliveEncoder();
    private final ExpandableArrayBuffer out = new ExpandableArrayBuffer(4096);
    private final AgentRunner runner;
    private volatile Responder responder = ScriptedNode::notFound;
    private volatile boolean dropSessions;
    private volatile boolean paused;
    private volatile boolean record = true;
    private volatile boolean releaseDeferredInReverse;
    private final java.util.ArrayDeque<byte[]> deferred = new java.util.ArrayDeque<>();
    private volatile int keepAliveIntervalMs = 1000;
    /** Whether KeepAlives are answered, as a node does for a client of protocol version 6 or later. */
    private volatile boolean answerKeepAlives = true;
    private boolean clientExpectsKeepAliveAnswers;
    private ExclusivePublication responses;

    ScriptedNode(final Path aeronDir, final String requestChannel)
    {
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(aeronDir.toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new FreezableIdle(frozen))
            .publicationLingerTimeoutNs(TimeUnit.MILLISECONDS.toNanos(50))
            .imageLivenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500))
            .publicationConnectionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500))
            .clientLivenessTimeoutNs(TimeUnit.SECONDS.toNanos(2))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        requests = aeron.addSubscription(requestChannel, ClientConfig.DEFAULT_REQUEST_STREAM_ID, image -> { },
            image -> requestImagesLost.incrementAndGet());
        runner = new AgentRunner(new BackoffIdleStrategy(), Throwable::printStackTrace, null, this);
        AgentRunner.startOnThread(runner);
    }

    String aeronDir()
    {
        return driver.aeronDirectoryName();
    }

    void responder(final Responder responder)
    {
        this.responder = responder;
    }

    void keepAliveIntervalMs(final int intervalMs)
    {
        keepAliveIntervalMs = intervalMs;
    }

    /**
     * Stops (or resumes) answering KeepAlive, as a node's router that stopped (a stuck thread, a frozen process) while
     * its media driver, still running, keeps the session's streams alive.
     */
    void answerKeepAlives(final boolean answer)
    {
        answerKeepAlives = answer;
    }

    /** Closes the session's response publication, as a node that went away would. */
    void dropSessions()
    {
        dropSessions = true;
    }

    /** Stops (or resumes) reading requests, so the request stream fills up and back-pressures. */
    void paused(final boolean paused)
    {
        this.paused = paused;
    }

    /** Whether to keep a copy of each request (off for allocation measurements of the client). */
    void record(final boolean record)
    {
        this.record = record;
    }

    /** Holds an answer back; see {@link #releaseDeferredInReverse()}. Call from a responder only. */
    void defer(final MutableDirectBuffer answer, final int length)
    {
        final byte[] bytes = new byte[length];
        answer.getBytes(0, bytes);
        deferred.push(bytes);
    }

    /** Sends the held-back answers, the last deferred first. */
    void releaseDeferredInReverse()
    {
        releaseDeferredInReverse = true;
    }

    public int doWork()
    {
        if (dropSessions && null != responses)
        {
            responses.close();
            responses = null;
        }
        if (releaseDeferredInReverse)
        {
            releaseDeferredInReverse = false;
            while (!deferred.isEmpty())
            {
                final byte[] bytes = deferred.pop();
                if (null != responses)
                {
                    out.putBytes(0, bytes);
                    offer(bytes.length);
                }
            }
        }
        return paused ? 0 : requests.poll(assembler, 64);
    }

    public String roleName()
    {
        return "scripted-node";
    }

    /**
     * Stops the node's media driver where it stands, as a node host that died or fell off the network would: nothing
     * more reaches the client, not even Aeron's heartbeats or an end-of-stream. {@link #close()} thaws it first.
     */
    void freeze()
    {
        frozen.set(true);
    }

    /** Backs off as usual, and holds the driver's thread for as long as the node is frozen. */
    private static final class FreezableIdle implements org.agrona.concurrent.IdleStrategy
    {
        private final java.util.concurrent.atomic.AtomicBoolean frozen;
        private final BackoffIdleStrategy backoff = new BackoffIdleStrategy();

        FreezableIdle(final java.util.concurrent.atomic.AtomicBoolean frozen)
        {
            this.frozen = frozen;
        }

        public void idle(final int workCount)
        {
            holdWhileFrozen();
            backoff.idle(workCount);
        }

        public void idle()
        {
            holdWhileFrozen();
            backoff.idle();
        }

        public void reset()
        {
            backoff.reset();
        }

        private void holdWhileFrozen()
        {
            while (frozen.get())
            {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
    }

    public void close()
    {
        frozen.set(false);
        CloseHelper.quietClose(runner);
        CloseHelper.quietCloseAll(responses, requests, aeron, driver);
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header fragmentHeader)
    {
        header.wrap(buffer, offset);
        final int templateId = header.templateId();
        if (ConnectRequestDecoder.TEMPLATE_ID == templateId)
        {
            connectRequests.incrementAndGet();
            if (connectRequestsToIgnore.getAndUpdate(n -> Math.max(0, n - 1)) > 0)
            {
                return; // as a node whose response publication did not connect in time: no answer
            }
            connectDecoder.wrapAndApplyHeader(buffer, offset, header);
            final long correlationId = connectDecoder.correlationId();
            final int streamId = connectDecoder.responseStreamId();
            clientExpectsKeepAliveAnswers = connectDecoder.protocolVersion() >= ProtocolVersions.KEEP_ALIVE_ANSWERED;
            final String channel = connectDecoder.responseChannel();
            CloseHelper.quietClose(responses);
            responses = aeron.addExclusivePublication(channel, streamId);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!responses.isConnected() && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
            if (connectRequestsToAbandon.getAndUpdate(n -> Math.max(0, n - 1)) > 0)
            {
                responses.close();
                responses = null;
                return;
            }
            connectEncoder.wrapAndApplyHeader(out, 0, headerEncoder)
                .correlationId(correlationId)
                .sessionId(fragmentHeader.sessionId())
                .keepAliveIntervalMs(keepAliveIntervalMs)
                .sessionTimeoutMs(keepAliveIntervalMs * 10)
                .protocolVersion(ConnectResponseEncoder.SCHEMA_VERSION);
            offer(MessageHeaderEncoder.ENCODED_LENGTH + connectEncoder.encodedLength());
            connects.incrementAndGet();
            return;
        }
        if (KeepAliveDecoder.TEMPLATE_ID == templateId)
        {
            keepAlives.incrementAndGet();
            if (answerKeepAlives && clientExpectsKeepAliveAnswers && null != responses)
            {
                keepAliveEncoder.wrapAndApplyHeader(out, 0, headerEncoder).sessionId(fragmentHeader.sessionId());
                offer(MessageHeaderEncoder.ENCODED_LENGTH + keepAliveEncoder.encodedLength());
            }
            return;
        }
        if (DisconnectDecoder.TEMPLATE_ID == templateId)
        {
            disconnects.incrementAndGet();
            return;
        }

        final long correlationId = buffer.getLong(offset + MessageHeaderDecoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN);
        final long requestId = buffer.getLong(offset + MessageHeaderDecoder.ENCODED_LENGTH + 8, ByteOrder.LITTLE_ENDIAN);
        if (record)
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            received.add(new Received(templateId, correlationId, requestId, bytes));
        }
        final int responseLength = responder.respond(templateId, correlationId, buffer, offset, length, out);
        if (responseLength > 0 && null != responses)
        {
            offer(responseLength);
        }
    }

    private void offer(final int length)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (responses.offer(out, 0, length) < 0 && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
    }

    static int notFound(final int templateId, final long correlationId, final DirectBuffer request, final int offset,
        final int length, final MutableDirectBuffer out)
    {
        return itemResponse(correlationId, false, null, 0, 0, out);
    }

    static int itemResponse(final long correlationId, final boolean found, final DirectBuffer item, final int offset,
        final int length, final MutableDirectBuffer out)
    {
        final ItemResponseEncoder encoder = new ItemResponseEncoder()
            .wrapAndApplyHeader(out, 0, new MessageHeaderEncoder())
            .correlationId(correlationId)
            .found(found ? BooleanType.TRUE : BooleanType.FALSE)
            .consumedReadHalfUnits(ItemResponseEncoder.consumedReadHalfUnitsNullValue())
            .consumedWriteUnits(ItemResponseEncoder.consumedWriteUnitsNullValue());
        if (null == item)
        {
            encoder.putItem(new byte[0], 0, 0);
        }
        else
        {
            encoder.putItem(item, offset, length);
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    static int error(final long correlationId, final ErrorCode code, final String message, final MutableDirectBuffer out)
    {
        final ErrorResponseEncoder encoder = new ErrorResponseEncoder()
            .wrapAndApplyHeader(out, 0, new MessageHeaderEncoder())
            .correlationId(correlationId)
            .errorCode(code)
            .message(message)
            .putItem(out, 0, 0);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }
}
