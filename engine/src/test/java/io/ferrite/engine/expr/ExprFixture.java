package io.ferrite.engine.expr;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.sbe.ErrorCode;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.function.Executable;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiles expressions and runs them over items given as Java values, for the expression tests.
 */
final class ExprFixture
{
    final ExpressionCompiler compiler = new ExpressionCompiler();
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[1024 * 1024]);

    boolean test(final String text, final Map<String, String> names, final Map<String, AttributeValue> values,
        final Map<String, AttributeValue> item)
    {
        final ConditionExpression condition = compiler.condition(text, names, values);
        if (null == item)
        {
            return condition.test(new UnsafeBuffer(new byte[0]), 0, -1);
        }
        final byte[] bytes = ItemCodec.encode(item);
        return condition.test(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    boolean test(final String text, final Map<String, AttributeValue> values, final Map<String, AttributeValue> item)
    {
        return test(text, null, values, item);
    }

    /** Applies an update to an item (null for a missing one; the key is then {@code key}). */
    Map<String, AttributeValue> update(
        final String text, final Map<String, String> names, final Map<String, AttributeValue> values,
        final Map<String, AttributeValue> key, final Map<String, AttributeValue> item)
    {
        final UpdateExpression update = compiler.update(text, names, values);
        final byte[] keyBytes = ItemCodec.encode(key);
        final byte[] itemBytes = null == item ? new byte[0] : ItemCodec.encode(item);
        final int length = update.apply(null, new UnsafeBuffer(keyBytes), 0, keyBytes.length,
            new UnsafeBuffer(itemBytes), 0, null == item ? -1 : itemBytes.length, out, 0);
        return length < 0 ? null : ItemCodec.decode(out, 0, length);
    }

    Map<String, AttributeValue> update(
        final String text, final Map<String, AttributeValue> values, final Map<String, AttributeValue> item)
    {
        return update(text, null, values, Map.of(), item);
    }

    Map<String, AttributeValue> project(
        final String text, final Map<String, String> names, final Map<String, AttributeValue> item)
    {
        final ProjectionExpression projection = compiler.projection(text, names);
        final byte[] bytes = ItemCodec.encode(item);
        final int length = projection.project(new UnsafeBuffer(bytes), 0, bytes.length, out, 0);
        return ItemCodec.decode(out, 0, length);
    }

    static FerriteException validation(final Executable call, final String... fragments)
    {
        final FerriteException ex = assertThrows(FerriteException.class, call);
        assertEquals(ErrorCode.ValidationException, ex.code(), ex::toString);
        for (final String fragment : fragments)
        {
            assertTrue(ex.getMessage().contains(fragment),
                () -> "message '" + ex.getMessage() + "' does not contain '" + fragment + "'");
        }
        return ex;
    }
}
