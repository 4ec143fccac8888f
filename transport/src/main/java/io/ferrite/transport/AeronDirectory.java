package io.ferrite.transport;

import io.aeron.CncFileDescriptor;
import org.agrona.IoUtil;
import org.agrona.SemanticVersion;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Aeron directory a node and its IPC clients share when neither is told one: defined here once, so that
 * {@code ferrite server} and {@code ferrite cli} (or any client built with default settings) on the same host find
 * each other with no configuration.
 * <p>
 * <b>Threading:</b> stateless; any thread.
 */
public final class AeronDirectory
{
    private AeronDirectory()
    {
    }

    /**
     * @return {@code /dev/shm/ferrite-aeron-<user>}, or the same name under {@code java.io.tmpdir} where there is no
     * {@code /dev/shm}. Not Aeron's own default ({@code aeron-<user>}), so that a node never shares a directory with an
     * unrelated media driver by accident.
     */
    public static String defaultName()
    {
        final Path shm = Path.of("/dev/shm");
        final Path base = Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        return base.resolve("ferrite-aeron-" + System.getProperty("user.name", "default")).toString();
    }

    /**
     * Whether the media driver that last used {@code aeronDir} is gone: its CnC file names a process id, and no such
     * process runs. A driver killed with SIGKILL leaves a heartbeat Aeron takes as alive for its driver timeout (10 s),
     * so a node restarted at once met "Active media driver detected" and did not start; its directory may be deleted
     * instead. False whenever it cannot tell (no CnC file, another CnC layout, a process with that id running, even an
     * unrelated one that reused it): then Aeron's own heartbeat check decides.
     *
     * @param aeronDir an Aeron directory.
     * @return the id of the process that is gone, or -1 when the driver may be alive or there is none.
     */
    public static long deadDriverPid(final String aeronDir)
    {
        final File cnc = new File(aeronDir, CncFileDescriptor.CNC_FILE);
        if (!cnc.isFile() || cnc.length() < CncFileDescriptor.META_DATA_LENGTH)
        {
            return -1;
        }
        MappedByteBuffer mapped = null;
        try
        {
            mapped = IoUtil.mapExistingFile(cnc, CncFileDescriptor.CNC_FILE, 0, CncFileDescriptor.META_DATA_LENGTH);
            final UnsafeBuffer meta = new UnsafeBuffer(mapped);
            final int version = meta.getIntVolatile(CncFileDescriptor.cncVersionOffset(0));
            if (SemanticVersion.major(version) != SemanticVersion.major(CncFileDescriptor.CNC_VERSION))
            {
                return -1;
            }
            final long pid = meta.getLong(CncFileDescriptor.pidOffset(0));
            if (pid <= 0 || pid == ProcessHandle.current().pid())
            {
                return -1;
            }
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? -1 : pid;
        }
        catch (final RuntimeException ex)
        {
            return -1;
        }
        finally
        {
            if (null != mapped)
            {
                IoUtil.unmap(mapped);
            }
        }
    }
}
