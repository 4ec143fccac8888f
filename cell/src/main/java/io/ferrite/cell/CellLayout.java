package io.ferrite.cell;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringJoiner;
import java.util.concurrent.ThreadLocalRandom;

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
    /** The kernel's ephemeral port range, where it lives on Linux ("LOW\tHIGH"). */
    static final Path EPHEMERAL_RANGE_FILE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    /** The lowest base port {@link #freeBasePort} picks when there is room below the ephemeral range. */
    static final int LOWEST_FREE_BASE_PORT = 20_000;

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

    /**
     * A base port for a local cell of {@code members} (tests, game days, benchmarks): its
     * {@code members * PORTS_PER_MEMBER} ports are free on 127.0.0.1 for UDP and TCP now, and all lie below the
     * kernel's ephemeral port range ({@link #ephemeralPortRange()}).
     * <p>
     * Below it, because a member binds its ports only when it starts, and binds some of them again later (a follower
     * binds its catch-up endpoint anew at every election): until then any socket bound to port 0 on the machine (every
     * Aeron publication's send socket, another member's or a client's, and the {@code :0} endpoints) can be given one of
     * them by the kernel, and then the member cannot bind it. A follower whose catch-up port is taken does not catch
     * up while it is (it goes round its election, failing in FOLLOWER_CATCHUP_INIT with "Address already in use"); a
     * member whose consensus or archive port is taken does not start. No port-0 socket is given a port below the range.
     *
     * @param members how many members.
     * @return the base port.
     * @throws IllegalStateException when no such run of free ports is found.
     */
    public static int freeBasePort(final int members)
    {
        final int count = members * PORTS_PER_MEMBER;
        final int below = ephemeralPortRange()[0];
        final int lowest = below - count > LOWEST_FREE_BASE_PORT ? LOWEST_FREE_BASE_PORT : 1024;
        if (below - count <= lowest)
        {
            throw new IllegalStateException("no room for " + count + " ports below the ephemeral port range, which " +
                "starts at " + below + " (" + EPHEMERAL_RANGE_FILE + ")");
        }
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 500; attempt++)
        {
            final int base = lowest + random.nextInt(below - count - lowest);
            if (allFree(base, count))
            {
                return base;
            }
        }
        throw new IllegalStateException("no run of " + count + " free 127.0.0.1 ports found between " + lowest +
            " and " + below);
    }

    /**
     * @param ephemeral the kernel's ephemeral port range, {@code {low, high}} ({@link #ephemeralPortRange()}).
     * @return a warning naming the overlap when this cell's ports reach into that range (see {@link #freeBasePort}
     * for what it risks), or null when they lie outside it.
     */
    public String ephemeralOverlapWarning(final int[] ephemeral)
    {
        final int last = basePort + members * PORTS_PER_MEMBER - 1;
        if (last < ephemeral[0] || basePort > ephemeral[1])
        {
            return null;
        }
        return "WARNING: the cell's ports " + basePort + ".." + last + " overlap the kernel's ephemeral port range " +
            ephemeral[0] + ".." + ephemeral[1] + " (" + EPHEMERAL_RANGE_FILE + "): a socket bound to port 0 (any " +
            "Aeron publication's) can take a member's port while the member is down, and a follower whose catch-up " +
            "port is taken does not catch up; choose --base-port so that all " + members * PORTS_PER_MEMBER +
            " ports lie below " + ephemeral[0] + " (the default, " + DEFAULT_BASE_PORT + ", does)";
    }

    /**
     * @return the ports the kernel gives sockets bound to port 0, {@code {low, high}}: Linux's
     * {@code ip_local_port_range}, else {@code {32768, 65535}} (Linux's default low end, up to the top, which covers
     * the IANA range other systems use).
     */
    public static int[] ephemeralPortRange()
    {
        try
        {
            if (Files.isReadable(EPHEMERAL_RANGE_FILE))
            {
                // read as a line: Files.readString/readAllBytes trust the size procfs reports and return "3" here
                try (java.io.BufferedReader reader = Files.newBufferedReader(EPHEMERAL_RANGE_FILE))
                {
                    final String[] range = reader.readLine().trim().split("\\s+");
                    return new int[] { Integer.parseInt(range[0]), Integer.parseInt(range[1]) };
                }
            }
        }
        catch (final IOException | RuntimeException ignore)
        {
            // the default below
        }
        return new int[] { 32_768, 65_535 };
    }

    private static boolean allFree(final int base, final int count)
    {
        for (int port = base; port < base + count; port++)
        {
            try (DatagramSocket udp = new DatagramSocket(port, InetAddress.getLoopbackAddress());
                ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress()))
            {
                if (udp.getLocalPort() != port || tcp.getLocalPort() != port)
                {
                    return false;
                }
            }
            catch (final IOException ex)
            {
                return false;
            }
        }
        return true;
    }
}
