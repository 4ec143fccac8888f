package io.ferrite.tools.chaos;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.engine.api.Ferrite;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.wal.FsyncPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The chaos checker is only worth its zeros if it can count something else: a table that lost acknowledged writes
 * and holds writes nobody made is reported as such, while the write in flight at the kill may go either way.
 */
class ChaosCheckerCountsLostAndPhantomWritesTest
{
    @TempDir
    Path dir;

    @Test
    void lostAndPhantomWritesAreCountedAndTheInFlightWriteMayGoEitherWay()
    {
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
        final EmbeddedChaos chaos = new EmbeddedChaos(dir, out);
        final List<String> lines = List.of(
            "READY in 1ms",
            "INTENT PUT k1 1", "ACK PUT k1 1",
            "INTENT PUT k2 2", "ACK PUT k2 2",
            "INTENT DELETE k2 3", "ACK DELETE k2 3",
            "INTENT PUT k4 4", "ACK PUT k4 4",
            "INTENT UPDATE k4 5", "ACK UPDATE k4 5",
            "INTENT UPDATE k3 6", "ACK UPDATE k3 6",
            "INTENT PUT k5 7", "ACK PUT k5 7",
            "INTENT PUT k5 8");

        try (Ferrite db = Ferrite.open(ChaosWorkload.engineConfig(dir, FsyncPolicy.NONE)))
        {
            db.createTable(ChaosWorkload.tableSpec());
            // k1: the acknowledged put is missing -> lost
            // k2: the acknowledged delete is undone -> lost
            db.putItem(ChaosWorkload.TABLE, ChaosWorkload.putItem("k2", 2));
            // k3: the acknowledged update is there
            db.updateItem(ChaosWorkload.TABLE, ChaosWorkload.key("k3"), ChaosWorkload.updateSet(6),
                ChaosWorkload.updateRemove(6), null, ReturnValues.NONE);
            // k4: the update's version with contents nobody wrote (the update kept the put's pad) -> phantom
            final Map<String, AttributeValue> k4 = new HashMap<>(ChaosWorkload.apply(
                ChaosWorkload.Op.UPDATE, "k4", 5, null));
            db.putItem(ChaosWorkload.TABLE, k4);
            // k5: the in-flight put took effect -> fine
            db.putItem(ChaosWorkload.TABLE, ChaosWorkload.putItem("k5", 8));
            // k6: a key nobody wrote -> phantom
            db.putItem(ChaosWorkload.TABLE, ChaosWorkload.putItem("k6", 7));

            final EmbeddedChaos.Intent inFlight = chaos.replayProtocol(lines);
            assertEquals("applied", chaos.check(db, EmbeddedChaos.scanAll(db), inFlight));
        }

        final EmbeddedChaos.Result result = chaos.result(1);
        final String text = captured.toString(StandardCharsets.UTF_8);
        assertEquals("cycles=1 acked=7 lost=2 phantom=2", result.summaryLine(), text);
        assertEquals(1, text.lines().filter(l -> l.contains("LOST k1: no item")).count(), text);
        assertEquals(1, text.lines().filter(l -> l.contains("LOST k2: found the older")).count(), text);
        assertEquals(1, text.lines().filter(l -> l.contains("PHANTOM k4: ") && l.contains("contents never written"))
            .count(), text);
        assertEquals(1, text.lines().filter(l -> l.contains("PHANTOM k6: ") && l.contains("never written to this key"))
            .count(), text);
    }
}
