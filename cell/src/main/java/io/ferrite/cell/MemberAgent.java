package io.ferrite.cell;

import io.aeron.Aeron;
import io.aeron.archive.Archive;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.ElectionState;
import io.aeron.cluster.service.Cluster;
import io.aeron.driver.MediaDriver;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.concurrent.locks.LockSupport;

/**
 * One member's media driver, archive and consensus module on one thread (decision 0013, "One thread per member").
 * <p>
 * With a thread each, every step of a write inside a member (the driver receives the ingress message, the consensus
 * module appends it to the log, the driver sends it; on a follower the driver receives it, the archive records it,
 * the consensus module reports the new position, the driver sends that) was a hand-off to a thread that was usually
 * parked in its back-off, about a hundred microseconds each, and a dozen of them made the 1.6 ms median of a write
 * here. On one thread the same steps run in consecutive duty cycles, and one member has two polling threads (this
 * one and the service's) instead of four, on a machine with two CPUs shared by three members.
 * <p>
 * The driver and the archive run in Aeron's INVOKER modes and the consensus module with
 * {@code useAgentInvoker(true)}; this agent invokes all three in turn. The consensus module is launched on this
 * thread ({@link #onStart()}) because its start waits (recovery, the service's acknowledgement) and while it waits
 * its idle strategy ({@link #idleStrategy}) keeps the driver and the archive going; the consensus module's own
 * Aeron client and archive client are given {@link #driverAndArchive()} for their synchronous calls for the same
 * reason. Nothing else may invoke these invokers: the service container and the log retention use their own
 * clients from their own threads.
 * <p>
 * The two threads of a member wake each other where they know the other has work: this one unparks the service's
 * thread when the commit position moves (the service applies the log up to it), and the service unparks this one
 * after it offers an answer (this thread's driver sends it). A wake-up of a thread that is not parked only makes its
 * next park return at once.
 * <p>
 * <b>Threading:</b> constructed on the starting thread; the {@link Agent} methods on the member thread; the
 * accessors ({@link #launched()}, {@link #failure()}, {@link #role()} and the other published counters) and
 * {@link #requestSnapshot()} from any thread.
 */
final class MemberAgent implements Agent
{
    /** How often this thread publishes the consensus module's counters for the status file (written every 200 ms). */
    static final long PUBLISH_INTERVAL_NS = 20_000_000;

    private final String roleName;
    private final MediaDriver driver;
    private final Archive archive;
    private final AgentInvoker driverAndArchive;
    private ConsensusModule.Context consensusContext;
    private Aeron consensusAeron;
    private ConsensusModule consensusModule;
    private AgentInvoker consensus;
    private final CellService service;
    private AtomicCounter commitPosition;
    private long lastCommitPosition = Long.MIN_VALUE;
    private volatile boolean launched;
    private volatile Throwable failure;
    // The consensus module's counters as this thread last read them, for the status writer on another thread: those
    // counters live in the module's Aeron client's mapping of the driver's files, which is unmapped if the client
    // closes, and a read after that crashes the process. This thread reads them only while the client is open.
    private volatile long role = -1;
    private volatile long electionState = -1;
    private volatile long leadershipTermId = -1;
    private volatile long publishedCommitPosition = -1;
    private volatile long snapshots = -1;
    private volatile long errors = -1;
    private volatile boolean snapshotWanted;
    private volatile boolean ended;
    private volatile long publishedEpochMs = -1;
    private long nextPublishNs;

    /**
     * @param memberId the member (names the thread).
     * @param driver   the member's media driver, launched in {@link io.aeron.driver.ThreadingMode#INVOKER} mode.
     * @param archive  the member's archive, launched in {@link io.aeron.archive.ArchiveThreadingMode#INVOKER} mode.
     * @param service  the member's service: woken when the commit position moves, and told to wake this thread after
     *                 it offers an answer.
     */
    MemberAgent(final int memberId, final MediaDriver driver, final Archive archive, final CellService service)
    {
        this.service = service;
        this.roleName = "cell-member-" + memberId;
        this.driver = driver;
        this.archive = archive;
        final AgentInvoker driverInvoker = driver.sharedAgentInvoker();
        final AgentInvoker archiveInvoker = archive.invoker();
        driverAndArchive = new AgentInvoker(Throwable::printStackTrace, null, new Agent()
        {
            public int doWork()
            {
                return driverInvoker.invoke() + archiveInvoker.invoke();
            }

            public String roleName()
            {
                return roleName + "-driver-archive";
            }
        });
        driverAndArchive.start();
    }

    /**
     * @return invokes the driver and the archive once: for the consensus module's archive client, whose synchronous
     * calls wait for the archive this thread runs.
     */
    AgentInvoker driverAndArchive()
    {
        return driverAndArchive;
    }

    /**
     * An idle strategy for the consensus module's waits: invokes the driver and the archive, then backs off as
     * {@code delegate} does.
     *
     * @param delegate how to wait when neither had work.
     * @return the strategy.
     */
    IdleStrategy idleStrategy(final IdleStrategy delegate)
    {
        return new IdleStrategy()
        {
            public void idle(final int workCount)
            {
                delegate.idle(workCount + driverAndArchive.invoke());
            }

            public void idle()
            {
                delegate.idle(driverAndArchive.invoke());
            }

            public void reset()
            {
                delegate.reset();
            }

            public String alias()
            {
                return "cell-member-invoking";
            }
        };
    }

    /**
     * Sets what {@link #onStart()} launches; call before the thread starts.
     *
     * @param context the consensus module's context (its Aeron client set to {@code aeron}).
     * @param aeron   the consensus module's Aeron client (conductor invoker, the driver's invoker), closed with it.
     */
    void consensusModule(final ConsensusModule.Context context, final Aeron aeron)
    {
        consensusContext = context;
        consensusAeron = aeron;
    }

    /**
     * @return true once the consensus module has started (recovered), when its context's counters may be read.
     */
    boolean launched()
    {
        return launched;
    }

    /**
     * @return why the consensus module could not start, or null.
     */
    Throwable failure()
    {
        return failure;
    }

    /**
     * @return true once the consensus module has ended (its client closed): the published counters are then frozen.
     */
    boolean ended()
    {
        return ended;
    }

    /**
     * Asks for a snapshot: this thread toggles the consensus module's control counter when it can, if this member is
     * then the leader.
     */
    void requestSnapshot()
    {
        snapshotWanted = true;
    }

    /**
     * @return the member's role as last published (every {@value #PUBLISH_INTERVAL_NS} ns), or null before that.
     */
    Cluster.Role role()
    {
        final long code = role;
        return code < 0 ? null : Cluster.Role.get(code);
    }

    /**
     * @return the election state as last published, or null before that.
     */
    ElectionState electionState()
    {
        final long code = electionState;
        return code < 0 ? null : ElectionState.get(code);
    }

    long leadershipTermId()
    {
        return leadershipTermId;
    }

    long commitPosition()
    {
        return publishedCommitPosition;
    }

    long snapshots()
    {
        return snapshots;
    }

    long errors()
    {
        return errors;
    }

    /**
     * @return when this thread last published the counters (epoch ms), or -1: a time that stops moving while the
     * member runs means this thread is held inside the consensus module (one of its waits that have no timeout, for
     * the service's acknowledgement or an image), so the published election state and positions are frozen too.
     */
    long publishedEpochMs()
    {
        return publishedEpochMs;
    }

    public void onStart()
    {
        service.sender(Thread.currentThread());
        try
        {
            consensusModule = ConsensusModule.launch(consensusContext);
            consensus = consensusModule.conductorAgentInvoker();
            commitPosition = consensusContext.commitPositionCounter();
            launched = true;
        }
        catch (final Throwable ex)
        {
            failure = ex;
        }
    }

    public int doWork()
    {
        final int work = driverAndArchive.invoke();
        if (null == consensus)
        {
            return work;
        }
        final int consensusWork = consensus.invoke();
        if (consensusAeron.isClosed())
        {
            ended = true; // the consensus module ended and its counters are unmapped
            return work + consensusWork;
        }
        if (snapshotWanted)
        {
            // a leader asks its consensus module for a snapshot through the control toggle, as ClusterTool does;
            // the request waits while another control action is in progress, and is dropped if this is no leader
            if (Cluster.Role.LEADER.code() != consensusContext.clusterNodeRoleCounter().get() ||
                ClusterControl.ToggleState.SNAPSHOT.toggle(consensusContext.controlToggleCounter()))
            {
                snapshotWanted = false;
            }
        }
        final long commit = commitPosition.get();
        final long now = System.nanoTime();
        if (now - nextPublishNs >= 0)
        {
            nextPublishNs = now + PUBLISH_INTERVAL_NS;
            role = consensusContext.clusterNodeRoleCounter().get();
            electionState = consensusContext.electionStateCounter().get();
            leadershipTermId = consensusContext.leadershipTermIdCounter().get();
            publishedCommitPosition = commit;
            snapshots = consensusContext.snapshotCounter().get();
            errors = consensusContext.errorCounter().get();
            publishedEpochMs = System.currentTimeMillis();
        }
        if (commit != lastCommitPosition)
        {
            // the service polls the log up to the commit position: wake it now rather than at the end of its park
            lastCommitPosition = commit;
            final Thread serviceThread = service.serviceThread();
            if (null != serviceThread)
            {
                LockSupport.unpark(serviceThread);
            }
        }
        return work + consensusWork;
    }

    /**
     * Closes the consensus module, its client, the archive and the driver, in that order, on this thread.
     */
    public void onClose()
    {
        CloseHelper.quietCloseAll(consensusModule, consensusAeron, archive, driverAndArchive, driver);
    }

    public String roleName()
    {
        return roleName;
    }
}
