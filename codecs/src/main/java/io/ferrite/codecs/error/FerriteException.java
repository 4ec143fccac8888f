package io.ferrite.codecs.error;

import io.ferrite.codecs.sbe.ErrorCode;

/**
 * The one exception type that carries a user-visible error: DynamoDB's error type (as an
 * {@link ErrorCode}) and a message that names the input and the rule it broke.
 * <p>
 * Thrown only on the error path (allocation there is accepted); the hot path never throws. Every front
 * (embedded API, SBE, HTTP) turns it into its own error response with the same code and message.
 * Stack traces are not filled in: the message is the diagnosis and the throw site is not interesting
 * to the caller.
 */
public final class FerriteException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /**
     * @param code    DynamoDB's error type.
     * @param message what was wrong, with the values involved.
     */
    public FerriteException(final ErrorCode code, final String message)
    {
        super(message, null, false, false);
        this.code = code;
    }

    /**
     * @return DynamoDB's error type for this failure.
     */
    public ErrorCode code()
    {
        return code;
    }

    /**
     * A {@code ValidationException} with the given message.
     *
     * @param message what was wrong, with the values involved.
     * @return the exception, to be thrown by the caller.
     */
    public static FerriteException validation(final String message)
    {
        return new FerriteException(ErrorCode.ValidationException, message);
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return code + ": " + getMessage();
    }
}
