package io.ferrite.engine.admission;

import io.ferrite.codecs.error.FerriteException;

/**
 * A table's capacity settings: its {@link BillingMode} and, when PROVISIONED, its read and write capacity units
 * per second (DynamoDB's ProvisionedThroughput). Immutable; construct through {@link #provisioned} or
 * {@link #ON_DEMAND}, which check DynamoDB's rules and name the one broken.
 *
 * @param billingMode        PROVISIONED or PAY_PER_REQUEST.
 * @param readCapacityUnits  RCU per second (PROVISIONED), 0 for PAY_PER_REQUEST.
 * @param writeCapacityUnits WCU per second (PROVISIONED), 0 for PAY_PER_REQUEST.
 */
public record TableCapacity(BillingMode billingMode, long readCapacityUnits, long writeCapacityUnits)
{
    /**
     * The most read or write capacity units a table may be provisioned with: DynamoDB's default per-table quota.
     */
    public static final long MAX_CAPACITY_UNITS = 40_000;

    /**
     * On-demand (PAY_PER_REQUEST): what a table gets when CreateTable names no capacity.
     */
    public static final TableCapacity ON_DEMAND = new TableCapacity(BillingMode.PAY_PER_REQUEST, 0, 0);

    /**
     * @param readCapacityUnits  1 to {@link #MAX_CAPACITY_UNITS}.
     * @param writeCapacityUnits 1 to {@link #MAX_CAPACITY_UNITS}.
     * @return PROVISIONED capacity.
     * @throws FerriteException ValidationException naming the value out of range.
     */
    public static TableCapacity provisioned(final long readCapacityUnits, final long writeCapacityUnits)
    {
        check(readCapacityUnits, "readCapacityUnits", "ReadCapacityUnits");
        check(writeCapacityUnits, "writeCapacityUnits", "WriteCapacityUnits");
        return new TableCapacity(BillingMode.PROVISIONED, readCapacityUnits, writeCapacityUnits);
    }

    /**
     * Resolves what a CreateTable asked for, with DynamoDB's words for a missing or stray throughput.
     *
     * @param billingMode        the requested mode, or null when the request named none (treated as PAY_PER_REQUEST
     *                           unless units are given, which then mean PROVISIONED).
     * @param readCapacityUnits  0 when not given.
     * @param writeCapacityUnits 0 when not given.
     * @return the capacity.
     */
    public static TableCapacity forCreate(final BillingMode billingMode, final long readCapacityUnits, final long writeCapacityUnits)
    {
        final boolean unitsGiven = 0 != readCapacityUnits || 0 != writeCapacityUnits;
        final BillingMode mode = null != billingMode ? billingMode :
            unitsGiven ? BillingMode.PROVISIONED : BillingMode.PAY_PER_REQUEST;
        if (BillingMode.PAY_PER_REQUEST == mode)
        {
            if (unitsGiven)
            {
                throw FerriteException.validation("One or more parameter values were invalid: Neither ReadCapacityUnits " +
                    "nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
            }
            return ON_DEMAND;
        }
        if (0 == readCapacityUnits || 0 == writeCapacityUnits)
        {
            throw FerriteException.validation("One or more parameter values were invalid: ReadCapacityUnits and " +
                "WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
        }
        return provisioned(readCapacityUnits, writeCapacityUnits);
    }

    /**
     * Resolves what an UpdateTable asked for, given the table's current capacity, with DynamoDB's refusals of an
     * update that changes nothing: no parameter at all; BillingMode PROVISIONED without a ProvisionedThroughput (also
     * on a table already PROVISIONED); a PROVISIONED table's throughput requested as it is ("will not change").
     * BillingMode PAY_PER_REQUEST on an on-demand table is accepted, as DynamoDB accepts it.
     *
     * @param current            the table's capacity now.
     * @param billingMode        the requested mode, or null to keep the current one.
     * @param readCapacityUnits  0 when not given.
     * @param writeCapacityUnits 0 when not given.
     * @return the new capacity.
     * @throws FerriteException ValidationException naming the rule broken (and, for an unchanged throughput, the
     *                          current and requested units).
     */
    public static TableCapacity forUpdate(
        final TableCapacity current, final BillingMode billingMode, final long readCapacityUnits, final long writeCapacityUnits)
    {
        final boolean unitsGiven = 0 != readCapacityUnits || 0 != writeCapacityUnits;
        if (null == billingMode && !unitsGiven)
        {
            throw FerriteException.validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, " +
                "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required");
        }
        final BillingMode mode = null != billingMode ? billingMode : current.billingMode();
        if (BillingMode.PAY_PER_REQUEST == mode)
        {
            return forCreate(mode, readCapacityUnits, writeCapacityUnits);
        }
        if (!unitsGiven)
        {
            throw FerriteException.validation("One or more parameter values were invalid: ProvisionedThroughput must be " +
                "specified when BillingMode is PROVISIONED");
        }
        final TableCapacity requested = provisioned(
            0 == readCapacityUnits ? current.readCapacityUnits() : readCapacityUnits,
            0 == writeCapacityUnits ? current.writeCapacityUnits() : writeCapacityUnits);
        if (requested.equals(current))
        {
            throw FerriteException.validation("The provisioned throughput for the table will not change. The requested " +
                "value equals the current value. Current ReadCapacityUnits provisioned for the table: " +
                current.readCapacityUnits() + ". Requested ReadCapacityUnits: " + requested.readCapacityUnits() +
                ". Current WriteCapacityUnits provisioned for the table: " + current.writeCapacityUnits() +
                ". Requested WriteCapacityUnits: " + requested.writeCapacityUnits() + ". Refer to the Amazon DynamoDB " +
                "Developer Guide for current limits and how to request higher limits.");
        }
        return requested;
    }

    private static void check(final long units, final String field, final String name)
    {
        if (units < 1)
        {
            throw FerriteException.validation("1 validation error detected: Value '" + units + "' at " +
                "'provisionedThroughput." + field + "' failed to satisfy constraint: Member must have value greater " +
                "than or equal to 1");
        }
        if (units > MAX_CAPACITY_UNITS)
        {
            throw FerriteException.validation("One or more parameter values were invalid: " + name + " " + units +
                " exceeds the per-table maximum of " + MAX_CAPACITY_UNITS + " (Ferrite's limit, DynamoDB's default table quota)");
        }
    }
}
