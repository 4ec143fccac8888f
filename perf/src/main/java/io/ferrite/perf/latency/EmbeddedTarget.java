package io.ferrite.perf.latency;

import io.ferrite.engine.shard.ItemHandler;
import io.ferrite.engine.shard.QueryRequest;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.Shard;
import io.ferrite.engine.shard.Table;
import io.ferrite.perf.Dataset;
import io.ferrite.perf.EngineFixture;
import org.agrona.DirectBuffer;

/**
 * Ferrite embedded: the flyweight {@link Shard} API in the load thread's own JVM, no transport, WAL with the fsync
 * policy of {@code --fsync} (default NONE, as a deployment that replicates rather than fsyncs each write). Each
 * operation runs to completion in
 * {@link Session#submit}.
 * <p>
 * <b>Threading:</b> the shard is owned by the thread that opened it, so this target takes one load thread, the
 * harness's main thread.
 */
final class EmbeddedTarget implements Target
{
    private final Dataset dataset;
    private final EngineFixture fixture;

    EmbeddedTarget(final int records, final WalChoice wal)
    {
        dataset = new Dataset(records, 42, Dataset.Layout.YCSB);
        fixture = new EngineFixture(dataset, wal.applyTo(EngineFixture.settings()));
    }

    public String name()
    {
        return "embedded";
    }

    public long capacity()
    {
        return (long)EngineFixture.HEADROOM * dataset.items();
    }

    public int maxThreads()
    {
        return 1;
    }

    public Session newSession(final Recorder recorder, final long seed)
    {
        return new EmbeddedSession(fixture.shard(), fixture.table(),
            new Dataset(dataset.items(), seed, Dataset.Layout.YCSB), recorder);
    }

    public void close()
    {
        fixture.close();
    }

    private static final class EmbeddedSession implements Session, ItemHandler
    {
        private final Shard shard;
        private final Table table;
        private final Dataset dataset;
        private final Recorder recorder;
        private final QueryRequest query = new QueryRequest();
        private long version;
        private int itemsSeen;

        EmbeddedSession(final Shard shard, final Table table, final Dataset dataset, final Recorder recorder)
        {
            this.shard = shard;
            this.table = table;
            this.dataset = dataset;
            this.recorder = recorder;
        }

        public boolean submit(final Op op, final int record, final int scanLength, final long intendedNs)
        {
            try
            {
                switch (op)
                {
                    case GET:
                        get(record);
                        break;
                    case PUT:
                    case INSERT:
                        put(record);
                        break;
                    case QUERY:
                        query.reset();
                        query.limit(scanLength);
                        query.partitionKey().string(dataset.partitionKeyText(record / Dataset.ITEMS_PER_PARTITION));
                        shard.query(table, query, this);
                        break;
                    case RMW:
                        get(record);
                        put(record);
                        break;
                    default:
                        throw new IllegalStateException("unknown op " + op);
                }
                recorder.success(op, intendedNs);
            }
            catch (final RuntimeException ex)
            {
                recorder.error(op);
            }
            return true;
        }

        private void get(final int record)
        {
            final DirectBuffer key = dataset.key(record);
            if (!shard.getItem(table, key, 0, dataset.keyLength(record), this))
            {
                throw new IllegalStateException("record " + record + " not found");
            }
        }

        private void put(final int record)
        {
            final DirectBuffer item = dataset.item(record, ++version);
            shard.putItem(table, item, 0, dataset.itemLength(record), null, ReturnValues.NONE, null);
        }

        public void onItem(final DirectBuffer buffer, final int offset, final int length)
        {
            itemsSeen++;
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
