package io.ferrite.engine.shard;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checkpoint is overwritten in place (so periodic checkpoints allocate nothing), in two alternating slots:
 * a write torn by a crash spoils only its own slot and the previous checkpoint still stands.
 */
class CheckpointTornWriteFallsBackToPreviousTest
{
    @TempDir
    Path dataDir;

    @Test
    void writesAlternateSlotsAndTheNewestValidSlotWins()
    {
        try (CheckpointFile file = CheckpointFile.open(dataDir))
        {
            assertEquals(0, file.sequence(), "no checkpoint yet");
            file.write(5);
            file.write(9);
            file.write(12);
        }
        try (CheckpointFile file = CheckpointFile.open(dataDir))
        {
            assertEquals(12, file.sequence());
        }
    }

    @Test
    void aTornSlotFallsBackToTheOtherAndIsTheNextOneWritten() throws Exception
    {
        try (CheckpointFile file = CheckpointFile.open(dataDir))
        {
            file.write(5);
            file.write(9);
        }
        final Path path = dataDir.resolve(CheckpointFile.FILE_NAME);
        final byte[] bytes = Files.readAllBytes(path);
        assertEquals(2 * CheckpointFile.SLOT_LENGTH, bytes.length);
        final int tornSlot = ByteBuffer.wrap(bytes).getLong(0) == 9 ? 0 : 1;
        bytes[tornSlot * CheckpointFile.SLOT_LENGTH + 11] ^= 0x40;
        Files.write(path, bytes);

        try (CheckpointFile file = CheckpointFile.open(dataDir))
        {
            assertEquals(5, file.sequence(), "the torn newer slot is ignored");
            file.write(20);
        }
        final ByteBuffer after = ByteBuffer.wrap(Files.readAllBytes(path));
        assertEquals(20, after.getLong(tornSlot * CheckpointFile.SLOT_LENGTH), "the next write replaced the torn slot");
        assertEquals(5, after.getLong((1 - tornSlot) * CheckpointFile.SLOT_LENGTH), "the good slot was kept");
    }

    @Test
    void aSingleSlotFileFromBeforeSlotsIsReadAndUpgraded() throws Exception
    {
        final Path path = dataDir.resolve(CheckpointFile.FILE_NAME);
        Files.write(path, ByteBuffer.allocate(16).putLong(0, 77).putLong(8, ~77L).array());
        try (CheckpointFile file = CheckpointFile.open(dataDir))
        {
            assertEquals(77, file.sequence());
            file.write(80);
        }
        assertEquals(2 * CheckpointFile.SLOT_LENGTH, Files.size(path));
        try (CheckpointFile file = CheckpointFile.open(dataDir))
        {
            assertEquals(80, file.sequence());
        }
    }

    @Test
    void noValidSlotIsReportedAsCorruptNamingTheFile() throws Exception
    {
        final Path path = dataDir.resolve(CheckpointFile.FILE_NAME);
        Files.write(path, new byte[2 * CheckpointFile.SLOT_LENGTH + 3]);
        final IllegalStateException wrongSize = assertThrows(IllegalStateException.class, () -> CheckpointFile.open(dataDir));
        assertTrue(wrongSize.getMessage().contains(path.toString()) && wrongSize.getMessage().contains("35 bytes"),
            wrongSize.getMessage());

        Files.write(path, ByteBuffer.allocate(32).putLong(0, 1).putLong(8, 1).putLong(16, 2).putLong(24, 2).array());
        final IllegalStateException noSlot = assertThrows(IllegalStateException.class, () -> CheckpointFile.open(dataDir));
        assertTrue(noSlot.getMessage().contains("no slot holds a sequence and its complement"), noSlot.getMessage());
    }

    /**
     * The very first checkpoint's write torn by a power loss (the file's size on disk, not its bytes): no checkpoint was
     * ever durable and no log file purged, so the data directory opens and replays the whole log. It used to be refused
     * as corrupt, leaving the directory unopenable.
     */
    @Test
    void aTornFirstCheckpointOpensAsNoCheckpointAndTheLogIsReplayed() throws Exception
    {
        try (io.ferrite.engine.api.Ferrite db = io.ferrite.engine.api.Ferrite.open(
            new io.ferrite.engine.config.EngineConfig().dataDir(dataDir).partitionMaxItems(100)
                .checkpointIntervalRecords(1_000_000)))
        {
            db.createTable(io.ferrite.engine.table.TableSpec.of("ttt").partitionKey("pk", io.ferrite.engine.table.KeyType.S));
            db.putItem("ttt", java.util.Map.of("pk", io.ferrite.codecs.item.AttributeValue.s("a")));
            db.shard().abandon(); // as a crash leaves it: no checkpoint taken
        }
        final Path path = dataDir.resolve(CheckpointFile.FILE_NAME);
        assertEquals(0, Files.size(path));
        Files.write(path, new byte[CheckpointFile.SLOT_LENGTH]); // the first write's size, not its bytes
        try (io.ferrite.engine.api.Ferrite db = io.ferrite.engine.api.Ferrite.open(
            new io.ferrite.engine.config.EngineConfig().dataDir(dataDir).partitionMaxItems(100)))
        {
            assertEquals(java.util.Map.of("pk", io.ferrite.codecs.item.AttributeValue.s("a")),
                db.getItem("ttt", java.util.Map.of("pk", io.ferrite.codecs.item.AttributeValue.s("a"))));
        }
    }
}
