package io.ferrite.cell;

import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two of three members SIGKILLed: the one left has no majority, so a write cannot commit; the client answers
 * TIMED_OUT with a clear message within its timeout (it does not hang), and writes succeed again once one member
 * returns. The write that timed out, retried with its request id, is applied once.
 */
class MinorityCutOffFailsFastAndRecoversTest
{
    private static final long TIMEOUT_MS = 2_000;

    @TempDir
    Path dir;

    @Test
    void writesFailWithinTheTimeoutAndRecoverWhenAMemberReturns() throws Exception
    {
        try (CellFixture cell = CellFixture.start(dir); CellClient client = cell.client())
        {
            assertTrue(client.createTable(TableSpec.of("minority").partitionKey("pk", KeyType.S), 30_000).ok());
            assertTrue(client.putItem("minority", Map.of("pk", s("before"))).ok());

            final int leader = cell.leader();
            final int follower = cell.aFollower();
            final int survivor = 3 - leader - follower;
            assertTrue(cell.launcher.kill(leader));
            assertTrue(cell.launcher.kill(follower));

            final long requestId = client.newRequestId();
            for (int attempt = 0; attempt < 3; attempt++)
            {
                final long start = System.nanoTime();
                final CellResult failed = client.updateItem("minority", Map.of("pk", s("during")), "ADD hits :one", null,
                    null, Map.of(":one", n(1)), null, requestId, TIMEOUT_MS);
                final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                System.out.println("write with members " + leader + " and " + follower + " down: " + failed + " in " + tookMs + " ms");
                assertEquals(CellResult.Outcome.TIMED_OUT, failed.outcome(), failed.toString());
                assertTrue(failed.message().contains("did not answer within " + TIMEOUT_MS + " ms"), failed.message());
                assertTrue(tookMs < TIMEOUT_MS + 1_000, "failed in " + tookMs + " ms, not hung");
            }

            cell.launcher.startMember(follower);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            CellResult recovered;
            do
            {
                recovered = client.updateItem("minority", Map.of("pk", s("during")), "ADD hits :one", null, null,
                    Map.of(":one", n(1)), null, requestId, TIMEOUT_MS);
            }
            while (!recovered.ok() && System.nanoTime() - deadline < 0);
            assertTrue(recovered.ok(), "writes work again with members " + survivor + " and " + follower + ": " + recovered +
                "\n" + cell.logs());
            assertTrue(client.putItem("minority", Map.of("pk", s("after"))).ok());
            final CellResult read = client.getItem("minority", Map.of("pk", s("during")), true, 10_000);
            assertEquals(n(1), read.item().get("hits"), "the retried write is applied once: " + read);
            assertTrue(client.getItem("minority", Map.of("pk", s("before")), true, 10_000).item() != null);
        }
    }
}
