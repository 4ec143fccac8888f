package io.ferrite.tools.cli;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The ProjectionExpressions the CLI applies itself, to what BatchGetItem returned (its backends' batchGetItem take no
 * projection yet, although the SBE BatchGetItemRequest carries one per table since schema version 4 and the node
 * applies it; decision 0010) and for the legacy AttributesToGet: top-level attribute names, possibly
 * {@code #placeholders} from ExpressionAttributeNames, with DynamoDB's checks of undefined or unused placeholders.
 * Every other expression (condition, update, key condition, filter, and the projections of GetItem, Query and Scan)
 * goes to the database as given, which compiles it (decision 0008).
 * <p>
 * Threading: one instance per request, one thread.
 */
public final class Expressions
{
    private final Map<String, String> names;
    private final Map<String, AttributeValue> values;
    private final Set<String> usedNames = new HashSet<>();
    private final Set<String> usedValues = new HashSet<>();

    /**
     * @param names  ExpressionAttributeNames, or null.
     * @param values ExpressionAttributeValues, or null.
     */
    public Expressions(final Map<String, String> names, final Map<String, AttributeValue> values)
    {
        this.names = null == names ? Map.of() : names;
        this.values = null == values ? Map.of() : values;
    }

    /**
     * @param expression a ProjectionExpression of top-level attribute names.
     * @return the names, in order.
     */
    public List<String> projection(final String expression)
    {
        final String what = "ProjectionExpression";
        final Tokens tokens = new Tokens(expression, what);
        final List<String> projected = new ArrayList<>();
        do
        {
            projected.add(attributeName(tokens, what, expression, true));
        }
        while (tokens.skipIf(","));
        if (tokens.hasNext())
        {
            throw FerriteException.validation("Invalid ProjectionExpression: ferrite supports only a list of " +
                "top-level attribute names yet (no nested paths or list indexes): " + expression);
        }
        return projected;
    }

    /**
     * Fails as DynamoDB does when a placeholder was given but no expression used it. Call after every
     * expression of the request was translated.
     */
    public void checkAllUsed()
    {
        final Set<String> unusedValues = new TreeSet<>(values.keySet());
        unusedValues.removeAll(usedValues);
        if (!unusedValues.isEmpty())
        {
            throw FerriteException.validation("Value provided in ExpressionAttributeValues unused in expressions: " +
                "keys: {" + String.join(", ", unusedValues) + "}");
        }
        final Set<String> unusedNames = new TreeSet<>(names.keySet());
        unusedNames.removeAll(usedNames);
        if (!unusedNames.isEmpty())
        {
            throw FerriteException.validation("Value provided in ExpressionAttributeNames unused in expressions: " +
                "keys: {" + String.join(", ", unusedNames) + "}");
        }
    }

    private String attributeName(final Tokens tokens, final String what, final String expression, final boolean projection)
    {
        if (!tokens.hasNext())
        {
            throw FerriteException.validation("Invalid " + what + ": Syntax error; token: \"<EOF>\", near: \"" +
                expression + "\"");
        }
        final String token = tokens.next();
        if (tokens.hasNext() && (tokens.nextIs(".") || tokens.nextIs("[")))
        {
            throw FerriteException.validation("Invalid " + what + ": ferrite supports only top-level attribute " +
                "names yet, not document paths such as " + token + tokens.peek() + "...: " + expression);
        }
        if (token.startsWith("#"))
        {
            final String name = names.get(token);
            if (null == name)
            {
                throw FerriteException.validation("Invalid " + what + ": An expression attribute name used in the " +
                    "document path is not defined; attribute name: " + token);
            }
            usedNames.add(token);
            return name;
        }
        if (!isIdentifier(token))
        {
            throw FerriteException.validation("Invalid " + what + ": Syntax error; token: \"" + token + "\", near: \"" +
                expression + "\"");
        }
        return token;
    }

    /**
     * DynamoDB's lexer, as the engine's (decision 0008): an ASCII letter, then ASCII letters, digits or underscores;
     * anything else (a leading underscore, a non-ASCII letter) needs a {@code #placeholder}.
     */
    private static boolean isIdentifier(final String token)
    {
        if (token.isEmpty() || !isAsciiLetter(token.charAt(0)))
        {
            return false;
        }
        for (int i = 1; i < token.length(); i++)
        {
            final char c = token.charAt(i);
            if (!isAsciiLetter(c) && !(c >= '0' && c <= '9') && c != '_')
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiLetter(final char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static final class Tokens
    {
        private final List<String> tokens = new ArrayList<>();
        private int index;

        Tokens(final String text, final String what)
        {
            int i = 0;
            while (i < text.length())
            {
                final char c = text.charAt(i);
                if (Character.isWhitespace(c))
                {
                    i++;
                }
                else if (c == '<' || c == '>')
                {
                    final boolean twoChars = i + 1 < text.length() &&
                        (text.charAt(i + 1) == '=' || (c == '<' && text.charAt(i + 1) == '>'));
                    tokens.add(text.substring(i, twoChars ? i + 2 : i + 1));
                    i += twoChars ? 2 : 1;
                }
                else if ("=(),.[]+-".indexOf(c) >= 0)
                {
                    tokens.add(String.valueOf(c));
                    i++;
                }
                else
                {
                    final int start = i;
                    while (i < text.length() && !Character.isWhitespace(text.charAt(i)) &&
                        "<>=(),.[]+-".indexOf(text.charAt(i)) < 0)
                    {
                        i++;
                    }
                    tokens.add(text.substring(start, i));
                }
            }
            if (tokens.isEmpty() && !what.equals("UpdateExpression"))
            {
                throw FerriteException.validation("Invalid " + what + ": The expression can not be empty;");
            }
        }

        boolean hasNext()
        {
            return index < tokens.size();
        }

        String peek()
        {
            return tokens.get(index);
        }

        String next()
        {
            return tokens.get(index++);
        }

        boolean nextIs(final String token)
        {
            return hasNext() && tokens.get(index).equalsIgnoreCase(token);
        }

        boolean nextIsKeyword()
        {
            return nextIs("SET") || nextIs("REMOVE") || nextIs("ADD") || nextIs("DELETE");
        }

        boolean skipIf(final String token)
        {
            if (nextIs(token))
            {
                index++;
                return true;
            }
            return false;
        }

        void expect(final String token, final String expression)
        {
            if (!nextIs(token))
            {
                throw FerriteException.validation("Invalid expression: Syntax error; token: \"" +
                    (hasNext() ? peek() : "<EOF>") + "\", near: \"" + expression + "\" (expected \"" + token + "\")");
            }
            index++;
        }
    }
}
