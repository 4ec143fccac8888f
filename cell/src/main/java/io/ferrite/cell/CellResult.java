package io.ferrite.cell;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.sbe.ErrorCode;

import java.util.List;
import java.util.Map;

/**
 * The outcome of one cell client call.
 *
 * @param outcome          what happened.
 * @param requestId        the request id the call carried (every attempt carried the same).
 * @param item             GetItem's item, a write's returned attributes, or a checksum's fields; null if none.
 * @param items            a Query or Scan page's items (empty otherwise).
 * @param lastEvaluatedKey a page's LastEvaluatedKey, or null.
 * @param errorCode        the cell's error code for {@link Outcome#CONDITION_FAILED} and {@link Outcome#ERROR}
 *                         answered by the cell; null otherwise.
 * @param message          what went wrong (the cell's message, or the client's for a timeout); null when OK.
 * @param attempts         how many times the request was sent.
 */
public record CellResult(
    Outcome outcome,
    long requestId,
    Map<String, AttributeValue> item,
    List<Map<String, AttributeValue>> items,
    Map<String, AttributeValue> lastEvaluatedKey,
    ErrorCode errorCode,
    String message,
    int attempts)
{
    /**
     * What happened to a call.
     */
    public enum Outcome
    {
        /** The cell answered with success (a write is committed and applied). */
        OK,
        /** The cell answered ConditionalCheckFailedException: the write was not applied. */
        CONDITION_FAILED,
        /** The cell answered with another error (validation, missing table, ...): not applied. */
        ERROR,
        /**
         * No answer within the call's timeout (no leader reachable, or a minority cut off). A write may or may not
         * have been applied; retrying it with the same request id applies it at most once.
         */
        TIMED_OUT
    }

    /**
     * @return true for {@link Outcome#OK}.
     */
    public boolean ok()
    {
        return Outcome.OK == outcome;
    }

    public String toString()
    {
        return "CellResult{" + outcome + " requestId=" + requestId + (null == errorCode ? "" : " " + errorCode) +
            (null == message ? "" : " '" + message + "'") + (null == item ? "" : " item=" + item) +
            (items.isEmpty() ? "" : " items=" + items.size()) + " attempts=" + attempts + "}";
    }
}
