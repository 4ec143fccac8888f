package io.ferrite.perf.latency;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.http.HttpConfig;
import io.ferrite.http.HttpFront;
import io.ferrite.perf.Dataset;
import io.ferrite.transport.node.Node;
import io.ferrite.codecs.number.DecimalCodec;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.net.URI;
import java.nio.charset.StandardCharsets;
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
 * server. Request bodies are written from the data set's item bytes into one reused array per session ({@link
 * Body}) and the head straight into the connection's buffer: the load thread allocates nothing per request, so its
 * garbage does not pause the in-process front and node (it did: ~10 KB per PutItem in Strings and maps).
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

    private static final byte[] EXTRA_HEADER_BYTES = EXTRA_HEADERS.getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] GET_ITEM = "GetItem".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PUT_ITEM = "PutItem".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] QUERY = "Query".getBytes(StandardCharsets.US_ASCII);

    private final String name;
    private final int records;
    private final long capacity;
    private final URI endpoint;
    private final AutoCloseable server;

    HttpTarget(final int records, final WalChoice wal)
    {
        this.name = "http";
        this.records = records;
        final FerriteClientTarget ipc = new FerriteClientTarget(false, records, wal);
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
        private final Body body = new Body();
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
                case GET -> send(slot, GET_ITEM, getBody(record));
                case PUT, INSERT -> send(slot, PUT_ITEM, putBody(record));
                case RMW ->
                {
                    putAfter[slot] = record;
                    send(slot, GET_ITEM, getBody(record));
                }
                case QUERY -> send(slot, QUERY, queryBody(record, scanLength));
                default -> throw new IllegalStateException("unknown op " + op);
            }
            return true;
        }

        private void send(final int slot, final byte[] operation, final Body body)
        {
            isGet[slot] = GET_ITEM == operation;
            wire.send(operation, body.bytes, body.length, EXTRA_HEADER_BYTES, slot);
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
                send(slot, PUT_ITEM, putBody(record));
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

        private Body getBody(final int record)
        {
            return body.reset().ascii("{\"TableName\":\"" + Dataset.TABLE + "\",\"Key\":")
                .item(dataset.key(record), dataset.keyLength(record)).ascii("}");
        }

        private Body putBody(final int record)
        {
            final DirectBuffer item = dataset.item(record, ++version);
            return body.reset().ascii("{\"TableName\":\"" + Dataset.TABLE + "\",\"Item\":")
                .item(item, dataset.itemLength(record)).ascii("}");
        }

        private Body queryBody(final int record, final int scanLength)
        {
            body.reset().ascii("{\"TableName\":\"" + Dataset.TABLE + "\",\"KeyConditionExpression\":\"" + Dataset.PK +
                " = :p\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"")
                .ascii(dataset.partitionKeyText(record / Dataset.ITEMS_PER_PARTITION)).ascii("\"}}");
            if (scanLength > 0)
            {
                body.ascii(",\"Limit\":").digits(scanLength);
            }
            return body.ascii("}");
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

    /**
     * A request body in one reused array: ASCII text, digits, and the data set's items as DynamoDB JSON (S, N and
     * B attributes, all the data set has) written from the item bytes.
     * <p>
     * <b>Threading:</b> one session's.
     */
    static final class Body
    {
        private static final byte[] BASE64 =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".getBytes(StandardCharsets.US_ASCII);
        private final ExpandableArrayBuffer numberText = new ExpandableArrayBuffer(64);
        byte[] bytes = new byte[4096];
        int length;

        Body reset()
        {
            length = 0;
            return this;
        }

        Body ascii(final CharSequence text)
        {
            final int n = text.length();
            ensure(n);
            for (int i = 0; i < n; i++)
            {
                bytes[length++] = (byte)text.charAt(i);
            }
            return this;
        }

        Body digits(final int value)
        {
            ensure(11);
            int divisor = 1;
            while (divisor <= value / 10)
            {
                divisor *= 10;
            }
            for (; divisor > 0; divisor /= 10)
            {
                bytes[length++] = (byte)('0' + (value / divisor) % 10);
            }
            return this;
        }

        Body item(final DirectBuffer item, final int itemLength)
        {
            ensure(itemLength * 2 + 64);
            put((byte)'{');
            final int count = ItemFormat.attributeCount(item, 0);
            int entry = ItemFormat.firstEntry(0);
            for (int i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    put((byte)',');
                }
                put((byte)'"');
                copy(item, ItemFormat.nameOffset(entry), ItemFormat.nameLength(item, entry));
                ascii("\":{\"");
                final int value = ItemFormat.valueOffset(item, entry);
                final byte type = ItemFormat.type(item, value);
                final int payload = ItemFormat.payloadOffset(value, type);
                final int payloadLength = ItemFormat.payloadLength(item, value);
                switch (type)
                {
                    case ItemFormat.TYPE_S ->
                    {
                        ascii("S\":\"");
                        copy(item, payload, payloadLength);
                    }
                    case ItemFormat.TYPE_N ->
                    {
                        ascii("N\":\"");
                        copy(numberText, 0, DecimalCodec.decode(item, payload, payloadLength, numberText, 0));
                    }
                    case ItemFormat.TYPE_B ->
                    {
                        ascii("B\":\"");
                        base64(item, payload, payloadLength);
                    }
                    default -> throw new IllegalStateException("the data set has no " + ItemFormat.typeName(type));
                }
                ascii("\"}");
                entry = ItemFormat.nextEntry(item, entry);
            }
            return put((byte)'}');
        }

        private Body put(final byte b)
        {
            ensure(1);
            bytes[length++] = b;
            return this;
        }

        private void copy(final DirectBuffer from, final int offset, final int n)
        {
            ensure(n);
            from.getBytes(offset, bytes, length, n);
            length += n;
        }

        private void base64(final DirectBuffer from, final int offset, final int n)
        {
            ensure((n + 2) / 3 * 4);
            final int end = offset + n;
            int i = offset;
            for (; i + 3 <= end; i += 3)
            {
                final int v = (from.getByte(i) & 0xFF) << 16 | (from.getByte(i + 1) & 0xFF) << 8 | (from.getByte(i + 2) & 0xFF);
                bytes[length++] = BASE64[v >>> 18];
                bytes[length++] = BASE64[(v >>> 12) & 0x3F];
                bytes[length++] = BASE64[(v >>> 6) & 0x3F];
                bytes[length++] = BASE64[v & 0x3F];
            }
            final int rest = end - i;
            if (rest > 0)
            {
                final int v = (from.getByte(i) & 0xFF) << 16 | (2 == rest ? (from.getByte(i + 1) & 0xFF) << 8 : 0);
                bytes[length++] = BASE64[v >>> 18];
                bytes[length++] = BASE64[(v >>> 12) & 0x3F];
                bytes[length++] = 2 == rest ? BASE64[(v >>> 6) & 0x3F] : (byte)'=';
                bytes[length++] = '=';
            }
        }

        private void ensure(final int more)
        {
            if (length + more > bytes.length)
            {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(length + more, bytes.length * 2));
            }
        }
    }
}
