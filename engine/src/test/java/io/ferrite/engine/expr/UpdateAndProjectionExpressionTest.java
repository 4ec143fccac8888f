package io.ferrite.engine.expr;

import io.ferrite.codecs.item.AttributeValue;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.ferrite.codecs.item.AttributeValue.l;
import static io.ferrite.codecs.item.AttributeValue.m;
import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static io.ferrite.engine.expr.ExprFixture.validation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Every UpdateExpression action (SET with + - list_append if_not_exists, REMOVE, ADD, DELETE) over nested
 * maps, lists and sets, numbers at the precision limits, the update rules and their errors, and
 * ProjectionExpression over nested paths.
 */
class UpdateAndProjectionExpressionTest
{
    private final ExprFixture fx = new ExprFixture();

    private static Map<String, AttributeValue> item(final Object... pairs)
    {
        final Map<String, AttributeValue> map = new java.util.TreeMap<>();
        for (int i = 0; i < pairs.length; i += 2)
        {
            map.put((String)pairs[i], (AttributeValue)pairs[i + 1]);
        }
        return map;
    }

    @Test
    void setReplacesCreatesAndComputes()
    {
        final Map<String, AttributeValue> old = item("pk", s("k"), "a", n(1), "b", n(10));
        assertEquals(item("pk", s("k"), "a", n(11), "b", n(10), "c", s("x")),
            fx.update("SET a = a + b, c = :x", Map.of(":x", s("x")), old));
        assertEquals(item("pk", s("k"), "a", n(-9), "b", n(10)), fx.update("SET a = a - b", null, old));
        assertEquals(item("pk", s("k"), "a", n(1), "b", n(1)), fx.update("SET b = a", null, old));
        // every action reads the old item: the swap is simultaneous
        assertEquals(item("pk", s("k"), "a", n(10), "b", n(1)), fx.update("SET a = b, b = a", null, old));
        assertEquals(item("pk", s("k"), "a", n(1), "b", n(10), "c", n(5)),
            fx.update("SET c = if_not_exists(c, :five)", Map.of(":five", n(5)), old));
        assertEquals(old, fx.update("SET a = if_not_exists(a, :five)", Map.of(":five", n(5)), old));
        assertEquals(item("pk", s("k"), "a", n(6), "b", n(10)),
            fx.update("SET a = if_not_exists(a, :z) + :five", Map.of(":five", n(5), ":z", n(0)), old));
    }

    @Test
    void listAppendAndListIndexes()
    {
        final Map<String, AttributeValue> old = item("pk", s("k"), "l", l(List.of(n(1), n(2))));
        assertEquals(item("pk", s("k"), "l", l(List.of(n(1), n(2), s("x")))),
            fx.update("SET l = list_append(l, :x)", Map.of(":x", l(List.of(s("x")))), old));
        assertEquals(item("pk", s("k"), "l", l(List.of(s("x"), n(1), n(2)))),
            fx.update("SET l = list_append(:x, l)", Map.of(":x", l(List.of(s("x")))), old));
        assertEquals(item("pk", s("k"), "l", l(List.of(n(1), s("y")))),
            fx.update("SET l[1] = :y", Map.of(":y", s("y")), old));
        // an index past the end appends
        assertEquals(item("pk", s("k"), "l", l(List.of(n(1), n(2), s("y")))),
            fx.update("SET l[7] = :y", Map.of(":y", s("y")), old));
        assertEquals(item("pk", s("k"), "l", l(List.of(n(2)))), fx.update("REMOVE l[0]", null, old));
        assertEquals(item("pk", s("k"), "l", l(List.of())), fx.update("REMOVE l[0], l[1]", null, old));
        assertEquals(item("pk", s("k"), "l", l(List.of(n(1), n(2)))), fx.update("REMOVE l[5]", null, old));
        assertEquals(item("pk", s("k"), "l", l(List.of(n(1), n(2))), "m", l(List.of(n(9)))),
            fx.update("SET m = list_append(if_not_exists(m, :empty), :v)",
                Map.of(":empty", l(List.of()), ":v", l(List.of(n(9)))), old));
    }

    @Test
    void nestedMapsAreUpdatedInPlace()
    {
        final Map<String, AttributeValue> old = item("pk", s("k"),
            "doc", m(Map.of("x", n(1), "child", m(Map.of("y", s("a"), "z", s("b"))))),
            "arr", l(List.of(m(Map.of("c", n(1))))));
        assertEquals(item("pk", s("k"),
                "doc", m(Map.of("x", n(2), "child", m(Map.of("z", s("b"), "w", n(0))))),
                "arr", l(List.of(m(Map.of("c", n(3)))))),
            fx.update("SET doc.x = doc.x + :one, doc.child.w = :zero, arr[0].c = :three REMOVE doc.child.y",
                Map.of(":one", n(1), ":zero", n(0), ":three", n(3)), old));
        validation(() -> fx.update("SET nope.x = :v", Map.of(":v", n(1)), old),
            "The document path provided in the update expression is invalid for update");
        validation(() -> fx.update("SET doc.x.y = :v", Map.of(":v", n(1)), old),
            "The document path provided in the update expression is invalid for update");
        // REMOVE of a missing leaf is nothing to do, but its parent must exist
        assertEquals(old, fx.update("REMOVE doc.nope, arr[5], nope", null, old));
    }

    @Test
    void removeAndDeleteBelowAMissingOrScalarParentAreInvalidPaths()
    {
        // DynamoDB refuses every action whose parent is missing or not a container of the right kind, REMOVE and
        // DELETE included; only a missing item makes a removal a no-op
        final Map<String, AttributeValue> old = item("pk", s("k"), "a", s("hello"), "b", l(List.of(s("hi"))),
            "m", m(Map.of("x", n(1))));
        for (final String text : List.of("REMOVE a.c", "REMOVE b.c", "REMOVE c.c", "REMOVE a[0]", "REMOVE c[0]",
            "REMOVE m[0]", "REMOVE m.x.y"))
        {
            validation(() -> fx.update(text, null, old),
                "The document path provided in the update expression is invalid for update");
        }
        validation(() -> fx.update("DELETE c.d :s", Map.of(":s", AttributeValue.ss(List.of("x"))), old),
            "The document path provided in the update expression is invalid for update");
        validation(() -> fx.update("DELETE a[1] :s", Map.of(":s", AttributeValue.ss(List.of("x"))), old),
            "The document path provided in the update expression is invalid for update");
        assertNull(fx.update("REMOVE x.y, z[0]", null, null, Map.of("pk", s("k")), null));
    }

    @Test
    void addAndDeleteOnNumbersAndSets()
    {
        final Map<String, AttributeValue> old = item("pk", s("k"), "n", n(5),
            "ss", AttributeValue.ss(List.of("a", "b")), "ns", AttributeValue.ns(List.of("1", "2")));
        assertEquals(n("4.5"), fx.update("ADD n :v", Map.of(":v", n("-0.5")), old).get("n"));
        assertEquals(n(3), fx.update("ADD fresh :v", Map.of(":v", n(3)), old).get("fresh"));
        assertEquals(AttributeValue.ss(List.of("a", "b", "c")),
            fx.update("ADD ss :v", Map.of(":v", AttributeValue.ss(List.of("b", "c"))), old).get("ss"));
        assertEquals(AttributeValue.ns(List.of("2")),
            fx.update("DELETE ns :v", Map.of(":v", AttributeValue.ns(List.of("1", "7"))), old).get("ns"));
        // deleting every element removes the attribute
        assertNull(fx.update("DELETE ss :v", Map.of(":v", AttributeValue.ss(List.of("a", "b"))), old).get("ss"));
        assertEquals(old, fx.update("DELETE nothing :v", Map.of(":v", AttributeValue.ss(List.of("a"))), old));

        // ADD and DELETE name their operand's type in words, and say "operator:", as DynamoDB does
        validation(() -> fx.update("ADD ss :v", Map.of(":v", s("x")), old),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, " +
            "operand type: STRING");
        validation(() -> fx.update("DELETE ss :v", Map.of(":v", n(1)), old),
            "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER");
        validation(() -> fx.update("ADD l :v", Map.of(":v", l(List.of(n(1)))), old),
            "Incorrect operand type for operator or function; operator: ADD, operand type: LIST");
        validation(() -> fx.update("DELETE l :v", Map.of(":v", AttributeValue.bool(true)), old),
            "Incorrect operand type for operator or function; operator: DELETE, operand type: BOOLEAN");
        validation(() -> fx.update("ADD l :v", Map.of(":v", m(Map.of())), old),
            "Incorrect operand type for operator or function; operator: ADD, operand type: MAP");
        validation(() -> fx.update("ADD ss :v", Map.of(":v", n(1)), old), "incorrect data type");
        validation(() -> fx.update("ADD n :v", Map.of(":v", AttributeValue.ns(List.of("1"))), old),
            "incorrect data type");
        validation(() -> fx.update("DELETE n :v", Map.of(":v", AttributeValue.ns(List.of("1"))), old),
            "incorrect data type");
    }

    @Test
    void arithmeticIsExactTo38DigitsAndRangeChecked()
    {
        final Map<String, AttributeValue> old = item("pk", s("k"), "n", n("99999999999999999999999999999999999999"));
        assertEquals(n("1E+38"), fx.update("SET n = n + :one", Map.of(":one", n(1)), old).get("n"));
        assertEquals(n("1E+38"), fx.update("ADD n :one", Map.of(":one", n(1)), old).get("n"));
        assertEquals(n("99999999999999999999999999999999999998"),
            fx.update("SET n = n - :one", Map.of(":one", n(1)), old).get("n"));
        // DynamoDB's words for an exact result it cannot store (a stored 39-digit number has the codec's words)
        validation(() -> fx.update("SET n = n + :tenth", Map.of(":tenth", n("0.1")), old),
            "DynamoDB only supports precision up to 38 digits");
        validation(() -> fx.update("ADD n :tenth", Map.of(":tenth", n("0.1")), old),
            "DynamoDB only supports precision up to 38 digits");
        assertEquals(n("0.3"), fx.update("SET n = :a + :b", Map.of(":a", n("0.1"), ":b", n("0.2")), old).get("n"));
        assertEquals(n("0"), fx.update("SET n = :a - :a", Map.of(":a", n("-123.456")), old).get("n"));
        validation(() -> fx.update("SET n = :a + :a", Map.of(":a", n("9.9E+125")), old), "Number overflow");
        validation(() -> fx.update("SET n = :a - :b", Map.of(":a", n("1.1E-130"), ":b", n("1E-130")), old),
            "Number underflow");
        validation(() -> fx.update("SET n = :a + :b", Map.of(":a", n("1E+20"), ":b", n("1E-20")), old),
            "DynamoDB only supports precision up to 38 digits");
        validation(() -> fx.update("SET n = missing_attr + :b", Map.of(":b", n(1)), old),
            "The provided expression refers to an attribute that does not exist in the item");
        validation(() -> fx.update("SET n = pk + :b", Map.of(":b", n(1)), old), "incorrect data type");
        validation(() -> fx.update("SET n = n + :b", Map.of(":b", s("1")), old),
            "Incorrect operand type for operator or function; operator or function: +, operand type: S");
    }

    @Test
    void updateRules()
    {
        final Map<String, AttributeValue> old = item("pk", s("k"), "a", m(Map.of("b", n(1))));
        validation(() -> fx.update("SET a = :v REMOVE a.b", Map.of(":v", n(1)), old),
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of " +
            "these paths; path one: [a], path two: [a, b]");
        validation(() -> fx.update("SET a.b = :v, a[0] = :v", Map.of(":v", n(1)), old),
            "Two document paths conflict with each other");
        validation(() -> fx.update("SET a = :v SET c = :v", Map.of(":v", n(1)), old),
            "The \"SET\" section can only be used once in an update expression;");
        validation(() -> fx.update("SET a = size(a)", null, old),
            "Invalid UpdateExpression: The function is not allowed in an update expression; function: size");
        validation(() -> fx.update("SET a = list_append(a, :v)", Map.of(":v", n(1)), old),
            "operator or function: list_append, operand type: N");
        validation(() -> fx.update("SET a = if_not_exists(:v, a)", Map.of(":v", n(1)), old),
            "Operator or function requires a document path; operator or function: if_not_exists");
        validation(() -> fx.update("SET a = list_append(a, :v)", Map.of(":v", l(List.of())), old),
            "incorrect data type");
        validation(() -> fx.update("SET", null, old), "Syntax error; token: \"<EOF>\"");
        validation(() -> fx.update("REMOVE a,", null, old), "Syntax error");
        // a missing item with only removals creates nothing
        assertNull(fx.update("REMOVE a", null, null, Map.of("pk", s("k")), null));
        assertEquals(item("pk", s("k"), "a", n(1)),
            fx.update("SET a = :v", null, Map.of(":v", n(1)), Map.of("pk", s("k")), null));
    }

    @Test
    void aSetValueOrItsOperandsMayBeParenthesised()
    {
        // DynamoDB accepts SET c = (c - :v) and parentheses around each operand; ORMs write them
        final Map<String, AttributeValue> old = item("pk", s("k"), "a", n(10), "b", m(Map.of("x", n(2))),
            "l", l(List.of(n(1))));
        assertEquals(n(3), fx.update("SET a = (:v)", Map.of(":v", n(3)), old).get("a"));
        assertEquals(n(7), fx.update("SET a = (a - :v)", Map.of(":v", n(3)), old).get("a"));
        assertEquals(n(12), fx.update("SET a = ((a) + (b.x))", null, old).get("a"));
        assertEquals(n(12), fx.update("SET a = (a) + b.x", null, old).get("a"));
        assertEquals(n(11), fx.update("SET c = (if_not_exists(c, :z)) + :one, d = (:one)",
            Map.of(":z", n(10), ":one", n(1)), old).get("c"));
        assertEquals(l(List.of(n(1), n(2))),
            fx.update("SET l = list_append((l), :x)", Map.of(":x", l(List.of(n(2)))), old).get("l"));
        // parentheses directly around parentheses are redundant, and a parenthesised sum is not an operand
        validation(() -> fx.update("SET a = ((:v))", Map.of(":v", n(3)), old),
            "Invalid UpdateExpression: The expression has redundant parentheses;");
        validation(() -> fx.update("SET a = (a) + ((:v))", Map.of(":v", n(3)), old),
            "Invalid UpdateExpression: The expression has redundant parentheses;");
        validation(() -> fx.update("SET a = (a + :v) + :v", Map.of(":v", n(3)), old),
            "Invalid UpdateExpression: Syntax error; token: \"+\", near: \") + :v\"");
        validation(() -> fx.update("SET a = (a + :v", Map.of(":v", n(3)), old),
            "Syntax error; token: \"<EOF>\", near: \":v\"");
    }

    @Test
    void listAppendOfAListAppendIsRefusedAsDynamoDbRefusesIt()
    {
        final Map<String, AttributeValue> values = Map.of(":a", l(List.of(n(1))), ":b", l(List.of(n(2))),
            ":c", l(List.of(n(3))));
        validation(() -> fx.update("SET x = list_append(list_append(:a, :b), :c)", values, item("pk", s("k"))),
            "Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: " +
            "list_append");
        validation(() -> fx.update("SET x = list_append(:a, (list_append(:b, :c)))", values, item("pk", s("k"))),
            "function: list_append");
        validation(() -> fx.update("SET x = list_append(:a, :b) + :n", Map.of(":a", l(List.of()), ":b", l(List.of()),
            ":n", n(1)), item("pk", s("k"))), "function: list_append");
        // list_append of if_not_exists stays the usual way to append to a list that may not exist yet
        assertEquals(l(List.of(n(1), n(2))), fx.update("SET x = list_append(if_not_exists(x, :a), :b)",
            Map.of(":a", l(List.of(n(1))), ":b", l(List.of(n(2)))), item("pk", s("k"))).get("x"));
    }

    @Test
    void aWrongTypeFoundInTheItemGetsDynamoDbsExactSentence()
    {
        // DynamoDB names neither the operator nor the type here; a client matching the whole message must match ours
        final Map<String, AttributeValue> old = item("pk", s("k"), "a", n(1), "ss", AttributeValue.ss(List.of("x")));
        assertEquals("An operand in the update expression has an incorrect data type",
            validation(() -> fx.update("ADD ss :v", Map.of(":v", n(1)), old)).getMessage());
        assertEquals("An operand in the update expression has an incorrect data type",
            validation(() -> fx.update("SET a = ss + :v", Map.of(":v", n(1)), old)).getMessage());
        assertEquals("An operand in the update expression has an incorrect data type",
            validation(() -> fx.update("DELETE a :v", Map.of(":v", AttributeValue.ss(List.of("x"))), old)).getMessage());
    }

    @Test
    void ifNotExistsOfAPathWithItselfIsRefused()
    {
        validation(() -> fx.update("SET a = if_not_exists(a, a)", null, item("pk", s("k"))),
            "Invalid UpdateExpression: The first operand must be distinct from the remaining operands for this " +
            "operator or function; operator: if_not_exists, first operand: [a]");
    }

    @Test
    void namesStartWithALetterAndUnknownCharactersAreSyntaxErrorsNamingThem()
    {
        final Map<String, AttributeValue> old = item("pk", s("k"), "a", n(1));
        // "_" cannot start a name (a placeholder can): DynamoDB's syntax error names it, "near" spans the tokens
        // before and after it
        validation(() -> fx.update("SET _version = :v", Map.of(":v", n(1)), old),
            "Invalid UpdateExpression: Syntax error; token: \"_\", near: \"SET _version\"");
        validation(() -> fx.update("SET MyStr = myNum Mystr2 myNum2", null, old),
            "Syntax error; token: \"Mystr2\", near: \"myNum Mystr2 myNum2\"");
        validation(() -> fx.update("SET a = b / c", null, old), "Syntax error; token: \"/\", near: \"b / c\"");
        assertEquals(n(1), fx.update("SET #v = :v", Map.of("#v", "_version"), Map.of(":v", n(1)), Map.of(), old)
            .get("_version"));
        validation(() -> fx.project("a, _b", null, old),
            "Invalid ProjectionExpression: Syntax error; token: \"_\", near: \", _b\"");
        validation(() -> fx.project("a-type", null, old),
            "Invalid ProjectionExpression: Syntax error; token: \"-\", near: \"a-type\"");
    }

    @Test
    void updateExpressionTakesAtMostThreeHundredOperatorsOrFunctions()
    {
        // DynamoDB's documented limit: 300 operators or functions in one UpdateExpression; the words are those DynamoDB
        // gives for conditions and filters over the same limit (ConditionExpressionTest), its count stopping at 301
        final Map<String, AttributeValue> values = Map.of(":v", n(1), ":l", l(List.of()));
        final StringBuilder text = new StringBuilder("SET ");
        for (int i = 0; i < 300; i++)
        {
            text.append(i > 0 ? "," : "").append(i % 10 != 1 ? "a" + i + "=:v+:v" : "a" + i + "=list_append(:l,:l)");
        }
        final Map<String, AttributeValue> updated = fx.update(text.toString(), values, item("pk", s("k")));
        assertEquals(n(2), updated.get("a0"));
        assertEquals(l(List.of()), updated.get("a1"));

        text.append(",b=:v-:v");
        validation(() -> fx.update(text.toString(), values, item("pk", s("k"))),
            "Invalid UpdateExpression: The expression contains too many operators; operator count: 301");
    }

    @Test
    void projectionKeepsNestedPathsAndSkipsMissingOnes()
    {
        final Map<String, AttributeValue> item = item("pk", s("k"), "a", n(1), "secret", s("s"),
            "doc", m(Map.of("x", n(1), "y", n(2), "l", l(List.of(s("e0"), m(Map.of("c", s("c1"), "d", s("d1"))),
                s("e2"), s("e3"))))));
        assertEquals(item("pk", s("k"), "a", n(1)), fx.project("pk, a, nope", null, item));
        assertEquals(item("doc", m(Map.of("y", n(2)))), fx.project("doc.y, doc.zz", null, item));
        assertEquals(item("doc", m(Map.of("l", l(List.of(m(Map.of("c", s("c1"))), s("e3")))))),
            fx.project("doc.#l[1].c, doc.#l[3], doc.#l[9]", Map.of("#l", "l"), item));
        assertEquals(item(), fx.project("a.b, doc.x.y, secret[0]", null, item));
        validation(() -> fx.project("a, a.b", null, item),
            "Invalid ProjectionExpression: Two document paths overlap with each other");
        validation(() -> fx.project("a, ", null, item), "Invalid ProjectionExpression: Syntax error");
    }
}
