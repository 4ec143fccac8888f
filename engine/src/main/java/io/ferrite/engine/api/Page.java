package io.ferrite.engine.api;

import io.ferrite.codecs.item.AttributeValue;

import java.util.List;
import java.util.Map;

/**
 * One page of a Query or Scan in the convenience API.
 *
 * @param items            the items, in the order read.
 * @param count            items returned.
 * @param scannedCount     items examined.
 * @param lastEvaluatedKey where to resume (pass to {@code exclusiveStartKey}), or null when done.
 */
public record Page(
    List<Map<String, AttributeValue>> items, int count, int scannedCount, Map<String, AttributeValue> lastEvaluatedKey)
{
}
