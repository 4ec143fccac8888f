package io.ferrite.http;

/**
 * The DynamoDB operations the HTTP front serves, by their {@code X-Amz-Target} names.
 * <p>
 * Threading: immutable.
 */
enum Operation
{
    CreateTable, DeleteTable, DescribeTable, ListTables, UpdateTable,
    PutItem, GetItem, UpdateItem, DeleteItem, Query, Scan, BatchGetItem, BatchWriteItem;

    private static final Operation[] VALUES = values();
    private static final String NAMES = String.join(", ", java.util.Arrays.stream(VALUES).map(Enum::name).toList());

    /**
     * @param target the X-Amz-Target header.
     * @param from   where the operation name starts in it.
     * @return the operation, or null when it names none (no allocation).
     */
    static Operation of(final String target, final int from)
    {
        final int length = target.length() - from;
        for (final Operation operation : VALUES)
        {
            final String name = operation.name();
            if (name.length() == length && target.regionMatches(from, name, 0, length))
            {
                return operation;
            }
        }
        return null;
    }

    static String names()
    {
        return NAMES;
    }
}
