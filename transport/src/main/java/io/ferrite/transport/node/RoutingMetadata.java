package io.ferrite.transport.node;

import io.ferrite.codecs.sbe.AttributeType;
import io.ferrite.codecs.sbe.KeyRole;
import io.ferrite.codecs.sbe.MessageHeaderDecoder;
import io.ferrite.codecs.sbe.MessageHeaderEncoder;
import io.ferrite.codecs.sbe.RoutingMetadataDecoder;
import io.ferrite.codecs.sbe.RoutingMetadataEncoder;
import io.ferrite.codecs.sbe.TableStatus;
import io.ferrite.engine.admission.TableCapacity;
import io.ferrite.engine.table.TableSpec;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * The node's routing metadata: the shards' contiguous hash ranges and, per table, its key schema,
 * capacity (billing mode and provisioned throughput; absent in files of schema version 2, which load as on-demand),
 * status and partitions (one per shard, each the shard's hash range), with an epoch that grows with
 * every change. The authoritative form is the SBE-encoded {@code RoutingMetadata} message held in
 * {@link #encoded()} and persisted to {@value #FILE_NAME} (written to a temporary file, synced, then
 * renamed over the old one); the lookup structures are derived from it.
 * <p>
 * <b>Threading:</b> owned by the router thread (built by the launching thread before the router starts).
 * {@link #lookup} and {@link #shardFor} are allocation-free; changes allocate and write the file.
 */
final class RoutingMetadata
{
    static final String FILE_NAME = "routing.sbe";
    static final int MAX_ROUTES = 4096;

    private final Path file;
    private final int shardCount;
    private final long step;
    private final TreeMap<String, TableRoute> byName = new TreeMap<>();
    private final Int2ObjectHashMap<TableRoute> byNameHash = new Int2ObjectHashMap<>();
    private TableRoute[] routes = new TableRoute[0];
    private final UnsafeBuffer encoded = new UnsafeBuffer(ByteBuffer.allocate(1024 * 1024));
    private int encodedLength;
    private long epoch;

    private RoutingMetadata(final Path dataDir, final int shardCount)
    {
        this.file = dataDir.resolve(FILE_NAME);
        this.shardCount = shardCount;
        this.step = divideUnsigned(-1L, shardCount);
    }

    /**
     * Loads the persisted metadata of a data directory, or starts empty.
     *
     * @throws IllegalStateException if the file was written for another shard count.
     */
    static RoutingMetadata load(final Path dataDir, final int shardCount)
    {
        final RoutingMetadata metadata = new RoutingMetadata(dataDir, shardCount);
        if (!Files.exists(metadata.file))
        {
            return metadata;
        }
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(metadata.file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + metadata.file, ex);
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, 0);
        if (bytes.length < MessageHeaderDecoder.ENCODED_LENGTH || header.templateId() != RoutingMetadataDecoder.TEMPLATE_ID ||
            header.schemaId() != RoutingMetadataDecoder.SCHEMA_ID)
        {
            throw new IllegalStateException(metadata.file + " is not a RoutingMetadata message");
        }
        final RoutingMetadataDecoder decoder = new RoutingMetadataDecoder().wrapAndApplyHeader(buffer, 0, header);
        metadata.epoch = decoder.epoch();
        if (decoder.shardCount() != shardCount)
        {
            throw new IllegalStateException("data directory " + dataDir.toAbsolutePath() + " was created with " +
                decoder.shardCount() + " shards and ferrite.node.shards=" + shardCount + ": a node's shard count is " +
                "fixed for the life of its data directory (resharding is not supported yet)");
        }
        decoder.shards().forEach(s -> { });
        for (final RoutingMetadataDecoder.TablesDecoder table : decoder.tables())
        {
            final int routeId = table.routeId();
            final TableStatus status = table.status();
            final long created = table.createdEpochMs();
            final long changed = table.changedEpoch();
            final TableCapacity capacity = TableRequests.capacity(
                io.ferrite.codecs.sbe.BillingMode.get(table.billingModeRaw()), table.readCapacityUnits(), table.writeCapacityUnits());
            String hashName = null;
            String rangeName = null;
            AttributeType hashType = null;
            AttributeType rangeType = null;
            for (final RoutingMetadataDecoder.TablesDecoder.KeySchemaDecoder key : table.keySchema())
            {
                if (KeyRole.HASH == key.keyRole())
                {
                    hashType = key.attributeType();
                    hashName = key.attributeName();
                }
                else
                {
                    rangeType = key.attributeType();
                    rangeName = key.attributeName();
                }
            }
            table.partitions().forEach(p -> { });
            TableSpec spec = TableSpec.of(table.tableName()).partitionKey(hashName, TableRequests.keyType(hashType, hashName));
            if (null != rangeName)
            {
                spec = spec.sortKey(rangeName, TableRequests.keyType(rangeType, rangeName));
            }
            metadata.add(new TableRoute(routeId, spec.capacity(capacity), status, created, changed));
        }
        metadata.encode();
        return metadata;
    }

    /**
     * @return the table of that name, or null; allocation-free.
     */
    TableRoute lookup(final DirectBuffer buffer, final int offset, final int length)
    {
        TableRoute route = byNameHash.get(hash(buffer, offset, length));
        while (null != route)
        {
            if (route.nameBytes.length == length && same(buffer, offset, route.nameBytes))
            {
                return route;
            }
            route = route.nextWithSameHash;
        }
        return null;
    }

    TableRoute lookup(final String name)
    {
        return byName.get(name);
    }

    Collection<TableRoute> tables()
    {
        return byName.values();
    }

    /**
     * @return every table's route, in name order, as an array rebuilt when a table is added or removed, so a
     * periodic walk on the router thread (admission demand reports) allocates no iterator. Do not modify.
     */
    TableRoute[] routes()
    {
        return routes;
    }

    /**
     * @return the names after {@code exclusiveStart} (or all), in order.
     */
    List<String> namesAfter(final String exclusiveStart)
    {
        return new ArrayList<>(null == exclusiveStart ? byName.keySet() : byName.tailMap(exclusiveStart, false).keySet());
    }

    /**
     * @return the shard owning the hash: shard i owns [i * step, (i + 1) * step), the last one up to 2^64 - 1.
     */
    int shardFor(final long hash)
    {
        final long index = divideUnsigned(hash, step);
        return Long.compareUnsigned(index, shardCount) >= 0 ? shardCount - 1 : (int)index;
    }

    /**
     * Unsigned division without allocation (JDK 17's Long.divideUnsigned goes through BigInteger for a
     * dividend of 2^63 or more).
     *
     * @param dividend an unsigned 64-bit value.
     * @param divisor  a positive divisor.
     * @return the unsigned quotient.
     */
    static long divideUnsigned(final long dividend, final long divisor)
    {
        long quotient = ((dividend >>> 1) / divisor) << 1;
        final long remainder = dividend - quotient * divisor;
        if (Long.compareUnsigned(remainder, divisor) >= 0)
        {
            quotient++;
        }
        return quotient;
    }

    long hashLow(final int shard)
    {
        return shard * step;
    }

    long hashHigh(final int shard)
    {
        return shard == shardCount - 1 ? -1L : (shard + 1) * step - 1;
    }

    int shardCount()
    {
        return shardCount;
    }

    long epoch()
    {
        return epoch;
    }

    int nextRouteId()
    {
        final boolean[] used = new boolean[MAX_ROUTES];
        for (final TableRoute route : byName.values())
        {
            used[route.routeId] = true;
        }
        for (int i = 0; i < MAX_ROUTES; i++)
        {
            if (!used[i])
            {
                return i;
            }
        }
        throw new IllegalStateException("no free route id among " + MAX_ROUTES);
    }

    /**
     * Adds or replaces a table, bumps the epoch, re-encodes and persists.
     */
    void put(final TableRoute route)
    {
        remove0(route.name());
        epoch++;
        route.changedEpoch = epoch;
        add(route);
        encode();
        persist();
    }

    /**
     * Changes a table's status, bumps the epoch, re-encodes and persists.
     */
    void status(final TableRoute route, final TableStatus status)
    {
        epoch++;
        route.status = status;
        route.changedEpoch = epoch;
        encode();
        persist();
    }

    /**
     * Changes a table's capacity (UpdateTable), bumps the epoch, re-encodes and persists.
     */
    void capacity(final TableRoute route, final TableCapacity capacity)
    {
        epoch++;
        route.spec = route.spec.capacity(capacity);
        route.changedEpoch = epoch;
        encode();
        persist();
    }

    /**
     * Removes a table, bumps the epoch, re-encodes and persists.
     */
    void remove(final String name)
    {
        remove0(name);
        epoch++;
        encode();
        persist();
    }

    /**
     * @return the SBE-encoded metadata (message header + RoutingMetadata), valid for {@link #encodedLength()}.
     */
    DirectBuffer encoded()
    {
        return encoded;
    }

    int encodedLength()
    {
        return encodedLength;
    }

    void persist()
    {
        encode();
        final Path temp = file.resolveSibling(FILE_NAME + ".tmp");
        try
        {
            try (FileChannel channel = FileChannel.open(
                temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))
            {
                final ByteBuffer bytes = ByteBuffer.wrap(encoded.byteArray(), 0, encodedLength);
                while (bytes.hasRemaining())
                {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + file, ex);
        }
    }

    private void add(final TableRoute route)
    {
        byName.put(route.name(), route);
        final int hash = hash(new UnsafeBuffer(route.nameBytes), 0, route.nameBytes.length);
        route.nextWithSameHash = byNameHash.get(hash);
        byNameHash.put(hash, route);
        routes = byName.values().toArray(new TableRoute[0]);
    }

    private void remove0(final String name)
    {
        final TableRoute removed = byName.remove(name);
        if (null == removed)
        {
            return;
        }
        final int hash = hash(new UnsafeBuffer(removed.nameBytes), 0, removed.nameBytes.length);
        TableRoute head = byNameHash.get(hash);
        if (head == removed)
        {
            head = removed.nextWithSameHash;
        }
        else
        {
            TableRoute previous = head;
            while (null != previous && previous.nextWithSameHash != removed)
            {
                previous = previous.nextWithSameHash;
            }
            if (null != previous)
            {
                previous.nextWithSameHash = removed.nextWithSameHash;
            }
        }
        if (null == head)
        {
            byNameHash.remove(hash);
        }
        else
        {
            byNameHash.put(hash, head);
        }
        removed.nextWithSameHash = null;
        routes = byName.values().toArray(new TableRoute[0]);
    }

    private void encode()
    {
        final RoutingMetadataEncoder encoder = new RoutingMetadataEncoder()
            .wrapAndApplyHeader(encoded, 0, new MessageHeaderEncoder());
        encoder.epoch(epoch).shardCount(shardCount);
        final RoutingMetadataEncoder.ShardsEncoder shards = encoder.shardsCount(shardCount);
        for (int i = 0; i < shardCount; i++)
        {
            shards.next().shardIndex(i).hashLow(hashLow(i)).hashHigh(hashHigh(i));
        }
        final RoutingMetadataEncoder.TablesEncoder tables = encoder.tablesCount(byName.size());
        for (final TableRoute route : byName.values())
        {
            tables.next().routeId(route.routeId).status(route.status).createdEpochMs(route.createdEpochMs)
                .changedEpoch(route.changedEpoch);
            final TableSpec spec = route.spec;
            final TableCapacity capacity = spec.capacity();
            tables.billingMode(TableRequests.wireBillingMode(capacity)).readCapacityUnits(capacity.readCapacityUnits())
                .writeCapacityUnits(capacity.writeCapacityUnits());
            final RoutingMetadataEncoder.TablesEncoder.KeySchemaEncoder keys =
                tables.keySchemaCount(null == spec.sortKeyName() ? 1 : 2);
            keys.next().keyRole(KeyRole.HASH).attributeType(TableRequests.attributeType(spec.partitionKeyType()))
                .attributeName(spec.partitionKeyName());
            if (null != spec.sortKeyName())
            {
                keys.next().keyRole(KeyRole.RANGE).attributeType(TableRequests.attributeType(spec.sortKeyType()))
                    .attributeName(spec.sortKeyName());
            }
            final RoutingMetadataEncoder.TablesEncoder.PartitionsEncoder partitions = tables.partitionsCount(shardCount);
            for (int i = 0; i < shardCount; i++)
            {
                partitions.next().partitionId(i).hashLow(hashLow(i)).hashHigh(hashHigh(i)).shardIndex(i);
            }
            tables.tableName(route.name());
        }
        encodedLength = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    private static int hash(final DirectBuffer buffer, final int offset, final int length)
    {
        int hash = 1;
        for (int i = 0; i < length; i++)
        {
            hash = 31 * hash + buffer.getByte(offset + i);
        }
        return hash;
    }

    private static boolean same(final DirectBuffer buffer, final int offset, final byte[] bytes)
    {
        for (int i = 0; i < bytes.length; i++)
        {
            if (buffer.getByte(offset + i) != bytes[i])
            {
                return false;
            }
        }
        return true;
    }
}
