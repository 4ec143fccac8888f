package io.ferrite.engine.config;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A node builds each shard's configuration by copying its template: a field the copy leaves out silently gets its
 * default on a server (the store kind and both WAL pretouch settings did). Every instance field, present and future,
 * is set to a value other than its default, and the copy must hold it.
 */
class EngineConfigCopyTest
{
    @Test
    void theCopyHoldsEveryFieldOfTheOriginal() throws Exception
    {
        final EngineConfig original = new EngineConfig();
        final EngineConfig defaults = new EngineConfig();
        int fields = 0;
        final Field[] declared = EngineConfig.class.getDeclaredFields();
        for (final Field field : declared)
        {
            if (Modifier.isStatic(field.getModifiers()))
            {
                continue;
            }
            field.setAccessible(true);
            field.set(original, otherThan(field, field.get(defaults)));
            assertNotEquals(field.get(defaults), field.get(original), field.getName());
            fields++;
        }
        final EngineConfig copy = original.copy();
        for (final Field field : declared)
        {
            if (!Modifier.isStatic(field.getModifiers()))
            {
                assertEquals(field.get(original), field.get(copy), "copy() dropped " + field.getName());
            }
        }
        assertNotEquals(0, fields);
    }

    private static Object otherThan(final Field field, final Object value)
    {
        final Class<?> type = field.getType();
        if (long.class == type)
        {
            return (Long)value + 1;
        }
        if (int.class == type)
        {
            return (Integer)value + 1;
        }
        if (boolean.class == type)
        {
            return !(Boolean)value;
        }
        if (Path.class == type)
        {
            return Path.of("/elsewhere");
        }
        if (type.isEnum())
        {
            for (final Object constant : type.getEnumConstants())
            {
                if (!constant.equals(value))
                {
                    return constant;
                }
            }
        }
        fail("no other value for " + field.getName() + " of " + type + ": teach this test its type");
        return null;
    }
}
