package io.ferrite.perf;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The exit hook's body: what is still registered runs newest first, one failing step does not stop the others, a
 * withdrawn step does not run, and a step run by its owner runs once.
 */
class ExitCleanupTest
{
    @Test
    void runsWhatIsStillRegisteredNewestFirstPastAFailure()
    {
        final int before = ExitCleanup.registered();
        final List<String> ran = new ArrayList<>();
        ExitCleanup.register("first", () -> ran.add("first"));
        final ExitCleanup.Step withdrawn = ExitCleanup.register("withdrawn", () -> ran.add("withdrawn"));
        ExitCleanup.register("failing", () ->
        {
            ran.add("failing");
            throw new IllegalStateException("a step that fails");
        });
        final ExitCleanup.Step ownerRuns = ExitCleanup.register("owner runs it", () -> ran.add("owner"));
        ExitCleanup.register("last", () -> ran.add("last"));

        withdrawn.close();
        ownerRuns.runNow();
        assertEquals(List.of("owner"), ran);
        assertEquals(before + 3, ExitCleanup.registered());

        ExitCleanup.runAll();
        assertEquals(List.of("owner", "last", "failing", "first"), ran);
        assertEquals(0, ExitCleanup.registered());
    }
}
