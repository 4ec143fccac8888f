package io.ferrite.transport.client;

/**
 * A request failed on the client side (timeout, node gone, back-pressure that outlasted the retry
 * budget, client closed): the node did not answer. An answer from the node that is an error is thrown
 * as {@link io.ferrite.codecs.error.FerriteException} with the node's error code and message instead.
 * <p>
 * Thrown by the blocking API on the calling thread; immutable.
 */
public final class FerriteClientException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final ClientFailure failure;

    /**
     * @param failure why the request failed.
     * @param message what happened, with the values involved.
     */
    public FerriteClientException(final ClientFailure failure, final String message)
    {
        super(message, null, false, false);
        this.failure = failure;
    }

    /**
     * @return why the request failed.
     */
    public ClientFailure failure()
    {
        return failure;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "FerriteClientException(" + failure + "): " + getMessage();
    }
}
