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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The node's DynamoDB-compatible HTTP front ({@code ferrite server}'s {@code --http-port}): the same in-process node
 * as {@code ipc} (loaded through the SBE client), with an {@link HttpFront} on 127.0.0.1 and a free port in front of
 * it, driven by the JDK's asynchronous {@link HttpClient} (HTTP/1.1 keep-alive, connections pooled per load thread)
 * with DynamoDB JSON bodies: GetItem, PutItem of the whole 1 KB record, Query by KeyConditionExpression with Limit.
 * Completions arrive on the HTTP client's threads and are handed to the load thread's {@link Session#poll()} through
 * a queue, so the recorder stays single-threaded. The load generator allocates (request bodies, futures); the
 * harness measures from the intended send time regardless.
 * <p>
 * <b>Threading:</b> each session is used by one load thread.
 */
final class HttpTarget implements Target
{
    private static final int MAX_IN_FLIGHT = 256;
    private static final String AMZ_DATE = "20260101T000000Z";
    private static final String AUTHORIZATION = "AWS4-HMAC-SHA256 Credential=ferrite/20260101/us-east-1/dynamodb/" +
        "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0";

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

    private record Completion(Op op, long intendedNs, boolean ok)
    {
    }

    private final class HttpSession implements Session
    {
        private final Dataset dataset;
        private final Recorder recorder;
        private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
        private final ConcurrentLinkedQueue<Completion> done = new ConcurrentLinkedQueue<>();
        private long version;
        private int inFlight;

        HttpSession(final Dataset dataset, final Recorder recorder)
        {
            this.dataset = dataset;
            this.recorder = recorder;
        }

        public boolean submit(final Op op, final int record, final int scanLength, final long intendedNs)
        {
            if (inFlight >= MAX_IN_FLIGHT)
            {
                return false;
            }
            inFlight++;
            switch (op)
            {
                case GET -> send("GetItem", getBody(record), op, intendedNs, null);
                case PUT, INSERT -> send("PutItem", putBody(record), op, intendedNs, null);
                case RMW -> send("GetItem", getBody(record), op, intendedNs, putBody(record));
                case QUERY -> send("Query", queryBody(record, scanLength), op, intendedNs, null);
                default -> throw new IllegalStateException("unknown op " + op);
            }
            return true;
        }

        private void send(final String operation, final String body, final Op op, final long intendedNs,
            final String thenPut)
        {
            client.sendAsync(request(operation, body), HttpResponse.BodyHandlers.ofByteArray())
                .whenComplete((response, failure) ->
                {
                    final boolean ok = null == failure && 200 == response.statusCode() &&
                        (!"GetItem".equals(operation) || response.body().length > 2);
                    if (ok && null != thenPut)
                    {
                        send("PutItem", thenPut, op, intendedNs, null);
                        return;
                    }
                    done.add(new Completion(op, intendedNs, ok));
                });
        }

        private HttpRequest request(final String operation, final String body)
        {
            return HttpTarget.request(endpoint, operation, body);
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
            int work = 0;
            Completion completion;
            while (null != (completion = done.poll()))
            {
                inFlight--;
                work++;
                if (completion.ok())
                {
                    recorder.success(completion.op(), completion.intendedNs());
                }
                else
                {
                    recorder.error(completion.op());
                }
            }
            return work;
        }

        public int inFlight()
        {
            return inFlight;
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
