package io.ferrite.http;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.engine.shard.SortKeyCondition;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The part of DynamoDB's expression language that the node's requests can carry today, translated on the client side
 * (shared by the CLI and the HTTP front, which therefore lives in this module):
 * <ul>
 *   <li>KeyConditionExpression: {@code pk = :v}, optionally {@code AND} one sort key condition
 *   ({@code sk = | < | <= | > | >= :w}, {@code sk BETWEEN :a AND :b}, {@code begins_with(sk, :p)}), either
 *   way round;</li>
 *   <li>UpdateExpression: {@code SET a = :x, b = :y} and {@code REMOVE c, d} (whole top-level attributes);</li>
 *   <li>ProjectionExpression: top-level attribute names, applied to what the database returned.</li>
 * </ul>
 * Attribute names may be {@code #placeholders} from ExpressionAttributeNames; values are {@code :placeholders}
 * from ExpressionAttributeValues. Anything else is a ValidationException saying it is not supported yet,
 * and DynamoDB's own checks (undefined or unused placeholders) are made with DynamoDB's messages.
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
     * A key condition in the engine's terms.
     *
     * @param partitionKeyName the attribute compared with {@code =}.
     * @param partitionKey     its value.
     * @param sortKeyName      the sort key attribute, or null without a sort key condition.
     * @param condition        the sort key condition, NONE without one.
     * @param sortKeyValue     its operand (BETWEEN's lower bound), or null.
     * @param sortKeyUpper     BETWEEN's upper bound, or null.
     */
    public record KeyCondition(
        String partitionKeyName,
        AttributeValue partitionKey,
        String sortKeyName,
        SortKeyCondition condition,
        AttributeValue sortKeyValue,
        AttributeValue sortKeyUpper)
    {
    }

    /**
     * An update in the engine's attribute-level terms.
     *
     * @param set    attributes to set, in the expression's order.
     * @param remove attributes to remove.
     */
    public record Update(Map<String, AttributeValue> set, List<String> remove)
    {
    }

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
     * @param expression a KeyConditionExpression.
     * @return the condition, with the partition key condition first whichever way it was written.
     */
    public KeyCondition keyCondition(final String expression)
    {
        final String what = "KeyConditionExpression";
        final Tokens tokens = new Tokens(expression, what);
        final Comparison first = comparison(tokens, what, expression);
        Comparison second = null;
        if (tokens.hasNext())
        {
            if (!tokens.nextIs("AND"))
            {
                throw unsupportedKeyCondition(expression);
            }
            tokens.next();
            second = comparison(tokens, what, expression);
        }
        if (tokens.hasNext())
        {
            throw unsupportedKeyCondition(expression);
        }

        Comparison partition = first;
        Comparison sort = second;
        if (null != second && first.condition != SortKeyCondition.EQ && second.condition == SortKeyCondition.EQ)
        {
            partition = second;
            sort = first;
        }
        if (partition.condition != SortKeyCondition.EQ)
        {
            throw FerriteException.validation("Query key condition not supported: the partition key must be " +
                "compared with '=' (" + expression + ")");
        }
        if (null == sort)
        {
            return new KeyCondition(partition.name, partition.value, null, SortKeyCondition.NONE, null, null);
        }
        return new KeyCondition(partition.name, partition.value, sort.name, sort.condition, sort.value, sort.upper);
    }

    /**
     * @param expression an UpdateExpression of SET and REMOVE clauses.
     * @return the attributes to set and remove.
     */
    public Update update(final String expression)
    {
        final String what = "UpdateExpression";
        final Tokens tokens = new Tokens(expression, what);
        final Map<String, AttributeValue> set = new LinkedHashMap<>();
        final List<String> remove = new ArrayList<>();
        final Set<String> clauses = new HashSet<>();
        if (!tokens.hasNext())
        {
            throw FerriteException.validation("Invalid UpdateExpression: The expression can not be empty;");
        }
        while (tokens.hasNext())
        {
            final String clause = tokens.next().toUpperCase();
            if (!clause.equals("SET") && !clause.equals("REMOVE"))
            {
                throw unsupportedUpdate(expression, "clause " + clause);
            }
            if (!clauses.add(clause))
            {
                throw FerriteException.validation("Invalid UpdateExpression: The \"" + clause + "\" section can only " +
                    "be used once in an update expression;");
            }
            do
            {
                final String name = attributeName(tokens, what, expression, false);
                if (clause.equals("SET"))
                {
                    tokens.expect("=", expression);
                    final String operand = tokens.hasNext() ? tokens.next() : "";
                    if (!operand.startsWith(":") || (tokens.hasNext() && !tokens.nextIs(",") &&
                        !tokens.nextIsKeyword()))
                    {
                        throw unsupportedUpdate(expression, "SET operand other than a single :value");
                    }
                    set.put(name, value(operand, what));
                }
                else
                {
                    remove.add(name);
                }
            }
            while (tokens.skipIf(","));
        }
        for (final String name : remove)
        {
            if (set.containsKey(name))
            {
                throw FerriteException.validation("Invalid UpdateExpression: Two document paths overlap with each " +
                    "other; must remove or rewrite one of these paths; path one: [" + name + "], path two: [" +
                    name + "]");
            }
        }
        return new Update(set, remove);
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

    private static final class Comparison
    {
        String name;
        SortKeyCondition condition;
        AttributeValue value;
        AttributeValue upper;
    }

    private Comparison comparison(final Tokens tokens, final String what, final String expression)
    {
        final Comparison comparison = new Comparison();
        if (tokens.nextIs("begins_with"))
        {
            tokens.next();
            tokens.expect("(", expression);
            comparison.name = attributeName(tokens, what, expression, false);
            tokens.expect(",", expression);
            comparison.value = value(tokens.hasNext() ? tokens.next() : "", what);
            tokens.expect(")", expression);
            comparison.condition = SortKeyCondition.BEGINS_WITH;
            return comparison;
        }
        comparison.name = attributeName(tokens, what, expression, false);
        if (!tokens.hasNext())
        {
            throw unsupportedKeyCondition(expression);
        }
        final String operator = tokens.next();
        switch (operator.toUpperCase())
        {
            case "=" -> comparison.condition = SortKeyCondition.EQ;
            case "<" -> comparison.condition = SortKeyCondition.LT;
            case "<=" -> comparison.condition = SortKeyCondition.LE;
            case ">" -> comparison.condition = SortKeyCondition.GT;
            case ">=" -> comparison.condition = SortKeyCondition.GE;
            case "BETWEEN" -> comparison.condition = SortKeyCondition.BETWEEN;
            default -> throw unsupportedKeyCondition(expression);
        }
        comparison.value = value(tokens.hasNext() ? tokens.next() : "", what);
        if (SortKeyCondition.BETWEEN == comparison.condition)
        {
            if (!tokens.nextIs("AND"))
            {
                throw unsupportedKeyCondition(expression);
            }
            tokens.next();
            comparison.upper = value(tokens.hasNext() ? tokens.next() : "", what);
        }
        return comparison;
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

    private AttributeValue value(final String token, final String what)
    {
        if (!token.startsWith(":"))
        {
            throw FerriteException.validation("Invalid " + what + ": ferrite supports only :placeholder values " +
                "(from --expression-attribute-values) as operands yet; got: \"" + token + "\"");
        }
        final AttributeValue value = values.get(token);
        if (null == value)
        {
            throw FerriteException.validation("Invalid " + what + ": An expression attribute value used in " +
                "expression is not defined; attribute value: " + token);
        }
        usedValues.add(token);
        return value;
    }

    private static boolean isIdentifier(final String token)
    {
        if (token.isEmpty() || !(Character.isLetter(token.charAt(0)) || token.charAt(0) == '_'))
        {
            return false;
        }
        for (int i = 1; i < token.length(); i++)
        {
            final char c = token.charAt(i);
            if (!Character.isLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }
        return true;
    }

    private static FerriteException unsupportedKeyCondition(final String expression)
    {
        return FerriteException.validation("Invalid KeyConditionExpression: ferrite supports only " +
            "'pk = :v' optionally AND one sort key condition ('sk = :w', <, <=, >, >=, 'sk BETWEEN :a AND :b', " +
            "'begins_with(sk, :p)') yet; got: " + expression);
    }

    private static FerriteException unsupportedUpdate(final String expression, final String what)
    {
        return FerriteException.validation("Invalid UpdateExpression: ferrite supports only 'SET a = :x, " +
            "b = :y' and 'REMOVE c, d' on top-level attributes yet (no ADD, DELETE, arithmetic, functions or " +
            "nested paths); unsupported " + what + " in: " + expression);
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
