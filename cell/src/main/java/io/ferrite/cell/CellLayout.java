package io.ferrite.cell;

import java.nio.file.Path;
import java.util.StringJoiner;

/**
 * Where a local cell's members live: each member's ports (derived from one base port) and directories
 * (under one cell directory). Member {@code i} uses ports {@code base + 10 i + k}: k = 0 client ingress,
 * 1 consensus, 2 log, 3 catch-up, 4 archive control, 5 eventually consistent reads. Immutable.
 *
 * @param cellDir  the cell's directory.
 * @param members  how many members (3 for a cell; 1 or 5 work too).
 * @param basePort the first port.
 */
public record CellLayout(Path cellDir, int members, int basePort)
{
    /** Ports reserved per member. */
    public static final int PORTS_PER_MEMBER = 10;
    /** The default base port of {@code ferrite cell start}. */
    public static final int DEFAULT_BASE_PORT = 20_100;
    static final String HOST = "127.0.0.1";

    /**
     * Checks the values.
     */
    public CellLayout
    {
        if (members < 1 || members > 9)
        {
            throw new IllegalArgumentException("--members must be 1 to 9 (a cell has 3), got " + members);
        }
        if (basePort < 1024 || basePort + members * PORTS_PER_MEMBER > 65_535)
        {
            throw new IllegalArgumentException("--base-port must leave room for " + members * PORTS_PER_MEMBER +
                " ports between 1024 and 65535, got " + basePort);
        }
    }

    /**
     * @return member {@code i}'s directory (archive, cluster, engine, aeron, status files).
     */
    public Path memberDir(final int member)
    {
        return cellDir.resolve("member-" + member);
    }

    int port(final int member, final int offset)
    {
        return basePort + member * PORTS_PER_MEMBER + offset;
    }

    /**
     * @return member {@code i}'s client ingress endpoint, {@code 127.0.0.1:port}.
     */
    public String ingressEndpoint(final int member)
    {
        return HOST + ":" + port(member, 0);
    }

    /**
     * @return member {@code i}'s read endpoint (eventually consistent reads outside the log), {@code 127.0.0.1:port}.
     */
    public String readEndpoint(final int member)
    {
        return HOST + ":" + port(member, 5);
    }

    /**
     * @return the read endpoints, in member order, comma-separated.
     */
    public String readEndpoints()
    {
        final StringJoiner joiner = new StringJoiner(",");
        for (int i = 0; i < members; i++)
        {
            joiner.add(readEndpoint(i));
        }
        return joiner.toString();
    }

    String consensusEndpoint(final int member)
    {
        return HOST + ":" + port(member, 1);
    }

    String archiveEndpoint(final int member)
    {
        return HOST + ":" + port(member, 4);
    }

    /**
     * @return the cluster members in Aeron Cluster's form: {@code id,ingress,consensus,log,catchup,archive|...}.
     */
    String clusterMembers()
    {
        final StringJoiner joiner = new StringJoiner("|");
        for (int i = 0; i < members; i++)
        {
            joiner.add(i + "," + ingressEndpoint(i) + "," + HOST + ":" + port(i, 1) + "," + HOST + ":" + port(i, 2) + "," +
                HOST + ":" + port(i, 3) + "," + archiveEndpoint(i));
        }
        return joiner.toString();
    }

    /**
     * @return the ingress endpoints in AeronCluster's form: {@code 0=127.0.0.1:p0,1=127.0.0.1:p1,...}.
     */
    public String ingressEndpoints()
    {
        final StringJoiner joiner = new StringJoiner(",");
        for (int i = 0; i < members; i++)
        {
            joiner.add(i + "=" + ingressEndpoint(i));
        }
        return joiner.toString();
    }
}
