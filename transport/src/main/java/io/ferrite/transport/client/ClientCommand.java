package io.ferrite.transport.client;

/**
 * Work handed to a {@link FerriteClient} from another thread with {@link FerriteClient#submit(ClientCommand)}:
 * run on the client's owning thread (its background thread, or whichever thread calls
 * {@link FerriteClient#poll()}), where it may send requests. Reuse command objects (or use non-capturing
 * ones) to keep the hand-off free of allocation.
 */
@FunctionalInterface
public interface ClientCommand
{
    /**
     * @param client the client, on its owning thread.
     */
    void execute(FerriteClient client);
}
