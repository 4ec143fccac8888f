package io.ferrite.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose request does not arrive whole within the request timeout, counted from its first
 * byte (slow-loris: a client that trickles headers or a body to hold a connection open), a connection with
 * nothing read or answered for the idle timeout while none of its requests is with the node (a CreateTable may
 * take seconds), and a connection whose channel has stayed unwritable (its unsent answers over the write buffer's
 * high water mark) for the write-stall timeout: a client that pipelines requests and never reads the answers.
 * Back-pressure bounds what such a client holds (the connection is neither served nor read while unwritable), but
 * without this it held that much, and the connection, for good: it is never idle by the idle rule, since requests
 * wait unanswered. The close is counted and reported by the front's {@link StalledConnections}.
 * <p>
 * One timer per connection, not one per request: reads, answers and writability changes only record the time, and
 * the timer ticks every quarter of the shortest timeout (or sooner, for a nearer deadline) and closes the connection
 * once a deadline has passed. A slow request is so closed between 1 and 1.25 request timeouts after its first byte
 * (with the defaults), and a keep-alive connection serving thousands of requests a second schedules four tasks per
 * shortest timeout instead of one per request. (It replaces Netty's {@code IdleStateHandler}, which watches every
 * write and so turned each answer's void promise into a real one, and a task scheduled per request for the request
 * timeout.)
 * <p>
 * Threading: a channel handler, called on the channel's event loop only.
 */
final class SlowRequestGuard extends ChannelInboundHandlerAdapter
{
    private final long requestTimeoutNs;
    private final long idleTimeoutNs;
    private final long writeStallTimeoutNs;
    private final StalledConnections stalled;
    private final HttpCounters counters;
    private final long tickNs;
    private final Runnable check = this::check;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private boolean open;
    private boolean arriving;
    private long firstByteNs;
    private long lastActivityNs;
    /** Requests arrived whole and not yet answered. */
    private int unanswered;
    /** The channel is not writable: its unsent answers went over the high water mark at {@link #unwritableSinceNs}. */
    private boolean unwritable;
    private long unwritableSinceNs;

    /**
     * @param requestTimeoutMs    how long a request may take to arrive, from its first byte.
     * @param idleTimeoutMs       how long a connection may sit with nothing read or answered and nothing unanswered.
     * @param writeStallTimeoutMs how long the channel may stay unwritable.
     * @param stalled             counts and reports the connections closed for a write stall.
     * @param counters            the front's counters: connections, and closes by the other two rules.
     */
    SlowRequestGuard(
        final long requestTimeoutMs, final long idleTimeoutMs, final long writeStallTimeoutMs,
        final StalledConnections stalled, final HttpCounters counters)
    {
        this.requestTimeoutNs = TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs);
        this.idleTimeoutNs = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
        this.writeStallTimeoutNs = TimeUnit.MILLISECONDS.toNanos(writeStallTimeoutMs);
        this.stalled = stalled;
        this.counters = counters;
        this.tickNs = Math.max(1, Math.min(Math.min(requestTimeoutNs, idleTimeoutNs), writeStallTimeoutNs) / 4);
    }

    /**
     * {@inheritDoc}
     */
    public void channelActive(final ChannelHandlerContext ctx) throws Exception
    {
        this.ctx = ctx;
        open = true;
        counters.connectionsAccepted.increment();
        counters.connectionsOpen.increment();
        lastActivityNs = System.nanoTime();
        arm(tickNs);
        super.channelActive(ctx);
    }

    /**
     * {@inheritDoc}
     */
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) throws Exception
    {
        final long now = System.nanoTime();
        lastActivityNs = now;
        if (open && !arriving)
        {
            arriving = true;
            firstByteNs = now;
        }
        super.channelRead(ctx, msg);
    }

    /**
     * Starts or stops the write-stall clock: the channel went over its high water mark (its client is not reading
     * the answers) or back under the low one.
     * <p>
     * {@inheritDoc}
     */
    public void channelWritabilityChanged(final ChannelHandlerContext ctx) throws Exception
    {
        final boolean nowUnwritable = !ctx.channel().isWritable();
        if (nowUnwritable && !unwritable)
        {
            unwritableSinceNs = System.nanoTime();
        }
        unwritable = nowUnwritable;
        super.channelWritabilityChanged(ctx);
    }

    /**
     * A whole request arrived: its deadline is met. The next request's clock starts at its first byte.
     */
    void requestComplete()
    {
        arriving = false;
        unanswered++;
    }

    /**
     * An answer was written: the connection is not idle.
     */
    void answered()
    {
        lastActivityNs = System.nanoTime();
        if (unanswered > 0)
        {
            unanswered--;
        }
    }

    private void arm(final long delayNs)
    {
        if (null == timer && open)
        {
            timer = ctx.executor().schedule(check, delayNs, TimeUnit.NANOSECONDS);
        }
    }

    private void check()
    {
        timer = null;
        if (!open)
        {
            return;
        }
        final long now = System.nanoTime();
        long left = Long.MAX_VALUE;
        if (unwritable && !ctx.channel().isWritable())
        {
            final long stallLeft = unwritableSinceNs + writeStallTimeoutNs - now;
            if (stallLeft <= 0)
            {
                stalled.closed(ctx.channel(), now - unwritableSinceNs, now);
                ctx.close();
                return;
            }
            left = stallLeft;
        }
        if (arriving)
        {
            final long requestLeft = firstByteNs + requestTimeoutNs - now;
            if (requestLeft <= 0)
            {
                counters.closedSlowRequest.increment();
                ctx.close();
                return;
            }
            left = Math.min(left, requestLeft);
        }
        if (0 == unanswered)
        {
            final long idleLeft = lastActivityNs + idleTimeoutNs - now;
            if (idleLeft <= 0)
            {
                counters.closedIdle.increment();
                ctx.close();
                return;
            }
            left = Math.min(left, idleLeft);
        }
        arm(Math.min(left, tickNs));
    }

    /**
     * {@inheritDoc}
     */
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        if (open)
        {
            counters.connectionsOpen.decrement();
        }
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
