package io.ferrite.engine.expr;

import io.ferrite.engine.shard.ItemProjection;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.Set;

/**
 * A compiled ProjectionExpression: the document paths to keep of an item, nested paths included
 * ({@code a.b[3].c}). Plugs into GetItem, Query, Scan and BatchGetItem as an {@link ItemProjection}.
 * <p>
 * Threading: one thread at a time; allocation-free in steady state. Obtain instances from
 * {@link ExpressionCompiler}.
 */
public final class ProjectionExpression implements ItemProjection
{
    private final String text;
    private final Projector projector;
    private final Set<String> usedNames;

    ProjectionExpression(final String text, final PathTrie trie, final Set<String> usedNames)
    {
        this.text = text;
        this.projector = new Projector(trie);
        this.usedNames = usedNames;
    }

    /**
     * {@inheritDoc}
     */
    public int project(
        final DirectBuffer item, final int offset, final int length, final MutableDirectBuffer dst, final int dstOffset)
    {
        return projector.project(item, offset, length, dst, dstOffset);
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
     * {@inheritDoc}
     */
    public String toString()
    {
        return "ProjectionExpression{" + text + "}";
    }
}
