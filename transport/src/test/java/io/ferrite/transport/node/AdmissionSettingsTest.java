package io.ferrite.transport.node;

import io.ferrite.engine.config.Settings;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The partition and node admission settings (decision 0009): DynamoDB's defaults, the {@code ferrite.node.*} keys,
 * and bad values refused with the rule named.
 */
class AdmissionSettingsTest
{
    @Test
    void defaultsAreDynamoDbsPartitionCeilings()
    {
        final NodeConfig config = new NodeConfig();
        assertEquals(3_000, config.admissionPartitionReadUnits());
        assertEquals(1_000, config.admissionPartitionWriteUnits());
        assertEquals(120_000, config.admissionNodeReadUnits());
        assertEquals(40_000, config.admissionNodeWriteUnits());
    }

    @Test
    void settingsAreReadAndBadValuesNamed()
    {
        final Settings settings = Settings.fromSystemProperties()
            .set("ferrite.node.admissionPartitionReadUnits", "600")
            .set("ferrite.node.admissionPartitionWriteUnits", "200")
            .set("ferrite.node.admissionNodeReadUnits", "9000")
            .set("ferrite.node.admissionNodeWriteUnits", "3000");
        final NodeConfig config = NodeConfig.from(settings);
        assertEquals(600, config.admissionPartitionReadUnits());
        assertEquals(200, config.admissionPartitionWriteUnits());
        assertEquals(9_000, config.admissionNodeReadUnits());
        assertEquals(3_000, config.admissionNodeWriteUnits());
        assertTrue(config.toString().contains("admissionPartitionWriteUnits=200"), config.toString());

        final IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
            () -> new NodeConfig().admissionPartitionWriteUnits(0));
        assertEquals("admissionPartitionWriteUnits must be 1 to 40000 units per second: 0", zero.getMessage());
        final IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
            () -> NodeConfig.from(Settings.fromSystemProperties().set("ferrite.node.admissionNodeReadUnits", "200000000")));
        assertTrue(tooMany.getMessage().contains("ferrite.node.admissionNodeReadUnits"), tooMany.getMessage());
    }
}
