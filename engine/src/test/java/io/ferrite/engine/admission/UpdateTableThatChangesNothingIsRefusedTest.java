package io.ferrite.engine.admission;

import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.codecs.error.FerriteException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * DynamoDB refuses an UpdateTable that would leave a PROVISIONED table's throughput as it is (with or without
 * BillingMode=PROVISIONED), one that names BillingMode=PROVISIONED without a ProvisionedThroughput, and one that names
 * nothing to change; re-sending BillingMode=PAY_PER_REQUEST to an on-demand table is accepted. {@link
 * TableCapacity#forUpdate} is the one place the node's router, the cell and the CLI check this.
 */
class UpdateTableThatChangesNothingIsRefusedTest
{
    private static final TableCapacity CURRENT = TableCapacity.provisioned(300, 200);

    @Test
    void theSameProvisionedThroughputIsAValidationExceptionNamingBothValues()
    {
        final String expected = "The provisioned throughput for the table will not change. The requested value " +
            "equals the current value. Current ReadCapacityUnits provisioned for the table: 300. Requested " +
            "ReadCapacityUnits: 300. Current WriteCapacityUnits provisioned for the table: 200. Requested " +
            "WriteCapacityUnits: 200. Refer to the Amazon DynamoDB Developer Guide for current limits and how to " +
            "request higher limits.";
        assertValidation(expected, () -> TableCapacity.forUpdate(CURRENT, null, 300, 200));
        assertValidation(expected, () -> TableCapacity.forUpdate(CURRENT, BillingMode.PROVISIONED, 300, 200));
    }

    @Test
    void billingModeProvisionedAloneOnAProvisionedTableNeedsItsThroughput()
    {
        assertValidation("One or more parameter values were invalid: ProvisionedThroughput must be specified when " +
            "BillingMode is PROVISIONED", () -> TableCapacity.forUpdate(CURRENT, BillingMode.PROVISIONED, 0, 0));
    }

    @Test
    void anUpdateThatNamesNothingIsRefused()
    {
        assertValidation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, " +
            "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required",
            () -> TableCapacity.forUpdate(CURRENT, null, 0, 0));
    }

    @Test
    void aRealChangeIsAccepted()
    {
        assertEquals(TableCapacity.provisioned(300, 201), TableCapacity.forUpdate(CURRENT, null, 300, 201),
            "changing one of the two values is a change");
        assertEquals(TableCapacity.provisioned(5, 5),
            TableCapacity.forUpdate(CURRENT, BillingMode.PROVISIONED, 5, 5));
        assertEquals(TableCapacity.ON_DEMAND, TableCapacity.forUpdate(CURRENT, BillingMode.PAY_PER_REQUEST, 0, 0));
        assertEquals(TableCapacity.provisioned(300, 200),
            TableCapacity.forUpdate(TableCapacity.ON_DEMAND, BillingMode.PROVISIONED, 300, 200),
            "an on-demand table switching to PROVISIONED at any throughput changes");
    }

    @Test
    void payPerRequestResentToAnOnDemandTableIsAccepted()
    {
        assertEquals(TableCapacity.ON_DEMAND,
            TableCapacity.forUpdate(TableCapacity.ON_DEMAND, BillingMode.PAY_PER_REQUEST, 0, 0));
    }

    private static void assertValidation(final String message, final Runnable update)
    {
        final FerriteException refused = assertThrows(FerriteException.class, update::run);
        assertEquals(ErrorCode.ValidationException, refused.code());
        assertEquals(message, refused.getMessage());
    }
}
