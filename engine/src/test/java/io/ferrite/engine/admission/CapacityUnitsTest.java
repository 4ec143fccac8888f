package io.ferrite.engine.admission;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * DynamoDB's documented capacity arithmetic: 4 KB read blocks (half price when eventually consistent), 1 KB write
 * blocks on the larger of the old and new item, Query/Scan on the page's total, a minimum of one block.
 */
class CapacityUnitsTest
{
    @Test
    void readsRoundUpTo4KbBlocksAndEventuallyConsistentIsHalf()
    {
        assertEquals(2, CapacityUnits.readHalfUnits(0, true), "not found still costs one block");
        assertEquals(1, CapacityUnits.readHalfUnits(0, false));
        assertEquals(2, CapacityUnits.readHalfUnits(4096, true));
        assertEquals(4, CapacityUnits.readHalfUnits(4097, true));
        assertEquals(2, CapacityUnits.readHalfUnits(4097, false));
        assertEquals(200, CapacityUnits.readHalfUnits(400 * 1024, true), "a 400 KB item: 100 RCU");
        assertEquals(0.5, CapacityUnits.readCapacityUnits(CapacityUnits.readHalfUnits(10, false)));
    }

    @Test
    void writesRoundUpTo1KbBlocksOfTheLargerItem()
    {
        assertEquals(1, CapacityUnits.writeUnits(0, 1));
        assertEquals(1, CapacityUnits.writeUnits(0, 1024));
        assertEquals(2, CapacityUnits.writeUnits(0, 1025));
        assertEquals(5, CapacityUnits.writeUnits(4500, 100), "an update that shrinks an item pays for the old size");
        assertEquals(1, CapacityUnits.writeUnits(0, 0), "a delete of nothing still costs 1");
        assertEquals(400, CapacityUnits.writeUnits(0, 400 * 1024));
    }

    @Test
    void queryIsChargedOnThePageTotalNotPerItem()
    {
        // 10 items of 100 bytes: one 4 KB block in all, where ten GetItems would cost ten.
        assertEquals(1, CapacityUnits.queryHalfUnits(10 * 100, false));
        assertEquals(20, 10 * CapacityUnits.readHalfUnits(100, true));
        assertEquals(512, CapacityUnits.queryHalfUnits(1024 * 1024, true), "a full 1 MB page, consistent: 256 RCU");
    }

    @Test
    void negativeSizesAreRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> CapacityUnits.readHalfUnits(-1, true));
    }
}
