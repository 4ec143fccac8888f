package io.ferrite.engine.queued;

import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.shard.QueryRequest;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.ferrite.codecs.item.AttributeValue.n;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A Query page larger than the client's largest completion (128 KB with a 1 MB response ring) is cut after
 * the last item that fits, with that item's key as LastEvaluatedKey, and paging on returns every item once,
 * in order.
 */
class QueryPageTooBigForClientRingIsCutAndResumesTest
{
    private static final int ITEMS = 10;
    private static final String VALUE = "x".repeat(50 * 1024);

    @TempDir
    Path dir;

    @Test
    void oversizedPageIsCutAtTheRingAndResumesFromTheLastReturnedKey() throws Exception
    {
        try (QueuedShard queued = QueuedShard.start(new EngineConfig().dataDir(dir)))
        {
            queued.createTable(TableSpec.of("items").partitionKey("pk", KeyType.S).sortKey("sk", KeyType.N))
                .get(30, TimeUnit.SECONDS);
            final ShardClient client = queued.newClient(QueuedShard.MIN_RESPONSE_QUEUE_BYTES);
            final int table = client.tableId("items");
            final TestItems items = new TestItems();
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[64 * 1024]);
            for (int i = 0; i < ITEMS; i++)
            {
                client.putItemBlocking(table, scratch, 0, items.item(scratch, "big", i, VALUE), TimeUnit.SECONDS.toNanos(30));
            }

            final QueryRequest request = new QueryRequest().reset();
            request.partitionKey().string("big");
            final QueryPage page = new QueryPage();
            final List<Integer> pageSizes = new ArrayList<>();
            final List<String> sortKeys = new ArrayList<>();
            final boolean[] more = { true };
            while (more[0])
            {
                while (!client.query(pageSizes.size(), table, request))
                {
                    Thread.yield();
                }
                while (0 == client.poll((correlationId, code, buffer, offset, length) ->
                {
                    assertSame(ErrorCode.OK, code, () -> ResponseLayout.message(code, buffer, offset, length));
                    page.wrap(buffer, offset, length);
                    pageSizes.add(page.count());
                    while (page.nextItem())
                    {
                        sortKeys.add(ItemCodec.decode(buffer, page.itemOffset(), page.itemLength()).get("sk").toString());
                    }
                    more[0] = page.lastEvaluatedKeyLength() > 0;
                    request.exclusiveStartKey(buffer, page.lastEvaluatedKeyOffset(), page.lastEvaluatedKeyLength());
                }))
                {
                    Thread.yield();
                }
            }

            assertEquals(List.of(2, 2, 2, 2, 2), pageSizes, "pages cut at 128 KB hold two 50 KB items");
            final List<String> expected = new ArrayList<>();
            for (int i = 0; i < ITEMS; i++)
            {
                expected.add(n(Integer.toString(i)).toString());
            }
            assertEquals(expected, sortKeys);
            client.close();
        }
    }
}
