package io.ferrite.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A plain socket speaking HTTP/1.1 to the front byte by byte, for what an SDK never sends: broken JSON, missing
 * headers, huge or trickled bodies, pipelined requests.
 */
final class RawHttp implements AutoCloseable
{
    final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** One response: status, headers (lower-case names) and body. */
    record Response(int status, Map<String, String> headers, String body)
    {
    }

    RawHttp(final int port) throws IOException
    {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = new java.io.BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    static String request(final String target, final String body)
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\n" +
            (null == target ? "" : "X-Amz-Target: " + target + "\r\n") +
            "Authorization: AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/dynamodb/aws4_request, " +
            "SignedHeaders=host, Signature=0\r\nContent-Length: " + bytes.length + "\r\n\r\n" + body;
    }

    /**
     * @return a request's bytes: the head as {@link #request(String, String)} writes it, then the body's bytes as
     * given (which need not be UTF-8).
     */
    static byte[] request(final String target, final byte[] body)
    {
        final byte[] head = request(target, "").replace("Content-Length: 0\r\n",
            "Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.UTF_8);
        final byte[] bytes = java.util.Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, bytes, head.length, body.length);
        return bytes;
    }

    RawHttp send(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
        return this;
    }

    RawHttp send(final String text) throws IOException
    {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
        return this;
    }

    Response exchange(final String target, final String body) throws IOException
    {
        return send(request(target, body)).read();
    }

    /**
     * @return the next response, or null when the server closed the connection first.
     */
    Response read() throws IOException
    {
        final String head = readHead();
        if (null == head)
        {
            return null;
        }
        final String[] lines = head.split("\r\n");
        final int status = Integer.parseInt(lines[0].split(" ")[1]);
        final Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++)
        {
            final int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        final int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        final byte[] body = in.readNBytes(length);
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    /**
     * @return true when the server closed the connection (end of stream) before the socket timeout.
     */
    boolean closedByServer() throws IOException
    {
        try
        {
            while (true)
            {
                if (in.read() < 0)
                {
                    return true;
                }
            }
        }
        catch (final java.net.SocketException ex)
        {
            return true;
        }
        catch (final java.net.SocketTimeoutException ex)
        {
            return false;
        }
    }

    private String readHead() throws IOException
    {
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4)
        {
            final int b;
            try
            {
                b = in.read();
            }
            catch (final java.net.SocketException ex)
            {
                return null;
            }
            if (b < 0)
            {
                return 0 == head.size() ? null : head.toString(StandardCharsets.US_ASCII);
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ?
                matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    public void close() throws IOException
    {
        socket.close();
    }
}
