package io.ferrite.transport.client;

import io.ferrite.codecs.sbe.ErrorCode;
import org.agrona.DirectBuffer;

/**
 * Receives the one outcome of each request sent through {@link FerriteClient}'s asynchronous API.
 * Exactly one method is called per request, on the thread that calls {@link FerriteClient#poll()} (or
 * in the middle of a send call, for a request that fails at once), with the request id that the send
 * call returned.
 * <p>
 * The buffers and flyweights passed in are valid only during the call: copy what must outlive it. The
 * success methods are called without any allocation by the client; the failure methods may allocate
 * (a message string), which is accepted on the error path. A handler may send new requests from within
 * a callback, but must not wait for them: calling {@link FerriteClient#poll()} (or a {@link FerriteBlockingClient}
 * method, which polls) from inside a callback re-enters the subscription the callback is being called from, and
 * Aeron then hands the same fragments over again (a long answer split in fragments could be garbled). Such a call
 * throws {@link IllegalStateException} at once, before it does anything (a blocking call sends nothing).
 * <p>
 * An exception a handler throws is passed to the Aeron context's subscriber error handler (by default its error
 * handler, which prints it) and the client carries on: the request it answered is over, and every other request
 * still gets its one outcome.
 */
public interface ResponseHandler
{
    /**
     * The answer to PutItem, GetItem, DeleteItem or UpdateItem ({@code ItemResponse}).
     *
     * @param requestId the id the send call returned.
     * @param found     GetItem: an item exists; writes: attributes were returned (ReturnValues).
     * @param buffer    holding the item bytes ({@link io.ferrite.codecs.item.ItemFormat}).
     * @param offset    where they start.
     * @param length    their length; 0 when nothing was returned.
     */
    default void onItem(final long requestId, final boolean found, final DirectBuffer buffer, final int offset,
        final int length)
    {
    }

    /**
     * What the request consumed, when it asked ({@link FerriteClient#returnConsumedCapacity}) and the node said:
     * called just before {@link #onItem} or {@link #onPage} for the same request.
     *
     * @param requestId     the id the send call returned.
     * @param readHalfUnits half read capacity units consumed.
     * @param writeUnits    write capacity units consumed.
     */
    default void onConsumedCapacity(final long requestId, final long readHalfUnits, final long writeUnits)
    {
    }

    /**
     * The answer to Query or Scan: one page ({@code ItemsPageResponse}).
     *
     * @param requestId the id the send call returned.
     * @param page      a flyweight over the page, valid during this call.
     */
    default void onPage(final long requestId, final ItemsPage page)
    {
    }

    /**
     * Any other successful answer (table management, ListTables, BatchGetItem, BatchWriteItem): the whole
     * SBE message, header included, for the caller to decode with the generated decoders.
     *
     * @param requestId  the id the send call returned.
     * @param templateId the message's template id (e.g. {@code TableDescriptionResponseDecoder.TEMPLATE_ID}).
     * @param buffer     holding the message.
     * @param offset     where its header starts.
     * @param length     its length, header included.
     */
    default void onResponse(final long requestId, final int templateId, final DirectBuffer buffer, final int offset,
        final int length)
    {
    }

    /**
     * The node answered with an error ({@code ErrorResponse}), after any retries of a retryable one.
     *
     * @param requestId the id the send call returned.
     * @param code      DynamoDB's error type.
     * @param message   the node's message.
     */
    void onError(long requestId, ErrorCode code, String message);

    /**
     * A ConditionalCheckFailedException that carries the item that failed the condition (the request asked for
     * ReturnValuesOnConditionCheckFailure ALL_OLD and the item existed). By default it is reported as
     * {@link #onError} with ConditionalCheckFailedException.
     *
     * @param requestId the request's id.
     * @param message   the node's message ("The conditional request failed").
     * @param item      buffer holding the current item's bytes, valid during this call only.
     * @param offset    where they start.
     * @param length    their length.
     */
    default void onConditionalCheckFailed(
        final long requestId, final String message, final DirectBuffer item, final int offset, final int length)
    {
        onError(requestId, ErrorCode.ConditionalCheckFailedException, message);
    }

    /**
     * The request ended without an answer from the node.
     *
     * @param requestId the id the send call returned.
     * @param failure   why.
     * @param message   what happened, with the values involved.
     */
    void onFailure(long requestId, ClientFailure failure, String message);
}
