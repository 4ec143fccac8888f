package io.ferrite.perf.latency;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.http.HttpConfig;
import io.ferrite.http.HttpFront;
import io.ferrite.perf.Dataset;
import io.ferrite.transport.node.Node;
import org.agrona.DirectBuffer;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Base64;
import java.util.Map;

/**
 * The node's DynamoDB-compatible HTTP front ({@code ferrite server}'s {@code --http-port}): the same in-process node
 * as {@code ipc} (loaded through the SBE client), with an {@link HttpFront} on 127.0.0.1 and a free port in front of
 * it, driven by the harness's own {@link HttpWire} (non-blocking HTTP/1.1 keep-alive connections with TCP_NODELAY,
 * pooled per load thread, up to 256 requests in flight, read by the load thread's {@link Session#poll()} with no
 * client thread in between) with DynamoDB JSON bodies: GetItem, PutItem of the whole 1 KB record, Query by
 * KeyConditionExpression with Limit. The peer targets ({@code dynalite}) use the same sessions against another
 * server. The load generator allocates (request bodies and headers); the harness measures from the intended send
 * time regardless.
 * <p>
 * <b>Threading:</b> each session is used by one load thread.
 */
final class HttpTarget implements Target
{
    private static final int MAX_IN_FLIGHT = 256;
    private static final String AMZ_DATE = "20260101T000000Z";
    private static final String AUTHORIZATION = "AWS4-HMAC-SHA256 Credential=ferrite/20260101/us-east-1/dynamodb/" +
        "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0";
    private static final String EXTRA_HEADERS = "X-Amz-Date: " + AMZ_DATE + "\r\nAuthorization: " + AUTHORIZATION +
        "\r\n";

    private final String name;
    private final int records;
    private final long capacity;
    private final URI endpoint;
    private final AutoCloseable server;

    HttpTarget(final int records)
    {
        this.name = "http";
        this.records = records;
        final FerriteClientTarget ipc = new FerriteClientTarget(false, records);
        final HttpFront front;
        try
        {
            final Node node = ipc.node();
            front = HttpFront.start(new HttpConfig().host("127.0.0.1").port("0"), node.aeronDirectoryName(),
                node.ipcChannel(), node.requestStreamId());
        }
        catch (final RuntimeException ex)
        {
            ipc.close();
            throw ex;
        }
        capacity = ipc.capacity();
        endpoint = URI.create(front.endpoint() + "/");
        server = () ->
        {
            try
            {
                front.close();
            }
            finally
            {
                ipc.close();
            }
        };
        System.out.println("http: DynamoDB API on " + front.endpoint());
    }

    /**
     * Another DynamoDB-compatible server, driven by exactly the same client code as Ferrite's front (the peer
     * targets differ from {@code http} only by the server).
     *
     * @param name     the target's name.
     * @param endpoint the server's base URI.
     * @param records  records the data set has (the caller loads them, e.g. with {@link OpenLoop#load}).
     * @param capacity the most records the server holds.
     * @param server   closed (stopping the server) by {@link #close()}.
     */
    HttpTarget(final String name, final URI endpoint, final int records, final long capacity,
        final AutoCloseable server)
    {
        this.name = name;
        this.endpoint = endpoint;
        this.records = records;
        this.capacity = capacity;
        this.server = server;
    }

    URI endpoint()
    {
        return endpoint;
    }

    public String name()
    {
        return name;
    }

    public long capacity()
    {
        return capacity;
    }

    public int maxThreads()
    {
        return 16;
    }

    public Session newSession(final Recorder recorder, final long seed)
    {
        return new HttpSession(new Dataset(records, seed, Dataset.Layout.YCSB), recorder);
    }

    public void close()
    {
        try
        {
            server.close();
        }
        catch (final RuntimeException ex)
        {
            throw ex;
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("stopping " + name + ": " + ex, ex);
        }
    }

    private final class HttpSession implements Session, HttpWire.Handler
    {
        private final Dataset dataset;
        private final Recorder recorder;
        private final HttpWire wire = new HttpWire(endpoint, this);
        private final Op[] ops = new Op[MAX_IN_FLIGHT];
        private final long[] intendedNs = new long[MAX_IN_FLIGHT];
        private final int[] putAfter = new int[MAX_IN_FLIGHT];
        private final boolean[] isGet = new boolean[MAX_IN_FLIGHT];
        private final int[] freeSlots = new int[MAX_IN_FLIGHT];
        private int free;
        private long version;

        HttpSession(final Dataset dataset, final Recorder recorder)
        {
            this.dataset = dataset;
            this.recorder = recorder;
            for (int i = 0; i < MAX_IN_FLIGHT; i++)
            {
                freeSlots[free++] = MAX_IN_FLIGHT - 1 - i;
            }
        }

        public boolean submit(final Op op, final int record, final int scanLength, final long intendedNs)
        {
            if (0 == free)
            {
                return false;
            }
            final int slot = freeSlots[--free];
            ops[slot] = op;
            this.intendedNs[slot] = intendedNs;
            putAfter[slot] = -1;
            switch (op)
            {
                case GET -> send(slot, "GetItem", getBody(record));
                case PUT, INSERT -> send(slot, "PutItem", putBody(record));
                case RMW ->
                {
                    putAfter[slot] = record;
                    send(slot, "GetItem", getBody(record));
                }
                case QUERY -> send(slot, "Query", queryBody(record, scanLength));
                default -> throw new IllegalStateException("unknown op " + op);
            }
            return true;
        }

        private void send(final int slot, final String operation, final String body)
        {
            isGet[slot] = "GetItem".equals(operation);
            wire.send(operation, body, EXTRA_HEADERS, slot);
        }

        public void onResponse(final long token, final int status, final int bodyLength)
        {
            final int slot = (int)token;
            // GetItem of a missing item answers {}: every record is loaded, so that is a failure here
            final boolean ok = 200 == status && (!isGet[slot] || bodyLength > 2);
            if (ok && putAfter[slot] >= 0)
            {
                final int record = putAfter[slot];
                putAfter[slot] = -1;
                send(slot, "PutItem", putBody(record));
                return;
            }
            freeSlots[free++] = slot;
            if (ok)
            {
                recorder.success(ops[slot], intendedNs[slot]);
            }
            else
            {
                recorder.error(ops[slot]);
            }
        }

        private String getBody(final int record)
        {
            return "{\"TableName\":\"" + Dataset.TABLE + "\",\"Key\":" + json(dataset.key(record), dataset.keyLength(record)) +
                "}";
        }

        private String putBody(final int record)
        {
            final DirectBuffer item = dataset.item(record, ++version);
            return "{\"TableName\":\"" + Dataset.TABLE + "\",\"Item\":" + json(item, dataset.itemLength(record)) + "}";
        }

        private String queryBody(final int record, final int scanLength)
        {
            final CharSequence pk = dataset.partitionKeyText(record / Dataset.ITEMS_PER_PARTITION);
            return "{\"TableName\":\"" + Dataset.TABLE + "\",\"KeyConditionExpression\":\"" + Dataset.PK + " = :p\"," +
                "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"" + pk + "\"}}" +
                (scanLength > 0 ? ",\"Limit\":" + scanLength : "") + "}";
        }

        public int poll()
        {
            return wire.poll();
        }

        public int inFlight()
        {
            return MAX_IN_FLIGHT - free;
        }

        public void close()
        {
            wire.close();
        }
    }

    /**
     * A DynamoDB JSON request with the headers DynamoDB-compatible servers want. The Authorization header is a
     * well-formed SigV4 header with a dummy signature: Ferrite does not check it, dynalite checks only its shape
     * (and that a date header is there), so both servers see the same bytes.
     */
    static HttpRequest request(final URI endpoint, final String operation, final String body)
    {
        return HttpRequest.newBuilder(endpoint)
            .header("Content-Type", "application/x-amz-json-1.0")
            .header("X-Amz-Target", "DynamoDB_20120810." + operation)
            .header("X-Amz-Date", AMZ_DATE)
            .header("Authorization", AUTHORIZATION)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    }

    /**
     * DynamoDB JSON of the data set's items: S, N and B attributes (all the data set has).
     */
    static String json(final DirectBuffer item, final int length)
    {
        final StringBuilder out = new StringBuilder(length * 2);
        out.append('{');
        boolean first = true;
        for (final Map.Entry<String, AttributeValue> entry : ItemCodec.decode(item, 0, length).entrySet())
        {
            out.append(first ? "" : ",").append('"').append(entry.getKey()).append("\":{\"");
            first = false;
            final AttributeValue value = entry.getValue();
            switch (value.type())
            {
                case ItemFormat.TYPE_S -> out.append("S\":\"").append(value.asString());
                case ItemFormat.TYPE_N -> out.append("N\":\"").append(value.asNumber());
                case ItemFormat.TYPE_B -> out.append("B\":\"").append(Base64.getEncoder().encodeToString(value.asBytes()));
                default -> throw new IllegalStateException("the data set has no " + ItemFormat.typeName(value.type()));
            }
            out.append("\"}");
        }
        return out.append('}').toString();
    }
}
