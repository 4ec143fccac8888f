package io.ferrite.engine.wal;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Crc32cTest
{
    @Test
    void matchesTheJdkCrc32cForEveryLengthAndAlignment()
    {
        final SplittableRandom random = new SplittableRandom(42);
        final byte[] bytes = new byte[4096];
        random.nextBytes(bytes);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes.length));
        buffer.putBytes(0, bytes);
        final CRC32C jdk = new CRC32C();

        for (int offset = 0; offset < 9; offset++)
        {
            for (int length = 0; length < 300; length++)
            {
                jdk.reset();
                jdk.update(bytes, offset, length);
                assertEquals((int)jdk.getValue(), Crc32c.update(0, buffer, offset, length),
                    "offset " + offset + " length " + length);
            }
        }

        jdk.reset();
        jdk.update(bytes, 0, 4096);
        final int split = Crc32c.update(Crc32c.update(0, buffer, 0, 1000), buffer, 1000, 3096);
        assertEquals((int)jdk.getValue(), split, "continuation across two calls");
    }
}
