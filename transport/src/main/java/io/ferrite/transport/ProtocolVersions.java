package io.ferrite.transport;

/**
 * The client protocol's schema versions at which behaviour, not layout, changed (decision 0004): the client and the
 * node compare the version the other side named in its ConnectRequest or ConnectResponse against these, so that neither
 * sends the other a frame it would not know or waits for one that will never come. Constants only.
 */
public final class ProtocolVersions
{
    /**
     * Since this version a node answers a client's KeepAlive with a KeepAlive on the session's response stream, and a
     * client that named this version or later in its ConnectRequest expects it: it is how the client tells a silent
     * node (dead, frozen) from an idle one when the media driver is not its own. An older client gets no answer (it
     * would take the frame for a garbled response), and a client of a node older than this does not wait for one.
     */
    public static final int KEEP_ALIVE_ANSWERED = 6;

    private ProtocolVersions()
    {
    }
}
