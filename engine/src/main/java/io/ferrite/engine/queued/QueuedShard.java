package io.ferrite.engine.queued;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.sbe.ErrorCode;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.shard.BatchGetResult;
import io.ferrite.engine.shard.BatchWriteResult;
import io.ferrite.engine.shard.RecoveryReport;
import io.ferrite.engine.shard.Shard;
import io.ferrite.engine.shard.WriteRequest;
import io.ferrite.engine.table.TableDescription;
import io.ferrite.engine.table.TableSpec;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.OffsetEpochNanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A shard in queued mode: opens the data directory, then runs a {@link ShardAgent} on its own thread
 * (an {@link AgentRunner}, role {@value ShardAgent#ROLE_NAME}) that other threads reach through
 * {@link ShardClient}s (the zero-allocation data path: GetItem, PutItem, DeleteItem, UpdateItem, Query) and
 * through {@link #execute tasks} (table management, batches; allocating, with a CompletableFuture).
 * <p>
 * <b>Threading:</b> thread-safe. {@link #start} and {@link #close} are called once each, by the owner; any
 * thread may create clients and submit tasks.
 * <p>
 * <b>Ordering:</b> commands from one client run in submission order. Tasks travel on a separate queue and
 * are not ordered with commands: wait for a task's future (e.g. CreateTable) before submitting commands
 * that depend on it.
 * <p>
 * <b>Idle:</b> the agent idles with a {@link BackoffIdleStrategy} unless given another; a
 * {@code BusySpinIdleStrategy} gives the lowest latency and burns a core, so it is an opt-in.
 * <pre>{@code
 * try (QueuedShard queued = QueuedShard.start(new EngineConfig().dataDir(dir)))
 * {
 *     queued.createTable(TableSpec.of("orders").partitionKey("customer", KeyType.S)).join();
 *     final ShardClient client = queued.newClient();   // one per submitting thread
 *     final int orders = client.tableId("orders");
 *     while (!client.putItem(1L, orders, item, 0, itemLength)) { client.poll(handler); }
 *     while (client.inFlight() > 0) { client.poll(handler); }
 * }
 * }</pre>
 */
public final class QueuedShard implements AutoCloseable
{
    /** Default capacity of a client's response ring: its largest completion is an eighth, 512 KB. */
    public static final int DEFAULT_RESPONSE_QUEUE_BYTES = 4 * 1024 * 1024;
    /** Smallest response ring: its largest completion is 128 KB, so Query pages are cut smaller. */
    public static final int MIN_RESPONSE_QUEUE_BYTES = 1024 * 1024;
    /** The most clients created over a queued shard's life (ids are not reused). */
    public static final int MAX_CLIENTS = 65_536;
    /** Tasks waiting to run before {@link #execute} refuses more. */
    public static final int TASK_QUEUE_CAPACITY = 1024;
    /** Commands run per duty cycle before the shard's background work gets a turn. */
    public static final int COMMAND_BATCH_LIMIT = 64;
    /** Tasks run per duty cycle. */
    public static final int TASK_BATCH_LIMIT = 4;
    /** How long close waits for the agent to finish its last commands and checkpoint before it interrupts. */
    public static final int CLOSE_TIMEOUT_MS = 60_000;

    private static final Logger LOG = LoggerFactory.getLogger(QueuedShard.class);

    private final Path dataDir;
    private final RecoveryReport recoveryReport;
    private final ManyToOneRingBuffer commands;
    private final ManyToOneConcurrentArrayQueue<TaskCommand<?>> tasks =
        new ManyToOneConcurrentArrayQueue<>(TASK_QUEUE_CAPACITY);
    private final AtomicReferenceArray<ShardClient> clients = new AtomicReferenceArray<>(MAX_CLIENTS);
    private final AtomicInteger nextClientId = new AtomicInteger();
    private final TableRegistry tableRegistry = new TableRegistry();
    private final ShardAgent agent;
    private final AgentRunner runner;
    /** Held to offer a task and to begin close, so that no task is offered after the agent's last drain. */
    private final Object taskLock = new Object();
    private volatile boolean closed;

    private QueuedShard(final EngineConfig config, final IdleStrategy idleStrategy, final NanoClock clock)
    {
        config.validate();
        this.dataDir = config.dataDir();
        commands = new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(config.commandQueueBytes() + RingBufferDescriptor.TRAILER_LENGTH)));
        // Opened on this thread, which makes no checked call on it, so it stays unowned until the agent's thread
        // makes the first and owns it from then on (Shard's threading contract); Thread.start() in startOnThread
        // publishes it to that thread.
        final Shard shard = Shard.open(config, new OffsetEpochNanoClock());
        recoveryReport = shard.recoveryReport();
        agent = new ShardAgent(shard, commands, tasks, clients, tableRegistry, clock, COMMAND_BATCH_LIMIT,
            TASK_BATCH_LIMIT);
        runner = new AgentRunner(idleStrategy, ex -> LOG.error("shard loop error ({})", dataDir, ex), null, agent);
        AgentRunner.startOnThread(runner);
    }

    /**
     * Opens the data directory (recovering it) on the calling thread, then starts the shard loop with a
     * {@link BackoffIdleStrategy}.
     *
     * @param config the engine configuration; {@code commandQueueBytes} sizes the command ring.
     * @return the running queued shard.
     */
    public static QueuedShard start(final EngineConfig config)
    {
        return start(config, new BackoffIdleStrategy());
    }

    /**
     * Opens the data directory, then starts the shard loop with the given idle strategy.
     *
     * @param config       the engine configuration.
     * @param idleStrategy how the loop idles when there is no work (busy spin is an opt-in).
     * @return the running queued shard.
     */
    public static QueuedShard start(final EngineConfig config, final IdleStrategy idleStrategy)
    {
        return new QueuedShard(config, idleStrategy, new SystemNanoClock());
    }

    /**
     * A client for the calling thread, with a response ring of {@link #DEFAULT_RESPONSE_QUEUE_BYTES}.
     *
     * @return the client; close it when the thread is done.
     */
    public ShardClient newClient()
    {
        return newClient(DEFAULT_RESPONSE_QUEUE_BYTES);
    }

    /**
     * A client for the calling thread.
     *
     * @param responseQueueBytes its response ring's capacity: a power of two, at least
     *                           {@link #MIN_RESPONSE_QUEUE_BYTES}. Its largest completion is an eighth of it.
     * @return the client; close it when the thread is done.
     */
    public ShardClient newClient(final int responseQueueBytes)
    {
        checkOpen();
        if (Integer.bitCount(responseQueueBytes) != 1 || responseQueueBytes < MIN_RESPONSE_QUEUE_BYTES)
        {
            throw new IllegalArgumentException("responseQueueBytes=" + responseQueueBytes + " must be a power of " +
                "two of at least " + MIN_RESPONSE_QUEUE_BYTES);
        }
        final int clientId = nextClientId.getAndIncrement();
        if (clientId >= MAX_CLIENTS)
        {
            throw new IllegalStateException("cannot create client " + clientId + ": a queued shard creates at most " +
                MAX_CLIENTS + " clients over its life");
        }
        final OneToOneRingBuffer responses = new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(responseQueueBytes + RingBufferDescriptor.TRAILER_LENGTH)));
        final ShardClient client = new ShardClient(clientId, this, commands, responses);
        // Volatile store: published before any command carrying this id can be committed.
        clients.set(clientId, client);
        return client;
    }

    /**
     * Runs a task on the shard thread. Allocates; for table management, batches and other work off the
     * latency path.
     *
     * @param task the work.
     * @param <T>  its result type.
     * @return completed on the shard thread with the task's result or exception; completed at once with
     * ThrottlingException when {@link #TASK_QUEUE_CAPACITY} tasks are already waiting.
     */
    public <T> CompletableFuture<T> execute(final ShardTask<T> task)
    {
        final TaskCommand<T> command = new TaskCommand<>(task);
        final boolean queued;
        synchronized (taskLock)
        {
            checkOpen();
            queued = tasks.offer(command);
        }
        if (!queued)
        {
            command.future().completeExceptionally(new FerriteException(ErrorCode.ThrottlingException,
                "Rate of requests exceeds the allowed throughput: " + TASK_QUEUE_CAPACITY + " tasks are queued"));
        }
        return command.future();
    }

    /**
     * CreateTable, as a task.
     *
     * @param spec name and key schema.
     * @return the new table's description.
     */
    public CompletableFuture<TableDescription> createTable(final TableSpec spec)
    {
        return execute(shard -> shard.createTable(spec));
    }

    /**
     * DeleteTable, as a task.
     *
     * @param tableName the table.
     * @return its description as it was, status DELETING.
     */
    public CompletableFuture<TableDescription> deleteTable(final String tableName)
    {
        return execute(shard -> shard.deleteTable(tableName));
    }

    /**
     * DescribeTable, as a task.
     *
     * @param tableName the table.
     * @return its description.
     */
    public CompletableFuture<TableDescription> describeTable(final String tableName)
    {
        return execute(shard -> shard.describeTable(tableName));
    }

    /**
     * ListTables (every name), as a task.
     *
     * @return the names in order.
     */
    public CompletableFuture<List<String>> listTables()
    {
        return execute(shard ->
        {
            final List<String> names = new ArrayList<>();
            String start = null;
            do
            {
                start = shard.listTables(start, 100, names);
            }
            while (null != start);
            return names;
        });
    }

    /**
     * BatchGetItem, as a task.
     *
     * @param keysByTable key item bytes per table name.
     * @return the items found and the keys not processed.
     */
    public CompletableFuture<BatchGetResult> batchGetItem(final Map<String, List<byte[]>> keysByTable)
    {
        return execute(shard -> shard.batchGetItem(keysByTable));
    }

    /**
     * BatchWriteItem, as a task.
     *
     * @param writesByTable writes per table name.
     * @return the writes not processed.
     */
    public CompletableFuture<BatchWriteResult> batchWriteItem(final Map<String, List<WriteRequest>> writesByTable)
    {
        return execute(shard -> shard.batchWriteItem(writesByTable));
    }

    /**
     * @return what opening the data directory found and did.
     */
    public RecoveryReport recoveryReport()
    {
        return recoveryReport;
    }

    /**
     * @return the data directory.
     */
    public Path dataDir()
    {
        return dataDir;
    }

    /**
     * @return true once {@link #close()} has begun.
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Refuses new submissions (a submit or task from then on throws IllegalStateException), then stops the loop: it
     * runs every command and task submitted before, closes the shard (a checkpoint) and ends its thread; this call
     * returns after that. Every command submitted before is answered: its completion is in its client's response ring,
     * or, if the ring was full (nobody polling while the shard closed), kept for the client's next polls, which
     * deliver it after what the ring holds; so a client polls until {@link ShardClient#inFlight()} is 0 after close
     * too. Every task's future is completed.
     *
     * @throws RuntimeException what closing the shard threw (e.g. a FerriteException InternalServerError when its
     *                          final checkpoint could not sync the log or a store): the shard is then closed without
     *                          a clean checkpoint, and the next open recovers it from its log.
     * @throws IllegalStateException when called on the shard's own thread (from a task), which close would wait
     *                          for; nothing is closed then.
     */
    public void close()
    {
        if (onShardThread())
        {
            throw new IllegalStateException("QueuedShard.close() called on the shard's own thread (from a task): it " +
                "would wait for that thread to end; close it from another thread");
        }
        synchronized (taskLock)
        {
            if (closed)
            {
                return;
            }
            closed = true;
        }
        runner.close(CLOSE_TIMEOUT_MS, thread -> LOG.warn("{} has not closed within {} ms; interrupting it",
            thread.getName(), CLOSE_TIMEOUT_MS));
        final Throwable failure = agent.closeFailure();
        if (failure instanceof RuntimeException)
        {
            throw (RuntimeException)failure;
        }
        if (failure instanceof Error)
        {
            throw (Error)failure;
        }
    }

    /**
     * @return whether the caller is the shard's own thread (a task), which must not wait for the shard.
     */
    boolean onShardThread()
    {
        return Thread.currentThread() == runner.thread();
    }

    int tableId(final String tableName)
    {
        return tableRegistry.register(tableName);
    }

    void release(final int clientId)
    {
        clients.set(clientId, null);
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("queued shard is closed: " + dataDir);
        }
    }
}
