package io.ferrite.transport.node;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.sbe.AttributeType;
import io.ferrite.codecs.sbe.ReturnValuesType;
import io.ferrite.codecs.sbe.TableStatus;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.shard.Shard;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.engine.wal.FsyncPolicy;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static io.ferrite.transport.node.RawSession.error;
import static io.ferrite.transport.node.RawSession.item;
import static io.ferrite.transport.node.RawSession.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A clean shutdown and restart keeps every answered write, and start-up repairs table changes that a
 * crash left done on some shards only: a CreateTable is completed, a DeleteTable is completed, a table
 * missing from the routing metadata is adopted.
 */
class RestartRecoversDataAndRepairsHalfDoneTableChangesTest
{
    @Test
    void cleanShutdownThenRestartKeepsEveryAnsweredWrite()
    {
        try (NodeFixture fixture = new NodeFixture(2))
        {
            final RawSession s = fixture.ipcSession().connect();
            ok(s.createTable("Kept", "pk", AttributeType.S, null, null));
            for (int i = 0; i < 200; i++)
            {
                ok(s.putItem("Kept", item("pk", "k" + i, "v", i), ReturnValuesType.NONE));
            }
            for (int i = 0; i < 200; i += 10)
            {
                ok(s.deleteItem("Kept", item("pk", "k" + i), ReturnValuesType.NONE));
                ok(s.updateItem("Kept", item("pk", "k" + (i + 1)), item("u", "yes"), null, ReturnValuesType.NONE, ""));
            }

            fixture.stop();
            fixture.start(fixture.config(2));

            final RawSession again = fixture.udpSession().connect();
            for (int i = 0; i < 200; i++)
            {
                final java.util.Map<String, AttributeValue> found = RawSession.item(again.getItem("Kept", item("pk", "k" + i)));
                if (0 == i % 10)
                {
                    assertNull(found, "k" + i + " stays deleted");
                }
                else
                {
                    assertEquals(AttributeValue.n(i), found.get("v"));
                    assertEquals(1 == i % 10, found.containsKey("u"), "update of k" + i);
                }
            }
            assertEquals(180, RawSession.itemCount(again.describeTable("Kept")));
        }
    }

    @Test
    void startUpCompletesHalfDoneCreateAndDeleteAndAdoptsUnknownTables() throws Exception
    {
        final Path dir = NodeFixture.tempDir();
        // a table that exists on shard 0 only, with no routing metadata at all (as if the node died mid-CreateTable)
        try (Shard shard0 = Shard.open(engine(dir, 0), new SystemEpochNanoClock()))
        {
            shard0.createTable(TableSpec.of("Orphan").partitionKey("pk", KeyType.S));
        }

        try (NodeFixture fixture = new NodeFixture(dir, 2, config -> { }))
        {
            assertTrue(fixture.node.startupReport().stream().anyMatch(line -> line.startsWith("adopted table Orphan") &&
                line.contains("created on shards [1]")), fixture.node.startupReport().toString());
            final RawSession s = fixture.ipcSession().connect();
            for (int i = 0; i < 40; i++)
            {
                ok(s.putItem("Orphan", item("pk", "k" + i), ReturnValuesType.NONE));
            }
            assertEquals(40, RawSession.itemCount(s.describeTable("Orphan")));
            ok(s.createTable("Creating", "pk", AttributeType.S, null, null));
            ok(s.createTable("Deleting", "pk", AttributeType.S, null, null));
            fixture.stop();

            // as if a crash hit CreateTable after shard 0 and before shard 1, and DeleteTable after shard 0
            final RoutingMetadata metadata = RoutingMetadata.load(dir, 2);
            metadata.status(metadata.lookup("Creating"), TableStatus.CREATING);
            metadata.status(metadata.lookup("Deleting"), TableStatus.DELETING);
            try (Shard shard1 = Shard.open(engine(dir, 1), new SystemEpochNanoClock()))
            {
                shard1.deleteTable("Creating");
            }
            try (Shard shard0 = Shard.open(engine(dir, 0), new SystemEpochNanoClock()))
            {
                shard0.deleteTable("Deleting");
            }

            fixture.start(fixture.config(2));
            final List<String> report = fixture.node.startupReport();
            assertTrue(report.stream().anyMatch(line -> line.startsWith("completed CreateTable Creating") &&
                line.endsWith("[1]")), report.toString());
            assertTrue(report.stream().anyMatch(line -> line.startsWith("completed DeleteTable Deleting")), report.toString());
            final RawSession again = fixture.ipcSession().connect();
            assertEquals(List.of("Creating", "Orphan"), RawSession.tableNames(again.listTables(0, null)));
            for (int i = 0; i < 20; i++)
            {
                ok(again.putItem("Creating", item("pk", "c" + i), ReturnValuesType.NONE));
            }
            assertEquals(20, RawSession.itemCount(again.describeTable("Creating")));
            assertEquals(40, RawSession.itemCount(again.describeTable("Orphan")));
            assertTrue(error(again.describeTable("Deleting")).startsWith("ResourceNotFoundException"));
            ok(again.createTable("Deleting", "pk", AttributeType.S, null, null));
        }
    }

    private static EngineConfig engine(final Path dir, final int shard)
    {
        return new EngineConfig().dataDir(dir.resolve("shard-" + shard)).partitionMaxItems(20_000).averageItemBytes(256)
            .fsyncPolicy(FsyncPolicy.NONE);
    }
}
