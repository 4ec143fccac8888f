package io.ferrite.codecs.item;

import io.ferrite.codecs.key.KeyHash;
import io.ferrite.codecs.number.DecimalCodec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves the hot path (writer, validator, flyweight reads, number codec, key hash) does not allocate once
 * warm: a regression here would show up as GC pauses in the engine, not as a failing functional test.
 */
class SteadyStateAllocationTest
{
    private static final byte[] NAME = "name".getBytes(StandardCharsets.UTF_8);
    private static final byte[] TAGS = "tags".getBytes(StandardCharsets.UTF_8);

    private final ItemWriter writer = new ItemWriter();
    private final UnsafeBuffer copy = new UnsafeBuffer(new byte[4096]);
    private final UnsafeBuffer text = new UnsafeBuffer(new byte[DecimalCodec.MAX_TEXT_LENGTH]);
    private final StringBuilder sb = new StringBuilder(64);
    private long sink;

    @Test
    void writerValidatorAndFlyweightReadsDoNotAllocateWhenWarm()
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported());

        for (int i = 0; i < 20_000; i++)
        {
            iteration(i);
        }
        final long threadId = Thread.currentThread().getId();
        final long before = threads.getThreadAllocatedBytes(threadId);
        for (int i = 0; i < 10_000; i++)
        {
            iteration(i);
        }
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
        assertTrue(sink != 0);
        // a few hundred bytes of slack for the measurement itself
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes over 10k items");
    }

    private void iteration(final int i)
    {
        writer.reset()
            .string("pk", "user#1")
            .number("age", i)
            .number("score", "-12.5e3")
            .bool("active", true)
            .beginMap("address").string("zip", "0150").string("city", "Oslo").endMap()
            .beginList("tags").string("b").number(7).nul().endList()
            .beginStringSet("roles").string("dev").string("admin").string("dev").endSet()
            .string("name", "ferrite");
        final int length = writer.finish(copy, 0);

        sink += ItemValidator.validate(copy, 0, length);
        final int name = ItemFormat.findAttribute(copy, 0, length, NAME);
        sink += ItemFormat.payloadLength(copy, name);
        final int tags = ItemFormat.findAttribute(copy, 0, length, TAGS);
        final int number = ItemFormat.listElement(copy, tags, 1);
        final int payload = ItemFormat.payloadOffset(copy, number);
        sink += DecimalCodec.decode(copy, payload, ItemFormat.payloadLength(copy, number), text, 0);
        sb.setLength(0);
        DecimalCodec.appendTo(copy, payload, ItemFormat.payloadLength(copy, number), sb);
        sink += sb.length();
        sink += KeyHash.xxh64(copy, 0, length, 0);
        assertEquals(8, ItemFormat.attributeCount(copy, 0));
    }
}
