package io.ferrite.tools.chaos;

import java.io.IOException;
import java.util.List;

/**
 * Test access to the one place that knows the JVM flags of a child Ferrite JVM.
 */
public final class EmbeddedChaosAccess
{
    private EmbeddedChaosAccess()
    {
    }

    /**
     * @return the flags every Ferrite JVM needs.
     * @throws IOException if the launcher properties cannot be read.
     */
    public static List<String> jvmFlags() throws IOException
    {
        return EmbeddedChaos.jvmFlags();
    }
}
