package io.ferrite.transport.node;

import io.aeron.Aeron;
import io.aeron.AeronCounters;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.driver.status.StreamCounter;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentInvoker;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A session closed while its response publication's asynchronous add is still pending (image gone or node closing
 * right after a ConnectRequest): {@code getPublication} returns null then, so closing what it returned closed nothing,
 * and the add later completed into a publication held until shutdown. The router removes the registration instead.
 * The driver and the client conductor run only when this test invokes them, so the add is pending for certain.
 */
class ResponsePublicationOfASessionClosedWhileItsAddIsPendingIsRemovedTest
{
    private static final int STREAM_ID = 4101;

    @Test
    void aPendingAddIsCancelledAndTheDriverFreesThePublication()
    {
        final Path dir = Path.of((Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" : System.getProperty("java.io.tmpdir")) +
            "/ferrite-test-" + UUID.randomUUID());
        MediaDriver driver = null;
        Aeron aeron = null;
        try
        {
            driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .aeronDirectoryName(dir.toString())
                .threadingMode(ThreadingMode.INVOKER)
                .publicationLingerTimeoutNs(TimeUnit.MILLISECONDS.toNanos(1))
                .timerIntervalNs(TimeUnit.MILLISECONDS.toNanos(1))
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
            final AgentInvoker driverInvoker = driver.sharedAgentInvoker();
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir.toString())
                .useConductorAgentInvoker(true).driverAgentInvoker(driverInvoker));

            // the control: a publication added and taken is there
            final long control = aeron.asyncAddPublication("aeron:ipc", STREAM_ID + 1);
            awaitPublications(aeron, driverInvoker, STREAM_ID + 1, 1);
            assertTrue(null != aeron.getPublication(control));

            final long registrationId = aeron.asyncAddPublication("aeron:ipc", STREAM_ID);
            assertEquals(null, aeron.getPublication(registrationId), "the add is still pending");
            Router.closeResponsePublication(aeron, null, registrationId);

            // the driver takes commands in order: once a later add is done, so is whatever became of this one
            aeron.asyncAddPublication("aeron:ipc", STREAM_ID + 2);
            awaitPublications(aeron, driverInvoker, STREAM_ID + 2, 1);
            awaitPublications(aeron, driverInvoker, STREAM_ID, 0);
        }
        finally
        {
            CloseHelper.quietClose(aeron);
            CloseHelper.quietClose(driver);
            IoUtil.delete(dir.toFile(), true);
        }
    }

    /**
     * Runs the driver and the client conductor until the driver holds {@code expected} publications of the stream.
     */
    private static void awaitPublications(
        final Aeron aeron, final AgentInvoker driverInvoker, final int streamId, final int expected)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int found;
        while ((found = publications(aeron, streamId)) != expected)
        {
            assertTrue(System.nanoTime() - deadline < 0,
                "the driver holds " + found + " publications of stream " + streamId + ", expected " + expected);
            driverInvoker.invoke();
            aeron.conductorAgentInvoker().invoke();
            Thread.yield();
        }
    }

    private static int publications(final Aeron aeron, final int streamId)
    {
        final int[] count = new int[1];
        aeron.countersReader().forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (AeronCounters.DRIVER_PUBLISHER_LIMIT_TYPE_ID == typeId &&
                streamId == keyBuffer.getInt(StreamCounter.STREAM_ID_OFFSET))
            {
                count[0]++;
            }
        });
        return count[0];
    }
}
