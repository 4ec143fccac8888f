package io.ferrite.perf;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness's YCSB records are what YCSB's are, 1 KB with ten fields besides the keys, and the patched
 * templates still carry the right keys and a version that changes; the JMH layout is unchanged.
 */
class DatasetLayoutTest
{
    @Test
    void ycsbRecordIsOneKilobyteWithTenFieldsAndItsOwnKeys()
    {
        final Dataset dataset = new Dataset(100, 1, Dataset.Layout.YCSB);
        final DirectBuffer first = dataset.item(57, 1);
        final Map<String, AttributeValue> item = ItemCodec.decode(first, 0, dataset.itemLength(57));
        assertEquals(Dataset.ITEM_BYTES, dataset.itemLength(57));
        assertEquals(2 + Dataset.YCSB_FIELDS, item.size(), item.keySet().toString());
        for (int f = 0; f < Dataset.YCSB_FIELDS; f++)
        {
            assertTrue(item.containsKey("field" + f), "field" + f + " in " + item.keySet());
        }
        assertEquals(AttributeValue.s("p0000005"), item.get(Dataset.PK));
        assertEquals(AttributeValue.n(8), item.get(Dataset.SK));
        final Map<String, AttributeValue> next = ItemCodec.decode(dataset.item(57, 2), 0, dataset.itemLength(57));
        assertNotEquals(item.get("field0"), next.get("field0"), "the version is written into field0");
    }

    @Test
    void orderLayoutStaysTheBenchmarksOne()
    {
        final Dataset dataset = new Dataset(100, 1);
        final Map<String, AttributeValue> item = ItemCodec.decode(dataset.item(3, 0), 0, dataset.itemLength(3));
        assertEquals(Dataset.ITEM_BYTES, dataset.itemLength(3));
        assertEquals(Dataset.Layout.ORDER, dataset.layout());
        assertTrue(item.containsKey("payload") && item.containsKey("price"), item.keySet().toString());
    }
}
