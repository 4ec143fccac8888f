package io.ferrite.tools.chaos;

import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import io.ferrite.tools.chaos.history.RegisterOp;
import io.ferrite.tools.chaos.history.RegisterOp.Outcome;
import io.ferrite.transport.client.ClientConfig;
import io.ferrite.transport.client.ClientFailure;
import io.ferrite.transport.client.ExpressionParams;
import io.ferrite.transport.client.FerriteBlockingClient;
import io.ferrite.transport.client.FerriteClient;
import io.ferrite.transport.client.ResponseHandler;
import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ferrite chaos --target node}: one Ferrite node ({@code ferrite server}, i.e. {@code FerriteMain server} in a
 * child JVM with the launcher's flags and class path) on a data directory of its own, listening on one fixed UDP
 * port on 127.0.0.1 so that a restarted node is found where the killed one was. Clients speak UDP through one media
 * driver in this process (so they outlive the node's embedded driver), one {@link FerriteClient} per client thread.
 * <p>
 * Keys are items {@code {pk: "r<i>", v: <value>}} of table {@value #TABLE}. A write is PutItem; a strongly
 * consistent read is GetItem with ConsistentRead. A conditional write is PutItem with the ConditionExpression
 * {@code v = :e} (or {@code attribute_not_exists(pk)} when it expects no item); a failed condition is the
 * ConditionalCheckFailedException outcome.
 * <p>
 * <b>Threading:</b> as {@link ChaosTarget}; member methods are synchronized (one killer, plus {@link #close}).
 */
public final class NodeTarget implements ChaosTarget
{
    static final String TABLE = "chaos_register";
    static final String KEY = "pk";
    static final String VALUE = "v";
    private static final long READY_TIMEOUT_MS = 120_000;
    private static final int OUTPUT_LINES_KEPT = 200;
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    private final Path runDir;
    private final PrintStream out;
    private int udpPort;
    private MediaDriver clientDriver;
    private Aeron aeron;
    private Process node;
    private int starts;
    private final Deque<String> output = new ArrayDeque<>();
    private List<String> keyNames = List.of();

    /**
     * @param runDir a fresh directory for the node's data, aeron dirs and the client driver.
     * @param out    receives progress lines.
     */
    public NodeTarget(final Path runDir, final PrintStream out)
    {
        this.runDir = runDir;
        this.out = out;
    }

    public String name()
    {
        return "node";
    }

    public synchronized void start(final int keys) throws Exception
    {
        final List<String> names = new ArrayList<>(keys);
        for (int i = 0; i < keys; i++)
        {
            names.add("r" + i);
        }
        keyNames = List.copyOf(names);
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            udpPort = socket.getLocalPort();
        }
        clientDriver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(runDir.resolve("aeron-client").toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(clientDriver.aeronDirectoryName()));
        startNode();
        try (FerriteBlockingClient admin = FerriteBlockingClient.connect(clientConfig(TimeUnit.SECONDS.toNanos(30))))
        {
            admin.createTable(TableSpec.of(TABLE).partitionKey(KEY, KeyType.S));
        }
    }

    public boolean supportsConditionalWrites()
    {
        return true;
    }

    public ChaosClient newClient(final int clientIndex, final long timeoutNs)
    {
        return new NodeClient(clientConfig(timeoutNs), timeoutNs, keyNames);
    }

    private ClientConfig clientConfig(final long timeoutNs)
    {
        return new ClientConfig()
            .aeron(aeron)
            .requestChannel("aeron:udp?endpoint=127.0.0.1:" + udpPort)
            .responseChannel("aeron:udp?endpoint=127.0.0.1:0")
            // A node just restarted on a loaded machine can take seconds to answer its first handshake.
            .connectTimeoutNs(Math.max(timeoutNs, CONNECT_TIMEOUT_NS))
            .requestTimeoutNs(timeoutNs);
    }

    public synchronized List<String> members()
    {
        return List.of("node " + (null == node ? "not started" : "pid=" + node.pid() + " alive=" + node.isAlive()) +
            " udp=127.0.0.1:" + udpPort);
    }

    public int memberCount()
    {
        return 1;
    }

    public synchronized void kill(final int member) throws InterruptedException
    {
        checkMember(member);
        node.toHandle().destroyForcibly();
        if (!node.waitFor(30, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("node pid " + node.pid() + " survived SIGKILL for 30 s");
        }
    }

    public synchronized void restart(final int member) throws IOException, InterruptedException
    {
        checkMember(member);
        if (node.isAlive())
        {
            throw new IllegalStateException("node pid " + node.pid() + " is still running: kill it first");
        }
        startNode();
    }

    public int leader()
    {
        return -1;
    }

    public synchronized void close() throws InterruptedException
    {
        try
        {
            if (null != node && node.isAlive())
            {
                node.toHandle().destroy();
                if (!node.waitFor(30, TimeUnit.SECONDS))
                {
                    node.toHandle().destroyForcibly();
                    node.waitFor(30, TimeUnit.SECONDS);
                }
            }
        }
        finally
        {
            CloseHelper.quietCloseAll(aeron, clientDriver);
        }
    }

    private static void checkMember(final int member)
    {
        if (0 != member)
        {
            throw new IllegalArgumentException("target node has one member, 0; got " + member);
        }
    }

    private void startNode() throws IOException, InterruptedException
    {
        starts++;
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(EmbeddedChaos.jvmFlags());
        command.add("-Xmx512m");
        command.add("-Djava.io.tmpdir=" + runDir);
        command.add("-Dferrite.node.aeronDir=" + runDir.resolve("aeron-node-" + starts));
        command.add("-Dferrite.node.udpEndpoint=127.0.0.1:" + udpPort);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.ferrite.tools.FerriteMain");
        command.add("server");
        command.add("--data-dir");
        command.add(runDir.resolve("data").toString());
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        node = process;
        final CountDownLatch ready = new CountDownLatch(1);
        final Thread reader = new Thread(() -> readOutput(process, ready), "chaos-node-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        if (!ready.await(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS) || !process.isAlive())
        {
            process.toHandle().destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            throw new IllegalStateException("node did not print its ready line within " + READY_TIMEOUT_MS +
                " ms; its last output:\n" + lastOutput());
        }
    }

    private void readOutput(final Process process, final CountDownLatch ready)
    {
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = in.readLine()))
            {
                synchronized (output)
                {
                    output.addLast(line);
                    if (output.size() > OUTPUT_LINES_KEPT)
                    {
                        output.removeFirst();
                    }
                }
                if (line.startsWith("ferrite: node ready"))
                {
                    ready.countDown();
                }
                else if (line.contains(" recovered: "))
                {
                    out.println("chaos: node: " + line);
                }
            }
        }
        catch (final IOException ignore)
        {
            // the node died: what it printed is kept
        }
        ready.countDown();
    }

    /**
     * @return the node's last lines of output.
     */
    public String lastOutput()
    {
        synchronized (output)
        {
            return String.join("\n", output);
        }
    }

    /**
     * A synchronous register client over one {@link FerriteClient}: sends, then polls until its answer, failure or
     * timeout. A broken session (a failure, or the node gone) is closed and a new one connected on the next
     * operation; a request that could not be sent at all is {@link Outcome#FAILED}.
     */
    private static final class NodeClient implements ChaosClient, ResponseHandler
    {
        private static final int PUT = 1;
        private static final int GET = 2;
        private static final int PUT_IF_ABSENT = 3;
        private static final int PUT_IF_EQUAL = 4;

        private final ClientConfig config;
        private final long timeoutNs;
        private final List<String> keyNames;
        private final ItemWriter writer = new ItemWriter();
        private final ItemWriter expected = new ItemWriter();
        private final ExpressionParams ifAbsent = new ExpressionParams().conditionExpression("attribute_not_exists(" + KEY + ")");
        private final ExpressionParams ifEqual = new ExpressionParams().conditionExpression(VALUE + " = :e");
        private final IdleStrategy idle = new BackoffIdleStrategy(
            1, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(200));
        private FerriteClient client;
        private boolean done;
        private boolean broken;
        private Outcome outcome;
        private boolean reading;
        private long lastValue;

        NodeClient(final ClientConfig config, final long timeoutNs, final List<String> keyNames)
        {
            this.config = config;
            this.timeoutNs = timeoutNs;
            this.keyNames = keyNames;
        }

        public boolean connect()
        {
            return connected();
        }

        public Outcome write(final int key, final long value, final long requestId)
        {
            writer.reset().string(KEY, keyNames.get(key)).number(VALUE, value);
            return call(PUT, writer.finish());
        }

        public Outcome conditionalWrite(final int key, final long expectedValue, final long value, final long requestId)
        {
            if (RegisterOp.ABSENT != expectedValue)
            {
                final int length = expected.reset().number(":e", expectedValue).finish();
                ifEqual.expressionAttributeValues(expected.buffer(), 0, length);
            }
            writer.reset().string(KEY, keyNames.get(key)).number(VALUE, value);
            return call(RegisterOp.ABSENT == expectedValue ? PUT_IF_ABSENT : PUT_IF_EQUAL, writer.finish());
        }

        public Outcome read(final int key, final long requestId)
        {
            writer.reset().string(KEY, keyNames.get(key));
            return call(GET, writer.finish());
        }

        public long lastValue()
        {
            return lastValue;
        }

        private Outcome call(final int op, final int length)
        {
            if (!connected())
            {
                return Outcome.FAILED;
            }
            done = false;
            broken = false;
            reading = GET == op;
            final long deadline = System.nanoTime() + timeoutNs;
            idle.reset();
            while (true)
            {
                final long id = GET == op ? client.getItem(TABLE, writer.buffer(), 0, length, true, this) :
                    client.putItem(TABLE, writer.buffer(), 0, length, ReturnValues.NONE,
                        PUT == op ? null : PUT_IF_ABSENT == op ? ifAbsent : ifEqual, this);
                if (id > 0)
                {
                    break;
                }
                if (FerriteClient.NOT_CONNECTED == id || FerriteClient.CLOSED == id || System.nanoTime() > deadline)
                {
                    closeClient();
                    return Outcome.FAILED; // never sent
                }
                idle.idle(client.poll());
            }
            idle.reset();
            while (!done)
            {
                idle.idle(client.poll());
            }
            if (broken)
            {
                closeClient();
            }
            return outcome;
        }

        private boolean connected()
        {
            if (null != client && client.isConnected())
            {
                return true;
            }
            closeClient();
            try
            {
                client = FerriteClient.connect(config);
                return true;
            }
            catch (final RuntimeException ex)
            {
                return false;
            }
        }

        private void closeClient()
        {
            if (null != client)
            {
                CloseHelper.quietClose(client);
                client = null;
            }
        }

        public void onItem(final long requestId, final boolean found, final DirectBuffer buffer, final int offset,
            final int length)
        {
            if (reading)
            {
                lastValue = found && length > 0 ? valueOf(ItemCodec.decode(buffer, offset, length)) : RegisterOp.ABSENT;
            }
            outcome = Outcome.OK;
            done = true;
        }

        public void onError(final long requestId, final ErrorCode code, final String message)
        {
            outcome = ErrorCode.ConditionalCheckFailedException == code ? Outcome.CONDITION_FAILED :
                ErrorCode.InternalServerError == code ? Outcome.UNKNOWN : Outcome.FAILED;
            done = true;
        }

        public void onFailure(final long requestId, final ClientFailure failure, final String message)
        {
            outcome = Outcome.UNKNOWN; // sent, no answer: it may have been applied
            broken = true;
            done = true;
        }

        public void close()
        {
            closeClient();
        }

        /** The item's value; -1 (never written: the check reports it) when it has none or not a whole number. */
        private static long valueOf(final Map<String, AttributeValue> item)
        {
            try
            {
                return Long.parseLong(item.get(VALUE).asNumber());
            }
            catch (final RuntimeException ex)
            {
                return -1;
            }
        }
    }
}
