package io.ferrite.engine.table;

import io.ferrite.codecs.error.FerriteException;

import java.nio.charset.StandardCharsets;

/**
 * DynamoDB's rules for table and key attribute names, with DynamoDB's error texts. Stateless.
 */
public final class NameRules
{
    /** Shortest table name. */
    public static final int MIN_TABLE_NAME_LENGTH = 3;
    /** Longest table name. */
    public static final int MAX_TABLE_NAME_LENGTH = 255;
    /** Longest key attribute name in UTF-8 bytes. */
    public static final int MAX_KEY_ATTRIBUTE_NAME_BYTES = 255;

    private NameRules()
    {
    }

    /**
     * Checks a table name: 3 to 255 characters, each of {@code [a-zA-Z0-9_.-]}.
     *
     * @param tableName the name, as given.
     * @param field     the request field it came from, e.g. {@code tableName}.
     * @throws FerriteException a ValidationException naming the value and the constraint.
     */
    public static void checkTableName(final String tableName, final String field)
    {
        if (null == tableName)
        {
            throw FerriteException.validation("1 validation error detected: Value null at '" + field +
                "' failed to satisfy constraint: Member must not be null");
        }

        if (tableName.length() < MIN_TABLE_NAME_LENGTH)
        {
            throw FerriteException.validation("1 validation error detected: Value '" + tableName + "' at '" + field +
                "' failed to satisfy constraint: Member must have length greater than or equal to " +
                MIN_TABLE_NAME_LENGTH);
        }

        if (tableName.length() > MAX_TABLE_NAME_LENGTH)
        {
            throw FerriteException.validation("1 validation error detected: Value '" + tableName + "' at '" + field +
                "' failed to satisfy constraint: Member must have length less than or equal to " +
                MAX_TABLE_NAME_LENGTH);
        }

        for (int i = 0; i < tableName.length(); i++)
        {
            final char c = tableName.charAt(i);
            final boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                '_' == c || '.' == c || '-' == c;
            if (!allowed)
            {
                throw FerriteException.validation("1 validation error detected: Value '" + tableName + "' at '" +
                    field + "' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
                    "[a-zA-Z0-9_.-]+");
            }
        }
    }

    /**
     * Checks a key attribute name: 1 to 255 bytes of UTF-8.
     *
     * @param name the name.
     * @param role HASH or RANGE, for the message.
     * @throws FerriteException a ValidationException naming the value and the constraint.
     */
    public static void checkKeyAttributeName(final String name, final String role)
    {
        if (null == name || name.isEmpty())
        {
            throw FerriteException.validation("1 validation error detected: Value '" + name +
                "' at 'keySchema." + role + ".attributeName' failed to satisfy constraint: " +
                "Member must have length greater than or equal to 1");
        }

        final int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_KEY_ATTRIBUTE_NAME_BYTES)
        {
            throw FerriteException.validation("1 validation error detected: Value '" + name +
                "' at 'keySchema." + role + ".attributeName' failed to satisfy constraint: " +
                "Member must have length less than or equal to " + MAX_KEY_ATTRIBUTE_NAME_BYTES +
                " (it is " + bytes + " bytes)");
        }
    }
}
