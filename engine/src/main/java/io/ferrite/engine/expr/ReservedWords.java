package io.ferrite.engine.expr;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * DynamoDB's reserved words (the list of its documentation, in {@code reserved-words.txt}): a bare
 * attribute name in an expression must not be one of them, in any case.
 * <p>
 * Threading: immutable after class initialisation.
 */
final class ReservedWords
{
    private static final Set<String> WORDS = load();

    private ReservedWords()
    {
    }

    static boolean isReserved(final String word)
    {
        return WORDS.contains(word.toUpperCase(Locale.ROOT));
    }

    static int count()
    {
        return WORDS.size();
    }

    private static Set<String> load()
    {
        try (InputStream in = ReservedWords.class.getResourceAsStream("reserved-words.txt"))
        {
            if (null == in)
            {
                throw new IllegalStateException("reserved-words.txt missing from the classpath");
            }
            final Set<String> words = new HashSet<>();
            for (final String word : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\\s+"))
            {
                if (!word.isEmpty())
                {
                    words.add(word);
                }
            }
            return words;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
