package io.ferrite.transport.node;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.ferrite.codecs.sbe.AdmissionDemandEncoder;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Datagrams on the admission service's port that are not well-formed AdmissionDemands (shorter than a header, cut
 * short inside a field, naming a channel the client refuses) are dropped and counted: not read past their end (a cut
 * demand was completed from the bytes after it in the term buffer and registered), not thrown out of the agent; a good
 * demand afterwards gets its grant.
 */
class AdmissionServiceDropsMalformedDemandsTest
{
    private static final int GRANT_STREAM_ID = 4401;

    @Test
    void malformedDemandsAreDroppedAndAGoodOneIsGranted()
    {
        final Path dir = Path.of((Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" : System.getProperty("java.io.tmpdir")) +
            "/ferrite-test-" + UUID.randomUUID());
        MediaDriver driver = null;
        Aeron aeron = null;
        AdmissionService service = null;
        try
        {
            driver = MediaDriver.launchEmbedded(new MediaDriver.Context().aeronDirectoryName(dir.toString())
                .threadingMode(ThreadingMode.SHARED).dirDeleteOnStart(true).dirDeleteOnShutdown(true));
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir.toString()));
            service = new AdmissionService(aeron, "aeron:udp?endpoint=127.0.0.1:0", TimeUnit.MILLISECONDS.toNanos(1));
            final Subscription grants = aeron.addSubscription("aeron:udp?endpoint=127.0.0.1:0", GRANT_STREAM_ID);
            while (grants.localSocketAddresses().isEmpty())
            {
                Thread.yield();
            }
            final String grantChannel = "aeron:udp?endpoint=" + grants.localSocketAddresses().get(0);

            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
            final int length = demand(buffer, grantChannel);
            final AdmissionService admission = service;
            // shorter than a header; cut inside the grant channel (the bytes after it would complete it); a bad channel
            assertDoesNotThrow(() -> admission.onFragment(new UnsafeBuffer(new byte[3]), 0, 3, null));
            assertDoesNotThrow(() -> admission.onFragment(buffer, 0, length - 5, null));
            final UnsafeBuffer badChannel = new UnsafeBuffer(new byte[4096]);
            final int badLength = demand(badChannel, "not a channel");
            assertDoesNotThrow(() -> admission.onFragment(badChannel, 0, badLength, null));
            assertEquals(3, service.malformedDemands());
            assertEquals(0, grantsWithin(service, grants, 500), "grants sent for malformed demands");

            service.onFragment(buffer, 0, length, null);
            assertTrue(grantsWithin(service, grants, 5_000) > 0, "no grant for a good demand");
        }
        finally
        {
            if (null != service)
            {
                service.onClose();
            }
            CloseHelper.quietClose(aeron);
            CloseHelper.quietClose(driver);
            IoUtil.delete(dir.toFile(), true);
        }
    }

    private static int demand(final UnsafeBuffer buffer, final String grantChannel)
    {
        return demand(buffer, 7, GRANT_STREAM_ID, grantChannel);
    }

    /**
     * Encodes a demand for table Tbl (rates 100, demands 10) from a router, asking for grants on a channel and stream.
     *
     * @return its length.
     */
    static int demand(final UnsafeBuffer buffer, final long routerId, final int grantStreamId, final String grantChannel)
    {
        final AdmissionDemandEncoder encoder = new AdmissionDemandEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .routerId(routerId).grantStreamId(grantStreamId).readRate(100).writeRate(100).readDemand(10).writeDemand(10)
            .tableName("Tbl").grantChannel(grantChannel);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * Runs the service for up to {@code ms} and counts the grants the subscription receives (stops at the first).
     */
    static int grantsWithin(final AdmissionService service, final Subscription grants, final long ms)
    {
        final int[] received = new int[1];
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (0 == received[0] && System.nanoTime() - deadline < 0)
        {
            service.doWork();
            grants.poll((buffer, offset, length, header) -> received[0]++, 10);
            Thread.yield();
        }
        return received[0];
    }
}
