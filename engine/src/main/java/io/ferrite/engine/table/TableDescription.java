package io.ferrite.engine.table;

/**
 * What DescribeTable (and CreateTable, DeleteTable) answer.
 *
 * @param spec           name and key schema.
 * @param tableId        the table's id in the data directory.
 * @param status         ACTIVE, or DELETING in DeleteTable's answer.
 * @param itemCount      items in the table now (exact, unlike DynamoDB's six-hourly figure).
 * @param sizeBytes      bytes of item data now (Ferrite's encoded size).
 * @param createdEpochMs creation time, milliseconds since the epoch.
 * @param partitionCount partitions the table is split into.
 */
public record TableDescription(
    TableSpec spec, int tableId, String status, long itemCount, long sizeBytes, long createdEpochMs, int partitionCount)
{
}
