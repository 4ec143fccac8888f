package io.ferrite.transport.node;

import io.aeron.Publication;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.codecs.sbe.ErrorResponseEncoder;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Offers a response to a session's publication, retrying a back-pressured offer for a bounded time
 * ({@code ferrite.node.responseBackPressureTimeoutUs}) and then giving up, so that one slow client
 * costs the loop at most that bound and is then disconnected instead of stalling everyone. A response
 * longer than the publication's largest message is replaced by a ValidationException saying so (the
 * offer would throw), for the shards' responses and the router's alike.
 * <p>
 * <b>Threading:</b> one per loop thread. Allocation-free, except for a response too large to send.
 */
final class ResponseSender
{
    private final long backPressureTimeoutNs;
    private final NodeCounters counters;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ErrorResponseEncoder errorResponse = new ErrorResponseEncoder();
    private final UnsafeBuffer errorBuffer = new UnsafeBuffer(new byte[1024]);

    ResponseSender(final long backPressureTimeoutNs, final NodeCounters counters)
    {
        this.backPressureTimeoutNs = backPressureTimeoutNs;
        this.counters = counters;
    }

    /**
     * @param buffer holding a response message (header included), whose first field is its correlation id, as in
     *               every response of the schema.
     * @return true if the response (or the error replacing one too large) was published; false when the session
     * must be closed (back-pressured past the bound, not connected, or closed).
     */
    boolean send(final Publication publication, final DirectBuffer buffer, final int offset, final int length)
    {
        final int maxMessageLength = publication.maxMessageLength();
        if (length > maxMessageLength)
        {
            final long correlationId = buffer.getLong(offset + MessageHeaderEncoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN);
            counters.error(ErrorCode.ValidationException);
            errorResponse.wrapAndApplyHeader(errorBuffer, 0, headerEncoder)
                .correlationId(correlationId)
                .errorCode(ErrorCode.ValidationException)
                .message("The response of " + length + " bytes exceeds the response stream's largest message of " +
                    maxMessageLength + " bytes (term-length / 8): use a larger term-length or a Limit")
                .putItem(errorBuffer, 0, 0);
            return offer(publication, errorBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + errorResponse.encodedLength());
        }
        return offer(publication, buffer, offset, length);
    }

    private boolean offer(final Publication publication, final DirectBuffer buffer, final int offset, final int length)
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
