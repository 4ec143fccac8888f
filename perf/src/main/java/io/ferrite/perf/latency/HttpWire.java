package io.ferrite.perf.latency;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * The harness's HTTP/1.1 client for the DynamoDB JSON targets ({@code http}, {@code dynalite}): non-blocking
 * keep-alive connections with TCP_NODELAY, one request at a time on each (no pipelining), pooled per session, and
 * polled by the session's load thread itself ({@link #poll()}: one {@code selectNow}), so an answer reaches the
 * recorder with no thread hand-off in the client. It replaces the JDK's {@code HttpClient}, whose answers passed
 * through its selector thread (and, by default, an executor thread) before the load thread saw them: on this
 * 2-core shared box every such wake-up waits for a core. Responses must carry Content-Length (both servers send it).
 * <p>
 * <b>Threading:</b> one thread.
 */
final class HttpWire implements AutoCloseable
{
    /** What a finished exchange reports. */
    interface Handler
    {
        /**
         * @param token      what {@link #send} was given.
         * @param status     the HTTP status, or -1 when the connection failed.
         * @param bodyLength the body's length in bytes.
         */
        void onResponse(long token, int status, int bodyLength);
    }

    private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] CONTENT_LENGTH = "Content-Length: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_LENGTH_LOWER = "\r\ncontent-length:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION_CLOSE_LOWER = "\r\nconnection: close".getBytes(StandardCharsets.US_ASCII);

    private final InetSocketAddress address;
    private final String hostHeader;
    private final Selector selector;
    private final Handler handler;
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    /** The request line and fixed headers, up to the X-Amz-Target's operation. */
    private final byte[] head;
    private int open;

    HttpWire(final URI endpoint, final Handler handler)
    {
        this.address = new InetSocketAddress(endpoint.getHost(), endpoint.getPort());
        this.hostHeader = endpoint.getHost() + ":" + endpoint.getPort();
        this.head = ("POST / HTTP/1.1\r\nHost: " + hostHeader + "\r\nContent-Type: application/x-amz-json-1.0\r\n" +
            "X-Amz-Target: DynamoDB_20120810.").getBytes(StandardCharsets.ISO_8859_1);
        this.handler = handler;
        try
        {
            selector = Selector.open();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Sends a POST of a DynamoDB JSON request on an idle connection (opening one when none is idle).
     *
     * @param operation e.g. {@code GetItem}.
     * @param body      the JSON body.
     * @param extraHeaders more header lines, each ending in CRLF.
     * @param token     handed back to the handler.
     */
    void send(final String operation, final String body, final String extraHeaders, final long token)
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        send(operation.getBytes(StandardCharsets.US_ASCII), bytes, bytes.length,
            extraHeaders.getBytes(StandardCharsets.ISO_8859_1), token);
    }

    /**
     * Sends a POST without allocating: the head is written byte by byte into the connection's reused buffer.
     *
     * @param operation    e.g. {@code GetItem}, ASCII.
     * @param body         the JSON body's bytes (from index 0).
     * @param bodyLength   its length.
     * @param extraHeaders more header lines, each ending in CRLF, ISO-8859-1.
     * @param token        handed back to the handler.
     */
    void send(final byte[] operation, final byte[] body, final int bodyLength, final byte[] extraHeaders,
        final long token)
    {
        Connection connection = idle.pollFirst();
        try
        {
            if (null == connection)
            {
                connection = connect();
            }
            final ByteBuffer out = connection.out(head.length + operation.length + extraHeaders.length + 40 + bodyLength);
            out.put(head).put(operation).put(CRLF).put(extraHeaders).put(CONTENT_LENGTH);
            putDigits(out, bodyLength);
            out.put(HEADER_END).put(body, 0, bodyLength).flip();
            connection.token = token;
            connection.busy = true;
            while (out.hasRemaining())
            {
                if (0 == connection.channel.write(out))
                {
                    Thread.onSpinWait();
                }
            }
        }
        catch (final IOException ex)
        {
            if (null != connection)
            {
                connection.close();
            }
            handler.onResponse(token, -1, 0);
        }
    }

    private static void putDigits(final ByteBuffer out, final int value)
    {
        int divisor = 1;
        while (divisor <= value / 10)
        {
            divisor *= 10;
        }
        for (; divisor > 0; divisor /= 10)
        {
            out.put((byte)('0' + (value / divisor) % 10));
        }
    }

    /**
     * Reads what has arrived and reports finished exchanges.
     *
     * @return how many exchanges finished.
     */
    int poll()
    {
        final int ready;
        try
        {
            ready = selector.selectNow();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        if (0 == ready)
        {
            return 0;
        }
        int finished = 0;
        final var keys = selector.selectedKeys().iterator();
        while (keys.hasNext())
        {
            final SelectionKey key = keys.next();
            keys.remove();
            final Connection connection = (Connection)key.attachment();
            finished += connection.read();
        }
        return finished;
    }

    /**
     * @return connections open (idle or busy).
     */
    int connections()
    {
        return open;
    }

    public void close()
    {
        for (final SelectionKey key : selector.keys())
        {
            ((Connection)key.attachment()).close();
        }
        try
        {
            selector.close();
        }
        catch (final IOException ignored)
        {
            // closing anyway
        }
    }

    private Connection connect() throws IOException
    {
        final SocketChannel channel = SocketChannel.open();
        try
        {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(address);
            channel.configureBlocking(false);
            final Connection connection = new Connection(channel);
            channel.register(selector, SelectionKey.OP_READ, connection);
            open++;
            return connection;
        }
        catch (final IOException ex)
        {
            channel.close();
            throw ex;
        }
    }

    private final class Connection
    {
        private final SocketChannel channel;
        private ByteBuffer in = ByteBuffer.allocateDirect(16 * 1024);
        private ByteBuffer out = ByteBuffer.allocateDirect(4 * 1024);
        private long token;
        private boolean busy;
        private boolean closed;

        Connection(final SocketChannel channel)
        {
            this.channel = channel;
        }

        ByteBuffer out(final int length)
        {
            if (out.capacity() < length)
            {
                out = ByteBuffer.allocateDirect(Integer.highestOneBit(length) << 1);
            }
            return out.clear();
        }

        int read()
        {
            try
            {
                if (!in.hasRemaining())
                {
                    final ByteBuffer bigger = ByteBuffer.allocateDirect(in.capacity() * 2);
                    bigger.put(in.flip());
                    in = bigger;
                }
                final int n = channel.read(in);
                if (n < 0)
                {
                    return fail();
                }
                return parse();
            }
            catch (final IOException ex)
            {
                return fail();
            }
        }

        private int parse()
        {
            final int end = headerEnd();
            if (end < 0)
            {
                return 0;
            }
            // status line: HTTP/1.1 200 OK
            final int status = (in.get(9) - '0') * 100 + (in.get(10) - '0') * 10 + (in.get(11) - '0');
            final int contentLength = contentLength(end);
            final int total = end + HEADER_END.length + contentLength;
            if (in.position() < total)
            {
                return 0;
            }
            if (in.position() > total)
            {
                throw new IllegalStateException("the server sent more than one response for one request");
            }
            in.clear();
            busy = false;
            final boolean close = indexOfIgnoreCase(0, end, CONNECTION_CLOSE_LOWER) >= 0;
            if (close)
            {
                close();
            }
            else
            {
                idle.addFirst(this);
            }
            handler.onResponse(token, status, contentLength);
            return 1;
        }

        private int headerEnd()
        {
            final int limit = in.position() - HEADER_END.length;
            for (int i = 0; i <= limit; i++)
            {
                if (in.get(i) == '\r' && in.get(i + 1) == '\n' && in.get(i + 2) == '\r' && in.get(i + 3) == '\n')
                {
                    return i;
                }
            }
            return -1;
        }

        /**
         * Where a lower-case ASCII pattern starts in the head (ASCII case ignored), or -1.
         */
        private int indexOfIgnoreCase(final int from, final int to, final byte[] lower)
        {
            final int last = to - lower.length;
            for (int i = from; i <= last; i++)
            {
                int j = 0;
                while (j < lower.length)
                {
                    final int b = in.get(i + j);
                    if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != lower[j])
                    {
                        break;
                    }
                    j++;
                }
                if (j == lower.length)
                {
                    return i;
                }
            }
            return -1;
        }

        private int contentLength(final int headEnd)
        {
            final int at = indexOfIgnoreCase(0, headEnd, CONTENT_LENGTH_LOWER);
            if (at < 0)
            {
                final byte[] bytes = new byte[headEnd];
                in.get(0, bytes);
                throw new IllegalStateException("a response without Content-Length (chunked is not supported by " +
                    "the harness): " + new String(bytes, StandardCharsets.ISO_8859_1));
            }
            int i = at + CONTENT_LENGTH_LOWER.length;
            while (in.get(i) == ' ')
            {
                i++;
            }
            int value = 0;
            while (i < headEnd && in.get(i) >= '0' && in.get(i) <= '9')
            {
                value = value * 10 + (in.get(i++) - '0');
            }
            return value;
        }

        private int fail()
        {
            final boolean wasBusy = busy;
            close();
            if (wasBusy)
            {
                handler.onResponse(token, -1, 0);
                return 1;
            }
            return 0;
        }

        void close()
        {
            if (closed)
            {
                return;
            }
            closed = true;
            busy = false;
            idle.remove(this);
            open--;
            try
            {
                channel.close();
            }
            catch (final IOException ignored)
            {
                // gone anyway
            }
        }
    }
}
