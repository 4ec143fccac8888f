package io.ferrite.codecs.item;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random items in the convenience model, for round-trip and fuzz tests.
 */
final class RandomItems
{
    private static final String[] NAMES = {"a", "b", "pk", "sk", "Ä", "日本", "\uD83D\uDE00", "zz", "a0", "A"};

    private RandomItems()
    {
    }

    static Map<String, AttributeValue> item(final SplittableRandom random)
    {
        return map(random, 0, 1 + random.nextInt(8));
    }

    private static Map<String, AttributeValue> map(final SplittableRandom random, final int depth, final int size)
    {
        final Map<String, AttributeValue> map = new HashMap<>();
        for (int i = 0; i < size; i++)
        {
            map.put(NAMES[random.nextInt(NAMES.length)] + (random.nextBoolean() ? "" : random.nextInt(100)),
                value(random, depth));
        }
        return map;
    }

    static AttributeValue value(final SplittableRandom random, final int depth)
    {
        final int kind = random.nextInt(depth < 4 ? 10 : 8);
        switch (kind)
        {
            case 0: return AttributeValue.s(random.nextBoolean() ? "" : NAMES[random.nextInt(NAMES.length)]);
            case 1: return AttributeValue.n(number(random));
            case 2: return AttributeValue.b(bytes(random));
            case 3: return AttributeValue.bool(random.nextBoolean());
            case 4: return AttributeValue.nul();
            case 5:
            {
                final List<String> elements = new ArrayList<>();
                for (int i = 0, n = 1 + random.nextInt(5); i < n; i++)
                {
                    elements.add(NAMES[random.nextInt(NAMES.length)]);
                }
                return AttributeValue.ss(elements);
            }
            case 6:
            {
                final List<String> elements = new ArrayList<>();
                for (int i = 0, n = 1 + random.nextInt(5); i < n; i++)
                {
                    elements.add(number(random));
                }
                return AttributeValue.ns(elements);
            }
            case 7:
            {
                final List<byte[]> elements = new ArrayList<>();
                for (int i = 0, n = 1 + random.nextInt(5); i < n; i++)
                {
                    elements.add(bytes(random));
                }
                return AttributeValue.bs(elements);
            }
            case 8: return AttributeValue.m(map(random, depth + 1, random.nextInt(4)));
            default:
            {
                final List<AttributeValue> elements = new ArrayList<>();
                for (int i = 0, n = random.nextInt(4); i < n; i++)
                {
                    elements.add(value(random, depth + 1));
                }
                return AttributeValue.l(elements);
            }
        }
    }

    private static String number(final SplittableRandom random)
    {
        switch (random.nextInt(4))
        {
            case 0: return Long.toString(random.nextLong());
            case 1: return Integer.toString(random.nextInt(-20, 20));
            case 2: return random.nextInt(1, 99999) + "E" + random.nextInt(-120, 120);
            default: return "-0.00" + random.nextInt(1, 1000);
        }
    }

    private static byte[] bytes(final SplittableRandom random)
    {
        final byte[] bytes = new byte[random.nextInt(6)];
        random.nextBytes(bytes);
        return bytes;
    }
}
