package io.ferrite.tools.ping;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.transport.LateRequests;
import io.ferrite.transport.client.ClientFailure;
import io.ferrite.transport.client.FerriteBlockingClient;
import io.ferrite.transport.client.FerriteClient;
import io.ferrite.transport.client.ResponseHandler;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An open-loop GetItem latency probe through the SBE client: requests leave at a fixed rate on a
 * schedule fixed in advance, and each latency is measured from the request's intended send time, not
 * from when it was actually sent, so a stall (in the client, the node or the transport) counts against
 * every request it delayed (coordinated omission corrected). Latencies go into an HdrHistogram.
 * <p>
 * Threading: one thread drives the client and records; not thread-safe. The measured loop allocates
 * nothing (so it can run under Epsilon GC to prove the client's zero-allocation claim).
 */
public final class ClientPing implements ResponseHandler
{
    private static final int RING = 1 << 16;

    private final FerriteBlockingClient blocking;
    private final FerriteClient client;
    private final String tableName;
    private final int keys;
    private final ItemWriter writer = new ItemWriter();
    private final long[] intendedSendNs = new long[RING];
    /** One histogram for every run, reset at its start: a new one per run (~200 KB) would be garbage in the measured window. */
    private final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    /** Requests later than the threshold set by {@link #lateThresholdNs}, for the burst report. */
    private final LateRequests late = new LateRequests();
    private long completed;
    private long failures;
    private long notFound;
    private String lastFailure;

    /**
     * @param blocking  a connected client (its thread becomes the ping's).
     * @param tableName the table to read (created and filled if missing).
     * @param keys      how many distinct items to read, round robin.
     */
    public ClientPing(final FerriteBlockingClient blocking, final String tableName, final int keys)
    {
        this.blocking = blocking;
        this.client = blocking.async();
        this.tableName = tableName;
        this.keys = keys;
        if (client.maxInFlight() >= RING)
        {
            throw new IllegalArgumentException("maxInFlight must be below " + RING + " for the ping's ring");
        }
    }

    /**
     * Creates the table if it does not exist and writes the items to read.
     */
    public void prepare()
    {
        try
        {
            blocking.createTable(TableSpec.of(tableName).partitionKey("pk", KeyType.N));
        }
        catch (final FerriteException ex)
        {
            if (ErrorCode.ResourceInUseException != ex.code())
            {
                throw ex;
            }
        }
        for (int i = 0; i < keys; i++)
        {
            blocking.putItem(tableName, Map.of("pk", AttributeValue.n(i), "payload", AttributeValue.s("ping-" + i)));
        }
    }

    /**
     * Runs the open loop for a while.
     *
     * @param ratePerSecond requests per second.
     * @param durationNs    how long to send.
     * @param idle          what to do between sends and polls.
     * @return the latency histogram in nanoseconds: the same instance every run, reset when a run starts.
     */
    public Histogram run(final long ratePerSecond, final long durationNs, final IdleStrategy idle)
    {
        histogram.reset();
        completed = 0;
        failures = 0;
        notFound = 0;
        final long intervalNs = Math.max(1, TimeUnit.SECONDS.toNanos(1) / ratePerSecond);
        final long total = Math.max(1, durationNs / intervalNs);
        final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
        late.start(start);
        long sent = 0;
        while (completed + failures < total)
        {
            final long now = System.nanoTime();
            int work = 0;
            while (sent < total && start + sent * intervalNs <= now)
            {
                writer.reset().number("pk", sent % keys);
                final int length = writer.finish();
                final long requestId = client.getItem(tableName, writer.buffer(), 0, length, false, this);
                if (requestId < 0)
                {
                    if (FerriteClient.NOT_CONNECTED == requestId || FerriteClient.CLOSED == requestId)
                    {
                        throw new IllegalStateException("the node went away: " + lastFailure);
                    }
                    break; // back-pressure or in-flight bound: the intended time stands, so the wait is measured
                }
                intendedSendNs[(int)(requestId & (RING - 1))] = start + sent * intervalNs;
                sent++;
                work++;
            }
            work += client.poll();
            idle.idle(work);
        }
        return histogram;
    }

    /**
     * Records, in the runs from now on, every request whose latency exceeds the threshold (up to 65,536 per run,
     * in preallocated arrays), for {@link #lateBursts(long)}.
     *
     * @param thresholdNs the latency above which a request counts as late.
     * @return this.
     */
    public ClientPing lateThresholdNs(final long thresholdNs)
    {
        late.thresholdNs(thresholdNs);
        return this;
    }

    /**
     * The late requests of the last run, grouped into bursts ({@link LateRequests#bursts(long)}). Allocates (call
     * after the run).
     *
     * @param gapNs the largest gap between two late requests of one burst.
     * @return the report, one burst a line after a first line with the count.
     */
    public String lateBursts(final long gapNs)
    {
        return late.bursts(gapNs);
    }

    /**
     * @return answers received in the last run.
     */
    public long completed()
    {
        return completed;
    }

    /**
     * @return requests that failed in the last run.
     */
    public long failures()
    {
        return failures;
    }

    /**
     * @return GetItems in the last run that found no item (should be 0 after {@link #prepare()}).
     */
    public long notFound()
    {
        return notFound;
    }

    /**
     * @return the last failure's message, or null.
     */
    public String lastFailure()
    {
        return lastFailure;
    }

    /**
     * {@inheritDoc}
     */
    public void onItem(final long requestId, final boolean found, final DirectBuffer buffer, final int offset,
        final int length)
    {
        final long intended = intendedSendNs[(int)(requestId & (RING - 1))];
        final long latencyNs = Math.max(0, System.nanoTime() - intended);
        histogram.recordValue(latencyNs);
        late.record(intended, latencyNs);
        completed++;
        if (!found)
        {
            notFound++;
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onError(final long requestId, final ErrorCode code, final String message)
    {
        failures++;
        lastFailure = code + ": " + message;
    }

    /**
     * {@inheritDoc}
     */
    public void onFailure(final long requestId, final ClientFailure failure, final String message)
    {
        failures++;
        lastFailure = failure + ": " + message;
    }
}
