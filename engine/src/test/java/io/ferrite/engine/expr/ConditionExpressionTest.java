package io.ferrite.engine.expr;

import io.ferrite.codecs.item.AttributeValue;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.ferrite.codecs.item.AttributeValue.b;
import static io.ferrite.codecs.item.AttributeValue.bool;
import static io.ferrite.codecs.item.AttributeValue.l;
import static io.ferrite.codecs.item.AttributeValue.m;
import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.nul;
import static io.ferrite.codecs.item.AttributeValue.s;
import static io.ferrite.engine.expr.ExprFixture.validation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every comparator, function and logical operator of ConditionExpression over item bytes, with DynamoDB's
 * treatment of absent attributes and mismatched types, nested paths, and precedence.
 */
class ConditionExpressionTest
{
    private final ExprFixture fx = new ExprFixture();
    private final Map<String, AttributeValue> item = Map.of(
        "pk", s("k"),
        "age", n("42"),
        "name", s("alice"),
        "bin", b(new byte[]{1, 2, 3}),
        "flag", bool(true),
        "nothing", nul(),
        "tags", AttributeValue.ss(List.of("red", "blue")),
        "scores", AttributeValue.ns(List.of("1", "2.5")),
        "doc", m(Map.of("child", m(Map.of("x", n(7))), "list", l(List.of(s("a"), n(3), m(Map.of("c", s("deep"))))))),
        "elems", l(List.of(n(1), s("two"))));

    @Test
    void comparatorsOverNumbersStringsAndBinary()
    {
        assertTrue(fx.test("age = :v", Map.of(":v", n("42.0")), item));
        assertTrue(fx.test("age <> :v", Map.of(":v", n(41)), item));
        assertTrue(fx.test("age < :v", Map.of(":v", n(43)), item));
        assertTrue(fx.test("age <= :v", Map.of(":v", n(42)), item));
        assertFalse(fx.test("age > :v", Map.of(":v", n(42)), item));
        assertTrue(fx.test("age >= :v", Map.of(":v", n("-1E+5")), item));
        assertTrue(fx.test("age > :v", Map.of(":v", n("9.99999999999999999999999999999999999E-130")), item));
        assertTrue(fx.test("#n < :v", Map.of("#n", "name"), Map.of(":v", s("bob")), item));
        assertTrue(fx.test("#n > :v", Map.of("#n", "name"), Map.of(":v", s("al")), item));
        assertTrue(fx.test("bin < :v", Map.of(":v", b(new byte[]{1, 2, 4})), item));
        assertTrue(fx.test("bin = :v", Map.of(":v", b(new byte[]{1, 2, 3})), item));
    }

    @Test
    void equalityOfDocumentsAndSetsIsStructural()
    {
        assertTrue(fx.test("tags = :v", Map.of(":v", AttributeValue.ss(List.of("blue", "red"))), item));
        assertTrue(fx.test("scores = :v", Map.of(":v", AttributeValue.ns(List.of("2.50", "1"))), item));
        assertTrue(fx.test("doc.child = :v", Map.of(":v", m(Map.of("x", n("7")))), item));
        assertTrue(fx.test("elems = :v", Map.of(":v", l(List.of(n(1), s("two")))), item));
        assertFalse(fx.test("elems = :v", Map.of(":v", l(List.of(s("two"), n(1)))), item));
        assertTrue(fx.test("flag = :v", Map.of(":v", bool(true)), item));
        assertTrue(fx.test("nothing = :v", Map.of(":v", nul()), item));
    }

    @Test
    void missingAttributesAndMismatchedTypes()
    {
        assertFalse(fx.test("absent = :v", Map.of(":v", n(1)), item));
        assertTrue(fx.test("absent <> :v", Map.of(":v", n(1)), item));
        assertFalse(fx.test("absent < :v", Map.of(":v", n(1)), item));
        assertFalse(fx.test("age = :v", Map.of(":v", s("42")), item));
        assertTrue(fx.test("age <> :v", Map.of(":v", s("42")), item));
        assertFalse(fx.test("age < :v", Map.of(":v", s("43")), item));
        assertFalse(fx.test("age >= :v", Map.of(":v", s("0")), item));
        assertFalse(fx.test("age = :v", Map.of(":v", n(42)), null));
        assertTrue(fx.test("attribute_not_exists(age)", null, null));
    }

    @Test
    void nestedPathsThroughMapsAndLists()
    {
        assertTrue(fx.test("doc.child.x = :v", Map.of(":v", n(7)), item));
        assertTrue(fx.test("doc.#l[2].c = :v", Map.of("#l", "list"), Map.of(":v", s("deep")), item));
        assertTrue(fx.test("doc.#l[1] = :v", Map.of("#l", "list"), Map.of(":v", n(3)), item));
        assertFalse(fx.test("attribute_exists(doc.#l[3])", Map.of("#l", "list"), null, item));
        assertFalse(fx.test("attribute_exists(doc.child[0])", null, null, item));
        assertFalse(fx.test("attribute_exists(elems.x)", null, null, item));
        assertTrue(fx.test("elems[1] = :v", Map.of(":v", s("two")), item));
    }

    @Test
    void betweenAndIn()
    {
        assertTrue(fx.test("age BETWEEN :a AND :b", Map.of(":a", n(42), ":b", n(42)), item));
        assertTrue(fx.test("age between :a and :b", Map.of(":a", n(1), ":b", n(100)), item));
        assertFalse(fx.test("age BETWEEN :a AND :b", Map.of(":a", n(43), ":b", n(100)), item));
        assertFalse(fx.test("#n BETWEEN :a AND :b", Map.of("#n", "name"), Map.of(":a", n(1), ":b", n(2)), item));
        assertTrue(fx.test("age IN (:a, :b, :c)", Map.of(":a", n(1), ":b", s("x"), ":c", n(42)), item));
        assertFalse(fx.test("age IN (:a)", Map.of(":a", n(1)), item));
        assertFalse(fx.test("absent IN (:a)", Map.of(":a", n(1)), item));
        assertTrue(fx.test("elems[0] IN (:a)", Map.of(":a", n(1)), item));
    }

    @Test
    void inTakesAtMostOneHundredOperandsCountingItsLeftOne()
    {
        // DynamoDB's limit of 100 operands for IN counts the value compared: 99 candidates pass, 100 do not
        final Map<String, AttributeValue> values = new java.util.HashMap<>();
        final StringBuilder list = new StringBuilder();
        for (int i = 0; i < 100; i++)
        {
            values.put(":v" + i, n(i));
            list.append(i > 0 ? ", " : "").append(":v").append(i);
        }
        final String ninetyNine = list.substring(0, list.lastIndexOf(","));
        final Map<String, AttributeValue> fewer = new java.util.HashMap<>(values);
        fewer.remove(":v99");
        assertTrue(fx.test("age IN (" + ninetyNine + ")", fewer, item));
        validation(() -> fx.test("age IN (" + list + ")", values, item),
            "Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101");
    }

    @Test
    void functions()
    {
        assertTrue(fx.test("attribute_exists(age)", null, null, item));
        assertTrue(fx.test("attribute_not_exists(nope)", null, null, item));
        assertTrue(fx.test("attribute_type(age, :t)", Map.of(":t", s("N")), item));
        assertTrue(fx.test("attribute_type(tags, :t)", Map.of(":t", s("SS")), item));
        assertTrue(fx.test("attribute_type(doc, :t)", Map.of(":t", s("M")), item));
        assertFalse(fx.test("attribute_type(age, :t)", Map.of(":t", s("S")), item));
        assertTrue(fx.test("begins_with(#n, :p)", Map.of("#n", "name"), Map.of(":p", s("ali")), item));
        assertFalse(fx.test("begins_with(#n, :p)", Map.of("#n", "name"), Map.of(":p", s("bob")), item));
        assertTrue(fx.test("begins_with(bin, :p)", Map.of(":p", b(new byte[]{1, 2})), item));
        assertFalse(fx.test("begins_with(age, :p)", Map.of(":p", s("4")), item));
        assertTrue(fx.test("contains(#n, :p)", Map.of("#n", "name"), Map.of(":p", s("lic")), item));
        assertTrue(fx.test("contains(tags, :p)", Map.of(":p", s("red")), item));
        assertFalse(fx.test("contains(tags, :p)", Map.of(":p", s("green")), item));
        assertTrue(fx.test("contains(scores, :p)", Map.of(":p", n("2.50")), item));
        assertTrue(fx.test("contains(elems, :p)", Map.of(":p", s("two")), item));
        assertTrue(fx.test("contains(bin, :p)", Map.of(":p", b(new byte[]{2, 3})), item));
        assertTrue(fx.test("size(#n) = :v", Map.of("#n", "name"), Map.of(":v", n(5)), item));
        assertTrue(fx.test("size(tags) = :v", Map.of(":v", n(2)), item));
        assertTrue(fx.test("size(doc) = :v", Map.of(":v", n(2)), item));
        assertTrue(fx.test("size(elems) < :v", Map.of(":v", n(3)), item));
        assertTrue(fx.test("size(bin) = :v", Map.of(":v", n(3)), item));
        assertFalse(fx.test("size(age) = :v", Map.of(":v", n(2)), item));
        assertTrue(fx.test("size(age) <> :v", Map.of(":v", n(2)), item));
    }

    @Test
    void precedenceIsComparisonThenNotThenAndThenOr()
    {
        final Map<String, AttributeValue> v = Map.of(":t", n(42), ":f", n(0));
        // OR binds looser than AND: true OR (false AND false)
        assertTrue(fx.test("age = :t OR age = :f AND age = :f", v, item));
        // parentheses override it
        assertFalse(fx.test("(age = :t OR age = :f) AND age = :f", v, item));
        // NOT binds tighter than AND: (NOT false) AND true
        assertTrue(fx.test("NOT age = :f AND age = :t", v, item));
        // NOT binds tighter than OR: (NOT true) OR false
        assertFalse(fx.test("NOT age = :t OR age = :f", v, item));
        assertTrue(fx.test("NOT (age = :t AND age = :f)", v, item));
        assertTrue(fx.test("not not age = :t", v, item));
        // BETWEEN's AND is not the logical AND
        assertTrue(fx.test("age BETWEEN :f AND :t AND age = :t", v, item));
    }

    @Test
    void compiledExpressionsAreCachedByTextNamesAndValues()
    {
        final ConditionExpression first = fx.compiler.condition("age = :v", null, Map.of(":v", n(1)));
        assertSame(first, fx.compiler.condition("age = :v", null, Map.of(":v", n(1))));
        assertFalse(first == fx.compiler.condition("age = :v", null, Map.of(":v", n(2))));
        assertFalse(first == fx.compiler.filter("age = :v", null, Map.of(":v", n(1))));
        assertEquals(3, fx.compiler.cachedCount());
    }

    @Test
    void reservedWordsMustGoThroughNames()
    {
        assertEquals(573, ReservedWords.count());
        validation(() -> fx.test("status = :v", Map.of(":v", n(1)), item),
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status");
        validation(() -> fx.test("doc.Size = :v", Map.of(":v", n(1)), item), "reserved keyword: Size");
        assertFalse(fx.test("#s = :v", Map.of("#s", "status"), Map.of(":v", n(1)), item));
    }

    @Test
    void undefinedNamesAndValues()
    {
        validation(() -> fx.test("#a = :v", Map.of(":v", n(1)), item),
            "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; " +
            "attribute name: #a");
        validation(() -> fx.test("age = :w", Map.of(":v", n(1)), item),
            "Invalid ConditionExpression: An expression attribute value used in expression is not defined; " +
            "attribute value: :w");
        validation(() -> ExpressionCompiler.checkAllUsed(Map.of("#a", "a", "#b", "b"), null, java.util.Set.of("#a"),
            java.util.Set.of()), "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}");
        validation(() -> ExpressionCompiler.checkAllUsed(null, Map.of(":v", n(1)), java.util.Set.of(),
            java.util.Set.of()), "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}");
        validation(() -> fx.test("age = :v", Map.of("v", n(1)), item),
            "ExpressionAttributeValues contains invalid key: Syntax error; key: \"v\"");
        validation(() -> fx.test("#a = :v", Map.of("a", "age"), Map.of(":v", n(1)), item),
            "ExpressionAttributeNames contains invalid key");
        // a value too deep is refused in the words DynamoDB uses for an item (dynoxide#110, captured against DynamoDB;
        // some regions accept 32 levels in a value, Ferrite refuses above the 32 a stored item may hold)
        AttributeValue deep = n(1);
        for (int i = 0; i < 40; i++)
        {
            deep = m(Map.of("x", deep));
        }
        final AttributeValue tooDeep = deep;
        assertEquals("Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond " +
            "supported limit", validation(() -> fx.test("doc = :v OR age = :w", Map.of(":v", tooDeep, ":w", n(1)), item))
            .getMessage());
    }

    @Test
    void placeholdersAreAtMost255Bytes()
    {
        // DynamoDB's documented limit on one expression attribute name or value ("#name is 5 bytes")
        final String name = "#" + "n".repeat(254);
        final String value = ":" + "v".repeat(254);
        assertTrue(fx.test(name + " = " + value, Map.of(name, "age"), Map.of(value, n(42)), item));
        validation(() -> fx.test(name + "x = :v", Map.of(name + "x", "age"), Map.of(":v", n(42)), item),
            "ExpressionAttributeNames contains invalid key: The key is longer than 255 bytes; key: \"" + name + "x\"");
        validation(() -> fx.test("age = " + value + "x", Map.of(value + "x", n(42)), item),
            "ExpressionAttributeValues contains invalid key: The key is longer than 255 bytes; key: \"" + value + "x\"");
    }

    @Test
    void functionsWithTheWrongNumberOfOperandsAreNamedNotSyntaxErrors()
    {
        // DynamoDB parses any argument list and then names the function and the count it got
        validation(() -> fx.test("size(age, age) = :v", Map.of(":v", n(1)), item),
            "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: " +
            "size, number of operands: 2");
        validation(() -> fx.test("attribute_exists(age, #n)", Map.of("#n", "name"), null, item),
            "operator or function: attribute_exists, number of operands: 2");
        validation(() -> fx.test("begins_with(#n)", Map.of("#n", "name"), null, item),
            "operator or function: begins_with, number of operands: 1");
        validation(() -> fx.test("contains(tags, :a, :b)", Map.of(":a", s("x"), ":b", s("y")), item),
            "operator or function: contains, number of operands: 3");
        validation(() -> fx.test("attribute_type(age)", null, item),
            "operator or function: attribute_type, number of operands: 1");
        validation(() -> fx.update("SET a = list_append(:l)", Map.of(":l", l(List.of())), item),
            "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: " +
            "list_append, number of operands: 1");
        validation(() -> fx.update("SET a = if_not_exists(a, :l, :l)", Map.of(":l", l(List.of())), item),
            "operator or function: if_not_exists, number of operands: 3");
        // a function where if_not_exists wants a path is named as such, not a syntax error
        validation(() -> fx.update("SET a = if_not_exists(if_not_exists(a, :l), :l)", Map.of(":l", l(List.of())), item),
            "Operator or function requires a document path; operator or function: if_not_exists");
    }

    @Test
    void functionsUsedInTheWrongPlaceAreNamed()
    {
        // size() yields a number and needs a comparison; the boolean functions cannot be compared
        validation(() -> fx.test("size(age)", null, item),
            "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size");
        validation(() -> fx.test("attribute_exists(age) = :v", Map.of(":v", n(1)), item),
            "The function is not allowed to be used this way in an expression; function: attribute_exists");
        validation(() -> fx.test("contains(tags, :v) BETWEEN :v AND :v", Map.of(":v", s("red")), item),
            "The function is not allowed to be used this way in an expression; function: contains");
    }

    @Test
    void staticTypeErrors()
    {
        validation(() -> fx.test("age < :v", Map.of(":v", bool(true)), item),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, " +
            "operand type: BOOL");
        // the bounds as DynamoDB prints them: {N:5}, not DynamoDB JSON
        validation(() -> fx.test("age BETWEEN :a AND :b", Map.of(":a", n(5), ":b", n(3)), item),
            "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to " +
            "lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:3}");
        validation(() -> fx.test("age BETWEEN :a AND :b", Map.of(":a", n(5), ":b", s("x")), item),
            "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; " +
            "lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {S:x}");
        validation(() -> fx.compiler.keyCondition("pk = :p AND sk BETWEEN :a AND :b", null,
            Map.of(":p", s("k"), ":a", s("z"), ":b", s("a"))),
            "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal " +
            "to lower bound; lower bound operand: AttributeValue: {S:z}, upper bound operand: AttributeValue: {S:a}");
        validation(() -> fx.test("begins_with(#n, :p)", Map.of("#n", "name"), Map.of(":p", n(1)), item),
            "operator or function: begins_with, operand type: N");
        validation(() -> fx.test("attribute_type(age, :t)", Map.of(":t", s("X")), item),
            "Invalid attribute type name found; type: X");
        validation(() -> fx.test("attribute_exists(:v)", Map.of(":v", n(1)), item),
            "Operator or function requires a document path; operator or function: attribute_exists");
        validation(() -> fx.test("size(:v) = :v", Map.of(":v", n(1)), item),
            "operator or function: size, operand type: N");
    }

    @Test
    void sizeOfAStringCountsUtf16CodeUnitsAsDynamoDbDoes()
    {
        // DynamoDB answers size("é𝄞") = 3 (é is one UTF-16 unit, 𝄞 two), not its 6 UTF-8 bytes
        final Map<String, AttributeValue> unicode = Map.of("pk", s("k"), "s", s("\u00e9\ud834\udd1e"));
        assertTrue(fx.test("size(s) = :n", Map.of(":n", n(3)), unicode));
        assertFalse(fx.test("size(s) = :n", Map.of(":n", n(6)), unicode));
        assertTrue(fx.test("size(:v) = :n", Map.of(":v", s("\u00e9t\u00e9"), ":n", n(3)), unicode));
        // bytes stay bytes
        assertTrue(fx.test("size(bin) = :n", Map.of(":n", n(3)), item));
    }

    @Test
    void parenthesisedOperandsAreAcceptedAndParenthesesAroundParenthesesAreRedundant()
    {
        // DynamoDB accepts parentheses around any operand of a condition
        assertTrue(fx.test("(age) = :v", Map.of(":v", n(42)), item));
        assertTrue(fx.test("(size(#n)) = (:v)", Map.of("#n", "name"), Map.of(":v", n(5)), item));
        assertTrue(fx.test("(age) BETWEEN (:a) AND (:b)", Map.of(":a", n(1), ":b", n(100)), item));
        assertTrue(fx.test("age IN ((:a), :b)", Map.of(":a", n(1), ":b", n(42)), item));
        assertTrue(fx.test("begins_with((#n), :p) AND NOT (age) < :a", Map.of("#n", "name"),
            Map.of(":p", s("al"), ":a", n(1)), item));
        assertTrue(fx.test("((age = :a) OR (age = :b))", Map.of(":a", n(1), ":b", n(42)), item));
        // but not parentheses directly around parentheses
        for (final String text : List.of("((age = :a))", "age > ((:a))", "age = :a AND ((age = :a AND age = :a))",
            "NOT ((age = :a))", "(((age))) = :a"))
        {
            validation(() -> fx.test(text, Map.of(":a", n(1)), item),
                "Invalid ConditionExpression: The expression has redundant parentheses;");
        }
        validation(() -> fx.compiler.keyCondition("((pk = :v))", null, Map.of(":v", s("k"))),
            "Invalid KeyConditionExpression: The expression has redundant parentheses;");
    }

    @Test
    void anOperatorDoesNotCompareAPathWithItself()
    {
        final String rule = "The first operand must be distinct from the remaining operands for this operator or " +
            "function; operator: ";
        validation(() -> fx.test("age = age", null, item), "Invalid ConditionExpression: " + rule + "=, first operand: [age]");
        validation(() -> fx.test("#a <> age", Map.of("#a", "age"), null, item), rule + "<>, first operand: [age]");
        validation(() -> fx.test("contains(doc.#l[1], doc.#m[1])", Map.of("#l", "list", "#m", "list"), null, item),
            rule + "contains, first operand: [doc, list, [1]]");
        validation(() -> fx.test("begins_with(#n, #n)", Map.of("#n", "name"), null, item), rule + "begins_with");
        validation(() -> fx.test("attribute_type(age, age)", null, item), rule + "attribute_type");
        validation(() -> fx.test("age BETWEEN :a AND age", Map.of(":a", n(1)), item), rule + "BETWEEN");
        validation(() -> fx.test("age IN (:a, age)", Map.of(":a", n(1)), item), rule + "IN");
        // values may repeat, and different paths are fine
        assertTrue(fx.test(":a = :a AND age <> doc.age", Map.of(":a", n(1)), item));
    }

    @Test
    void namesStartWithALetterAndUnknownCharactersAreSyntaxErrorsNamingThem()
    {
        // DynamoDB's lexer: "_" cannot start a name; any unknown character is the syntax error's token, and "near"
        // quotes from the token before it to the token after it
        validation(() -> fx.test("_type = :v", Map.of(":v", n(1)), item),
            "Invalid ConditionExpression: Syntax error; token: \"_\", near: \"_type\"");
        validation(() -> fx.test("age = :v AND __typename = :v", Map.of(":v", n(1)), item),
            "Syntax error; token: \"_\", near: \"AND __\"");
        validation(() -> fx.test("\u00fc > age", null, item), "Syntax error; token: \"\u00fc\", near: \"\u00fc >\"");
        validation(() -> fx.test("age = :v name", Map.of(":v", n(1)), item),
            "Syntax error; token: \"name\", near: \":v name\"");
        validation(() -> fx.test("contains(tags, :v", Map.of(":v", s("red")), item),
            "Syntax error; token: \"<EOF>\", near: \":v\"");
        validation(() -> fx.test("# = :v", Map.of(":v", n(1)), item), "Syntax error; token: \"#\", near: \"# =\"");
        // a placeholder may start with "_", and a name may hold one after its first letter
        assertTrue(fx.test("#_ = :_1 AND a_b = :_1", Map.of("#_", "age"), Map.of(":_1", n(42)),
            Map.of("age", n(42), "a_b", n(42))));
    }

    @Test
    void functionOperandsOfTheWrongTypeAreNamedAsDynamoDbNamesThem()
    {
        validation(() -> fx.test("attribute_type(age, size(#n))", Map.of("#n", "name"), null, item),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: " +
            "attribute_type, operand type: N");
        validation(() -> fx.test("attribute_type(age, #n)", Map.of("#n", "name"), null, item),
            "operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
        validation(() -> fx.test("begins_with(#n, size(#n))", Map.of("#n", "name"), null, item),
            "operator or function: begins_with, operand type: N");
        validation(() -> fx.test("age = list_append(:a, :a)", Map.of(":a", l(List.of())), item),
            "The function is not allowed in a condition expression; function: list_append");
    }

    @Test
    void substitutionVariablesAreAtMostTwoMegabytes()
    {
        // DynamoDB's documented limit on the sum of the lengths of ExpressionAttributeNames and ExpressionAttributeValues
        assertFalse(fx.test("#n = :v", Map.of("#n", "name"), Map.of(":v", s("x".repeat(2_000_000))), item));
        validation(() -> fx.test("#n = :v", Map.of("#n", "name"), Map.of(":v", s("x".repeat(2 * 1024 * 1024))), item),
            "ExpressionAttributeNames and ExpressionAttributeValues have exceeded the maximum allowed size of all " +
            "substitution variables in an expression; size: 2097165 bytes, limit: 2097152 bytes");
        final Map<String, String> names = new java.util.HashMap<>();
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < 33; i++)
        {
            names.put("#n" + i, "n".repeat(64 * 1024));
            text.append(i > 0 ? " OR " : "").append("attribute_exists(#n").append(i).append(')');
        }
        validation(() -> fx.test(text.toString(), names, null, item), "limit: 2097152 bytes");
    }

    @Test
    void anExpressionOverFourKilobytesIsRefusedInDynamoDbsExactWords()
    {
        // DynamoDB, captured by others (ScyllaDB's test_limits.py, a user's FilterExpression report): the size in
        // bytes ends the message, with no unit and no limit after it
        final String text = "a <> :v" + " OR a <> :v".repeat(400);
        assertEquals("Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; " +
            "expression size: " + text.length(), validation(() -> fx.test(text, Map.of(":v", n(1)), item)).getMessage());
        final String filter = "a = :v" + " AND a = :v".repeat(373);
        assertEquals("Invalid FilterExpression: Expression size has exceeded the maximum allowed size; " +
            "expression size: 4109", validation(() -> fx.compiler.filter(filter, null, Map.of(":v", n(1))))
            .getMessage());
    }

    @Test
    void conditionsAndFiltersTakeAtMostThreeHundredOperators()
    {
        // DynamoDB's limit is not only the UpdateExpression's: "a<b OR (a<b OR (...))" with 299 comparators and ORs
        // is accepted and with more is refused, "Invalid ConditionExpression: The expression contains too many
        // operators; operator count: 301" (ScyllaDB's test_limits.py against DynamoDB; the same words for a
        // FilterExpression in aws-sdk-js#3721). The count stops at the first operator over the limit. Ferrite nests
        // at most 64 levels, so the chains here are flat.
        final Map<String, AttributeValue> values = Map.of(":v", n(1));
        final String accepted = "age < :v" + " OR age < :v".repeat(149);
        assertFalse(fx.test(accepted, values, item));
        final String refused = "age < :v" + " OR age < :v".repeat(150);
        assertEquals("Invalid ConditionExpression: The expression contains too many operators; operator count: 301",
            validation(() -> fx.test(refused, values, item)).getMessage());
        final String many = "age < :v" + " OR age < :v".repeat(300);
        assertEquals("Invalid ConditionExpression: The expression contains too many operators; operator count: 301",
            validation(() -> fx.test(many, values, item)).getMessage());

        // functions, NOT, BETWEEN and IN count as operators too: 32 clauses of 5, 32 of 4 and 63 ANDs are 351
        final StringBuilder mixed = new StringBuilder();
        for (int i = 0; i < 64; i++)
        {
            mixed.append(i > 0 ? " AND " : "").append(i % 2 == 0 ?
                "NOT attribute_exists(x) AND size(y) BETWEEN :v AND :v" : "NOT (age IN (:v)) AND begins_with(y, :s)");
        }
        assertTrue(mixed.length() < 4096);
        final Map<String, AttributeValue> mixedValues = Map.of(":v", n(1), ":s", s("a"));
        assertEquals("Invalid FilterExpression: The expression contains too many operators; operator count: 301",
            validation(() -> fx.compiler.filter(mixed.toString(), null, mixedValues)).getMessage());
    }

    @Test
    void aListIndexIsZeroOrStartsWithANonZeroDigitAsInDynamoDbsGrammar()
    {
        // Amazon's expression grammar (Tokens.g4 and DynamoDbGrammar.g4 of the DAX client, Apache-2.0) reads an index
        // as INDEX : '0' | [1-9][0-9]*, so "01" is the index 0 and then a stray 1 where ']' must come
        final Map<String, AttributeValue> values = Map.of(":v", n(3));
        assertTrue(fx.test("doc.#l[1] = :v", Map.of("#l", "list"), values, item));
        assertTrue(fx.test("elems[0] = :one", Map.of(":one", n(1)), item));
        assertEquals("Invalid ConditionExpression: Syntax error; token: \"1\", near: \"01]\"",
            validation(() -> fx.test("doc.#l[01] = :v", Map.of("#l", "list"), values, item)).getMessage());
        assertEquals("Invalid ConditionExpression: Syntax error; token: \"0\", near: \"000\"",
            validation(() -> fx.test("elems[000] = :v", values, item)).getMessage());
        assertEquals("Invalid ProjectionExpression: Syntax error; token: \"7\", near: \"07]\"",
            validation(() -> fx.project("elems[07]", null, item)).getMessage());
        // nor is a number an operand, with or without a leading zero (DynamoDB has no numeric literals)
        assertEquals("Invalid ConditionExpression: Syntax error; token: \"0\", near: \"= 05\"",
            validation(() -> fx.test("age = 05", null, item)).getMessage());
        // and a path is a name followed by .name and [index] only: "(doc).child" is no path (the grammar's
        // operand is path | :value | function | '(' operand ')'), as Ferrite has always refused it
        validation(() -> fx.test("(doc).child = :v", values, item), "Invalid ConditionExpression: Syntax error");
    }

    @Test
    void syntaxErrorsAndHostileInputFailQuickly()
    {
        validation(() -> fx.test("", null, item), "Invalid ConditionExpression: The expression can not be empty;");
        validation(() -> fx.test("age = ", null, item), "Syntax error; token: \"<EOF>\"");
        validation(() -> fx.test("age = :v)", Map.of(":v", n(1)), item), "Syntax error; token: \")\"");
        validation(() -> fx.test("((age = :v)", Map.of(":v", n(1)), item), "Syntax error");
        validation(() -> fx.test("foo(age)", null, item), "Invalid function name; function: foo");
        validation(() -> fx.test("if_not_exists(age, :v)", Map.of(":v", n(1)), item),
            "Invalid ConditionExpression: The function is not allowed in a condition expression; function: if_not_exists");
        validation(() -> fx.test("age = :v ; drop", Map.of(":v", n(1)), item),
            "Invalid ConditionExpression: Syntax error; token: \";\", near: \":v ; drop\"");
        validation(() -> fx.test("(".repeat(5000) + "age = :v" + ")".repeat(5000), Map.of(":v", n(1)), item),
            "Expression size has exceeded the maximum allowed size");
        validation(() -> fx.test("(".repeat(1000) + "a=:v" + ")".repeat(1000), Map.of(":v", n(1)), item),
            "too many levels of nesting");
        validation(() -> fx.test("NOT ".repeat(800) + "a=:v", Map.of(":v", n(1)), item),
            "too many levels of nesting");
        validation(() -> fx.test("size(".repeat(500) + "a" + ")".repeat(500) + " = :v", Map.of(":v", n(1)), item),
            "too many levels of nesting");
        validation(() -> fx.test("a[99999999999999999999] = :v", Map.of(":v", n(1)), item),
            "List index is not within the allowable range");
        validation(() -> fx.test("a" + ".b".repeat(40) + " = :v", Map.of(":v", n(1)), item),
            "The document path has too many nesting levels");
    }
}
