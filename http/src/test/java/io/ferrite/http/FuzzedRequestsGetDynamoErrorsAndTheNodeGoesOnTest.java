package io.ferrite.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A seeded fuzz of the JSON request space: valid requests of every served operation, on tables keyed by S, N and
 * B (hash only and hash+range), mutated at random (members dropped, duplicated or retyped, attribute type tags
 * swapped, bad numbers and base64, empty and duplicate sets, deep nesting, huge names, lone surrogates and invalid
 * UTF-8, expressions of random tokens, placeholders missing/unused/extra, Limit/Segment/TotalSegments out of range,
 * ExclusiveStartKeys of the wrong shape, JSON syntax damage), sent over keep-alive connections. Each answer must be
 * a well-formed HTTP answer with status 200 or 400 and a JSON body; a 400's {@code __type} one of DynamoDB's error
 * types and its message not a Java exception's; the connection usable for the next request. At the end an item
 * written before the fuzzing reads back unchanged and the node still serves.
 * <p>
 * The seed is printed; a failure names it and the exact request (operation and body) to replay. The default size
 * ({@value #DEFAULT_REQUESTS} requests) suits CI; {@code -Dferrite.fuzz.requests=N} runs more and
 * {@code -Dferrite.fuzz.seed=S} replays a run (the whole sequence: tables and items change as it goes).
 */
final class FuzzedRequestsGetDynamoErrorsAndTheNodeGoesOnTest
{
    private static final String TARGET = "DynamoDB_20120810.";
    private static final int DEFAULT_REQUESTS = 2_500;
    private static final boolean VERBOSE = Boolean.getBoolean("ferrite.fuzz.verbose");
    private static final String[] OPERATIONS = {"PutItem", "GetItem", "UpdateItem", "DeleteItem", "Query", "Scan",
        "BatchGetItem", "BatchWriteItem", "CreateTable", "UpdateTable", "DescribeTable", "DeleteTable", "ListTables"};
    private static final Set<String> ERROR_TYPES = Set.of("ValidationException", "SerializationException",
        "UnknownOperationException", "ResourceNotFoundException", "ResourceInUseException",
        "ConditionalCheckFailedException", "ProvisionedThroughputExceededException", "ThrottlingException",
        "LimitExceededException", "RequestLimitExceeded", "ItemCollectionSizeLimitExceededException");
    private static final Pattern TYPE = Pattern.compile("^\\{\"__type\":\"[a-z.0-9]+#([A-Za-z]+)\"");
    /** A message that is an exception's toString, or names a Java class: a bug's catch-all, not a rule. */
    private static final Pattern JAVA_LEAK = Pattern.compile("java\\.|\\bjdk\\.|io\\.ferrite|\\b[A-Z][A-Za-z]+(Exception|Error)\\b:");
    /** The tables fuzzed: name, hash key name and type, range key name and type (null: none). */
    private static final String[][] TABLES = {{"fz_h", "k", "S", null, null}, {"fz_s", "pk", "S", "sk", "S"},
        {"fz_n", "pk", "N", "sk", "N"}, {"fz_b", "pk", "B", "sk", "B"}};
    private static final String[] SCRATCH_TABLES = {"tmp1", "tmp2", "tmp3"};
    private static final String[] BAD_NUMBERS = {"123456789012345678901234567890123456789", "1e126", "1E-131", "-0",
        " 1", "1 ", "0x10", "", "NaN", "Infinity", "-", "1e", ".5", "5.", "+1", "1_000", "١", "01", "1e99999999999"};
    private static final String[] BAD_BASE64 = {"AAE", "!!!!", "AA==AA==", "A", "====", "é", "AA\nAA", "AAE=\u0000",
        "-_-_", ""};
    private static final String[] ODD_STRINGS = {"", " ", "\u0000", "\ud800", "\udc00x", "\ud83d\ude00", "é", "\u2028",
        "a\"b", "\\", "x".repeat(300), "null", "true", "{}", "[]", "\uffff", "\ufeff"};
    private static final String[] TYPE_TAGS = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS", "X", "s",
        "", "SSS", "b"};
    private static final String[] TABLE_NAMES = {"", "a", "x".repeat(256), "x".repeat(70_000), "bad name!", "nope",
        "é", "fz_h ", "tmp1", "fz_s", "fz_n", "fz_b", "fz_h"};
    private static final String[] EXPRESSION_TOKENS = {"AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD",
        "DELETE", "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains", "size",
        "if_not_exists", "list_append", "(", ")", ",", ".", "[", "]", "=", "<>", "<", "<=", ">", ">=", "+", "-", "#k",
        "#a", "#zz", ":v", ":w", ":zz", "k", "pk", "sk", "s", "n", "l", "m", "0", "1", "99999999999", "\u0000", "é",
        "\ud800", "'", "\"", ";"};
    private static final String[] PLACEHOLDER_NAMES = {"#a", "#k", "#zz", "#", "a", "#" + "x".repeat(300), ""};
    private static final String[] PLACEHOLDER_VALUES = {":v", ":w", ":zz", ":", "v", ":" + "y".repeat(300), ""};
    private static final String[] INTS = {"-1", "0", "1", "3", "1000000", "2147483647", "2147483648",
        "-2147483649", "99999999999999999999", "1.5", "1e3", "\"1\"", "null", "true", "[]", "{}", "0.0", "-0"};

    @TempDir
    Path dataDir;

    @Test
    void fuzzedRequestsOfEveryOperationGetDynamoAnswersAndTheNodeGoesOn() throws Exception
    {
        final long seed = Long.getLong("ferrite.fuzz.seed", System.nanoTime());
        final int requests = Integer.getInteger("ferrite.fuzz.requests", DEFAULT_REQUESTS);
        System.out.println("FuzzedRequestsGetDynamoErrorsAndTheNodeGoesOnTest seed=" + seed + " requests=" + requests);
        final SplittableRandom random = new SplittableRandom(seed);
        final Map<String, Integer> tally = new TreeMap<>();
        try (HttpNodeFixture fixture = new HttpNodeFixture(dataDir))
        {
            final int port = fixture.front.port();
            final String control = "{\"TableName\":\"control\",\"Key\":{\"id\":{\"S\":\"c\"}}}";
            final String controlItem = "{\"Item\":{\"b\":{\"B\":\"AAEC\"},\"id\":{\"S\":\"c\"},\"l\":{\"L\":[{\"N\":\"1\"}," +
                "{\"S\":\"two\"}]},\"n\":{\"N\":\"7.5\"}}}";
            try (RawHttp http = new RawHttp(port))
            {
                create(http, "control", "id", "S", null, null);
                for (final String[] table : TABLES)
                {
                    create(http, table[0], table[1], table[2], table[3], table[4]);
                }
                assertEquals(200, http.exchange(TARGET + "PutItem", "{\"TableName\":\"control\",\"Item\":" +
                    controlItem.substring("{\"Item\":".length(), controlItem.length() - 1) + "}").status());
                assertEquals(controlItem, http.exchange(TARGET + "GetItem", control).body());
            }

            RawHttp http = new RawHttp(port);
            try
            {
                for (int i = 0; i < requests; i++)
                {
                    String operation = OPERATIONS[random.nextInt(OPERATIONS.length)];
                    final Object request = mutateTree(random, valid(random, operation));
                    byte[] body = serialize(random, request);
                    if (random.nextInt(6) == 0)
                    {
                        body = damage(random, body);
                    }
                    if (random.nextInt(40) == 0)
                    {
                        operation = OPERATIONS[random.nextInt(OPERATIONS.length)];
                    }
                    final String replay = "seed=" + seed + " request #" + i + " " + operation + " body=" + show(body);
                    final RawHttp.Response response;
                    try
                    {
                        response = http.send(RawHttp.request(TARGET + operation, body)).read();
                    }
                    catch (final IOException ex)
                    {
                        throw new AssertionError("no answer (" + ex + ") to " + replay, ex);
                    }
                    if (null == response)
                    {
                        fail("the connection closed without an answer to " + replay);
                    }
                    final String outcome = check(response, replay);
                    tally.merge(operation + " " + outcome, 1, Integer::sum);
                    if (VERBOSE)
                    {
                        System.out.println("FUZZ " + operation + " " + response.status() + " " + response.body());
                    }
                    if ("close".equals(response.headers().get("connection")))
                    {
                        fail("the front closed the connection after answering " + replay + ": " + response.body());
                    }
                }
            }
            finally
            {
                http.close();
            }
            System.out.println("fuzzed answers: " + tally);

            try (RawHttp after = new RawHttp(port))
            {
                assertEquals(controlItem, after.exchange(TARGET + "GetItem", control).body(),
                    "seed=" + seed + ": the control item changed");
                final RawHttp.Response put = after.exchange(TARGET + "PutItem",
                    "{\"TableName\":\"control\",\"Item\":{\"id\":{\"S\":\"after\"}}}");
                assertEquals(200, put.status(), put.body());
                assertEquals("{\"Item\":{\"id\":{\"S\":\"after\"}}}", after.exchange(TARGET + "GetItem",
                    "{\"TableName\":\"control\",\"Key\":{\"id\":{\"S\":\"after\"}},\"ConsistentRead\":true}").body());
            }
        }
    }

    private static void create(final RawHttp http, final String name, final String hash, final String hashType,
        final String range, final String rangeType) throws IOException
    {
        final RawHttp.Response created = http.exchange(TARGET + "CreateTable", json(createTable(name, hash, hashType,
            range, rangeType, false)));
        assertEquals(200, created.status(), created.body());
    }

    /**
     * @return the outcome's name for the tally; fails the test when the answer breaks a rule.
     */
    private static String check(final RawHttp.Response response, final String replay)
    {
        final String body = response.body();
        try
        {
            final JsonIn parser = new JsonIn();
            final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            parser.reset(bytes, 0, bytes.length);
            if (JsonToken.START_OBJECT != parser.nextToken())
            {
                fail("the answer is not a JSON object: " + body + "\nto " + replay);
            }
            parser.skipChildren();
            if (null != parser.nextToken())
            {
                fail("data after the answer's JSON object: " + body + "\nto " + replay);
            }
        }
        catch (final IOException ex)
        {
            fail("the answer is not JSON (" + ex.getMessage() + "): " + body + "\nto " + replay);
        }
        if (200 == response.status())
        {
            if (body.startsWith("{\"__type\""))
            {
                fail("a 200 with an error body: " + body + "\nto " + replay);
            }
            return "200";
        }
        if (400 != response.status())
        {
            fail("status " + response.status() + " (only 200 and 400 are right for a client's input): " + body +
                "\nto " + replay);
        }
        final Matcher type = TYPE.matcher(body);
        if (!type.find() || !ERROR_TYPES.contains(type.group(1)))
        {
            fail("a 400 whose __type is not one of DynamoDB's client errors: " + body + "\nto " + replay);
        }
        if (JAVA_LEAK.matcher(body).find())
        {
            fail("a 400 whose message is a Java exception's, not the rule the request broke: " + body + "\nto " + replay);
        }
        return type.group(1);
    }

    // ---------------------------------------------------------------------------------------------
    // JSON trees: Obj (members in order, duplicates allowed), List (array), String, Raw (number/literal text)
    // ---------------------------------------------------------------------------------------------

    private static final class Obj
    {
        final List<Object[]> members = new ArrayList<>();

        Obj put(final String name, final Object value)
        {
            members.add(new Object[] {name, value});
            return this;
        }
    }

    private record Raw(String text)
    {
    }

    private static Obj obj(final Object... nameValues)
    {
        final Obj obj = new Obj();
        for (int i = 0; i < nameValues.length; i += 2)
        {
            obj.put((String)nameValues[i], nameValues[i + 1]);
        }
        return obj;
    }

    private static List<Object> arr(final Object... elements)
    {
        return new ArrayList<>(Arrays.asList(elements));
    }

    private static Obj av(final String tag, final Object value)
    {
        return obj(tag, value);
    }

    private static String json(final Object tree)
    {
        final StringBuilder out = new StringBuilder();
        write(out, tree, false);
        return out.toString();
    }

    private static byte[] serialize(final SplittableRandom random, final Object tree)
    {
        final StringBuilder out = new StringBuilder();
        write(out, tree, random.nextBoolean());
        // Lone surrogates are always escaped (\\uD800): as raw text they would be encoded as '?'.
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void write(final StringBuilder out, final Object tree, final boolean escapeNonAscii)
    {
        if (tree instanceof Obj obj)
        {
            out.append('{');
            for (int i = 0; i < obj.members.size(); i++)
            {
                if (i > 0)
                {
                    out.append(',');
                }
                writeString(out, (String)obj.members.get(i)[0], escapeNonAscii);
                out.append(':');
                write(out, obj.members.get(i)[1], escapeNonAscii);
            }
            out.append('}');
        }
        else if (tree instanceof List<?> list)
        {
            out.append('[');
            for (int i = 0; i < list.size(); i++)
            {
                if (i > 0)
                {
                    out.append(',');
                }
                write(out, list.get(i), escapeNonAscii);
            }
            out.append(']');
        }
        else if (tree instanceof Raw raw)
        {
            out.append(raw.text());
        }
        else
        {
            writeString(out, (String)tree, escapeNonAscii);
        }
    }

    private static void writeString(final StringBuilder out, final String text, final boolean escapeNonAscii)
    {
        out.append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '"' || c == '\\')
            {
                out.append('\\').append(c);
            }
            else if (c < 0x20 || Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < text.length() &&
                Character.isLowSurrogate(text.charAt(i + 1))) || (escapeNonAscii && c > 0x7e))
            {
                out.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                out.append(c);
            }
        }
        out.append('"');
    }

    /** The body for a failure message: printable ASCII as is, anything else as \\xNN. */
    private static String show(final byte[] body)
    {
        final StringBuilder b = new StringBuilder();
        final int shown = Math.min(body.length, 4_000);
        for (int i = 0; i < shown; i++)
        {
            final int c = body[i] & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '\\')
            {
                b.append((char)c);
            }
            else
            {
                b.append(String.format("\\x%02x", c));
            }
        }
        if (shown < body.length)
        {
            b.append("... (").append(body.length).append(" bytes)");
        }
        return b.toString();
    }

    // ---------------------------------------------------------------------------------------------
    // Valid requests
    // ---------------------------------------------------------------------------------------------

    private static Object valid(final SplittableRandom random, final String operation)
    {
        final String[] table = TABLES[random.nextInt(TABLES.length)];
        return switch (operation)
        {
            case "PutItem" -> withConsumed(random, obj("TableName", table[0], "Item", item(random, table),
                "ConditionExpression", "attribute_not_exists(#a) OR #a < :v", "ExpressionAttributeNames", obj("#a", "n"),
                "ExpressionAttributeValues", obj(":v", av("N", "100")), "ReturnValues", "ALL_OLD"));
            case "GetItem" -> withConsumed(random, obj("TableName", table[0], "Key", key(random, table),
                "ProjectionExpression", "#a, m.x, l[0], s", "ExpressionAttributeNames", obj("#a", "n"),
                "ConsistentRead", new Raw(random.nextBoolean() ? "true" : "false")));
            case "UpdateItem" -> withConsumed(random, obj("TableName", table[0], "Key", key(random, table),
                "UpdateExpression", "SET #a = if_not_exists(#a, :z) + :v, s = :s, l = list_append(if_not_exists(l, :e), :l)" +
                    " REMOVE b ADD ns :ns",
                "ConditionExpression", "attribute_not_exists(bool) OR bool = :t",
                "ExpressionAttributeNames", obj("#a", "n"),
                "ExpressionAttributeValues", obj(":z", av("N", "0"), ":v", av("N", "1"), ":s", av("S", "str"),
                    ":e", av("L", arr()), ":l", av("L", arr(av("N", "5"))), ":ns", av("NS", arr("1", "2")),
                    ":t", av("BOOL", new Raw("true"))),
                "ReturnValues", random.nextBoolean() ? "UPDATED_NEW" : "ALL_OLD"));
            case "DeleteItem" -> withConsumed(random, obj("TableName", table[0], "Key", key(random, table),
                "ConditionExpression", "attribute_exists(s) OR attribute_not_exists(s)", "ReturnValues", "ALL_OLD"));
            case "Query" -> query(random, table);
            case "Scan" -> withConsumed(random, obj("TableName", table[0], "Limit", new Raw("5"), "Segment", new Raw("0"),
                "TotalSegments", new Raw("2"), "FilterExpression", "attribute_exists(n) AND size(s) > :zero",
                "ExpressionAttributeValues", obj(":zero", av("N", "0")), "ProjectionExpression", "s, n",
                "ExclusiveStartKey", key(random, table)));
            case "BatchGetItem" -> obj("RequestItems", obj(table[0], obj("Keys", arr(key(random, table),
                key(random, table)), "ProjectionExpression", "#a", "ExpressionAttributeNames", obj("#a", "s"),
                "ConsistentRead", new Raw("true"))), "ReturnConsumedCapacity", "TOTAL");
            case "BatchWriteItem" -> obj("RequestItems", obj(table[0], arr(obj("PutRequest", obj("Item",
                item(random, table))), obj("DeleteRequest", obj("Key", key(random, table))))),
                "ReturnConsumedCapacity", "INDEXES");
            case "CreateTable" ->
            {
                final String[] types = {"S", "N", "B"};
                yield createTable(SCRATCH_TABLES[random.nextInt(SCRATCH_TABLES.length)], "p",
                    types[random.nextInt(3)], random.nextBoolean() ? "r" : null, types[random.nextInt(3)],
                    random.nextBoolean());
            }
            case "UpdateTable" -> random.nextBoolean() ?
                obj("TableName", SCRATCH_TABLES[random.nextInt(SCRATCH_TABLES.length)], "BillingMode", "PROVISIONED",
                    "ProvisionedThroughput", obj("ReadCapacityUnits", new Raw("5"), "WriteCapacityUnits", new Raw("5"))) :
                obj("TableName", SCRATCH_TABLES[random.nextInt(SCRATCH_TABLES.length)], "BillingMode", "PAY_PER_REQUEST");
            case "DescribeTable" -> obj("TableName", random.nextBoolean() ? table[0] :
                SCRATCH_TABLES[random.nextInt(SCRATCH_TABLES.length)]);
            case "DeleteTable" -> obj("TableName", SCRATCH_TABLES[random.nextInt(SCRATCH_TABLES.length)]);
            default -> obj("Limit", new Raw("2"), "ExclusiveStartTableName", "fz_h");
        };
    }

    private static Obj withConsumed(final SplittableRandom random, final Obj request)
    {
        if (random.nextBoolean())
        {
            request.put("ReturnConsumedCapacity", random.nextBoolean() ? "TOTAL" : "NONE");
        }
        return request;
    }

    private static Obj createTable(final String name, final String hash, final String hashType, final String range,
        final String rangeType, final boolean provisioned)
    {
        final List<Object> definitions = arr(obj("AttributeName", hash, "AttributeType", hashType));
        final List<Object> schema = arr(obj("AttributeName", hash, "KeyType", "HASH"));
        if (null != range)
        {
            definitions.add(obj("AttributeName", range, "AttributeType", rangeType));
            schema.add(obj("AttributeName", range, "KeyType", "RANGE"));
        }
        final Obj request = obj("TableName", name, "AttributeDefinitions", definitions, "KeySchema", schema);
        if (provisioned)
        {
            request.put("BillingMode", "PROVISIONED").put("ProvisionedThroughput",
                obj("ReadCapacityUnits", new Raw("10"), "WriteCapacityUnits", new Raw("10")));
        }
        else
        {
            request.put("BillingMode", "PAY_PER_REQUEST");
        }
        return request;
    }

    private static Obj query(final SplittableRandom random, final String[] table)
    {
        final Obj values = obj(":p", keyValue(random, table[2]));
        final String condition;
        if (null == table[3])
        {
            condition = "#p = :p";
        }
        else if ("N".equals(table[4]) || random.nextBoolean())
        {
            condition = "#p = :p AND #s BETWEEN :lo AND :hi";
            values.put(":lo", keyValue(random, table[4])).put(":hi", keyValue(random, table[4]));
        }
        else
        {
            condition = "#p = :p AND begins_with(#s, :lo)";
            values.put(":lo", keyValue(random, table[4]));
        }
        final Obj names = obj("#p", table[1]);
        if (null != table[3])
        {
            names.put("#s", table[3]);
        }
        final Obj request = obj("TableName", table[0], "KeyConditionExpression", condition,
            "ExpressionAttributeNames", names, "ExpressionAttributeValues", values, "Limit", new Raw("3"),
            "ScanIndexForward", new Raw(random.nextBoolean() ? "true" : "false"), "ExclusiveStartKey", key(random, table));
        if (random.nextBoolean())
        {
            request.put("FilterExpression", "attribute_exists(s)").put("ProjectionExpression", "s, l[0]");
        }
        else
        {
            request.put("Select", "COUNT");
        }
        return withConsumed(random, request);
    }

    private static Obj keyValue(final SplittableRandom random, final String type)
    {
        return switch (type)
        {
            case "S" -> av("S", new String[] {"a", "b", "k1", "zz"}[random.nextInt(4)]);
            case "N" -> av("N", new String[] {"1", "2.5", "-3", "1000"}[random.nextInt(4)]);
            default -> av("B", new String[] {"AAE=", "AQID", "/w==", "AAAA"}[random.nextInt(4)]);
        };
    }

    private static Obj key(final SplittableRandom random, final String[] table)
    {
        final Obj key = obj(table[1], keyValue(random, table[2]));
        if (null != table[3])
        {
            key.put(table[3], keyValue(random, table[4]));
        }
        return key;
    }

    private static Obj item(final SplittableRandom random, final String[] table)
    {
        final Obj item = key(random, table);
        item.put("s", av("S", "text")).put("n", av("N", "42")).put("b", av("B", "AQID"))
            .put("bool", av("BOOL", new Raw("true"))).put("nul", av("NULL", new Raw("true")));
        if (random.nextBoolean())
        {
            item.put("l", av("L", arr(av("N", "1"), av("S", "two"), av("M", obj("x", av("N", "3"))))))
                .put("m", av("M", obj("x", av("N", "1"), "y", av("L", arr()))))
                .put("ss", av("SS", arr("a", "b"))).put("ns", av("NS", arr("1", "2"))).put("bs", av("BS", arr("AAE=")));
        }
        return item;
    }

    // ---------------------------------------------------------------------------------------------
    // Mutations
    // ---------------------------------------------------------------------------------------------

    private static Object mutateTree(final SplittableRandom random, final Object tree)
    {
        final int mutations = random.nextInt(8) == 0 ? 0 : 1 + random.nextInt(3);
        Object result = tree;
        for (int m = 0; m < mutations; m++)
        {
            result = mutateOnce(random, result);
        }
        return result;
    }

    /** A random node's holder: the parent (Obj or List) and the index in it. */
    private record Slot(Object parent, int index)
    {
        Object get()
        {
            return parent instanceof Obj obj ? obj.members.get(index)[1] : ((List<?>)parent).get(index);
        }

        @SuppressWarnings("unchecked")
        void set(final Object value)
        {
            if (parent instanceof Obj obj)
            {
                obj.members.get(index)[1] = value;
            }
            else
            {
                ((List<Object>)parent).set(index, value);
            }
        }

        String name()
        {
            return parent instanceof Obj obj ? (String)obj.members.get(index)[0] : null;
        }
    }

    private static void slots(final Object tree, final List<Slot> out)
    {
        if (tree instanceof Obj obj)
        {
            for (int i = 0; i < obj.members.size(); i++)
            {
                out.add(new Slot(obj, i));
                slots(obj.members.get(i)[1], out);
            }
        }
        else if (tree instanceof List<?> list)
        {
            for (int i = 0; i < list.size(); i++)
            {
                out.add(new Slot(list, i));
                slots(list.get(i), out);
            }
        }
    }

    private static Object mutateOnce(final SplittableRandom random, final Object tree)
    {
        final List<Slot> slots = new ArrayList<>();
        slots(tree, slots);
        if (slots.isEmpty())
        {
            return random.nextBoolean() ? randomJson(random, 0) : tree;
        }
        // Some mutations look for a slot of a kind; they fall back to any slot.
        final Slot any = slots.get(random.nextInt(slots.size()));
        switch (random.nextInt(20))
        {
            case 0 ->
            {
                // drop a member or element
                if (any.parent() instanceof Obj obj)
                {
                    obj.members.remove(any.index());
                }
                else
                {
                    ((List<?>)any.parent()).remove(any.index());
                }
            }
            case 1 ->
            {
                // duplicate a member (a duplicate key) or an element (a duplicate set element)
                if (any.parent() instanceof Obj obj)
                {
                    obj.members.add(any.index(), new Object[] {any.name(), random.nextBoolean() ? any.get() :
                        randomJson(random, 0)});
                }
                else
                {
                    @SuppressWarnings("unchecked") final List<Object> list = (List<Object>)any.parent();
                    list.add(any.index(), any.get());
                }
            }
            case 2, 3 -> any.set(randomJson(random, 0));
            case 4 ->
            {
                // swap an attribute value's type tag
                final Slot tag = find(random, slots, s -> null != s.name() && Arrays.asList(TYPE_TAGS).contains(s.name()));
                if (null != tag)
                {
                    ((Obj)tag.parent()).members.get(tag.index())[0] = TYPE_TAGS[random.nextInt(TYPE_TAGS.length)];
                }
            }
            case 5 -> stringSlot(random, slots, any).set(BAD_NUMBERS[random.nextInt(BAD_NUMBERS.length)]);
            case 6 -> stringSlot(random, slots, any).set(BAD_BASE64[random.nextInt(BAD_BASE64.length)]);
            case 7 -> any.set(new Object[] {"", arr(), obj(), av("SS", arr()), av("S", ""), av("B", ""),
                av("NS", arr()), av("M", obj()), av("L", arr()), new Raw("null")}[random.nextInt(10)]);
            case 8 -> any.set(deep(random));
            case 9 ->
            {
                // a huge or odd member name
                if (any.parent() instanceof Obj obj)
                {
                    obj.members.get(any.index())[0] = random.nextBoolean() ? "n".repeat(1 + random.nextInt(70_000)) :
                        ODD_STRINGS[random.nextInt(ODD_STRINGS.length)];
                }
            }
            case 10 -> stringSlot(random, slots, any).set(ODD_STRINGS[random.nextInt(ODD_STRINGS.length)]);
            case 11 ->
            {
                // an expression of random tokens
                final Slot expression = find(random, slots, s -> null != s.name() && s.name().endsWith("Expression"));
                (null == expression ? any : expression).set(tokens(random));
            }
            case 12 -> placeholders(random, slots, any);
            case 13 ->
            {
                final Slot number = find(random, slots, s -> "Limit".equals(s.name()) || "Segment".equals(s.name()) ||
                    "TotalSegments".equals(s.name()) || s.name() != null && s.name().endsWith("CapacityUnits"));
                (null == number ? any : number).set(new Raw(INTS[random.nextInt(INTS.length)]));
            }
            case 14 ->
            {
                final Slot start = find(random, slots, s -> "ExclusiveStartKey".equals(s.name()) || "Key".equals(s.name()));
                final String[] other = TABLES[random.nextInt(TABLES.length)];
                (null == start ? any : start).set(switch (random.nextInt(5))
                {
                    case 0 -> obj();
                    case 1 -> key(random, other);
                    case 2 -> item(random, other);
                    case 3 -> obj("k", av("N", "1"), "pk", av("S", "a"), "sk", av("B", "AAE="));
                    default -> obj(other[1], av("SS", arr("a")));
                });
            }
            case 15 ->
            {
                final Slot name = find(random, slots, s -> "TableName".equals(s.name()));
                (null == name ? any : name).set(TABLE_NAMES[random.nextInt(TABLE_NAMES.length)]);
            }
            case 16 ->
            {
                // nest an array or object in itself
                any.set(random.nextBoolean() ? arr(any.get()) : obj(any.name() == null ? "x" : any.name(), any.get()));
            }
            case 17 ->
            {
                // add an unknown member, or a known one in the wrong place
                final Slot where = find(random, slots, s -> s.get() instanceof Obj);
                if (null != where)
                {
                    ((Obj)where.get()).put(new String[] {"Unknown", "TableName", "Key", "Item", "Limit", "S", "M",
                        "ReturnValues", "Select", "IndexName"}[random.nextInt(10)], randomJson(random, 0));
                }
            }
            case 18 ->
            {
                // an enum member with a wrong value
                final Slot enumSlot = find(random, slots, s -> null != s.name() && Set.of("ReturnValues", "Select",
                    "ReturnConsumedCapacity", "BillingMode", "KeyType", "AttributeType").contains(s.name()));
                (null == enumSlot ? any : enumSlot).set(new String[] {"", "ALL_NEW", "UPDATED_OLD", "SPECIFIC_ATTRIBUTES",
                    "ALL_PROJECTED_ATTRIBUTES", "INDEXES", "total", "PROVISIONED", "RANGE", "HASH", "BOOL", "SS", "X"}
                    [random.nextInt(13)]);
            }
            default ->
            {
                // many elements: a big list, a big batch, a big set
                final Slot list = find(random, slots, s -> s.get() instanceof List<?>);
                if (null != list)
                {
                    final List<?> elements = (List<?>)list.get();
                    final List<Object> many = new ArrayList<>();
                    final int count = 1 + random.nextInt(150);
                    for (int i = 0; i < count && !elements.isEmpty(); i++)
                    {
                        final Object element = elements.get(i % elements.size());
                        many.add(element instanceof String s && random.nextBoolean() ? s + i : element);
                    }
                    list.set(many);
                }
            }
        }
        return tree;
    }

    private static Slot find(final SplittableRandom random, final List<Slot> slots,
        final java.util.function.Predicate<Slot> test)
    {
        final List<Slot> matching = new ArrayList<>();
        for (final Slot slot : slots)
        {
            if (test.test(slot))
            {
                matching.add(slot);
            }
        }
        return matching.isEmpty() ? null : matching.get(random.nextInt(matching.size()));
    }

    private static Slot stringSlot(final SplittableRandom random, final List<Slot> slots, final Slot fallback)
    {
        final Slot found = find(random, slots, s -> s.get() instanceof String);
        return null == found ? fallback : found;
    }

    private static void placeholders(final SplittableRandom random, final List<Slot> slots, final Slot fallback)
    {
        final boolean names = random.nextBoolean();
        final String member = names ? "ExpressionAttributeNames" : "ExpressionAttributeValues";
        final Slot slot = find(random, slots, s -> member.equals(s.name()) && s.get() instanceof Obj);
        if (null == slot)
        {
            final Slot owner = find(random, slots, s -> s.get() instanceof Obj);
            if (null != owner)
            {
                ((Obj)owner.get()).put(member, names ? obj(PLACEHOLDER_NAMES[random.nextInt(PLACEHOLDER_NAMES.length)], "x") :
                    obj(PLACEHOLDER_VALUES[random.nextInt(PLACEHOLDER_VALUES.length)], av("S", "x")));
            }
            return;
        }
        final Obj map = (Obj)slot.get();
        switch (random.nextInt(3))
        {
            case 0 ->
            {
                if (!map.members.isEmpty())
                {
                    map.members.remove(random.nextInt(map.members.size()));
                }
            }
            case 1 -> map.put(names ? PLACEHOLDER_NAMES[random.nextInt(PLACEHOLDER_NAMES.length)] :
                PLACEHOLDER_VALUES[random.nextInt(PLACEHOLDER_VALUES.length)],
                names ? ODD_STRINGS[random.nextInt(ODD_STRINGS.length)] : randomAttributeValue(random, 0));
            default ->
            {
                if (!map.members.isEmpty())
                {
                    map.members.get(random.nextInt(map.members.size()))[0] = names ?
                        PLACEHOLDER_NAMES[random.nextInt(PLACEHOLDER_NAMES.length)] :
                        PLACEHOLDER_VALUES[random.nextInt(PLACEHOLDER_VALUES.length)];
                }
            }
        }
    }

    private static String tokens(final SplittableRandom random)
    {
        final StringBuilder b = new StringBuilder();
        final int count = 1 + random.nextInt(random.nextInt(5) == 0 ? 80 : 10);
        for (int i = 0; i < count; i++)
        {
            if (b.length() > 0 && random.nextInt(4) != 0)
            {
                b.append(' ');
            }
            b.append(EXPRESSION_TOKENS[random.nextInt(EXPRESSION_TOKENS.length)]);
        }
        return b.toString();
    }

    private static Object deep(final SplittableRandom random)
    {
        final int depth = 1 + random.nextInt(random.nextBoolean() ? 40 : 3_000);
        Object value = random.nextBoolean() ? av("S", "leaf") : new Raw("1");
        for (int i = 0; i < depth; i++)
        {
            value = switch (random.nextInt(3))
            {
                case 0 -> av("L", arr(value));
                case 1 -> av("M", obj("x", value));
                default -> random.nextBoolean() ? arr(value) : obj("x", value);
            };
        }
        return value;
    }

    private static Object randomJson(final SplittableRandom random, final int level)
    {
        return switch (random.nextInt(level > 2 ? 6 : 9))
        {
            case 0 -> ODD_STRINGS[random.nextInt(ODD_STRINGS.length)];
            case 1 -> new Raw(INTS[random.nextInt(INTS.length)]);
            case 2 -> new Raw(random.nextBoolean() ? "true" : "false");
            case 3 -> new Raw("null");
            case 4 -> BAD_NUMBERS[random.nextInt(BAD_NUMBERS.length)];
            case 5 -> new Raw("-1.5e300");
            case 6 -> arr(randomJson(random, level + 1), randomJson(random, level + 1));
            case 7 -> randomAttributeValue(random, level + 1);
            default -> obj("x", randomJson(random, level + 1));
        };
    }

    private static Obj randomAttributeValue(final SplittableRandom random, final int level)
    {
        final String tag = TYPE_TAGS[random.nextInt(TYPE_TAGS.length)];
        final Object value = switch (tag)
        {
            case "S", "s" -> ODD_STRINGS[random.nextInt(ODD_STRINGS.length)];
            case "N" -> random.nextBoolean() ? "1" : BAD_NUMBERS[random.nextInt(BAD_NUMBERS.length)];
            case "B", "b" -> random.nextBoolean() ? "AAE=" : BAD_BASE64[random.nextInt(BAD_BASE64.length)];
            case "BOOL", "NULL" -> new Raw(random.nextBoolean() ? "true" : "false");
            case "SS" -> arr("a", random.nextBoolean() ? "a" : "b");
            case "NS" -> arr("1", random.nextBoolean() ? "1.0" : "2");
            case "BS" -> arr("AAE=", random.nextBoolean() ? "AAE=" : "AQ==");
            case "L" -> level > 3 ? arr() : arr(randomAttributeValue(random, level + 1));
            case "M" -> level > 3 ? obj() : obj("x", randomAttributeValue(random, level + 1));
            default -> randomJson(random, 3);
        };
        return av(tag, value);
    }

    /** JSON syntax damage on the bytes: truncation, trailing garbage, invalid UTF-8, a flipped byte, nesting. */
    private static byte[] damage(final SplittableRandom random, final byte[] body)
    {
        final int at = random.nextInt(body.length + 1);
        return switch (random.nextInt(7))
        {
            case 0 -> Arrays.copyOf(body, at);
            case 1 -> concat(body, new String[] {"}", " x", "{}", "\u0000", ",", "]", " ", "\n\n", "null"}
                [random.nextInt(9)].getBytes(StandardCharsets.UTF_8));
            case 2 ->
            {
                final byte[][] bad = {{(byte)0xff}, {(byte)0xc0, (byte)0x80}, {(byte)0xed, (byte)0xa0, (byte)0x80},
                    {(byte)0xe2, (byte)0x82}, {(byte)0xf4, (byte)0x90, (byte)0x80, (byte)0x80}, {(byte)0x80},
                    {(byte)0xf0, (byte)0x9f, (byte)0x98}};
                final byte[] insert = bad[random.nextInt(bad.length)];
                // Into a string when there is one: find a quote at or after the point.
                int quote = at;
                while (quote < body.length && body[quote] != '"')
                {
                    quote++;
                }
                final int where = quote < body.length ? quote + 1 : at;
                yield concat(concat(Arrays.copyOf(body, where), insert), Arrays.copyOfRange(body, where, body.length));
            }
            case 3 ->
            {
                final byte[] flipped = body.clone();
                if (flipped.length > 0)
                {
                    flipped[Math.min(at, flipped.length - 1)] = (byte)random.nextInt(256);
                }
                yield flipped;
            }
            case 4 -> concat(concat("[".getBytes(StandardCharsets.UTF_8), body), "]".getBytes(StandardCharsets.UTF_8));
            case 5 -> ("[".repeat(1 + random.nextInt(5_000))).getBytes(StandardCharsets.UTF_8);
            default -> concat(concat(Arrays.copyOf(body, at), "\\u".getBytes(StandardCharsets.UTF_8)),
                Arrays.copyOfRange(body, at, body.length));
        };
    }

    private static byte[] concat(final byte[] a, final byte[] b)
    {
        final byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
