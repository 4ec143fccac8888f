package io.ferrite.tools.chaos;

import java.util.List;

/**
 * What the chaos driver ({@link ChaosDriver}) runs against: a set of member processes it can SIGKILL and restart,
 * and clients that do register operations on a small set of keys (an item per key holding one number).
 * <p>
 * <b>Threading:</b> the driver calls {@link #start}, {@link #stop} and the member methods from its own threads
 * ({@link #kill} and {@link #restart} from the killer thread, {@link #leader()} too); {@link #newClient} is called
 * by each client thread, which then owns the client.
 */
public interface ChaosTarget extends AutoCloseable
{
    /**
     * @return the target's name as on the command line.
     */
    String name();

    /**
     * Starts every member and creates what the clients need (the table). Returns when clients can connect.
     *
     * @param keys the number of keys the load uses.
     * @throws Exception when the target cannot be started.
     */
    void start(int keys) throws Exception;

    /**
     * @return false when the target cannot do conditional writes (the driver then does writes and reads only).
     */
    boolean supportsConditionalWrites();

    /**
     * Connects a client for the calling thread, which owns it from then on.
     *
     * @param clientIndex the client's number, from 0.
     * @param timeoutNs   every request's timeout.
     * @return the client (it connects lazily: the target may be down right now).
     */
    ChaosClient newClient(int clientIndex, long timeoutNs);

    /**
     * @return the members, one line each (name, pid, alive).
     */
    List<String> members();

    /**
     * @return how many members there are.
     */
    int memberCount();

    /**
     * SIGKILLs a member.
     *
     * @param member its index.
     * @throws Exception when it cannot be killed.
     */
    void kill(int member) throws Exception;

    /**
     * Restarts a killed member on its own data; returns once it serves again.
     *
     * @param member its index.
     * @throws Exception when it does not come back.
     */
    void restart(int member) throws Exception;

    /**
     * @return the index of the member that leads, or -1 when the target has no leader (or none right now).
     */
    int leader();

    /**
     * Stops every member (cleanly where it can) and releases what {@link #start} took.
     */
    void close() throws Exception;
}
