package io.ferrite.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Encodes a whole HTTP/1.1 response, head and body, into one pooled buffer: the status line, the body's content
 * type and length, DynamoDB's {@code x-amzn-RequestId} (this loop's prefix and a counter, written as digits) and
 * {@code x-amz-crc32} (CRC32 of the body, computed over the writer's array), {@code Connection: close} when the
 * connection ends after it ({@code Connection: keep-alive} when it does not, to an HTTP/1.0 client). No response,
 * header or String objects per response: Netty's response encoder is not in the pipeline.
 * <p>
 * Threading: one instance per event loop.
 */
final class ResponseWriter
{
    static final byte[] JSON = ascii("application/x-amz-json-1.0");
    static final byte[] TEXT = ascii("text/plain");
    private static final byte[] HTTP_1_1 = ascii("HTTP/1.1 ");
    private static final byte[] CONTENT_TYPE = ascii("\r\ncontent-type: ");
    private static final byte[] CONTENT_LENGTH = ascii("\r\ncontent-length: ");
    private static final byte[] REQUEST_ID = ascii("\r\nx-amzn-RequestId: ");
    private static final byte[] CRC32_HEADER = ascii("\r\nx-amz-crc32: ");
    private static final byte[] CLOSE = ascii("\r\nconnection: close");
    private static final byte[] KEEP_ALIVE = ascii("\r\nconnection: keep-alive");
    private static final byte[] END = ascii("\r\n\r\n");
    /** The status line's reason phrase is at most this long (HttpResponseStatus's longest is ~35). */
    private static final int MAX_HEAD = 512;

    private final byte[] requestIdPrefix;
    private final CRC32 crc = new CRC32();
    private final byte[] head = new byte[MAX_HEAD];
    private long requestCounter;

    /**
     * @param requestIdPrefix the request ids' prefix (this loop's client id in hex and a dash).
     */
    ResponseWriter(final String requestIdPrefix)
    {
        this.requestIdPrefix = ascii(requestIdPrefix);
    }

    /**
     * @param alloc       the channel's allocator.
     * @param status      the HTTP status.
     * @param contentType {@link #JSON} or {@link #TEXT}.
     * @param close       whether the connection closes after this response.
     * @param keepAlive   whether to say it stays open (an HTTP/1.0 client, which otherwise waits for the close).
     * @param body        the body's bytes (from index 0).
     * @param length      the body's length.
     * @return the encoded response (ownership passes to the caller).
     */
    ByteBuf encode(final ByteBufAllocator alloc, final HttpResponseStatus status, final byte[] contentType,
        final boolean close, final boolean keepAlive, final byte[] body, final int length)
    {
        crc.reset();
        crc.update(body, 0, length);
        final byte[] h = head;
        int p = put(h, 0, HTTP_1_1);
        p = JsonOut.digits(h, p, status.code());
        h[p++] = ' ';
        final String reason = status.reasonPhrase();
        final int reasonLength = Math.min(reason.length(), 64);
        for (int i = 0; i < reasonLength; i++)
        {
            h[p++] = (byte)reason.charAt(i);
        }
        p = put(h, p, CONTENT_TYPE);
        p = put(h, p, contentType);
        p = put(h, p, CONTENT_LENGTH);
        p = JsonOut.digits(h, p, length);
        p = put(h, p, REQUEST_ID);
        p = put(h, p, requestIdPrefix);
        p = JsonOut.digits(h, p, ++requestCounter);
        p = put(h, p, CRC32_HEADER);
        p = JsonOut.digits(h, p, crc.getValue());
        if (close)
        {
            p = put(h, p, CLOSE);
        }
        else if (keepAlive)
        {
            p = put(h, p, KEEP_ALIVE);
        }
        p = put(h, p, END);
        final ByteBuf response = alloc.directBuffer(p + length);
        response.writeBytes(h, 0, p);
        response.writeBytes(body, 0, length);
        return response;
    }

    private static int put(final byte[] to, final int at, final byte[] bytes)
    {
        System.arraycopy(bytes, 0, to, at, bytes.length);
        return at + bytes.length;
    }

    static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
