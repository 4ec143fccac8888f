package io.ferrite.perf.latency;

/**
 * A system under test, started and loaded with the data set: sessions drive it.
 * <p>
 * <b>Threading:</b> made and closed by the harness's main thread; {@link #newSession} is called on the load
 * thread that will use the session.
 */
public interface Target extends AutoCloseable
{
    /**
     * @return the name used in the JSON summary ({@code embedded}, {@code ipc}, ...).
     */
    String name();

    /**
     * @return the most records the target holds (inserts past it wrap around and overwrite).
     */
    long capacity();

    /**
     * @return the most load threads it supports.
     */
    int maxThreads();

    /**
     * @param recorder where the session reports completions.
     * @param seed     for any randomness the session needs.
     * @return a new session for the calling thread.
     */
    Session newSession(Recorder recorder, long seed);

    /**
     * Stops the target and deletes its data.
     */
    @Override
    void close();
}
