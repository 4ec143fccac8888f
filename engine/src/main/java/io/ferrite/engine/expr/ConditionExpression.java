package io.ferrite.engine.expr;

import io.ferrite.engine.shard.ItemCondition;
import io.ferrite.engine.shard.ItemHandler;
import org.agrona.DirectBuffer;

import java.util.List;
import java.util.Set;

/**
 * A compiled ConditionExpression or FilterExpression: a tree of comparisons, functions and AND/OR/NOT
 * evaluated over item bytes. As an {@link ItemCondition} it plugs into PutItem, DeleteItem and
 * UpdateItem; as a filter into Query and Scan.
 * <p>
 * Threading: one thread at a time (nodes hold scratch state); allocation-free evaluation. Obtain
 * instances from {@link ExpressionCompiler}, which caches them per thread.
 */
public final class ConditionExpression implements ItemCondition
{
    private final ExpressionKind kind;
    private final String text;
    private final Predicate root;
    private final TopLevelAttributes topLevel;
    private final Set<String> usedNames;
    private final Set<String> usedValues;

    ConditionExpression(
        final ExpressionKind kind, final String text, final Predicate root, final List<Operand.Path> paths,
        final Set<String> usedNames, final Set<String> usedValues)
    {
        this.topLevel = new TopLevelAttributes(paths);
        this.kind = kind;
        this.text = text;
        this.root = root;
        this.usedNames = usedNames;
        this.usedValues = usedValues;
    }

    /**
     * {@inheritDoc}
     */
    public boolean readsAttribute(final String name)
    {
        return topLevel.contains(name);
    }

    /**
     * Evaluates the condition over an item.
     *
     * @param item   buffer holding the item.
     * @param offset where it starts.
     * @param length its length, or -1 when there is no item (every path is then missing).
     * @return true when the item satisfies the condition.
     */
    public boolean test(final DirectBuffer item, final int offset, final int length)
    {
        topLevel.walk(item, offset, length);
        try
        {
            return root.test(item, offset, length);
        }
        finally
        {
            topLevel.invalidate();
        }
    }

    /**
     * A condition that behaves as this one and, when it fails on an existing item, first hands that item
     * to {@code onFailure}: DynamoDB's ReturnValuesOnConditionCheckFailure=ALL_OLD. Allocates the wrapper;
     * keep it for a garbage-free path.
     *
     * @param onFailure receives the current item when the condition fails (not called when there is none).
     * @return the wrapping condition.
     */
    public ItemCondition returningItemOnFailure(final ItemHandler onFailure)
    {
        return (item, offset, length) ->
        {
            final boolean passed = test(item, offset, length);
            if (!passed && length >= 0)
            {
                onFailure.onItem(item, offset, length);
            }
            return passed;
        };
    }

    /**
     * @return CONDITION, FILTER or KEY_CONDITION.
     */
    public ExpressionKind kind()
    {
        return kind;
    }

    /**
     * @return the expression's text.
     */
    public String text()
    {
        return text;
    }

    /**
     * @return the {@code #name} placeholders the expression uses.
     */
    public Set<String> usedNames()
    {
        return usedNames;
    }

    /**
     * @return the {@code :value} placeholders the expression uses.
     */
    public Set<String> usedValues()
    {
        return usedValues;
    }

    Predicate root()
    {
        return root;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return kind.parameterName() + "{" + text + " = " + root + "}";
    }
}
