package io.ferrite.transport;

import io.aeron.exceptions.DriverTimeoutException;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentTerminationException;

/**
 * The error handler Ferrite's clients give an Aeron they connect to a media driver: it prints each error as Aeron's
 * default handler does, but a driver timeout does not end the JVM, as Aeron's default does ({@code System.exit(-1)}
 * ten seconds after the driver stops answering). A client's driver is often not its own (over IPC it is the node's,
 * which dies or freezes with the node; a host may share one): the application must outlive it and learn of it through
 * the client, whose session then ends. Connect-time only: building the handler allocates once.
 */
public final class DriverTimeouts
{
    private DriverTimeouts()
    {
    }

    /**
     * @param who         the client, for the lines printed (e.g. "ferrite client").
     * @param consequence what the timeout means to that client's user, printed after the timeout.
     * @return a handler for {@code Aeron.Context.errorHandler} that never exits the JVM.
     */
    public static ErrorHandler reportWithoutExit(final String who, final String consequence)
    {
        return error ->
        {
            if (error instanceof DriverTimeoutException)
            {
                System.err.println(who + ": " + error.getMessage() + ": its media driver stopped answering; " +
                    consequence);
                return;
            }
            if (error instanceof AgentTerminationException)
            {
                // the client conductor ending after the timeout above: its stack says nothing more
                System.err.println(who + ": " + error);
                return;
            }
            System.err.println(who + ": " + error);
            error.printStackTrace(System.err);
        };
    }
}
