package io.ferrite.transport.node;

import io.ferrite.codecs.sbe.AdmissionDemandEncoder;
import io.ferrite.codecs.sbe.AdmissionGrantEncoder;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The router reads admission grants from a UDP port any local process can send to: a datagram cut inside its table
 * name must be refused, not completed from the bytes after it (here, the rest of a longer name, as the next bytes of
 * an Aeron term would be), and nothing malformed may throw.
 */
class GrantReaderTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);
    private final GrantReader reader = new GrantReader();

    @Test
    void aWholeGrantIsRead()
    {
        final int length = grant("Orders");
        assertEquals(GrantReader.Result.GRANT, reader.read(buffer, 0, length));
        assertEquals(1_000, reader.readRate());
        assertEquals(250, reader.writeRate());
        assertEquals("Orders", reader.tableName().getStringWithoutLengthUtf8(0, reader.tableName().capacity()));
    }

    @Test
    void aGrantCutInsideItsTableNameIsMalformed()
    {
        final int length = grant("OrdersArchive");
        assertEquals(GrantReader.Result.MALFORMED, reader.read(buffer, 0, length - 7));
        assertEquals(GrantReader.Result.MALFORMED, reader.read(buffer, 0, length - 13));
        assertEquals(GrantReader.Result.MALFORMED, reader.read(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + 4));
    }

    @Test
    void aDatagramShorterThanAHeaderOrABlockIsMalformed()
    {
        grant("Orders");
        assertEquals(GrantReader.Result.MALFORMED, reader.read(buffer, 0, 3));
        buffer.putShort(0, (short)4); // block length: shorter than the grant's two rates
        assertEquals(GrantReader.Result.MALFORMED, reader.read(buffer, 0, 64));
    }

    @Test
    void anotherTemplateIsNotAGrantAndNotCountedAsMalformed()
    {
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + new AdmissionDemandEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .routerId(1).grantStreamId(2).readRate(3).writeRate(4).readDemand(5).writeDemand(6)
            .tableName("Orders").grantChannel("aeron:udp?endpoint=127.0.0.1:1").encodedLength();
        assertEquals(GrantReader.Result.OTHER, reader.read(buffer, 0, length));
    }

    private int grant(final String tableName)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + new AdmissionGrantEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .readRate(1_000).writeRate(250).tableName(tableName).encodedLength();
    }
}
