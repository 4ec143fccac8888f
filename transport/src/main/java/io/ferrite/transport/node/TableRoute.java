package io.ferrite.transport.node;

import io.ferrite.codecs.sbe.TableStatus;
import io.ferrite.engine.table.TableSpec;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.charset.StandardCharsets;

/**
 * One table as the router routes it: its node-wide route id, key schema (names as UTF-8 bytes for the
 * allocation-free lookups of the hot path), status and request counter.
 * <p>
 * <b>Threading:</b> owned by the router thread (built at start-up by the launching thread).
 */
final class TableRoute
{
    final int routeId;
    TableSpec spec;
    final byte[] nameBytes;
    final byte[] partitionKeyName;
    final long createdEpochMs;
    TableStatus status;
    long changedEpoch;
    AtomicCounter requests;
    TableAdmission admission;
    TableRoute nextWithSameHash;

    TableRoute(final int routeId, final TableSpec spec, final TableStatus status, final long createdEpochMs, final long changedEpoch)
    {
        this.routeId = routeId;
        this.spec = spec;
        this.nameBytes = spec.tableName().getBytes(StandardCharsets.UTF_8);
        this.partitionKeyName = spec.partitionKeyName().getBytes(StandardCharsets.UTF_8);
        this.status = status;
        this.createdEpochMs = createdEpochMs;
        this.changedEpoch = changedEpoch;
    }

    String name()
    {
        return spec.tableName();
    }

    public String toString()
    {
        return "TableRoute{routeId=" + routeId + ", spec=" + spec + ", status=" + status + ", changedEpoch=" + changedEpoch + '}';
    }
}
