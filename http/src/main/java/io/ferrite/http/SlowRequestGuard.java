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
 * One timer per connection, not one per request: a request's first byte records the time, and the timer, when it
 * fires, closes the connection if the request it finds has been arriving for the whole timeout, else re-arms itself
 * for that request's deadline (or stops when none is arriving). A keep-alive connection serving thousands of
 * requests a second so schedules a task about once per timeout instead of once per request.
 * <p>
 * Threading: a channel handler, called on the channel's event loop only.
 */
final class SlowRequestGuard extends ChannelDuplexHandler
{
    private final long requestTimeoutNs;
    private final Runnable check = this::check;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private boolean open = true;
    private boolean arriving;
    private long firstByteNs;

    SlowRequestGuard(final long requestTimeoutMs)
    {
        this.requestTimeoutNs = TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs);
    }

    /**
     * {@inheritDoc}
     */
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) throws Exception
    {
        if (open && !arriving)
        {
            arriving = true;
            firstByteNs = System.nanoTime();
            if (null == timer)
            {
                this.ctx = ctx;
                timer = ctx.executor().schedule(check, requestTimeoutNs, TimeUnit.NANOSECONDS);
            }
        }
        super.channelRead(ctx, msg);
    }

    /**
     * A whole request arrived: its deadline is met. The next request's clock starts at its first byte.
     */
    void requestComplete()
    {
        arriving = false;
    }

    private void check()
    {
        timer = null;
        if (!open || !arriving)
        {
            return;
        }
        final long left = firstByteNs + requestTimeoutNs - System.nanoTime();
        if (left <= 0)
        {
            ctx.close();
            return;
        }
        timer = ctx.executor().schedule(check, left, TimeUnit.NANOSECONDS);
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
        open = false;
        arriving = false;
        if (null != timer)
        {
            timer.cancel(false);
            timer = null;
        }
        super.channelInactive(ctx);
    }
}
