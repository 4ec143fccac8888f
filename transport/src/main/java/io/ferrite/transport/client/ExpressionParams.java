package io.ferrite.transport.client;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.engine.api.ReturnValuesOnConditionCheckFailure;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Map;
import java.util.TreeMap;

/**
 * DynamoDB's expression parameters of one PutItem, DeleteItem, UpdateItem or GetItem request
 * (docs/decisions/0008-expressions.md, 0010-expressions-on-the-wire.md): ConditionExpression, UpdateExpression,
 * ProjectionExpression, ExpressionAttributeNames, ExpressionAttributeValues and ReturnValuesOnConditionCheckFailure.
 * Which of them a request sends: PutItem and DeleteItem the condition; UpdateItem the update and the condition;
 * GetItem the projection (and names). Query and Scan carry theirs in {@link QueryParams} and {@link ScanParams}.
 * <p>
 * ExpressionAttributeNames and ExpressionAttributeValues travel as item-format maps ({@code #n} to an S value,
 * {@code :v} to any value): build them once with {@link #encodeNames} / {@link ItemCodec#encode} (or an
 * {@code ItemWriter}) and pass the bytes, or use the {@code Map} setters, which encode (and allocate) on each call.
 * <p>
 * <b>Threading:</b> not thread-safe; reusable ({@link #reset}). The client reads it only during the send call, so
 * one instance can serve every request of its thread; with byte buffers and {@code CharSequence}s it allocates
 * nothing.
 * <pre>{@code
 * ExpressionParams expressions = new ExpressionParams()
 *     .conditionExpression("#v = :expected")
 *     .expressionAttributeNames(namesBytes, 0, namesBytes.capacity())    // {"#v": "version"}
 *     .expressionAttributeValues(valuesBytes, 0, valuesBytes.capacity()) // {":expected": 7}
 *     .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
 * client.putItem("orders", item, 0, itemLength, ReturnValues.NONE, expressions, handler);
 * }</pre>
 */
public final class ExpressionParams
{
    CharSequence conditionExpression;
    CharSequence updateExpression;
    CharSequence projectionExpression;
    DirectBuffer names;
    int namesOffset;
    int namesLength;
    DirectBuffer values;
    int valuesOffset;
    int valuesLength;
    ReturnValuesOnConditionCheckFailure returnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.NONE;

    /**
     * Clears every parameter.
     *
     * @return this.
     */
    public ExpressionParams reset()
    {
        conditionExpression = null;
        updateExpression = null;
        projectionExpression = null;
        names = null;
        namesLength = 0;
        values = null;
        valuesLength = 0;
        returnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.NONE;
        return this;
    }

    /**
     * @param expression ConditionExpression (PutItem, DeleteItem, UpdateItem), or null for none.
     * @return this.
     */
    public ExpressionParams conditionExpression(final CharSequence expression)
    {
        conditionExpression = expression;
        return this;
    }

    /**
     * @param expression UpdateExpression (UpdateItem: SET, REMOVE, ADD, DELETE clauses), or null for none.
     * @return this.
     */
    public ExpressionParams updateExpression(final CharSequence expression)
    {
        updateExpression = expression;
        return this;
    }

    /**
     * @param expression ProjectionExpression (GetItem), or null for the whole item.
     * @return this.
     */
    public ExpressionParams projectionExpression(final CharSequence expression)
    {
        projectionExpression = expression;
        return this;
    }

    /**
     * @param buffer an item-format map of {@code #name} to S values (read during the send call only), or null.
     * @param offset where it starts.
     * @param length its length.
     * @return this.
     */
    public ExpressionParams expressionAttributeNames(final DirectBuffer buffer, final int offset, final int length)
    {
        names = buffer;
        namesOffset = offset;
        namesLength = null == buffer ? 0 : length;
        return this;
    }

    /**
     * ExpressionAttributeNames from a map (encodes it: allocates).
     *
     * @param names {@code #name} to attribute name, or null.
     * @return this.
     */
    public ExpressionParams expressionAttributeNames(final Map<String, String> names)
    {
        final byte[] bytes = encodeNames(names);
        return expressionAttributeNames(null == bytes ? null : new UnsafeBuffer(bytes), 0, null == bytes ? 0 : bytes.length);
    }

    /**
     * @param buffer an item-format map of {@code :value} to values (read during the send call only), or null.
     * @param offset where it starts.
     * @param length its length.
     * @return this.
     */
    public ExpressionParams expressionAttributeValues(final DirectBuffer buffer, final int offset, final int length)
    {
        values = buffer;
        valuesOffset = offset;
        valuesLength = null == buffer ? 0 : length;
        return this;
    }

    /**
     * ExpressionAttributeValues from a map (encodes it: allocates).
     *
     * @param values {@code :value} to value, or null.
     * @return this.
     */
    public ExpressionParams expressionAttributeValues(final Map<String, AttributeValue> values)
    {
        final byte[] bytes = encodeValues(values);
        return expressionAttributeValues(null == bytes ? null : new UnsafeBuffer(bytes), 0, null == bytes ? 0 : bytes.length);
    }

    /**
     * @param mode ALL_OLD to get the item that failed the ConditionExpression with the ConditionalCheckFailedException
     *             ({@link ResponseHandler#onConditionalCheckFailed}); NONE (or null) not to.
     * @return this.
     */
    public ExpressionParams returnValuesOnConditionCheckFailure(final ReturnValuesOnConditionCheckFailure mode)
    {
        returnValuesOnConditionCheckFailure = null == mode ? ReturnValuesOnConditionCheckFailure.NONE : mode;
        return this;
    }

    /**
     * Encodes ExpressionAttributeNames as they travel: an item-format map of {@code #name} to S values.
     *
     * @param names {@code #name} to attribute name, or null.
     * @return the bytes, or null for null.
     */
    public static byte[] encodeNames(final Map<String, String> names)
    {
        if (null == names)
        {
            return null;
        }
        final Map<String, AttributeValue> map = new TreeMap<>();
        names.forEach((placeholder, name) -> map.put(placeholder, AttributeValue.s(name)));
        return ItemCodec.encode(map);
    }

    /**
     * Encodes ExpressionAttributeValues as they travel: an item-format map of {@code :value} to values.
     *
     * @param values {@code :value} to value, or null.
     * @return the bytes, or null for null.
     */
    public static byte[] encodeValues(final Map<String, AttributeValue> values)
    {
        return null == values ? null : ItemCodec.encode(values);
    }
}
