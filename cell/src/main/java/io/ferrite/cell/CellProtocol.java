package io.ferrite.cell;

import org.agrona.DirectBuffer;

/**
 * The envelope of a message a cell client sends through cluster ingress: 16 bytes in front of the body, so
 * that the service knows which client (stable across reconnects and failovers) a request comes from, which
 * a cluster session id is not (a client that reconnects gets a new one).
 * <pre>
 *   0  int32  magic "FCEL" (0x4C454346, little-endian)
 *   4  uint16 kind: REQUEST (body = one SBE request frame of Ferrite's schema), CHECKSUM (body = int64 correlation id),
 *               READ (to a member's read endpoint, not through the log; see {@link #KIND_READ}), or SETTINGS
 *               (from a member's service only; see {@link #KIND_SETTINGS})
 *   6  uint16 envelope version (1)
 *   8  int64  client id, chosen by the client, kept for its whole life
 *  16  body
 * </pre>
 * Answers are plain SBE frames of Ferrite's schema (ItemResponse, ItemsPageResponse, TableDescriptionResponse,
 * ListTablesResponse, ErrorResponse); a CHECKSUM is answered with an ItemResponse whose item holds
 * {@code checksum}, {@code items}, {@code logPosition} and {@code memberId} numbers. Stateless.
 */
public final class CellProtocol
{
    /** "FCEL" as a little-endian int. */
    public static final int MAGIC = 0x4C454346;
    /** Envelope version. */
    public static final int VERSION = 1;
    /** Bytes before the body. */
    public static final int HEADER_LENGTH = 16;
    /** A data-plane or table-management request. */
    public static final int KIND_REQUEST = 1;
    /** Asks every member to compute the replica checksum at this log position. */
    public static final int KIND_CHECKSUM = 2;
    /**
     * An eventually consistent read sent straight to one member's read endpoint, outside the log: body =
     * int32 reply stream id, int32 reply channel length, the reply channel (UTF-8), then one SBE read frame.
     */
    public static final int KIND_READ = 3;
    /**
     * A member's outcome-deciding settings ({@link CellSettings#text()} as the body, the member id as the client id),
     * offered by each member's service at the start of every leadership term as an Aeron Cluster service message (only
     * the leader's reaches the log); the first in the log is the cell's settings of record. Not accepted from clients.
     */
    public static final int KIND_SETTINGS = 4;
    /** The stream a member's read endpoint subscribes to. */
    public static final int READ_STREAM_ID = 1201;

    static final int MAGIC_OFFSET = 0;
    static final int KIND_OFFSET = 4;
    static final int VERSION_OFFSET = 6;
    static final int CLIENT_ID_OFFSET = 8;

    private CellProtocol()
    {
    }

    /**
     * @return a description of what is wrong with the envelope, or null when it is well formed.
     */
    static String check(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HEADER_LENGTH)
        {
            return "a cell message needs a " + HEADER_LENGTH + "-byte envelope, got " + length + " bytes";
        }
        final int magic = buffer.getInt(offset + MAGIC_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN);
        if (MAGIC != magic)
        {
            return "a cell message starts with magic 0x" + Integer.toHexString(MAGIC) + ", got 0x" + Integer.toHexString(magic);
        }
        final int version = buffer.getShort(offset + VERSION_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        if (VERSION != version)
        {
            return "cell envelope version " + version + " is not supported (this member speaks " + VERSION + ")";
        }
        return null;
    }

    static int kind(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + KIND_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    static long clientId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + CLIENT_ID_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    static void writeHeader(final org.agrona.MutableDirectBuffer buffer, final int offset, final int kind, final long clientId)
    {
        buffer.putInt(offset + MAGIC_OFFSET, MAGIC, java.nio.ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(offset + KIND_OFFSET, (short)kind, java.nio.ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(offset + VERSION_OFFSET, (short)VERSION, java.nio.ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + CLIENT_ID_OFFSET, clientId, java.nio.ByteOrder.LITTLE_ENDIAN);
    }
}
