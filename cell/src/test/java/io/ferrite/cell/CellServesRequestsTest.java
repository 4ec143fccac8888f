package io.ferrite.cell;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CellServesRequestsTest
{
    @TempDir
    Path dir;

    @Test
    void threeMembersServeWritesAndReadsAndAgreeOnTheirItems() throws Exception
    {
        try (CellFixture cell = CellFixture.start(dir); CellClient client = cell.client())
        {
            final CellResult created = client.createTable(TableSpec.of("cells").partitionKey("pk", KeyType.S), 20_000);
            assertTrue(created.ok(), created + "\n" + cell.logs());
            for (int i = 0; i < 50; i++)
            {
                final CellResult put = client.putItem("cells", Map.of("pk", s("k" + i), "v", n(i)));
                assertTrue(put.ok(), put.toString());
            }
            final CellResult got = client.getItem("cells", Map.of("pk", s("k7")), true);
            assertEquals(n(7), got.item().get("v"), got.toString());
            assertNull(client.getItem("cells", Map.of("pk", s("absent")), true).item());
            final CellResult sum = client.checksum(5_000);
            assertTrue(sum.ok(), sum.toString());
            assertEquals(AttributeValue.n(50), sum.item().get("items"));
        }
    }
}
