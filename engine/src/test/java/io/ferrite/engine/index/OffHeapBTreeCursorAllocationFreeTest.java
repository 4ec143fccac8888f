package io.ferrite.engine.index;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Query path must not feed the garbage collector: once warm, seeks, scans both ways, gets, value replacement
 * and remove-then-put of existing keys allocate nothing on the calling thread. Asserts bytes allocated, not time.
 */
final class OffHeapBTreeCursorAllocationFreeTest
{
    private static final int KEYS = 100_000;
    private static final int KEY_LENGTH = 8 + 2 + 12;
    private static final int PROBES = 1_024;

    private final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(KEY_LENGTH));
    private final UnsafeBuffer[] probes = new UnsafeBuffer[PROBES];
    private long sink;

    @Test
    void shouldNotAllocateWhenScanningSeekingAndRewritingInSteadyState()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);

        try (OffHeapBTree tree = new OffHeapBTree())
        {
            for (int n = 0; n < KEYS; n++)
            {
                tree.put(key(n, key), 0, KEY_LENGTH, n);
            }

            for (int i = 0; i < PROBES; i++)
            {
                probes[i] = key((i * 97) % KEYS, new UnsafeBuffer(new byte[KEY_LENGTH]));
            }

            final OffHeapBTree.Cursor cursor = tree.newCursor();
            for (int round = 0; round < 30; round++)
            {
                exercise(tree, cursor);
            }

            final long threadId = Thread.currentThread().getId();
            final long before = threads.getThreadAllocatedBytes(threadId);
            final long baseline = threads.getThreadAllocatedBytes(threadId) - before;
            final long start = threads.getThreadAllocatedBytes(threadId);
            for (int round = 0; round < 20; round++)
            {
                exercise(tree, cursor);
            }
            final long allocated = threads.getThreadAllocatedBytes(threadId) - start - baseline;

            assertEquals(KEYS, tree.size());
            assertEquals(0, allocated, "bytes allocated by 20 rounds of " + KEYS + "-key scans and " + PROBES +
                " seeks, gets and rewrites (sink " + sink + ")");
        }
    }

    private void exercise(final OffHeapBTree tree, final OffHeapBTree.Cursor cursor)
    {
        long total = 0;
        int count = 0;
        for (boolean valid = cursor.seekFirst(); valid; valid = cursor.next())
        {
            final DirectBuffer keyBuffer = cursor.keyBuffer();
            total += keyBuffer.getLong(cursor.keyOffset(), ByteOrder.BIG_ENDIAN) + cursor.keyLength() + cursor.value();
            count++;
        }

        for (boolean valid = cursor.seekLast(); valid; valid = cursor.prev())
        {
            total += cursor.value();
            count--;
        }

        assertEquals(0, count);
        for (int i = 0; i < PROBES; i++)
        {
            final UnsafeBuffer probe = probes[i];
            if (cursor.seekGE(probe, 0, KEY_LENGTH))
            {
                total += cursor.value();
                for (int step = 0; step < 8 && cursor.next(); step++)
                {
                    total += cursor.keyLength();
                }
            }

            if (cursor.seekLT(probe, 0, KEY_LENGTH) && cursor.prev())
            {
                total += cursor.value();
            }

            final long value = tree.get(probe, 0, KEY_LENGTH);
            tree.put(probe, 0, KEY_LENGTH, value);
            tree.remove(probe, 0, KEY_LENGTH);
            tree.put(probe, 0, KEY_LENGTH, value);
        }

        sink += total;
    }

    private static UnsafeBuffer key(final int n, final UnsafeBuffer buffer)
    {
        buffer.putLong(0, n * 0x9E3779B97F4A7C15L, ByteOrder.BIG_ENDIAN);
        buffer.putShort(8, (short)12, ByteOrder.BIG_ENDIAN);
        buffer.putLong(10, n, ByteOrder.BIG_ENDIAN);
        buffer.putInt(18, ~n, ByteOrder.BIG_ENDIAN);
        return buffer;
    }
}
