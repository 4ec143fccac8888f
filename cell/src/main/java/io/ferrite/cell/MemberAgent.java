package io.ferrite.cell;

import io.aeron.Aeron;
import io.aeron.archive.Archive;
import io.aeron.cluster.ConsensusModule;
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
 * <b>Threading:</b> constructed on the starting thread; every other method on the member thread, except
 * {@link #launched()} and {@link #failure()}, which any thread reads.
 */
final class MemberAgent implements Agent
{
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
            return work + consensusWork; // the consensus module ended and its counters are unmapped
        }
        final long commit = commitPosition.get();
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
