package io.ferrite.engine.expr;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.item.ItemFormat;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Recursive-descent parser and checker of DynamoDB's expression languages; it builds the compiled node
 * trees directly. Grammar (keywords case-insensitive, function names case-sensitive):
 * <pre>
 * condition  := or
 * or         := and ( OR and )*
 * and        := not ( AND not )*
 * not        := NOT not | primary
 * primary    := '(' or ')'
 *             | attribute_exists '(' path ')' | attribute_not_exists '(' path ')'
 *             | attribute_type '(' path ',' operand ')'
 *             | begins_with '(' operand ',' operand ')' | contains '(' operand ',' operand ')'
 *             | operand comparator operand
 *             | operand BETWEEN operand AND operand
 *             | operand IN '(' operand ( ',' operand )* ')'
 * comparator := '=' | '&lt;&gt;' | '&lt;' | '&lt;=' | '&gt;' | '&gt;='
 * operand    := path | :value | size '(' path ')' | '(' operand ')'
 * path       := name ( '.' name | '[' digits ']' )*          name := identifier | #placeholder
 * update     := ( SET set ( ',' set )* | REMOVE path ( ',' path )* | ADD path :value ( ',' path :value )*
 *               | DELETE path :value ( ',' path :value )* )+               each clause at most once
 * set        := path '=' value
 * value      := term ( ( '+' | '-' ) term )? | '(' value ')'   (a parenthesised term may be followed by + or -)
 * term       := path | :value | if_not_exists '(' path ',' term ')' | list_append '(' term ',' term ')'
 *             | '(' term ')'
 * projection := path ( ',' path )*
 * identifier := [A-Za-z][A-Za-z0-9_]*      #placeholder, :placeholder := [#:][A-Za-z0-9_]+
 * digits     := 0 | [1-9][0-9]*
 * </pre>
 * Parentheses directly around parentheses are refused, as DynamoDB refuses them ("redundant parentheses").
 * Precedence, as DynamoDB's: comparators, IN, BETWEEN and functions bind tighter than NOT, NOT tighter
 * than AND, AND tighter than OR. Nesting (parentheses and NOT) is bounded, so hostile input fails with a
 * ValidationException rather than a stack overflow.
 * <p>
 * Threading: one parser per compilation; allocates freely (compilation is not the hot path).
 */
final class Parser
{
    /** DynamoDB's longest expression, in bytes. */
    static final int MAX_EXPRESSION_BYTES = 4096;
    /** DynamoDB's longest expression attribute name or value placeholder ({@code #name}, {@code :value}), in bytes. */
    static final int MAX_PLACEHOLDER_BYTES = 255;
    /**
     * Most nested parentheses, NOTs and functions accepted, a guard of the parser's stack (300 levels overflow a 1 MB
     * thread stack). DynamoDB accepts deeper: {@code a < b OR (a < b OR (...))} 149 levels deep, a known difference.
     */
    static final int MAX_NESTING = 64;
    /**
     * Most operators and functions in one expression: DynamoDB documents 300 for an UpdateExpression ({@code +},
     * {@code -}, functions) and applies it to conditions and filters too (comparators, BETWEEN, IN, AND, OR, NOT,
     * functions).
     */
    static final int MAX_OPERATORS = 300;
    /**
     * DynamoDB's limit on "all substitution variables in an expression": the sum of the lengths of all
     * ExpressionAttributeNames and ExpressionAttributeValues, 2 MB.
     */
    static final int MAX_SUBSTITUTION_BYTES = 2 * 1024 * 1024;
    /** Most operands of IN, the value compared included. */
    static final int MAX_IN_OPERANDS = 100;

    private static final int IDENT = 1;
    private static final int NAME = 2;
    private static final int VALUE = 3;
    private static final int NUMBER = 4;
    private static final int SYMBOL = 5;
    private static final int EOF = 6;
    /** A character no rule accepts; the parser reports it as the syntax error's token. */
    private static final int UNKNOWN = 7;

    private final ExpressionKind kind;
    private final String text;
    private final Map<String, String> names;
    private final Map<String, AttributeValue> values;
    private final UnsafeBuffer constants;
    private final int constantsLength;
    private final Set<String> usedNames = new LinkedHashSet<>();
    private final Set<String> usedValues = new LinkedHashSet<>();
    private final List<Operand.Path> paths = new ArrayList<>();
    private final DecimalMath math;

    /** Nodes parsed inside parentheses, by identity: parentheses directly around them are redundant. */
    private final Set<Object> conditionGroups = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<Object> operandGroups = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<Object> setGroups = Collections.newSetFromMap(new IdentityHashMap<>());

    private final List<Integer> tokenTypes = new ArrayList<>();
    private final List<Integer> tokenStarts = new ArrayList<>();
    private final List<Integer> tokenEnds = new ArrayList<>();
    private int position;
    private int depth;
    private int operators;

    Parser(
        final ExpressionKind kind,
        final String text,
        final Map<String, String> names,
        final Map<String, AttributeValue> values,
        final DecimalMath math)
    {
        this.kind = kind;
        this.text = text;
        this.names = null == names ? Collections.emptyMap() : names;
        this.values = null == values ? Collections.emptyMap() : values;
        this.math = math;
        checkPlaceholders();
        final byte[] encoded = this.values.isEmpty() ? null : encodeValues(this.values);
        this.constants = new UnsafeBuffer(null == encoded ? new byte[ItemFormat.EMPTY_ITEM_LENGTH] : encoded);
        this.constantsLength = null == encoded ? ItemFormat.EMPTY_ITEM_LENGTH : encoded.length;
        checkSubstitutionSize();
        if (null == text || text.isBlank())
        {
            throw Errors.invalid(kind, "The expression can not be empty;");
        }
        final int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_EXPRESSION_BYTES)
        {
            // DynamoDB's words exactly, the size in bytes with no unit and no limit after it
            throw Errors.invalid(kind, "Expression size has exceeded the maximum allowed size; expression size: " +
                bytes);
        }
        tokenize();
    }

    Set<String> usedNames()
    {
        return usedNames;
    }

    Set<String> usedValues()
    {
        return usedValues;
    }

    /**
     * @return every path operand created, for {@link TopLevelAttributes}.
     */
    List<Operand.Path> paths()
    {
        return paths;
    }

    UnsafeBuffer constants()
    {
        return constants;
    }

    // ---------------------------------------------------------------------------------------------
    // Entry points
    // ---------------------------------------------------------------------------------------------

    Predicate parseCondition()
    {
        final Predicate predicate = parseOr();
        expectEnd();
        return predicate;
    }

    List<DocumentPath> parseProjection()
    {
        final List<DocumentPath> paths = new ArrayList<>();
        paths.add(parsePath());
        while (acceptSymbol(","))
        {
            paths.add(parsePath());
        }
        expectEnd();
        checkOverlaps(paths);
        return paths;
    }

    List<UpdateAction> parseUpdate()
    {
        final List<UpdateAction> actions = new ArrayList<>();
        final EnumSet<UpdateAction.Type> seen = EnumSet.noneOf(UpdateAction.Type.class);
        while (type() != EOF)
        {
            final UpdateAction.Type clause = clauseKeyword();
            if (null == clause)
            {
                throw syntaxError();
            }
            if (!seen.add(clause))
            {
                throw Errors.invalid(kind, "The \"" + clause + "\" section can only be used once in an update " +
                    "expression;");
            }
            position++;
            do
            {
                actions.add(parseAction(clause));
            }
            while (acceptSymbol(","));
        }
        if (actions.isEmpty())
        {
            throw Errors.invalid(kind, "The expression can not be empty;");
        }
        final List<DocumentPath> paths = new ArrayList<>();
        for (final UpdateAction action : actions)
        {
            paths.add(action.path);
        }
        checkOverlaps(paths);
        return actions;
    }

    private UpdateAction parseAction(final UpdateAction.Type clause)
    {
        final DocumentPath path = parsePath();
        switch (clause)
        {
            case SET:
            {
                expectSymbol("=");
                return new UpdateAction(clause, path, parseSetValue());
            }

            case REMOVE:
                return new UpdateAction(clause, path, null);

            default:
            {
                final Operand value = parseValueOperand();
                final byte type = value.constantType();
                if (UpdateAction.Type.ADD == clause && ItemFormat.TYPE_N != type && !Values.isSet(type))
                {
                    throw Errors.clauseOperandType(kind, "ADD", type);
                }
                if (UpdateAction.Type.DELETE == clause && !Values.isSet(type))
                {
                    throw Errors.clauseOperandType(kind, "DELETE", type);
                }
                return new UpdateAction(clause, path, value);
            }
        }
    }

    /**
     * A SET action's value: {@code term}, {@code term + term} or {@code term - term}, or such a value in parentheses
     * ({@code SET c = (c - :v)}), as DynamoDB accepts. A parenthesised operand may stand on either side of the
     * operator ({@code (a) + (b)}), but a parenthesised sum is not an operand ({@code (a + b) + c} is a syntax error,
     * as {@code a + b + c} is), and parentheses directly around parentheses are DynamoDB's "redundant parentheses".
     */
    private Operand parseSetValue()
    {
        if (isSymbol("("))
        {
            final Operand inner = parenthesised(this::parseSetValue, setGroups);
            if (!(inner instanceof Operand.Arithmetic) && (isSymbol("+") || isSymbol("-")))
            {
                return arithmetic(inner);
            }
            return inner;
        }
        final Operand left = parseTerm();
        return isSymbol("+") || isSymbol("-") ? arithmetic(left) : left;
    }

    /** {@code left + term} or {@code left - term}, with the operator at the current position. */
    private Operand arithmetic(final Operand left)
    {
        final boolean subtract = isSymbol("-");
        final String operator = subtract ? "-" : "+";
        position++;
        countOperator();
        final Operand right = parseTerm();
        checkArithmeticOperand(left, operator);
        checkArithmeticOperand(right, operator);
        return new Operand.Arithmetic(left, right, subtract, math);
    }

    private void checkArithmeticOperand(final Operand operand, final String operator)
    {
        // DynamoDB refuses a list_append result as an operand of + and -, as it refuses one inside list_append
        if (operand instanceof Operand.ListAppend)
        {
            throw functionMisused("list_append");
        }
        checkConstantType(operand, ItemFormat.TYPE_N, operator);
    }

    /** An operand of a SET value: a path, a :value, if_not_exists(...), list_append(...), or one in parentheses. */
    private Operand parseTerm()
    {
        if (isSymbol("("))
        {
            return parenthesised(this::parseTerm, setGroups);
        }
        if (type() == IDENT && isSymbolAt(position + 1, "("))
        {
            final String function = tokenText(position);
            position += 2;
            countOperator();
            enterNesting();
            final Operand result;
            switch (function)
            {
                case "if_not_exists":
                {
                    final List<Operand> arguments = arguments(function, 2, true);
                    if (!arguments.get(0).isPath())
                    {
                        throw requiresPath(function);
                    }
                    checkDistinct(function, arguments.get(0), arguments.get(1));
                    result = new Operand.IfNotExists(arguments.get(0), arguments.get(1));
                    break;
                }

                case "list_append":
                {
                    final List<Operand> arguments = arguments(function, 2, true);
                    for (final Operand argument : arguments)
                    {
                        // DynamoDB refuses list_append(list_append(:a, :b), :c) with these words
                        if (argument instanceof Operand.ListAppend)
                        {
                            throw functionMisused(function);
                        }
                        checkConstantType(argument, ItemFormat.TYPE_L, function);
                    }
                    result = new Operand.ListAppend(arguments.get(0), arguments.get(1));
                    break;
                }

                default:
                    throw functionNotAllowed(function);
            }
            depth--;
            return result;
        }
        return parseOperandStart();
    }

    /**
     * Parses {@code '(' inner ')'} from the current '(' and returns the inner node, refusing parentheses directly
     * around parentheses as DynamoDB does ("The expression has redundant parentheses;"). {@code groups} remembers
     * the nodes that were parenthesised.
     */
    private <T> T parenthesised(final java.util.function.Supplier<T> inner, final Set<Object> groups)
    {
        expectSymbol("(");
        enterNesting();
        final T node = inner.get();
        expectSymbol(")");
        depth--;
        if (!groups.add(node))
        {
            throw Errors.invalid(kind, "The expression has redundant parentheses;");
        }
        return node;
    }

    // ---------------------------------------------------------------------------------------------
    // Conditions
    // ---------------------------------------------------------------------------------------------

    private Predicate parseOr()
    {
        Predicate left = parseAnd();
        while (acceptKeyword("OR"))
        {
            countOperator();
            left = new Predicate.Or(left, parseAnd());
        }
        return left;
    }

    private Predicate parseAnd()
    {
        Predicate left = parseNot();
        while (acceptKeyword("AND"))
        {
            countOperator();
            left = new Predicate.And(left, parseNot());
        }
        return left;
    }

    private Predicate parseNot()
    {
        if (acceptKeyword("NOT"))
        {
            countOperator();
            enterNesting();
            final Predicate operand = parseNot();
            depth--;
            return new Predicate.Not(operand);
        }
        return parsePrimary();
    }

    private Predicate parsePrimary()
    {
        if (isSymbol("(") && !parenthesisedOperandAhead())
        {
            return parenthesised(this::parseOr, conditionGroups);
        }

        if (type() == IDENT && isSymbolAt(position + 1, "("))
        {
            final String function = tokenText(position);
            if (!"size".equals(function))
            {
                countOperator();
            }
            switch (function)
            {
                case "attribute_exists":
                case "attribute_not_exists":
                {
                    position += 2;
                    final Operand path = requirePath(function, arguments(function, 1, false).get(0));
                    return notCompared(function, new Predicate.Exists(path, "attribute_exists".equals(function)));
                }

                case "attribute_type":
                {
                    position += 2;
                    final List<Operand> arguments = arguments(function, 2, false);
                    final Operand path = requirePath(function, arguments.get(0));
                    checkDistinct(function, path, arguments.get(1));
                    return notCompared(function, new Predicate.Type(path, attributeType(arguments.get(1))));
                }

                case "begins_with":
                case "contains":
                {
                    position += 2;
                    final List<Operand> arguments = arguments(function, 2, false);
                    final Operand first = arguments.get(0);
                    final Operand second = arguments.get(1);
                    checkDistinct(function, first, second);
                    final boolean beginsWith = "begins_with".equals(function);
                    if (beginsWith)
                    {
                        checkBeginsWithOperand(first, function);
                        checkBeginsWithOperand(second, function);
                    }
                    return notCompared(function, new Predicate.Function(first, second, beginsWith));
                }

                case "size":
                    break;

                default:
                    throw functionNotAllowed(function);
            }
        }

        final Operand left = parseOperand();
        if (acceptKeyword("BETWEEN"))
        {
            countOperator();
            final Operand low = parseOperand();
            if (!acceptKeyword("AND"))
            {
                throw syntaxError();
            }
            final Operand high = parseOperand();
            checkDistinct("BETWEEN", left, low, high);
            checkBetween(left, low, high);
            return new Predicate.Between(left, low, high);
        }
        if (acceptKeyword("IN"))
        {
            countOperator();
            expectSymbol("(");
            final List<Operand> candidates = new ArrayList<>();
            do
            {
                candidates.add(parseOperand());
                // the value compared is one of IN's operands too: DynamoDB accepts 99 candidates, not 100
                if (1 + candidates.size() > MAX_IN_OPERANDS)
                {
                    throw Errors.invalid(kind, "The IN operator is provided with too many operands; number of " +
                        "operands: " + (1 + candidates.size()) + ", limit: " + MAX_IN_OPERANDS);
                }
            }
            while (acceptSymbol(","));
            expectSymbol(")");
            final Operand[] operands = candidates.toArray(new Operand[0]);
            checkDistinct("IN", left, operands);
            return new Predicate.In(left, operands);
        }

        final Predicate.Comparator comparator = comparator();
        if (null == comparator)
        {
            if (left instanceof Operand.Size)
            {
                // size() is a number, not a condition
                throw functionNotAllowed("size");
            }
            throw syntaxError();
        }
        position++;
        countOperator();
        final Operand right = parseOperand();
        checkDistinct(comparator.symbol, left, right);
        if (Predicate.Comparator.EQ != comparator && Predicate.Comparator.NE != comparator)
        {
            checkOrderable(left, comparator.symbol);
            checkOrderable(right, comparator.symbol);
        }
        return new Predicate.Compare(comparator, left, right);
    }

    /** A boolean function is a whole condition: comparing it, as if it were a value, is refused as DynamoDB does. */
    private Predicate notCompared(final String function, final Predicate predicate)
    {
        if (null != comparator() || (IDENT == type() &&
            ("BETWEEN".equalsIgnoreCase(tokenText(position)) || "IN".equalsIgnoreCase(tokenText(position)))))
        {
            throw functionNotAllowed(function);
        }
        return predicate;
    }

    /**
     * A condition operand: a path, a :value or size(path), each possibly in parentheses ({@code (a) = :v},
     * {@code (a) BETWEEN (:lo) AND (:hi)}), as DynamoDB accepts; parentheses directly around parentheses are
     * refused as redundant.
     */
    /**
     * At a '(' where a condition starts: true when the parentheses hold an operand rather than a condition, which
     * DynamoDB tells by what follows the matching ')': a comparator, BETWEEN or IN.
     */
    private boolean parenthesisedOperandAhead()
    {
        int open = 0;
        for (int i = position; i < tokenTypes.size(); i++)
        {
            if (isSymbolAt(i, "("))
            {
                open++;
            }
            else if (isSymbolAt(i, ")") && 0 == --open)
            {
                final int next = i + 1;
                if (next >= tokenTypes.size() || EOF == tokenTypes.get(next))
                {
                    return false;
                }
                if (SYMBOL == tokenTypes.get(next))
                {
                    return null != comparatorAt(next);
                }
                final String word = tokenText(next);
                return IDENT == tokenTypes.get(next) &&
                    ("BETWEEN".equalsIgnoreCase(word) || "IN".equalsIgnoreCase(word));
            }
        }
        return false;
    }

    private Operand parseOperand()
    {
        if (isSymbol("("))
        {
            return parenthesised(this::parseOperand, operandGroups);
        }
        if (type() == IDENT && isSymbolAt(position + 1, "("))
        {
            final String function = tokenText(position);
            if (!"size".equals(function))
            {
                throw functionNotAllowed(function);
            }
            position += 2;
            countOperator();
            enterNesting();
            final Operand argument = arguments(function, 1, false).get(0);
            depth--;
            final byte type = argument.constantType();
            if (!argument.isPath() && (0 == type || Values.size(constants, ((Operand.Constant)argument).offset) < 0))
            {
                throw Errors.operandType(kind, "size", 0 == type ? ItemFormat.TYPE_N : type);
            }
            return new Operand.Size(argument);
        }
        return parseOperandStart();
    }

    /**
     * Parses a function's arguments, from after its '(' to its ')', then checks their number: DynamoDB reads any
     * argument list and names the function and the count it got, rather than reporting a syntax error.
     *
     * @param terms true for UpdateExpression terms (which may be functions), false for condition operands.
     */
    private List<Operand> arguments(final String function, final int expected, final boolean terms)
    {
        final List<Operand> arguments = new ArrayList<>(expected);
        do
        {
            arguments.add(terms ? parseTerm() : parseOperand());
        }
        while (acceptSymbol(","));
        expectSymbol(")");
        if (arguments.size() != expected)
        {
            throw Errors.invalid(kind, "Incorrect number of operands for operator or function; operator or function: " +
                function + ", number of operands: " + arguments.size());
        }
        return arguments;
    }

    private Operand requirePath(final String function, final Operand operand)
    {
        if (!operand.isPath())
        {
            throw requiresPath(function);
        }
        return operand;
    }

    private Operand parseOperandStart()
    {
        if (type() == VALUE)
        {
            return parseValueOperand();
        }
        if (type() == IDENT || type() == NAME)
        {
            final Operand.Path path = new Operand.Path(parsePath());
            paths.add(path);
            return path;
        }
        throw syntaxError();
    }

    private Operand parseValueOperand()
    {
        if (type() != VALUE)
        {
            throw syntaxError();
        }
        final String placeholder = tokenText(position);
        position++;
        final int offset = ItemFormat.findAttribute(constants, 0, constantsLength,
            placeholder.getBytes(StandardCharsets.UTF_8));
        if (offset < 0)
        {
            throw Errors.invalid(kind, "An expression attribute value used in expression is not defined; " +
                "attribute value: " + placeholder);
        }
        usedValues.add(placeholder);
        return new Operand.Constant(placeholder, constants, offset);
    }

    DocumentPath parsePath()
    {
        final List<String> segmentNames = new ArrayList<>();
        final List<Integer> segmentIndexes = new ArrayList<>();
        segmentNames.add(pathName());
        segmentIndexes.add(-1);
        while (true)
        {
            if (acceptSymbol("."))
            {
                segmentNames.add(pathName());
                segmentIndexes.add(-1);
            }
            else if (acceptSymbol("["))
            {
                if (type() != NUMBER)
                {
                    throw syntaxError();
                }
                final String digits = tokenText(position);
                final long index = digits.length() > 10 ? Long.MAX_VALUE : Long.parseLong(digits);
                if (index > Integer.MAX_VALUE)
                {
                    throw Errors.invalid(kind, "List index is not within the allowable range; index: " + digits);
                }
                position++;
                expectSymbol("]");
                segmentNames.add(null);
                segmentIndexes.add((int)index);
            }
            else
            {
                break;
            }
            if (segmentNames.size() > DocumentPath.MAX_DEPTH)
            {
                throw Errors.invalid(kind, "The document path has too many nesting levels; nesting levels: " +
                    segmentNames.size());
            }
        }
        return new DocumentPath(segmentNames, segmentIndexes);
    }

    private String pathName()
    {
        final int tokenType = type();
        final String token = tokenText(position);
        if (tokenType == NAME)
        {
            final String name = names.get(token);
            if (null == name)
            {
                throw Errors.invalid(kind, "An expression attribute name used in the document path is not defined; " +
                    "attribute name: " + token);
            }
            usedNames.add(token);
            position++;
            return name;
        }
        if (tokenType == IDENT)
        {
            if (ReservedWords.isReserved(token))
            {
                throw Errors.invalid(kind, "Attribute name is a reserved keyword; reserved keyword: " + token);
            }
            position++;
            return token;
        }
        throw syntaxError();
    }

    // ---------------------------------------------------------------------------------------------
    // Static checks
    // ---------------------------------------------------------------------------------------------

    private void checkPlaceholders()
    {
        for (final Map.Entry<String, String> entry : names.entrySet())
        {
            if (!isPlaceholder(entry.getKey(), '#'))
            {
                throw FerriteException.validation("ExpressionAttributeNames contains invalid key: Syntax error; key: \"" +
                    entry.getKey() + "\"");
            }
            checkPlaceholderLength("ExpressionAttributeNames", entry.getKey());
            if (null == entry.getValue() || entry.getValue().isEmpty())
            {
                throw FerriteException.validation("ExpressionAttributeNames contains invalid value: Empty attribute " +
                    "name; for key: " + entry.getKey());
            }
        }
        for (final Map.Entry<String, AttributeValue> entry : values.entrySet())
        {
            if (!isPlaceholder(entry.getKey(), ':'))
            {
                throw FerriteException.validation("ExpressionAttributeValues contains invalid key: Syntax error; " +
                    "key: \"" + entry.getKey() + "\"");
            }
            checkPlaceholderLength("ExpressionAttributeValues", entry.getKey());
            if (null == entry.getValue())
            {
                throw FerriteException.validation("ExpressionAttributeValues contains invalid value: Supplied " +
                    "AttributeValue is empty, must contain exactly one of the supported datatypes for key " +
                    entry.getKey());
            }
        }
    }

    /**
     * Sums the request's substitution variables as DynamoDB's limit reads: each name's placeholder and attribute name
     * (UTF-8 bytes), each value's placeholder and value (its encoded bytes, about its DynamoDB size), and refuses
     * more than {@link #MAX_SUBSTITUTION_BYTES}.
     */
    private void checkSubstitutionSize()
    {
        long total = 0;
        for (final Map.Entry<String, String> entry : names.entrySet())
        {
            total += entry.getKey().length() + utf8Length(entry.getValue());
        }
        final int count = values.isEmpty() ? 0 : ItemFormat.attributeCount(constants, 0);
        int entry = ItemFormat.firstEntry(0);
        for (int i = 0; i < count; i++)
        {
            final int nameLength = ItemFormat.nameLength(constants, entry);
            final int valueOffset = ItemFormat.nameOffset(entry) + nameLength;
            final int valueLength = ItemFormat.valueLength(constants, valueOffset);
            total += nameLength + valueLength;
            entry = valueOffset + valueLength;
        }
        if (total > MAX_SUBSTITUTION_BYTES)
        {
            throw FerriteException.validation("ExpressionAttributeNames and ExpressionAttributeValues have exceeded " +
                "the maximum allowed size of all substitution variables in an expression; size: " + total +
                " bytes, limit: " + MAX_SUBSTITUTION_BYTES + " bytes");
        }
    }

    private static int utf8Length(final String text)
    {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    private static void checkPlaceholderLength(final String parameter, final String key)
    {
        // placeholders are ASCII word characters (isPlaceholder), so characters are bytes
        if (key.length() > MAX_PLACEHOLDER_BYTES)
        {
            throw FerriteException.validation(parameter + " contains invalid key: The key is longer than " +
                MAX_PLACEHOLDER_BYTES + " bytes; key: \"" + key + "\"");
        }
    }

    private static boolean isPlaceholder(final String key, final char prefix)
    {
        if (null == key || key.length() < 2 || key.charAt(0) != prefix)
        {
            return false;
        }
        for (int i = 1; i < key.length(); i++)
        {
            if (!isWordChar(key.charAt(i)))
            {
                return false;
            }
        }
        return true;
    }

    private static byte[] encodeValues(final Map<String, AttributeValue> values)
    {
        try
        {
            return ItemCodec.encode(new TreeMap<>(values));
        }
        catch (final FerriteException ex)
        {
            // DynamoDB names the value's key: "ExpressionAttributeValues contains invalid value: <why> for key :v"
            for (final Map.Entry<String, AttributeValue> entry : new TreeMap<>(values).entrySet())
            {
                try
                {
                    ItemCodec.encode(Map.of(entry.getKey(), entry.getValue()));
                }
                catch (final FerriteException invalid)
                {
                    if (ItemFormat.NESTING_TOO_DEEP.equals(invalid.getMessage()))
                    {
                        throw invalid; // DynamoDB words a value nested too deep as an item, naming no key
                    }
                    throw FerriteException.validation("ExpressionAttributeValues contains invalid value: " +
                        invalid.getMessage() + " for key " + entry.getKey());
                }
            }
            throw FerriteException.validation("ExpressionAttributeValues contains invalid value: " + ex.getMessage());
        }
    }

    private void checkConstantType(final Operand operand, final byte required, final String operator)
    {
        final byte type = operand.constantType();
        if (0 != type && type != required)
        {
            throw Errors.operandType(kind, operator, type);
        }
    }

    private void checkOrderable(final Operand operand, final String operator)
    {
        final byte type = operand.constantType();
        if (0 != type && !Values.isOrderable(type))
        {
            throw Errors.operandType(kind, operator, type);
        }
    }

    /**
     * @return the type an operand has whatever the item: a :value's own type, N for size(), else 0 (a path).
     */
    private static byte staticType(final Operand operand)
    {
        return operand instanceof Operand.Size ? ItemFormat.TYPE_N : operand.constantType();
    }

    private void checkBeginsWithOperand(final Operand operand, final String function)
    {
        final byte type = staticType(operand);
        if (0 != type && ItemFormat.TYPE_S != type && ItemFormat.TYPE_B != type)
        {
            throw Errors.operandType(kind, function, type);
        }
    }

    private void checkBetween(final Operand value, final Operand low, final Operand high)
    {
        checkOrderable(value, "BETWEEN");
        checkOrderable(low, "BETWEEN");
        checkOrderable(high, "BETWEEN");
        final byte lowType = low.constantType();
        final byte highType = high.constantType();
        if (0 != lowType && 0 != highType)
        {
            final Operand.Constant lo = (Operand.Constant)low;
            final Operand.Constant hi = (Operand.Constant)high;
            if (lowType != highType)
            {
                throw Errors.invalid(kind, "The BETWEEN operator requires same data type for lower and upper bounds; " +
                    "lower bound operand: AttributeValue: " + describeConstant(lo) + ", upper bound operand: " +
                    "AttributeValue: " + describeConstant(hi));
            }
            if (Values.compare(constants, lo.offset, constants, hi.offset) > 0)
            {
                throw Errors.invalid(kind, "The BETWEEN operator requires upper bound to be greater than or equal to " +
                    "lower bound; lower bound operand: AttributeValue: " + describeConstant(lo) + ", upper bound " +
                    "operand: AttributeValue: " + describeConstant(hi));
            }
        }
    }

    /**
     * A BETWEEN bound as DynamoDB prints it: {@code {N:5}}, {@code {S:a}} (the bare value, not DynamoDB JSON);
     * binary as base64.
     */
    private String describeConstant(final Operand.Constant constant)
    {
        final AttributeValue value = values.get(constant.placeholder);
        final byte type = constant.constantType();
        final String text = ItemFormat.TYPE_S == type ? value.asString() : ItemFormat.TYPE_N == type ?
            value.asNumber() : java.util.Base64.getEncoder().encodeToString(value.asBytes());
        return "{" + ItemFormat.typeName(type) + ":" + text + "}";
    }

    private byte attributeType(final Operand operand)
    {
        final byte type = staticType(operand);
        if (0 == type)
        {
            // a path could hold any type: DynamoDB names them all
            throw Errors.invalid(kind, "Incorrect operand type for operator or function; operator or function: " +
                "attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
        }
        if (ItemFormat.TYPE_S != type)
        {
            throw Errors.operandType(kind, "attribute_type", type);
        }
        final String name = values.get(((Operand.Constant)operand).placeholder).asString();
        for (byte tag = ItemFormat.TYPE_S; tag <= ItemFormat.TYPE_BS; tag++)
        {
            if (ItemFormat.typeName(tag).equals(name))
            {
                return tag;
            }
        }
        throw Errors.invalid(kind, "Invalid attribute type name found; type: " + name +
            ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
    }

    private void checkOverlaps(final List<DocumentPath> paths)
    {
        for (int i = 0; i < paths.size(); i++)
        {
            for (int j = i + 1; j < paths.size(); j++)
            {
                final DocumentPath a = paths.get(i);
                final DocumentPath b = paths.get(j);
                if (a.overlaps(b))
                {
                    throw Errors.invalid(kind, "Two document paths overlap with each other; must remove or rewrite " +
                        "one of these paths; path one: " + a.describe() + ", path two: " + b.describe());
                }
                if (a.conflicts(b))
                {
                    throw Errors.invalid(kind, "Two document paths conflict with each other; must remove or rewrite " +
                        "one of these paths; path one: " + a.describe() + ", path two: " + b.describe());
                }
            }
        }
    }

    private FerriteException functionNotAllowed(final String function)
    {
        switch (function)
        {
            case "attribute_exists":
            case "attribute_not_exists":
            case "attribute_type":
            case "begins_with":
            case "contains":
            case "size":
                if (ExpressionKind.UPDATE == kind)
                {
                    return Errors.invalid(kind, "The function is not allowed in an update expression; function: " +
                        function);
                }
                return functionMisused(function);
            case "if_not_exists":
            case "list_append":
                // only a condition reaches here: an update parses these as SET terms
                return Errors.invalid(kind, "The function is not allowed in a condition expression; function: " +
                    function);
            default:
                return Errors.invalid(kind, "Invalid function name; function: " + function);
        }
    }

    /**
     * DynamoDB's rule that an operator or function does not compare a document path with itself ({@code a = a},
     * {@code contains(#a, a)}, {@code a IN (b, a)}, {@code if_not_exists(a, a)}).
     */
    private void checkDistinct(final String operator, final Operand first, final Operand... rest)
    {
        if (!first.isPath())
        {
            return;
        }
        final DocumentPath path = ((Operand.Path)first).path;
        for (final Operand other : rest)
        {
            if (other.isPath() && path.sameAs(((Operand.Path)other).path))
            {
                throw Errors.invalid(kind, "The first operand must be distinct from the remaining operands for this " +
                    "operator or function; operator: " + operator + ", first operand: " + path.describe());
            }
        }
    }

    private FerriteException functionMisused(final String function)
    {
        return Errors.invalid(kind, "The function is not allowed to be used this way in an expression; function: " +
            function);
    }

    private FerriteException requiresPath(final String function)
    {
        return Errors.invalid(kind, "Operator or function requires a document path; operator or function: " + function);
    }

    /**
     * Counts one operator or function, refusing the 301st as DynamoDB does: its count stops there, so the message
     * says 301 however many follow.
     */
    private void countOperator()
    {
        if (++operators > MAX_OPERATORS)
        {
            throw Errors.invalid(kind, "The expression contains too many operators; operator count: " + operators);
        }
    }

    private void enterNesting()
    {
        if (++depth > MAX_NESTING)
        {
            throw Errors.invalid(kind, "The expression has too many levels of nesting; limit: " + MAX_NESTING);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Tokens
    // ---------------------------------------------------------------------------------------------

    /**
     * Splits the text into tokens as DynamoDB's lexer does: a name starts with an ASCII letter (so {@code _a} is the
     * token {@code _} followed by {@code a}), placeholders are {@code #} or {@code :} followed by word characters, a
     * number (only a list index takes one) is {@code 0} or starts with a non-zero digit ({@code 01} is two tokens),
     * and any character DynamoDB does not know ({@code _}, {@code -} in a projection, {@code $}, {@code ü}, a lone
     * {@code #}) is a token of its own that no rule accepts, so the parser reports it as DynamoDB does: {@code Syntax
     * error; token: "_", near: "SET _version"}.
     */
    private void tokenize()
    {
        int i = 0;
        final int length = text.length();
        while (i < length)
        {
            final char c = text.charAt(i);
            if (Character.isWhitespace(c))
            {
                i++;
                continue;
            }
            final int start = i;
            final int tokenType;
            if (('#' == c || ':' == c) && i + 1 < length && isWordChar(text.charAt(i + 1)))
            {
                i++;
                while (i < length && isWordChar(text.charAt(i)))
                {
                    i++;
                }
                tokenType = '#' == c ? NAME : VALUE;
            }
            else if (isLetter(c))
            {
                while (i < length && isWordChar(text.charAt(i)))
                {
                    i++;
                }
                tokenType = IDENT;
            }
            else if (c >= '0' && c <= '9')
            {
                // DynamoDB's INDEX token is '0' | [1-9][0-9]*: a leading zero is a token of its own ("01" is 0, 1)
                i++;
                while ('0' != c && i < length && text.charAt(i) >= '0' && text.charAt(i) <= '9')
                {
                    i++;
                }
                tokenType = NUMBER;
            }
            else if (('<' == c || '>' == c) && i + 1 < length && '=' == text.charAt(i + 1))
            {
                i += 2;
                tokenType = SYMBOL;
            }
            else if ('<' == c && i + 1 < length && '>' == text.charAt(i + 1))
            {
                i += 2;
                tokenType = SYMBOL;
            }
            else if ("()[],.=<>+-".indexOf(c) >= 0)
            {
                i++;
                tokenType = SYMBOL;
            }
            else
            {
                i += Character.charCount(text.codePointAt(i));
                tokenType = UNKNOWN;
            }
            tokenTypes.add(tokenType);
            tokenStarts.add(start);
            tokenEnds.add(i);
        }
        tokenTypes.add(EOF);
        tokenStarts.add(length);
        tokenEnds.add(length);
    }

    private static boolean isLetter(final char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isWordChar(final char c)
    {
        return isLetter(c) || (c >= '0' && c <= '9') || '_' == c;
    }

    private int type()
    {
        return tokenTypes.get(position);
    }

    private String tokenText(final int index)
    {
        return text.substring(tokenStarts.get(index), tokenEnds.get(index));
    }

    private boolean isSymbol(final String symbol)
    {
        return isSymbolAt(position, symbol);
    }

    private boolean isSymbolAt(final int index, final String symbol)
    {
        return index < tokenTypes.size() && SYMBOL == tokenTypes.get(index) && symbol.equals(tokenText(index));
    }

    private boolean acceptSymbol(final String symbol)
    {
        if (isSymbol(symbol))
        {
            position++;
            return true;
        }
        return false;
    }

    private void expectSymbol(final String symbol)
    {
        if (!acceptSymbol(symbol))
        {
            throw syntaxError();
        }
    }

    private boolean acceptKeyword(final String keyword)
    {
        if (IDENT == type() && keyword.equalsIgnoreCase(tokenText(position)))
        {
            position++;
            return true;
        }
        return false;
    }

    private UpdateAction.Type clauseKeyword()
    {
        if (IDENT != type())
        {
            return null;
        }
        switch (tokenText(position).toUpperCase(Locale.ROOT))
        {
            case "SET":
                return UpdateAction.Type.SET;
            case "REMOVE":
                return UpdateAction.Type.REMOVE;
            case "ADD":
                return UpdateAction.Type.ADD;
            case "DELETE":
                return UpdateAction.Type.DELETE;
            default:
                return null;
        }
    }

    private Predicate.Comparator comparator()
    {
        return comparatorAt(position);
    }

    private Predicate.Comparator comparatorAt(final int index)
    {
        if (SYMBOL != tokenTypes.get(index))
        {
            return null;
        }
        switch (tokenText(index))
        {
            case "=":
                return Predicate.Comparator.EQ;
            case "<>":
                return Predicate.Comparator.NE;
            case "<":
                return Predicate.Comparator.LT;
            case "<=":
                return Predicate.Comparator.LE;
            case ">":
                return Predicate.Comparator.GT;
            case ">=":
                return Predicate.Comparator.GE;
            default:
                return null;
        }
    }

    private void expectEnd()
    {
        if (EOF != type())
        {
            throw syntaxError();
        }
    }

    /**
     * DynamoDB's syntax error names the unexpected token and quotes the text "near" it: from the token before it to
     * the token after it ({@code token: "Mystr2", near: "myNum Mystr2 myNum2"}), or to the token before the end when
     * the expression ended too soon ({@code token: "<EOF>", near: ","}).
     */
    private FerriteException syntaxError()
    {
        final boolean end = EOF == type();
        final String token = end ? "<EOF>" : tokenText(position);
        final int from = position > 0 ? tokenStarts.get(position - 1) : tokenStarts.get(position);
        final int to;
        if (end)
        {
            to = position > 0 ? tokenEnds.get(position - 1) : text.length();
        }
        else
        {
            to = EOF == tokenTypes.get(position + 1) ? tokenEnds.get(position) : tokenEnds.get(position + 1);
        }
        return Errors.syntax(kind, token, near(from, to));
    }

    private String near(final int from, final int to)
    {
        return text.substring(from, Math.min(to, text.length()));
    }
}
