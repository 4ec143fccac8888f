package io.ferrite.transport.node;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admission service opens a grant publication for the channel a demand names, and its port is a UDP port anyone
 * who reaches it can send to: the channel is reduced to its endpoint (a datagram asking for large log buffers gets the
 * service's small ones), at most {@link AdmissionService#MAX_GRANT_PUBLICATIONS} are open at once (datagrams naming
 * ever new channels are dropped and counted), and a publication is closed once no router it served reports any more.
 */
class AdmissionServiceBoundsItsGrantPublicationsTest
{
    private static final int GRANT_STREAM_ID = 4402;

    @Test
    void grantPublicationsAreSmallBoundedAndClosedWhenTheirRoutersAreForgotten()
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

            // a demand asking for 1 MB terms gets the service's 64 KB ones, and still its grant
            service.onFragment(buffer, 0, demand(buffer, 1, grantChannel + "|term-length=1m"), null);
            assertTrue(grantsWithin(service, grants, 5_000) > 0, "no grant for a good demand");
            final File[] logs = dir.resolve("publications").toFile().listFiles();
            assertEquals(1, null == logs ? 0 : logs.length);
            assertTrue(logs[0].length() < 1024 * 1024, "a grant publication of " + logs[0].length() + " bytes");

            // routers naming ever new channels: at most MAX_GRANT_PUBLICATIONS are opened, the rest dropped and counted
            final int routers = AdmissionService.MAX_GRANT_PUBLICATIONS + 40;
            for (int i = 2; i <= routers; i++)
            {
                service.onFragment(buffer, 0, demand(buffer, i, "aeron:udp?endpoint=127.0.0.1:" + (21_000 + i) +
                    "|term-length=64k"), null);
            }
            final File[] all = dir.resolve("publications").toFile().listFiles();
            assertEquals(AdmissionService.MAX_GRANT_PUBLICATIONS, null == all ? 0 : all.length);
            assertEquals(routers - AdmissionService.MAX_GRANT_PUBLICATIONS, service.malformedDemands());

            // no router reports any more: forgotten after a second, and their publications closed
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (service.grantPublications() > 0 && System.nanoTime() - deadline < 0)
            {
                service.doWork();
                Thread.yield();
            }
            assertEquals(0, service.grantPublications());
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

    private static int demand(final UnsafeBuffer buffer, final long routerId, final String grantChannel)
    {
        return AdmissionServiceDropsMalformedDemandsTest.demand(buffer, routerId, GRANT_STREAM_ID, grantChannel);
    }

    private static int grantsWithin(final AdmissionService service, final Subscription grants, final long ms)
    {
        return AdmissionServiceDropsMalformedDemandsTest.grantsWithin(service, grants, ms);
    }
}
