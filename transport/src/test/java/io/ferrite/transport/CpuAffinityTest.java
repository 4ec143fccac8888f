package io.ferrite.transport;

import net.openhft.affinity.Affinity;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * CPU lists in the kernel's notation, bad lists refused with the setting named, and a thread confined for real.
 */
class CpuAffinityTest
{
    @Test
    void listsParseAndFormatInTheKernelsNotation()
    {
        final BitSet cpus = CpuAffinity.parse("x", "0,2-4, 7");
        assertEquals("0,2-4,7", CpuAffinity.format(cpus));
        assertEquals(5, cpus.cardinality());
        assertEquals("1", CpuAffinity.format(CpuAffinity.parse("x", "1")));
    }

    @Test
    void badListsAreRefusedNamingTheSetting()
    {
        final IllegalArgumentException reversed = assertThrows(IllegalArgumentException.class,
            () -> CpuAffinity.parse("ferrite.node.cpus", "3-1"));
        assertEquals("ferrite.node.cpus=3-1 is not a CPU list: '3-1' must be a CPU number or a range low-high (0-4095), " +
            "e.g. 0, 0-1 or 0,2-3", reversed.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CpuAffinity.parse("x", "a"));
        assertThrows(IllegalArgumentException.class, () -> CpuAffinity.parse("x", "-1"));
        final IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> CpuAffinity.parse("--cpus", " "));
        assertTrue(empty.getMessage().startsWith("--cpus is empty"), empty.getMessage());
    }

    @Test
    void aThreadIsConfinedToTheGivenCpus() throws InterruptedException
    {
        assumeTrue(Affinity.isJNAAvailable() && System.getProperty("os.name").toLowerCase().contains("linux"),
            "thread affinity needs Linux and JNA");
        final BitSet allowed = Affinity.getAffinity();
        final BitSet one = new BitSet();
        one.set(allowed.nextSetBit(0));
        final AtomicReference<BitSet> seen = new AtomicReference<>();
        final Thread thread = new Thread(() ->
        {
            CpuAffinity.pinCurrentThread(one, "test");
            seen.set(Affinity.getAffinity());
        });
        thread.start();
        thread.join();
        assertEquals(one, seen.get());
        assertEquals(allowed, Affinity.getAffinity(), "only the pinned thread changes");
    }
}
