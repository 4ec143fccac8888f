package io.ferrite.engine.api;

import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.shard.Shard;
import io.ferrite.engine.shard.SortKeyCondition;
import io.ferrite.engine.shard.Table;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.ferrite.codecs.item.AttributeValue.n;
import static io.ferrite.codecs.item.AttributeValue.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's embedded-API example, compiled and run here. The README must quote the lines between the
 * markers verbatim, which {@link #readmeQuotesThisExampleVerbatim()} checks, so the two cannot drift.
 */
class ReadmeExampleTest
{
    @TempDir
    Path dataDir;

    @Test
    void exampleRunsAndFindsWhatItWrote()
    {
        final List<Object> seen = example(dataDir);
        assertEquals(List.of(n("2")), seen.subList(0, 1));
        assertEquals(s("bob"), seen.get(1));
    }

    @Test
    void readmeQuotesThisExampleVerbatim() throws IOException
    {
        final Path root = Path.of("").toAbsolutePath().getParent();
        final String readme = Files.readString(root.resolve("README.md"), StandardCharsets.UTF_8);
        final List<String> source = Files.readAllLines(
            root.resolve("engine/src/test/java/io/ferrite/engine/api/ReadmeExampleTest.java"), StandardCharsets.UTF_8);
        final StringBuilder example = new StringBuilder();
        boolean inside = false;
        for (final String line : source)
        {
            if ("// README-END".equals(line.strip()))
            {
                inside = false;
            }
            if (inside)
            {
                example.append(line.length() >= 8 ? line.substring(8) : line.strip()).append('\n');
            }
            if ("// README-BEGIN".equals(line.strip()))
            {
                inside = true;
            }
        }
        assertTrue(example.length() > 100, "example markers not found");
        assertTrue(readme.contains(example), "README.md must quote the example verbatim:\n" + example);
    }

    private static List<Object> example(final Path dataDir)
    {
        final List<Object> seen = new ArrayList<>();
        // README-BEGIN
        try (Ferrite db = Ferrite.open(new EngineConfig().dataDir(dataDir)))
        {
            db.createTable(TableSpec.of("orders").partitionKey("customer", KeyType.S).sortKey("id", KeyType.N));

            // Convenient API: Java values in and out.
            db.putItem("orders", Map.of("customer", s("alice"), "id", n(1), "total", n("12.50")));
            db.putItem("orders", Map.of("customer", s("alice"), "id", n(2), "total", n("7")));
            final Page page = db.query(Query.on("orders").partitionKey(s("alice")).sortKey(SortKeyCondition.GE, n(2)));
            page.items().forEach(item -> seen.add(item.get("id")));

            // Garbage-free path: item bytes in, a callback out, on the same thread.
            final Shard shard = db.shard();
            final Table orders = shard.table("orders");
            final ItemWriter writer = new ItemWriter();
            writer.reset().string("customer", "bob").number("id", 3).number("total", "1.25");
            shard.putItem(orders, writer.buffer(), 0, writer.finish(), null, ReturnValues.NONE, null);

            writer.reset().string("customer", "bob").number("id", 3);
            shard.getItem(orders, writer.buffer(), 0, writer.finish(),
                (buffer, offset, length) -> seen.add(ItemCodec.decode(buffer, offset, length).get("customer")));
        }
        // README-END
        return seen;
    }
}
