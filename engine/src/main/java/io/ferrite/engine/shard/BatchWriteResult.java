package io.ferrite.engine.shard;

import java.util.List;
import java.util.Map;

/**
 * BatchWriteItem's answer: the writes not processed this time (to be retried by the caller), and what the writes
 * applied cost per table.
 *
 * @param unprocessedItems writes not applied, per table name (empty when all were).
 * @param writeUnits       per table written, the write capacity units its applied writes cost by DynamoDB's
 *                         per-item rule ({@link io.ferrite.engine.admission.CapacityUnits}, on the size the shard
 *                         charges a single write: {@link Shard#lastWriteChargeBytes()}); writes left unprocessed cost
 *                         nothing.
 */
public record BatchWriteResult(Map<String, List<WriteRequest>> unprocessedItems, Map<String, Long> writeUnits)
{
}
