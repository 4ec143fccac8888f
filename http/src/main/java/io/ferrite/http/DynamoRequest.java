package io.ferrite.http;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.codecs.sbe.ErrorCode;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The members of one DynamoDB request, read by one streaming pass over its JSON: items and keys go straight into
 * reused {@link ItemWriter}s, scalars into fields; the structured members of table management and batches
 * (AttributeDefinitions, KeySchema, RequestItems...) are kept as the parser's position is passed to the
 * operation's own reader. Members DynamoDB does not know are skipped, as DynamoDB does; the legacy members
 * (AttributesToGet, KeyConditions, QueryFilter, ScanFilter, Expected, ConditionalOperator, AttributeUpdates)
 * are refused with a ValidationException that names their expression replacement.
 * <p>
 * Threading: one instance per event loop, reset per request.
 */
final class DynamoRequest
{
    final ItemJson.Chars tableName = new ItemJson.Chars();
    boolean hasTableName;
    final ItemWriter item = new ItemWriter();
    boolean hasItem;
    final ItemWriter key = new ItemWriter();
    boolean hasKey;
    final ItemWriter startKey = new ItemWriter();
    boolean hasStartKey;
    final ItemWriter values = new ItemWriter();
    boolean hasValues;
    /** ExpressionAttributeNames as an item-format map of {@code #name} to S. */
    final ItemWriter names = new ItemWriter(256);
    boolean hasNames;
    String returnValues;
    String returnConsumedCapacity;
    String returnValuesOnConditionCheckFailure;
    String select;
    boolean consistentRead;
    boolean scanIndexForward;
    int limit;
    boolean hasLimit;
    int segment;
    int totalSegments;
    boolean hasSegment;
    boolean hasTotalSegments;
    /** The expressions: null when absent, else this request's reused {@link ItemJson.Chars} (no String per request). */
    CharSequence conditionExpression;
    CharSequence updateExpression;
    CharSequence keyConditionExpression;
    CharSequence filterExpression;
    CharSequence projectionExpression;
    private final ItemJson.Chars conditionChars = new ItemJson.Chars();
    private final ItemJson.Chars updateChars = new ItemJson.Chars();
    private final ItemJson.Chars keyConditionChars = new ItemJson.Chars();
    private final ItemJson.Chars filterChars = new ItemJson.Chars();
    private final ItemJson.Chars projectionChars = new ItemJson.Chars();
    String indexName;
    String exclusiveStartTableName;
    String billingMode;
    long readCapacityUnits;
    long writeCapacityUnits;
    boolean hasProvisionedThroughput;
    /** CreateTable: attribute name to type letter, in order. */
    final Map<String, String> attributeDefinitions = new LinkedHashMap<>();
    String hashKey;
    String rangeKey;
    int keySchemaCount;
    boolean hasSecondaryIndexes;
    /**
     * CreateTable/UpdateTable: the first table feature asked for that Ferrite does not have (a stream, a KMS key,
     * deletion protection...), as {@code member=value: feature}; null when none was. Refused by the operation, not
     * skipped, because a table made without it would not behave as its creator was told.
     */
    String unsupportedTableFeature;
    /** Batches: the RequestItems member, read by the operation's own reader. */
    BatchReader batch;

    /**
     * Reads a batch's RequestItems with the parser on its START_OBJECT.
     */
    interface BatchReader
    {
        void read(JsonIn parser) throws IOException;
    }

    void reset()
    {
        hasTableName = false;
        tableName.clear();
        item.reset();
        hasItem = false;
        key.reset();
        hasKey = false;
        startKey.reset();
        hasStartKey = false;
        values.reset();
        hasValues = false;
        names.reset();
        hasNames = false;
        returnValues = null;
        returnConsumedCapacity = null;
        returnValuesOnConditionCheckFailure = null;
        select = null;
        consistentRead = false;
        scanIndexForward = true;
        limit = 0;
        hasLimit = false;
        segment = 0;
        totalSegments = 0;
        hasSegment = false;
        hasTotalSegments = false;
        conditionExpression = null;
        updateExpression = null;
        keyConditionExpression = null;
        filterExpression = null;
        projectionExpression = null;
        indexName = null;
        exclusiveStartTableName = null;
        billingMode = null;
        readCapacityUnits = 0;
        writeCapacityUnits = 0;
        hasProvisionedThroughput = false;
        attributeDefinitions.clear();
        hashKey = null;
        rangeKey = null;
        keySchemaCount = 0;
        hasSecondaryIndexes = false;
        unsupportedTableFeature = null;
    }

    /**
     * Reads the whole request.
     *
     * @param parser a fresh parser over the body.
     * @param json   the item reader.
     */
    void read(final JsonIn parser, final ItemJson json) throws IOException
    {
        if (parser.nextToken() != JsonToken.START_OBJECT)
        {
            throw ItemJson.wrongType(parser, parser.currentToken(), "the request body", "a JSON object");
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME)
        {
            final String member = parser.currentName();
            final JsonToken token = parser.nextToken();
            if (token == JsonToken.VALUE_NULL)
            {
                continue;
            }
            switch (member)
            {
                case "TableName" ->
                {
                    ItemJson.expect(parser, JsonToken.VALUE_STRING, member);
                    tableName.of(parser);
                    hasTableName = true;
                }
                case "Item" ->
                {
                    json.readItem(parser, item, member);
                    hasItem = true;
                }
                case "Key" ->
                {
                    json.readItem(parser, key, member);
                    hasKey = true;
                }
                case "ExclusiveStartKey" ->
                {
                    json.readItem(parser, startKey, member);
                    hasStartKey = true;
                }
                case "ExpressionAttributeValues" ->
                {
                    json.readValues(parser, values, member);
                    hasValues = true;
                }
                case "ExpressionAttributeNames" ->
                {
                    readNames(parser, json, member);
                    hasNames = true;
                }
                case "ReturnValues" -> returnValues = string(parser, member);
                case "ReturnConsumedCapacity" -> returnConsumedCapacity = string(parser, member);
                case "ReturnValuesOnConditionCheckFailure" -> returnValuesOnConditionCheckFailure = string(parser, member);
                case "ReturnItemCollectionMetrics", "TableClass" -> string(parser, member);
                case "Select" -> select = string(parser, member);
                case "ConsistentRead" -> consistentRead = bool(parser, member);
                case "ScanIndexForward" -> scanIndexForward = bool(parser, member);
                case "Limit" ->
                {
                    limit = integer(parser, member);
                    hasLimit = true;
                }
                case "Segment" ->
                {
                    segment = integer(parser, member);
                    hasSegment = true;
                }
                case "TotalSegments" ->
                {
                    totalSegments = integer(parser, member);
                    hasTotalSegments = true;
                }
                case "ConditionExpression" -> conditionExpression = chars(parser, member, conditionChars);
                case "UpdateExpression" -> updateExpression = chars(parser, member, updateChars);
                case "KeyConditionExpression" -> keyConditionExpression = chars(parser, member, keyConditionChars);
                case "FilterExpression" -> filterExpression = chars(parser, member, filterChars);
                case "ProjectionExpression" -> projectionExpression = chars(parser, member, projectionChars);
                case "IndexName" -> indexName = string(parser, member);
                case "ExclusiveStartTableName" -> exclusiveStartTableName = string(parser, member);
                case "BillingMode" -> billingMode = string(parser, member);
                case "ProvisionedThroughput" -> readThroughput(parser);
                case "AttributeDefinitions" -> readAttributeDefinitions(parser);
                case "KeySchema" -> readKeySchema(parser);
                case "GlobalSecondaryIndexes", "LocalSecondaryIndexes", "GlobalSecondaryIndexUpdates" ->
                {
                    hasSecondaryIndexes = true;
                    parser.skipChildren();
                }
                case "RequestItems" ->
                {
                    ItemJson.expect(parser, JsonToken.START_OBJECT, member);
                    if (null == batch)
                    {
                        parser.skipChildren();
                    }
                    else
                    {
                        batch.read(parser);
                    }
                }
                case "AttributesToGet", "KeyConditions", "QueryFilter", "ScanFilter", "Expected", "ConditionalOperator",
                    "AttributeUpdates" -> throw legacy(member);
                case "StreamSpecification" ->
                    unsupported(flagIn(parser, member, "StreamEnabled"), member + ".StreamEnabled=true: DynamoDB Streams");
                case "SSESpecification" ->
                    unsupported(flagIn(parser, member, "Enabled"), member + ".Enabled=true: encryption at rest under " +
                    "a KMS key (Ferrite does not encrypt its files; use an encrypted file system for the data directory)");
                case "DeletionProtectionEnabled" ->
                    unsupported(bool(parser, member), member + "=true: deletion protection");
                case "OnDemandThroughput" ->
                    unsupported(onDemandCapSet(parser), member + ": a maximum on-demand throughput (only -1, no " +
                    "maximum, is accepted)");
                case "ResourcePolicy" ->
                {
                    parser.skipChildren();
                    unsupported(true, member + ": resource-based policies (Ferrite does not check the signatures " +
                        "or credentials of requests)");
                }
                case "ReplicaUpdates", "GlobalTableWitnessUpdates", "MultiRegionConsistency" ->
                {
                    parser.skipChildren();
                    unsupported(true, member + ": global tables");
                }
                default -> parser.skipChildren();
            }
        }
    }

    private void unsupported(final boolean asked, final String feature)
    {
        if (asked && null == unsupportedTableFeature)
        {
            unsupportedTableFeature = feature;
        }
    }

    /**
     * Refuses a CreateTable or UpdateTable that asked for a table feature Ferrite does not have.
     *
     * @throws FerriteException a ValidationException naming the member, its value and the feature.
     */
    void refuseUnsupportedTableFeature()
    {
        if (null != unsupportedTableFeature)
        {
            throw FerriteException.validation("Ferrite does not support " + unsupportedTableFeature +
                "; leave it out or disabled");
        }
    }

    /** Reads an object member and returns its boolean member {@code flag} (false when absent). */
    private static boolean flagIn(final JsonIn parser, final String member, final String flag) throws IOException
    {
        ItemJson.expect(parser, JsonToken.START_OBJECT, member);
        boolean value = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME)
        {
            final String name = parser.currentName();
            parser.nextToken();
            if (flag.equals(name))
            {
                value = bool(parser, member + "." + name);
            }
            else
            {
                parser.skipChildren();
            }
        }
        return value;
    }

    /** Reads OnDemandThroughput: true when either maximum is set to anything but -1 (DynamoDB's "no maximum"). */
    private static boolean onDemandCapSet(final JsonIn parser) throws IOException
    {
        ItemJson.expect(parser, JsonToken.START_OBJECT, "OnDemandThroughput");
        boolean capped = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME)
        {
            final String name = parser.currentName();
            if (parser.nextToken() == JsonToken.VALUE_NULL)
            {
                continue;
            }
            if ("MaxReadRequestUnits".equals(name) || "MaxWriteRequestUnits".equals(name))
            {
                capped |= -1 != longValue(parser, "OnDemandThroughput." + name);
            }
            else
            {
                parser.skipChildren();
            }
        }
        return capped;
    }

    static FerriteException legacy(final String member)
    {
        final String instead = switch (member)
        {
            case "AttributesToGet" -> "ProjectionExpression";
            case "KeyConditions" -> "KeyConditionExpression";
            case "QueryFilter", "ScanFilter" -> "FilterExpression";
            case "Expected", "ConditionalOperator" -> "ConditionExpression";
            default -> "UpdateExpression";
        };
        return FerriteException.validation("Ferrite does not support the legacy parameter " + member +
            "; use " + instead + " instead");
    }

    private void readThroughput(final JsonIn parser) throws IOException
    {
        ItemJson.expect(parser, JsonToken.START_OBJECT, "ProvisionedThroughput");
        hasProvisionedThroughput = true;
        boolean hasRead = false;
        boolean hasWrite = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME)
        {
            final String member = parser.currentName();
            if (parser.nextToken() == JsonToken.VALUE_NULL)
            {
                continue;
            }
            switch (member)
            {
                case "ReadCapacityUnits" ->
                {
                    readCapacityUnits = longValue(parser, "ProvisionedThroughput." + member);
                    hasRead = true;
                }
                case "WriteCapacityUnits" ->
                {
                    writeCapacityUnits = longValue(parser, "ProvisionedThroughput." + member);
                    hasWrite = true;
                }
                default -> parser.skipChildren();
            }
        }
        // Both are required members of DynamoDB's ProvisionedThroughput: one alone is not "keep the other as it is".
        if (!hasRead || !hasWrite)
        {
            final String write = "Value null at 'provisionedThroughput.writeCapacityUnits' failed to satisfy " +
                "constraint: Member must not be null";
            final String read = "Value null at 'provisionedThroughput.readCapacityUnits' failed to satisfy " +
                "constraint: Member must not be null";
            throw FerriteException.validation(!hasRead && !hasWrite ?
                "2 validation errors detected: " + write + "; " + read :
                "1 validation error detected: " + (hasRead ? write : read));
        }
    }

    private void readAttributeDefinitions(final JsonIn parser) throws IOException
    {
        ItemJson.expect(parser, JsonToken.START_ARRAY, "AttributeDefinitions");
        while (parser.nextToken() != JsonToken.END_ARRAY)
        {
            final String[] pair = readPair(parser, "AttributeDefinitions[]", "AttributeName", "AttributeType");
            final String name = pair[0];
            final String type = pair[1];
            if (null == name || null == type)
            {
                throw FerriteException.validation("1 validation error detected: AttributeDefinitions members must " +
                    "have an AttributeName and an AttributeType");
            }
            if (null != attributeDefinitions.put(name, type))
            {
                throw FerriteException.validation("Cannot have two attributes with the same name: " + name);
            }
        }
    }

    private void readKeySchema(final JsonIn parser) throws IOException
    {
        ItemJson.expect(parser, JsonToken.START_ARRAY, "KeySchema");
        while (parser.nextToken() != JsonToken.END_ARRAY)
        {
            final String[] pair = readPair(parser, "KeySchema[]", "AttributeName", "KeyType");
            final String name = pair[0];
            final String type = pair[1];
            keySchemaCount++;
            if ("HASH".equals(type) && null == hashKey)
            {
                hashKey = name;
            }
            else if ("RANGE".equals(type) && null == rangeKey)
            {
                rangeKey = name;
            }
            else
            {
                throw FerriteException.validation("Invalid KeySchema: Some index key schema element is not valid: " +
                    "KeyType must be HASH (once) then optionally RANGE (once); got " + type + " for " + name);
            }
        }
    }

    /**
     * Reads one object of an array whose elements carry two string members (AttributeDefinitions, KeySchema),
     * skipping any other member.
     *
     * @return the two members' values, null where absent.
     */
    private static String[] readPair(final JsonIn parser, final String where, final String first, final String second)
        throws IOException
    {
        ItemJson.expect(parser, JsonToken.START_OBJECT, where);
        final String[] pair = new String[2];
        while (parser.nextToken() == JsonToken.FIELD_NAME)
        {
            final String member = parser.currentName();
            parser.nextToken();
            if (first.equals(member))
            {
                pair[0] = string(parser, where + "." + member);
            }
            else if (second.equals(member))
            {
                pair[1] = string(parser, where + "." + member);
            }
            else
            {
                parser.skipChildren();
            }
        }
        return pair;
    }

    static String string(final JsonIn parser, final String member) throws IOException
    {
        ItemJson.expect(parser, JsonToken.VALUE_STRING, member);
        return parser.getText();
    }

    private static CharSequence chars(final JsonIn parser, final String member, final ItemJson.Chars into)
        throws IOException
    {
        ItemJson.expect(parser, JsonToken.VALUE_STRING, member);
        return into.of(parser);
    }

    static boolean bool(final JsonIn parser, final String member)
    {
        final JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE)
        {
            return token == JsonToken.VALUE_TRUE;
        }
        throw ItemJson.wrongType(parser, token, member, "a boolean");
    }

    static int integer(final JsonIn parser, final String member) throws IOException
    {
        final long value = longValue(parser, member);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE)
        {
            throw FerriteException.validation("1 validation error detected: Value '" + value + "' at '" +
                lowerFirst(member) + "' failed to satisfy constraint: Member must be within the integer range");
        }
        return (int)value;
    }

    static long longValue(final JsonIn parser, final String member) throws IOException
    {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT)
        {
            throw ItemJson.wrongType(parser, parser.currentToken(), member, "an integer");
        }
        try
        {
            return parser.getLongValue();
        }
        catch (final JsonIn.OutOfRange ex)
        {
            throw new FerriteException(ErrorCode.SerializationException, member + " is out of range: " +
                parser.getText());
        }
    }

    private void readNames(final JsonIn parser, final ItemJson json, final String member) throws IOException
    {
        ItemJson.expect(parser, JsonToken.START_OBJECT, member);
        while (parser.nextToken() == JsonToken.FIELD_NAME)
        {
            names.name(json.chars(parser));
            parser.nextToken();
            ItemJson.expect(parser, JsonToken.VALUE_STRING, member);
            names.string(json.chars(parser));
        }
    }

    static String lowerFirst(final String member)
    {
        return Character.toLowerCase(member.charAt(0)) + member.substring(1);
    }
}
