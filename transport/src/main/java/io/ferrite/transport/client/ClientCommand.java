package io.ferrite.transport.client;

/**
 * Work handed to a {@link FerriteClient} from another thread with {@link FerriteClient#submit(ClientCommand)}:
 * run on the client's owning thread (its background thread, or whichever thread calls
 * {@link FerriteClient#poll()}), where it may send requests. Reuse command objects (or use non-capturing
 * ones) to keep the hand-off free of allocation.
 * <p>
 * A command that {@code submit} accepted runs exactly once, even when the client closes first: {@code close()} then
 * runs it on the closed client, where every send returns {@link FerriteClient#CLOSED}. A command that checks the
 * status its sends return (as any must: a send can be refused at once) therefore always hears of its request.
 */
@FunctionalInterface
public interface ClientCommand
{
    /**
     * @param client the client, on its owning thread.
     */
    void execute(FerriteClient client);
}
