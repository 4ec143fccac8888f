package io.ferrite.transport.node;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.admission.TableCapacity;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.transport.client.ClientNodeFixture;
import io.ferrite.transport.client.FerriteBlockingClient;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A BatchGetItem costs its table what DynamoDB charges (each key its whole item's 4 KB blocks), not only the minimum
 * per key the router takes up front: the router charges the rest when the shards report it (decision 0009).
 * Otherwise reading large items by BatchGetItem instead of GetItem slipped past a table's provisioned reads. A table
 * at 1 RCU holds 600 half units (300 s of burst); ten ~40 KB keys cost 100 half units a batch (10 up front), so the
 * bucket is spent after six batches; charged 10 a batch, sixty would pass.
 */
class BatchesAreChargedWhatTheyCostTest
{
    private ClientNodeFixture started;
    private FerriteBlockingClient client;

    @AfterEach
    void closeAll()
    {
        CloseHelper.closeAll(started);
    }

    @Test
    void aBatchGetOfLargeItemsSpendsTheTablesReadsAsTheSameGetsWould()
    {
        started = ClientNodeFixture.launch(2);
        client = started.connect(started.ipcClientConfig().maxAttempts(1));
        client.createTable(TableSpec.of("big").partitionKey("pk", KeyType.S).capacity(TableCapacity.provisioned(1, 1_000)));
        final List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            client.putItem("big", Map.of("pk", s("k" + i), "payload", s("x".repeat(39 * 1024))));
            keys.add(Map.of("pk", s("k" + i)));
        }

        int admitted = 0;
        for (int batch = 0; batch < 20; batch++)
        {
            try
            {
                assertEquals(10, client.batchGetItem(Map.of("big", keys)).responses().get("big").size());
                admitted++;
            }
            catch (final FerriteException ex)
            {
                assertEquals(ErrorCode.ProvisionedThroughputExceededException, ex.code());
                break;
            }
        }
        assertTrue(admitted >= 5 && admitted <= 7, admitted + " batches of 100 half units admitted from 600");
    }
}
