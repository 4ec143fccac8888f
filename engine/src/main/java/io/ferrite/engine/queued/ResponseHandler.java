package io.ferrite.engine.queued;

import io.ferrite.codecs.sbe.ErrorCode;
import org.agrona.DirectBuffer;

/**
 * Receives one completion during {@link ShardClient#poll}, on the polling (client) thread. What the body
 * holds depends on the request and the outcome: see {@link ResponseLayout}. The bytes are valid only
 * during the call: copy what you keep.
 */
@FunctionalInterface
public interface ResponseHandler
{
    /**
     * @param correlationId the id the client gave the request.
     * @param errorCode     {@link ErrorCode#OK}, or DynamoDB's error type (the body is then the message).
     * @param buffer        holding the body.
     * @param offset        where it starts.
     * @param length        its length (0 for an empty body).
     */
    void onResponse(long correlationId, ErrorCode errorCode, DirectBuffer buffer, int offset, int length);
}
