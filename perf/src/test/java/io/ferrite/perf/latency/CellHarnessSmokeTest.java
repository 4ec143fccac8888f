package io.ferrite.perf.latency;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness's cell target end to end (its main): a three-member cell of child JVMs, a few hundred records
 * loaded through cell clients, three measured seconds of strongly consistent GetItem; the JSON summary must name
 * the target and count operations, most of which found their item. No latency is asserted.
 */
class CellHarnessSmokeTest
{
    @Test
    void shortCellRunWritesJsonWithOperations(@TempDir final Path dir) throws Exception
    {
        final Path json = dir.resolve("cell.json");
        final int status = LatencyHarness.run(new String[]{ "--target", "cell", "--workload", "get",
            "--records", "200", "--rate", "200", "--duration", "3", "--warmup", "1", "--json", json.toString() });

        assertEquals(0, status);
        final List<Map<String, Object>> runs = Json.parseArrayOfObjects(Files.readString(json));
        assertEquals(1, runs.size());
        final Map<String, Object> run = runs.get(0);
        assertEquals("cell", run.get("target"));
        assertEquals("get", run.get("op"));
        assertTrue((Long)run.get("ops") > 0, "ops " + run.get("ops"));
        // Not zero errors: on a loaded machine a starved member can cause an election, and calls during it time out.
        assertTrue((Long)run.get("errors") < (Long)run.get("ops"), "most GetItems found their loaded item: " + run);
    }
}
