package io.ferrite.tools.chaos;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.ferrite.cell.CellClient;
import io.ferrite.cell.CellClientConfig;
import io.ferrite.cell.CellLauncher;
import io.ferrite.cell.CellLayout;
import io.ferrite.cell.CellResult;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.tools.chaos.history.RegisterOp;
import io.ferrite.tools.chaos.history.RegisterOp.Outcome;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ferrite chaos --target cell}: a local three-member cell ({@link CellLauncher}, as {@code ferrite cell start}
 * starts one: a child JVM per member) in {@code RUN/cell}, on a run of free 127.0.0.1 ports. A member is SIGKILLed
 * and restarted on its own directory (its log, snapshots and engine data), rejoining as a follower; {@link #leader()}
 * is read from the members' status files. Clients are {@link CellClient}s, one per client thread, all through one
 * media driver in this process; each has a client id of its own, so the cell's dedupe table keys the driver's request
 * ids by client, and a write the cell client sends again through a failover (same request id) is applied once.
 * <p>
 * The register layout and outcomes are {@link NodeTarget}'s: items {@code {pk: "r<i>", v: <value>}} of table
 * {@value NodeTarget#TABLE}; a write is PutItem; a conditional write is PutItem with ConditionExpression
 * {@code v = :e} (or {@code attribute_not_exists(pk)}); a read is a strongly consistent GetItem, which goes through
 * the cell's log. A cell answer is OK or CONDITION_FAILED; another error answer is FAILED (not applied) except
 * InternalServerError (UNKNOWN); a call that timed out is FAILED if it was never sent, else UNKNOWN.
 * <p>
 * <b>Threading:</b> as {@link ChaosTarget}; member methods are synchronized (one killer, plus {@link #close}).
 */
public final class CellTarget implements ChaosTarget
{
    /** Members of the cell. */
    public static final int MEMBERS = 3;
    private static final long READY_TIMEOUT_MS = 120_000;
    private static final long ADMIN_TIMEOUT_MS = 30_000;
    private static final long WARM_UP_TIMEOUT_MS = 10_000;

    private final Path runDir;
    private final PrintStream out;
    private final List<String> memberJvmOptions;
    private CellLauncher launcher;
    private MediaDriver clientDriver;
    private List<String> keyNames = List.of();

    /**
     * @param runDir           a fresh directory for the cell and the clients' media driver.
     * @param out              receives progress lines.
     * @param memberJvmOptions more options for each member JVM (e.g. {@code -Dferrite.cell.heartbeatTimeoutMs=...}).
     */
    public CellTarget(final Path runDir, final PrintStream out, final List<String> memberJvmOptions)
    {
        this.runDir = runDir;
        this.out = out;
        this.memberJvmOptions = List.copyOf(memberJvmOptions);
    }

    public String name()
    {
        return "cell";
    }

    public synchronized void start(final int keys) throws Exception
    {
        final List<String> names = new ArrayList<>(keys);
        for (int i = 0; i < keys; i++)
        {
            names.add("r" + i);
        }
        keyNames = List.copyOf(names);
        final int basePort = CellLayout.freeBasePort(MEMBERS);
        launcher = CellLauncher.create(runDir.resolve("cell"), MEMBERS, basePort, memberJvmOptions, null);
        clientDriver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(runDir.resolve("aeron-client").toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy())
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        final long startNs = System.nanoTime();
        final int leader = launcher.start(READY_TIMEOUT_MS);
        out.println("chaos: cell ready, " + MEMBERS + " members, leader member " + leader + ", ingress " +
            launcher.layout().ingressEndpoints() + " (" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) +
            " ms)");
        try (CellClient admin = CellClient.connect(clientConfig(ADMIN_TIMEOUT_MS)))
        {
            final CellResult created = admin.createTable(
                TableSpec.of(NodeTarget.TABLE).partitionKey(NodeTarget.KEY, KeyType.S), ADMIN_TIMEOUT_MS);
            if (!created.ok())
            {
                throw new IllegalStateException("the cell did not create table " + NodeTarget.TABLE + ": " + created);
            }
        }
    }

    private CellClientConfig clientConfig(final long timeoutMs)
    {
        return new CellClientConfig()
            .ingressEndpoints(launcher.layout().ingressEndpoints())
            .aeronDir(clientDriver.aeronDirectoryName())
            .requestTimeoutMs(timeoutMs);
    }

    public boolean supportsConditionalWrites()
    {
        return true;
    }

    public ChaosClient newClient(final int clientIndex, final long timeoutNs)
    {
        final long timeoutMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNs));
        return new CellChaosClient(CellClient.connect(clientConfig(timeoutMs)), timeoutMs, keyNames);
    }

    public synchronized List<String> members()
    {
        final List<String> lines = new ArrayList<>();
        for (final CellLauncher.MemberStatus s : launcher.status())
        {
            lines.add(s.memberId() + " pid=" + s.pid() + " alive=" + s.alive() + " role=" + s.role() +
                " health=" + s.health() + " ingress=" + launcher.layout().ingressEndpoint(s.memberId()));
        }
        return lines;
    }

    public int memberCount()
    {
        return MEMBERS;
    }

    public synchronized void kill(final int member)
    {
        checkMember(member);
        if (!launcher.kill(member))
        {
            throw new IllegalStateException("member " + member + " was not running when asked to kill it");
        }
    }

    /**
     * Starts the member again on its own directory and waits until it reports, with its election closed, while a
     * leader serves.
     */
    public synchronized void restart(final int member) throws InterruptedException
    {
        checkMember(member);
        if (ProcessHandle.of(launcher.status().get(member).pid()).map(ProcessHandle::isAlive).orElse(false))
        {
            throw new IllegalStateException("member " + member + " is still running: kill it first");
        }
        launcher.startMember(member);
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        while (true)
        {
            final List<CellLauncher.MemberStatus> all = launcher.status();
            final CellLauncher.MemberStatus restarted = all.get(member);
            boolean leads = false;
            for (final CellLauncher.MemberStatus s : all)
            {
                leads |= "OK".equals(s.health()) && "LEADER".equals(s.role());
            }
            if (leads && "OK".equals(restarted.health()))
            {
                return;
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("member " + member + " did not rejoin within " + READY_TIMEOUT_MS +
                    " ms; status: " + all + " (see " + launcher.layout().memberDir(member).resolve("member.log") + ")");
            }
            Thread.sleep(20);
        }
    }

    public int leader()
    {
        final CellLauncher launcher;
        synchronized (this)
        {
            launcher = this.launcher;
        }
        if (null == launcher)
        {
            return -1;
        }
        for (final CellLauncher.MemberStatus s : launcher.status())
        {
            if ("OK".equals(s.health()) && "LEADER".equals(s.role()))
            {
                return s.memberId();
            }
        }
        return -1;
    }

    public synchronized void close()
    {
        try
        {
            if (null != launcher)
            {
                launcher.stop(10_000);
            }
        }
        finally
        {
            CloseHelper.quietClose(clientDriver);
        }
    }

    /**
     * @return member {@code i}'s last lines of output (its {@code member.log}), for a failed run.
     */
    public String memberLog(final int member, final int lines) throws IOException
    {
        final Path log = launcher.layout().memberDir(member).resolve("member.log");
        if (!Files.exists(log))
        {
            return "";
        }
        final List<String> all = Files.readAllLines(log);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private static void checkMember(final int member)
    {
        if (member < 0 || member >= MEMBERS)
        {
            throw new IllegalArgumentException("target cell has members 0 to " + (MEMBERS - 1) + "; got " + member);
        }
    }

    /**
     * A register client over one {@link CellClient}: each operation is one call, carrying the driver's request id
     * (writes), which the cell client keeps when it sends the request again.
     */
    private static final class CellChaosClient implements ChaosClient
    {
        private static final String IF_ABSENT = "attribute_not_exists(" + NodeTarget.KEY + ")";
        private static final String IF_EQUAL = NodeTarget.VALUE + " = :e";

        private final CellClient client;
        private final long timeoutMs;
        private final List<String> keyNames;
        private long lastValue;

        CellChaosClient(final CellClient client, final long timeoutMs, final List<String> keyNames)
        {
            this.client = client;
            this.timeoutMs = timeoutMs;
            this.keyNames = keyNames;
        }

        /** Opens the cluster session with one read (not recorded), so the first recorded call does not pay for it. */
        public boolean connect()
        {
            return client.getItem(NodeTarget.TABLE, key(0), true, Math.max(timeoutMs, WARM_UP_TIMEOUT_MS)).ok();
        }

        public Outcome write(final int key, final long value, final long requestId)
        {
            return outcome(client.putItem(NodeTarget.TABLE, item(key, value), null, null, null, requestId, timeoutMs));
        }

        public Outcome conditionalWrite(final int key, final long expected, final long value, final long requestId)
        {
            final CellResult result = RegisterOp.ABSENT == expected ?
                client.putItem(NodeTarget.TABLE, item(key, value), IF_ABSENT, null, null, requestId, timeoutMs) :
                client.putItem(NodeTarget.TABLE, item(key, value), IF_EQUAL, null,
                    Map.of(":e", AttributeValue.n(Long.toString(expected))), requestId, timeoutMs);
            return outcome(result);
        }

        public Outcome read(final int key, final long requestId)
        {
            final CellResult result = client.getItem(NodeTarget.TABLE, key(key), true, timeoutMs);
            if (result.ok())
            {
                lastValue = null == result.item() ? RegisterOp.ABSENT : valueOf(result.item());
            }
            return outcome(result);
        }

        public long lastValue()
        {
            return lastValue;
        }

        public void close()
        {
            client.close();
        }

        private Map<String, AttributeValue> key(final int key)
        {
            return Map.of(NodeTarget.KEY, AttributeValue.s(keyNames.get(key)));
        }

        private Map<String, AttributeValue> item(final int key, final long value)
        {
            return Map.of(NodeTarget.KEY, AttributeValue.s(keyNames.get(key)),
                NodeTarget.VALUE, AttributeValue.n(Long.toString(value)));
        }

        private static Outcome outcome(final CellResult result)
        {
            return switch (result.outcome())
            {
                case OK -> Outcome.OK;
                case CONDITION_FAILED -> Outcome.CONDITION_FAILED;
                case ERROR -> ErrorCode.InternalServerError == result.errorCode() ? Outcome.UNKNOWN : Outcome.FAILED;
                case TIMED_OUT -> 0 == result.attempts() ? Outcome.FAILED : Outcome.UNKNOWN;
            };
        }

        /** The item's value; -1 (never written: the check reports it) when it has none or not a whole number. */
        private static long valueOf(final Map<String, AttributeValue> item)
        {
            try
            {
                return Long.parseLong(item.get(NodeTarget.VALUE).asNumber());
            }
            catch (final RuntimeException ex)
            {
                return -1;
            }
        }
    }
}
