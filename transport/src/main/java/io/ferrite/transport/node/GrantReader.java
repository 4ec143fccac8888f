package io.ferrite.transport.node;

import io.ferrite.codecs.sbe.AdmissionGrantDecoder;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads one AdmissionGrant datagram for the router, bounded to the datagram: the grant port is a UDP port that any
 * local process can send to, so a datagram that is not a well-formed grant (shorter than its header or block, a
 * table name running past its end) is refused instead of being completed from the term buffer's next bytes or
 * throwing out of the router's agent. Other templates are ignored. Reuses its decoders and
 * views: allocates nothing. Router thread only.
 */
final class GrantReader
{
    /** What {@link #read} found. */
    enum Result
    {
        /** A well-formed grant: {@link #readRate()}, {@link #writeRate()} and {@link #tableName()} hold it. */
        GRANT,
        /** Another message on the port (another template or schema): not for the router, not an error. */
        OTHER,
        /** Claimed to be a grant, or too short to say, and could not be read whole. */
        MALFORMED
    }

    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final AdmissionGrantDecoder decoder = new AdmissionGrantDecoder();
    private final UnsafeBuffer datagram = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer tableName = new UnsafeBuffer(0, 0);
    private long readRate;
    private long writeRate;

    /**
     * @param buffer holding the datagram.
     * @param offset of its first byte.
     * @param length of the datagram.
     * @return whether it was a grant, another message, or a malformed one.
     */
    Result read(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return Result.MALFORMED;
        }
        datagram.wrap(buffer, offset, length);
        header.wrap(datagram, 0);
        if (header.templateId() != AdmissionGrantDecoder.TEMPLATE_ID || header.schemaId() != AdmissionGrantDecoder.SCHEMA_ID)
        {
            return Result.OTHER;
        }
        if (header.blockLength() < AdmissionGrantDecoder.BLOCK_LENGTH)
        {
            return Result.MALFORMED;
        }
        try
        {
            decoder.wrapAndApplyHeader(datagram, 0, header);
            readRate = decoder.readRate();
            writeRate = decoder.writeRate();
            decoder.wrapTableName(tableName);
        }
        catch (final IndexOutOfBoundsException ex)
        {
            return Result.MALFORMED;
        }
        return Result.GRANT;
    }

    /**
     * @return the last grant's share of the table's read rate.
     */
    long readRate()
    {
        return readRate;
    }

    /**
     * @return the last grant's share of the table's write rate.
     */
    long writeRate()
    {
        return writeRate;
    }

    /**
     * @return the last grant's table name bytes (UTF-8), a view valid until the next {@link #read}.
     */
    UnsafeBuffer tableName()
    {
        return tableName;
    }
}
