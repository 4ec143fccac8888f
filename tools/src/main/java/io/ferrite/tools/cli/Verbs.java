package io.ferrite.tools.cli;

import io.ferrite.engine.admission.BillingMode;
import io.ferrite.engine.admission.ConsumedCapacity;
import io.ferrite.engine.admission.ReturnConsumedCapacity;
import io.ferrite.engine.admission.TableCapacity;
import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.engine.api.Page;
import io.ferrite.engine.api.ReturnValuesOnConditionCheckFailure;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableDescription;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.tools.cli.CliArgs.Kind;
import io.ferrite.tools.cli.CliArgs.Option;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The verbs of {@code ferrite cli}: each takes the AWS CLI's options for its DynamoDB operation, calls the
 * {@link CliBackend}, and returns the response as the AWS CLI prints it.
 * <p>
 * Threading: one instance per command, one thread.
 */
final class Verbs
{
    /**
     * A response to print.
     *
     * @param tree  the (merged) response; an empty map prints nothing, as the AWS CLI.
     * @param pages for text output of a paginated verb, one tree per page; null otherwise.
     */
    record Response(Map<String, Object> tree, List<Map<String, Object>> pages)
    {
        static Response of(final Map<String, Object> tree)
        {
            return new Response(tree, null);
        }
    }

    /**
     * A verb's handler.
     */
    @FunctionalInterface
    interface Handler
    {
        Response run(Verbs verbs, CliArgs args);
    }

    /**
     * A verb: its name, the DynamoDB operation it calls, its options, and whether the AWS CLI paginates it.
     *
     * @param name      e.g. {@code put-item}.
     * @param operation e.g. {@code PutItem}.
     * @param options   what it accepts.
     * @param paginated true for query, scan and list-tables.
     * @param handler   what it does.
     */
    record Verb(String name, String operation, List<Option> options, boolean paginated, Handler handler)
    {
    }

    static final String TABLE_ARN_PREFIX = "arn:aws:dynamodb:ferrite:000000000000:table/";

    private static final List<Option> WRITE_EXTRAS = List.of(
        opt("return-consumed-capacity", Kind.STRING), opt("return-item-collection-metrics", Kind.STRING),
        opt("condition-expression", Kind.STRING), opt("expected", Kind.STRUCTURE),
        opt("conditional-operator", Kind.STRING), opt("expression-attribute-names", Kind.STRUCTURE),
        opt("expression-attribute-values", Kind.STRUCTURE), opt("return-values", Kind.STRING),
        opt("return-values-on-condition-check-failure", Kind.STRING));

    static final List<Verb> VERBS = List.of(
        new Verb("create-table", "CreateTable", List.of(
            req("table-name", Kind.STRING), req("attribute-definitions", Kind.LIST), req("key-schema", Kind.LIST),
            opt("billing-mode", Kind.STRING), opt("provisioned-throughput", Kind.STRUCTURE),
            opt("local-secondary-indexes", Kind.LIST), opt("global-secondary-indexes", Kind.LIST),
            opt("stream-specification", Kind.STRUCTURE), opt("sse-specification", Kind.STRUCTURE),
            opt("tags", Kind.LIST), opt("table-class", Kind.STRING), opt("deletion-protection-enabled", Kind.BOOLEAN)),
            false, Verbs::createTable),
        new Verb("update-table", "UpdateTable", List.of(
            req("table-name", Kind.STRING), opt("billing-mode", Kind.STRING), opt("provisioned-throughput", Kind.STRUCTURE),
            opt("attribute-definitions", Kind.LIST), opt("global-secondary-index-updates", Kind.LIST),
            opt("stream-specification", Kind.STRUCTURE), opt("replica-updates", Kind.LIST)),
            false, Verbs::updateTable),
        new Verb("describe-table", "DescribeTable", List.of(req("table-name", Kind.STRING)), false,
            Verbs::describeTable),
        new Verb("list-tables", "ListTables", List.of(
            opt("exclusive-start-table-name", Kind.STRING), opt("limit", Kind.INTEGER)), true, Verbs::listTables),
        new Verb("delete-table", "DeleteTable", List.of(req("table-name", Kind.STRING)), false, Verbs::deleteTable),
        new Verb("put-item", "PutItem", concat(List.of(req("table-name", Kind.STRING), req("item", Kind.STRUCTURE)),
            WRITE_EXTRAS), false, Verbs::putItem),
        new Verb("get-item", "GetItem", List.of(
            req("table-name", Kind.STRING), req("key", Kind.STRUCTURE), opt("consistent-read", Kind.BOOLEAN),
            opt("projection-expression", Kind.STRING), opt("attributes-to-get", Kind.LIST),
            opt("expression-attribute-names", Kind.STRUCTURE), opt("return-consumed-capacity", Kind.STRING)),
            false, Verbs::getItem),
        new Verb("update-item", "UpdateItem", concat(List.of(
            req("table-name", Kind.STRING), req("key", Kind.STRUCTURE), opt("update-expression", Kind.STRING),
            opt("attribute-updates", Kind.STRUCTURE)), WRITE_EXTRAS), false, Verbs::updateItem),
        new Verb("delete-item", "DeleteItem", concat(List.of(req("table-name", Kind.STRING),
            req("key", Kind.STRUCTURE)), WRITE_EXTRAS), false, Verbs::deleteItem),
        new Verb("query", "Query", List.of(
            req("table-name", Kind.STRING), opt("key-condition-expression", Kind.STRING),
            opt("key-conditions", Kind.STRUCTURE), opt("expression-attribute-names", Kind.STRUCTURE),
            opt("expression-attribute-values", Kind.STRUCTURE), opt("scan-index-forward", Kind.BOOLEAN),
            opt("consistent-read", Kind.BOOLEAN), opt("limit", Kind.INTEGER),
            opt("exclusive-start-key", Kind.STRUCTURE), opt("select", Kind.STRING),
            opt("projection-expression", Kind.STRING), opt("filter-expression", Kind.STRING),
            opt("index-name", Kind.STRING), opt("return-consumed-capacity", Kind.STRING)),
            true, Verbs::query),
        new Verb("scan", "Scan", List.of(
            req("table-name", Kind.STRING), opt("segment", Kind.INTEGER), opt("total-segments", Kind.INTEGER),
            opt("consistent-read", Kind.BOOLEAN), opt("limit", Kind.INTEGER),
            opt("exclusive-start-key", Kind.STRUCTURE), opt("select", Kind.STRING),
            opt("projection-expression", Kind.STRING), opt("filter-expression", Kind.STRING),
            opt("expression-attribute-names", Kind.STRUCTURE), opt("expression-attribute-values", Kind.STRUCTURE),
            opt("index-name", Kind.STRING), opt("return-consumed-capacity", Kind.STRING)),
            true, Verbs::scan),
        new Verb("batch-get-item", "BatchGetItem", List.of(
            req("request-items", Kind.STRUCTURE), opt("return-consumed-capacity", Kind.STRING)),
            false, Verbs::batchGetItem),
        new Verb("batch-write-item", "BatchWriteItem", List.of(
            req("request-items", Kind.STRUCTURE), opt("return-consumed-capacity", Kind.STRING),
            opt("return-item-collection-metrics", Kind.STRING)), false, Verbs::batchWriteItem),
        new Verb("wait table-exists", "DescribeTable", List.of(req("table-name", Kind.STRING)), false,
            (verbs, args) -> verbs.waitFor(args, true)),
        new Verb("wait table-not-exists", "DescribeTable", List.of(req("table-name", Kind.STRING)), false,
            (verbs, args) -> verbs.waitFor(args, false)));

    /** Polls of a waiter before it gives up, as the AWS CLI's DynamoDB waiters (25 polls, 20 s apart there). */
    static final int WAITER_ATTEMPTS = 25;
    /** Milliseconds between a waiter's polls: Ferrite's table changes are immediate, so poll briskly. */
    static final long WAITER_DELAY_MS = 1_000;

    /** The options the AWS CLI adds to a paginated verb. */
    static final List<Option> PAGING = List.of(
        opt("max-items", Kind.INTEGER), opt("starting-token", Kind.STRING), opt("page-size", Kind.INTEGER));

    private final CliBackend backend;
    private final BatchRunner batchRunner;
    private final boolean paginate;
    private final CliCommand.Sleeper sleeper;

    Verbs(final CliBackend backend, final BatchRunner batchRunner, final boolean paginate, final CliCommand.Sleeper sleeper)
    {
        this.backend = backend;
        this.batchRunner = batchRunner;
        this.paginate = paginate;
        this.sleeper = sleeper;
    }

    static Verb find(final String name)
    {
        for (final Verb verb : VERBS)
        {
            if (verb.name().equals(name))
            {
                return verb;
            }
        }
        return null;
    }

    private static Option req(final String name, final Kind kind)
    {
        return new Option(name, kind, true);
    }

    private static Option opt(final String name, final Kind kind)
    {
        return new Option(name, kind, false);
    }

    private static List<Option> concat(final List<Option> a, final List<Option> b)
    {
        final List<Option> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    // ---------------------------------------------------------------- table management

    private Response createTable(final CliArgs args)
    {
        final String tableName = args.string("table-name");
        for (final String unsupported : List.of("local-secondary-indexes", "global-secondary-indexes",
            "stream-specification"))
        {
            if (args.has(unsupported))
            {
                throw FerriteException.validation("ferrite does not support --" + unsupported + " yet: tables have " +
                    "a primary key only (no secondary indexes, no streams)");
            }
        }

        final Map<String, String> definitions = new LinkedHashMap<>();
        final List<CliArgs.Value> definitionValues = args.list("attribute-definitions");
        for (int i = 0; i < definitionValues.size(); i++)
        {
            final Map<String, Object> definition = structure(definitionValues.get(i), "AttributeDefinitions[" + i + "]",
                List.of("AttributeName", "AttributeType"), List.of("AttributeName", "AttributeType"));
            final String type = DynamoJson.requireString(definition.get("AttributeType"),
                "AttributeDefinitions[" + i + "].AttributeType");
            if (!type.equals("S") && !type.equals("N") && !type.equals("B"))
            {
                throw FerriteException.validation("1 validation error detected: Value '" + type + "' at " +
                    "'attributeDefinitions." + (i + 1) + ".member.attributeType' failed to satisfy constraint: " +
                    "Member must satisfy enum value set: [B, N, S]");
            }
            definitions.put(DynamoJson.requireString(definition.get("AttributeName"),
                "AttributeDefinitions[" + i + "].AttributeName"), type);
        }

        final List<String[]> keySchema = new ArrayList<>();
        final List<CliArgs.Value> keyValues = args.list("key-schema");
        for (int i = 0; i < keyValues.size(); i++)
        {
            final Map<String, Object> element = structure(keyValues.get(i), "KeySchema[" + i + "]",
                List.of("AttributeName", "KeyType"), List.of("AttributeName", "KeyType"));
            keySchema.add(new String[]{
                DynamoJson.requireString(element.get("AttributeName"), "KeySchema[" + i + "].AttributeName"),
                DynamoJson.requireString(element.get("KeyType"), "KeySchema[" + i + "].KeyType") });
        }

        final TableCapacity capacity = capacity(args, true);

        if (keySchema.size() > 2)
        {
            throw FerriteException.validation("1 validation error detected: Value at 'keySchema' failed to satisfy " +
                "constraint: Member must have length less than or equal to 2");
        }
        if (!"HASH".equals(keySchema.get(0)[1]))
        {
            throw FerriteException.validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
        }
        if (keySchema.size() == 2 && !"RANGE".equals(keySchema.get(1)[1]))
        {
            throw FerriteException.validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
        }
        final List<String> undefined = new ArrayList<>();
        keySchema.forEach(k ->
        {
            if (!definitions.containsKey(k[0]))
            {
                undefined.add(k[0]);
            }
        });
        if (!undefined.isEmpty())
        {
            throw FerriteException.validation("One or more parameter values were invalid: Some index key attributes " +
                "are not defined in AttributeDefinitions. Keys: " + undefined + ", AttributeDefinitions: " +
                new ArrayList<>(definitions.keySet()));
        }
        if (definitions.size() != keySchema.size())
        {
            throw FerriteException.validation("One or more parameter values were invalid: Number of attributes in " +
                "KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
        }

        TableSpec spec = TableSpec.of(tableName).partitionKey(keySchema.get(0)[0],
            KeyType.valueOf(definitions.get(keySchema.get(0)[0])));
        if (keySchema.size() == 2)
        {
            spec = spec.sortKey(keySchema.get(1)[0], KeyType.valueOf(definitions.get(keySchema.get(1)[0])));
        }
        return Response.of(single("TableDescription", tableDescription(backend.createTable(spec.capacity(capacity)))));
    }

    private Response updateTable(final CliArgs args)
    {
        final String tableName = args.string("table-name");
        for (final String unsupported : List.of("attribute-definitions", "global-secondary-index-updates",
            "stream-specification", "replica-updates"))
        {
            if (args.has(unsupported))
            {
                throw FerriteException.validation("ferrite does not support --" + unsupported + " yet: update-table " +
                    "changes --billing-mode and --provisioned-throughput only");
            }
        }
        final TableCapacity current = backend.describeTable(tableName).spec().capacity();
        final TableCapacity requested = capacity(args, false);
        final String mode = args.string("billing-mode");
        final TableCapacity capacity = TableCapacity.forUpdate(current,
            null == mode ? null : BillingMode.valueOf(mode), requested.readCapacityUnits(), requested.writeCapacityUnits());
        return Response.of(single("TableDescription", tableDescription(backend.updateTable(tableName, capacity))));
    }

    /**
     * Reads --billing-mode and --provisioned-throughput with the AWS CLI's and DynamoDB's checks. For create-table the
     * result is the table's capacity (no --billing-mode means PROVISIONED, as DynamoDB's default); for update-table
     * it holds the units given (0 when not given) for {@link TableCapacity#forUpdate}.
     */
    private static TableCapacity capacity(final CliArgs args, final boolean forCreate)
    {
        final String billingMode = args.string("billing-mode");
        if (null != billingMode && !billingMode.equals("PROVISIONED") && !billingMode.equals("PAY_PER_REQUEST"))
        {
            throw FerriteException.validation("1 validation error detected: Value '" + billingMode +
                "' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: " +
                "[PROVISIONED, PAY_PER_REQUEST]");
        }
        final CliArgs.Value throughput = args.structure("provisioned-throughput");
        long read = 0;
        long write = 0;
        if (null != throughput)
        {
            final Map<String, Object> units = structure(throughput, "ProvisionedThroughput",
                List.of("ReadCapacityUnits", "WriteCapacityUnits"), List.of("ReadCapacityUnits", "WriteCapacityUnits"));
            for (final String unit : List.of("ReadCapacityUnits", "WriteCapacityUnits"))
            {
                final long value = integer(units.get(unit), "ProvisionedThroughput." + unit, throughput.shorthand());
                if (value < 1)
                {
                    throw ParamException.validation("Invalid value for parameter ProvisionedThroughput." + unit +
                        ", value: " + value + ", valid min value: 1");
                }
                if (unit.equals("ReadCapacityUnits"))
                {
                    read = value;
                }
                else
                {
                    write = value;
                }
            }
        }
        if (!forCreate)
        {
            return new TableCapacity(BillingMode.PROVISIONED, read, write);
        }
        return TableCapacity.forCreate(null == billingMode ? BillingMode.PROVISIONED : BillingMode.valueOf(billingMode),
            read, write);
    }

    private Response describeTable(final CliArgs args)
    {
        return Response.of(single("Table", tableDescription(backend.describeTable(args.string("table-name")))));
    }

    private Response deleteTable(final CliArgs args)
    {
        return Response.of(single("TableDescription", tableDescription(backend.deleteTable(args.string("table-name")))));
    }

    private Response listTables(final CliArgs args)
    {
        final int limit = args.integer("limit", 0);
        if (args.has("limit") && (limit < 1 || limit > 100))
        {
            throw FerriteException.validation("1 validation error detected: Value '" + limit + "' at 'limit' failed " +
                "to satisfy constraint: Member must have value " + (limit < 1 ? "greater than or equal to 1" :
                "less than or equal to 100"));
        }
        final Pager.Fetch fetch = (start, pageSize) ->
        {
            final List<String> names = new ArrayList<>();
            final String last = backend.listTables((String)start, pageSize, names);
            return new Pager.Chunk(new ArrayList<>(names), names.size(), names.size(), last);
        };
        if (!paginate || args.has("limit") || args.has("exclusive-start-table-name"))
        {
            final Pager.Chunk page = fetch.fetch(args.string("exclusive-start-table-name"), limit);
            final Map<String, Object> tree = single("TableNames", page.results());
            if (null != page.next())
            {
                tree.put("LastEvaluatedTableName", page.next());
            }
            return Response.of(tree);
        }
        final Pager.Result result = Pager.paginate(fetch, "ExclusiveStartTableName", args.integer("max-items", 0),
            args.string("starting-token"), args.integer("page-size", 0), false);
        final Map<String, Object> tree = single("TableNames", result.results());
        if (null != result.nextToken())
        {
            tree.put("NextToken", result.nextToken());
        }
        final List<Map<String, Object>> pages = new ArrayList<>();
        result.pages().forEach(p -> pages.add(single("TableNames", p.results())));
        return new Response(tree, pages);
    }

    private Response waitFor(final CliArgs args, final boolean exists)
    {
        final String tableName = args.string("table-name");
        for (int attempt = 1; attempt <= WAITER_ATTEMPTS; attempt++)
        {
            boolean found;
            try
            {
                found = "ACTIVE".equals(backend.describeTable(tableName).status());
            }
            catch (final FerriteException ex)
            {
                if (ex.code() != io.ferrite.codecs.sbe.ErrorCode.ResourceNotFoundException)
                {
                    throw ex;
                }
                found = false;
            }
            if (found == exists)
            {
                return Response.of(new LinkedHashMap<>());
            }
            try
            {
                sleeper.sleep(WAITER_DELAY_MS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("Waiter " + (exists ? "TableExists" : "TableNotExists") + " failed: Max " +
            "attempts exceeded");
    }

    /**
     * @param description the database's description of a table.
     * @return DynamoDB's TableDescription shape.
     */
    static Map<String, Object> tableDescription(final TableDescription description)
    {
        final TableSpec spec = description.spec();
        final Map<String, Object> tree = new LinkedHashMap<>();
        final List<Object> definitions = new ArrayList<>();
        final List<Object> keySchema = new ArrayList<>();
        definitions.add(pair("AttributeName", spec.partitionKeyName(), "AttributeType", spec.partitionKeyType().name()));
        keySchema.add(pair("AttributeName", spec.partitionKeyName(), "KeyType", "HASH"));
        if (null != spec.sortKeyName())
        {
            definitions.add(pair("AttributeName", spec.sortKeyName(), "AttributeType", spec.sortKeyType().name()));
            keySchema.add(pair("AttributeName", spec.sortKeyName(), "KeyType", "RANGE"));
        }
        tree.put("AttributeDefinitions", definitions);
        tree.put("TableName", spec.tableName());
        tree.put("KeySchema", keySchema);
        tree.put("TableStatus", description.status());
        tree.put("CreationDateTime", isoDateTime(description.createdEpochMs()));
        final TableCapacity capacity = spec.capacity();
        final Map<String, Object> throughput = new LinkedHashMap<>();
        throughput.put("NumberOfDecreasesToday", 0);
        throughput.put("ReadCapacityUnits", capacity.readCapacityUnits());
        throughput.put("WriteCapacityUnits", capacity.writeCapacityUnits());
        tree.put("ProvisionedThroughput", throughput);
        tree.put("TableSizeBytes", description.sizeBytes());
        tree.put("ItemCount", description.itemCount());
        tree.put("TableArn", TABLE_ARN_PREFIX + spec.tableName());
        if (BillingMode.PAY_PER_REQUEST == capacity.billingMode())
        {
            tree.put("BillingModeSummary", single("BillingMode", "PAY_PER_REQUEST"));
        }
        return tree;
    }

    /**
     * @param epochMs a time.
     * @return it as the AWS CLI prints a timestamp: Python's isoformat in the local zone, microseconds
     * only when not zero.
     */
    static String isoDateTime(final long epochMs)
    {
        final ZonedDateTime time = Instant.ofEpochMilli(epochMs).atZone(ZoneId.systemDefault());
        final String pattern = time.getNano() == 0 ? "yyyy-MM-dd'T'HH:mm:ssxxx" : "yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx";
        return time.format(DateTimeFormatter.ofPattern(pattern));
    }

    // ---------------------------------------------------------------- items

    private Response putItem(final CliArgs args)
    {
        final CliBackend.ExpressionSpec expressions = expressionSpec(args);
        rejectConditions(args);
        final ReturnValues returnValues = returnValues(args, true);
        final Map<String, AttributeValue> item = item(args, "item", "Item");
        final ReturnConsumedCapacity consumed = returnConsumedCapacity(args);
        final Map<String, AttributeValue> old = backend.putItem(args.string("table-name"), item, returnValues, expressions);
        return withConsumedCapacity(Response.of(null == old ? new LinkedHashMap<>() :
            single("Attributes", DynamoJson.fromItem(old))), consumed);
    }

    private Response getItem(final CliArgs args)
    {
        final CliBackend.ExpressionSpec expressions = expressionSpec(args);
        final Map<String, AttributeValue> key = item(args, "key", "Key");
        final List<String> projection = attributesToGet(args);
        final ReturnConsumedCapacity consumed = returnConsumedCapacity(args);
        final Map<String, AttributeValue> item = backend.getItem(args.string("table-name"), key,
            args.bool("consistent-read", false), expressions);
        return withConsumedCapacity(Response.of(null == item ? new LinkedHashMap<>() :
            single("Item", DynamoJson.fromItem(project(item, projection)))), consumed);
    }

    private Response updateItem(final CliArgs args)
    {
        final CliBackend.ExpressionSpec expressions = expressionSpec(args);
        rejectConditions(args);
        final ReturnValues returnValues = returnValues(args, false);
        final Map<String, AttributeValue> key = item(args, "key", "Key");
        final Map<String, AttributeValue> set = new LinkedHashMap<>();
        final List<String> remove = new ArrayList<>();
        if (args.has("update-expression") && args.has("attribute-updates"))
        {
            throw FerriteException.validation("Can not use both expression and non-expression parameters in the " +
                "same request: Non-expression parameters: {AttributeUpdates} Expression parameters: " +
                "{UpdateExpression}");
        }
        final boolean byExpression = !args.has("attribute-updates");
        if (!byExpression)
        {
            if (args.has("condition-expression") || args.has("expression-attribute-names") ||
                args.has("expression-attribute-values"))
            {
                throw FerriteException.validation("Can not use both expression and non-expression parameters in the " +
                    "same request: Non-expression parameters: {AttributeUpdates} Expression parameters: " +
                    "{ConditionExpression}");
            }
            attributeUpdates(args.structure("attribute-updates"), set, remove);
        }
        final ReturnConsumedCapacity consumed = returnConsumedCapacity(args);
        final Map<String, AttributeValue> returned = byExpression ?
            backend.updateItem(args.string("table-name"), key, returnValues, expressions) :
            backend.updateItem(args.string("table-name"), key, set, remove, returnValues);
        return withConsumedCapacity(Response.of(null == returned || ReturnValues.NONE == returnValues ?
            new LinkedHashMap<>() : single("Attributes", DynamoJson.fromItem(returned))), consumed);
    }

    private Response deleteItem(final CliArgs args)
    {
        final CliBackend.ExpressionSpec expressions = expressionSpec(args);
        rejectConditions(args);
        final ReturnValues returnValues = returnValues(args, true);
        final Map<String, AttributeValue> key = item(args, "key", "Key");
        final ReturnConsumedCapacity consumed = returnConsumedCapacity(args);
        final Map<String, AttributeValue> old = backend.deleteItem(args.string("table-name"), key, returnValues,
            expressions);
        return withConsumedCapacity(Response.of(null == old ? new LinkedHashMap<>() :
            single("Attributes", DynamoJson.fromItem(old))), consumed);
    }

    /**
     * Reads --return-consumed-capacity (NONE, TOTAL, INDEXES) and tells the backend, before the operation.
     */
    private ReturnConsumedCapacity returnConsumedCapacity(final CliArgs args)
    {
        final String value = args.string("return-consumed-capacity");
        final ReturnConsumedCapacity mode;
        if (null == value || "NONE".equals(value))
        {
            mode = ReturnConsumedCapacity.NONE;
        }
        else if ("TOTAL".equals(value) || "INDEXES".equals(value))
        {
            mode = ReturnConsumedCapacity.valueOf(value);
        }
        else
        {
            throw FerriteException.validation("1 validation error detected: Value '" + value + "' at " +
                "'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: " +
                "[INDEXES, TOTAL, NONE]");
        }
        backend.returnConsumedCapacity(mode);
        return mode;
    }

    /**
     * Adds DynamoDB's ConsumedCapacity to an answer when it was asked for and the backend knows it (a node does; the
     * embedded engine does not count capacity): TOTAL gives TableName and CapacityUnits, INDEXES adds the table's
     * own share under "Table" (Ferrite's tables have no secondary indexes).
     */
    private Response withConsumedCapacity(final Response response, final ReturnConsumedCapacity mode)
    {
        final ConsumedCapacity consumed = backend.lastConsumedCapacity();
        if (ReturnConsumedCapacity.NONE == mode || null == consumed)
        {
            return response;
        }
        final Map<String, Object> capacity = new LinkedHashMap<>();
        capacity.put("TableName", consumed.tableName());
        capacity.put("CapacityUnits", consumed.capacityUnits());
        if (ReturnConsumedCapacity.INDEXES == mode)
        {
            capacity.put("Table", single("CapacityUnits", consumed.capacityUnits()));
        }
        response.tree().put("ConsumedCapacity", capacity);
        return response;
    }

    private static void attributeUpdates(
        final CliArgs.Value value, final Map<String, AttributeValue> set, final List<String> remove)
    {
        final Map<String, Object> updates = DynamoJson.requireMap(value.tree(), "AttributeUpdates");
        for (final Map.Entry<String, Object> entry : updates.entrySet())
        {
            final String path = "AttributeUpdates." + entry.getKey();
            final Map<String, Object> update = structure(new CliArgs.Value(entry.getValue(), value.shorthand()), path,
                List.of("Value", "Action"), List.of());
            final String action = null == update.get("Action") ? "PUT" :
                DynamoJson.requireString(update.get("Action"), path + ".Action");
            if ("PUT".equals(action) && update.containsKey("Value"))
            {
                set.put(entry.getKey(), DynamoJson.toValue(update.get("Value"), path + ".Value", value.shorthand()));
            }
            else if ("DELETE".equals(action) && !update.containsKey("Value"))
            {
                remove.add(entry.getKey());
            }
            else
            {
                throw FerriteException.validation("ferrite supports only AttributeUpdates actions PUT (with a Value) " +
                    "and DELETE (without one) yet; got " + action + " for " + entry.getKey());
            }
        }
    }

    // ---------------------------------------------------------------- query and scan

    private Response query(final CliArgs args)
    {
        rejectUnsupportedReads(args);
        if (args.has("key-conditions"))
        {
            throw FerriteException.validation("ferrite supports --key-condition-expression, not the legacy " +
                "--key-conditions parameter");
        }
        if (!args.has("key-condition-expression"))
        {
            throw FerriteException.validation("Either the KeyConditions or KeyConditionExpression parameter must be " +
                "specified in the request.");
        }
        final String tableName = args.string("table-name");
        final CliBackend.ExpressionSpec expressions = expressionSpec(args);
        final List<String> projection = attributesToGet(args);
        final boolean countOnly = select(args, projection);
        final Map<String, AttributeValue> exclusiveStartKey = optionalItem(args, "exclusive-start-key", "ExclusiveStartKey");
        final boolean forward = args.bool("scan-index-forward", true);
        final boolean consistent = args.bool("consistent-read", false);
        final ReturnConsumedCapacity consumed = returnConsumedCapacity(args);
        final Pager.Fetch fetch = (start, pageSize) ->
        {
            final Page page = backend.query(new CliBackend.QuerySpec(tableName, null, io.ferrite.engine.shard.SortKeyCondition.NONE, null, null,
                forward, pageSize, toKey(start), consistent, expressions));
            return chunk(page, projection, countOnly, consumed);
        };
        return itemsResponse(args, fetch, exclusiveStartKey, countOnly, tableName, consumed);
    }

    private Response scan(final CliArgs args)
    {
        rejectUnsupportedReads(args);
        final String tableName = args.string("table-name");
        final CliBackend.ExpressionSpec expressions = expressionSpec(args);
        final List<String> projection = attributesToGet(args);
        final boolean countOnly = select(args, projection);
        final Map<String, AttributeValue> exclusiveStartKey = optionalItem(args, "exclusive-start-key", "ExclusiveStartKey");
        if (args.has("segment") != args.has("total-segments"))
        {
            throw FerriteException.validation(args.has("segment") ?
                "The TotalSegments parameter is required but was not present in the request when Segment " +
                "parameter is present" :
                "The Segment parameter is required but was not present in the request when parameter TotalSegments " +
                "is present");
        }
        final int segment = args.integer("segment", 0);
        final int totalSegments = args.integer("total-segments", 1);
        final boolean consistent = args.bool("consistent-read", false);
        final ReturnConsumedCapacity consumed = returnConsumedCapacity(args);
        final Pager.Fetch fetch = (start, pageSize) -> chunk(backend.scan(new CliBackend.ScanSpec(tableName, segment,
            totalSegments, pageSize, toKey(start), consistent, expressions)), projection, countOnly, consumed);
        return itemsResponse(args, fetch, exclusiveStartKey, countOnly, tableName, consumed);
    }

    /**
     * Fetches a query's or scan's pages and prints them as the AWS CLI does: one page as the database answered it
     * (--no-paginate, --limit, --exclusive-start-key), else every page merged (Count, ScannedCount and ConsumedCapacity's
     * CapacityUnits summed over every request made, see {@link Pager}), while text output prints page by page, each
     * with its own ConsumedCapacity.
     */
    private Response itemsResponse(
        final CliArgs args, final Pager.Fetch fetch, final Map<String, AttributeValue> exclusiveStartKey,
        final boolean countOnly, final String tableName, final ReturnConsumedCapacity mode)
    {
        if (!paginate || args.has("limit") || null != exclusiveStartKey)
        {
            final int limit = args.integer("limit", 0);
            if (args.has("limit") && limit < 1)
            {
                throw FerriteException.validation("1 validation error detected: Value '" + limit + "' at 'limit' " +
                    "failed to satisfy constraint: Member must have value greater than or equal to 1");
            }
            final Pager.Chunk page = fetch.fetch(null == exclusiveStartKey ? null :
                DynamoJson.fromItem(exclusiveStartKey), limit);
            final Map<String, Object> tree = itemsTree(page.results(), page.count(), page.scannedCount(), countOnly);
            if (null != page.next())
            {
                tree.put("LastEvaluatedKey", page.next());
            }
            putConsumedCapacity(tree, tableName, page.consumedHalfUnits(), mode);
            return Response.of(tree);
        }
        final int pageSize = args.integer("page-size", 0);
        final int maxItems = args.integer("max-items", 0);
        if (args.has("page-size") && pageSize < 1)
        {
            throw ParamException.parameter("--page-size must be at least 1, got " + pageSize);
        }
        if (args.has("max-items") && maxItems < 1)
        {
            throw ParamException.parameter("--max-items must be at least 1, got " + maxItems);
        }
        final Pager.Result result = Pager.paginate(fetch, "ExclusiveStartKey", maxItems, args.string("starting-token"),
            pageSize, countOnly);
        final Map<String, Object> tree = itemsTree(result.results(), result.count(), result.scanned(), countOnly);
        putConsumedCapacity(tree, tableName, result.consumedHalfUnits(), mode);
        if (null != result.nextToken())
        {
            tree.put("NextToken", result.nextToken());
        }
        final List<Map<String, Object>> pages = new ArrayList<>();
        result.pages().forEach(p ->
        {
            final Map<String, Object> page = itemsTree(p.results(), p.count(), p.scannedCount(), countOnly);
            putConsumedCapacity(page, tableName, p.consumedHalfUnits(), mode);
            pages.add(page);
        });
        return new Response(tree, pages);
    }

    private static Map<String, Object> itemsTree(
        final List<Object> items, final int count, final int scannedCount, final boolean countOnly)
    {
        final Map<String, Object> tree = new LinkedHashMap<>();
        if (!countOnly)
        {
            tree.put("Items", items);
        }
        tree.put("Count", count);
        tree.put("ScannedCount", scannedCount);
        return tree;
    }

    /**
     * The page just fetched, with what its request consumed when that was asked for and the backend knows it (a node
     * reports it for every Query and Scan page asked TOTAL or INDEXES; the embedded engine counts none).
     */
    private Pager.Chunk chunk(
        final Page page, final List<String> projection, final boolean countOnly, final ReturnConsumedCapacity mode)
    {
        final List<Object> items = new ArrayList<>();
        if (!countOnly)
        {
            page.items().forEach(item -> items.add(DynamoJson.fromItem(project(item, projection))));
        }
        // null when this page reported nothing: the backend never hands an earlier page's figure again
        final ConsumedCapacity consumed = ReturnConsumedCapacity.NONE == mode ? null : backend.lastConsumedCapacity();
        final boolean reported = null != consumed;
        // capacity units are whole or half units: doubling them gives an exact long
        return new Pager.Chunk(items, page.count(), page.scannedCount(),
            null == page.lastEvaluatedKey() ? null : DynamoJson.fromItem(page.lastEvaluatedKey()),
            reported ? Math.round(2 * consumed.capacityUnits()) : Pager.NOT_REPORTED);
    }

    /**
     * Adds a Query's or Scan's ConsumedCapacity, {@code {"TableName", "CapacityUnits"}} (plus "Table" for INDEXES, as
     * the item verbs print it), when it was asked for and reported.
     * <p>
     * Over several pages the AWS CLI sums CapacityUnits but keeps the first page's "Table" (botocore's paginator
     * lists ConsumedCapacity.CapacityUnits as a result key to sum, not ConsumedCapacity.Table.CapacityUnits); Ferrite
     * prints the sum in both, since its tables have no indexes and the table's share is the whole.
     */
    private static void putConsumedCapacity(
        final Map<String, Object> tree, final String tableName, final long halfUnits, final ReturnConsumedCapacity mode)
    {
        if (ReturnConsumedCapacity.NONE != mode && Pager.NOT_REPORTED != halfUnits)
        {
            tree.put("ConsumedCapacity", capacityTree(tableName, halfUnits, mode));
        }
    }

    /**
     * @return {@code {"TableName", "CapacityUnits"}}, plus {@code "Table": {"CapacityUnits"}} for INDEXES, the units
     * printed exactly from half units with one decimal (0.5, 2.0, 12.5), as DynamoDB's numbers print.
     */
    private static Map<String, Object> capacityTree(
        final String tableName, final long halfUnits, final ReturnConsumedCapacity mode)
    {
        final BigDecimal units = BigDecimal.valueOf(5 * halfUnits, 1);
        final Map<String, Object> capacity = single("TableName", tableName);
        capacity.put("CapacityUnits", units);
        if (ReturnConsumedCapacity.INDEXES == mode)
        {
            capacity.put("Table", single("CapacityUnits", units));
        }
        return capacity;
    }

    private static Map<String, AttributeValue> toKey(final Object start)
    {
        return null == start ? null : DynamoJson.toItem(start, "ExclusiveStartKey", false);
    }

    private static boolean select(final CliArgs args, final List<String> attributesToGet)
    {
        final List<String> projection = null != attributesToGet || !args.has("projection-expression") ?
            attributesToGet : List.of();
        final String select = args.string("select");
        if (null == select)
        {
            return false;
        }
        switch (select)
        {
            case "COUNT":
                if (null != projection)
                {
                    throw FerriteException.validation("Cannot specify the ProjectionExpression when choosing to get " +
                        "a COUNT");
                }
                return true;
            case "ALL_ATTRIBUTES":
                if (null != projection)
                {
                    throw FerriteException.validation("Cannot specify the ProjectionExpression when choosing to get " +
                        "ALL_ATTRIBUTES");
                }
                return false;
            case "SPECIFIC_ATTRIBUTES":
                if (null == projection)
                {
                    throw FerriteException.validation("Select type SPECIFIC_ATTRIBUTES requires a " +
                        "ProjectionExpression or AttributesToGet");
                }
                return false;
            case "ALL_PROJECTED_ATTRIBUTES":
                throw FerriteException.validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an " +
                    "IndexName");
            default:
                throw FerriteException.validation("1 validation error detected: Value '" + select + "' at 'select' " +
                    "failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, " +
                    "ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]");
        }
    }

    private static void rejectUnsupportedReads(final CliArgs args)
    {
        if (args.has("index-name"))
        {
            throw FerriteException.validation("ferrite does not support --index-name yet: tables have no secondary " +
                "indexes");
        }
    }

    // ---------------------------------------------------------------- batches

    private Response batchGetItem(final CliArgs args)
    {
        final CliArgs.Value value = args.structure("request-items");
        final Map<String, Object> tables = DynamoJson.requireMap(value.tree(), "RequestItems");
        final Map<String, List<Map<String, AttributeValue>>> keysByTable = new LinkedHashMap<>();
        final Map<String, Boolean> consistent = new LinkedHashMap<>();
        final Map<String, String> projections = new LinkedHashMap<>();
        final Map<String, Map<String, String>> namesByTable = new LinkedHashMap<>();
        final Map<String, List<String>> attributesToGet = new LinkedHashMap<>();
        for (final Map.Entry<String, Object> entry : tables.entrySet())
        {
            final String path = "RequestItems." + entry.getKey();
            final Map<String, Object> request = structure(new CliArgs.Value(entry.getValue(), value.shorthand()), path,
                List.of("Keys", "AttributesToGet", "ConsistentRead", "ProjectionExpression", "ExpressionAttributeNames"),
                List.of("Keys"));
            final List<Map<String, AttributeValue>> keys = new ArrayList<>();
            final List<Object> keyTrees = DynamoJson.requireList(request.get("Keys"), path + ".Keys", value.shorthand());
            for (int i = 0; i < keyTrees.size(); i++)
            {
                keys.add(DynamoJson.toItem(keyTrees.get(i), path + ".Keys[" + i + "]", value.shorthand()));
            }
            keysByTable.put(entry.getKey(), keys);
            if (request.containsKey("ConsistentRead"))
            {
                consistent.put(entry.getKey(), DynamoJson.requireBoolean(request.get("ConsistentRead"),
                    path + ".ConsistentRead", value.shorthand()));
            }
            // the ProjectionExpression and its names go to the database, which compiles them as for GetItem; the legacy
            // AttributesToGet (plain names) is applied here to what comes back
            final boolean expression = request.containsKey("ProjectionExpression");
            if (expression && request.containsKey("AttributesToGet"))
            {
                throw FerriteException.validation("Can not use both expression and non-expression parameters in the " +
                    "same request: Non-expression parameters: {AttributesToGet} Expression parameters: " +
                    "{ProjectionExpression}");
            }
            if (!expression && request.containsKey("ExpressionAttributeNames"))
            {
                throw FerriteException.validation("ExpressionAttributeNames can only be specified when using expressions");
            }
            if (expression)
            {
                projections.put(entry.getKey(), DynamoJson.requireString(request.get("ProjectionExpression"),
                    path + ".ProjectionExpression"));
                final Map<String, String> names = names(request.get("ExpressionAttributeNames"),
                    path + ".ExpressionAttributeNames");
                if (null != names)
                {
                    namesByTable.put(entry.getKey(), names);
                }
            }
            if (request.containsKey("AttributesToGet"))
            {
                final List<String> wanted = new ArrayList<>();
                DynamoJson.requireList(request.get("AttributesToGet"), path + ".AttributesToGet", value.shorthand())
                    .forEach(name -> wanted.add(DynamoJson.requireString(name, path + ".AttributesToGet")));
                attributesToGet.put(entry.getKey(), wanted);
            }
        }
        final ReturnConsumedCapacity consumed = returnConsumedCapacity(args);
        final CliBackend.BatchGetResult result = batchRunner.read(keysByTable, consistent, projections, namesByTable);
        final Map<String, Object> responses = new LinkedHashMap<>();
        result.responses().forEach((table, items) ->
        {
            final List<Object> list = new ArrayList<>();
            items.forEach(item -> list.add(DynamoJson.fromItem(project(item, attributesToGet.get(table)))));
            responses.put(table, list);
        });
        final Map<String, Object> unprocessed = new LinkedHashMap<>();
        result.unprocessedKeys().forEach((table, keys) ->
            unprocessed.put(table, single("Keys", DynamoJson.fromItems(keys))));
        final Map<String, Object> tree = single("Responses", responses);
        tree.put("UnprocessedKeys", unprocessed);
        return withBatchConsumedCapacity(Response.of(tree), consumed);
    }

    private Response batchWriteItem(final CliArgs args)
    {
        final CliArgs.Value value = args.structure("request-items");
        final Map<String, Object> tables = DynamoJson.requireMap(value.tree(), "RequestItems");
        final Map<String, List<CliBackend.Write>> writesByTable = new LinkedHashMap<>();
        for (final Map.Entry<String, Object> entry : tables.entrySet())
        {
            final String path = "RequestItems." + entry.getKey();
            final List<Object> requests = DynamoJson.requireList(entry.getValue(), path, value.shorthand());
            final List<CliBackend.Write> writes = new ArrayList<>(requests.size());
            for (int i = 0; i < requests.size(); i++)
            {
                final String at = path + "[" + i + "]";
                final Map<String, Object> request = structure(new CliArgs.Value(requests.get(i), value.shorthand()), at,
                    List.of("PutRequest", "DeleteRequest"), List.of());
                if (request.size() != 1)
                {
                    throw FerriteException.validation("Supplied AttributeValue has more than one datatypes set, must " +
                        "contain exactly one of the supported datatypes: " + at + " needs exactly one of PutRequest " +
                        "or DeleteRequest");
                }
                if (request.containsKey("PutRequest"))
                {
                    final Map<String, Object> put = structure(new CliArgs.Value(request.get("PutRequest"),
                        value.shorthand()), at + ".PutRequest", List.of("Item"), List.of("Item"));
                    writes.add(new CliBackend.Write(true, DynamoJson.toItem(put.get("Item"), at + ".PutRequest.Item",
                        value.shorthand())));
                }
                else
                {
                    final Map<String, Object> delete = structure(new CliArgs.Value(request.get("DeleteRequest"),
                        value.shorthand()), at + ".DeleteRequest", List.of("Key"), List.of("Key"));
                    writes.add(new CliBackend.Write(false, DynamoJson.toItem(delete.get("Key"),
                        at + ".DeleteRequest.Key", value.shorthand())));
                }
            }
            writesByTable.put(entry.getKey(), writes);
        }
        final ReturnConsumedCapacity consumed = returnConsumedCapacity(args);
        final Map<String, List<CliBackend.Write>> unprocessed = batchRunner.write(writesByTable);
        final Map<String, Object> tree = new LinkedHashMap<>();
        unprocessed.forEach((table, writes) ->
        {
            final List<Object> list = new ArrayList<>();
            writes.forEach(w -> list.add(w.put() ?
                single("PutRequest", single("Item", DynamoJson.fromItem(w.itemOrKey()))) :
                single("DeleteRequest", single("Key", DynamoJson.fromItem(w.itemOrKey())))));
            tree.put(table, list);
        });
        return withBatchConsumedCapacity(Response.of(single("UnprocessedItems", tree)), consumed);
    }

    /**
     * Adds a batch's ConsumedCapacity when it was asked for and the backend knows it (a node does; the embedded engine
     * does not count capacity), as the AWS CLI prints BatchGetItem's and BatchWriteItem's: a list with one object per
     * table, TableName and CapacityUnits, plus the table's own share under "Table" for INDEXES, as the item verbs print
     * theirs. A request the CLI split into several batches, or resent for what came back unprocessed, prints the sum
     * over all of them, per table ({@link BatchRunner#consumedHalfUnits()}).
     */
    private Response withBatchConsumedCapacity(final Response response, final ReturnConsumedCapacity mode)
    {
        final Map<String, Long> consumed = batchRunner.consumedHalfUnits();
        if (ReturnConsumedCapacity.NONE == mode || consumed.isEmpty())
        {
            return response;
        }
        final List<Object> tables = new ArrayList<>(consumed.size());
        consumed.forEach((tableName, halves) -> tables.add(capacityTree(tableName, halves, mode)));
        response.tree().put("ConsumedCapacity", tables);
        return response;
    }

    // ---------------------------------------------------------------- helpers

    private static Map<String, Object> single(final String key, final Object value)
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        map.put(key, value);
        return map;
    }

    private static Map<String, Object> pair(final String k1, final Object v1, final String k2, final Object v2)
    {
        final Map<String, Object> map = single(k1, v1);
        map.put(k2, v2);
        return map;
    }

    /**
     * A structure parameter checked as botocore checks it: unknown members and missing required members,
     * every problem on its own line.
     */
    static Map<String, Object> structure(
        final CliArgs.Value value, final String path, final List<String> members, final List<String> required)
    {
        final Map<String, Object> map = DynamoJson.requireMap(value.tree(), path);
        final List<String> problems = new ArrayList<>();
        for (final String member : required)
        {
            if (!map.containsKey(member))
            {
                problems.add("Missing required parameter in " + path + ": \"" + member + "\"");
            }
        }
        for (final String key : map.keySet())
        {
            if (!members.contains(key))
            {
                problems.add("Unknown parameter in " + path + ": \"" + key + "\", must be one of: " +
                    String.join(", ", members));
            }
        }
        if (!problems.isEmpty())
        {
            throw ParamException.validation(String.join("\n", problems));
        }
        return map;
    }

    private static long integer(final Object node, final String path, final boolean shorthand)
    {
        if (node instanceof BigInteger)
        {
            return ((BigInteger)node).longValueExact();
        }
        if (shorthand && node instanceof String)
        {
            try
            {
                return Long.parseLong(((String)node).strip());
            }
            catch (final NumberFormatException ex)
            {
                // reported below
            }
        }
        throw DynamoJson.invalidType(path, node, "<class 'int'>");
    }

    private static Map<String, AttributeValue> item(final CliArgs args, final String option, final String path)
    {
        final CliArgs.Value value = args.structure(option);
        return DynamoJson.toItem(value.tree(), path, value.shorthand());
    }

    private static Map<String, AttributeValue> optionalItem(final CliArgs args, final String option, final String path)
    {
        return args.has(option) ? item(args, option, path) : null;
    }

    /**
     * The request's expressions as given, for the database to compile and check (decisions 0008, 0010).
     */
    private static CliBackend.ExpressionSpec expressionSpec(final CliArgs args)
    {
        Map<String, String> names = null;
        if (args.has("expression-attribute-names"))
        {
            names = names(args.structure("expression-attribute-names").tree(), "ExpressionAttributeNames");
        }
        final Map<String, AttributeValue> values = optionalItem(args, "expression-attribute-values",
            "ExpressionAttributeValues");
        if (args.has("projection-expression") && args.has("attributes-to-get"))
        {
            throw FerriteException.validation("Can not use both expression and non-expression parameters in the same " +
                "request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}");
        }
        return new CliBackend.ExpressionSpec(args.string("condition-expression"), args.string("update-expression"),
            args.string("key-condition-expression"), args.string("filter-expression"),
            args.string("projection-expression"), names, values, onConditionFailure(args));
    }

    private static ReturnValuesOnConditionCheckFailure onConditionFailure(final CliArgs args)
    {
        final String text = args.string("return-values-on-condition-check-failure");
        if (null == text || "NONE".equals(text))
        {
            return ReturnValuesOnConditionCheckFailure.NONE;
        }
        if ("ALL_OLD".equals(text))
        {
            return ReturnValuesOnConditionCheckFailure.ALL_OLD;
        }
        throw FerriteException.validation("1 validation error detected: Value '" + text + "' at " +
            "'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: " +
            "[ALL_OLD, NONE]");
    }

    /**
     * The legacy AttributesToGet (plain attribute names), applied by the CLI to the items returned; a
     * ProjectionExpression goes to the database (decisions 0008, 0010).
     */
    private static List<String> attributesToGet(final CliArgs args)
    {
        if (!args.has("attributes-to-get"))
        {
            return null;
        }
        if (args.has("projection-expression"))
        {
            throw FerriteException.validation("Can not use both expression and non-expression parameters in the same " +
                "request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}");
        }
        final List<String> names = new ArrayList<>();
        args.list("attributes-to-get").forEach(v ->
        {
            if (v.tree() instanceof List<?> list)
            {
                list.forEach(n -> names.add(String.valueOf(n)));
            }
            else
            {
                names.add(String.valueOf(v.tree()));
            }
        });
        return names;
    }

    private static Map<String, String> names(final Object tree, final String path)
    {
        if (null == tree)
        {
            return null;
        }
        final Map<String, String> names = new LinkedHashMap<>();
        DynamoJson.requireMap(tree, path).forEach((k, v) -> names.put(k, DynamoJson.requireString(v, path + "." + k)));
        return names;
    }

    private static Map<String, AttributeValue> project(final Map<String, AttributeValue> item, final List<String> names)
    {
        if (null == names)
        {
            return item;
        }
        final Set<String> wanted = new LinkedHashSet<>(names);
        final Map<String, AttributeValue> projected = new LinkedHashMap<>();
        item.forEach((name, value) ->
        {
            if (wanted.contains(name))
            {
                projected.put(name, value);
            }
        });
        return projected;
    }

    private static void rejectConditions(final CliArgs args)
    {
        for (final String option : List.of("expected", "conditional-operator"))
        {
            if (args.has(option))
            {
                throw FerriteException.validation("ferrite does not support the legacy --" + option + " parameter: " +
                    "use --condition-expression");
            }
        }
    }

    private static ReturnValues returnValues(final CliArgs args, final boolean putOrDelete)
    {
        final String text = args.string("return-values");
        if (null == text)
        {
            return ReturnValues.NONE;
        }
        final ReturnValues value;
        try
        {
            value = ReturnValues.valueOf(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw FerriteException.validation("1 validation error detected: Value '" + text + "' at 'returnValues' " +
                "failed to satisfy constraint: Member must satisfy enum value set: " +
                Arrays.toString(ReturnValues.values()));
        }
        if (putOrDelete && value != ReturnValues.NONE && value != ReturnValues.ALL_OLD)
        {
            throw FerriteException.validation("Return values set to invalid value");
        }
        return value;
    }
}
