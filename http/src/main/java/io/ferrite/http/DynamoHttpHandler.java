package io.ferrite.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * One HTTP connection: checks what DynamoDB checks before an operation runs (POST, a JSON content type, an
 * {@code X-Amz-Target} naming a known operation), hands the body to the event loop's {@link DynamoDispatcher},
 * and writes its answer with DynamoDB's headers ({@code x-amzn-RequestId}, {@code x-amz-crc32} of the body),
 * encoded by the loop's {@link ResponseWriter} straight into one buffer.
 * <p>
 * Bodies: Netty's {@code HttpRequestDecoder} hands a request's head, then its content; a body that arrives in
 * one piece (the usual case: the decoder slices it out of the read buffer) is parsed where it lies, one in several
 * pieces is gathered into a buffer of this connection. A declared or gathered body over the limit gets 413 and
 * the connection is closed; {@code Expect: 100-continue} is answered. (These replace Netty's aggregator, which
 * built a composite buffer and a full request object per request.)
 * <p>
 * Requests on one connection are answered in order: while one is with the node, later pipelined requests wait
 * here, served by {@link #drain()}. They also wait while the channel is not writable (its client is not reading the
 * answers), and the connection is not read while that lasts or while {@link #MAX_WAITING} wait. The
 * {@code Authorization} header is not verified (any SigV4 signature, or none, is accepted).
 * <p>
 * Threading: a channel handler, called on the channel's event loop only, the same thread as its dispatcher.
 */
final class DynamoHttpHandler extends ChannelInboundHandlerAdapter
{
    static final String TARGET_PREFIX = "DynamoDB_20120810.";
    private static final Logger LOG = LoggerFactory.getLogger(DynamoHttpHandler.class);
    private static final AsciiString AMZ_TARGET = AsciiString.cached("x-amz-target");
    /**
     * With this many requests waiting, the connection stops reading until they are served: what a client that
     * pipelines without reading its answers can make the front hold is this queue, one socket read's requests and
     * the channel's write buffer (its high water mark, and the answer that crossed it).
     */
    static final int MAX_WAITING = 16;
    private static final ByteBuf CONTINUE = Unpooled.unreleasableBuffer(Unpooled.directBuffer(32)
        .writeBytes(ResponseWriter.ascii("HTTP/1.1 100 Continue\r\n\r\n"))).asReadOnly();

    /** A request that arrived whole while another was with the node (pipelining; rare, so allocated). */
    private record Waiting(Operation operation, boolean keepAlive, boolean http10, HttpResponseStatus errorStatus,
        String errorType, String errorMessage, boolean health, ByteBuf body)
    {
    }

    private final DynamoDispatcher dispatcher;
    private final SlowRequestGuard guard;
    private final HttpCounters counters;
    private final int maxBodyBytes;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    /** A request is being served (with the node, or being answered); later ones wait in {@link #waiting}. */
    private boolean busy;
    /** {@link #drain()} is serving the waiting requests: an answer written meanwhile does not start another. */
    private boolean draining;
    /** An answer was written while draining, outside the dispatcher's poll: flushed once the drain stops. */
    private boolean flushOwed;
    /** Auto-read is off: requests are waiting beyond {@link #MAX_WAITING}, or answers beyond the write buffer. */
    private boolean readingPaused;
    /** The request being served: whether its connection stays open. */
    private boolean keepAlive;
    /** ... and whether it is HTTP/1.0, whose client needs {@code Connection: keep-alive} to keep it open. */
    private boolean http10;
    /** An answer is written and waits for the flush after the dispatcher's poll. */
    private boolean flushQueued;

    // The request being received: its head's verdict, and its body's pieces so far.
    private boolean receiving;
    private boolean discarding;
    private boolean inKeepAlive;
    private boolean inHttp10;
    /** It expects 100 Continue, and requests ahead of it are unanswered: sent once they are (see {@link #drain()}). */
    private boolean continueOwed;
    private Operation inOperation;
    private boolean inHealth;
    private HttpResponseStatus inErrorStatus;
    private String inErrorType;
    private String inErrorMessage;
    private ByteBuf gathered;

    DynamoHttpHandler(
        final DynamoDispatcher dispatcher, final SlowRequestGuard guard, final HttpCounters counters,
        final int maxBodyBytes)
    {
        this.dispatcher = dispatcher;
        this.guard = guard;
        this.counters = counters;
        this.maxBodyBytes = maxBodyBytes;
    }

    /**
     * {@inheritDoc}
     */
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
    }

    /**
     * {@inheritDoc}
     */
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        try
        {
            if (msg instanceof HttpRequest request)
            {
                head(request);
            }
            if (msg instanceof HttpContent content)
            {
                content(content);
            }
        }
        finally
        {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        Waiting request;
        while (null != (request = waiting.poll()))
        {
            ReferenceCountUtil.release(request.body());
        }
        releaseGathered();
        super.channelInactive(ctx);
    }

    /**
     * The client has read enough of the answers written: serve the requests waiting for that.
     * <p>
     * {@inheritDoc}
     */
    public void channelWritabilityChanged(final ChannelHandlerContext ctx) throws Exception
    {
        drain();
        super.channelWritabilityChanged(ctx);
    }

    /**
     * {@inheritDoc}
     */
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        ctx.close();
    }

    private void head(final HttpRequest request)
    {
        if (discarding)
        {
            return;
        }
        receiving = true;
        continueOwed = false;
        releaseGathered();
        inKeepAlive = HttpUtil.isKeepAlive(request);
        inHttp10 = HttpVersion.HTTP_1_0.equals(request.protocolVersion());
        inOperation = null;
        inHealth = false;
        inErrorStatus = null;
        if (!request.decoderResult().isSuccess())
        {
            // The decoder gives up on the connection after a broken head: answer and close.
            inKeepAlive = false;
            error(HttpResponseStatus.BAD_REQUEST, DynamoErrors.SERIALIZATION,
                "Malformed HTTP request: " + request.decoderResult().cause());
            return;
        }
        final long declared = HttpUtil.getContentLength(request, -1L);
        if (declared > maxBodyBytes)
        {
            tooLarge(declared);
            return;
        }
        if (HttpUtil.is100ContinueExpected(request))
        {
            // Not while an earlier request is unanswered: its client would take the 100 for that request's answer.
            if (mustWait())
            {
                continueOwed = true;
            }
            else
            {
                ctx.writeAndFlush(CONTINUE.duplicate(), ctx.voidPromise());
            }
        }
        final HttpHeaders headers = request.headers();
        if (HttpMethod.GET.equals(request.method()) && "/".equals(request.uri()))
        {
            inHealth = true;
            return;
        }
        if (!HttpMethod.POST.equals(request.method()))
        {
            error(HttpResponseStatus.BAD_REQUEST, DynamoErrors.UNKNOWN_OPERATION,
                "DynamoDB's API takes POST requests; got " + request.method());
            return;
        }
        final String target = headers.get(AMZ_TARGET);
        final Operation operation = null == target || !target.startsWith(TARGET_PREFIX) ? null :
            Operation.of(target, TARGET_PREFIX.length());
        if (null == operation)
        {
            error(HttpResponseStatus.BAD_REQUEST, DynamoErrors.UNKNOWN_OPERATION, null == target ?
                "Missing X-Amz-Target header: it must name the operation, e.g. DynamoDB_20120810.GetItem" :
                "Unknown operation in X-Amz-Target: " + target + " (Ferrite serves " + Operation.names() + ")");
            return;
        }
        final String contentType = headers.get(HttpHeaderNames.CONTENT_TYPE);
        if (null != contentType && !contentType.startsWith("application/x-amz-json-1.") &&
            !contentType.startsWith("application/json"))
        {
            error(HttpResponseStatus.BAD_REQUEST, DynamoErrors.SERIALIZATION,
                "Content-Type must be application/x-amz-json-1.0, not " + contentType);
            return;
        }
        inOperation = operation;
    }

    private void error(final HttpResponseStatus status, final String type, final String message)
    {
        inErrorStatus = status;
        inErrorType = type;
        inErrorMessage = message;
    }

    private void content(final HttpContent content)
    {
        if (discarding || !receiving)
        {
            return;
        }
        final ByteBuf piece = content.content();
        if (!content.decoderResult().isSuccess())
        {
            inKeepAlive = false;
            error(HttpResponseStatus.BAD_REQUEST, DynamoErrors.SERIALIZATION,
                "Malformed HTTP request: " + content.decoderResult().cause());
        }
        final boolean last = content instanceof LastHttpContent || !content.decoderResult().isSuccess();
        if (null == gathered && last)
        {
            complete(piece.retain());
            return;
        }
        if (null == gathered)
        {
            gathered = ctx.alloc().buffer(Math.max(256, piece.readableBytes() * 2));
        }
        if (gathered.readableBytes() + (long)piece.readableBytes() > maxBodyBytes)
        {
            tooLarge(gathered.readableBytes() + (long)piece.readableBytes());
            return;
        }
        gathered.writeBytes(piece);
        if (last)
        {
            final ByteBuf body = gathered;
            gathered = null;
            complete(body);
        }
    }

    /**
     * A whole request: served now, or queued behind the one with the node.
     */
    private void complete(final ByteBuf body)
    {
        receiving = false;
        continueOwed = false;
        guard.requestComplete();
        if (!inKeepAlive)
        {
            // Nothing after this request is read: the connection closes once it is answered.
            discarding = true;
        }
        if (mustWait())
        {
            waiting.add(new Waiting(inOperation, inKeepAlive, inHttp10, inErrorStatus, inErrorType, inErrorMessage,
                inHealth, body));
            drain();
            return;
        }
        serve(inOperation, inKeepAlive, inHttp10, inErrorStatus, inErrorType, inErrorMessage, inHealth, body);
    }

    /**
     * @return true when a request that has just arrived must queue behind others (answers go out in order).
     */
    private boolean mustWait()
    {
        return busy || draining || !waiting.isEmpty() || !ctx.channel().isWritable();
    }

    /**
     * Serves the waiting requests in order, in a loop, until one is with the node (its answer drains again), the
     * channel's write buffer is over its high water mark (the client is not reading its answers:
     * {@link #channelWritabilityChanged} drains again), or none is left; then pauses or resumes reading. Never
     * re-entered: an answer written while serving (an error, a health check) only marks the request
     * done, and the loop takes the next; so a long pipeline of requests answered at once does not deepen the stack
     * (the answer used to serve the next request itself, and ~2,000 of them overflowed the stack).
     */
    private void drain()
    {
        if (draining)
        {
            return;
        }
        draining = true;
        try
        {
            do
            {
                Waiting next;
                while (!busy && ctx.channel().isWritable() && null != (next = waiting.poll()))
                {
                    serve(next.operation(), next.keepAlive(), next.http10(), next.errorStatus(), next.errorType(),
                        next.errorMessage(), next.health(), next.body());
                }
                if (flushOwed)
                {
                    // The flush may make the channel writable again at once (its event finds this loop draining).
                    flushOwed = false;
                    ctx.flush();
                }
            }
            while (!busy && !waiting.isEmpty() && ctx.channel().isWritable());
        }
        finally
        {
            draining = false;
        }
        if (continueOwed && !busy && waiting.isEmpty())
        {
            continueOwed = false;
            ctx.writeAndFlush(CONTINUE.duplicate(), ctx.voidPromise());
        }
        final boolean pause = waiting.size() >= MAX_WAITING || !ctx.channel().isWritable();
        if (pause != readingPaused && ctx.channel().isActive())
        {
            readingPaused = pause;
            ctx.channel().config().setAutoRead(!pause);
        }
    }

    private void serve(final Operation operation, final boolean keepAlive, final boolean http10,
        final HttpResponseStatus errorStatus,
        final String errorType, final String errorMessage, final boolean health, final ByteBuf body)
    {
        busy = true;
        this.keepAlive = keepAlive;
        this.http10 = http10;
        try
        {
            if (health)
            {
                final byte[] text = ("healthy: ferrite " + dispatcher.region()).getBytes(StandardCharsets.US_ASCII);
                respond(HttpResponseStatus.OK, ResponseWriter.TEXT, text, text.length);
            }
            else if (null != errorStatus)
            {
                respondError(errorStatus, errorType, errorMessage);
            }
            else
            {
                dispatcher.dispatch(this, operation, body);
            }
        }
        catch (final Throwable ex)
        {
            // A bug of ours: the request may be half answered, so the connection cannot go on; closing it at least
            // tells the client (an exception left to escape was lost in the client's poll and the connection hung).
            LOG.error("closing {}: serving a {} request failed", ctx.channel(), operation, ex);
            discarding = true;
            ctx.close();
        }
        finally
        {
            body.release();
        }
    }

    private void tooLarge(final long bytes)
    {
        counters.closedBodyTooLarge.increment();
        releaseGathered();
        receiving = false;
        continueOwed = false;
        discarding = true;
        guard.requestComplete();
        if (mustWait())
        {
            // The answers ahead go first; the connection closes after them.
            waiting.add(new Waiting(null, false, false, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                DynamoErrors.SERIALIZATION, tooLargeMessage(bytes), false, Unpooled.EMPTY_BUFFER));
            drain();
            return;
        }
        busy = true;
        keepAlive = false;
        respondError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, DynamoErrors.SERIALIZATION, tooLargeMessage(bytes));
    }

    private String tooLargeMessage(final long bytes)
    {
        return "Request body of " + bytes + " bytes is over the front's limit of " + maxBodyBytes + " bytes";
    }

    private void releaseGathered()
    {
        if (null != gathered)
        {
            gathered.release();
            gathered = null;
        }
    }

    /**
     * Writes the JSON answer now in the loop's writer and, once it is on its way, serves the waiting requests.
     *
     * @param status HTTP status.
     * @param json   the body (copied out during this call).
     */
    void respond(final HttpResponseStatus status, final JsonOut json)
    {
        respond(status, ResponseWriter.JSON, json.array(), json.length());
    }

    private void respond(final HttpResponseStatus status, final byte[] contentType, final byte[] body, final int length)
    {
        final ByteBuf response = dispatcher.responses().encode(ctx.alloc(), status, contentType, !keepAlive,
            keepAlive && http10, body, length);
        busy = false;
        guard.answered();
        counters.answered(status.code());
        if (!keepAlive)
        {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.write(response, ctx.voidPromise());
        if (!flushQueued)
        {
            if (dispatcher.flushAfterPoll(this))
            {
                flushQueued = true;
            }
            else if (draining)
            {
                flushOwed = true;
            }
            else
            {
                ctx.flush();
            }
        }
        drain();
    }

    void respondError(final HttpResponseStatus status, final String type, final String message)
    {
        respond(status, dispatcher.errorBody(type, message));
    }

    /**
     * Flushes the answers written during the dispatcher's poll.
     */
    void flushNow()
    {
        flushQueued = false;
        ctx.flush();
    }

    ChannelHandlerContext context()
    {
        return ctx;
    }
}
