package io.ferrite.engine.expr;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parses, checks and compiles DynamoDB expressions, and caches what it compiled by (kind, text, names,
 * values), so that a request repeated with the same expression reuses the compiled tree: parsing happens
 * once, evaluation allocates nothing.
 * <p>
 * Threading: not thread-safe, and neither are the compiled expressions it hands out (they hold scratch
 * state): one compiler per thread that evaluates, typically the shard thread or the owner of an embedded
 * {@link io.ferrite.engine.api.Ferrite}. The cache is bounded (least recently used entries are dropped).
 * <pre>{@code
 * ExpressionCompiler compiler = new ExpressionCompiler();
 * ConditionExpression condition = compiler.condition("attribute_not_exists(#v) OR #v < :max",
 *     Map.of("#v", "version"), Map.of(":max", AttributeValue.n("10")));
 * shard.putItem(table, item, 0, length, condition, ReturnValues.NONE, null);
 * }</pre>
 */
public final class ExpressionCompiler
{
    /** Compiled expressions kept by default. */
    public static final int DEFAULT_CACHE_CAPACITY = 1024;

    private final Map<Key, Object> cache;

    /**
     * A compiler with a cache of {@link #DEFAULT_CACHE_CAPACITY} expressions.
     */
    public ExpressionCompiler()
    {
        this(DEFAULT_CACHE_CAPACITY);
    }

    /**
     * @param capacity most compiled expressions to keep.
     */
    public ExpressionCompiler(final int capacity)
    {
        this.cache = new LinkedHashMap<>(16, 0.75f, true)
        {
            private static final long serialVersionUID = 1L;

            protected boolean removeEldestEntry(final Map.Entry<Key, Object> eldest)
            {
                return size() > capacity;
            }
        };
    }

    /**
     * @param text   a ConditionExpression.
     * @param names  ExpressionAttributeNames ({@code #n} to attribute name), or null.
     * @param values ExpressionAttributeValues ({@code :v} to value), or null.
     * @return the compiled condition.
     * @throws FerriteException ValidationException with DynamoDB's message when the expression is invalid.
     */
    public ConditionExpression condition(
        final String text, final Map<String, String> names, final Map<String, AttributeValue> values)
    {
        return (ConditionExpression)compile(ExpressionKind.CONDITION, text, names, values);
    }

    /**
     * @param text   a FilterExpression (same language as a condition).
     * @param names  ExpressionAttributeNames, or null.
     * @param values ExpressionAttributeValues, or null.
     * @return the compiled filter.
     */
    public ConditionExpression filter(
        final String text, final Map<String, String> names, final Map<String, AttributeValue> values)
    {
        return (ConditionExpression)compile(ExpressionKind.FILTER, text, names, values);
    }

    /**
     * @param text   a KeyConditionExpression.
     * @param names  ExpressionAttributeNames, or null.
     * @param values ExpressionAttributeValues, or null.
     * @return the compiled key condition.
     */
    public KeyConditionExpression keyCondition(
        final String text, final Map<String, String> names, final Map<String, AttributeValue> values)
    {
        return (KeyConditionExpression)compile(ExpressionKind.KEY_CONDITION, text, names, values);
    }

    /**
     * @param text   an UpdateExpression.
     * @param names  ExpressionAttributeNames, or null.
     * @param values ExpressionAttributeValues, or null.
     * @return the compiled update.
     */
    public UpdateExpression update(
        final String text, final Map<String, String> names, final Map<String, AttributeValue> values)
    {
        return (UpdateExpression)compile(ExpressionKind.UPDATE, text, names, values);
    }

    /**
     * @param text  a ProjectionExpression.
     * @param names ExpressionAttributeNames, or null.
     * @return the compiled projection.
     */
    public ProjectionExpression projection(final String text, final Map<String, String> names)
    {
        return (ProjectionExpression)compile(ExpressionKind.PROJECTION, text, names, null);
    }

    /**
     * @return compiled expressions in the cache.
     */
    public int cachedCount()
    {
        return cache.size();
    }

    /**
     * DynamoDB's request-level rule: every ExpressionAttributeNames and ExpressionAttributeValues entry must
     * be used by one of the request's expressions.
     *
     * @param names      the request's names, or null.
     * @param values     the request's values, or null.
     * @param usedNames  names used by all its expressions.
     * @param usedValues values used by all its expressions.
     * @throws FerriteException ValidationException naming the unused keys.
     */
    public static void checkAllUsed(
        final Map<String, String> names, final Map<String, AttributeValue> values,
        final Set<String> usedNames, final Set<String> usedValues)
    {
        if (null != names && !names.isEmpty() && !usedNames.containsAll(names.keySet()))
        {
            final Set<String> unused = new TreeSet<>(names.keySet());
            unused.removeAll(usedNames);
            throw FerriteException.validation("Value provided in ExpressionAttributeNames unused in expressions: " +
                "keys: {" + String.join(", ", unused) + "}");
        }
        if (null != values && !values.isEmpty() && !usedValues.containsAll(values.keySet()))
        {
            final Set<String> unused = new TreeSet<>(values.keySet());
            unused.removeAll(usedValues);
            throw FerriteException.validation("Value provided in ExpressionAttributeValues unused in expressions: " +
                "keys: {" + String.join(", ", unused) + "}");
        }
    }

    private Object compile(
        final ExpressionKind kind, final String text, final Map<String, String> names,
        final Map<String, AttributeValue> values)
    {
        final Map<String, String> n = null == names ? Collections.emptyMap() : names;
        final Map<String, AttributeValue> v = null == values ? Collections.emptyMap() : values;
        final Key probe = new Key(kind, text, n, v);
        final Object cached = cache.get(probe);
        if (null != cached)
        {
            return cached;
        }

        final DecimalMath math = new DecimalMath();
        final Parser parser = new Parser(kind, text, n, v, math);
        final Object compiled;
        switch (kind)
        {
            case CONDITION:
            case FILTER:
                compiled = new ConditionExpression(kind, text, parser.parseCondition(), parser.paths(),
                    parser.usedNames(), parser.usedValues());
                break;
            case KEY_CONDITION:
                compiled = new KeyConditionExpression(text, parser.parseCondition(),
                    parser.usedNames(), parser.usedValues());
                break;
            case UPDATE:
                compiled = new UpdateExpression(text, parser.parseUpdate(), math,
                    parser.usedNames(), parser.usedValues());
                break;
            default:
                compiled = new ProjectionExpression(text, new PathTrie(parser.parseProjection(), null),
                    parser.usedNames());
                break;
        }
        cache.put(new Key(kind, text, Map.copyOf(n), Map.copyOf(v)), compiled);
        return compiled;
    }

    private record Key(ExpressionKind kind, String text, Map<String, String> names, Map<String, AttributeValue> values)
    {
    }
}
