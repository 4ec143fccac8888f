package io.ferrite.tools.chaos;

import io.ferrite.tools.chaos.history.HistoryCheck;
import io.ferrite.tools.chaos.history.RegisterOp;
import io.ferrite.tools.chaos.history.RegisterOp.Outcome;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole game day (load, kill, restart, final reads, check) against in-process fake targets: a correct
 * register, whose "crash" leaves writes in flight undecided and applies some of them late, passes; one that
 * rolls back acknowledged writes at a crash shows lost writes, and one that re-applies an overwritten write
 * shows it duplicated. Conditional writes go through the same path (the fakes support them).
 */
class ChaosDriverJudgesFakeTargetsTest
{
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();

    private HistoryCheck.Report run(final FakeRegisterTarget target) throws Exception
    {
        final ChaosDriver.Settings settings = new ChaosDriver.Settings(2, 1, 400, 4, 16, 100, 11);
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8))
        {
            return new ChaosDriver(target, settings, out).run();
        }
    }

    private String printed()
    {
        return output.toString(StandardCharsets.UTF_8);
    }

    @Test
    void targetThatFailsToStartIsClosedSoNoMemberOutlivesTheRun()
    {
        // a cell whose members started but elected no leader left them running after the game day gave up
        final FakeRegisterTarget target = new FakeRegisterTarget(Fault.NONE);
        target.failStart = true;
        assertEquals("no leader elected", org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
            () -> run(target)).getMessage());
        assertTrue(target.closed, "the target was closed after its start failed");
    }

    @Test
    void correctRegisterWithUndecidedWritesAtTheCrashPasses() throws Exception
    {
        final FakeRegisterTarget target = new FakeRegisterTarget(Fault.NONE);
        final HistoryCheck.Report report = run(target);
        assertTrue(report.passed(), printed());
        assertTrue(report.acked() > 100, printed());
        assertTrue(target.conditionalWrites > 10, "conditional writes done: " + target.conditionalWrites);
        assertTrue(target.lateApplied > 0 || target.undecided == 0, "some undecided writes applied late");
        final List<String> lines = printed().lines().toList();
        assertEquals(report.summaryLine(), lines.get(lines.size() - 1));
        assertTrue(printed().contains("SIGKILL member"), printed());
    }

    @Test
    void registerThatRollsBackAcknowledgedWritesAtACrashLosesThem() throws Exception
    {
        final HistoryCheck.Report report = run(new FakeRegisterTarget(Fault.ROLLBACK));
        assertTrue(report.lost() > 0, printed());
        assertEquals(0, report.duplicated(), printed());
        assertFalse(report.linearizable(), printed());
        assertFalse(report.passed());
        assertTrue(printed().contains("LOST key "), printed());
    }

    @Test
    void registerThatReappliesAnOverwrittenWriteDuplicatesIt() throws Exception
    {
        final HistoryCheck.Report report = run(new FakeRegisterTarget(Fault.DUPLICATE));
        assertTrue(report.duplicated() > 0, printed());
        assertFalse(report.linearizable(), printed());
        assertTrue(printed().contains("DUPLICATED key "), printed());
    }

    enum Fault
    {
        NONE, ROLLBACK, DUPLICATE
    }

    /**
     * A register per key behind one lock. "Killing" it makes it down until restarted: operations meanwhile are
     * answered UNKNOWN (writes among them take effect at the restart, or not, at random). With a fault, the
     * restart puts keys back to their value before their last write: ROLLBACK where nobody read the last value
     * (an acknowledged write lost), DUPLICATE where someone did (an overwritten write applied again); after a
     * faulty restart it refuses writes (FAILED), so what the fault did stays visible to reads.
     */
    static final class FakeRegisterTarget implements ChaosTarget
    {
        private final Fault fault;
        private final SplittableRandom random = new SplittableRandom(5);
        private long[] current;
        private long[] previous;
        private boolean[] readCurrent;
        private boolean down;
        private boolean refuseWrites;
        private final List<long[]> pending = new ArrayList<>();
        int conditionalWrites;
        boolean failStart;
        boolean closed;
        int undecided;
        int lateApplied;

        FakeRegisterTarget(final Fault fault)
        {
            this.fault = fault;
        }

        public String name()
        {
            return "fake-" + fault;
        }

        public synchronized void start(final int keys)
        {
            if (failStart)
            {
                throw new IllegalStateException("no leader elected");
            }
            current = new long[keys];
            previous = new long[keys];
            readCurrent = new boolean[keys];
        }

        public boolean supportsConditionalWrites()
        {
            return true;
        }

        public List<String> members()
        {
            return List.of("fake");
        }

        public int memberCount()
        {
            return 1;
        }

        public synchronized void kill(final int member)
        {
            down = true;
        }

        public void restart(final int member) throws InterruptedException
        {
            Thread.sleep(100);
            synchronized (this)
            {
                for (final long[] write : pending)
                {
                    if (random.nextBoolean())
                    {
                        apply((int)write[0], write[1], write[2], 1 == write[3]);
                        lateApplied++;
                    }
                }
                pending.clear();
                if (Fault.NONE != fault)
                {
                    for (int key = 0; key < current.length; key++)
                    {
                        // Roll back values nobody read (lost, not seen twice); re-apply over values someone read.
                        if (RegisterOp.ABSENT != previous[key] && (Fault.DUPLICATE == fault) == readCurrent[key])
                        {
                            current[key] = previous[key];
                        }
                    }
                    refuseWrites = true;
                }
                down = false;
            }
        }

        public int leader()
        {
            return -1;
        }

        public void close()
        {
            closed = true;
        }

        private void apply(final int key, final long expected, final long value, final boolean conditional)
        {
            if (!conditional || current[key] == expected)
            {
                previous[key] = current[key];
                current[key] = value;
                readCurrent[key] = false;
            }
        }

        public ChaosClient newClient(final int clientIndex, final long timeoutNs)
        {
            return new ChaosClient()
            {
                private long lastValue;

                public boolean connect()
                {
                    return true;
                }

                public Outcome write(final int key, final long value, final long requestId)
                {
                    return change(key, RegisterOp.ABSENT, value, false);
                }

                public Outcome conditionalWrite(final int key, final long expected, final long value,
                    final long requestId)
                {
                    return change(key, expected, value, true);
                }

                private Outcome change(final int key, final long expected, final long value, final boolean conditional)
                {
                    synchronized (FakeRegisterTarget.this)
                    {
                        if (conditional)
                        {
                            conditionalWrites++;
                        }
                        if (down)
                        {
                            pending.add(new long[]{ key, expected, value, conditional ? 1 : 0 });
                            undecided++;
                            return Outcome.UNKNOWN;
                        }
                        if (refuseWrites)
                        {
                            return Outcome.FAILED;
                        }
                        if (conditional && current[key] != expected)
                        {
                            return Outcome.CONDITION_FAILED;
                        }
                        apply(key, expected, value, conditional);
                        return Outcome.OK;
                    }
                }

                public Outcome read(final int key, final long requestId)
                {
                    synchronized (FakeRegisterTarget.this)
                    {
                        if (down)
                        {
                            return Outcome.UNKNOWN;
                        }
                        lastValue = current[key];
                        readCurrent[key] = true;
                        return Outcome.OK;
                    }
                }

                public long lastValue()
                {
                    return lastValue;
                }

                public void close()
                {
                }
            };
        }
    }
}
