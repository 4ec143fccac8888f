package io.ferrite.engine.expr;

import io.ferrite.codecs.error.FerriteException;

/**
 * DynamoDB's expression error messages in one place, so that every rule speaks with DynamoDB's words.
 * Error path only: allocates.
 */
final class Errors
{
    private Errors()
    {
    }

    static FerriteException invalid(final ExpressionKind kind, final String detail)
    {
        return FerriteException.validation("Invalid " + kind.parameterName() + ": " + detail);
    }

    static FerriteException syntax(final ExpressionKind kind, final String token, final String near)
    {
        return invalid(kind, "Syntax error; token: \"" + token + "\", near: \"" + near + "\"");
    }

    static FerriteException operandType(final ExpressionKind kind, final String operator, final byte type)
    {
        return invalid(kind, "Incorrect operand type for operator or function; operator or function: " + operator +
            ", operand type: " + io.ferrite.codecs.item.ItemFormat.typeName(type));
    }

    static FerriteException operandTypeRuntime(final String operator, final byte type)
    {
        return FerriteException.validation("An operand in the update expression has an incorrect data type " +
            "(operator or function: " + operator + ", operand type: " +
            io.ferrite.codecs.item.ItemFormat.typeName(type) + ")");
    }

    static FerriteException missingOperand()
    {
        return FerriteException.validation(
            "The provided expression refers to an attribute that does not exist in the item");
    }

    static FerriteException invalidUpdatePath()
    {
        return FerriteException.validation("The document path provided in the update expression is invalid for update");
    }
}
