package io.ferrite.engine.shard;

import java.util.List;
import java.util.Map;

/**
 * BatchWriteItem's answer: the writes not processed this time (to be retried by the caller).
 *
 * @param unprocessedItems writes not applied, per table name (empty when all were).
 */
public record BatchWriteResult(Map<String, List<WriteRequest>> unprocessedItems)
{
}
