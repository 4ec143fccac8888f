package io.ferrite.engine.api;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.sbe.ErrorCode;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Assertions on the errors a user sees: DynamoDB's error type, and a message naming the rule and the value.
 */
final class Expect
{
    private Expect()
    {
    }

    /**
     * Runs {@code call}, which must fail with {@code code} and a message containing every fragment.
     *
     * @return the exception, for further checks.
     */
    static FerriteException error(final ErrorCode code, final Executable call, final String... fragments)
    {
        final FerriteException ex = assertThrows(FerriteException.class, call);
        assertEquals(code, ex.code(), ex::toString);
        for (final String fragment : fragments)
        {
            assertTrue(ex.getMessage().contains(fragment),
                () -> "message '" + ex.getMessage() + "' does not contain '" + fragment + "'");
        }
        return ex;
    }

    static FerriteException validation(final Executable call, final String... fragments)
    {
        return error(ErrorCode.ValidationException, call, fragments);
    }
}
