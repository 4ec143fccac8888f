package io.ferrite.tools.cli;

import io.ferrite.codecs.error.FerriteException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The projections the CLI applies itself (BatchGetItem, AttributesToGet) lex names as DynamoDB and the engine do: an
 * ASCII letter first, then ASCII letters, digits and underscores; any other name needs a placeholder. The CLI used
 * to accept {@code _version} and non-ASCII names, which DynamoDB refuses with a syntax error.
 */
final class CliProjectionNamesLexAsDynamoDbTest
{
    @Test
    void plainNamesAndPlaceholdersAreProjected()
    {
        final Expressions expressions = new Expressions(Map.of("#v", "_version"), null);
        assertEquals(List.of("a", "b_2", "_version"), expressions.projection("a, b_2, #v"));
        expressions.checkAllUsed();
    }

    @Test
    void aNameThatDoesNotStartWithAnAsciiLetterIsASyntaxError()
    {
        for (final String name : List.of("_version", "é", "a€", "1a"))
        {
            final FerriteException refused = assertThrows(FerriteException.class,
                () -> new Expressions(null, null).projection("pk, " + name), name);
            assertTrue(refused.getMessage().startsWith("Invalid ProjectionExpression: Syntax error; token: \"" + name),
                refused.getMessage());
        }
    }
}
