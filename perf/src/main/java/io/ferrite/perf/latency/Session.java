package io.ferrite.perf.latency;

/**
 * One load thread's connection to a target. {@link #submit} starts an operation; its completion is reported to
 * the {@link Recorder} the session was made with, either before {@code submit} returns (an in-process target)
 * or from a later {@link #poll()} (a target behind a transport), with the operation's intended send time so
 * that latency is measured from the schedule, not from when the request actually left.
 * <p>
 * <b>Threading:</b> one load thread calls every method.
 */
public interface Session extends AutoCloseable
{
    /**
     * @param op         the operation.
     * @param record     the record number it touches.
     * @param scanLength for a Query, the most items to return (0: all).
     * @param intendedNs when the schedule said it should be sent.
     * @return false when the target cannot take it now (back-pressure or in-flight bound): try again later,
     * the intended time stands.
     */
    boolean submit(Op op, int record, int scanLength, long intendedNs);

    /**
     * Receives answers that have arrived.
     *
     * @return how much work was done (0 when idle).
     */
    int poll();

    /**
     * @return operations submitted and not yet completed.
     */
    int inFlight();

    /**
     * Whether answers in flight need this thread polling for them to be timed right. A session whose answers arrive
     * on this thread (a client polled by {@link #poll()}) does; one whose calls are made and timed by threads of its
     * own does not, and the open loop then sleeps until the next send is due instead of yielding, leaving the CPU
     * to the target.
     *
     * @return true unless completions are timed elsewhere.
     */
    default boolean needsPolling()
    {
        return true;
    }

    /**
     * Closes the connection.
     */
    @Override
    default void close()
    {
    }
}
