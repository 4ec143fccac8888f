package io.ferrite.engine.queued;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Maps table names to small ints so that commands carry an int instead of a name. An id stands for a
 * name, not for a table: the agent resolves it on the shard thread, so a name registered for a table
 * that does not exist completes with ResourceNotFoundException, and a table deleted and created again
 * under the same name keeps its id.
 * <p>
 * <b>Threading:</b> thread-safe. {@link #register} allocates on first sight of a name; {@link #name} is a
 * volatile read (the agent calls it only when its cache misses). A name is published before its id is
 * returned, and the id reaches the agent inside a command committed after that, so the agent always
 * sees the name.
 */
final class TableRegistry
{
    /** The most distinct table names a queued shard accepts. */
    static final int MAX_NAMES = 4096;

    private final ConcurrentHashMap<String, Integer> idsByName = new ConcurrentHashMap<>();
    private final AtomicReferenceArray<String> namesById = new AtomicReferenceArray<>(MAX_NAMES);
    private final AtomicInteger nextId = new AtomicInteger();

    int register(final String tableName)
    {
        if (null == tableName)
        {
            throw new NullPointerException("tableName");
        }
        return idsByName.computeIfAbsent(tableName, this::publish);
    }

    String name(final int tableId)
    {
        return tableId >= 0 && tableId < MAX_NAMES ? namesById.get(tableId) : null;
    }

    private Integer publish(final String tableName)
    {
        final int id = nextId.getAndIncrement();
        if (id >= MAX_NAMES)
        {
            throw new IllegalStateException("cannot register table name " + tableName + ": a queued shard registers " +
                "at most " + MAX_NAMES + " distinct table names in its life and has them all (ids are never reused, " +
                "since a caller may still hold one); keep one id per name");
        }
        namesById.set(id, tableName);
        return id;
    }
}
