package io.ferrite.engine.queued;

import io.ferrite.codecs.sbe.ErrorCode;
import org.agrona.DirectBuffer;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Test helper: records the completions of correlation ids 0..n-1 (code, count, optional body check).
 * Allocation-free for OK completions unless a body check allocates.
 */
final class Completions implements ResponseHandler
{
    interface BodyCheck
    {
        void check(long correlationId, DirectBuffer buffer, int offset, int length);
    }

    final ErrorCode[] codes;
    final int[] counts;
    final String[] messages;
    private final BodyCheck bodyCheck;
    int delivered;

    Completions(final int n, final BodyCheck bodyCheck)
    {
        codes = new ErrorCode[n];
        counts = new int[n];
        messages = new String[n];
        this.bodyCheck = bodyCheck;
    }

    public void onResponse(
        final long correlationId, final ErrorCode errorCode, final DirectBuffer buffer, final int offset, final int length)
    {
        final int id = (int)correlationId;
        codes[id] = errorCode;
        counts[id]++;
        delivered++;
        if (ErrorCode.OK != errorCode)
        {
            messages[id] = ResponseLayout.message(errorCode, buffer, offset, length);
        }
        else if (null != bodyCheck)
        {
            bodyCheck.check(correlationId, buffer, offset, length);
        }
    }

    void assertEachExactlyOnce(final int upTo)
    {
        for (int i = 0; i < upTo; i++)
        {
            assertEquals(1, counts[i], "completions of correlation id " + i + " (" + Arrays.toString(
                Arrays.copyOfRange(counts, Math.max(0, i - 3), Math.min(counts.length, i + 3))) + " around it)");
        }
    }
}
