package io.ferrite.transport.node;

import io.aeron.Publication;
import org.agrona.DirectBuffer;

/**
 * Offers a response to a session's publication, retrying a back-pressured offer for a bounded time
 * ({@code ferrite.node.responseBackPressureTimeoutUs}) and then giving up, so that one slow client
 * costs the loop at most that bound and is then disconnected instead of stalling everyone.
 * <p>
 * <b>Threading:</b> one per loop thread. Allocation-free.
 */
final class ResponseSender
{
    private final long backPressureTimeoutNs;
    private final NodeCounters counters;

    ResponseSender(final long backPressureTimeoutNs, final NodeCounters counters)
    {
        this.backPressureTimeoutNs = backPressureTimeoutNs;
        this.counters = counters;
    }

    /**
     * @return true if the response was published; false when the session must be closed (back-pressured
     * past the bound, not connected, or closed).
     */
    boolean send(final Publication publication, final DirectBuffer buffer, final int offset, final int length)
    {
        long deadlineNs = 0;
        while (true)
        {
            final long result = publication.offer(buffer, offset, length);
            if (result > 0)
            {
                counters.bytesOut.getAndAdd(length);
                return true;
            }
            if (Publication.BACK_PRESSURED != result && Publication.ADMIN_ACTION != result)
            {
                return false;
            }
            final long nowNs = System.nanoTime();
            if (0 == deadlineNs)
            {
                deadlineNs = nowNs + backPressureTimeoutNs;
            }
            else if (nowNs - deadlineNs > 0)
            {
                counters.responsesBackPressureTimeouts.increment();
                return false;
            }
            Thread.onSpinWait();
        }
    }
}
