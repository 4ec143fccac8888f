package io.ferrite.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.zip.CRC32;

/**
 * One HTTP connection: checks what DynamoDB checks before an operation runs (POST, a JSON content type, an
 * {@code X-Amz-Target} naming a known operation), hands the body to the event loop's {@link DynamoDispatcher},
 * and writes its answer with DynamoDB's headers ({@code x-amzn-RequestId}, {@code x-amz-crc32} of the body).
 * <p>
 * Requests on one connection are answered in order: while one is with the node, later pipelined requests wait
 * here. The {@code Authorization} header is not verified (any SigV4 signature, or none, is accepted).
 * <p>
 * Threading: a channel handler, called on the channel's event loop only, the same thread as its dispatcher.
 */
final class DynamoHttpHandler extends ChannelInboundHandlerAdapter
{
    static final String TARGET_PREFIX = "DynamoDB_20120810.";
    private static final AsciiString AMZ_TARGET = AsciiString.cached("x-amz-target");
    private static final AsciiString REQUEST_ID = AsciiString.cached("x-amzn-RequestId");
    private static final AsciiString CRC32_HEADER = AsciiString.cached("x-amz-crc32");
    private static final AsciiString JSON_CONTENT_TYPE = AsciiString.cached("application/x-amz-json-1.0");

    private final DynamoDispatcher dispatcher;
    private final SlowRequestGuard guard;
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
    private final CRC32 crc = new CRC32();
    private ChannelHandlerContext ctx;
    private boolean busy;
    private boolean keepAlive;

    DynamoHttpHandler(final DynamoDispatcher dispatcher, final SlowRequestGuard guard)
    {
        this.dispatcher = dispatcher;
        this.guard = guard;
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
        if (!(msg instanceof FullHttpRequest))
        {
            ReferenceCountUtil.release(msg);
            return;
        }
        guard.requestComplete();
        final FullHttpRequest request = (FullHttpRequest)msg;
        if (busy)
        {
            waiting.add(request);
            return;
        }
        serve(request);
    }

    /**
     * {@inheritDoc}
     */
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        FullHttpRequest request;
        while (null != (request = waiting.poll()))
        {
            request.release();
        }
        super.channelInactive(ctx);
    }

    /**
     * {@inheritDoc}
     */
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        ctx.close();
    }

    private void serve(final FullHttpRequest request)
    {
        busy = true;
        try
        {
            keepAlive = HttpUtil.isKeepAlive(request);
            if (!request.decoderResult().isSuccess())
            {
                keepAlive = false;
                respondError(HttpResponseStatus.BAD_REQUEST, DynamoErrors.SERIALIZATION,
                    "Malformed HTTP request: " + request.decoderResult().cause());
                return;
            }
            final HttpHeaders headers = request.headers();
            if (HttpMethod.GET.equals(request.method()) && "/".equals(request.uri()))
            {
                respond(HttpResponseStatus.OK, Unpooled.copiedBuffer("healthy: ferrite " + dispatcher.region(),
                    StandardCharsets.US_ASCII), AsciiString.cached("text/plain"));
                return;
            }
            if (!HttpMethod.POST.equals(request.method()))
            {
                respondError(HttpResponseStatus.BAD_REQUEST, DynamoErrors.UNKNOWN_OPERATION,
                    "DynamoDB's API takes POST requests; got " + request.method());
                return;
            }
            final String target = headers.get(AMZ_TARGET);
            final Operation operation = null == target || !target.startsWith(TARGET_PREFIX) ? null :
                Operation.of(target, TARGET_PREFIX.length());
            if (null == operation)
            {
                respondError(HttpResponseStatus.BAD_REQUEST, DynamoErrors.UNKNOWN_OPERATION, null == target ?
                    "Missing X-Amz-Target header: it must name the operation, e.g. DynamoDB_20120810.GetItem" :
                    "Unknown operation in X-Amz-Target: " + target + " (Ferrite serves " + Operation.names() + ")");
                return;
            }
            final String contentType = headers.get(HttpHeaderNames.CONTENT_TYPE);
            if (null != contentType && !contentType.startsWith("application/x-amz-json-1.") &&
                !contentType.startsWith("application/json"))
            {
                respondError(HttpResponseStatus.BAD_REQUEST, DynamoErrors.SERIALIZATION,
                    "Content-Type must be application/x-amz-json-1.0, not " + contentType);
                return;
            }
            dispatcher.dispatch(this, operation, request.content());
        }
        finally
        {
            request.release();
        }
    }

    /**
     * Writes a JSON answer and, once it is on its way, serves the next waiting request.
     *
     * @param status HTTP status.
     * @param body   the JSON body (ownership passes to Netty).
     */
    void respond(final HttpResponseStatus status, final ByteBuf body)
    {
        respond(status, body, JSON_CONTENT_TYPE);
    }

    private void respond(final HttpResponseStatus status, final ByteBuf body, final AsciiString contentType)
    {
        crc.reset();
        crc.update(body.nioBuffer());
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, contentType)
            .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
            .set(REQUEST_ID, dispatcher.nextRequestId())
            .set(CRC32_HEADER, Long.toString(crc.getValue()));
        if (!keepAlive)
        {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            busy = false;
            return;
        }
        ctx.writeAndFlush(response);
        busy = false;
        final FullHttpRequest next = waiting.poll();
        if (null != next)
        {
            serve(next);
        }
    }

    void respondError(final HttpResponseStatus status, final String type, final String message)
    {
        respond(status, dispatcher.errorBody(ctx.alloc(), type, message));
    }

    ChannelHandlerContext context()
    {
        return ctx;
    }
}
