package io.ferrite.engine.shard;

import java.util.List;
import java.util.Map;

/**
 * BatchGetItem's answer: the items found per table (as item bytes) and the keys not processed this
 * time (to be retried by the caller, as with DynamoDB).
 *
 * @param responses       items found, per table name.
 * @param unprocessedKeys keys not read, per table name (empty when all were).
 */
public record BatchGetResult(Map<String, List<byte[]>> responses, Map<String, List<byte[]>> unprocessedKeys)
{
}
