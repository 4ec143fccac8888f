package io.ferrite.engine.expr;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.ItemFormat;

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
            ", operand type: " + ItemFormat.typeName(type));
    }

    /**
     * ADD's and DELETE's own wording (DynamoDB's): "operator:" rather than "operator or function:", and the operand's
     * type spelt out (STRING, NUMBER, ...). Sets never reach here: both clauses take them.
     */
    static FerriteException clauseOperandType(final ExpressionKind kind, final String clause, final byte type)
    {
        return invalid(kind, "Incorrect operand type for operator or function; operator: " + clause +
            ", operand type: " + typeWord(type));
    }

    private static String typeWord(final byte type)
    {
        switch (type)
        {
            case ItemFormat.TYPE_S:
                return "STRING";
            case ItemFormat.TYPE_N:
                return "NUMBER";
            case ItemFormat.TYPE_B:
                return "BINARY";
            case ItemFormat.TYPE_BOOL:
                return "BOOLEAN";
            case ItemFormat.TYPE_NULL:
                return "NULL";
            case ItemFormat.TYPE_L:
                return "LIST";
            case ItemFormat.TYPE_M:
                return "MAP";
            default:
                return ItemFormat.typeName(type);
        }
    }

    /**
     * DynamoDB's words, exactly, for an update operand of the wrong type found in the item (ADD of a number to a set,
     * + on a string, ...); DynamoDB names neither the operator nor the type here.
     */
    static FerriteException incorrectDataType()
    {
        return FerriteException.validation("An operand in the update expression has an incorrect data type");
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
