package io.ferrite.engine.store;

import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A writer process SIGKILLed mid-put loses no acknowledged put: recovery after each kill finds every acknowledged key
 * with its exact value, and every key it holds is one the writer put, with its exact value, across several
 * kill/recover cycles on the same file; for Chronicle Map, the mapped hash store (a put is acknowledged when it
 * returns) and the hash store in its own memory (when a checkpoint that began after it has synced, see
 * {@link StoreWriterMain}).
 */
class StoreKillRecoveryTest
{
    private static final int CYCLES = 4;

    /**
     * The writer stops putting after this many puts in a cycle (and waits to be killed), so that four cycles fit
     * the store's 100,000 entries however fast the machine: the kill point is chosen by acknowledged count, not
     * by wall-clock time, because a fast machine filled the store before a timed kill (StoreFullException).
     */
    static final int MAX_PUTS_PER_CYCLE = 20_000;

    @TempDir
    Path dir;

    static StoreConfig config(final Path file)
    {
        return new StoreConfig().file(file).maxEntries(100_000).name("killed");
    }

    static int fillKey(final MutableDirectBuffer key, final int cycle, final int i)
    {
        key.putLong(0, 0x9E3779B97F4A7C15L * (cycle * 1_000_000L + i));
        key.putInt(8, cycle);
        key.putInt(12, i);
        return 16 + (i % 40);
    }

    static int fillValue(final MutableDirectBuffer value, final int cycle, final int i)
    {
        final int length = i % 97 == 0 ? 64 * 1024 : 1 + (i * 31 + cycle) % 2000;
        for (int j = 0; j < length; j += 4)
        {
            value.putInt(j, cycle * 7919 + i * 31 + j);
        }
        return length;
    }

    /** The stores under test: a kind, and for the hash store where its pages live. */
    enum Store
    {
        CHRONICLE(StoreKind.CHRONICLE, StoreMemory.MAPPED),
        HASH_MAPPED(StoreKind.HASH, StoreMemory.MAPPED),
        HASH_ANONYMOUS(StoreKind.HASH, StoreMemory.ANONYMOUS);

        final StoreKind kind;
        final StoreMemory memory;

        Store(final StoreKind kind, final StoreMemory memory)
        {
            this.kind = kind;
            this.memory = memory;
        }
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void everyAcknowledgedPutSurvivesSigkillOfTheWriter(final Store tested) throws Exception
    {
        final StoreKind kind = tested.kind;
        final Path file = dir.resolve("killed");
        final SplittableRandom random = new SplittableRandom(11);
        final List<int[]> acknowledged = new ArrayList<>();
        final UnsafeBuffer key = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
        final UnsafeBuffer expected = new UnsafeBuffer(BufferUtil.allocateDirectAligned(128 * 1024, 64));
        final UnsafeBuffer actual = new UnsafeBuffer(BufferUtil.allocateDirectAligned(StoreConfig.DEFAULT_MAX_VALUE_SIZE, 64));

        for (int cycle = 0; cycle < CYCLES; cycle++)
        {
            final int killAfterAcks = 500 + random.nextInt(MAX_PUTS_PER_CYCLE / 2);
            final int lastAcked = runAndKill(file, tested, cycle, killAfterAcks);
            for (int i = 0; i <= lastAcked; i++)
            {
                acknowledged.add(new int[]{cycle, i});
            }

            try (ItemStore store = ItemStores.open(kind, file, config(file).memory(tested.memory)))
            {
                System.out.printf("cycle %d: killed after %d acks seen, %d puts acknowledged; reopen took %.1f ms, " +
                    "%d entries, %d repairs%n", cycle, killAfterAcks, lastAcked + 1, store.openNanos() / 1e6,
                    store.size(), store.recoveryCorruptions());
                assertTrue(store.recovered());
                for (final int[] ack : acknowledged)
                {
                    assertValue(store, key, fillKey(key, ack[0], ack[1]), expected, actual, ack[0], ack[1]);
                }
                if (StoreMemory.MAPPED == tested.memory)
                {
                    // At most the one put in flight at the kill may be there beyond the acknowledged ones.
                    assertTrue(store.size() - acknowledged.size() <= CYCLES,
                        "entries=" + store.size() + " acknowledged=" + acknowledged.size());
                }
                // Whatever else survived (puts a checkpoint wrote before its sync was seen, or half wrote) is a put
                // the writer made, whole.
                final List<int[]> held = new ArrayList<>();
                final UnsafeBuffer other = new UnsafeBuffer(new byte[64]);
                store.forEachKey((k, offset, length, valueLength) ->
                {
                    other.putBytes(0, k, offset, Math.min(length, 16));
                    held.add(new int[]{other.getInt(8), other.getInt(12), length});
                });
                assertEquals(store.size(), held.size());
                for (final int[] entry : held)
                {
                    assertTrue(entry[0] >= 0 && entry[0] <= cycle && entry[1] >= 0 && entry[1] < MAX_PUTS_PER_CYCLE,
                        "a key the writer never put: cycle " + entry[0] + " put " + entry[1]);
                    final int keyLength = fillKey(key, entry[0], entry[1]);
                    assertEquals(keyLength, entry[2], "key length of cycle " + entry[0] + " put " + entry[1]);
                    assertValue(store, key, keyLength, expected, actual, entry[0], entry[1]);
                }
            }
        }
    }

    private static void assertValue(
        final ItemStore store,
        final UnsafeBuffer key,
        final int keyLength,
        final UnsafeBuffer expected,
        final UnsafeBuffer actual,
        final int cycle,
        final int i)
    {
        final int expectedLength = fillValue(expected, cycle, i);
        final int length = store.get(key, 0, keyLength, actual, 0);
        assertEquals(expectedLength, length, "value length of cycle " + cycle + " put " + i);
        for (int j = 0; j < length; j++)
        {
            if (expected.getByte(j) != actual.getByte(j))
            {
                fail("value of cycle " + cycle + " put " + i + " differs at byte " + j);
            }
        }
    }

    private int runAndKill(final Path file, final Store tested, final int cycle, final int killAfterAcks)
        throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + "/bin/java");
        command.addAll(Arrays.asList(System.getProperty("ferrite.jvm.flags", "").trim().split("\\s+")));
        command.removeIf(String::isEmpty);
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(StoreWriterMain.class.getName());
        command.add(file.toString());
        command.add(Integer.toString(cycle));
        command.add(tested.kind.name());
        command.add(tested.memory.name());

        final Process child = new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
        int lastAcked = -1;
        try
        {
            final BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
            String line;
            boolean killed = false;
            while (null != (line = out.readLine()))
            {
                if (line.startsWith("ok ") && line.lastIndexOf(' ') > 3)
                {
                    // A line cut by the kill can only lose trailing digits, i.e. name an earlier put.
                    lastAcked = Math.max(lastAcked, Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1)));
                }
                else if (line.startsWith("failed"))
                {
                    fail("writer failed before the kill: " + line);
                }
                // The writer runs on while we read, so it is killed somewhere past this count, mid-put or parked.
                if (!killed && lastAcked + 1 >= killAfterAcks)
                {
                    // SIGKILL through the handle: Process.destroyForcibly would also close our end of the pipe,
                    // and what the child printed before it died is for puts that had returned too.
                    child.toHandle().destroyForcibly();
                    killed = true;
                }
            }
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
            assertTrue(killed, "child died before it was killed, exit=" + child.exitValue());
            assertTrue(lastAcked >= 0, "child acknowledged no put, exit=" + child.exitValue());
            return lastAcked;
        }
        finally
        {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
