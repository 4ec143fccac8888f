package io.ferrite.tools.cli;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonAndShorthandParsingTest
{
    @Test
    void jsonParsesEveryKindOfValueExactly() throws Exception
    {
        final Object tree = Json.parse(" {\"s\": \"a\\\"b\\u00e9\\n\", \"i\": 12345678901234567890123, " +
            "\"d\": 0.1000000000000000000001, \"e\": -1.5e-3, \"t\": true, \"f\": false, \"z\": null, " +
            "\"l\": [1, [], {}], \"s\": \"last wins\"} ");
        final Map<?, ?> map = (Map<?, ?>)tree;
        assertEquals("last wins", map.get("s"));
        assertEquals(new BigInteger("12345678901234567890123"), map.get("i"));
        assertEquals(new BigDecimal("0.1000000000000000000001"), map.get("d"));
        assertEquals(new BigDecimal("-1.5e-3"), map.get("e"));
        assertEquals(Boolean.TRUE, map.get("t"));
        assertEquals(Boolean.FALSE, map.get("f"));
        assertNull(map.get("z"));
        assertEquals(Arrays.asList(BigInteger.ONE, List.of(), Map.of()), map.get("l"));
        assertEquals("a\"bé\n", Json.parse("\"a\\\"b\\u00e9\\n\""));
    }

    @Test
    void jsonErrorsAreWordedAsPythonsAndSayWhere()
    {
        assertEquals("Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
            assertThrows(Json.ParseException.class, () -> Json.parse("{pk:1}")).getMessage());
        assertEquals("Expecting property name enclosed in double quotes: line 1 column 17 (char 16)",
            assertThrows(Json.ParseException.class, () -> Json.parse("{\"pk\":{\"S\":\"a\"},}")).getMessage());
        assertEquals("Expecting value: line 1 column 1 (char 0)",
            assertThrows(Json.ParseException.class, () -> Json.parse("")).getMessage());
        assertEquals("Expecting ',' delimiter: line 2 column 4 (char 7)",
            assertThrows(Json.ParseException.class, () -> Json.parse("[1,\n 2 3]")).getMessage());
        assertEquals("Expecting ':' delimiter: line 1 column 6 (char 5)",
            assertThrows(Json.ParseException.class, () -> Json.parse("{\"a\" 1}")).getMessage());
        assertEquals("Extra data: line 1 column 4 (char 3)",
            assertThrows(Json.ParseException.class, () -> Json.parse("{} {}")).getMessage());
        assertEquals("Unterminated string starting at: line 1 column 2 (char 1)",
            assertThrows(Json.ParseException.class, () -> Json.parse("[\"abc")).getMessage());
    }

    @Test
    void prettyPrintsAsTheAwsCliWithFourSpacesAndRawUnicode()
    {
        final Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("Items", List.of(Map.of("s", Map.of("S", "é\t\"x\""))));
        tree.put("Count", 1);
        tree.put("Empty", Map.of());
        tree.put("None", List.of());
        assertEquals("{\n" +
            "    \"Items\": [\n" +
            "        {\n" +
            "            \"s\": {\n" +
            "                \"S\": \"é\\t\\\"x\\\"\"\n" +
            "            }\n" +
            "        }\n" +
            "    ],\n" +
            "    \"Count\": 1,\n" +
            "    \"Empty\": {},\n" +
            "    \"None\": []\n" +
            "}", Json.pretty(tree));
        assertEquals("{\"Items\": [{\"s\": {\"S\": \"é\\t\\\"x\\\"\"}}], \"Count\": 1, \"Empty\": {}, \"None\": []}",
            Json.compact(tree));
    }

    @Test
    void shorthandParsesStructuresNestedValuesListsAndQuotes() throws Exception
    {
        assertEquals(Map.of("AttributeName", "pk", "AttributeType", "S"),
            Shorthand.parse("AttributeName=pk,AttributeType=S"));
        assertEquals(Map.of("ReadCapacityUnits", "5", "WriteCapacityUnits", "5"),
            Shorthand.parse("ReadCapacityUnits=5, WriteCapacityUnits=5"));
        assertEquals(Map.of("pk", Map.of("S", "a"), "sk", Map.of("N", "1")), Shorthand.parse("pk={S=a},sk={N=1}"));
        assertEquals(Map.of(
                "pk", Map.of("SS", List.of("a", "b")),
                "m", Map.of("M", Map.of("x", Map.of("BOOL", "true"))),
                "l", Map.of("L", List.of(Map.of("S", "x"), Map.of("N", "2"))),
                "b", Map.of("B", "AQI=")),
            Shorthand.parse("pk={SS=[a,b]},m={M={x={BOOL=true}}},l={L=[{S=x},{N=2}]},b={B=AQI=}"));
        assertEquals(Map.of("pk", Map.of("S", "a,b")), Shorthand.parse("pk={S=\"a,b\"}"));
        assertEquals(Map.of("pk", Map.of("S", "a b")), Shorthand.parse("pk={S='a b'}"));
        assertEquals(Map.of("pk", Map.of("S", "a,b")), Shorthand.parse("pk={S=a\\,b}"));
        assertEquals(Map.of("Names", List.of("a", "b", "c"), "Other", "d"), Shorthand.parse("Names=a,b,c,Other=d"));
        assertEquals(Map.of("e", ""), Shorthand.parse("e="));
    }

    @Test
    void shorthandErrorsPointAtTheProblem()
    {
        assertEquals("Expected: ',', received: 'EOF' for input:\npk={S=a\n       ^",
            assertThrows(Shorthand.ParseException.class, () -> Shorthand.parse("pk={S=a")).getMessage());
        assertEquals("Expected: '=', received: 'EOF' for input:\nfoo\n   ^",
            assertThrows(Shorthand.ParseException.class, () -> Shorthand.parse("foo")).getMessage());
    }
}
