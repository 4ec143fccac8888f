package io.ferrite.transport.node;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.ferrite.codecs.sbe.AdmissionDemandDecoder;
import io.ferrite.codecs.sbe.AdmissionGrantEncoder;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Global admission control (decision 0009): divides each provisioned table's rate among the routers that ask for
 * it. Routers send {@code AdmissionDemand} every {@code ferrite.node.admissionIntervalMs} per table (the table's
 * rate and the units they were asked for, admitted or throttled, since their last report). Every interval the service
 * divides each table's rate among the routers heard from within the last second, all at once from the same demand
 * figures, and sends each an {@code AdmissionGrant}: {@code rate x its demand / the total demand}, at least 1% of the
 * rate so that an idle router can start; with no demand anywhere, an equal split. Computing every share from one
 * snapshot makes them add up to the table's rate (plus at most those floors); answering each report as it came, with
 * the others' older figures, let the shares add up to 12% more than the rate under a noisy load.
 * <p>
 * <b>Threading:</b> an agent on its own thread (or the node's shared one); all state is its own. It is not on any
 * request's path and allocates when it decodes table names and meets a new router.
 */
final class AdmissionService implements Agent, FragmentHandler
{
    static final int DEMAND_STREAM_ID = 1101;
    static final int GRANT_STREAM_ID = 1102;
    private static final long FORGET_AFTER_NS = TimeUnit.SECONDS.toNanos(1);
    /**
     * The most grant publications the service keeps at once: one per router it hears from. A demand naming a new
     * channel beyond it is dropped and counted, so that datagrams naming ever new channels cannot make the service
     * create publications (each its own log buffers) without bound.
     */
    static final int MAX_GRANT_PUBLICATIONS = 256;
    /**
     * Term length of a grant publication: a grant is some 50 bytes every interval, so the smallest term Aeron allows;
     * the channel a demand names is reduced to its endpoint, so a datagram cannot ask for larger log buffers.
     */
    static final int GRANT_TERM_LENGTH = 64 * 1024;

    private final Aeron aeron;
    private final Subscription demands;
    private final Map<String, Map<Long, RouterDemand>> byTable = new HashMap<>();
    private final Map<String, Publication> grantPublications = new HashMap<>();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final AdmissionDemandDecoder demand = new AdmissionDemandDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final AdmissionGrantEncoder grant = new AdmissionGrantEncoder();
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private long malformedDemands;

    private final long intervalNs;
    private long lastGrantNs;

    AdmissionService(final Aeron aeron, final String channel, final long intervalNs)
    {
        this.aeron = aeron;
        this.intervalNs = intervalNs;
        this.demands = aeron.addSubscription(channel, DEMAND_STREAM_ID);
    }

    Subscription subscription()
    {
        return demands;
    }

    public String roleName()
    {
        return "ferrite-admission";
    }

    public int doWork()
    {
        int work = demands.poll(this, 16);
        final long nowNs = System.nanoTime();
        if (nowNs - lastGrantNs >= intervalNs)
        {
            lastGrantNs = nowNs;
            work += grantAll(nowNs);
        }
        return work;
    }

    private int grantAll(final long nowNs)
    {
        int sent = 0;
        boolean forgot = false;
        for (final Map.Entry<String, Map<Long, RouterDemand>> table : byTable.entrySet())
        {
            final Map<Long, RouterDemand> routers = table.getValue();
            forgot |= routers.values().removeIf(other -> nowNs - other.lastSeenNs > FORGET_AFTER_NS);
            long readTotal = 0;
            long writeTotal = 0;
            long readRate = 0;
            long writeRate = 0;
            for (final RouterDemand router : routers.values())
            {
                readTotal += router.readDemand;
                writeTotal += router.writeDemand;
                readRate = router.readRate;
                writeRate = router.writeRate;
            }
            for (final RouterDemand router : routers.values())
            {
                grant.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                    .readRate(share(readRate, router.readDemand, readTotal, routers.size()))
                    .writeRate(share(writeRate, router.writeDemand, writeTotal, routers.size()))
                    .tableName(table.getKey());
                if (router.publication.offer(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + grant.encodedLength()) > 0)
                {
                    sent++;
                }
            }
        }
        if (forgot)
        {
            closeForgottenPublications();
        }
        return sent;
    }

    /**
     * Drops the tables no router reports any more and closes the grant publications no router uses (off any request
     * path; allocates).
     */
    private void closeForgottenPublications()
    {
        byTable.values().removeIf(Map::isEmpty);
        final Set<String> used = new HashSet<>();
        for (final Map<Long, RouterDemand> routers : byTable.values())
        {
            for (final RouterDemand router : routers.values())
            {
                used.add(router.publicationKey);
            }
        }
        grantPublications.entrySet().removeIf(entry ->
        {
            if (used.contains(entry.getKey()))
            {
                return false;
            }
            CloseHelper.quietClose(entry.getValue());
            return true;
        });
    }

    public void onClose()
    {
        grantPublications.values().forEach(CloseHelper::quietClose);
        CloseHelper.quietClose(demands);
    }

    /**
     * Takes one AdmissionDemand datagram; anything else on the port, or a demand that is malformed (shorter than its
     * header or block, a length running past the datagram, a grant channel that names no UDP endpoint or that the
     * client refuses) or that would open a grant publication past {@link #MAX_GRANT_PUBLICATIONS}, is dropped and
     * counted in {@link #malformedDemands()}, never read past its end nor thrown out of the agent. Grants go to the
     * endpoint the demand names, on a channel of the service's own making ({@link #grantChannelOf}): any other
     * parameter the datagram names (a term length of a gigabyte) is ignored; publications no router uses any more are
     * closed when their routers are forgotten.
     */
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header fragmentHeader)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            malformedDemands++;
            return;
        }
        // bounded to the datagram: a length field that runs past it throws here instead of reading the term's next bytes
        view.wrap(buffer, offset, length);
        header.wrap(view, 0);
        if (header.templateId() != AdmissionDemandDecoder.TEMPLATE_ID || header.schemaId() != AdmissionDemandDecoder.SCHEMA_ID)
        {
            return;
        }
        if (header.blockLength() < AdmissionDemandDecoder.BLOCK_LENGTH)
        {
            malformedDemands++;
            return;
        }
        final long routerId;
        final int grantStreamId;
        final long readRate;
        final long writeRate;
        final long readDemand;
        final long writeDemand;
        final String tableName;
        final String grantChannel;
        try
        {
            demand.wrapAndApplyHeader(view, 0, header);
            routerId = demand.routerId();
            grantStreamId = demand.grantStreamId();
            readRate = demand.readRate();
            writeRate = demand.writeRate();
            readDemand = demand.readDemand();
            writeDemand = demand.writeDemand();
            tableName = demand.tableName();
            grantChannel = demand.grantChannel();
        }
        catch (final IndexOutOfBoundsException ex)
        {
            malformedDemands++;
            return;
        }
        final String publicationKey = grantChannelOf(grantChannel);
        final Publication publication = null == publicationKey ? null : grantPublication(publicationKey, grantStreamId);
        if (null == publication)
        {
            malformedDemands++;
            return;
        }
        final Map<Long, RouterDemand> routers = byTable.computeIfAbsent(tableName, name -> new HashMap<>());
        final RouterDemand self = routers.computeIfAbsent(routerId, id -> new RouterDemand());
        // the rate a router reports is the table's (the latest UpdateTable it has seen)
        self.readRate = readRate;
        self.writeRate = writeRate;
        self.readDemand = readDemand;
        self.writeDemand = writeDemand;
        self.lastSeenNs = System.nanoTime();
        self.publication = publication;
        self.publicationKey = publicationKey + '|' + grantStreamId;
    }

    /**
     * @return demands dropped as malformed since start (this agent's thread).
     */
    long malformedDemands()
    {
        return malformedDemands;
    }

    /**
     * @return the publication grants to that channel and stream go on, or null if the client refuses the channel.
     */
    private Publication grantPublication(final String channel, final int streamId)
    {
        final String key = channel + '|' + streamId;
        Publication publication = grantPublications.get(key);
        if (null == publication)
        {
            if (grantPublications.size() >= MAX_GRANT_PUBLICATIONS)
            {
                return null;
            }
            try
            {
                publication = aeron.addPublication(channel, streamId);
            }
            catch (final RuntimeException ex)
            {
                return null;
            }
            grantPublications.put(key, publication);
        }
        return publication;
    }

    /**
     * @param named the grant channel a demand names.
     * @return the channel grants go on: a UDP channel to the endpoint it names and nothing else it asks for (the
     * service's own small term length), or null when it names no UDP endpoint.
     */
    static String grantChannelOf(final String named)
    {
        final String endpoint;
        try
        {
            final ChannelUri uri = ChannelUri.parse(named);
            if (!"udp".equals(uri.media()))
            {
                return null;
            }
            endpoint = uri.get("endpoint");
        }
        catch (final RuntimeException ex)
        {
            return null;
        }
        if (null == endpoint || endpoint.isEmpty() || endpoint.indexOf('|') >= 0)
        {
            return null;
        }
        return "aeron:udp?endpoint=" + endpoint + "|term-length=" + GRANT_TERM_LENGTH;
    }

    /**
     * @return grant publications open now (this agent's thread).
     */
    int grantPublications()
    {
        return grantPublications.size();
    }

    /**
     * @return this router's share of the rate: proportional to its demand, at least 1% of the rate (and 1 unit).
     */
    static long share(final long rate, final long demand, final long totalDemand, final int routers)
    {
        final long floor = Math.max(1, rate / 100);
        if (totalDemand <= 0)
        {
            return Math.max(floor, rate / Math.max(1, routers));
        }
        return Math.max(floor, (long)((double)rate * demand / totalDemand));
    }

    private static final class RouterDemand
    {
        Publication publication;
        String publicationKey;
        long readRate;
        long writeRate;
        long readDemand;
        long writeDemand;
        long lastSeenNs;
    }
}
