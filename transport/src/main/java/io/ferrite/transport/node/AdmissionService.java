package io.ferrite.transport.node;

import io.aeron.Aeron;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Global admission control (decision 0009): divides each provisioned table's rate among the routers that ask for
 * it. Routers send {@code AdmissionDemand} every {@code ferrite.node.admissionIntervalMs} per table (the table's
 * rate and the units they were asked for, admitted or throttled, since their last report); the service answers each
 * with an {@code AdmissionGrant}: its share, {@code rate x its demand / the demand of every router heard from within
 * the last second}, at least 1% of the rate so that an idle router can start; with no demand anywhere, an equal
 * split. The shares add up to the table's rate plus at most those floors, so the table's rate holds across routers
 * (not per router) within a report interval of a change in demand.
 * <p>
 * <b>Threading:</b> an agent on its own thread (or the node's shared one); all state is its own. It is not on any
 * request's path and allocates when it decodes table names and meets a new router.
 */
final class AdmissionService implements Agent, FragmentHandler
{
    static final int DEMAND_STREAM_ID = 1101;
    static final int GRANT_STREAM_ID = 1102;
    private static final long FORGET_AFTER_NS = TimeUnit.SECONDS.toNanos(1);

    private final Aeron aeron;
    private final Subscription demands;
    private final Map<String, Map<Long, RouterDemand>> byTable = new HashMap<>();
    private final Map<String, Publication> grantPublications = new HashMap<>();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final AdmissionDemandDecoder demand = new AdmissionDemandDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final AdmissionGrantEncoder grant = new AdmissionGrantEncoder();
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));

    AdmissionService(final Aeron aeron, final String channel)
    {
        this.aeron = aeron;
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
        return demands.poll(this, 16);
    }

    public void onClose()
    {
        grantPublications.values().forEach(CloseHelper::quietClose);
        CloseHelper.quietClose(demands);
    }

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header fragmentHeader)
    {
        header.wrap(buffer, offset);
        if (header.templateId() != AdmissionDemandDecoder.TEMPLATE_ID || header.schemaId() != AdmissionDemandDecoder.SCHEMA_ID)
        {
            return;
        }
        demand.wrapAndApplyHeader(buffer, offset, header);
        final long nowNs = System.nanoTime();
        final long routerId = demand.routerId();
        final int grantStreamId = demand.grantStreamId();
        final long readRate = demand.readRate();
        final long writeRate = demand.writeRate();
        final String tableName = demand.tableName();
        final String grantChannel = demand.grantChannel();
        final Map<Long, RouterDemand> routers = byTable.computeIfAbsent(tableName, name -> new HashMap<>());
        final RouterDemand self = routers.computeIfAbsent(routerId, id -> new RouterDemand());
        self.readDemand = demand.readDemand();
        self.writeDemand = demand.writeDemand();
        self.lastSeenNs = nowNs;

        long readTotal = 0;
        long writeTotal = 0;
        int active = 0;
        for (final RouterDemand other : routers.values())
        {
            if (nowNs - other.lastSeenNs <= FORGET_AFTER_NS)
            {
                readTotal += other.readDemand;
                writeTotal += other.writeDemand;
                active++;
            }
        }
        routers.values().removeIf(other -> nowNs - other.lastSeenNs > FORGET_AFTER_NS);

        final Publication publication = grantPublications.computeIfAbsent(grantChannel + '|' + grantStreamId,
            key -> aeron.addPublication(grantChannel, grantStreamId));
        grant.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .readRate(share(readRate, self.readDemand, readTotal, active))
            .writeRate(share(writeRate, self.writeDemand, writeTotal, active))
            .tableName(tableName);
        publication.offer(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + grant.encodedLength());
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
        long readDemand;
        long writeDemand;
        long lastSeenNs;
    }
}
