package io.ferrite.perf.latency;

import io.ferrite.perf.Dataset;
import io.ferrite.perf.EngineFixture;
import io.ferrite.perf.RawChronicleMapFixture;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * Raw Chronicle Map in process, holding the same keys (the engine's index keys) and values (the same 1 KB
 * items) as the embedded engine: the floor for Ferrite embedded, with no WAL, no key encoding and no item
 * validation. A Query is read as the partition's records fetched one by one (the map has no order).
 * <p>
 * <b>Threading:</b> Chronicle Map is thread-safe; each session has its own buffers.
 */
final class ChronicleMapTarget implements Target
{
    private final Dataset dataset;
    private final RawChronicleMapFixture fixture;

    ChronicleMapTarget(final int records)
    {
        dataset = new Dataset(records, 42, Dataset.Layout.YCSB);
        fixture = new RawChronicleMapFixture(dataset);
    }

    public String name()
    {
        return "chronicle-map";
    }

    public long capacity()
    {
        return (long)EngineFixture.HEADROOM * dataset.items();
    }

    public int maxThreads()
    {
        return 64;
    }

    public Session newSession(final Recorder recorder, final long seed)
    {
        return new MapSession(fixture, new Dataset(dataset.items(), seed, Dataset.Layout.YCSB), recorder);
    }

    public void close()
    {
        fixture.close();
    }

    private static final class MapSession implements Session
    {
        private final RawChronicleMapFixture map;
        private final Dataset dataset;
        private final Recorder recorder;
        private final UnsafeBuffer key = RawChronicleMapFixture.newKeyBuffer();
        private final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
        private long version;

        MapSession(final RawChronicleMapFixture map, final Dataset dataset, final Recorder recorder)
        {
            this.map = map;
            this.dataset = dataset;
            this.recorder = recorder;
        }

        public boolean submit(final Op op, final int record, final int scanLength, final long intendedNs)
        {
            boolean ok = true;
            switch (op)
            {
                case GET:
                    ok = get(record);
                    break;
                case PUT:
                case INSERT:
                    put(record);
                    break;
                case QUERY:
                {
                    final int first = record - record % Dataset.ITEMS_PER_PARTITION;
                    final int count = 0 == scanLength ? Dataset.ITEMS_PER_PARTITION : scanLength;
                    for (int i = 0; i < count; i++)
                    {
                        ok &= get(first + i);
                    }
                    break;
                }
                case RMW:
                    ok = get(record);
                    put(record);
                    break;
                default:
                    throw new IllegalStateException("unknown op " + op);
            }
            if (ok)
            {
                recorder.success(op, intendedNs);
            }
            else
            {
                recorder.error(op);
            }
            return true;
        }

        private boolean get(final int record)
        {
            final int keyLength = dataset.indexKey(record, key);
            return map.get(key, keyLength, value) >= 0;
        }

        private void put(final int record)
        {
            final int keyLength = dataset.indexKey(record, key);
            final DirectBuffer item = dataset.item(record, ++version);
            map.put(key, keyLength, item, dataset.itemLength(record));
        }

        public int poll()
        {
            return 0;
        }

        public int inFlight()
        {
            return 0;
        }
    }
}
