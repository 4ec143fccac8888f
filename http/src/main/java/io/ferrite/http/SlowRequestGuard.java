package io.ferrite.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose request does not arrive whole within the request timeout, counted from its first
 * byte (slow-loris: a client that trickles headers or a body to hold a connection open), and a connection that
 * sits idle past the idle timeout (an {@link IdleStateEvent} from the handler before it).
 * <p>
 * Threading: a channel handler, called on the channel's event loop only.
 */
final class SlowRequestGuard extends ChannelDuplexHandler
{
    private final long requestTimeoutMs;
    private ScheduledFuture<?> deadline;
    private boolean awaitingRequest = true;

    SlowRequestGuard(final long requestTimeoutMs)
    {
        this.requestTimeoutMs = requestTimeoutMs;
    }

    /**
     * {@inheritDoc}
     */
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) throws Exception
    {
        if (awaitingRequest && null == deadline)
        {
            deadline = ctx.executor().schedule(() -> ctx.close(), requestTimeoutMs, TimeUnit.MILLISECONDS);
        }
        super.channelRead(ctx, msg);
    }

    /**
     * A whole request arrived: its deadline is met. The next request's clock starts at its first byte.
     */
    void requestComplete()
    {
        if (null != deadline)
        {
            deadline.cancel(false);
            deadline = null;
        }
    }

    /**
     * {@inheritDoc}
     */
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) throws Exception
    {
        if (evt instanceof IdleStateEvent)
        {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    /**
     * {@inheritDoc}
     */
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        requestComplete();
        awaitingRequest = false;
        super.channelInactive(ctx);
    }
}
