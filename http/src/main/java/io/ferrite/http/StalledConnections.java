package io.ferrite.http;

import io.netty.channel.Channel;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts and reports the connections a front closed because their answers stayed unsent over the write buffer's
 * high water mark for the write-stall timeout ({@link SlowRequestGuard}): each at debug level, and at most one
 * info line a minute with the count so far, so that a client opening stalled connections by the thousand cannot flood
 * the log.
 * <p>
 * Threading: shared by the front's event loops; {@link #closed} from any of them (only when a connection is closed,
 * never per request).
 */
final class StalledConnections
{
    private static final Logger LOG = LoggerFactory.getLogger(StalledConnections.class);
    private static final long INFO_INTERVAL_NS = TimeUnit.MINUTES.toNanos(1);

    private final AtomicCounter closed;
    private final AtomicLong nextInfoNs = new AtomicLong(System.nanoTime());

    /**
     * @param closed the counter of connections closed for a write stall ({@link HttpCounters#CLOSED_WRITE_STALL}).
     */
    StalledConnections(final AtomicCounter closed)
    {
        this.closed = closed;
    }

    /**
     * Records a connection closed for a write stall.
     *
     * @param channel   the connection.
     * @param stalledNs how long its answers had been over the high water mark.
     * @param nowNs     {@link System#nanoTime()} now.
     */
    void closed(final Channel channel, final long stalledNs, final long nowNs)
    {
        final long count = closed.increment() + 1;
        if (LOG.isDebugEnabled())
        {
            LOG.debug("closing {}: its answers stayed unread over the write buffer's high water mark for {} ms " +
                "({} bytes unsent)", channel, TimeUnit.NANOSECONDS.toMillis(stalledNs), channel.bytesBeforeWritable());
        }
        final long next = nextInfoNs.get();
        if (nowNs - next >= 0 && nextInfoNs.compareAndSet(next, nowNs + INFO_INTERVAL_NS))
        {
            LOG.info("closed {} connection(s) so far whose client did not read its answers for " +
                "ferrite.http.writeStallTimeoutMs (latest {}); at most one such line a minute", count, channel);
        }
    }
}
