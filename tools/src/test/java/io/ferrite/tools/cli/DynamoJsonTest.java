package io.ferrite.tools.cli;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.sbe.ErrorCode;
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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DynamoJsonTest
{
    private static final String EVERY_TYPE = "{\"s\": {\"S\": \"é\"}, \"n\": {\"N\": \"-12.50E3\"}, " +
        "\"b\": {\"B\": \"AQI=\"}, \"t\": {\"BOOL\": true}, \"z\": {\"NULL\": true}, " +
        "\"m\": {\"M\": {\"inner\": {\"L\": [{\"S\": \"x\"}, {\"M\": {\"deep\": {\"NS\": [\"2\", \"1\"]}}}]}}}, " +
        "\"l\": {\"L\": []}, \"ss\": {\"SS\": [\"b\", \"a\"]}, \"ns\": {\"NS\": [\"10\", \"9\"]}, " +
        "\"bs\": {\"BS\": [\"Ag==\", \"AQ==\"]}}";

    @Test
    void everyTypeAndNestingParsesToTheRightValues() throws Exception
    {
        final Map<String, AttributeValue> item = DynamoJson.toItem(Json.parse(EVERY_TYPE), "Item", false);
        assertEquals(s("é"), item.get("s"));
        assertEquals(n("-12500"), item.get("n"));
        assertEquals(b(new byte[]{ 1, 2 }), item.get("b"));
        assertEquals(bool(true), item.get("t"));
        assertEquals(nul(), item.get("z"));
        assertEquals(m(Map.of("inner", l(List.of(s("x"), m(Map.of("deep", AttributeValue.ns(List.of("1", "2")))))))),
            item.get("m"));
        assertEquals(l(List.of()), item.get("l"));
        assertEquals(AttributeValue.ss(List.of("a", "b")), item.get("ss"));
        assertEquals(AttributeValue.ns(List.of("9", "10")), item.get("ns"));
        assertEquals(AttributeValue.bs(List.of(new byte[]{ 1 }, new byte[]{ 2 })), item.get("bs"));
    }

    @Test
    void valuesPrintBackAsDynamoDbJsonWithCanonicalNumbersAndSortedSets() throws Exception
    {
        final Map<String, AttributeValue> item = DynamoJson.toItem(Json.parse(EVERY_TYPE), "Item", false);
        assertEquals("{\"s\": {\"S\": \"é\"}, \"n\": {\"N\": \"-12500\"}, \"b\": {\"B\": \"AQI=\"}, " +
            "\"t\": {\"BOOL\": true}, \"z\": {\"NULL\": true}, \"m\": {\"M\": {\"inner\": {\"L\": [{\"S\": \"x\"}, " +
            "{\"M\": {\"deep\": {\"NS\": [\"1\", \"2\"]}}}]}}}, \"l\": {\"L\": []}, \"ss\": {\"SS\": [\"a\", \"b\"]}, " +
            "\"ns\": {\"NS\": [\"9\", \"10\"]}, \"bs\": {\"BS\": [\"AQ==\", \"Ag==\"]}}",
            Json.compact(DynamoJson.fromItem(item)));
    }

    @Test
    void shorthandValuesAreCoercedByShape() throws Exception
    {
        final Map<String, AttributeValue> item = DynamoJson.toItem(
            Shorthand.parse("t={BOOL=true},f={BOOL=false},z={NULL=true},one={SS=solo},l={L=[{N=1},{S=x}]}"),
            "Item", true);
        assertEquals(bool(true), item.get("t"));
        assertEquals(bool(false), item.get("f"));
        assertEquals(nul(), item.get("z"));
        assertEquals(AttributeValue.ss(List.of("solo")), item.get("one"));
        assertEquals(l(List.of(n(1), s("x"))), item.get("l"));
    }

    @Test
    void shapeErrorsAreBotocoreParameterValidationErrors()
    {
        assertEquals("Parameter validation failed:\nInvalid type for parameter Key.pk.N, value: 1, type: " +
                "<class 'int'>, valid types: <class 'str'>",
            assertThrows(ParamException.class, () -> DynamoJson.toItem(Json.parse("{\"pk\":{\"N\":1}}"), "Key", false))
                .getMessage());
        assertEquals("Parameter validation failed:\nUnknown parameter in Key.pk: \"X\", must be one of: S, N, B, " +
                "SS, NS, BS, M, L, NULL, BOOL",
            assertThrows(ParamException.class, () -> DynamoJson.toItem(Json.parse("{\"pk\":{\"X\":\"a\"}}"), "Key",
                false)).getMessage());
        assertEquals("Parameter validation failed:\nInvalid type for parameter Item.a.SS[1], value: 2, type: " +
                "<class 'int'>, valid types: <class 'str'>",
            assertThrows(ParamException.class, () -> DynamoJson.toItem(Json.parse("{\"a\":{\"SS\":[\"1\", 2]}}"),
                "Item", false)).getMessage());
    }

    @Test
    void invalidTypeValuesArePrintedAsBotocorePrintsThemNotAsJson()
    {
        assertEquals("Parameter validation failed:\nInvalid type for parameter Item.pk, value: a, type: " +
                "<class 'str'>, valid types: <class 'dict'>",
            assertThrows(ParamException.class, () -> DynamoJson.toItem(Json.parse("{\"pk\":\"a\"}"), "Item", false))
                .getMessage());
        assertEquals("Parameter validation failed:\nInvalid type for parameter Item.pk, value: [\"it's\", True, None], " +
                "type: <class 'list'>, valid types: <class 'dict'>",
            assertThrows(ParamException.class, () -> DynamoJson.toItem(Json.parse("{\"pk\":[\"it's\", true, null]}"),
                "Item", false)).getMessage());
        assertEquals("Parameter validation failed:\nInvalid type for parameter Key.pk.S, value: {'x': 1}, type: " +
                "<class 'dict'>, valid types: <class 'str'>",
            assertThrows(ParamException.class, () -> DynamoJson.toItem(Json.parse("{\"pk\":{\"S\":{\"x\":1}}}"), "Key",
                false)).getMessage());
    }

    @Test
    void contentErrorsAreDynamoDbValidationExceptions()
    {
        assertValidation("{\"a\":{}}", "Supplied AttributeValue is empty, must contain exactly one of the supported " +
            "datatypes");
        assertValidation("{\"a\":{\"S\":\"x\",\"N\":\"1\"}}", "Supplied AttributeValue has more than one datatypes " +
            "set, must contain exactly one of the supported datatypes");
        assertValidation("{\"a\":{\"NULL\":false}}", "One or more parameter values were invalid: Null attribute " +
            "value types must have the value of true");
        assertValidation("{\"a\":{\"SS\":[\"x\",\"x\"]}}", "One or more parameter values were invalid: Input " +
            "collection [x, x] contains duplicates.");
        final FerriteException badNumber = assertThrows(FerriteException.class,
            () -> DynamoJson.toItem(Json.parse("{\"a\":{\"N\":\"12abc\"}}"), "Item", false));
        assertEquals(ErrorCode.ValidationException, badNumber.code());
    }

    private static void assertValidation(final String json, final String message)
    {
        final FerriteException ex = assertThrows(FerriteException.class,
            () -> DynamoJson.toItem(Json.parse(json), "Item", false));
        assertEquals(ErrorCode.ValidationException, ex.code());
        assertEquals(message, ex.getMessage());
    }
}
