package io.ferrite.transport.node;

import io.ferrite.codecs.sbe.AttributeType;
import io.ferrite.codecs.sbe.BillingMode;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import io.ferrite.codecs.sbe.TableDescriptionResponseDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.ferrite.transport.node.RawSession.error;
import static io.ferrite.transport.node.RawSession.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A CreateTable frame of schema version 2 (an older client: no capacity fields) is still served and makes an
 * on-demand table; one of version 3 carries provisioned throughput, which DescribeTable answers; a bad capacity gets
 * DynamoDB's ValidationException text.
 */
class CapacityTravelsInOldAndNewSchemaFramesTest
{
    @Test
    void olderFramesMakeOnDemandTablesAndNewerOnesCarryProvisionedThroughput()
    {
        try (NodeFixture fixture = new NodeFixture(1))
        {
            final RawSession s = fixture.session(false).connect();
            ok(s.createTable("Old", "pk", AttributeType.S, null, null));
            TableDescriptionResponseDecoder d = describe(s.describeTable("Old"));
            assertEquals(BillingMode.PAY_PER_REQUEST, d.billingMode());
            assertEquals(0, d.readCapacityUnits());

            ok(s.createProvisionedTable("New", "pk", AttributeType.S, 7, 3));
            d = describe(s.describeTable("New"));
            assertEquals(BillingMode.PROVISIONED, d.billingMode());
            assertEquals(7, d.readCapacityUnits());
            assertEquals(3, d.writeCapacityUnits());

            assertEquals("ValidationException: 1 validation error detected: Value '-1' at " +
                "'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater " +
                "than or equal to 1", error(s.createProvisionedTable("Bad", "pk", AttributeType.S, -1, 3)));
            assertEquals("ValidationException: One or more parameter values were invalid: ReadCapacityUnits and " +
                "WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
                error(s.createProvisionedTable("Bad", "pk", AttributeType.S, 5, 0)));
        }
    }

    private static TableDescriptionResponseDecoder describe(final byte[] frame)
    {
        ok(frame);
        return new TableDescriptionResponseDecoder().wrapAndApplyHeader(new UnsafeBuffer(frame), 0, new MessageHeaderDecoder());
    }
}
