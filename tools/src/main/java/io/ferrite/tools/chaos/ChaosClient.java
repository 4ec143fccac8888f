package io.ferrite.tools.chaos;

import io.ferrite.tools.chaos.history.RegisterOp.Outcome;

/**
 * One client thread's connection to a {@link ChaosTarget}: register operations on key {@code 0..keys-1}, each
 * synchronous, bounded by the client's request timeout, and answered with what the client can say for certain
 * about its effect ({@link Outcome}): a request never sent, or refused with an error that means "not applied", is
 * {@link Outcome#FAILED}; a request sent and not answered (timeout, connection lost) is {@link Outcome#UNKNOWN}.
 * A client whose connection broke reconnects on its next operation.
 * <p>
 * <b>Threading:</b> owned by the one thread that created it through {@link ChaosTarget#newClient}.
 */
public interface ChaosClient extends AutoCloseable
{
    /**
     * Connects now unless connected (the driver calls it before the load starts).
     *
     * @return true when connected.
     */
    boolean connect();

    /**
     * Writes {@code value} to a key.
     *
     * @param key       the key's index.
     * @param value     the value, unique in the run.
     * @param requestId a request id unique in the run (targets that deduplicate retries use it).
     * @return the outcome.
     */
    Outcome write(int key, long value, long requestId);

    /**
     * Writes {@code value} to a key if it holds {@code expected} (0: if it has no item).
     *
     * @param key       the key's index.
     * @param expected  the value expected, or 0 for "no item".
     * @param value     the value, unique in the run.
     * @param requestId a request id unique in the run.
     * @return the outcome; {@link Outcome#CONDITION_FAILED} when the key did not hold {@code expected}.
     */
    Outcome conditionalWrite(int key, long expected, long value, long requestId);

    /**
     * Reads a key, strongly consistent; on {@link Outcome#OK}, {@link #lastValue()} holds what it read.
     *
     * @param key       the key's index.
     * @param requestId a request id unique in the run.
     * @return the outcome.
     */
    Outcome read(int key, long requestId);

    /**
     * @return the value the last OK read returned, 0 for no item.
     */
    long lastValue();

    /**
     * Closes the connection.
     */
    void close();
}
