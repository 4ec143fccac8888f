package io.ferrite.transport.node;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.codecs.item.ItemValidator;
import io.ferrite.engine.expr.ConditionExpression;
import io.ferrite.engine.expr.ExpressionCompiler;
import io.ferrite.engine.expr.KeyConditionExpression;
import io.ferrite.engine.expr.ProjectionExpression;
import io.ferrite.engine.expr.UpdateExpression;
import org.agrona.DirectBuffer;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Turns a request's expression fields, as they arrive on the wire (decision 0010: UTF-8 expressions,
 * ExpressionAttributeNames and ExpressionAttributeValues as item-format maps), into compiled expressions, and checks
 * DynamoDB's request-level rules (names and values only with an expression, none unused). What a request's fields
 * compile to is cached by their raw bytes ({@link WireExpressionCache}), so a request that repeats them decodes no
 * string or map and allocates nothing; the engine's {@link ExpressionCompiler} (owned here) compiles on a miss.
 * <p>
 * <b>Threading:</b> one owner thread (a shard loop, or the router for key conditions); the compiled expressions
 * hold scratch state and are that thread's.
 */
final class WireExpressions
{
    /** Capacity of the byte-keyed cache (and of the compiler's own). */
    static final int CACHE_CAPACITY = 1024;

    /** What one request's expression fields compiled to; a field the request has not is null. */
    static final class Compiled
    {
        ConditionExpression condition;
        UpdateExpression update;
        KeyConditionExpression keyCondition;
        ConditionExpression filter;
        ProjectionExpression projection;

        boolean isEmpty()
        {
            return null == condition && null == update && null == keyCondition && null == filter && null == projection;
        }
    }

    /** A request without expressions. */
    static final Compiled NONE = new Compiled();

    private static final byte[] NO_PLACEHOLDER = new byte[0];

    private final ExpressionCompiler compiler = new ExpressionCompiler(CACHE_CAPACITY);
    private final WireExpressionCache<Compiled> cache = new WireExpressionCache<>(CACHE_CAPACITY);
    private final WireExpressionCache<byte[]> placeholders = new WireExpressionCache<>(CACHE_CAPACITY);

    /**
     * Compiles (or finds) a request's expressions. Each field is the var-data field's bytes (the buffer's whole
     * capacity; empty = not given), or null when the request has no such field.
     *
     * @param kind         the request's template id.
     * @param condition    ConditionExpression.
     * @param update       UpdateExpression.
     * @param keyCondition KeyConditionExpression.
     * @param filter       FilterExpression.
     * @param projection   ProjectionExpression.
     * @param names        ExpressionAttributeNames (item-format map of "#n" to S).
     * @param values       ExpressionAttributeValues (item-format map of ":v" to any value).
     * @return the compiled expressions, {@link #NONE} when the request uses none.
     * @throws FerriteException ValidationException with DynamoDB's message.
     */
    Compiled compile(
        final int kind,
        final DirectBuffer condition,
        final DirectBuffer update,
        final DirectBuffer keyCondition,
        final DirectBuffer filter,
        final DirectBuffer projection,
        final DirectBuffer names,
        final DirectBuffer values)
    {
        if (empty(condition) && empty(update) && empty(keyCondition) && empty(filter) && empty(projection))
        {
            if (!empty(names))
            {
                throw FerriteException.validation("ExpressionAttributeNames can only be specified when using expressions");
            }
            if (!empty(values))
            {
                throw FerriteException.validation("ExpressionAttributeValues can only be specified when using expressions");
            }
            return NONE;
        }
        cache.begin(kind).append(condition).append(update).append(keyCondition).append(filter).append(projection)
            .append(names).append(values);
        final Compiled found = cache.find();
        if (null != found)
        {
            return found;
        }

        final Map<String, String> nameMap = names(names);
        final Map<String, AttributeValue> valueMap = values(values);
        final Compiled compiled = new Compiled();
        final Set<String> usedNames = new HashSet<>();
        final Set<String> usedValues = new HashSet<>();
        if (!empty(keyCondition))
        {
            compiled.keyCondition = compiler.keyCondition(text(keyCondition), nameMap, valueMap);
            usedNames.addAll(compiled.keyCondition.usedNames());
            usedValues.addAll(compiled.keyCondition.usedValues());
        }
        if (!empty(update))
        {
            compiled.update = compiler.update(text(update), nameMap, valueMap);
            usedNames.addAll(compiled.update.usedNames());
            usedValues.addAll(compiled.update.usedValues());
        }
        if (!empty(condition))
        {
            compiled.condition = compiler.condition(text(condition), nameMap, valueMap);
            usedNames.addAll(compiled.condition.usedNames());
            usedValues.addAll(compiled.condition.usedValues());
        }
        if (!empty(filter))
        {
            compiled.filter = compiler.filter(text(filter), nameMap, valueMap);
            usedNames.addAll(compiled.filter.usedNames());
            usedValues.addAll(compiled.filter.usedValues());
        }
        if (!empty(projection))
        {
            compiled.projection = compiler.projection(text(projection), nameMap);
            usedNames.addAll(compiled.projection.usedNames());
        }
        ExpressionCompiler.checkAllUsed(nameMap, valueMap, usedNames, usedValues);
        cache.put(compiled);
        return compiled;
    }

    /**
     * For the router: the name (UTF-8) of the ExpressionAttributeValues entry that a Query's KeyConditionExpression
     * compares the partition key with, so the router hashes that value without applying the expression. Cached by
     * (table, expression, names): the values may change from request to request.
     *
     * @param routeId          the table's route id.
     * @param partitionKeyName the table's partition key attribute.
     * @param keyCondition     the KeyConditionExpression's bytes.
     * @param names            ExpressionAttributeNames bytes.
     * @param values           ExpressionAttributeValues bytes (read on a miss only, to compile).
     * @return the placeholder's UTF-8 bytes, or null when the expression does not compile or names no partition key
     *         value (the shard then answers with the reason).
     */
    byte[] partitionKeyPlaceholder(
        final int routeId,
        final byte[] partitionKeyName,
        final DirectBuffer keyCondition,
        final DirectBuffer names,
        final DirectBuffer values)
    {
        placeholders.begin(routeId).append(partitionKeyName).append(keyCondition).append(names);
        final byte[] found = placeholders.find();
        if (null != found)
        {
            return 0 == found.length ? null : found;
        }
        byte[] placeholder;
        try
        {
            final String name = compiler.keyCondition(text(keyCondition), names(names), values(values))
                .partitionKeyPlaceholder(new String(partitionKeyName, java.nio.charset.StandardCharsets.UTF_8));
            placeholder = null == name ? NO_PLACEHOLDER : name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        catch (final FerriteException ex)
        {
            return null; // not cached: a later request may bring the missing value; the shard reports this one
        }
        placeholders.put(placeholder);
        return 0 == placeholder.length ? null : placeholder;
    }

    private static boolean empty(final DirectBuffer field)
    {
        return null == field || 0 == field.capacity();
    }

    private static String text(final DirectBuffer field)
    {
        return field.getStringWithoutLengthUtf8(0, field.capacity());
    }

    private static Map<String, String> names(final DirectBuffer field)
    {
        if (empty(field))
        {
            return null;
        }
        ItemValidator.validate(field, 0, field.capacity(), Integer.MAX_VALUE);
        final Map<String, AttributeValue> decoded = ItemCodec.decode(field, 0, field.capacity());
        if (decoded.isEmpty())
        {
            throw FerriteException.validation("ExpressionAttributeNames must not be empty");
        }
        final Map<String, String> names = new LinkedHashMap<>();
        for (final Map.Entry<String, AttributeValue> entry : decoded.entrySet())
        {
            if (ItemFormat.TYPE_S != entry.getValue().type())
            {
                throw FerriteException.validation("ExpressionAttributeNames contains invalid value: the value of " +
                    entry.getKey() + " is of type " + ItemFormat.typeName(entry.getValue().type()) +
                    ", but an attribute name must be a string (S)");
            }
            names.put(entry.getKey(), entry.getValue().asString());
        }
        return names;
    }

    private static Map<String, AttributeValue> values(final DirectBuffer field)
    {
        if (empty(field))
        {
            return null;
        }
        ItemValidator.validate(field, 0, field.capacity(), Integer.MAX_VALUE);
        final Map<String, AttributeValue> values = ItemCodec.decode(field, 0, field.capacity());
        if (values.isEmpty())
        {
            throw FerriteException.validation("ExpressionAttributeValues must not be empty");
        }
        return values;
    }
}
