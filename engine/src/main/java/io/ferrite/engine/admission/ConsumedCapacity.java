package io.ferrite.engine.admission;

/**
 * What one operation consumed, shaped as DynamoDB's ConsumedCapacity.
 *
 * @param tableName          the table.
 * @param capacityUnits      read plus write capacity units.
 * @param readCapacityUnits  read capacity units (0.5 per eventually consistent 4 KB).
 * @param writeCapacityUnits write capacity units.
 */
public record ConsumedCapacity(String tableName, double capacityUnits, double readCapacityUnits, double writeCapacityUnits)
{
    /**
     * @param tableName     the table.
     * @param readHalfUnits half read capacity units consumed.
     * @param writeUnits    write capacity units consumed.
     * @return the capacity in DynamoDB's terms.
     */
    public static ConsumedCapacity of(final String tableName, final long readHalfUnits, final long writeUnits)
    {
        final double read = CapacityUnits.readCapacityUnits(readHalfUnits);
        return new ConsumedCapacity(tableName, read + writeUnits, read, writeUnits);
    }
}
