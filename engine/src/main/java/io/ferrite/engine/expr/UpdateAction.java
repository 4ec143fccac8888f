package io.ferrite.engine.expr;

/**
 * One action of an UpdateExpression: SET path = value, REMOVE path, ADD path value, DELETE path value.
 * Immutable after parsing.
 */
final class UpdateAction
{
    /** The clause an action belongs to. */
    enum Type
    {
        SET, REMOVE, ADD, DELETE
    }

    final Type type;
    final DocumentPath path;
    final Operand value;

    UpdateAction(final Type type, final DocumentPath path, final Operand value)
    {
        this.type = type;
        this.path = path;
        this.value = value;
    }
}
