package io.ferrite.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
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
 * ExclusiveStartKeys of the wrong shape, JSON syntax damage), sent over one keep-alive connection, now and then
 * a few pipelined. Each answer must be a well-formed HTTP answer with status 200 or 400 and a JSON body; a 400's
 * {@code __type} one of DynamoDB's error types and its message not a Java exception's; the connection usable for the
 * next request. At the end an item written before the fuzzing (in a table the fuzz never names) reads back unchanged
 * and the node still serves.
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
    /** The last three make, change or take tables. */
    private static final String[] OPERATIONS = {"PutItem", "GetItem", "UpdateItem", "DeleteItem", "Query", "Scan",
        "BatchGetItem", "BatchWriteItem", "DescribeTable", "ListTables", "CreateTable", "UpdateTable", "DeleteTable"};
    private static final String[] CONDITIONS = {"attribute_exists(#n1)", "attribute_not_exists(#n1) OR #n1 < :v1",
        "size(#n1) > :v1", "contains(#n1, :v1)", "begins_with(#n1, :v1)", "attribute_type(#n1, :v1)",
        "#n1 BETWEEN :v1 AND :v2", "#n1 IN (:v1, :v2, :v3)", "#n1[0] = :v1", "#n1.x <> :v1",
        "NOT (#n1 = :v1 AND #n2 >= :v2)", "l[1] = :v1 OR m.y = :v2", "size(l[0]) = :v1", "#n1 = #n2",
        "size(#n1) BETWEEN :v1 AND :v2", "contains(l, :v1) AND NOT contains(ss, :v2)"};
    private static final String[] UPDATES = {"SET #n1 = :v1", "SET #n1 = #n1 + :v1", "SET #n1 = :v1 - #n2",
        "ADD #n1 :v1", "DELETE #n1 :v1", "REMOVE #n1", "REMOVE l[0], l[5], m.x", "SET l[7] = :v1", "SET m.x.y = :v1",
        "SET #n1 = list_append(#n1, :v1)", "SET #n1 = list_append(:v1, l)", "SET #n1 = if_not_exists(#n2, :v1)",
        "SET #n1 = :v1, #n2 = :v2 REMOVE #n3", "ADD ns :v1 DELETE ss :v2", "SET n = n + :v1", "SET l[0].x = :v1",
        "SET #n1[0] = :v1", "SET #n1 = #n2 + #n3", "SET m.#n1 = :v1", "REMOVE m.x.y, l[1][0]"};
    private static final String[] PROJECTIONS = {"#n1", "#n1, #n2", "l[0], m.x", "l[99]", "m.x.y.z", "#n1[0].x",
        "l[0], l[1], m"};
    private static final String[] ATTRIBUTE_NAMES = {"s", "n", "b", "l", "m", "ss", "ns", "bs", "bool", "nul",
        "missing", "k", "pk", "sk"};
    private static final Pattern PLACEHOLDER = Pattern.compile("[#:][nv][0-9]");
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
        "é", "fz_h ", "tmp1", "FZ_H", "nope2"};
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
                for (int i = 0; i < requests; )
                {
                    // Mostly one request at a time; now and then a few pipelined, answered in order.
                    final int group = random.nextInt(10) == 0 ? Math.min(2 + random.nextInt(3), requests - i) : 1;
                    final List<String> operations = new ArrayList<>(group);
                    final List<String> replays = new ArrayList<>(group);
                    final ByteArrayOutputStream sent = new ByteArrayOutputStream();
                    for (int g = 0; g < group; g++, i++)
                    {
                        String operation = OPERATIONS[random.nextInt(OPERATIONS.length)];
                        final Object request = mutateTree(random, semantic(random, valid(random, operation), operation));
                        byte[] body = serialize(random, request);
                        if (random.nextInt(6) == 0)
                        {
                            body = damage(random, body);
                        }
                        if (random.nextInt(40) == 0)
                        {
                            // Another operation's body (not a table change's: it could take the tables away)
                            operation = OPERATIONS[random.nextInt(OPERATIONS.length - 3)];
                        }
                        operations.add(operation);
                        replays.add("seed=" + seed + " request #" + i + (group > 1 ? " (pipelined, " + (g + 1) + " of " +
                            group + ")" : "") + " " + operation + " body=" + show(body));
                        sent.writeBytes(RawHttp.request(TARGET + operation, body));
                    }
                    http.send(sent.toByteArray());
                    for (int g = 0; g < group; g++)
                    {
                        final String replay = replays.get(g);
                        final RawHttp.Response response;
                        try
                        {
                            response = http.read();
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
                        tally.merge(operations.get(g) + " " + outcome, 1, Integer::sum);
                        if (VERBOSE)
                        {
                            System.out.println("FUZZ " + operations.get(g) + " " + response.status() + " " +
                                response.body());
                        }
                        if ("close".equals(response.headers().get("connection")))
                        {
                            fail("the front closed the connection after answering " + replay + ": " + response.body());
                        }
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

    private static Obj valid(final SplittableRandom random, final String operation)
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

    /**
     * Replaces a valid request's expressions, names and values, at random, with one of the expression templates
     * over the items' attributes, its placeholders bound to edge values (the largest and smallest numbers, empty and
     * big strings, sets, lists, maps nested to the limit): requests the engine evaluates rather than refuses.
     */
    private static Obj semantic(final SplittableRandom random, final Obj request, final String operation)
    {
        if (random.nextInt(3) == 0 || !Set.of("PutItem", "DeleteItem", "UpdateItem", "GetItem", "Query", "Scan")
            .contains(operation))
        {
            return request;
        }
        // A Query keeps its key condition's names and values; the rest are replaced.
        final Obj names = "Query".equals(operation) ? member(request, "ExpressionAttributeNames") : obj();
        final Obj values = "Query".equals(operation) ? member(request, "ExpressionAttributeValues") : obj();
        request.members.removeIf(m -> ((String)m[0]).startsWith("ExpressionAttribute") ||
            ("ConditionExpression".equals(m[0]) || "UpdateExpression".equals(m[0]) ||
            "FilterExpression".equals(m[0]) || "ProjectionExpression".equals(m[0])));
        final List<String> expressionMembers = new ArrayList<>();
        switch (operation)
        {
            case "PutItem", "DeleteItem" -> expressionMembers.add("ConditionExpression");
            case "UpdateItem" ->
            {
                expressionMembers.add("UpdateExpression");
                if (random.nextBoolean())
                {
                    expressionMembers.add("ConditionExpression");
                }
            }
            case "GetItem" -> expressionMembers.add("ProjectionExpression");
            default ->
            {
                expressionMembers.add(random.nextBoolean() ? "FilterExpression" : "ProjectionExpression");
                if (random.nextBoolean())
                {
                    expressionMembers.add("ProjectionExpression".equals(expressionMembers.get(0)) ?
                        "FilterExpression" : "ProjectionExpression");
                }
            }
        }
        for (final String member : expressionMembers)
        {
            final String[] templates = member.startsWith("Update") ? UPDATES : member.startsWith("Projection") ?
                PROJECTIONS : CONDITIONS;
            final String template = templates[random.nextInt(templates.length)];
            final String prefix = member.substring(0, 1).toLowerCase(Locale.ROOT);
            final Matcher placeholders = PLACEHOLDER.matcher(template);
            final StringBuilder text = new StringBuilder();
            while (placeholders.find())
            {
                // Per expression: #nK and :vK become #<prefix>nK and :<prefix>vK, so that two expressions do not clash.
                final String placeholder = placeholders.group().charAt(0) + prefix + placeholders.group().substring(1);
                placeholders.appendReplacement(text, placeholder);
                if ('#' == placeholder.charAt(0) && !has(names, placeholder))
                {
                    names.put(placeholder, ATTRIBUTE_NAMES[random.nextInt(ATTRIBUTE_NAMES.length)]);
                }
                else if (':' == placeholder.charAt(0) && !has(values, placeholder))
                {
                    values.put(placeholder, edgeValue(random));
                }
            }
            placeholders.appendTail(text);
            request.put(member, text.toString());
        }
        if (!names.members.isEmpty())
        {
            request.put("ExpressionAttributeNames", names);
        }
        if (!values.members.isEmpty())
        {
            request.put("ExpressionAttributeValues", values);
        }
        return request;
    }

    private static Obj member(final Obj obj, final String name)
    {
        return (Obj)obj.members.stream().filter(m -> name.equals(m[0])).map(m -> m[1]).findFirst().orElseGet(Obj::new);
    }

    private static boolean has(final Obj obj, final String name)
    {
        return obj.members.stream().anyMatch(m -> name.equals(m[0]));
    }

    /** A value DynamoDB accepts but that is at one of its limits, or of a type an expression may not expect. */
    private static Obj edgeValue(final SplittableRandom random)
    {
        return switch (random.nextInt(24))
        {
            case 0 -> av("N", "9.9999999999999999999999999999999999999E+125");
            case 1 -> av("N", "-9.9999999999999999999999999999999999999E+125");
            case 2 -> av("N", "1E-130");
            case 3 -> av("N", "-1E-130");
            case 4 -> av("N", "12345678901234567890123456789012345678");
            case 5 -> av("N", "0");
            case 6 -> av("N", random.nextBoolean() ? "1" : "-1");
            case 7 -> av("S", "");
            case 8 -> av("S", random.nextInt(10) == 0 ? "x".repeat(200_000 + random.nextInt(250_000)) : "a");
            case 9 -> av("S", "\ud83d\ude00é");
            case 10 -> av("B", random.nextInt(10) == 0 ? "QUFB".repeat(50_000 + random.nextInt(60_000)) : "AAE=");
            case 11 -> av("SS", arr("a", "b", ""));
            case 12 -> av("NS", arr("1", "9.9999999999999999999999999999999999999E+125", "-1E-130"));
            case 13 -> av("BS", arr("AAE=", "AQ=="));
            case 14 -> av("L", arr());
            case 15 -> av("L", arr(av("N", "1"), av("L", arr(av("S", "a")))));
            case 16 -> av("M", obj());
            case 17 -> av("M", obj("x", av("M", obj("y", av("N", "2"))), "y", av("NULL", new Raw("true"))));
            case 18 -> av("BOOL", new Raw("false"));
            case 19 -> av("NULL", new Raw("true"));
            case 20 -> nested(30 + random.nextInt(5));
            case 21 -> av("SS", arr("a"));
            case 22 -> av("S", new String[] {"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL", "X"}
                [random.nextInt(11)]);
            default -> av("N", "1.5");
        };
    }

    /** A value nested {@code levels} deep in alternating maps and lists (DynamoDB's limit is 32). */
    private static Obj nested(final int levels)
    {
        Obj value = av("N", "1");
        for (int i = 0; i < levels; i++)
        {
            value = i % 2 == 0 ? av("M", obj("x", value)) : av("L", arr(value));
        }
        return value;
    }

    private static Obj withConsumed(final SplittableRandom random, final Obj request)
    {
        if (random.nextBoolean())
        {
            request.put("ReturnConsumedCapacity", random.nextBoolean() ? "TOTAL" : "NONE");
        }
        if (random.nextInt(4) == 0 && has(request, "ConditionExpression"))
        {
            request.put("ReturnValuesOnConditionCheckFailure", random.nextBoolean() ? "ALL_OLD" : "NONE");
        }
        if (random.nextInt(3) == 0 && has(request, "ReturnValues"))
        {
            request.members.removeIf(m -> "ReturnValues".equals(m[0]));
            request.put("ReturnValues", new String[] {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"}
                [random.nextInt(5)]);
        }
        if (random.nextInt(4) == 0 && (has(request, "KeyConditionExpression") || has(request, "Segment")))
        {
            request.members.removeIf(m -> "Select".equals(m[0]));
            request.put("Select", new String[] {"ALL_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT"}[random.nextInt(3)]);
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
            // The smallest and largest of keyValue's choices, or one of them twice: a valid range.
            final Obj one = keyValue(random, table[4]);
            final boolean range = random.nextBoolean();
            values.put(":lo", range ? av(table[4], switch (table[4])
            {
                case "S" -> "a";
                case "N" -> "-3";
                default -> "AAAA";
            }) : one).put(":hi", range ? av(table[4], switch (table[4])
            {
                case "S" -> "zz";
                case "N" -> "1000";
                default -> "/w==";
            }) : one);
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
            "ScanIndexForward", new Raw(random.nextBoolean() ? "true" : "false"));
        if (random.nextBoolean())
        {
            // A start key in the queried partition.
            final Obj start = key(random, table);
            start.members.get(0)[1] = ((Obj)values.members.get(0)[1]);
            request.put("ExclusiveStartKey", start);
        }
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
        if (random.nextInt(3) == 0)
        {
            item.put(new String[] {"e1", "e2", "n", "l", "m", "s"}[random.nextInt(6)], edgeValue(random));
        }
        return item;
    }

    // ---------------------------------------------------------------------------------------------
    // Mutations
    // ---------------------------------------------------------------------------------------------

    private static Object mutateTree(final SplittableRandom random, final Object tree)
    {
        final int mutations = random.nextInt(3) == 0 ? 0 : random.nextInt(3) != 0 ? 1 : 2 + random.nextInt(2);
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
